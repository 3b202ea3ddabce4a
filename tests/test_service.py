"""The service on a real home folder: job lifecycle, restart scopes, the scheduler with a frozen clock."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from synctui.clock import FrozenClock
from synctui.connectors.base import Modification
from synctui.connectors.tenant import TenantDirectory
from synctui.models import SynchronizationScheduleState as Schedule
from synctui.models import SynchronizationStatusCode as Code
from synctui.scheduler import Scheduler
from synctui.service import InvalidRequest, NotFound, SyncService
from synctui.store import JobStateStore


def _jsonfile_job(service: SyncService, tmp_path: Path, **kwargs) -> str:
    target = tmp_path / "target.json"
    job = service.create_job("jsonfile", name="test", secrets={"ConnectionString": str(target)}, **kwargs)
    return job.id


def _state(service: SyncService, job_id: str) -> JobStateStore:
    """The job's state files, as another process would open them."""
    return JobStateStore(service.home.job_state_file(job_id))


def _target(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "target.json").read_text())


def test_a_new_home_is_seeded_with_demo_jobs(service: SyncService) -> None:
    summaries = {s.job.template_id: s for s in service.job_summaries()}
    assert set(summaries) == {"jsonfile", "scim", "csvInbound"}
    assert summaries["scim"].job.status.code == Code.NotConfigured
    assert summaries["jsonfile"].job.schedule.state == Schedule.Active
    assert service.home.tenant_file.exists()


