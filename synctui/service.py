"""The one API: Graph's synchronization methods over the local home folder.

The dashboard, the command line, the scheduler and the tests use only this. It publishes events
(`JobChanged`, `CycleProgress`) to subscribers, from whichever thread the change happened on.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError

from . import template_settings, templates
from .clock import Clock, SystemClock
from .connectors.base import ConnectionFailure, Directory, DirectoryError
from .engine import Cycle, CycleOptions, CycleResult, DryRunDirectory, SnapshotState, compile_schema
from .engine.compiled import CompiledSchema
from .engine.status import EscrowThresholds, apply_cycle_result, lift_quarantine
from .expressions import (
    ExpressionError,
    filter_operators,
    function_catalogue,
    parse_expression,
)
from .models import (
    NEVER,
    DirectoryDefinition,
    AttributeMappingFunctionSchema,
    FilterOperatorSchema,
    KeyValuePair,
    ParseExpressionResponse,
    StringKeyStringValuePair,
    SynchronizationJob,
    SynchronizationJobRestartScope,
    SynchronizationProgress,
    SynchronizationSchedule,
    SynchronizationScheduleState,
    SynchronizationSchema,
    SynchronizationStatus,
    SynchronizationStatusCode,
    SynchronizationError,
    SynchronizationTaskExecution,
    SynchronizationTaskExecutionResult,
    SynchronizationTemplate,
    complete,
    format_datetime,
    parse_flags,
)
from .events import CycleProgress, Event, JobChanged, JobRemoved
from .errors import Busy, InvalidRequest, NotFound, ServiceError, shortened
from .schema_changes import describe_changes
from .schema_validation import nesting_problems, validate_schema
from .template_settings import SettingError
from .store import ConfigStore, Home, JobLock, JobLocked, JobStateStore, RequestLog, StoreError, state_files

HISTORY_LENGTH = 40
"""Cycles remembered per job for the dashboard's chart."""

# --- what the dashboard shows ---------------------------------------------------------------


@dataclass(frozen=True)
class JobSummary:
    """A job with what the dashboard shows beside it."""

    job: SynchronizationJob
    name: str
    running: bool
    secrets_set: frozenset[str]


# --- the service -----------------------------------------------------------------------------


