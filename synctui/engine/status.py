"""How a cycle's outcome, and start, pause and restart, change a job's status: counters, steady
state, quarantine, the lifecycle of design.md.

Pure functions over the Graph models, so the rules (spec sections 8–10) are tested directly.
"""

from __future__ import annotations

import math
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
                message=f"{result.staged_deletes} disables/deletes were held back: more than the accidental-deletion "
                f"threshold of {result.delete_threshold} in one cycle; review them with `synctui jobs preview "
                f"{job.id}`, then allow them with `synctui jobs allow-deletes {job.id}`, or fix the source and "
                f"`synctui jobs restart {job.id}`",
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
            settle_code(job)
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
        settle_code(job)
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
    if current.series_began and now - current.series_began > QUARANTINE_MAX_AGE:
        schedule.state = SynchronizationScheduleState.Disabled
    settle_code(job)


def lift_quarantine(job: SynchronizationJob) -> None:
    job.required_status().quarantine = None
    settle_code(job)


# --- the lifecycle (design.md): what start, pause and restart do to a job's schedule and status ---


def started(job: SynchronizationJob) -> None:
    """Start: the schedule Active and any quarantine lifted; NotRun until a first cycle ends."""
    job.required_schedule().state = SynchronizationScheduleState.Active
    lift_quarantine(job)


def paused(job: SynchronizationJob) -> None:
    job.required_schedule().state = SynchronizationScheduleState.Paused
    settle_code(job)


def restarted(job: SynchronizationJob, scope: SynchronizationJobRestartScope) -> None:
    """Restart with Graph's reset flags: Active again; the quarantine lifted only when the scope says so."""
    job.required_schedule().state = SynchronizationScheduleState.Active
    if SynchronizationJobRestartScope.QuarantineState in scope or SynchronizationJobRestartScope.ForceDeletes in scope:
        lift_quarantine(job)
    if SynchronizationJobRestartScope.Escrows in scope:
        job.required_status().escrows_pruned = False
    settle_code(job)


def settle_code(job: SynchronizationJob) -> None:
    """The status code that the schedule, the quarantine and the job's history make. Every
    transition ends here, so no view can show a code that contradicts the schedule (spec 5.1):

    - NotConfigured stays until the template's required values are set (templates.py);
    - a Paused schedule is Paused (the admin's pause wins; a quarantine is kept for Start to lift);
    - a quarantine is Quarantine, whatever the schedule (a quarantine older than 28 days disables it);
    - a job no cycle has run for is NotRun;
    - one that has run is Active on an Active schedule, and Paused on a Disabled one (a cycle run
      by hand on a job never started: it runs on no schedule and keeps its state, which is what
      Graph's Paused says; Graph pairs a Disabled schedule with Paused for new jobs too)."""
    status, schedule = job.required_status(), job.required_schedule()
    if status.code == SynchronizationStatusCode.NotConfigured:
        return
    if schedule.state == SynchronizationScheduleState.Paused:
        status.code = SynchronizationStatusCode.Paused
    elif status.quarantine is not None:
        status.code = SynchronizationStatusCode.Quarantine
    elif status.last_execution is None:
        status.code = SynchronizationStatusCode.NotRun
    elif schedule.state == SynchronizationScheduleState.Active:
        status.code = SynchronizationStatusCode.Active
    else:
        status.code = SynchronizationStatusCode.Paused


def next_cycle(job: SynchronizationJob, now: datetime, *, due_at_once: bool = False) -> datetime | None:
    """When the scheduler runs the job's next cycle, or None when it runs none: its schedule is not
    Active (Disabled or Paused: only Start runs it again), it is not configured, or its schedule
    expires first. In quarantine, at the quarantine's next attempt; else one interval after the
    last cycle ended; at once (NEVER, long past) for a job that never ran or is `due_at_once` (its
    cycle was cut short, or a restart asked for a new one). Every view of "next run" reads this."""
    status, schedule = job.required_status(), job.required_schedule()
    if schedule.state != SynchronizationScheduleState.Active or status.code == SynchronizationStatusCode.NotConfigured:
        return None
    last = status.last_execution
    if status.quarantine is not None and status.quarantine.next_attempt not in (None, NEVER):
        due = status.quarantine.next_attempt
    elif due_at_once or last is None or last.time_ended == NEVER:
        due = NEVER
    else:
        try:
            due = last.time_ended + schedule.interval
        except OverflowError:  # an interval stored before it was checked, past the calendar's end
            return None
    if schedule.expiration is not None and max(due, now) >= schedule.expiration:
        return None
    return due


def escrow_retry(
    job: SynchronizationJob, next_retry: datetime, next_run: datetime | None, now: datetime
) -> datetime | None:
    """When a cycle really retries an escrow whose back-off ends at `next_retry`: the first cycle
    at or after it, counting `next_run` (`next_cycle`) and one interval after each (in quarantine,
    attempts come further apart: then the earliest it can be). None: no cycle is scheduled."""
    if next_run is None:
        return None
    first = max(next_run, now)
    if next_retry <= first:
        return first
    interval = job.required_schedule().interval
    return first + interval * math.ceil((next_retry - first) / interval)
