"""One process at a time works on a job's state: a second process — a `synctui jobs run` in a
terminal while the dashboard or `serve` runs the job's cycle — is refused with a message naming the
first, and a killed process leaves nothing locked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.cli import main
from synctui.service import Busy, CycleProgress, SyncService
from synctui.store import Home, JobLock, JobLocked, JobStateStore

from .processes import jsonfile_job_over_a_small_tenant

USERS = 3000
"""A cycle long enough to be caught running (as in test_cycle_process.py)."""

HOLD = """
import sys, time
from pathlib import Path
from synctui.store import JobLock
JobLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(service: SyncService):
    """A job of the demo home, and a function starting another process that locks it."""
    job_id = next(job.id for job in service.list_jobs() if job.template_id == "jsonfile")
    started: list[subprocess.Popen[str]] = []

    def lock_elsewhere() -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(service.home.job_state_file(job_id))], stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        return process

    yield job_id, lock_elsewhere
    for process in started:
        process.kill()
        process.wait()


def test_a_job_another_process_works_on_is_refused_naming_it(service: SyncService, holder) -> None:
    job_id, lock_elsewhere = holder
    other = lock_elsewhere()
    with pytest.raises(Busy, match=rf"job {job_id}: process {other.pid} is working on this job"):
        service.run_cycle(job_id)
    with pytest.raises(Busy):
        service.provision_on_demand(job_id, "anything")
    with pytest.raises(Busy):
        service.retry_escrows(job_id)
    assert not service.is_running(job_id)


def test_a_killed_holder_leaves_the_job_free(service: SyncService, holder) -> None:
    job_id, lock_elsewhere = holder
    other = lock_elsewhere()
    os.kill(other.pid, signal.SIGKILL)
    other.wait()
    assert service.run_cycle(job_id).state.value == "Succeeded"
    # …and the lock was let go once the cycle ended: another process may take it now.
    lock = JobLock(service.home.job_state_file(job_id))
    lock.acquire()
    lock.release()


def test_the_command_line_says_so_in_one_line(
    service: SyncService, holder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id, lock_elsewhere = holder
    other = lock_elsewhere()
    monkeypatch.setenv("SYNCTUI_HOME", str(service.home.root))
    assert main(["jobs", "run", job_id]) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and f"process {other.pid} is working on this job" in error


def test_a_lock_in_this_process_is_refused_to_a_second_taker(tmp_path: Path) -> None:
    first, second = JobLock(tmp_path / "job.json"), JobLock(tmp_path / "job.json")
    first.acquire()
    with pytest.raises(JobLocked, match=f"process {os.getpid()}"):
        second.acquire()
    first.release()
    second.acquire()
    second.release()
    assert (tmp_path / "job.lock").exists()  # left in place (see job_lock.py)


def test_deleting_a_job_removes_its_lock_file(service: SyncService, holder) -> None:
    job_id, _ = holder
    service.run_cycle(job_id)
    lock = service.home.job_state_file(job_id).with_suffix(".lock")
    assert lock.exists()
    service.delete_job(job_id)
    assert not lock.exists()


@pytest.mark.parametrize("action", ["restart", "delete"])
def test_restart_and_delete_are_refused_while_another_process_works_on_the_job(
    service: SyncService, holder, action: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Else the restart's reset is lost under the other's next checkpoint, or the deleted job's
    files come back with it."""
    job_id, lock_elsewhere = holder
    service.run_cycle(job_id)
    other = lock_elsewhere()
    files = {path: path.read_bytes() for path in service.home.jobs_dir.glob(f"{job_id}*")}
    config = service.home.config_file.read_bytes()
    with pytest.raises(
        Busy,
        match=rf"job {job_id}: process {other.pid} is working on this job .*; wait for it "
        "to finish, or pause the job first so that no new cycle starts, then try again",
    ):
        getattr(service, f"{action}_job")(job_id)
    monkeypatch.setenv("SYNCTUI_HOME", str(service.home.root))
    assert main(["jobs", action, job_id]) == 1
    assert f"process {other.pid} is working on this job" in capsys.readouterr().err
    assert {path: path.read_bytes() for path in service.home.jobs_dir.glob(f"{job_id}*")} == files
    assert service.home.config_file.read_bytes() == config
    assert not service.is_running(job_id)


@pytest.mark.parametrize("in_processes", [False, True], ids=["cycle on a thread", "cycle in a child process"])
def test_deleting_a_job_whose_cycle_this_process_runs_stops_the_cycle_first(tmp_path: Path, in_processes: bool) -> None:
    """The scheduler's thread, or the dashboard's child process: the cycle stops at its next
    checkpoint and ends before the job's files go, so that it does not write them again."""
    service = open_service(Home(tmp_path / "home"), cycles_in_processes=in_processes)
    job_id = jsonfile_job_over_a_small_tenant(service, tmp_path, USERS, CheckpointSeconds="0.01")
    deleting: list[threading.Thread] = []

    def delete_once_running(event: object) -> None:
        if isinstance(event, CycleProgress) and not deleting:
            deleting.append(threading.Thread(target=service.delete_job, args=(job_id,)))
            deleting[0].start()

    service.subscribe(delete_once_running)
    execution = service.run_cycle(job_id)
    deleting[0].join(timeout=60)
    assert not deleting[0].is_alive()
    assert execution.count_exported < USERS  # stopped part way…
    assert job_id not in {job.id for job in service.list_jobs()}
    assert sorted(service.home.jobs_dir.glob(f"{job_id}*")) == []  # …and no file of the job came back


def test_restarting_a_job_whose_cycle_runs_in_a_child_process_applies_the_reset(tmp_path: Path) -> None:
    service = open_service(Home(tmp_path / "home"), cycles_in_processes=True)
    job_id = jsonfile_job_over_a_small_tenant(service, tmp_path, USERS, CheckpointSeconds="0.01")
    restarting: list[threading.Thread] = []

    def restart_once_running(event: object) -> None:
        if isinstance(event, CycleProgress) and not restarting:
            restarting.append(threading.Thread(target=service.restart_job, args=(job_id, "Full")))
            restarting[0].start()

    service.subscribe(restart_once_running)
    execution = service.run_cycle(job_id)
    restarting[0].join(timeout=60)
    assert execution.count_exported < USERS
    state = JobStateStore(service.home.job_state_file(job_id))
    snapshot = state.load()
    state.close()
    assert snapshot.entries == {} and "cursor" not in snapshot.meta  # the reset, not the cycle's last checkpoint