class SyncService:
    def __init__(self, home: Home, *, clock: Clock | None = None, cycles_in_processes: bool = False) -> None:
        """The service of a home whose folders exist (bootstrap.open_service makes them); writes
        nothing. `cycles_in_processes`: `run_cycle` runs each cycle in a child process (see
        cycle_process.py), for a caller that must stay responsive meanwhile (the dashboard)."""
        self.home = home
        self.clock = clock or SystemClock()
        self._cycles_in_processes = cycles_in_processes
        self.warnings: list[str] = []
        """What the user should know about the home (a folder others may write to): the entry
        points show them."""
        self.config = ConfigStore(home.config_file)
        self._lock = threading.RLock()
        self._running: dict[str, threading.Event] = {}
        self._locks: dict[str, JobLock] = {}
        self._progress: dict[str, tuple[int, int, datetime]] = {}
        self._compiled: dict[tuple[str, str | None], CompiledSchema] = {}
        self._subscribers: list[Callable[[Event], None]] = []

    # --- events ---------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback` with every event, from the thread the change happened on."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(event)

    # --- preferences ---------------------------------------------------------------------------

    def preference(self, name: str, default: Any = None) -> Any:
        """A user preference of the home (the dashboard's theme, its keymap…)."""
        return self.config.preference(name, default)

    def set_preference(self, name: str, value: Any) -> None:
        self.config.set_preference(name, value)

    # --- templates -------------------------------------------------------------------------

    def list_templates(self) -> list[SynchronizationTemplate]:
        return templates.list_templates()

    def get_template(self, template_id: str) -> SynchronizationTemplate:
        return templates.get_template(self._template_spec(template_id).id)

    def _template_spec(self, template_id: str) -> templates.TemplateSpec:
        try:
            return templates.template_spec(template_id)
        except KeyError as error:
            raise NotFound(error.args[0]) from None

    # --- jobs ------------------------------------------------------------------------------

    def list_jobs(self) -> list[SynchronizationJob]:
        return [self._job_model(record) for record in self.config.jobs()]

    def job_summaries(self) -> list[JobSummary]:
        return [self._summary(record) for record in self.config.jobs()]

    def job_summary(self, job_id: str) -> JobSummary:
        return self._summary(self._record(job_id))

    def get_job(self, job_id: str) -> SynchronizationJob:
        return self._job_model(self._record(job_id))

    def create_job(
        self,
        template_id: str,
        *,
        name: str | None = None,
        secrets: Mapping[str, str] | None = None,
        settings: Mapping[str, str] | None = None,
        interval: str | timedelta | None = None,
    ) -> SynchronizationJob:
        spec = self._template_spec(template_id)
        schedule_interval = self._interval(interval) if interval is not None else timedelta(minutes=40)
        settings, secrets = self._configure(spec, None, {}, {}, setting_changes=settings or {},
                                            secret_changes=secrets or {})
        job_id = f"{spec.id}.{uuid.uuid4().hex}"
        principal_id = str(uuid.uuid4())
        schema = spec.build_schema()
        schema.id = job_id
        job = SynchronizationJob(
            id=job_id, template_id=spec.id,
            schedule=SynchronizationSchedule(expiration=None, interval=schedule_interval,
                                             state=SynchronizationScheduleState.Disabled),
            status=SynchronizationStatus(code=SynchronizationStatusCode.NotRun),
            # Graph gives every new job the accidental-deletion threshold.
            synchronization_job_settings=_pairs({"QuarantineTooManyDeletesThreshold": "500", **settings}),
        )
        with self.config.batch():
            self.config.save_service_principal({
                "id": principal_id, "displayName": name or spec.id, "templateId": spec.id,
                "secrets": [{"key": k, "value": v} for k, v in secrets.items()],
            })
            self._refresh_configured(job, principal_id)
            self.config.save_job(self._new_record(job, principal_id))
            self.config.save_schema(job_id, schema.model_dump(mode="json"))
        self._publish(JobChanged(job_id))
        return self.get_job(job_id)

    def delete_job(self, job_id: str) -> None:
        record = self._record(job_id)
        files = (*state_files(self.home.job_state_file(job_id)), self.home.request_log_file(job_id))
        self._claim_stopping(job_id)  # a cycle still running would write its state files again
        try:
            with self.config.batch():
                self.config.delete_job(job_id)
                self.config.delete_service_principal(record["servicePrincipalId"])
            for path in files:
                path.unlink(missing_ok=True)
        finally:
            self._release(job_id)
        self._publish(JobRemoved(job_id))

    def start_job(self, job_id: str) -> None:
        def start(job: SynchronizationJob) -> None:
            self._require_configured(job)
            job.schedule.state = SynchronizationScheduleState.Active
            lift_quarantine(job)
            job.status.code = (SynchronizationStatusCode.Active if job.status.last_execution
                               else SynchronizationStatusCode.NotRun)
        self._change_job(job_id, start)

    def pause_job(self, job_id: str) -> None:
        def pause(job: SynchronizationJob) -> None:
            job.schedule.state = SynchronizationScheduleState.Paused
            job.status.code = SynchronizationStatusCode.Paused
        self._change_job(job_id, pause)
        self._stop_running(job_id)

    def restart_job(self, job_id: str, reset_scope: str | None = None) -> None:
        """Restart with Graph's reset flags; empty = the portal's Restart (Watermark, Escrows, QuarantineState)."""
        self._require_configured(self.get_job(job_id))
        try:
            scope = parse_flags(reset_scope or "Watermark, Escrows, QuarantineState", SynchronizationJobRestartScope)
        except ValueError as error:
            raise InvalidRequest(str(error)) from None
        self._claim_stopping(job_id)  # a cycle running meanwhile would write its state over the reset
        try:
            self._reset_state(job_id, scope)
            self._change_job(job_id, lambda job: _restarted(job, scope))
        finally:
            self._release(job_id)

    def _reset_state(self, job_id: str, scope: SynchronizationJobRestartScope) -> None:
        with self._state(job_id) as state:
            snapshot = state.load(few_entries=True)  # all of them only to forget them (ConnectorDataStore)
            meta = snapshot.meta
            entries: dict[str, Any] = {}
            if SynchronizationJobRestartScope.Watermark in scope:
                meta.pop("watermark", None)
                meta.pop("cursor", None)
            if SynchronizationJobRestartScope.ConnectorDataStore in scope:
                entries = {key: None for key in snapshot.entries}
                meta.pop("watermark", None)
                meta.pop("cursor", None)
            escrows = {} if SynchronizationJobRestartScope.Escrows in scope else snapshot.escrows
            if SynchronizationJobRestartScope.ForceDeletes in scope:
                meta["forceDeletes"] = True
            state.checkpoint(entries=entries, escrows=escrows, meta=meta)

    def update_job(self, job_id: str, *, name: str | None = None, interval: str | timedelta | None = None,
                   expiration: datetime | None = None, settings: Mapping[str, str | None] | None = None,
                   secrets: Mapping[str, str] | None = None) -> SynchronizationJob:
        """Graph's PATCH of a job: its name (its application's display name), its schedule and its
        settings (a None value removes one); with `secrets`, as `put_secrets` in the same step.
        Everything is checked first: one bad value changes nothing."""
        record = self._record(job_id)
        job = self._job_model(record)
        principal_id = record["servicePrincipalId"]
        if name is not None and not name.strip():
            raise InvalidRequest("a job's name cannot be empty")
        parsed = self._interval(interval) if interval is not None else None
        new_settings, new_secrets = _settings(job), self._secrets(record)
        if settings or secrets:
            new_settings, new_secrets = self._configure(self._template_spec(job.template_id or ""), job_id,
                                                        new_settings, new_secrets, setting_changes=settings,
                                                        secret_changes=secrets)

        def change(job: SynchronizationJob) -> None:
            if parsed is not None:
                job.schedule.interval = parsed
            if expiration is not None:
                job.schedule.expiration = expiration
            if settings:
                job.synchronization_job_settings = _pairs(new_settings)
            self._refresh_configured(job, principal_id)
        with self.config.batch():
            if name is not None or secrets:
                principal = self.config.service_principal(principal_id) or {"id": principal_id}
                if name is not None:
                    principal["displayName"] = name.strip()
                if secrets:
                    principal["secrets"] = [{"key": k, "value": v} for k, v in new_secrets.items()]
                self.config.save_service_principal(principal)
            self._change_job(job_id, change)
        return self.get_job(job_id)

    # --- secrets -----------------------------------------------------------------------------

    def put_secrets(self, job_id: str, secrets: Mapping[str, str]) -> None:
        """Save secrets of the job's application instance. Write-only: nothing ever returns a value."""
        self.update_job(job_id, secrets=secrets)

    def secret_keys(self, job_id: str) -> frozenset[str]:
        """Which secrets are set (never their values)."""
        return frozenset(self._secrets(self._record(job_id)))

    def validate_credentials(self, job_id: str, credentials: Mapping[str, str] | None = None) -> None:
        """Test the target with the saved secrets, or with `credentials` instead (nothing is saved)."""
        record = self._record(job_id)
        job = self._job_model(record)
        secrets = self._secrets(record)
        if credentials is not None:
            _, secrets = self._configure(self._template_spec(job.template_id or ""), job_id, _settings(job), secrets,
                                         secret_changes=credentials)
        self._test_connection(job, secrets)

    def validate_template_credentials(self, template_id: str, credentials: Mapping[str, str],
                                      settings: Mapping[str, str] | None = None) -> None:
        """Graph's `jobs/validateCredentials` with a templateId: test before any job exists."""
        spec = self._template_spec(template_id)
        checked, credentials = self._configure(spec, None, {}, {}, setting_changes=settings or {},
                                               secret_changes=credentials)
        job = SynchronizationJob(id="", template_id=spec.id, synchronization_job_settings=_pairs(checked))
        self._test_connection(job, credentials)

    def _test_connection(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> None:
        spec = self._template_spec(job.template_id or "")
        try:
            source, target = spec.open_directories(self._context(job, secrets))
            try:
                target.test_connection()
            finally:
                source.close()
                target.close()
        except DirectoryError as error:
            raise ServiceError(f"credentials test failed: {error.message}") from None

    # --- schema --------------------------------------------------------------------------------

    def get_schema(self, job_id: str) -> SynchronizationSchema:
        self._record(job_id)
        try:
            return complete(SynchronizationSchema.model_validate(self.config.schema(job_id)))
        except ValidationError as error:
            raise self.config.damaged(f"the schema of job {job_id}: {_pydantic_problems(error)[0]}") from None

    def put_schema(self, job_id: str, schema: SynchronizationSchema | Mapping[str, Any]) -> SynchronizationSchema:
        """Replace the schema. Rejected with every problem listed, changing nothing; accepted, its
        version is bumped and the next cycle is an initial one."""
        schema = self._checked_schema(job_id, schema)
        current = self.config.schema(job_id) or {}
        schema.id = job_id
        schema.version = _next_version(current.get("version"))
        self.config.save_schema(job_id, schema.model_dump(mode="json"))
        self._publish(JobChanged(job_id))
        return self.get_schema(job_id)

    def schema_changes(self, job_id: str, schema: SynchronizationSchema | Mapping[str, Any]) -> list[str]:
        """What putting `schema` would change, in short lines for a person to confirm; rejected
        exactly as put_schema would reject it."""
        return describe_changes(self._current_schema(job_id), self._checked_schema(job_id, schema))

    def _checked_schema(self, job_id: str, schema: SynchronizationSchema | Mapping[str, Any]) -> SynchronizationSchema:
        self._record(job_id)
        if not isinstance(schema, SynchronizationSchema):
            problems = nesting_problems(schema)
            if problems:
                raise InvalidRequest(f"the schema has {len(problems)} problem(s)", problems)
            try:
                schema = SynchronizationSchema.model_validate(schema)
            except ValueError as error:
                raise InvalidRequest("the schema is not a valid synchronizationSchema", _pydantic_problems(error)) from None
        problems = validate_schema(schema, self._current_schema(job_id))
        if problems:
            raise InvalidRequest(f"the schema has {len(problems)} problem(s)", problems)
        return schema

    def _current_schema(self, job_id: str) -> SynchronizationSchema | None:
        try:
            return SynchronizationSchema.model_validate(self.config.schema(job_id))
        except ValidationError:  # a damaged stored schema stays replaceable: putting one is its fix
            return None

    def reset_schema(self, job_id: str) -> SynchronizationSchema:
        """Drop customizations: back to the template's default schema."""
        job = self.get_job(job_id)
        return self.put_schema(job_id, self._template_spec(job.template_id or "").build_schema())

    def discover_directory(self, job_id: str) -> DirectoryDefinition:
        """Graph's `discover`: refresh the target directory's definition from the target itself
        (a SCIM endpoint's /Schemas), adding the attributes it declares; none is ever removed."""
        record = self._record(job_id)
        job = self._job_model(record)
        try:
            source, target = self._open(job, record, None)
        except DirectoryError as error:
            raise ServiceError(f"discovery failed: {error.message}") from None
        try:
            discover = getattr(target, "discover", None)
            if discover is None:
                raise InvalidRequest("this job's target directory describes itself fully; only SCIM endpoints are discovered")
            discovered: DirectoryDefinition = discover()
        except DirectoryError as error:
            raise ServiceError(f"discovery failed: {error.message}") from None
        finally:
            source.close()
            target.close()
        schema = self.get_schema(job_id)
        rule = schema.synchronization_rules[0]
        current = schema.directory(rule.target_directory_name)
        if current is None:
            raise InvalidRequest(f"the schema has no directory named {rule.target_directory_name!r}")
        for found in discovered.objects:
            mine = current.object(found.name)
            if mine is None:
                current.objects.append(found)
                continue
            mine.attributes += [a for a in found.attributes if mine.attribute(a.name) is None]
        current.discoverabilities = discovered.discoverabilities
        current.discovery_date_time = discovered.discovery_date_time
        current.version = discovered.version
        self.put_schema(job_id, schema)
        return complete(current)

    def functions(self) -> list[AttributeMappingFunctionSchema]:
        return function_catalogue()

    def filter_operators(self) -> list[FilterOperatorSchema]:
        return filter_operators()

    def parse_expression(self, expression: str, test_input: Mapping[str, Any] | None = None) -> ParseExpressionResponse:
        return parse_expression(expression, test_input)

    # --- running -------------------------------------------------------------------------------

    def run_cycle(self, job_id: str, *, trace: Callable[[dict[str, Any]], None] | None = None) -> SynchronizationTaskExecution:
        """Run one cycle now (the scheduler calls this too). Raises Busy if one is running."""
        if self._cycles_in_processes and trace is None:
            return self._run_cycle_process(job_id)
        stop = self._claim(job_id)
        try:
            record = self._record(job_id)
            job = self._job_model(record)
            now = self.clock.now()
            try:
                self._require_configured(job)
                self._compile(job_id)
                source, target = self._open(job, record, trace)
            except (ServiceError, DirectoryError) as error:
                if job.status.code == SynchronizationStatusCode.NotConfigured:
                    raise  # refused: a job never configured has no cycle to fail
                # Recorded as the cycle's failure, so the job backs off and quarantines instead of
                # being retried at every tick.
                result = self._failed_result(error, now)
            else:
                # Marked until the cycle ends, so one cut short by a crash resumes at the next start.
                self._mark_interrupted(job_id, True)
                try:
                    with self._state(job_id) as state:
                        result = self._cycle(job, source, target, state, stop).run()
                except Exception as error:
                    # A fault of synctui's own: recorded (the job backs off), then raised for its traceback.
                    self._record_result(job_id, self._failed_result(
                        ConnectionFailure("UnexpectedError", f"{type(error).__name__}: {error}",
                                          tenant_actionable=False), now))
                    raise
                finally:
                    source.close()
                    target.close()
                self._mark_interrupted(job_id, result.paused)
            if self._record_result(job_id, result):  # escrows pruned (see status.apply_cycle_result)
                with self._state(job_id) as state:
                    state.checkpoint(escrows={})
            return result.execution
        finally:
            self._release(job_id)

    def _run_cycle_process(self, job_id: str) -> SynchronizationTaskExecution:
        from .cycle_process import run_cycle_process

        stop = self._claim(job_id, across_processes=False)
        try:
            return run_cycle_process(self.home.root, job_id, stop,
                                     lambda done, total: self._progress_made(job_id, done, total))
        finally:
            self._release(job_id)

    def preview(self, job_id: str) -> list[dict[str, Any]]:
        """What a cycle would do now: log entries of the creates, updates, disables and deletes."""
        record = self._record(job_id)
        job = self._job_model(record)
        try:
            source, target = self._open(job, record, None)
        except DirectoryError as error:
            raise ServiceError(f"preview failed: {error.message}") from None
        try:
            with self._state(job_id) as store:
                state = SnapshotState(store.load())
            options = self._options(job)
            options.delete_threshold = 0
            cycle = Cycle(job_id=job_id, schema=self._compile(job_id), source=source, target=DryRunDirectory(target),
                          state=state, clock=self.clock, options=options)
            result = cycle.run()
        finally:
            source.close()
            target.close()
        if result.failure is not None:
            raise ServiceError(f"preview failed: {result.failure.message}")
        return state.logs

    def provision_on_demand(self, job_id: str, object_id: str, object_type: str = "User",
                            *, trace: Callable[[dict[str, Any]], None] | None = None) -> StringKeyStringValuePair:
        """Graph's provisionOnDemand: the key says the result, the value is the log entry (both JSON text)."""
        stop = self._claim(job_id)
        try:
            record = self._record(job_id)
            job = self._job_model(record)
            self._require_configured(job)
            try:
                source, target = self._open(job, record, trace)
            except DirectoryError as error:
                raise ServiceError(f"provision on demand failed: {error.message}") from None
            try:
                with self._state(job_id) as state:
                    cycle = self._cycle(job, source, target, state, stop, detailed=True)
                    try:
                        entry = cycle.provision_one(object_type, object_id)
                    except (LookupError, ValueError) as error:
                        raise NotFound(str(error.args[0])) from None
                    except DirectoryError as error:
                        raise ServiceError(f"provision on demand failed: {error.message}") from None
            finally:
                source.close()
                target.close()
        finally:
            self._release(job_id)
        self._publish(JobChanged(job_id))
        status = entry["statusInfo"]
        result = {"success": "Success", "skipped": "Skipped", "failure": "Failure"}.get(status["status"], "Warning")
        key = {"result": result, "details": {"errorCode": status.get("errorCode"), "errorMessage": status.get("reason")}}
        return StringKeyStringValuePair(key=orjson.dumps(key).decode(), value=orjson.dumps(entry).decode())

    def logs(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        self._record(job_id)
        with self._state(job_id) as state:
            return state.logs(limit)

    def escrows(self, job_id: str) -> list[dict[str, Any]]:
        self._record(job_id)
        with self._state(job_id) as state:
            return sorted(state.escrows().values(), key=lambda e: e.get("nextRetry", ""))

    def retry_escrows(self, job_id: str, keys: Collection[str] | None = None) -> int:
        """Make escrowed objects (all, or those of `keys`) due now: the next cycle retries them
        instead of waiting out their back-off. Returns how many were changed."""
        now = format_datetime(self.clock.now())
        return self._change_escrows(job_id, keys, lambda escrow: {**escrow, "nextRetry": now})

    def dismiss_escrows(self, job_id: str, keys: Collection[str]) -> int:
        """Forget escrowed objects: no more retries until the object changes in the source."""
        return self._change_escrows(job_id, keys, lambda escrow: None)

    def _change_escrows(self, job_id: str, keys: Collection[str] | None,
                        change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        # Claimed like a cycle: a cycle running meanwhile would write its own escrow set over ours.
        self._claim(job_id)
        try:
            with self._state(job_id) as state:
                escrows = state.escrows()
                chosen = set(escrows) if keys is None else set(keys) & set(escrows)
                if keys is not None and not chosen:
                    raise NotFound(f"no escrow for {', '.join(sorted(keys))} in job {job_id}; "
                                   f"`synctui jobs escrows {job_id}` lists them")
                for key in chosen:
                    changed = change(escrows[key])
                    if changed is None:
                        del escrows[key]
                    else:
                        escrows[key] = changed
                state.checkpoint(escrows=escrows)
                return len(chosen)
        finally:
            self._release(job_id)

    def simulate_changes(self, seed: int | None = None) -> str:
        """Change the home's tenant directory and HR file as a day at work would (hires, leavers,
        renames, moves, manager and membership changes); returns a one-line summary. A malformed
        file changes neither."""
        from .demo.churn import simulate_day

        seed = seed if seed is not None else int(self.clock.now().timestamp())
        try:
            return simulate_day(self.home.tenant_file, self.home.tenant_dir / "hr.csv", seed=seed)
        except DirectoryError as error:
            raise ServiceError(f"cannot simulate changes: {error.message}; nothing was changed") from None

    def is_running(self, job_id: str) -> bool:
        return job_id in self._running

    def due_jobs(self, now: datetime, skipped: Callable[[str, str], None] | None = None) -> list[str]:
        """Jobs whose next cycle is due: Active, not running, past their interval or quarantine retry.
        A job whose schedule cannot be read (one stored before it was checked) is left out, and
        `skipped(job_id, why)` is told: the others are still due."""
        due = []
        for record in self.config.jobs():
            why = None
            try:
                if self._is_due(record, now):
                    due.append(record["id"])
            except SettingError as error:  # an interval out of range
                why = f"{error}; fix it with `synctui jobs update {record['id']} --interval DURATION`"
            except (ValueError, OverflowError, KeyError, TypeError) as error:  # a record this version cannot read
                why = " ".join(str(error).split())
            if why is not None and skipped is not None:
                skipped(str(record.get("id")), why)
        return due

    def _is_due(self, record: Mapping[str, Any], now: datetime) -> bool:
        job = self._job_model(record)
        if job.id in self._running or job.schedule.state != SynchronizationScheduleState.Active:
            return False
        if job.status.code == SynchronizationStatusCode.NotConfigured:
            return False
        if job.schedule.expiration and now >= job.schedule.expiration:
            return False
        template_settings.check_interval(job.schedule.interval)
        return next_run(job, interrupted=record.get("cycleInterrupted", False)) <= now

    def stop_all(self) -> None:
        for event in list(self._running.values()):
            event.set()

    # --- internals -------------------------------------------------------------------------------

    def _cycle(self, job: SynchronizationJob, source: Directory, target: Directory, state: JobStateStore,
               stop: threading.Event, *, detailed: bool = False) -> Cycle:
        job_id = job.id or ""
        return Cycle(job_id=job_id, schema=self._compile(job_id), source=source, target=target, state=state,
                     clock=self.clock, options=self._options(job), should_stop=stop.is_set,
                     on_progress=lambda done, total: self._progress_made(job_id, done, total),
                     detailed_logs=detailed)

    def _options(self, job: SynchronizationJob) -> CycleOptions:
        values = self._values(job, self._secrets(self._record(job.id or "")))
        deletes_checked = values["SyncNotificationSettings"].get("DeleteThresholdEnabled", True)
        schema = self.get_schema(job.id or "")
        rule = schema.synchronization_rules[0] if schema.synchronization_rules else None
        return CycleOptions(
            checkpoint_seconds=values["CheckpointSeconds"],
            skip_out_of_scope_deletions=values["SkipOutOfScopeDeletions"],
            delete_threshold=values["QuarantineTooManyDeletesThreshold"] if deletes_checked else 0,
            interval=job.schedule.interval,
            source_system=rule.source_directory_name if rule else "source",
            target_system=rule.target_directory_name if rule else "target",
        )

    def _compile(self, job_id: str) -> CompiledSchema:
        schema = self.get_schema(job_id)
        key = (job_id, schema.version)
        with self._lock:
            if key not in self._compiled:
                self._compiled = {k: v for k, v in self._compiled.items() if k[0] != job_id}
                try:
                    self._compiled[key] = compile_schema(schema)
                except ExpressionError as error:
                    raise InvalidRequest(f"the job's schema does not compile: {error}") from None
            return self._compiled[key]

    def _open(self, job: SynchronizationJob, record: Mapping[str, Any],
              trace: Callable[[dict[str, Any]], None] | None) -> tuple[Directory, Directory]:
        spec = self._template_spec(job.template_id or "")
        context = self._context(job, self._secrets(record), trace)
        if context.values["TraceRequests"]:
            context = replace(context, trace=_both(trace, RequestLog(self.home.request_log_file(job.id or "")).append))
        return spec.open_directories(context)

    def request_log(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The requests the job sent its target while `TraceRequests` was on, newest first."""
        self._record(job_id)
        return RequestLog(self.home.request_log_file(job_id)).read(limit)

    def _context(self, job: SynchronizationJob, secrets: Mapping[str, str],
                 trace: Callable[[dict[str, Any]], None] | None = None) -> templates.JobContext:
        return templates.JobContext(values=self._values(job, secrets), tenant_file=self.home.tenant_file, trace=trace)

    def _values(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> dict[str, Any]:
        """The job's settings and secrets as typed values. One stored before it was checked (an
        older synctui, an edited file) fails as the job's connection would, naming what to fix."""
        try:
            return self._template_spec(job.template_id or "").settings.read(_settings(job), secrets)
        except SettingError as error:
            raise ConnectionFailure("InvalidConfiguration", _with_fix(error, job.id or "JOB_ID")) from None

    def _failed_result(self, error: ServiceError | DirectoryError, now: datetime) -> CycleResult:
        failure = (error if isinstance(error, ConnectionFailure)
                   else ConnectionFailure(error.code, error.message) if isinstance(error, DirectoryError)
                   else ConnectionFailure("InvalidConfiguration", str(error)))
        execution = SynchronizationTaskExecution(
            activity_identifier=str(uuid.uuid4()), state=SynchronizationTaskExecutionResult.Failed,
            error=SynchronizationError(code=failure.code, message=failure.message,
                                       tenant_actionable=failure.tenant_actionable),
            time_began=now, time_ended=now)
        return CycleResult(execution=execution, initial=False, failure=failure)

    def _record_result(self, job_id: str, result: CycleResult) -> bool:
        prune = False

        def record(job: SynchronizationJob) -> None:
            nonlocal prune
            # A failed cycle reaches no escrow threshold (and its settings may be what failed).
            thresholds = EscrowThresholds() if result.failure else self._thresholds(job)
            prune = apply_cycle_result(job, result, self.clock.now(), thresholds)
        execution = result.execution
        self._change_job(job_id, record, history={
            "timeBegan": format_datetime(execution.time_began),
            "seconds": round((execution.time_ended - execution.time_began).total_seconds(), 3),
            "exports": execution.count_exported, "escrowed": execution.count_escrowed_raw,
            "state": execution.state.value, "paused": result.paused,
        })
        return prune

    def cycle_history(self, job_id: str) -> list[dict[str, Any]]:
        """The job's recent cycles, oldest first: when, how long, exports, errors, outcome."""
        return list(self._record(job_id).get("history", []))

    def _thresholds(self, job: SynchronizationJob) -> EscrowThresholds:
        values = self._values(job, self._secrets(self._record(job.id or "")))
        return EscrowThresholds(
            base=values["QuarantineEscrowBaseThreshold"],
            proportion=values["QuarantineEscrowProportionThreshold"],
            total=values["QuarantineEscrowTotalThreshold"],
            absolute=values["QuarantineEscrowAbsoluteThreshold"],
        )

    def _claim(self, job_id: str, *, across_processes: bool = True) -> threading.Event:
        """Mark the job busy in this process and, `across_processes`, lock its state against
        other processes (a caller that has a child process do the work lets the child lock it)."""
        with self._lock:
            if job_id in self._running:
                raise Busy(f"a cycle of job {job_id} is already running; wait for it or pause the job")
            self._record(job_id)
            if across_processes:
                lock = JobLock(self.home.job_state_file(job_id))
                try:
                    lock.acquire()
                except JobLocked as error:
                    raise Busy(f"job {job_id}: {error}") from None
                self._locks[job_id] = lock
            stop = threading.Event()
            self._running[job_id] = stop
        self._publish(JobChanged(job_id))
        return stop

    def _claim_stopping(self, job_id: str) -> None:
        """`_claim` for a change that a cycle would write over or undo (restart, delete). A cycle
        this process runs (on a thread, or in a child process for the dashboard) is stopped at its
        next checkpoint and waited for first; one in another process is refused (Busy, naming it)."""
        while True:
            self._stop_running(job_id, wait=True)
            try:
                self._claim(job_id)
                return
            except Busy:
                if job_id not in self._running:
                    raise  # another process works on the job
                # else this process started another cycle meanwhile (the scheduler): stopped too

    def _mark_interrupted(self, job_id: str, interrupted: bool) -> None:
        with self._lock:
            record = self._record(job_id)
            if record.get("cycleInterrupted", False) != interrupted:
                record["cycleInterrupted"] = interrupted
                self.config.save_job(record)

    def _release(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)
            lock = self._locks.pop(job_id, None)
            if lock is not None:
                lock.release()
            self._progress.pop(job_id, None)
        self._publish(JobChanged(job_id))

    def _stop_running(self, job_id: str, *, wait: bool = False) -> None:
        stop = self._running.get(job_id)
        if stop is None:
            return
        stop.set()
        if wait:
            while job_id in self._running:
                threading.Event().wait(0.05)

    @contextmanager
    def _state(self, job_id: str) -> Iterator[JobStateStore]:
        """The job's state, read afresh: another process (`synctui jobs run`, `serve`) may have
        written it since."""
        self._record(job_id)  # files are named after jobs that exist, never after any id given
        state = JobStateStore(self.home.job_state_file(job_id))
        try:
            yield state
        finally:
            state.close()

    def _record(self, job_id: str) -> dict[str, Any]:
        record = self.config.job(job_id)
        if record is None:
            raise NotFound(f"no job with id {job_id!r}; `synctui jobs list` shows the jobs")
        return record

    def _secrets(self, record: Mapping[str, Any]) -> dict[str, str]:
        principal = self.config.service_principal(record["servicePrincipalId"]) or {}
        return {pair["key"]: pair["value"] for pair in principal.get("secrets", []) if pair.get("value") is not None}

    def _progress_made(self, job_id: str, completed: int, total: int) -> None:
        self._progress[job_id] = (completed, total, self.clock.now())
        self._publish(CycleProgress(job_id, completed, total))

    def _job_model(self, record: Mapping[str, Any]) -> SynchronizationJob:
        try:
            job = complete(SynchronizationJob.model_validate(record["job"]))
        except ValidationError as error:
            raise self.config.damaged(f"job {record['id']}: {_pydantic_problems(error)[0]}") from None
        progress = self._progress.get(record["id"]) if record["id"] in self._running else None
        if progress is not None:
            # Kept in memory while a cycle runs: writing the configuration per object would cost too much.
            completed, total, observed = progress
            job.status.progress = [SynchronizationProgress(completed_units=completed, total_units=total,
                                                           progress_observation_date_time=observed, units="entries")]
        return job

    def _summary(self, record: Mapping[str, Any]) -> JobSummary:
        principal = self.config.service_principal(record["servicePrincipalId"]) or {}
        return JobSummary(job=self._job_model(record), name=principal.get("displayName") or record["id"],
                          running=record["id"] in self._running, secrets_set=frozenset(self._secrets(record)))

    def _new_record(self, job: SynchronizationJob, principal_id: str) -> dict[str, Any]:
        return {"id": job.id, "servicePrincipalId": principal_id, "job": job.model_dump(mode="json")}

    def _change_job(self, job_id: str, change: Callable[[SynchronizationJob], None],
                    history: dict[str, Any] | None = None) -> None:
        with self._lock:
            record = self._record(job_id)
            job = self._job_model(record)
            change(job)
            record["job"] = job.model_dump(mode="json")
            if history is not None:
                record["history"] = [*record.get("history", []), history][-HISTORY_LENGTH:]
            self.config.save_job(record)
        self._publish(JobChanged(job_id))

    def _refresh_configured(self, job: SynchronizationJob, principal_id: str) -> None:
        """NotConfigured while the template's required secrets or settings are missing."""
        missing = self._missing_configuration(job, principal_id)
        if missing and job.status.code in (SynchronizationStatusCode.NotRun, SynchronizationStatusCode.NotConfigured):
            job.status.code = SynchronizationStatusCode.NotConfigured
        elif not missing and job.status.code == SynchronizationStatusCode.NotConfigured:
            job.status.code = SynchronizationStatusCode.NotRun

    def _missing_configuration(self, job: SynchronizationJob, principal_id: str) -> list[str]:
        spec = self._template_spec(job.template_id or "")
        principal = self.config.service_principal(principal_id) or {}
        have = {pair["key"] for pair in principal.get("secrets", []) if pair.get("value")}
        missing = [f"secret {name}" for name in spec.required_secrets if name not in have]
        missing += [f"setting {name}" for name in spec.required_settings if not job.setting(name)]
        return missing

    def _require_configured(self, job: SynchronizationJob) -> None:
        record = self._record(job.id or "")
        missing = self._missing_configuration(job, record["servicePrincipalId"])
        if missing:
            fixes = []
            if any(item.startswith("secret") for item in missing):
                fixes.append(f"secrets with `synctui secrets put {job.id} KEY=VALUE`")
            if any(item.startswith("setting") for item in missing):
                fixes.append(f"settings with `synctui jobs update {job.id} --setting NAME=VALUE`")
            raise InvalidRequest(f"job {job.id} is not configured: {', '.join(missing)} missing; "
                                 f"set {' and '.join(fixes)}")

    def _configure(self, spec: templates.TemplateSpec, job_id: str | None, settings: Mapping[str, str],
                   secrets: Mapping[str, str], *, setting_changes: Mapping[str, str | None] | None = None,
                   secret_changes: Mapping[str, str | None] | None = None) -> tuple[dict[str, str], dict[str, str]]:
        """A job's settings and secrets with the changes made (None or an empty secret removes one):
        each change checked against the template's declaration, then the whole read as a cycle
        would (rules across values, values stored before they were checked). Raises InvalidRequest."""
        declaration = spec.settings
        try:
            setting_changes = _declared(declaration, setting_changes or {}, settings, secret=False)
            secret_changes = _declared(declaration, {k: v or None for k, v in (secret_changes or {}).items()},
                                       secrets, secret=True)
            settings, secrets = _changed(settings, setting_changes), _changed(secrets, secret_changes)
            declaration.read(settings, secrets)
        except SettingError as error:
            raise InvalidRequest(_with_fix(error, job_id)) from None
        return settings, secrets

    @staticmethod
    def _interval(value: str | timedelta) -> timedelta:
        try:
            if isinstance(value, timedelta):
                template_settings.check_interval(value)
                return value
            return template_settings.interval(value)
        except SettingError as error:
            raise InvalidRequest(str(error)) from None


def _restarted(job: SynchronizationJob, scope: SynchronizationJobRestartScope) -> None:
    job.schedule.state = SynchronizationScheduleState.Active
    if SynchronizationJobRestartScope.QuarantineState in scope or SynchronizationJobRestartScope.ForceDeletes in scope:
        lift_quarantine(job)
    if SynchronizationJobRestartScope.Escrows in scope:
        job.status.escrows_pruned = False
    job.status.code = (SynchronizationStatusCode.Quarantine if job.status.quarantine
                       else SynchronizationStatusCode.Active if job.status.last_execution
                       else SynchronizationStatusCode.NotRun)


def next_run(job: SynchronizationJob, *, interrupted: bool = False) -> datetime:
    """When the job's next cycle is due: a quarantine retry, else one interval after the last cycle
    ended, else now (a job that never ran, or whose cycle was paused or cut short, runs at once)."""
    status = job.status
    if status.quarantine is not None and status.quarantine.next_attempt and status.quarantine.next_attempt != NEVER:
        return status.quarantine.next_attempt
    last = status.last_execution
    if interrupted or last is None or last.time_ended == NEVER:
        return NEVER
    return last.time_ended + job.schedule.interval


def _both(first: Callable[[dict[str, Any]], None] | None,
          second: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    if first is None:
        return second

    def both(record: dict[str, Any]) -> None:
        first(record)
        second(record)

    return both


def _settings(job: SynchronizationJob) -> dict[str, str]:
    return {pair.name: pair.value or "" for pair in job.synchronization_job_settings}


def _pairs(settings: Mapping[str, str]) -> list[KeyValuePair]:
    return [KeyValuePair(name=name, value=value) for name, value in settings.items()]


def _declared(declaration: template_settings.TemplateSettings, changes: Mapping[str, str | None],
              stored: Mapping[str, str], *, secret: bool) -> dict[str, str | None]:
    """`changes` checked against the declaration. A name stored but no longer declared (set by an
    older synctui) may still be removed."""
    removable = {name.lower(): name for name in stored if declaration.find(name) is None}
    removed = {removable[name.lower()]: None for name, value in changes.items()
               if value is None and name.lower() in removable}
    kept = {name: value for name, value in changes.items() if not (value is None and name.lower() in removable)}
    return {**declaration.check(kept, secret=secret), **removed}


def _changed(current: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    """`current` with `changes` made (None removes); names compare case-insensitively, as Graph's do."""
    changed = {name.lower() for name in changes}
    result = {name: value for name, value in current.items() if name.lower() not in changed}
    result.update({name: value for name, value in changes.items() if value is not None})
    return result


def _with_fix(error: SettingError, job_id: str | None) -> str:
    """The error and, when it is about where a value belongs or a value stored earlier, how to set it."""
    spec = error.spec
    if spec is None:
        return str(error)
    if job_id is None:
        return f"{error}; give it as a {spec.what}"
    command = (f"synctui secrets put {job_id} {spec.name}=VALUE" if spec.secret
               else f"synctui jobs update {job_id} --setting {spec.name}=VALUE")
    return f"{error}; set it with `{command}`"


def _next_version(current: str | None) -> str:
    try:
        return str(int(current or "0") + 1)
    except ValueError:
        return f"{current}.1"


def _pydantic_problems(error: Exception) -> list[str]:
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return [str(error)]
    return [f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}" for item in errors()]


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
