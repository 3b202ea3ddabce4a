"""The built-in templates: a default schema each, the secrets they need, and the directories they open.

A template's schema is built from the directories' own definitions plus its mapping rules, so a
directory's attributes are described in one place only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from .connectors.base import ConnectionFailure, Directory
from .errors import InvalidRequest, NotFound
from .models import (
    AttributeFlowBehavior,
    AttributeFlowType,
    AttributeMapping,
    DirectoryDefinition,
    Filter,
    ObjectMapping,
    StringKeyStringValuePair,
    SynchronizationJob,
    SynchronizationMetadataEntry,
    SynchronizationRule,
    SynchronizationSchedule,
    SynchronizationScheduleState,
    SynchronizationSchema,
    SynchronizationStatus,
    SynchronizationStatusCode,
    SynchronizationTemplate,
)
from .template_settings import (
    SYNC_ALL,
    TENANT_SOURCE,
    Choice,
    FilePath,
    Flag,
    HttpUrl,
    Number,
    SettingError,
    SettingSpec,
    TemplateSettings,
    Token,
    Whole,
    declare,
    how_to_set,
    job_settings,
    setting_pairs,
    source_path,
    token_stays_encrypted,
    with_fix,
)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@dataclass(frozen=True)
class JobContext:
    """What opening a job's directories needs: its settings and secrets as typed values (see
    `TemplateSettings.read`) and the home's tenant file."""

    values: Mapping[str, Any]
    tenant_file: Path
    trace: Callable[[dict[str, Any]], None] | None = None
    staged_file: Path | None = None
    """The job's staged bulkUpload payloads (API-driven inbound jobs read them); None before the job exists."""


