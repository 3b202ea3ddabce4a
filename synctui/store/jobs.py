"""The jobs of `synctui.json`, typed: each job with its application instance (service principal),
which keeps the job's secrets, and its schema.

A repository over `ConfigStore`: the records on disk are the ones `ConfigStore` documents, written
as before. A record is changed field by field (TinyDB's upsert keeps the fields it is not given),
so a field this version does not know survives a change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRequest, NotFound, validation_problems
from ..models import SynchronizationJob, SynchronizationSchema, complete
from .config import ConfigStore
from .model_cache import ValidatedModels

HISTORY_LENGTH = 40
"""Cycles remembered per job for the dashboard's chart."""


@dataclass
class JobRecord:
    """A job as the configuration keeps it."""

    id: str
    service_principal_id: str
    """Its application instance, which holds its name and secrets."""
    job: SynchronizationJob
    history: list[dict[str, Any]] = field(default_factory=list)
    """Its recent cycles, oldest first: when, how long, exports, errors, outcome."""
    due_at_once: bool = False
    """The next cycle is due at once: one began and has not ended (paused, or cut short by a crash),
    or a restart asked for a new one. Stored as `cycleInterrupted`, the name files already have."""

    def remember(self, cycle: dict[str, Any]) -> None:
        self.history = [*self.history, cycle][-HISTORY_LENGTH:]

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "servicePrincipalId": self.service_principal_id,
            "job": self.job.model_dump(mode="json"),
        }
        if self.history:
            document["history"] = self.history
        if self.due_at_once:  # written False only by `JobRepository.mark_due_at_once`
            document["cycleInterrupted"] = True
        return document


@dataclass
class ServicePrincipal:
    """A job's application instance: its display name (the job's name), its secrets and its roles."""

    id: str
    display_name: str | None = None
    template_id: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    app_roles: list[dict[str, Any]] = field(default_factory=list)
    """Its `appRoles` as Graph shows them; `default_app_roles` when none were given."""


def default_app_roles(principal_id: str) -> list[dict[str, Any]]:
    """The access role Entra gives an application that declares none (`msiam_access`, shown as
    "User"), its id derived from the application's so that it stays the same without being stored."""
    return [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"synctui:appRole:msiam_access:{principal_id}")),
            "allowedMemberTypes": ["User"],
            "description": "msiam_access",
            "displayName": "User",
            "isEnabled": True,
            "origin": "Application",
            "value": "msiam_access",
        }
    ]


