"""A job's source directory outside its cycles: its users and groups to pick from (provision on
demand, the assignments view) and the assignments of users and groups to the job's application.

Assignments are Graph `appRoleAssignment` resources kept in the source's file (the tenant
directory, or the job's `SourcePath`): see connectors/assignments.py for their shape and
engine/assignments.py for how they scope a job. A source without assignments (an HR CSV file)
has none to list, and refuses new ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .connectors.assignments import new_assignment
from .connectors.base import AssignmentSource, ContentDigest, Directory, DirectoryError
from .connectors.tenant import TenantDirectory
from .errors import InvalidRequest, NotFound, ServiceError
from .models import format_datetime
from .store import Home
from .store.jobs import JobRecord, JobRepository, ServicePrincipal
from .templates import JobContext, template_spec

SEARCH_LIMIT = 50
"""Objects of each type a search returns at most: a picker shows no more."""


@dataclass(frozen=True)
class SourceObject:
    """A user or group of a job's source, as a picker lists it."""

    id: str
    object_type: str
    display_name: str
    detail: str
    """What tells it from a namesake: its user principal name, mail nickname or e-mail."""

    @property
    def label(self) -> str:
        return f"{self.display_name} · {self.object_type}"

    def matches(self, text: str) -> bool:
        """Whether lower-case `text` is part of its name or detail."""
        return text in self.display_name.lower() or text in self.detail.lower()


@dataclass(frozen=True)
class Assignment:
    """One assignment to a job's application, with its role as the application names it."""

    resource: dict[str, Any]
    """The Graph appRoleAssignment as the file keeps it."""
    role: str
    """The role's value (or display name, or id when the application no longer has it)."""


