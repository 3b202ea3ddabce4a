"""Cycles in child processes (what the dashboard uses): the status, progress and a stop reach
the parent, and the child's errors come back as the service's."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.models import SynchronizationStatusCode as Code
from synctui.service import CycleProgress, InvalidRequest, SyncService
from synctui.store import Home

from .processes import jsonfile_job_over_a_small_tenant

USERS = 3000


@pytest.fixture
def service(tmp_path: Path) -> SyncService:
    return open_service(Home(tmp_path / "home"), cycles_in_processes=True)


def _job(service: SyncService, tmp_path: Path, **settings: str) -> str:
    return jsonfile_job_over_a_small_tenant(service, tmp_path, USERS, **settings)


def test_a_cycle_in_a_child_process_reports_progress_and_its_status(service: SyncService, tmp_path: Path) -> None:
    job_id = _job(service, tmp_path)
    progress: list[tuple[int, int]] = []
    service.subscribe(lambda e: progress.append((e.completed, e.total)) if isinstance(e, CycleProgress) else None)
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Succeeded" and execution.count_exported == USERS
    assert progress[0] == (0, USERS) and progress[-1] == (USERS, USERS)
    job = service.get_job(job_id)  # written by the child, read afresh here
    assert job.status.last_execution.activity_identifier == execution.activity_identifier
    assert len(json.loads((tmp_path / "target.json").read_text())["User"]) == USERS
    assert service.run_cycle(job_id).count_exports == 0  # the child's state is the next one's


def test_stopping_stops_the_child_at_a_checkpoint_and_the_cycle_resumes(service: SyncService, tmp_path: Path) -> None:
    job_id = _job(service, tmp_path, CheckpointSeconds="0.01")
    started = threading.Event()
    service.subscribe(lambda e: started.set() if isinstance(e, CycleProgress) else None)
    threading.Thread(target=lambda: started.wait(30) and service.stop_all(), daemon=True).start()
    paused = service.run_cycle(job_id)
    assert paused.count_exported < USERS
    resumed = service.run_cycle(job_id)
    assert resumed.activity_identifier == paused.activity_identifier  # the same cycle went on
    assert len(json.loads((tmp_path / "target.json").read_text())["User"]) == USERS


def test_the_childs_error_is_the_services(service: SyncService) -> None:
    job = service.create_job("jsonfile")  # no ConnectionString: not configured
    assert service.get_job(job.id or "").status.code == Code.NotConfigured
    with pytest.raises(InvalidRequest, match="ConnectionString"):
        service.run_cycle(job.id or "")
