"""One process at a time works on a job's state: a second process — a `synctui jobs run` in a
terminal while the dashboard or `serve` runs the job's cycle — is refused with a message naming the
first, and a killed process leaves nothing locked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from synctui.cli import main
from synctui.service import Busy, SyncService
from synctui.store import JobLock, JobLocked

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
        process = subprocess.Popen([sys.executable, "-c", HOLD, str(service.home.job_state_file(job_id))],
                                   stdout=subprocess.PIPE, text=True)
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


def test_the_command_line_says_so_in_one_line(service: SyncService, holder, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
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