@dataclass(frozen=True)
class TemplateSpec:
    """A built-in template: its settings, its schema and how a job of it opens its directories."""

    id: str
    description: str
    factory_tag: str
    settings: TemplateSettings
    build_schema: Callable[[], SynchronizationSchema]
    open_directories: Callable[[JobContext], tuple[Directory, Directory]]
    open_source_directory: Callable[[JobContext], Directory]
    """The source alone (see `open_source`)."""
    source_settings: tuple[str, ...]
    """The settings and secrets that say where the source is and how to reach it."""
    target_settings: tuple[str, ...]
    """The same of the target."""

    @property
    def required_secrets(self) -> tuple[str, ...]:
        return self.settings.required(secret=True)

    @property
    def required_settings(self) -> tuple[str, ...]:
        return self.settings.required(secret=False)

    def new_job(
        self, job_id: str, interval: timedelta, settings: Mapping[str, str], secrets: Mapping[str, str]
    ) -> SynchronizationJob:
        """A job of this template as Graph creates one: Disabled, NotRun (NotConfigured while
        required values are missing), with the accidental-deletion threshold Graph gives every job."""
        job = SynchronizationJob(
            id=job_id,
            template_id=self.id,
            schedule=SynchronizationSchedule(
                expiration=None, interval=interval, state=SynchronizationScheduleState.Disabled
            ),
            status=SynchronizationStatus(code=SynchronizationStatusCode.NotRun),
            synchronization_job_settings=setting_pairs({"QuarantineTooManyDeletesThreshold": "500", **settings}),
        )
        self.refresh_configured(job, secrets)
        return job

    def configure(
        self,
        job_id: str | None,
        settings: Mapping[str, str],
        secrets: Mapping[str, str],
        *,
        setting_changes: Mapping[str, str | None] | None = None,
        secret_changes: Mapping[str, str | None] | None = None,
    ) -> tuple[dict[str, str], dict[str, str]]:
        """A job's settings and secrets with the changes made (see `TemplateSettings.change`); raises
        InvalidRequest saying how to fix a refused one (`job_id`: None before the job exists)."""
        try:
            return self.settings.change(
                settings, secrets, setting_changes=setting_changes or {}, secret_changes=secret_changes or {}
            )
        except SettingError as error:
            raise InvalidRequest(with_fix(error, job_id)) from None

    def values(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> dict[str, Any]:
        """The job's settings and secrets as typed values. One stored before it was checked (an
        older synctui, an edited file) fails as the job's connection would, naming what to fix."""
        try:
            return self.settings.read(job_settings(job), secrets)
        except SettingError as error:
            raise ConnectionFailure("InvalidConfiguration", with_fix(error, job.id or None)) from None

    def test_connection(self, source: Directory, target: Directory, job_id: str | None) -> None:
        """Test both directories, the source first: a ConnectionFailure names the one that failed
        and what to set to fix it (see `how_to_set`)."""
        for side, directory, names in (
            ("source", source, self.source_settings),
            ("target", target, self.target_settings),
        ):
            try:
                directory.test_connection()
            except ConnectionFailure as error:
                specs = [spec for name in names if (spec := self.settings.find(name)) is not None]
                fix = f"; check {', '.join(names)}" if specs else ""
                fix += f": {how_to_set(specs, job_id)}" if specs and job_id else ""
                raise ConnectionFailure(error.code, f"the {side} failed: {error.message}{fix}") from None

    def missing(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> list[str]:
        """The required secrets and settings the job has no value for."""
        missing = [f"secret {name}" for name in self.required_secrets if not secrets.get(name)]
        missing += [f"setting {name}" for name in self.required_settings if not job.setting(name)]
        return missing

    def require_configured(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> None:
        """InvalidRequest, saying how to set them, while required secrets or settings are missing."""
        problem = self.not_configured(job, secrets)
        if problem:
            raise InvalidRequest(problem)

    def not_configured(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> str | None:
        """Why the job is NotConfigured, with the command that sets what is missing; None when it is configured."""
        missing = self.missing(job, secrets)
        if not missing:
            return None
        specs = [spec for item in missing if (spec := self.settings.find(item.split()[-1])) is not None]
        fix = how_to_set(specs, job.id or None)
        return f"job {job.id} is not configured (NotConfigured): {', '.join(missing)} missing; {fix}"

    def refresh_configured(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> None:
        """The job's status NotConfigured while required secrets or settings are missing."""
        missing, status = self.missing(job, secrets), job.required_status()
        if missing and status.code in (SynchronizationStatusCode.NotRun, SynchronizationStatusCode.NotConfigured):
            status.code = SynchronizationStatusCode.NotConfigured
        elif not missing and status.code == SynchronizationStatusCode.NotConfigured:
            status.code = SynchronizationStatusCode.NotRun

    def open(self, context: JobContext, job_id: str | None) -> tuple[Directory, Directory]:
        """The job's two directories; ConnectionFailure naming the first required value that is not
        set (the job is NotConfigured) and how to set it."""
        self._require(context, job_id, self.settings.declared)
        return self.open_directories(context)

    def open_source(self, context: JobContext, job_id: str | None) -> Directory:
        """The source alone, for what needs no target (searching it, its assignments): it opens even
        while the target's values are missing."""
        self._require(context, job_id, [spec for spec in self.settings.declared if spec.name in self.source_settings])
        return self.open_source_directory(context)

    @staticmethod
    def _require(context: JobContext, job_id: str | None, declared: Iterable[SettingSpec]) -> None:
        for spec in declared:
            if spec.required and context.values[spec.name] is None:
                raise ConnectionFailure(
                    "MissingCredentials" if spec.secret else "MissingSetting",
                    f"the {'secret' if spec.secret else 'job setting'} {spec.name} ({spec.meaning}) is not set; "
                    f"{how_to_set([spec], job_id)}",
                )

    def template(self) -> SynchronizationTemplate:
        return SynchronizationTemplate(
            id=self.id,
            application_id="00000000-0000-0000-0000-000000000000",
            default=self.id == "jsonfile",
            description=self.description,
            discoverable=True,
            factory_tag=self.factory_tag,
            metadata=[SynchronizationMetadataEntry(key="GalleryApplicationKey", value=self.factory_tag)],
            schema_=self.build_schema(),
        )


# --- mapping shorthand ----------------------------------------------------------------------


def _map(
    target: str,
    expression: str | None,
    *,
    matching: int = 0,
    default: str | None = None,
    flow: AttributeFlowType = AttributeFlowType.Always,
) -> AttributeMapping:
    from .expressions import parse

    return AttributeMapping(
        target_attribute_name=target,
        source=parse(expression) if expression else None,
        default_value=default,
        export_missing_references=False,
        flow_behavior=AttributeFlowBehavior.FlowWhenChanged,
        flow_type=flow,
        matching_priority=matching,
    )


def _object_mapping(
    source: str, target: str, mappings: list[AttributeMapping], name: str | None = None
) -> ObjectMapping:
    return ObjectMapping(
        name=name or f"Provision {source} to {target}",
        enabled=True,
        flow_types="Add, Update, Delete",
        source_object_name=source,
        target_object_name=target,
        attribute_mappings=mappings,
        scope=Filter(),
        metadata=[],
    )


def _schema(
    template_id: str,
    source: DirectoryDefinition,
    target: DirectoryDefinition,
    mappings: list[ObjectMapping],
    rule_name: str,
) -> SynchronizationSchema:
    source.id, target.id = f"{template_id}-source", f"{template_id}-target"
    return SynchronizationSchema(
        id=template_id,
        version="1",
        directories=[source, target],
        synchronization_rules=[
            SynchronizationRule(
                id=f"{template_id}-rule",
                name=rule_name,
                editable=True,
                priority=1,
                source_directory_name=source.name,
                target_directory_name=target.name,
                object_mappings=mappings,
                metadata=[StringKeyStringValuePair(key="supportsProvisionOnDemand", value="true")],
            )
        ],
    )


def _tenant_source(context: JobContext) -> Directory:
    from .connectors.tenant import TenantDirectory

    return TenantDirectory(context.values["SourcePath"] or context.tenant_file)


# --- jsonfile -----------------------------------------------------------------------------------


def _jsonfile_schema() -> SynchronizationSchema:
    from .connectors.jsonfile import jsonfile_definition
    from .connectors.tenant import tenant_definition

    users = [
        _map("userPrincipalName", "[userPrincipalName]", matching=1),
        _map("displayName", "[displayName]"),
        _map("givenName", "[givenName]"),
        _map("surname", "[surname]"),
        _map("mail", "[mail]"),
        _map("mailNickname", "[mailNickname]"),
        _map("department", "[department]"),
        _map("jobTitle", "[jobTitle]"),
        _map("employeeId", "[employeeId]"),
        _map("accountEnabled", "Not([IsSoftDeleted])"),
        _map("manager", "[manager]"),
    ]
    groups = [
        _map("displayName", "[displayName]", matching=1),
        _map("mailNickname", "[mailNickname]"),
        _map("description", "[description]"),
        _map("members", "[members]"),
    ]
    return _schema(
        "jsonfile",
        tenant_definition(),
        jsonfile_definition(),
        [_object_mapping("User", "User", users), _object_mapping("Group", "Group", groups)],
        "USER_TO_USER",
    )


def _jsonfile_directories(context: JobContext) -> tuple[Directory, Directory]:
    from .connectors.jsonfile import JsonFileDirectory

    return _tenant_source(context), JsonFileDirectory(context.values["ConnectionString"])


JSONFILE_SETTINGS = declare(
    "jsonfile",
    SettingSpec("ConnectionString", FilePath(), "the JSON file of the target directory", secret=True, required=True),
    TENANT_SOURCE,
    SYNC_ALL,
)


# --- scim -------------------------------------------------------------------------------------


def _scim_schema() -> SynchronizationSchema:
    from .connectors.scim import scim_definition
    from .connectors.tenant import tenant_definition

    users = [
        _map("userName", "[userPrincipalName]", matching=1),
        _map("active", 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'),
        _map("displayName", "[displayName]"),
        _map("title", "[jobTitle]"),
        _map('emails[type eq "work"].value', "[mail]"),
        _map("preferredLanguage", "[preferredLanguage]"),
        _map("name.givenName", "[givenName]"),
        _map("name.familyName", "[surname]"),
        _map("name.formatted", 'Join(" ", [givenName], [surname])'),
        _map('addresses[type eq "work"].formatted', "[physicalDeliveryOfficeName]"),
        _map('addresses[type eq "work"].streetAddress', "[streetAddress]"),
        _map('addresses[type eq "work"].locality', "[city]"),
        _map('addresses[type eq "work"].region', "[state]"),
        _map('addresses[type eq "work"].postalCode', "[postalCode]"),
        _map('addresses[type eq "work"].country', "[country]"),
        _map('phoneNumbers[type eq "work"].value', "[telephoneNumber]"),
        _map('phoneNumbers[type eq "mobile"].value', "[mobile]"),
        _map('phoneNumbers[type eq "fax"].value', "[facsimileTelephoneNumber]"),
        _map("externalId", "[mailNickname]"),
        _map(f"{ENTERPRISE}:employeeNumber", "[employeeId]"),
        _map(f"{ENTERPRISE}:department", "[department]"),
        _map(f"{ENTERPRISE}:manager", "[manager]"),
    ]
    groups = [
        _map("displayName", "[displayName]", matching=1),
        _map("externalId", "[objectId]"),
        _map("members", "[members]"),
    ]
    return _schema(
        "scim",
        tenant_definition(),
        scim_definition(),
        [
            _object_mapping("User", "User", users, "Provision Azure Active Directory Users"),
            _object_mapping("Group", "Group", groups, "Provision Azure Active Directory Groups"),
        ],
        "USER_TO_USER",
    )


def _scim_directories(context: JobContext) -> tuple[Directory, Directory]:
    from .connectors.scim import ScimDirectory

    values = context.values
    target = ScimDirectory(
        values["BaseAddress"],
        values["SecretToken"],
        request_style=values["ScimRequestStyle"],
        max_parallel=values["ScimMaxParallelRequests"],
        trace=context.trace,
        manager_shape=values["ScimManagerShape"],
        request_timeout=values["ScimRequestTimeoutSeconds"],
        max_response_bytes=values["ScimMaxResponseBytes"],
    )
    return _tenant_source(context), target


SCIM_SETTINGS = declare(
    "scim",
    SettingSpec(
        "BaseAddress", HttpUrl(), "the SCIM endpoint's base URL, e.g. https://host/scim/v2", secret=True, required=True
    ),
    SettingSpec("SecretToken", Token(), "the bearer token the endpoint expects (none if unset)", secret=True),
    TENANT_SOURCE,
    SYNC_ALL,
    SettingSpec(
        "ScimRequestStyle",
        Choice(("aadOptscim062020", "legacy")),
        "the PATCH dialect: Entra's current one, or the legacy one of older apps",
        "aadOptscim062020",
    ),
    SettingSpec("ScimMaxParallelRequests", Whole(1, 64), "requests in flight at once", 4),
    SettingSpec(
        "ScimManagerShape",
        Choice(("string", "object")),
        'how the enterprise manager is written: "id" or {"value": "id"}',
        "string",
    ),
    SettingSpec("ScimRequestTimeoutSeconds", Number(1, 600), "overall deadline of one request, in seconds", 60.0),
    SettingSpec(
        "ScimMaxResponseBytes", Whole(1_000_000, 1_000_000_000), "the largest reply accepted, in bytes", 50_000_000
    ),
    SettingSpec(
        "AllowInsecureHttp",
        Flag(),
        "allow an http:// BaseAddress on another machine (the token then travels unencrypted)",
        False,
    ),
    rules=(token_stays_encrypted,),
    # Entra's SCIM applications start with "Sync only assigned users and groups".
    initial_secrets={"SyncAll": "false"},
)


# --- csvInbound -----------------------------------------------------------------------------


def _csv_schema() -> SynchronizationSchema:
    from .connectors.csvfile import hr_csv_definition
    from .connectors.tenant import tenant_definition

    first = "Coalesce([PreferredName], [FirstName])"
    # A new hire may share a name with someone already in the tenant: as Entra's Workday and
    # SuccessFactors templates do, the first of these names the tenant does not use yet is taken.
    nicknames = [
        f'ToLower(NormalizeDiacritics(StripSpaces(Join(".", {first}, [LastName]))))',
        f'ToLower(NormalizeDiacritics(StripSpaces(Join(".", Mid({first}, 1, 1), [LastName]))))',
        f'ToLower(NormalizeDiacritics(StripSpaces(Join(".", {first}, [LastName], [EmployeeId]))))',
    ]
    principal_names = [f'Append({nickname}, "@contoso.example")' for nickname in nicknames]
    users = [
        _map("employeeId", "[EmployeeId]", matching=1),
        _map(
            "userPrincipalName",
            f"SelectUniqueValue({', '.join(principal_names)})",
            flow=AttributeFlowType.ObjectAddOnly,
        ),
        _map("mailNickname", f"SelectUniqueValue({', '.join(nicknames)})", flow=AttributeFlowType.ObjectAddOnly),
        _map("displayName", f'Join(" ", {first}, [LastName])'),
        _map("givenName", first),
        _map("surname", "[LastName]"),
        _map("mail", "[Email]"),
        _map("department", "[Department]"),
        _map("jobTitle", "[JobTitle]"),
        _map("city", "[City]"),
        _map("country", "[Country]"),
        _map("mobile", "[Mobile]"),
        _map("companyName", "[Company]"),
        _map("accountEnabled", 'Switch([Status], "False", "Active", "True", "Leave", "True")'),
        _map("manager", "[ManagerEmployeeId]"),
    ]
    return _schema(
        "csvInbound",
        hr_csv_definition(),
        tenant_definition(),
        [_object_mapping("User", "User", users, "Provision HR workers to Azure Active Directory")],
        "USER_INBOUND_USER",
    )


def _csv_directories(context: JobContext) -> tuple[Directory, Directory]:
    from .connectors.tenant import TenantDirectory

    return _csv_source(context), TenantDirectory(context.tenant_file)


def _csv_source(context: JobContext) -> Directory:
    from .connectors.csvfile import CsvDirectory

    return CsvDirectory(context.values["SourcePath"])


CSV_SETTINGS = declare("csvInbound", source_path("the HR CSV file the job reads", required=True))


# --- apiInbound ---------------------------------------------------------------------------------


def _api_inbound_schema() -> SynchronizationSchema:
    """Entra's API-driven inbound defaults: workers matched by externalId ↔ employeeId, the SCIM
    core and enterprise attributes mapped to the user's properties."""
    from .connectors.staged import staged_definition
    from .connectors.tenant import tenant_definition

    users = [
        _map("employeeId", "[externalId]", matching=1),
        _map("userPrincipalName", "[userName]", flow=AttributeFlowType.ObjectAddOnly),
        _map(
            "mailNickname",
            'Replace(NormalizeDiacritics(Item(Split([userName], "@"), 1)), , "[^A-Za-z0-9.\\-_]", , "", , )',
            flow=AttributeFlowType.ObjectAddOnly,
        ),
        _map("accountEnabled", 'Switch([active], "True", "False", "False")'),
        _map("displayName", "[displayName]"),
        _map("givenName", "[name.givenName]"),
        _map("surname", "[name.familyName]"),
        _map("jobTitle", "[title]"),
        _map("employeeType", "[userType]"),
        _map("preferredLanguage", "[preferredLanguage]"),
        _map("mail", '[emails[type eq "work"].value]'),
        _map("telephoneNumber", '[phoneNumbers[type eq "work"].value]'),
        _map("mobile", '[phoneNumbers[type eq "mobile"].value]'),
        _map("streetAddress", '[addresses[type eq "work"].streetAddress]'),
        _map("city", '[addresses[type eq "work"].locality]'),
        _map("state", '[addresses[type eq "work"].region]'),
        _map("postalCode", '[addresses[type eq "work"].postalCode]'),
        _map("country", '[addresses[type eq "work"].country]'),
        _map("department", f"[{ENTERPRISE}:department]"),
        _map("companyName", f"[{ENTERPRISE}:organization]"),
        _map("manager", f"[{ENTERPRISE}:manager]"),
    ]
    return _schema(
        "apiInbound",
        staged_definition(),
        tenant_definition(),
        [_object_mapping("User", "User", users, "Provision API-driven inbound users to Azure Active Directory")],
        "USER_INBOUND_USER",
    )


def _api_inbound_directories(context: JobContext) -> tuple[Directory, Directory]:
    from .connectors.tenant import TenantDirectory

    return _api_inbound_source(context), TenantDirectory(context.tenant_file)


def _api_inbound_source(context: JobContext) -> Directory:
    from .connectors.staged import StagedDirectory

    if context.staged_file is None:
        raise ConnectionFailure("MissingSetting", "an API-driven inbound job reads the payloads staged for it")
    return StagedDirectory(context.staged_file)


API_INBOUND_SETTINGS = declare("apiInbound")


TEMPLATES: dict[str, TemplateSpec] = {
    spec.id: spec
    for spec in (
        TemplateSpec(
            "jsonfile",
            "Provision tenant users and groups to a directory kept in a JSON file",
            "JsonFile",
            JSONFILE_SETTINGS,
            _jsonfile_schema,
            _jsonfile_directories,
            _tenant_source,
            source_settings=("SourcePath",),
            target_settings=("ConnectionString",),
        ),
        TemplateSpec(
            "scim",
            "Provision tenant users and groups to a SCIM 2.0 endpoint, as Entra does",
            "CustomSCIM",
            SCIM_SETTINGS,
            _scim_schema,
            _scim_directories,
            _tenant_source,
            source_settings=("SourcePath",),
            target_settings=("BaseAddress", "SecretToken"),
        ),
        TemplateSpec(
            "csvInbound",
            "Provision workers from an HR CSV file into the tenant directory",
            "CsvInbound",
            CSV_SETTINGS,
            _csv_schema,
            _csv_directories,
            _csv_source,
            source_settings=("SourcePath",),
            target_settings=(),
        ),
        TemplateSpec(
            "apiInbound",
            "Provision workers that an HR system posts to bulkUpload (API-driven inbound) into the tenant directory",
            "API2AAD",
            API_INBOUND_SETTINGS,
            _api_inbound_schema,
            _api_inbound_directories,
            _api_inbound_source,
            source_settings=(),
            target_settings=(),
        ),
    )
}


def template_spec(template_id: str) -> TemplateSpec:
    try:
        return TEMPLATES[template_id]
    except KeyError:
        raise NotFound(f"unknown template {template_id!r}; the templates are: {', '.join(TEMPLATES)}") from None


def get_template(template_id: str) -> SynchronizationTemplate:
    return template_spec(template_id).template()


def list_templates() -> list[SynchronizationTemplate]:
    return [spec.template() for spec in TEMPLATES.values()]
