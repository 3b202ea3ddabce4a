"""A job's configuration as Graph's job methods change it: creating a job, the PATCH of its name,
schedule, settings and secrets, a connection test with credentials not saved, and a restart's scope.

Every value is checked against the template's declared settings before anything is stored, so a
refused request changes nothing; the service only stores what these functions return.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import template_settings, templates
from .errors import InvalidRequest
from .models import SynchronizationJob, SynchronizationJobRestartScope, SynchronizationSchema, parse_flags
from .store.jobs import JobRecord, JobRepository, ServicePrincipal
from .template_overrides import initial_schema
from .template_settings import SettingError, job_settings, setting_pairs

DEFAULT_INTERVAL = timedelta(minutes=40)
"""A new job's schedule when none is given: Entra runs its jobs every 20–40 minutes."""

DEFAULT_RESTART_SCOPE = "Watermark, Escrows, QuarantineState"
"""What the portal's Restart resets, used when a restart names no scope."""


@dataclass(frozen=True)
class NewJob:
    """A job as `JobRepository.add` stores it: the job, its application instance and its schema."""

    record: JobRecord
    principal: ServicePrincipal
    schema: SynchronizationSchema


def new_job(
    jobs: JobRepository,
    template_id: str,
    *,
    name: str | None,
    secrets: Mapping[str, str] | None,
    settings: Mapping[str, str] | None,
    interval: str | timedelta | None,
    service_principal_id: str | None = None,
) -> NewJob:
    """A job of the template, with a fresh id (`TEMPLATE.HEX`), on a new application instance or
    the existing `service_principal_id` (whose secrets and template version it then shares);
    raises InvalidRequest (NotFound for an unknown template or instance) before anything exists."""
    spec = templates.template_spec(template_id)
    schedule_interval = schedule(interval) if interval is not None else DEFAULT_INTERVAL
    principal = jobs.principal_for_new_job(spec.id, name, service_principal_id)
    # A new instance starts with the template's initial secrets; an existing one keeps its own.
    secret_changes = spec.settings.with_initial_secrets(secrets or {}) if service_principal_id is None else secrets
    checked, principal.secrets = spec.configure(
        None, {}, principal.secrets, setting_changes=settings, secret_changes=secret_changes
    )
    job_id = f"{spec.id}.{uuid.uuid4().hex}"
    schema = initial_schema(jobs, service_principal_id, spec)
    schema.id = job_id
    job = spec.new_job(job_id, schedule_interval, checked, principal.secrets)
    return NewJob(JobRecord(id=job_id, service_principal_id=principal.id, job=job), principal, schema)


@dataclass(frozen=True)
class JobUpdate:
    """Graph's PATCH of a job, every value checked: what to save of its application instance and
    what to change in the job (`apply`)."""

    principal: ServicePrincipal
    """The application instance with the new name and secrets."""
    renamed: bool
    secrets_changed: bool
    interval: timedelta | None
    expiration: datetime | None
    settings: dict[str, str] | None
    """All the job's settings after the change; None when they are not changed."""

    def apply(self, job: SynchronizationJob) -> None:
        if self.interval is not None:
            job.required_schedule().interval = self.interval
        if self.expiration is not None:
            job.required_schedule().expiration = self.expiration
        if self.settings is not None:
            job.synchronization_job_settings = setting_pairs(self.settings)
        templates.template_spec(job.template_id or "").refresh_configured(job, self.principal.secrets)


def checked_update(
    record: JobRecord,
    principal: ServicePrincipal,
    *,
    name: str | None,
    interval: str | timedelta | None,
    expiration: datetime | None,
    settings: Mapping[str, str | None] | None,
    secrets: Mapping[str, str] | None,
) -> JobUpdate:
    """The update of the job `record` (a None setting removes one); raises InvalidRequest saying
    how to fix the first bad value."""
    if name is not None and not name.strip():
        raise InvalidRequest("a job's name cannot be empty")
    new_interval = schedule(interval) if interval is not None else None
    new_settings, new_secrets = job_settings(record.job), principal.secrets
    if settings or secrets:
        spec = templates.template_spec(record.job.template_id or "")
        new_settings, new_secrets = spec.configure(
            record.id, new_settings, principal.secrets, setting_changes=settings, secret_changes=secrets
        )
    return JobUpdate(
        principal=ServicePrincipal(
            id=principal.id,
            display_name=name.strip() if name is not None else None,
            template_id=principal.template_id,
            secrets=new_secrets,
        ),
        renamed=name is not None,
        secrets_changed=bool(secrets),
        interval=new_interval,
        expiration=expiration,
        settings=new_settings if settings else None,
    )


def with_credentials(
    job: SynchronizationJob, secrets: Mapping[str, str], credentials: Mapping[str, str]
) -> dict[str, str]:
    """The job's secrets with `credentials` in place of theirs, checked as saving them would be."""
    spec = templates.template_spec(job.template_id or "")
    return spec.configure(job.id, job_settings(job), secrets, secret_changes=credentials)[1]


def template_trial(
    template_id: str, credentials: Mapping[str, str], settings: Mapping[str, str] | None
) -> tuple[SynchronizationJob, dict[str, str]]:
    """A job that does not exist and its secrets, to test a template's connection before creating one."""
    spec = templates.template_spec(template_id)
    checked, secrets = spec.configure(None, {}, {}, setting_changes=settings, secret_changes=credentials)
    return SynchronizationJob(id="", template_id=spec.id, synchronization_job_settings=setting_pairs(checked)), secrets


def require_configured(job: SynchronizationJob, secrets: Mapping[str, str]) -> None:
    """InvalidRequest, saying how to set them, while the job's required secrets or settings are missing."""
    templates.template_spec(job.template_id or "").require_configured(job, secrets)


def configuration_problem(job: SynchronizationJob, secrets: Mapping[str, str]) -> str | None:
    """Why the job is NotConfigured, with the command that sets what it misses; None if it is not."""
    return templates.template_spec(job.template_id or "").not_configured(job, secrets)


def restart_scope(text: str | None) -> SynchronizationJobRestartScope:
    """Graph's resetScope flags (`"Watermark, Escrows"`); empty is the portal's Restart."""
    try:
        return parse_flags(text or DEFAULT_RESTART_SCOPE, SynchronizationJobRestartScope)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None


def schedule(value: str | timedelta) -> timedelta:
    """A schedule interval (see `template_settings.interval`); InvalidRequest if it is not one."""
    try:
        return template_settings.interval(value)
    except SettingError as error:
        raise InvalidRequest(str(error)) from None
