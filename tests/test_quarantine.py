"""Quarantine, escrow thresholds and their way out, on a real home with a frozen clock."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from synctui.clock import FrozenClock
from synctui.models import SynchronizationScheduleState as Schedule
from synctui.models import SynchronizationStatusCode as Code
from synctui.models import parse_datetime
from synctui.scheduler import Scheduler
from synctui.service import NotFound, SyncService

UNWRITABLE = "/proc/forbidden/target.json"


def _only(service: SyncService, **kwargs) -> str:
    for job in service.list_jobs():
        service.pause_job(job.id)
    job = service.create_job("jsonfile", **kwargs)
    service.start_job(job.id)
    return job.id


def test_quarantine_backs_off_to_once_a_day_and_disables_after_28_days(
    service: SyncService, clock: FrozenClock
) -> None:
    job_id = _only(service, secrets={"ConnectionString": UNWRITABLE}, interval="PT40M")
    scheduler = Scheduler(service, clock=clock)
    gaps = []
    try:
        for _ in range(40):
            assert scheduler.tick() == [job_id]
            scheduler.wait_for_cycles()
            job = service.get_job(job_id)
            if job.schedule.state == Schedule.Disabled:
                break
            gaps.append(job.status.quarantine.next_attempt - clock.now())
            clock.set(job.status.quarantine.next_attempt - timedelta(seconds=1))
            assert scheduler.tick() == []  # not before the next attempt
            clock.advance(timedelta(seconds=1))
    finally:
        scheduler.stop()
    assert gaps[:3] == [timedelta(minutes=40), timedelta(minutes=80), timedelta(minutes=160)]
    assert max(gaps) == timedelta(days=1)
    job = service.get_job(job_id)
    assert job.schedule.state == Schedule.Disabled and job.status.code == Code.Quarantine
    assert job.status.quarantine.series_count == len(gaps)
    assert job.status.count_successive_complete_failures == len(gaps) + 1
    assert service.due_jobs(clock.now() + timedelta(days=30)) == []


def test_restart_quarantine_state_lifts_it(service: SyncService, tmp_path: Path) -> None:
    job_id = _only(service, secrets={"ConnectionString": UNWRITABLE})
    service.run_cycle(job_id)
    assert service.get_job(job_id).status.code == Code.Quarantine
    service.put_secrets(job_id, {"ConnectionString": str(tmp_path / "ok.json")})
    service.restart_job(job_id, "QuarantineState")
    job = service.get_job(job_id)
    assert job.status.quarantine is None and job.status.code != Code.Quarantine
    assert service.run_cycle(job_id).state.value == "Succeeded"


def _dated_titles(service: SyncService) -> None:
    tenant = json.loads(service.home.tenant_file.read_text())
    for user in tenant["users"]:
        user["jobTitle"] = "2021-05-17"
    service.home.tenant_file.write_text(json.dumps(tenant))


def _title_as_year(service: SyncService, job_id: str) -> None:
    from synctui.expressions import parse

    schema = service.get_schema(job_id)
    users = schema.synchronization_rules[0].object_mappings[0]
    mapping = next(m for m in users.attribute_mappings if m.target_attribute_name == "jobTitle")
    mapping.source = parse('FormatDateTime([jobTitle], , "yyyy-MM-dd", "yyyy")')
    service.put_schema(job_id, schema)


def test_escrow_threshold_quarantines_an_incremental_cycle(service: SyncService, tmp_path: Path) -> None:
    job_id = _only(
        service,
        secrets={"ConnectionString": str(tmp_path / "t.json")},
        settings={"QuarantineEscrowBaseThreshold": "5", "QuarantineEscrowProportionThreshold": "0.4"},
    )
    _dated_titles(service)
    _title_as_year(service, job_id)
    assert service.run_cycle(job_id).state.value == "Succeeded"
    tenant = json.loads(service.home.tenant_file.read_text())
    for user in tenant["users"][:50]:
        user["jobTitle"] = "not a date"
    service.home.tenant_file.write_text(json.dumps(tenant))
    execution = service.run_cycle(job_id)
    assert execution.state.value == "EntryLevelErrors" and execution.count_escrowed >= 45
    job = service.get_job(job_id)
    assert job.status.code == Code.Quarantine
    assert job.status.quarantine.reason.value == "EncounteredEscrowProportionThreshold"
    assert len(service.escrows(job_id)) == execution.count_escrowed
    assert "FormatDateTime" in service.escrows(job_id)[0]["error"]["message"]


def test_an_initial_cycle_prunes_escrows_instead_and_pauses(service: SyncService, tmp_path: Path) -> None:
    job_id = _only(
        service, secrets={"ConnectionString": str(tmp_path / "t.json")}, settings={"QuarantineEscrowBaseThreshold": "5"}
    )
    _title_as_year(service, job_id)  # the sample's titles are not dates: every user fails
    execution = service.run_cycle(job_id)
    assert execution.count_escrowed > 5
    job = service.get_job(job_id)
    assert job.status.escrows_pruned is True
    assert job.schedule.state == Schedule.Paused and job.status.code == Code.Paused
    assert service.escrows(job_id) == []


def test_expired_schedules_do_not_run(service: SyncService, tmp_path: Path, clock: FrozenClock) -> None:
    job_id = _only(service, secrets={"ConnectionString": str(tmp_path / "t.json")})
    service.update_job(job_id, expiration=clock.now() + timedelta(hours=1))
    assert service.due_jobs(clock.now()) == [job_id]
    assert service.due_jobs(clock.now() + timedelta(hours=2)) == []


def _one_escrow(service: SyncService, tmp_path: Path, clock: FrozenClock) -> tuple[str, str]:
    """A job whose second cycle escrows one user and whose third sets its retry well ahead."""
    job_id = _only(service, secrets={"ConnectionString": str(tmp_path / "t.json")}, interval="PT40M")
    _dated_titles(service)
    _title_as_year(service, job_id)
    service.run_cycle(job_id)
    tenant = json.loads(service.home.tenant_file.read_text())
    tenant["users"][0]["jobTitle"] = "not a date"
    service.home.tenant_file.write_text(json.dumps(tenant))
    service.run_cycle(job_id)
    service.run_cycle(job_id)  # the first retry fails too: the next backs off (2 × 40 minutes)
    [escrow] = service.escrows(job_id)
    assert escrow["attempts"] == 2 and parse_datetime(escrow["nextRetry"]) == clock.now() + timedelta(minutes=80)
    return job_id, escrow["key"]


def test_retry_escrows_makes_them_due_on_the_next_cycle(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    job_id, _ = _one_escrow(service, tmp_path, clock)
    assert service.run_cycle(job_id).count_escrowed == 0  # backing off: not tried
    assert service.retry_escrows(job_id) == 1
    assert service.run_cycle(job_id).count_escrowed == 1
    assert service.escrows(job_id)[0]["attempts"] == 3


def test_dismiss_escrows_forgets_them_until_the_object_changes(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    job_id, key = _one_escrow(service, tmp_path, clock)
    assert service.dismiss_escrows(job_id, [key]) == 1
    assert service.escrows(job_id) == []
    clock.advance(timedelta(days=2))
    assert service.run_cycle(job_id).count_escrowed == 0


def test_unknown_escrow_keys_are_named(service: SyncService, tmp_path: Path, clock: FrozenClock) -> None:
    job_id, _ = _one_escrow(service, tmp_path, clock)
    with pytest.raises(NotFound, match="User:nobody"):
        service.dismiss_escrows(job_id, ["User:nobody"])
    assert len(service.escrows(job_id)) == 1
