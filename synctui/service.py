"""The one API: Graph's synchronization methods over the local home folder.

The dashboard, the command line, the scheduler and the tests use only this. A thin façade over a
job repository (store/jobs.py), a cycle runner (cycles.py) and the templates' declared settings
(templates.py, template_settings.py). It publishes events (`JobChanged`, `JobRemoved`,
`CycleProgress`) to subscribers, from whichever thread the change happened on. Open one with
`bootstrap.open_service`, which makes the home's folders and seeds a new home.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import template_settings, templates
from .clock import Clock, SystemClock
from .cycles import CycleRunner, Trace, next_run, on_demand_result
from .demo.churn import simulate_home_day
from .engine.status import paused, started
from .errors import Busy, InvalidRequest, NotFound, ServiceError, shortened
from .events import CycleProgress, Event, JobChanged, JobRemoved, Publisher
from .expressions import filter_operators, parse_expression
from .models import (
    DirectoryDefinition,
    FilterOperatorSchema,
    ParseExpressionResponse,
    StringKeyStringValuePair,
    SynchronizationJob,
    SynchronizationJobRestartScope,
    SynchronizationSchema,
    SynchronizationTaskExecution,
    SynchronizationTemplate,
    complete,
    format_datetime,
    parse_flags,
)
from .schema_changes import add_discovered, describe_changes
from .schema_validation import checked_schema
from .store import ConfigStore, Home, RequestLog, StoreError, state_files
from .store.jobs import JobRecord, JobRepository, ServicePrincipal
from .template_settings import SettingError, job_settings, setting_pairs


@dataclass(frozen=True)
class JobSummary:
    """A job with what the dashboard shows beside it."""

    job: SynchronizationJob
    name: str
    running: bool
    secrets_set: frozenset[str]


class SyncService:
    def __init__(self, home: Home, *, clock: Clock | None = None, cycles_in_processes: bool = False) -> None:
        """The service of a home whose folders exist (`bootstrap.open_service` makes them); writes
        nothing. `cycles_in_processes`: `run_cycle` runs each cycle in a child process (see
        cycle_process.py), for a caller that must stay responsive meanwhile (the dashboard)."""
        self.home = home
        self.clock = clock or SystemClock()
        self.warnings: list[str] = []
        """What the user should know about the home (a folder others may write to): the entry
        points show them."""
        self.config = ConfigStore(home.config_file)
        self.jobs = JobRepository(self.config)
        self._events = Publisher()
        self._publish = self._events.publish
        self._cycles = CycleRunner(home, self.jobs, self.clock, self._publish, in_processes=cycles_in_processes)

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback` with every event, from the thread the change happened on; returns the
        function that unsubscribes it."""
        return self._events.subscribe(callback)

    # --- preferences (the dashboard's theme, its keymap…) -------------------------------------------

    def preference(self, name: str, default: Any = None) -> Any:
        return self.config.preference(name, default)

    def set_preference(self, name: str, value: Any) -> None:
        self.config.set_preference(name, value)

    # --- templates ----------------------------------------------------------------------------------

    def list_templates(self) -> list[SynchronizationTemplate]:
        return templates.list_templates()

    def get_template(self, template_id: str) -> SynchronizationTemplate:
        return templates.template_spec(template_id).template()

    def declared_settings(self) -> dict[str, template_settings.TemplateSettings]:
        """Each template's settings and secrets, by template id: what the dashboard's forms offer."""
        return {spec.id: spec.settings for spec in templates.TEMPLATES.values()}

    # --- jobs ---------------------------------------------------------------------------------------

    def list_jobs(self) -> list[SynchronizationJob]:
        return [self._job(record) for record in self.jobs.all()]

    def job_summaries(self) -> list[JobSummary]:
        return [self._summary(record) for record in self.jobs.all()]

    def job_summary(self, job_id: str) -> JobSummary:
        return self._summary(self.jobs.get(job_id))

    def get_job(self, job_id: str) -> SynchronizationJob:
        return self._job(self.jobs.get(job_id))

    def create_job(
        self,
        template_id: str,
        *,
        name: str | None = None,
        secrets: Mapping[str, str] | None = None,
        settings: Mapping[str, str] | None = None,
        interval: str | timedelta | None = None,
    ) -> SynchronizationJob:
        spec = templates.template_spec(template_id)
        schedule_interval = _interval(interval) if interval is not None else timedelta(minutes=40)
        checked, secrets = spec.configure(None, {}, {}, setting_changes=settings, secret_changes=secrets)
        job_id = f"{spec.id}.{uuid.uuid4().hex}"
        schema = spec.build_schema()
        schema.id = job_id
        job = spec.new_job(job_id, schedule_interval, checked, secrets)
        principal = ServicePrincipal(
            id=str(uuid.uuid4()), display_name=name or spec.id, template_id=spec.id, secrets=secrets
        )
        self.jobs.add(JobRecord(id=job_id, service_principal_id=principal.id, job=job), principal, schema)
        self._publish(JobChanged(job_id))
        return self.get_job(job_id)

    def update_job(
        self,
        job_id: str,
        *,
        name: str | None = None,
        interval: str | timedelta | None = None,
        expiration: datetime | None = None,
        settings: Mapping[str, str | None] | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> SynchronizationJob:
        """Graph's PATCH of a job: its name (its application's display name), its schedule and its
        settings (a None value removes one); with `secrets`, as `put_secrets` in the same step.
        Everything is checked first: one bad value changes nothing."""
        record = self.jobs.get(job_id)
        principal = self.jobs.principal(record)
        if name is not None and not name.strip():
            raise InvalidRequest("a job's name cannot be empty")
        parsed = _interval(interval) if interval is not None else None
        new_settings = job_settings(record.job)
        if settings or secrets:
            spec = templates.template_spec(record.job.template_id or "")
            new_settings, principal.secrets = spec.configure(
                job_id, new_settings, principal.secrets, setting_changes=settings, secret_changes=secrets
            )

        def change(job: SynchronizationJob) -> None:
            if parsed is not None:
                job.required_schedule().interval = parsed
            if expiration is not None:
                job.required_schedule().expiration = expiration
            if settings:
                job.synchronization_job_settings = setting_pairs(new_settings)
            templates.template_spec(job.template_id or "").refresh_configured(job, principal.secrets)

        with self.jobs.batch():
            if name is not None or secrets:
                principal.display_name = name.strip() if name is not None else None
                self.jobs.save_principal(principal, name=name is not None, secrets=bool(secrets))
            self._change_job(job_id, change)
        return self.get_job(job_id)

    def delete_job(self, job_id: str) -> None:
        self.jobs.require(job_id)
        files = (*state_files(self.home.job_state_file(job_id)), self.home.request_log_file(job_id))
        with self._cycles.claimed_stopping(job_id):  # a cycle still running would write its state files again
            self.jobs.remove(job_id)
            for path in files:
                path.unlink(missing_ok=True)
        self._publish(JobRemoved(job_id))

    def start_job(self, job_id: str) -> None:
        def start(job: SynchronizationJob) -> None:
            self._require_configured(job)
            started(job)

        self._change_job(job_id, start)

    def pause_job(self, job_id: str) -> None:
        self._change_job(job_id, paused)
        self._cycles.stop(job_id)

    def restart_job(self, job_id: str, reset_scope: str | None = None) -> None:
        """Restart with Graph's reset flags; empty = the portal's Restart (Watermark, Escrows, QuarantineState)."""
        self._require_configured(self.get_job(job_id))
        try:
            scope = parse_flags(reset_scope or "Watermark, Escrows, QuarantineState", SynchronizationJobRestartScope)
        except ValueError as error:
            raise InvalidRequest(str(error)) from None
        self._cycles.restart(job_id, scope)

    # --- secrets and credentials ------------------------------------------------------------------

    def put_secrets(self, job_id: str, secrets: Mapping[str, str]) -> None:
        """Save secrets of the job's application instance. Write-only: nothing returns a credential's value."""
        self.update_job(job_id, secrets=secrets)

    def secret_keys(self, job_id: str) -> frozenset[str]:
        """Which secrets are set (never their values)."""
        return frozenset(self.jobs.secrets(self.jobs.get(job_id)))

    def readable_secrets(self, job_id: str) -> dict[str, str]:
        """The values of the job's secrets that are configuration, not credentials (SyncNotificationSettings…)."""
        record = self.jobs.get(job_id)
        return templates.template_spec(record.job.template_id or "").settings.readable_values(self.jobs.secrets(record))

    def validate_credentials(self, job_id: str, credentials: Mapping[str, str] | None = None) -> None:
        """Test the target with the saved secrets, or with `credentials` instead (nothing is saved)."""
        record = self.jobs.get(job_id)
        secrets = self.jobs.secrets(record)
        if credentials is not None:
            spec = templates.template_spec(record.job.template_id or "")
            _, secrets = spec.configure(job_id, job_settings(record.job), secrets, secret_changes=credentials)
        self._test_connection(record.job, secrets)

    def validate_template_credentials(
        self, template_id: str, credentials: Mapping[str, str], settings: Mapping[str, str] | None = None
    ) -> None:
        """Graph's `jobs/validateCredentials` with a templateId: test before any job exists."""
        spec = templates.template_spec(template_id)
        checked, credentials = spec.configure(None, {}, {}, setting_changes=settings, secret_changes=credentials)
        self._test_connection(
            SynchronizationJob(id="", template_id=spec.id, synchronization_job_settings=setting_pairs(checked)),
            credentials,
        )

    def _test_connection(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> None:
        opened = self._cycles.open_directories(job, secrets, failure="credentials test failed", request_log=False)
        with opened as (_, target):
            target.test_connection()

    # --- schema -------------------------------------------------------------------------------------

    def get_schema(self, job_id: str) -> SynchronizationSchema:
        return self.jobs.schema(job_id)

    def put_schema(self, job_id: str, schema: SynchronizationSchema | Mapping[str, Any]) -> SynchronizationSchema:
        """Replace the schema. Rejected with every problem listed, changing nothing; accepted, its
        version is bumped and the next cycle is an initial one."""
        self.jobs.replace_schema(job_id, self._checked_schema(job_id, schema))
        self._publish(JobChanged(job_id))
        return self.get_schema(job_id)

    def schema_changes(self, job_id: str, schema: SynchronizationSchema | Mapping[str, Any]) -> list[str]:
        """What putting `schema` would change, in short lines for a person to confirm; rejected
        exactly as put_schema would reject it."""
        return describe_changes(self.jobs.readable_schema(job_id), self._checked_schema(job_id, schema))

    def _checked_schema(self, job_id: str, schema: SynchronizationSchema | Mapping[str, Any]) -> SynchronizationSchema:
        self.jobs.require(job_id)
        return checked_schema(schema, self.jobs.readable_schema(job_id))

    def discover_directory(self, job_id: str) -> DirectoryDefinition:
        """Graph's `discover`: refresh the target directory's definition from the target itself
        (a SCIM endpoint's /Schemas), adding the attributes it declares; none is ever removed."""
        record = self.jobs.get(job_id)
        discovered = self._cycles.discover(record.job, self.jobs.secrets(record))
        schema = self.get_schema(job_id)
        current = add_discovered(schema, discovered)
        self.put_schema(job_id, schema)
        return complete(current)

    def filter_operators(self) -> list[FilterOperatorSchema]:
        return filter_operators()

    def parse_expression(self, expression: str, test_input: Mapping[str, Any] | None = None) -> ParseExpressionResponse:
        return parse_expression(expression, test_input)

    # --- running ------------------------------------------------------------------------------------

    def run_cycle(self, job_id: str, *, trace: Trace | None = None) -> SynchronizationTaskExecution:
        """Run one cycle now (the scheduler calls this too). Raises Busy if one is running."""
        return self._cycles.run_cycle(job_id, trace)

    def preview(self, job_id: str) -> list[dict[str, Any]]:
        """What a cycle would do now: log entries of the creates, updates, disables and deletes."""
        return self._cycles.preview(job_id)

    def provision_on_demand(
        self, job_id: str, object_id: str, object_type: str = "User", *, trace: Trace | None = None
    ) -> StringKeyStringValuePair:
        """Graph's provisionOnDemand: the key says the result, the value is the log entry (both JSON text)."""
        entry = self._cycles.provision_one(job_id, object_type, object_id, trace)
        self._publish(JobChanged(job_id))
        return on_demand_result(entry)

    def is_running(self, job_id: str) -> bool:
        return self._cycles.is_running(job_id)

    def due_jobs(self, now: datetime, skipped: Callable[[str, str], None] | None = None) -> list[str]:
        """Jobs whose next cycle is due (see `CycleRunner.due_jobs`)."""
        return self._cycles.due_jobs(now, skipped)

    def stop_all(self) -> None:
        self._cycles.stop_all()

    # --- logs, history and escrows ------------------------------------------------------------------

    def logs(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        with self._cycles.state(job_id) as state:
            return state.logs(limit)

    def request_log(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The requests the job sent its target while `TraceRequests` was on, newest first."""
        self.jobs.require(job_id)
        return RequestLog(self.home.request_log_file(job_id)).read(limit)

    def cycle_history(self, job_id: str) -> list[dict[str, Any]]:
        """The job's recent cycles, oldest first: when, how long, exports, errors, outcome."""
        return list(self.jobs.get(job_id).history)

    def escrows(self, job_id: str) -> list[dict[str, Any]]:
        with self._cycles.state(job_id) as state:
            return sorted(state.escrows().values(), key=lambda e: e.get("nextRetry", ""))

    def retry_escrows(self, job_id: str, keys: Collection[str] | None = None) -> int:
        """Make escrowed objects (all, or those of `keys`) due now: the next cycle retries them
        instead of waiting out their back-off. Returns how many were changed."""
        now = format_datetime(self.clock.now())
        return self._cycles.change_escrows(job_id, keys, lambda escrow: {**escrow, "nextRetry": now})

    def dismiss_escrows(self, job_id: str, keys: Collection[str]) -> int:
        """Forget escrowed objects: no more retries until the object changes in the source."""
        return self._cycles.change_escrows(job_id, keys, lambda escrow: None)

    # --- the demo -----------------------------------------------------------------------------------

    def simulate_changes(self, seed: int | None = None) -> str:
        """Change the home's tenant directory and HR file as a day at work would (hires, leavers,
        renames, moves, manager and membership changes); returns a one-line summary. A malformed
        file changes neither."""
        return simulate_home_day(self.home, seed=seed if seed is not None else int(self.clock.now().timestamp()))

    # --- internals ----------------------------------------------------------------------------------

    def _job(self, record: JobRecord) -> SynchronizationJob:
        job = record.job
        progress = self._cycles.progress(record.id)
        if progress is not None:
            job.required_status().progress = [progress]
        return job

    def _summary(self, record: JobRecord) -> JobSummary:
        principal = self.jobs.principal(record)
        return JobSummary(
            job=self._job(record),
            name=principal.display_name or record.id,
            running=self._cycles.is_running(record.id),
            secrets_set=frozenset(principal.secrets),
        )

    def _change_job(self, job_id: str, change: Callable[[SynchronizationJob], None]) -> None:
        self.jobs.change(job_id, lambda record: change(record.job))
        self._publish(JobChanged(job_id))

    def _require_configured(self, job: SynchronizationJob) -> None:
        secrets = self.jobs.secrets(self.jobs.get(job.id or ""))
        templates.template_spec(job.template_id or "").require_configured(job, secrets)


def _interval(value: str | timedelta) -> timedelta:
    try:
        return template_settings.interval(value)
    except SettingError as error:
        raise InvalidRequest(str(error)) from None


__all__ = [
    "Busy",
    "CycleProgress",
    "Event",
    "InvalidRequest",
    "JobChanged",
    "JobRemoved",
    "JobSummary",
    "NotFound",
    "ServiceError",
    "StoreError",
    "SyncService",
    "next_run",
    "shortened",
]
