"""A cycle in a `synctui jobs run` process of its own, for a process that must stay responsive.

A cycle holds the Python interpreter for up to a second at a time (parsing and writing files of
100 MB), so a dashboard running it on a thread answers keys late. Run in a child process, the
cycle competes only for a CPU. The child writes the job's status and state to the home's files
as any `synctui` command does; the parent reads them afresh. Between the two, stdout carries one
JSON object per line: `{"progress": [completed, total]}` while the cycle runs, then
`{"execution": {...}}` (Graph's synchronizationTaskExecution). SIGTERM asks the child to stop at
the next checkpoint, as a pause does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from .cli import PROGRESS_FLAG


def run_cycle_process(home: Path, job_id: str, stop: threading.Event,
                      on_progress: Callable[[int, int], None]) -> dict[str, Any]:
    """Run one cycle of `job_id` in a child process; returns its execution (Graph JSON). Setting
    `stop` stops it at its next checkpoint. Raises CycleProcessError with the child's error."""
    env = dict(os.environ, SYNCTUI_HOME=str(home))
    command = [sys.executable, "-m", "synctui.cli", "jobs", "run", job_id, PROGRESS_FLAG]
    with tempfile.TemporaryFile() as errors:
        # A session of its own: a Ctrl-C meant for the parent's terminal is not the child's.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env, start_new_session=True)
        ended = threading.Event()
        threading.Thread(target=_stop_when_asked, args=(process, stop, ended), daemon=True).start()
        execution = None
        try:
            assert process.stdout is not None
            for line in process.stdout:
                record = orjson.loads(line)
                if "progress" in record:
                    on_progress(*record["progress"])
                elif "execution" in record:
                    execution = record["execution"]
            code = process.wait()
        finally:
            ended.set()
            if process.poll() is None:  # the parent is going away: the child stops at a checkpoint
                process.terminate()
        if execution is None:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            message = lines[-1].removeprefix("error: ") if lines else f"the cycle process ended with code {code}"
            raise CycleProcessError(message, code)
        return execution


class CycleProcessError(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _stop_when_asked(process: subprocess.Popen[bytes], stop: threading.Event, ended: threading.Event) -> None:
    while not ended.wait(0.1):
        if stop.is_set():
            process.send_signal(signal.SIGTERM)
            return
