"""The rules of engine/status.py that every view reads: the status code a job's schedule,
quarantine and history make, when its next cycle comes, and which cycle retries an escrow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from synctui.engine.status import escrow_retry, next_cycle, settle_code
from synctui.models import (
    NEVER,
    QuarantineReason,
    SynchronizationJob,
    SynchronizationQuarantine,
    SynchronizationSchedule,
    SynchronizationStatus,
    SynchronizationTaskExecution,
)
from synctui.models import SynchronizationScheduleState as Schedule
from synctui.models import SynchronizationStatusCode as Code

NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=40)


def _job(schedule: Schedule, *, ran: bool = True, quarantined: bool = False, code: Code = Code.NotRun):
    status = SynchronizationStatus(code=code)
    if ran:
        status.last_execution = SynchronizationTaskExecution(time_began=NOW, time_ended=NOW)
    if quarantined:
        status.quarantine = SynchronizationQuarantine(
            reason=QuarantineReason.TooManyDeletes, next_attempt=NOW + 2 * INTERVAL, series_began=NOW
        )
    return SynchronizationJob(
        id="j", schedule=SynchronizationSchedule(interval=INTERVAL, state=schedule), status=status
    )


@pytest.mark.parametrize(
    ("schedule", "ran", "quarantined", "code"),
    [
        (Schedule.Disabled, False, False, Code.NotRun),
        (Schedule.Active, False, False, Code.NotRun),
        (Schedule.Active, True, False, Code.Active),
        (Schedule.Disabled, True, False, Code.Paused),  # run by hand, never started: not NotRun, not Active
        (Schedule.Paused, True, False, Code.Paused),
        (Schedule.Paused, True, True, Code.Paused),  # the admin's pause wins; the quarantine is kept
        (Schedule.Active, True, True, Code.Quarantine),
        (Schedule.Disabled, True, True, Code.Quarantine),
    ],
)
def test_the_code_follows_the_schedule_quarantine_and_history(
    schedule: Schedule, ran: bool, quarantined: bool, code: Code
) -> None:
    job = _job(schedule, ran=ran, quarantined=quarantined)
    settle_code(job)
    assert job.status.code == code


def test_not_configured_stays_until_the_template_says_otherwise() -> None:
    job = _job(Schedule.Active, code=Code.NotConfigured)
    settle_code(job)
    assert job.status.code == Code.NotConfigured
    assert next_cycle(job, NOW) is None


@pytest.mark.parametrize("schedule", [Schedule.Disabled, Schedule.Paused])
def test_no_next_cycle_unless_the_schedule_is_active(schedule: Schedule) -> None:
    assert next_cycle(_job(schedule), NOW) is None
    assert next_cycle(_job(schedule, quarantined=True), NOW) is None  # no "next attempt" either


def test_the_next_cycle() -> None:
    assert next_cycle(_job(Schedule.Active, ran=False), NOW) == NEVER  # at once
    assert next_cycle(_job(Schedule.Active), NOW) == NOW + INTERVAL
    assert next_cycle(_job(Schedule.Active), NOW, due_at_once=True) == NEVER  # a restart, a cut-short cycle
    assert next_cycle(_job(Schedule.Active, quarantined=True), NOW) == NOW + 2 * INTERVAL
    expiring = _job(Schedule.Active)
    expiring.schedule.expiration = NOW + INTERVAL / 2
    assert next_cycle(expiring, NOW) is None


def test_an_escrow_is_retried_by_the_first_cycle_after_its_back_off() -> None:
    job = _job(Schedule.Active)
    next_run = NOW + INTERVAL
    assert escrow_retry(job, NOW - timedelta(minutes=5), next_run, NOW) == next_run  # due: the next cycle
    assert escrow_retry(job, next_run + timedelta(minutes=1), next_run, NOW) == next_run + INTERVAL
    assert escrow_retry(job, NOW, NEVER, NOW) == NOW  # the next cycle is due at once
    assert escrow_retry(job, NOW, None, NOW) is None  # no cycle is scheduled
