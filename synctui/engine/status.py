"""How a cycle's outcome, and start, pause and restart, change a job's status: counters, steady
state, quarantine, the lifecycle of design.md.

Pure functions over the Graph models, so the rules (spec sections 8–10) are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import (
    NEVER,
    QuarantineReason,
    StringKeyLongValuePair,
    SynchronizationError,
    SynchronizationJob,
    SynchronizationJobRestartScope,
    SynchronizationProgress,
    SynchronizationQuarantine,
    SynchronizationScheduleState,
    SynchronizationStatusCode,
    SynchronizationTaskExecutionResult,
)
from .cycle import CycleResult
from .escrow_policy import doubled

QUARANTINE_MAX_AGE = timedelta(days=28)
QUARANTINE_MAX_BACKOFF = timedelta(days=1)


@dataclass(frozen=True)
class EscrowThresholds:
    """Spec section 9: evaluated only from `base` failures; then > `proportion` of events or >
    `total` failures (reference failures excluded), or > `absolute` failures in all."""

    base: int = 5000
    proportion: float = 0.4
    total: int = 40000
    absolute: int = 60000

    def breached(self, result: CycleResult) -> QuarantineReason | None:
        object_failures = result.escrows_outstanding
        all_failures = object_failures + result.reference_failures
        if all_failures > self.absolute:
            return QuarantineReason.EncounteredTotalEscrowThreshold
        if object_failures < self.base:
            return None
        if object_failures > self.total:
            return QuarantineReason.EncounteredTotalEscrowThreshold
        if result.events and object_failures > self.proportion * result.events:
            return QuarantineReason.EncounteredEscrowProportionThreshold
        return QuarantineReason.EncounteredBaseEscrowThreshold if object_failures > self.base else None


def apply_cycle_result(
    job: SynchronizationJob, result: CycleResult, now: datetime, thresholds: EscrowThresholds = EscrowThresholds()
) -> bool:
    """Record a finished (or paused) cycle in `job.status` and `job.schedule`.

    Returns True when the escrows must be pruned: an initial cycle that reached an escrow
    threshold clears its escrows instead of quarantining, and the job pauses for the admin."""
    status, schedule = job.required_status(), job.required_schedule()
    execution = result.execution
    status.last_execution = execution
    status.progress = [
        SynchronizationProgress(
            completed_units=execution.count_imported_deltas,
            total_units=execution.count_imported_deltas,
            progress_observation_date_time=now,
            units="entries",
        )
    ]
    status.synchronized_entry_count_by_type = [
        StringKeyLongValuePair(key=name, value=count) for name, count in result.entry_counts.items()
    ]
    if result.failure is not None:
        status.count_successive_complete_failures += 1
        quarantine(job, QuarantineReason.EncounteredQuarantineException, execution.error, now)
        return False
    status.count_successive_complete_failures = 0
    if result.staged_deletes:
        quarantine(
            job,
            QuarantineReason.TooManyDeletes,
            SynchronizationError(
                code="TooManyDeletes",
                message=f"{result.staged_deletes} disables/deletes were held back by the accidental-deletion "
                f"threshold; allow them with `synctui jobs restart {job.id} --scope ForceDeletes` (a in the "
                "dashboard), or fix the source and restart",
                tenant_actionable=True,
            ),
            now,
        )
        return False
    breached = thresholds.breached(result)
    if breached is not None:
        if result.initial:
            status.escrows_pruned = True
            schedule.state = SynchronizationScheduleState.Paused
            status.code = SynchronizationStatusCode.Paused
            return True
        quarantine(
            job,
            breached,
            SynchronizationError(
                code=breached.value,
                message=f"{result.escrows_outstanding} objects failed to provision; "
                "fix the errors shown in the escrows and logs, then start the job",
                tenant_actionable=True,
            ),
            now,
        )
        return False
    if result.paused:
        return False
    lift_quarantine(job)
    if execution.state == SynchronizationTaskExecutionResult.Succeeded:
        status.last_successful_execution = execution
    if execution.count_exported:
        status.last_successful_execution_with_exports = execution
    if result.steady:
        if status.steady_state_first_achieved_time == NEVER:
            status.steady_state_first_achieved_time = now
        status.steady_state_last_achieved_time = now
    if schedule.state == SynchronizationScheduleState.Active:
        status.code = SynchronizationStatusCode.Active
    return False


def quarantine(
    job: SynchronizationJob, reason: QuarantineReason, error: SynchronizationError | None, now: datetime
) -> None:
    """Impose or extend quarantine. Attempts back off from one interval to once a day; after 28
    days the job is disabled."""
    status, schedule = job.required_status(), job.required_schedule()
    current = status.quarantine
    if current is None:
        current = SynchronizationQuarantine(series_began=now, series_count=0)
    else:
        current.series_count += 1
    current.current_began = now
    current.reason = reason
    current.error = error
    backoff = doubled(schedule.interval, current.series_count, QUARANTINE_MAX_BACKOFF)
    current.next_attempt = now + max(backoff, schedule.interval)
    status.quarantine = current
    status.code = SynchronizationStatusCode.Quarantine
    if current.series_began and now - current.series_began > QUARANTINE_MAX_AGE:
        schedule.state = SynchronizationScheduleState.Disabled


def lift_quarantine(job: SynchronizationJob) -> None:
    status = job.required_status()
    status.quarantine = None
    if status.code == SynchronizationStatusCode.Quarantine:
        status.code = SynchronizationStatusCode.Active


# --- the lifecycle (design.md): what start, pause and restart do to a job's schedule and status ---


def started(job: SynchronizationJob) -> None:
    """Start: the schedule Active and any quarantine lifted; NotRun until a first cycle ends."""
    job.required_schedule().state = SynchronizationScheduleState.Active
    lift_quarantine(job)
    _settle_code(job)


def paused(job: SynchronizationJob) -> None:
    job.required_schedule().state = SynchronizationScheduleState.Paused
    job.required_status().code = SynchronizationStatusCode.Paused


def restarted(job: SynchronizationJob, scope: SynchronizationJobRestartScope) -> None:
    """Restart with Graph's reset flags: Active again; the quarantine lifted only when the scope says so."""
    job.required_schedule().state = SynchronizationScheduleState.Active
    if SynchronizationJobRestartScope.QuarantineState in scope or SynchronizationJobRestartScope.ForceDeletes in scope:
        lift_quarantine(job)
    if SynchronizationJobRestartScope.Escrows in scope:
        job.required_status().escrows_pruned = False
    _settle_code(job)


def _settle_code(job: SynchronizationJob) -> None:
    status = job.required_status()
    status.code = (
        SynchronizationStatusCode.Quarantine
        if status.quarantine
        else SynchronizationStatusCode.Active
        if status.last_execution
        else SynchronizationStatusCode.NotRun
    )