def test_lifecycle_follows_the_design_table(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    job = service.get_job(job_id)
    assert job.schedule.state == Schedule.Disabled and job.status.code == Code.NotRun
    assert job.id.startswith("jsonfile.") and service.get_schema(job_id).id == job_id
    service.start_job(job_id)
    assert service.get_job(job_id).status.code == Code.NotRun
    service.run_cycle(job_id)
    job = service.get_job(job_id)
    assert job.status.code == Code.Active and job.status.last_execution.state.value == "Succeeded"
    service.pause_job(job_id)
    job = service.get_job(job_id)
    assert job.schedule.state == Schedule.Paused and job.status.code == Code.Paused
    service.start_job(job_id)
    assert service.get_job(job_id).status.code == Code.Active
    service.delete_job(job_id)
    with pytest.raises(NotFound):
        service.get_job(job_id)
    assert not list(service.home.jobs_dir.glob(f"{job_id}*"))  # every state file, the connector space's too
    assert (tmp_path / "target.json").exists()  # target objects untouched


def test_a_job_missing_secrets_is_not_configured_and_cannot_start(service: SyncService) -> None:
    job = service.create_job("jsonfile")
    assert job.status.code == Code.NotConfigured
    with pytest.raises(InvalidRequest, match="ConnectionString"):
        service.start_job(job.id)


def test_restart_watermark_makes_the_next_cycle_initial(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    service.run_cycle(job_id)
    steady = service.run_cycle(job_id)
    assert steady.count_imported_deltas == 0 and steady.count_exports == 0
    service.restart_job(job_id, "Watermark")
    again = service.run_cycle(job_id)
    assert again.count_entitled > 100 and again.count_exports == 0  # everything re-evaluated, nothing to change


def test_restart_connector_data_store_rematches_without_duplicates(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    service.run_cycle(job_id)
    users_before = len(_target(tmp_path)["User"])
    service.restart_job(job_id, "ConnectorDataStore")
    service.run_cycle(job_id)
    assert len(_target(tmp_path)["User"]) == users_before


def test_restart_escrows_drops_them(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    _state(service, job_id).checkpoint(escrows={"User:x": {"key": "User:x", "nextRetry": "2099-01-01T00:00:00Z"}})
    assert service.escrows(job_id)
    service.restart_job(job_id, "Escrows")
    assert service.escrows(job_id) == []


def test_schema_change_makes_the_next_cycle_initial(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    service.run_cycle(job_id)
    schema = service.get_schema(job_id)
    schema.synchronization_rules[0].object_mappings[0].attribute_mappings = [
        m
        for m in schema.synchronization_rules[0].object_mappings[0].attribute_mappings
        if m.target_attribute_name != "jobTitle"
    ]
    service.put_schema(job_id, schema)
    execution = service.run_cycle(job_id)
    assert execution.count_entitled > 100


def test_deletion_threshold_quarantines_and_allow_deletes_exports_them(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path, settings={"QuarantineTooManyDeletesThreshold": "3"})
    service.run_cycle(job_id)
    tenant = TenantDirectory(service.home.tenant_file)
    users = [u for u in tenant.read_all("User") if u.get("accountEnabled")][:5]
    for user in users:
        tenant.update("User", user["id"], Modification(replace={"accountEnabled": False}))
    tenant.flush()
    service.run_cycle(job_id)
    job = service.get_job(job_id)
    assert job.status.code == Code.Quarantine and job.status.quarantine.reason.value == "TooManyDeletes"
    staged = [e for e in service.logs(job_id) if e["provisioningAction"] == "stagedDelete"]
    assert len(staged) == 5
    enabled = {u["userPrincipalName"]: u["accountEnabled"] for u in _target(tmp_path)["User"]}
    assert all(enabled[u["userPrincipalName"]] for u in users)
    service.restart_job(job_id, "ForceDeletes")
    service.run_cycle(job_id)
    enabled = {u["userPrincipalName"]: u["accountEnabled"] for u in _target(tmp_path)["User"]}
    assert not any(enabled[u["userPrincipalName"]] for u in users)
    assert service.get_job(job_id).status.code == Code.Active


def test_unreachable_target_quarantines_and_start_lifts_it(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    job = service.create_job("jsonfile", secrets={"ConnectionString": "/proc/forbidden/target.json"})
    service.start_job(job.id)
    execution = service.run_cycle(job.id)
    assert execution.state.value == "Failed"
    status = service.get_job(job.id).status
    assert status.code == Code.Quarantine
    assert status.quarantine.reason.value == "EncounteredQuarantineException"
    assert status.quarantine.next_attempt > clock.now()
    service.put_secrets(job.id, {"ConnectionString": str(tmp_path / "ok.json")})
    service.start_job(job.id)
    assert service.get_job(job.id).status.quarantine is None
    assert service.run_cycle(job.id).state.value == "Succeeded"


def test_provision_on_demand_returns_the_steps(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    user = next(iter(TenantDirectory(service.home.tenant_file).read_all("User")))
    result = service.provision_on_demand(job_id, user["id"])
    key, value = json.loads(result.key), json.loads(result.value)
    assert key["result"] == "Success"
    steps = [step["provisioningStepType"] for step in value["provisioningSteps"]]
    assert steps[:3] == ["import", "scoping", "matching"] and "export" in steps
    with pytest.raises(NotFound):
        service.provision_on_demand(job_id, "no-such-user")


def test_preview_exports_nothing(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    entries = service.preview(job_id)
    assert entries and all(e["provisioningAction"] in ("create", "update") for e in entries)
    assert not (tmp_path / "target.json").exists()
    assert service.get_job(job_id).status.last_execution is None


def test_scheduler_runs_due_jobs_by_the_injected_clock(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    for job in service.list_jobs():
        service.pause_job(job.id)
    job_id = _jsonfile_job(service, tmp_path, interval="PT10M")
    service.start_job(job_id)
    scheduler = Scheduler(service, clock=clock)
    try:
        assert scheduler.tick() == [job_id]
        scheduler.wait_for_cycles()
        assert scheduler.tick() == []
        clock.advance(timedelta(minutes=9))
        assert scheduler.tick() == []
        clock.advance(timedelta(minutes=2))
        assert scheduler.tick() == [job_id]
        scheduler.wait_for_cycles()
        service.pause_job(job_id)
        clock.advance(timedelta(hours=1))
        assert scheduler.tick() == []
    finally:
        scheduler.stop()


def test_status_progress_is_current_while_a_cycle_runs(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    seen = []

    def watch(event) -> None:
        if getattr(event, "completed", 0) == 50:
            seen.append(service.get_job(job_id).status.progress)

    service.subscribe(watch)
    service.run_cycle(job_id)
    assert seen and seen[0][0].completed_units == 50 and seen[0][0].total_units > 50
    final = service.get_job(job_id).status.progress[0]
    assert final.completed_units == final.total_units


def test_restart_full_resets_the_four_and_keeps_staged_deletes_held(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    service.run_cycle(job_id)
    _state(service, job_id).checkpoint(escrows={"User:x": {"key": "User:x", "nextRetry": "2099-01-01T00:00:00Z"}})
    service.restart_job(job_id, "Full")
    after = _state(service, job_id).load()
    assert after.entries == {} and after.escrows == {} and "watermark" not in after.meta
    assert "forceDeletes" not in after.meta  # ForceDeletes is not part of Full
    users_before = len(_target(tmp_path)["User"])
    execution = service.run_cycle(job_id)
    assert execution.count_entitled > 100 and len(_target(tmp_path)["User"]) == users_before  # re-matched