class JobRepository:
    def __init__(self, config: ConfigStore) -> None:
        self.config = config
        self._validated = ValidatedModels(config.path.parent / "cache")

    # --- jobs -------------------------------------------------------------------------------------

    def all(self) -> list[JobRecord]:
        return [self._record(document) for document in self.config.jobs()]

    def get(self, job_id: str) -> JobRecord:
        """The job; NotFound if there is none by that id."""
        return self._record(self._document(job_id))

    def require(self, job_id: str) -> None:
        """NotFound unless the job exists (its job model is not read)."""
        self._document(job_id)

    def add(self, record: JobRecord, principal: ServicePrincipal, schema: SynchronizationSchema) -> None:
        with self.config.batch():
            self.save_principal(principal)
            self.config.save_job(record.document())
            self.config.save_schema(record.id, schema.model_dump(mode="json"))

    def change(self, job_id: str, change: Callable[[JobRecord], None]) -> JobRecord:
        """Read the job, `change` it and write it back, as one step for every thread of this process."""
        with self.config.batch():
            record = self.get(job_id)
            change(record)
            self.config.save_job(record.document())
            return record

    def mark_due_at_once(self, job_id: str, due: bool) -> None:
        with self.config.batch():
            if self._document(job_id).get("cycleInterrupted", False) != due:
                self.config.save_job({"id": job_id, "cycleInterrupted": due})

    def remove(self, job_id: str) -> None:
        """The job and its schema, and its application instance unless another job has it too."""
        with self.config.batch():
            principal_id = self._document(job_id)["servicePrincipalId"]
            self.config.delete_job(job_id)
            if not any(document["servicePrincipalId"] == principal_id for document in self.config.jobs()):
                self.config.delete_service_principal(principal_id)

    # --- application instances -------------------------------------------------------------------

    def principal(self, record: JobRecord) -> ServicePrincipal:
        return _principal(record.service_principal_id, self.config.service_principal(record.service_principal_id) or {})

    def principal_id(self, job_id: str) -> str:
        """The id of the job's application instance (its record is not read)."""
        return str(self._document(job_id)["servicePrincipalId"])

    def principals(self) -> list[tuple[ServicePrincipal, list[str]]]:
        """Every application instance with the ids of its jobs, in the order the jobs were made."""
        job_ids: dict[str, list[str]] = {}
        for document in self.config.jobs():
            job_ids.setdefault(document["servicePrincipalId"], []).append(document["id"])
        return [(self.principal_by_id(principal_id), ids) for principal_id, ids in job_ids.items()]

    def principal_for_new_job(self, template_id: str, name: str | None, principal_id: str | None) -> ServicePrincipal:
        """A new application instance named `name`, or the existing one `principal_id`, which must be
        of `template_id` (Graph: a job's template is one of its service principal's)."""
        if principal_id is None:
            return ServicePrincipal(id=str(uuid.uuid4()), display_name=name or template_id, template_id=template_id)
        principal = self.principal_by_id(principal_id)
        if principal.template_id != template_id:
            raise InvalidRequest(
                f"the application instance {principal_id} is of template {principal.template_id!r}, not "
                f"{template_id!r}; create the job on an instance of {template_id!r}, or without one"
            )
        return principal

    def template_override(self, principal_id: str) -> dict[str, Any] | None:
        """The instance's own version of its template (Graph JSON), if it has one."""
        document = self.config.service_principal(principal_id) or {}
        override = document.get("templateOverride")
        return dict(override) if isinstance(override, dict) else None

    def save_template_override(self, principal_id: str, template: dict[str, Any]) -> None:
        self.config.save_service_principal({"id": principal_id, "templateOverride": template})

    def principal_by_id(self, principal_id: str) -> ServicePrincipal:
        """The application instance; NotFound if no job has it."""
        document = self.config.service_principal(principal_id)
        if document is None:
            raise NotFound(f"no application instance (service principal) with id {principal_id!r}")
        return _principal(principal_id, document)

    def secrets(self, record: JobRecord) -> dict[str, str]:
        return self.principal(record).secrets

    def save_principal(self, principal: ServicePrincipal, *, name: bool = True, secrets: bool = True) -> None:
        """Write the application instance; `name` or `secrets` False leaves that field as stored."""
        document: dict[str, Any] = {"id": principal.id}
        if name:
            document["displayName"] = principal.display_name
        if principal.template_id is not None:
            document["templateId"] = principal.template_id
        if secrets:
            document["secrets"] = [{"key": key, "value": value} for key, value in principal.secrets.items()]
        self.config.save_service_principal(document)

    # --- schemas -----------------------------------------------------------------------------------

    def schema(self, job_id: str) -> SynchronizationSchema:
        """The job's schema, every default filled in; a StoreError if it cannot be read."""
        self.require(job_id)
        document = self.config.schema(job_id)
        try:
            return self._validated.get(
                SynchronizationSchema, document, lambda: complete(SynchronizationSchema.model_validate(document))
            )
        except ValidationError as error:
            raise self.config.damaged(f"the schema of job {job_id}: {validation_problems(error)[0]}") from None

    def readable_schema(self, job_id: str) -> SynchronizationSchema | None:
        """The job's schema as stored, None if it cannot be read (putting a new one is its fix)."""
        try:
            return SynchronizationSchema.model_validate(self.config.schema(job_id))
        except ValidationError:
            return None

    def replace_schema(self, job_id: str, schema: SynchronizationSchema) -> None:
        """Save `schema` as the job's, its version one past the stored one's."""
        with self.config.batch():
            current = self.config.schema(job_id) or {}
            schema.id = job_id
            schema.version = _next_version(current.get("version"))
            self.config.save_schema(job_id, schema.model_dump(mode="json"))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Changes written as one (see `ConfigStore.batch`)."""
        with self.config.batch():
            yield

    # --- reading -----------------------------------------------------------------------------------

    def _document(self, job_id: str) -> dict[str, Any]:
        document = self.config.job(job_id)
        if document is None:
            raise NotFound(f"no job with id {job_id!r}; `synctui jobs list` shows the jobs")
        return document

    def _record(self, document: dict[str, Any]) -> JobRecord:
        try:
            job = self._validated.get(
                SynchronizationJob,
                document["job"],
                lambda: complete(SynchronizationJob.model_validate(document["job"])),
            )
        except ValidationError as error:
            raise self.config.damaged(f"job {document['id']}: {validation_problems(error)[0]}") from None
        return JobRecord(
            id=document["id"],
            service_principal_id=document["servicePrincipalId"],
            job=job,
            history=list(document.get("history", [])),
            due_at_once=document.get("cycleInterrupted", False),
        )


def _principal(principal_id: str, document: dict[str, Any]) -> ServicePrincipal:
    return ServicePrincipal(
        id=principal_id,
        display_name=document.get("displayName"),
        template_id=document.get("templateId"),
        secrets={pair["key"]: pair["value"] for pair in document.get("secrets", []) if pair.get("value") is not None},
        app_roles=list(document.get("appRoles") or default_app_roles(principal_id)),
    )


def _next_version(current: str | None) -> str:
    try:
        return str(int(current or "0") + 1)
    except ValueError:
        return f"{current}.1"
