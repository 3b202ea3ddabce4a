"""Running a job's cycles: who works on a job now, the cycle itself (on this thread, or in a child
process for the dashboard), what it leaves in the job's status, and when the next one is due.

One piece of work at a time per job: a cycle, a provision on demand, an escrow change, a restart's
reset or a delete claims the job first. A claim marks it busy in this process and, unless a child
process does the work, locks its state against other processes (store/job_lock.py). A claim has a
stop event: setting it stops a cycle at its next checkpoint (a pause, SIGTERM, a restart).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import orjson

from .clock import Clock
from .connectors.base import ConnectionFailure, Directory, DirectoryError
from .cycle_process import run_cycle_process
from .engine import (
    Cycle,
    CycleOptions,
    CycleResult,
    DryRunDirectory,
    SnapshotState,
    compile_schema,
)
from .engine.assignments import Application
from .engine.compiled import CompiledSchema
from .engine.status import EscrowThresholds, apply_cycle_result, escrow_retry, next_cycle, restarted, settle_code
from .errors import Busy, InvalidRequest, NotFound, ServiceError
from .events import CycleProgress, Event, JobChanged
from .expressions import ExpressionError
from .models import (
    DirectoryDefinition,
    QuarantineReason,
    StringKeyStringValuePair,
    SynchronizationError,
    SynchronizationJob,
    SynchronizationJobRestartScope,
    SynchronizationProgress,
    SynchronizationScheduleState,
    SynchronizationStatusCode,
    SynchronizationTaskExecution,
    SynchronizationTaskExecutionResult,
    format_datetime,
    parse_datetime,
)
from .store import Home, JobLock, JobLocked, JobStateStore, RequestLog, state_files
from .store.jobs import JobRecord, JobRepository
from .template_settings import SettingError, check_interval
from .templates import JobContext, template_spec

if TYPE_CHECKING:  # the log's filters: imported by the store where a page is read
    from .store.log_query import LogPage, LogQuery

Trace = Callable[[dict[str, Any]], None]
"""Called with every request a connector sends (`--trace`, the request log)."""


@dataclass
class OpenDirectories:
    """A job's source and target, open; `with` closes both. Given `failure`, a DirectoryError
    raised in the block becomes ServiceError("<failure>: <its message>")."""

    source: Directory
    target: Directory
    failure: str | None = None

    def __enter__(self) -> tuple[Directory, Directory]:
        return self.source, self.target

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.source.close()
        self.target.close()
        if isinstance(error, DirectoryError) and self.failure is not None:
            raise ServiceError(f"{self.failure}: {error.message}") from None


@dataclass(frozen=True)
class JobSummary:
    """A job with what the dashboard shows beside it."""

    job: SynchronizationJob
    name: str
    running: bool
    secrets_set: frozenset[str]
    next_run: datetime | None
    """When the scheduler runs its next cycle (engine.status.next_cycle); None: never."""


class CycleRunner:
    def __init__(
        self,
        home: Home,
        jobs: JobRepository,
        clock: Clock,
        publish: Callable[[Event], None],
        *,
        in_processes: bool = False,
        waiting: Callable[[SynchronizationJob], bool] = lambda job: False,
    ) -> None:
        """`in_processes`: `run_cycle` runs each cycle in a child process (see cycle_process.py).
        `waiting(job)`: input arrived for the job (a bulkUpload payload), which makes it due at once."""
        self._home = home
        self._waiting = waiting
        self._jobs = jobs
        self._clock = clock
        self._publish = publish
        self._in_processes = in_processes
        self._lock = threading.RLock()
        self._released = threading.Condition(self._lock)
        """Notified whenever a claim ends, for `claimed_stopping` to wait on."""
        self._running: dict[str, threading.Event] = {}
        self._locks: dict[str, JobLock] = {}
        self._progress: dict[str, tuple[int, int, datetime]] = {}
        self._compiled: dict[tuple[str, str | None], CompiledSchema] = {}

    # --- who works on a job ------------------------------------------------------------------------

    def is_running(self, job_id: str) -> bool:
        return job_id in self._running

    def stop_all(self) -> None:
        for event in list(self._running.values()):
            event.set()

    def stop(self, job_id: str) -> None:
        """Stop the job's cycle, if one runs here, at its next checkpoint."""
        stop = self._running.get(job_id)
        if stop is not None:
            stop.set()

    def with_progress(self, job: SynchronizationJob) -> SynchronizationJob:
        """The job with how far its running cycle is in its status. Kept in memory: writing the
        configuration per object would cost too much."""
        settle_code(job)  # one stored by an older synctui may hold a code its schedule contradicts
        progress = self._progress.get(job.id or "") if job.id in self._running else None
        if progress is not None:
            completed, total, observed = progress
            job.required_status().progress = [
                SynchronizationProgress(
                    completed_units=completed,
                    total_units=total,
                    progress_observation_date_time=observed,
                    units="entries",
                )
            ]
        return job

    @contextmanager
    def claimed(self, job_id: str, *, across_processes: bool = True) -> Iterator[threading.Event]:
        """The job claimed for the block; yields its stop event. Busy if it is claimed already.
        `across_processes`: its state is locked against other processes too (a caller that has a
        child process do the work lets the child lock it)."""
        stop = self._claim(job_id, across_processes)
        try:
            yield stop
        finally:
            self._release(job_id)

    @contextmanager
    def claimed_stopping(self, job_id: str) -> Iterator[None]:
        """`claimed` for a change that a cycle would write over or undo (restart, delete). A cycle
        this process runs (on a thread, or in a child process for the dashboard) is stopped at its
        next checkpoint and waited for first; one in another process is refused (Busy, naming it)."""
        while True:
            self._stop_and_wait(job_id)
            try:
                self._claim(job_id, True)
                break
            except Busy:
                if job_id not in self._running:
                    raise  # another process works on the job
                # else this process started another cycle meanwhile (the scheduler): stopped too
        try:
            yield
        finally:
            self._release(job_id)

    def summary(self, record: JobRecord) -> JobSummary:
        """The job, its progress and whether a cycle of it runs, with its name and which secrets are set."""
        principal = self._jobs.principal(record)
        return JobSummary(
            job=self.with_progress(record.job),
            name=principal.display_name or record.id,
            running=self.is_running(record.id),
            secrets_set=frozenset(principal.secrets),
            next_run=self.next_run(record, self._clock.now()),
        )

    def remove(self, job_id: str, also: Callable[[], Iterable[Path]] = tuple) -> None:
        """Delete the job, every file of its state and the files `also` names, once no cycle of it
        runs (one still running would write its state files again, and may write those files:
        they are named once it has stopped). A file `also` names that cannot be removed stays."""
        self._jobs.require(job_id)
        files = (*state_files(self._home.job_state_file(job_id)), self._home.request_log_file(job_id))
        with self.claimed_stopping(job_id):
            others = list(also())  # (before the job is gone: what they are may follow from it)
            self._jobs.remove(job_id)
            for path in files:
                path.unlink(missing_ok=True)
            for path in others:
                with suppress(OSError):
                    path.unlink(missing_ok=True)

    def _claim(self, job_id: str, across_processes: bool) -> threading.Event:
        with self._lock:
            if job_id in self._running:
                raise Busy(f"a cycle of job {job_id} is already running; wait for it or pause the job")
            self._jobs.require(job_id)
            if across_processes:
                lock = JobLock(self._home.job_state_file(job_id))
                try:
                    lock.acquire()
                except JobLocked as error:
                    raise Busy(f"job {job_id}: {error}") from None
                self._locks[job_id] = lock
            stop = threading.Event()
            self._running[job_id] = stop
        self._publish(JobChanged(job_id))
        return stop

    def _release(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)
            lock = self._locks.pop(job_id, None)
            if lock is not None:
                lock.release()
            self._progress.pop(job_id, None)
            self._released.notify_all()
        self._publish(JobChanged(job_id))

    def _stop_and_wait(self, job_id: str) -> None:
        with self._lock:
            stop = self._running.get(job_id)
            if stop is None:
                return
            stop.set()
            while job_id in self._running:
                self._released.wait()

    def _progress_made(self, job_id: str, completed: int, total: int) -> None:
        self._progress[job_id] = (completed, total, self._clock.now())
        self._publish(CycleProgress(job_id, completed, total))

    # --- what a cycle works with -------------------------------------------------------------------

    @contextmanager
    def state(self, job_id: str) -> Iterator[JobStateStore]:
        """The job's state, read afresh: another process (`synctui jobs run`, `serve`) may have
        written it since."""
        self._jobs.require(job_id)  # files are named after jobs that exist, never after any id given
        state = JobStateStore(self._home.job_state_file(job_id))
        try:
            yield state
        finally:
            state.close()

    def open_directories(
        self,
        job: SynchronizationJob,
        secrets: Mapping[str, str],
        trace: Trace | None = None,
        *,
        failure: str | None = None,
        request_log: bool = True,
    ) -> OpenDirectories:
        """The job's directories, opened. Given `failure`, a DirectoryError (here or in the `with`
        block) becomes ServiceError("<failure>: ..."); else it is raised as it is. `request_log`:
        requests are recorded while the job's TraceRequests is on."""
        spec = template_spec(job.template_id or "")
        try:
            context = JobContext(
                values=spec.values(job, secrets),
                tenant_file=self._home.tenant_file,
                trace=trace,
                staged_file=self._home.inbound_file(job.id) if job.id else None,
            )
            if request_log and context.values["TraceRequests"]:
                log = RequestLog(self._home.request_log_file(job.id or ""))
                context = replace(context, trace=_both(trace, log.append))
            source, target = spec.open(context, job.id or None)
        except DirectoryError as error:
            if failure is None:
                raise
            raise ServiceError(f"{failure}: {error.message}") from None
        return OpenDirectories(source, target, failure)

    def test_connection(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> None:
        """Graph's validateCredentials: both directories answer, or a ServiceError names the one that
        does not and what to set (see `TemplateSpec.test_connection`)."""
        opened = self.open_directories(job, secrets, failure="Test connection failed", request_log=False)
        with opened as (source, target):
            template_spec(job.template_id or "").test_connection(source, target, job.id or None)

    def compile(self, job_id: str) -> CompiledSchema:
        """The job's schema compiled, once per version."""
        schema = self._jobs.schema(job_id)
        key = (job_id, schema.version)
        with self._lock:
            if key not in self._compiled:
                self._compiled = {k: v for k, v in self._compiled.items() if k[0] != job_id}
                try:
                    self._compiled[key] = compile_schema(schema)
                except ExpressionError as error:
                    raise InvalidRequest(f"the job's schema does not compile: {error}") from None
            return self._compiled[key]

    def _options(self, record: JobRecord) -> CycleOptions:
        job, principal = record.job, self._jobs.principal(record)
        values = template_spec(job.template_id or "").values(job, principal.secrets)
        deletes_checked = values["SyncNotificationSettings"].get("DeleteThresholdEnabled", True)
        schema = self._jobs.schema(job.id or "")
        rule = schema.synchronization_rules[0] if schema.synchronization_rules else None
        return CycleOptions(
            checkpoint_seconds=values["CheckpointSeconds"],
            skip_out_of_scope_deletions=values["SkipOutOfScopeDeletions"],
            delete_threshold=values["QuarantineTooManyDeletesThreshold"] if deletes_checked else 0,
            interval=job.required_schedule().interval,
            source_system=rule.source_directory_name if rule else "source",
            target_system=rule.target_directory_name if rule else "target",
            # Templates whose source holds assignments declare SyncAll; the others sync all.
            application=Application(principal.id, tuple(principal.app_roles), values["SyncAll"])
            if "SyncAll" in values
            else None,
        )

    def _thresholds(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> EscrowThresholds:
        values = template_spec(job.template_id or "").values(job, secrets)
        return EscrowThresholds(
            base=values["QuarantineEscrowBaseThreshold"],
            proportion=values["QuarantineEscrowProportionThreshold"],
            total=values["QuarantineEscrowTotalThreshold"],
            absolute=values["QuarantineEscrowAbsoluteThreshold"],
        )

    def _cycle(
        self,
        record: JobRecord,
        source: Directory,
        target: Directory,
        state: JobStateStore,
        stop: threading.Event,
        *,
        detailed: bool = False,
    ) -> Cycle:
        job_id = record.id
        return Cycle(
            job_id=job_id,
            schema=self.compile(job_id),
            source=source,
            target=target,
            state=state,
            clock=self._clock,
            options=self._options(record),
            should_stop=stop.is_set,
            on_progress=lambda done, total: self._progress_made(job_id, done, total),
            detailed_logs=detailed,
        )

    # --- the work ----------------------------------------------------------------------------------

    def run_cycle(self, job_id: str, trace: Trace | None = None) -> SynchronizationTaskExecution:
        """Run one cycle now and record it in the job's status. Raises Busy if one is running."""
        if self._in_processes and trace is None:
            with self.claimed(job_id, across_processes=False) as stop:
                return run_cycle_process(
                    self._home.root, job_id, stop, lambda done, total: self._progress_made(job_id, done, total)
                )
        with self.claimed(job_id) as stop:
            record = self._jobs.get(job_id)
            secrets = self._jobs.secrets(record)
            now = self._clock.now()
            try:
                template_spec(record.job.template_id or "").require_configured(record.job, secrets)
                self.compile(job_id)
                directories = self.open_directories(record.job, secrets, trace)
            except (ServiceError, DirectoryError) as error:
                if record.job.required_status().code == SynchronizationStatusCode.NotConfigured:
                    raise  # refused: a job never configured has no cycle to fail
                # Recorded as the cycle's failure, so the job backs off and quarantines instead of
                # being retried at every tick.
                result = _failed_result(error, now)
            else:
                with directories as (source, target):
                    # Marked until the cycle ends, so one cut short by a crash resumes at the next start.
                    self._jobs.mark_due_at_once(job_id, True)
                    try:
                        with self.state(job_id) as state:
                            result = self._cycle(record, source, target, state, stop).run()
                    except Exception as error:
                        # A fault of synctui's own: recorded (the job backs off), then raised for its traceback.
                        self._record_result(
                            job_id,
                            _failed_result(
                                ConnectionFailure(
                                    "UnexpectedError", f"{type(error).__name__}: {error}", tenant_actionable=False
                                ),
                                now,
                            ),
                        )
                        raise
                self._jobs.mark_due_at_once(job_id, result.paused)
            if self._record_result(job_id, result):  # escrows pruned (see status.apply_cycle_result)
                with self.state(job_id) as state:
                    state.checkpoint(escrows={})
            return result.execution

    def preview(self, job_id: str) -> list[dict[str, Any]]:
        """What a cycle would do now: log entries of the creates, updates, disables and deletes."""
        record = self._jobs.get(job_id)
        secrets = self._jobs.secrets(record)
        with self.open_directories(record.job, secrets, failure="preview failed") as (source, target):
            with self.state(job_id) as store:
                state = SnapshotState(store.load())
            options = self._options(record)
            options.delete_threshold = 0
            cycle = Cycle(
                job_id=job_id,
                schema=self.compile(job_id),
                source=source,
                target=DryRunDirectory(target),
                state=state,
                clock=self._clock,
                options=options,
            )
            result = cycle.run()
        if result.failure is not None:
            raise ServiceError(f"preview failed: {result.failure.message}")
        return state.logs

    def held_deletes(self, job_id: str) -> list[dict[str, Any]]:
        """The disables and deletes that allowing the held-back deletes makes: a preview's, for the
        admin to read before allowing them. Refused unless the job holds deletes back."""
        self._require_held_deletes(job_id)
        return [entry for entry in self.preview(job_id) if entry["provisioningAction"] in ("delete", "disable")]

    def allow_deletes(self, job_id: str) -> SynchronizationTaskExecution | None:
        """Entra's Allow deletes: a restart with ForceDeletes, and the held-back cycle run now (not
        one interval later). None: a cycle of the job started meanwhile (the scheduler's, made due
        by the restart), and that cycle makes the deletes."""
        self._require_held_deletes(job_id)
        self.restart(job_id, SynchronizationJobRestartScope.ForceDeletes)
        try:
            return self.run_cycle(job_id)
        except Busy:
            return None

    def _require_held_deletes(self, job_id: str) -> None:
        quarantine = self._jobs.get(job_id).job.required_status().quarantine
        if quarantine is None or quarantine.reason != QuarantineReason.TooManyDeletes:
            raise InvalidRequest(
                f"job {job_id} holds no deletes back (it is not quarantined for TooManyDeletes); "
                f"`synctui jobs preview {job_id}` shows what its next cycle does"
            )

    def discover(self, job: SynchronizationJob, secrets: Mapping[str, str]) -> DirectoryDefinition:
        """Graph's `discover`: the target directory's definition as the target itself declares it
        (a SCIM endpoint's /Schemas)."""
        with self.open_directories(job, secrets, failure="discovery failed") as (_, target):
            discover = getattr(target, "discover", None)
            if discover is None:
                raise InvalidRequest(
                    "this job's target directory describes itself fully; only SCIM endpoints are discovered"
                )
            discovered: DirectoryDefinition = discover()
        return discovered

    def provision_one(
        self, job_id: str, object_type: str, object_id: str, trace: Trace | None = None
    ) -> dict[str, Any]:
        """Provision one object now, as a cycle would; returns its detailed log entry."""
        with self.claimed(job_id) as stop:
            record = self._jobs.get(job_id)
            secrets = self._jobs.secrets(record)
            template_spec(record.job.template_id or "").require_configured(record.job, secrets)
            directories = self.open_directories(record.job, secrets, trace, failure="provision on demand failed")
            with directories as (source, target), self.state(job_id) as state:
                cycle = self._cycle(record, source, target, state, stop, detailed=True)
                try:
                    return cycle.provision_one(object_type, object_id)
                except (LookupError, ValueError) as error:
                    raise NotFound(str(error.args[0])) from None

    def logs(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        with self.state(job_id) as state:
            return state.logs(limit)

    def log_page(self, job_id: str, query: LogQuery, offset: int = 0, limit: int | None = None) -> LogPage:
        with self.state(job_id) as state:
            return state.log_page(query, offset, limit)

    def retry_escrows(self, job_id: str, keys: Collection[str] | None) -> int:
        now = format_datetime(self._clock.now())
        return self.change_escrows(job_id, keys, lambda escrow: {**escrow, "nextRetry": now})

    def request_log(self, job_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        self._jobs.require(job_id)
        return RequestLog(self._home.request_log_file(job_id)).read(limit)

    def change_escrows(
        self, job_id: str, keys: Collection[str] | None, change: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> int:
        """`change` each escrow of `keys` (all when None); a None result forgets it. Returns how many."""
        # Claimed like a cycle: a cycle running meanwhile would write its own escrow set over ours.
        with self.claimed(job_id), self.state(job_id) as state:
            escrows = state.escrows()
            chosen = set(escrows) if keys is None else set(keys) & set(escrows)
            if keys is not None and not chosen:
                raise NotFound(
                    f"no escrow for {', '.join(sorted(keys))} in job {job_id}; "
                    f"`synctui jobs escrows {job_id}` lists them"
                )
            for key in chosen:
                changed = change(escrows[key])
                if changed is None:
                    del escrows[key]
                else:
                    escrows[key] = changed
            state.checkpoint(escrows=escrows)
            return len(chosen)

    def escrows(self, job_id: str) -> list[dict[str, Any]]:
        """The job's escrows, soonest first, each with `retryAt`: when a cycle really retries it (its
        back-off ends at `nextRetry`, often between two cycles); without one while no cycle is scheduled."""
        record = self._jobs.get(job_id)
        now = self._clock.now()
        next_run = self.next_run(record, now)
        with self.state(job_id) as state:
            escrows = sorted(state.escrows().values(), key=lambda e: e.get("nextRetry", ""))
        listed = []
        for escrow in escrows:
            back_off_ends = parse_datetime(escrow["nextRetry"]) if escrow.get("nextRetry") else now
            retry = escrow_retry(record.job, back_off_ends, next_run, now)
            listed.append({**escrow, "retryAt": format_datetime(retry)} if retry is not None else escrow)
        return listed

    def restart(self, job_id: str, scope: SynchronizationJobRestartScope) -> None:
        """Forget what the restart's `scope` says (the watermark, the connector data, escrows, the
        quarantine) and make the job Active: its next cycle is an initial one."""
        with self.claimed_stopping(job_id):  # a cycle running meanwhile would write its state over the reset
            self._reset_state(job_id, scope)
            self._jobs.change(job_id, lambda record: restarted(record.job, scope))
            # As in Entra, the new cycle starts now, not one interval after the last one.
            self._jobs.mark_due_at_once(job_id, True)
        self._publish(JobChanged(job_id))

    def _reset_state(self, job_id: str, scope: SynchronizationJobRestartScope) -> None:
        with self.state(job_id) as state:
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

    def _record_result(self, job_id: str, result: CycleResult) -> bool:
        """The cycle in the job's status and history; True if its escrows are to be pruned."""
        prune = False

        def record(job: JobRecord) -> None:
            nonlocal prune
            # A failed cycle reaches no escrow threshold (and its settings may be what failed).
            thresholds = EscrowThresholds() if result.failure else self._thresholds(job.job, self._jobs.secrets(job))
            prune = apply_cycle_result(job.job, result, self._clock.now(), thresholds)
            execution = result.execution
            job.remember(
                {
                    "timeBegan": format_datetime(execution.time_began),
                    "seconds": round((execution.time_ended - execution.time_began).total_seconds(), 3),
                    "exports": execution.count_exported,
                    "escrowed": execution.count_escrowed_raw,
                    "state": execution.state.value,
                    "paused": result.paused,
                }
            )

        self._jobs.change(job_id, record)
        self._publish(JobChanged(job_id))
        return prune

    # --- when ---------------------------------------------------------------------------------------

    def due_jobs(self, now: datetime, skipped: Callable[[str, str], None] | None = None) -> list[str]:
        """Jobs whose next cycle is due: Active, not running, past their interval or quarantine retry.
        A job whose schedule cannot be read (one stored before it was checked) is left out, and
        `skipped(job_id, why)` is told: the others are still due."""
        due = []
        for record in self._jobs.all():
            why = None
            try:
                if self._is_due(record, now):
                    due.append(record.id)
            except SettingError as error:  # an interval out of range
                why = f"{error}; fix it with `synctui jobs update {record.id} --interval DURATION`"
            except (ValueError, OverflowError, KeyError, TypeError) as error:  # a record this version cannot read
                why = " ".join(str(error).split())
            if why is not None and skipped is not None:
                skipped(record.id, why)
        return due

    def _is_due(self, record: JobRecord, now: datetime) -> bool:
        if record.id in self._running or record.job.required_schedule().state != SynchronizationScheduleState.Active:
            return False
        check_interval(record.job.required_schedule().interval)
        due = self.next_run(record, now)
        return due is not None and due <= now

    def next_run(self, record: JobRecord, now: datetime) -> datetime | None:
        """When the job's next cycle is due (see `status.next_cycle`): None if it runs none. Input
        waiting for it (a bulkUpload payload) makes it due at once."""
        return next_cycle(record.job, now, due_at_once=record.due_at_once or self._waiting(record.job))


def _failed_result(error: ServiceError | DirectoryError, now: datetime) -> CycleResult:
    failure = (
        error
        if isinstance(error, ConnectionFailure)
        else ConnectionFailure(error.code, error.message)
        if isinstance(error, DirectoryError)
        else ConnectionFailure("InvalidConfiguration", str(error))
    )
    execution = SynchronizationTaskExecution(
        activity_identifier=str(uuid.uuid4()),
        state=SynchronizationTaskExecutionResult.Failed,
        error=SynchronizationError(
            code=failure.code, message=failure.message, tenant_actionable=failure.tenant_actionable
        ),
        time_began=now,
        time_ended=now,
    )
    return CycleResult(execution=execution, initial=False, failure=failure)


def _both(first: Trace | None, second: Trace) -> Trace:
    if first is None:
        return second

    def both(record: dict[str, Any]) -> None:
        first(record)
        second(record)

    return both


def on_demand_result(entry: dict[str, Any]) -> StringKeyStringValuePair:
    """Graph's provisionOnDemand answer for a log entry: the key says the result, the value is the
    entry (both JSON text)."""
    status = entry["statusInfo"]
    result = {"success": "Success", "skipped": "Skipped", "failure": "Failure"}.get(status["status"], "Warning")
    key = {"result": result, "details": {"errorCode": status.get("errorCode"), "errorMessage": status.get("reason")}}
    return StringKeyStringValuePair.of_own_values(key=orjson.dumps(key).decode(), value=orjson.dumps(entry).decode())


def on_demand_summary(key: Mapping[str, Any]) -> str:
    """One line for a person about a provisionOnDemand key: the result, and the reason of a skip or
    a failure, said once. A RedundantExport is no change, not an error."""
    details = key.get("details") or {}
    code, message = details.get("errorCode"), details.get("errorMessage")
    if code == "RedundantExport":
        return "No change: the object in the target already matches the source (RedundantExport)"
    parts = [str(key.get("result") or "Unknown"), *(part for part in (code, message) if part)]
    return ": ".join(dict.fromkeys(parts))  # a reason that only repeats the code is said once
