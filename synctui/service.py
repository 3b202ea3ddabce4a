"""The one API: Graph's synchronization methods over the local home folder.

The dashboard, the command line, the scheduler and the tests use only this. A thin façade over a
job repository (store/jobs.py), a cycle runner (cycles.py) and the templates' declared settings
(templates.py, template_settings.py). It publishes events (`JobChanged`, `JobRemoved`,
`CycleProgress`) to subscribers, from whichever thread the change happened on. Open one with
`bootstrap.open_service`, which makes the home's folders and seeds a new home.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import job_configuration, templates
from .clock import Clock, SystemClock
from .connectors.base import Directory, DirectoryError, KeepsNotes
from .cycles import CycleRunner, JobSummary, Trace, on_demand_result, on_demand_summary
from .engine.status import paused, started
from .errors import Busy, InvalidRequest, NotFound, ServiceError, shortened
from .events import CycleProgress, Event, JobChanged, JobRemoved, Publisher
from .expressions import filter_operators, parse_expression
from .inbound_api import CONTENT_TYPE, InboundStaging
from .job_source import Assignment, JobSource, SourceObject
from .models import (
    DirectoryDefinition,
    FilterOperatorSchema,
    ParseExpressionResponse,
    StringKeyStringValuePair,
    SynchronizationJob,
    SynchronizationSchema,
    SynchronizationTaskExecution,
    SynchronizationTemplate,
    complete,
)
from .schema_changes import add_discovered, describe_changes
from .schema_validation import checked_schema
from .store import ConfigStore, Home, StoreError
from .store.jobs import JobRecord, JobRepository, ServicePrincipal
from .template_overrides import override_template, template_of
from .template_settings import TemplateSettings

if TYPE_CHECKING:  # the log's filters: imported by the store where a page is read
    from .store.log_query import LogPage, LogQuery


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
        self._inbound = InboundStaging(home, self.clock)
        self._cycles = CycleRunner(
            home, self.jobs, self.clock, self._publish, in_processes=cycles_in_processes, waiting=self._inbound.waiting
        )
        self._sources = JobSource(self.jobs, home, self.clock)

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

    def get_template(self, template_id: str, service_principal_id: str | None = None) -> SynchronizationTemplate:
        """The built-in template, or the application instance's own version of it."""
        return template_of(self.jobs, service_principal_id, template_id)

    def override_template(
        self, service_principal_id: str, template_id: str, template: Mapping[str, Any]
    ) -> SynchronizationTemplate:
        """Graph's template PATCH: new jobs of the instance start from this version (see template_overrides.py)."""
        return override_template(self.jobs, service_principal_id, template_id, template)

    def declared_settings(self) -> dict[str, TemplateSettings]:
        """Each template's settings and secrets, by template id: what the dashboard's forms offer."""
        return {spec.id: spec.settings for spec in templates.TEMPLATES.values()}

    # --- jobs ---------------------------------------------------------------------------------------

    def list_jobs(self) -> list[SynchronizationJob]:
        return [self._cycles.with_progress(record.job) for record in self.jobs.all()]

    def job_summaries(self) -> list[JobSummary]:
        return [self._cycles.summary(record) for record in self.jobs.all()]

    def job_summary(self, job_id: str) -> JobSummary:
        return self._cycles.summary(self.jobs.get(job_id))

    def get_job(self, job_id: str) -> SynchronizationJob:
        return self._cycles.with_progress(self.jobs.get(job_id).job)

    def application_instances(self) -> list[tuple[ServicePrincipal, list[str]]]:
        """Each application instance (Graph's service principal) with its jobs' ids."""
        return self.jobs.principals()

    def application_instance_of(self, job_id: str) -> str:
        return self.jobs.principal_id(job_id)

    def create_job(
        self,
        template_id: str,
        *,
        name: str | None = None,
        secrets: Mapping[str, str] | None = None,
        settings: Mapping[str, str] | None = None,
        interval: str | timedelta | None = None,
        service_principal_id: str | None = None,
    ) -> SynchronizationJob:
        """A new job with an application instance of its own, or of `service_principal_id` (whose
        template it must be; it keeps its name, and its secrets are the job's too)."""
        new = job_configuration.new_job(
            self.jobs,
            template_id,
            name=name,
            secrets=secrets,
            settings=settings,
            interval=interval,
            service_principal_id=service_principal_id,
        )
        self.jobs.add(new.record, new.principal, new.schema)
        self._publish(JobChanged(new.record.id))
        return self.get_job(new.record.id)

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
        update = job_configuration.checked_update(
            record,
            self.jobs.principal(record),
            name=name,
            interval=interval,
            expiration=expiration,
            settings=settings,
            secrets=secrets,
        )
        with self.jobs.batch():
            if update.renamed or update.secrets_changed:
                self.jobs.save_principal(update.principal, name=update.renamed, secrets=update.secrets_changed)
            self._change_job(job_id, update.apply)
        return self.get_job(job_id)

    def delete_job(self, job_id: str) -> None:
        self.jobs.require(job_id)  # before its files are named: an id that is no job's names none
        self._cycles.remove(job_id, also=lambda: (*self._inbound.files(job_id), *self._notes_of_its_own(job_id)))
        self._publish(JobRemoved(job_id))

    def _notes_of_its_own(self, job_id: str) -> list[Path]:
        """The notes that the job's source and target keep beside their files (see `KeepsNotes`),
        but for those beside a file that another job's source or target is too, and any that is a
        file of some job: deleting the job removes them with its state (176 MB beside a target of
        1,000,000 users). They are caches: where that cannot be told (a path that does not
        resolve), they stay, and the job is deleted all the same."""
        try:
            own: list[KeepsNotes] = []
            files: set[Path] = set()  # the files of every job, this one's too
            shared: set[Path] = set()  # the files of every other job
            for record in self.jobs.all():
                for directory in self._directories_of(record):
                    path = getattr(directory, "path", None)  # (a directory kept in a file)
                    if not isinstance(path, Path):
                        continue
                    files.add(path.resolve())
                    if record.id != job_id:
                        shared.add(path.resolve())
                    elif isinstance(directory, KeepsNotes):
                        own.append(directory)
            return [
                note
                for directory in own
                if directory.path.resolve() not in shared
                for note in directory.notes()
                if note.resolve() not in files
            ]
        except (OSError, RuntimeError, ValueError):  # (RuntimeError: a symbolic link's loop)
            return []

    def _directories_of(self, record: JobRecord) -> list[Directory]:
        """The job's directories, as its cycles open them; none for a job whose directories cannot
        be opened (not configured: it has made no notes)."""
        try:
            opened = self._cycles.open_directories(record.job, self.jobs.secrets(record), request_log=False)
        except (DirectoryError, ServiceError):
            return []
        with opened as directories:
            return list(directories)

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
        self._cycles.restart(job_id, job_configuration.restart_scope(reset_scope))

    def configuration_problem(self, job_id: str) -> str | None:
        """Why the job is NotConfigured, with the command that sets what it misses; None if it is not."""
        record = self.jobs.get(job_id)
        return job_configuration.configuration_problem(record.job, self.jobs.secrets(record))

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
            secrets = job_configuration.with_credentials(record.job, secrets, credentials)
        self._cycles.test_connection(record.job, secrets)

    def validate_template_credentials(
        self, template_id: str, credentials: Mapping[str, str], settings: Mapping[str, str] | None = None
    ) -> None:
        """Graph's `jobs/validateCredentials` with a templateId: test before any job exists."""
        self._cycles.test_connection(*job_configuration.template_trial(template_id, credentials, settings))

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

    def held_deletes(self, job_id: str) -> list[dict[str, Any]]:
        """What allowing a TooManyDeletes job's held deletes disables and deletes (a preview's entries)."""
        return self._cycles.held_deletes(job_id)

    def allow_deletes(self, job_id: str) -> SynchronizationTaskExecution | None:
        """Entra's Allow deletes: restart with ForceDeletes and run the cycle now (see `CycleRunner`)."""
        return self._cycles.allow_deletes(job_id)

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

    # --- the job's source: its objects and the assignments to its application ----------------------

    def source_objects(self, job_id: str, query: str = "") -> list[SourceObject]:
        """Users and groups of the job's own source matching `query` (name, principal name, id)."""
        return self._sources.search(job_id, query)

    def assignments(self, job_id: str) -> list[Assignment]:
        return self._sources.assignments(job_id)

    def sync_all(self, job_id: str) -> bool | None:
        """The job's scope (the SyncAll secret): all users and groups, or only those assigned (None: no choice)."""
        return self._sources.sync_all(job_id)

    def assign(self, job_id: str, principal_type: str, principal_id: str, role: str | None = None) -> Assignment:
        """Assign a user or group (`principal_type`) to the job's application, with a role's value."""
        return self._sources.assign(job_id, principal_type, principal_id, role)

    def unassign(self, job_id: str, assignment_id: str) -> Assignment:
        return self._sources.unassign(job_id, assignment_id)

    # --- API-driven inbound provisioning ------------------------------------------------------------

    def bulk_upload(self, job_id: str, payload: bytes, content_type: str = CONTENT_TYPE) -> int:
        """Graph's bulkUpload: stage a SCIM BulkRequest for the job's next cycle, due at once (see
        inbound_api.py); returns how many operations were staged."""
        source = self.get_schema(job_id).directories[0]
        count = self._inbound.upload(self.jobs.get(job_id).job, source, payload, content_type)
        self._publish(JobChanged(job_id))
        return count

    def staged_operations(self, job_id: str) -> list[dict[str, Any]]:
        """The bulkUpload operations staged for the job, newest first, each marked `processed`."""
        return self._inbound.operations(self.jobs.get(job_id).job)

    # --- logs, history and escrows ------------------------------------------------------------------

    def logs(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        return self._cycles.logs(job_id, limit)

    def log_page(self, job_id: str, query: LogQuery, offset: int = 0, limit: int | None = None) -> LogPage:
        """The entries that match `query` (Entra's log filters), newest first, a page at a time."""
        return self._cycles.log_page(job_id, query, offset, limit)

    def request_log(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The requests the job sent its target while `TraceRequests` was on, newest first."""
        return self._cycles.request_log(job_id, limit)

    def cycle_history(self, job_id: str) -> list[dict[str, Any]]:
        """The job's recent cycles, oldest first: when, how long, exports, errors, outcome."""
        return list(self.jobs.get(job_id).history)

    def escrows(self, job_id: str) -> list[dict[str, Any]]:
        return self._cycles.escrows(job_id)

    def retry_escrows(self, job_id: str, keys: Collection[str] | None = None) -> int:
        """Make escrowed objects (all, or those of `keys`) due now: the next cycle retries them
        instead of waiting out their back-off. Returns how many were changed."""
        return self._cycles.retry_escrows(job_id, keys)

    def dismiss_escrows(self, job_id: str, keys: Collection[str]) -> int:
        """Forget escrowed objects: no more retries until the object changes in the source."""
        return self._cycles.change_escrows(job_id, keys, lambda escrow: None)

    # --- the demo -----------------------------------------------------------------------------------

    def simulate_changes(self, seed: int | None = None) -> str:
        """Change the home's tenant directory and HR file as a day at work would (hires, leavers,
        renames, moves, manager and membership changes); returns a one-line summary. A malformed
        file changes neither."""
        from .demo.churn import simulate_home_day  # the sample company's generator: no other command needs it

        return simulate_home_day(self.home, seed=seed if seed is not None else int(self.clock.now().timestamp()))

    # --- internals ----------------------------------------------------------------------------------

    def _change_job(self, job_id: str, change: Callable[[SynchronizationJob], None]) -> None:
        self.jobs.change(job_id, lambda record: change(record.job))
        self._publish(JobChanged(job_id))

    def _require_configured(self, job: SynchronizationJob) -> None:
        job_configuration.require_configured(job, self.jobs.secrets(self.jobs.get(job.id or "")))


__all__ = [
    "Assignment",
    "Busy",
    "CycleProgress",
    "Event",
    "InvalidRequest",
    "JobChanged",
    "JobRemoved",
    "JobSummary",
    "NotFound",
    "ServiceError",
    "ServicePrincipal",
    "SourceObject",
    "StoreError",
    "SyncService",
    "on_demand_summary",
    "shortened",
]