class JobSource:
    def __init__(self, jobs: JobRepository, home: Home, clock: Clock) -> None:
        self._jobs = jobs
        self._home = home
        self._clock = clock
        self._listed: dict[str, tuple[tuple[str, list[str]], list[SourceObject]]] = {}
        """By job: the source's content digest and object types, and every object of it as listed. A picker searches at
        each key press; parsing a 100,000-user source each time would cost ~0.5 s a key."""

    # --- picking objects ----------------------------------------------------------------------

    def search(self, job_id: str, query: str = "", limit: int = SEARCH_LIMIT) -> list[SourceObject]:
        """The users and groups of the job's source whose name, principal name or id matches
        `query` (all when empty), users first, at most `limit` of each type (so that many users
        matching never hide the groups)."""
        text = query.strip().lower()
        found: list[SourceObject] = []
        counts: dict[str, int] = {}
        for listed in self._every_object(job_id):
            if counts.get(listed.object_type, 0) < limit and (
                not text or text == listed.id.lower() or listed.matches(text)
            ):
                found.append(listed)
                counts[listed.object_type] = counts.get(listed.object_type, 0) + 1
        return found

    def _every_object(self, job_id: str) -> list[SourceObject]:
        """Every user and group of the job's source, users first; read again only when the source's
        content changed (a source that cannot tell is read every time)."""
        record = self._jobs.get(job_id)
        with self._source(record) as source:
            digest = source.content_digest() if isinstance(source, ContentDigest) else None
            object_types = self._object_types(job_id)
            cached = self._listed.get(job_id)
            if digest is not None and cached is not None and cached[0] == (digest, object_types):
                return cached[1]
            listed = [_listed(object_type, obj) for object_type in object_types for obj in source.read_all(object_type)]
        if digest is not None:
            self._listed[job_id] = ((digest, object_types), listed)
        return listed

    # --- assignments --------------------------------------------------------------------------

    def sync_all(self, job_id: str) -> bool | None:
        """The job's scope: True, all users and groups; False, only those assigned; None, its source
        has no assignments. The value of the secret `SyncAll`, which Entra's portal shows as the
        scope choice too: unlike a credential, it is no secret to whoever sees the job."""
        record = self._jobs.get(job_id)
        spec = template_spec(record.job.template_id or "")
        if spec.settings.find("SyncAll") is None:
            return None
        return bool(spec.values(record.job, self._jobs.secrets(record))["SyncAll"])

    def assignments(self, job_id: str) -> list[Assignment]:
        record = self._jobs.get(job_id)
        principal = self._jobs.principal(record)
        with self._source(record) as source:
            listed = source.app_role_assignments(principal.id) if isinstance(source, AssignmentSource) else []
        return [Assignment(item, _role_name(principal, item["appRoleId"])) for item in listed]

    def assign(self, job_id: str, principal_type: str, principal_id: str, role: str | None = None) -> Assignment:
        """Assign a user or group of the job's source to the job's application, with the role whose
        value (or id) is `role`, else the application's default access role."""
        record = self._jobs.get(job_id)
        principal = self._jobs.principal(record)
        app_role = _app_role(principal, role, job_id)
        with self._source(record) as source:
            tenant = self._assignable(source, job_id)
            obj = tenant.get(principal_type, principal_id)
            if obj is None:
                raise NotFound(
                    f"no {principal_type.lower()} with id {principal_id!r} in {tenant.path}; give the id of one "
                    "in that file (the dashboard's Assignments view finds them by name)"
                )
            for existing in tenant.app_role_assignments(principal.id):
                if existing["principalId"] == principal_id and existing["appRoleId"] == app_role["id"]:
                    raise InvalidRequest(
                        f"{obj.get('displayName') or principal_id} is already assigned to job {job_id} "
                        f"with the role {_shown_role(app_role)} (assignment {existing['id']})"
                    )
            created = new_assignment(
                obj, principal_type, principal.id, str(app_role["id"]), format_datetime(self._clock.now())
            )
            tenant.add_app_role_assignment(created)
            tenant.flush()
        return Assignment(created, _shown_role(app_role))

    def unassign(self, job_id: str, assignment_id: str) -> Assignment:
        record = self._jobs.get(job_id)
        principal = self._jobs.principal(record)
        with self._source(record) as source:
            tenant = self._assignable(source, job_id)
            if not any(item["id"] == assignment_id for item in tenant.app_role_assignments(principal.id)):
                raise NotFound(
                    f"no assignment {assignment_id!r} to job {job_id}; `synctui assignments list {job_id}` lists them"
                )
            removed = tenant.remove_app_role_assignment(assignment_id)
            tenant.flush()
        assert removed is not None
        return Assignment(removed, _role_name(principal, removed["appRoleId"]))

    # --- internals ----------------------------------------------------------------------------

    @contextmanager
    def _source(self, record: JobRecord) -> Iterator[Directory]:
        """The job's source directory, open; its faults as ServiceError naming the file."""
        spec = template_spec(record.job.template_id or "")
        try:
            context = JobContext(
                values=spec.values(record.job, self._jobs.secrets(record)),
                tenant_file=self._home.tenant_file,
                staged_file=self._home.inbound_file(record.id),
            )
            source = spec.open_source(context, record.id)
        except DirectoryError as error:
            raise ServiceError(f"the source of job {record.id}: {error.message}") from None
        try:
            yield source
        except DirectoryError as error:
            raise ServiceError(f"the source of job {record.id}: {error.message}") from None
        finally:
            source.close()

    def _object_types(self, job_id: str) -> list[str]:
        """The source object types the job's enabled mappings read, users first."""
        schema = self._jobs.schema(job_id)
        types = [
            mapping.source_object_name
            for rule in schema.synchronization_rules
            for mapping in rule.object_mappings
            if mapping.enabled
        ]
        return sorted(dict.fromkeys(types), key=lambda name: name.lower() != "user")

    @staticmethod
    def _assignable(source: Directory, job_id: str) -> TenantDirectory:
        if not isinstance(source, TenantDirectory):
            raise InvalidRequest(
                f"job {job_id} reads a source without assignments (an HR file): every object of it is in "
                "scope, as far as its scoping filters let it"
            )
        return source


def _listed(object_type: str, obj: dict[str, Any]) -> SourceObject:
    object_id = str(obj["id"])
    name = obj.get("displayName") or obj.get("userPrincipalName") or _person(obj) or object_id
    detail = obj.get("userPrincipalName") or obj.get("mailNickname") or obj.get("mail") or obj.get("Email") or ""
    return SourceObject(object_id, object_type, str(name), str(detail))


def _person(obj: dict[str, Any]) -> str:
    """An HR worker's name: its columns are not Graph's."""
    first = obj.get("PreferredName") or obj.get("FirstName")
    return " ".join(str(part) for part in (first, obj.get("LastName")) if part)


def _app_role(principal: ServicePrincipal, role: str | None, job_id: str) -> dict[str, Any]:
    roles = principal.app_roles
    if role is None:
        return next((item for item in roles if item.get("value") == "msiam_access"), roles[0])
    wanted = role.strip().lower()
    for item in roles:
        if wanted in (str(item.get("value") or "").lower(), str(item.get("id")).lower()):
            return item
    known = ", ".join(_shown_role(item) for item in roles)
    raise InvalidRequest(f"job {job_id}'s application has no role {role!r}; its roles are: {known}")


def _role_name(principal: ServicePrincipal, role_id: str) -> str:
    role = next((item for item in principal.app_roles if str(item.get("id")) == role_id), None)
    return _shown_role(role) if role is not None else role_id


def _shown_role(role: dict[str, Any]) -> str:
    return str(role.get("value") or role.get("displayName") or role.get("id"))
