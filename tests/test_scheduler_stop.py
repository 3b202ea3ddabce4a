"""Stopping the scheduler (quitting the dashboard, ending `serve`) waits for no cycle it need not."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading
import time

from synctui.clock import FrozenClock
from synctui.scheduler import Scheduler
from synctui.service import SyncService


def test_a_cycle_submitted_but_not_started_never_starts_once_the_scheduler_stops(
    service: SyncService, clock: FrozenClock
) -> None:
    scheduler = Scheduler(service, clock=clock, workers=1)
    worker_free = threading.Event()
    scheduler._pool.submit(worker_free.wait)  # the one worker is busy: what the tick submits waits
    queued = scheduler.tick()
    assert queued  # the seeded home's active demo job is due
    stopping = threading.Thread(target=scheduler.stop)
    stopping.start()
    scheduler._stopping.wait()
    worker_free.set()
    stopping.join()
    # Today's quit would have waited for a whole cycle here, started after the stop.
    assert all(service.get_job(job_id).required_status().last_execution is None for job_id in queued)


def test_ctrl_q_ends_the_real_dashboard_with_the_terminal_given_back(cli) -> None:
    """The dashboard ends its process itself once everything is saved (cli._dashboard): its exit
    code, and the terminal's normal screen, still come back. (No cycle runs: none asks first.)"""
    for job in json.loads(cli("jobs", "list", "--json")[1])["value"]:
        assert cli("jobs", "pause", job["id"])[0] == 0
    controller, terminal = pty.openpty()
    env = dict(os.environ, SYNCTUI_HOME=str(cli.home), TERM="xterm-256color", COLUMNS="100", LINES="30")
    command = [sys.executable, "-m", "synctui.cli"]
    with subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, env=env) as process:
        os.close(terminal)
        screen = _read_until(controller, b"Demo: tenant")  # the jobs table is on screen
        os.write(controller, b"\x11")  # ctrl+q
        screen += _read_until(controller, None)
        code = process.wait(60)
    os.close(controller)
    assert code == 0
    assert b"\x1b[?1049l" in screen  # the alternate screen left: the terminal is as it was


def _read_until(controller: int, wanted: bytes | None) -> bytes:
    """What the program writes, until `wanted` appears (None: until it closes the terminal)."""
    said = b""
    deadline = time.monotonic() + 120  # a dashboard that never quits fails the test, not the run
    while wanted is None or wanted not in said:
        assert time.monotonic() < deadline, said[-500:]
        ready, _, _ = select.select([controller], [], [], 60)
        assert ready, said[-500:]
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the program ended: its side of the terminal is closed
            chunk = b""
        if not chunk:
            assert wanted is None, said[-500:]
            return said
        said += chunk
    return said
