"""A cycle in a `synctui jobs run` process of its own, for a process that must stay responsive.

A cycle holds the Python interpreter for up to a second at a time (parsing and writing files of
100 MB), so a dashboard running it on a thread answers keys late. Run in a child process, the
cycle competes only for a CPU. The child writes the job's status and state to the home's files
as any `synctui` command does; the parent reads them afresh. Between the two, stdout carries one
JSON object per line: `{"progress": [completed, total]}` while the cycle runs, then
`{"execution": {...}}` (Graph's synchronizationTaskExecution) or, when the cycle was refused,
`{"error": {"code": ..., "message": ..., "problems": [...]}}` (the error's Graph code). SIGTERM asks
the child to stop at the next checkpoint, as a pause does.

Both sides of that are here: `run_cycle_process` in the parent, `report_cycle` in the child.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from .errors import Busy, InvalidRequest, NotFound, ServiceError, SynctuiError
from .events import CycleProgress, Event

if TYPE_CHECKING:  # the models load only when a cycle runs: `synctui --help` imports this module
    import subprocess

    from .models import SynchronizationTaskExecution

PROGRESS_FLAG = "--progress-lines"
"""The flag of `synctui jobs run` that makes it the child: it calls `report_cycle`."""


def run_cycle_process(
    home: Path, job_id: str, stop: threading.Event, on_progress: Callable[[int, int], None]
) -> SynchronizationTaskExecution:
    """Run one cycle of `job_id` in a child process; returns its execution. Setting `stop` stops
    it at its next checkpoint. Raises the child's error as the service's (ServiceError or under it)."""
    # Imported here, by the one function that starts a process: every command imports this module
    # (through the cycle runner), and these two with theirs cost ~5 ms of a `jobs provision`.
    import subprocess
    import tempfile

    env = dict(os.environ, SYNCTUI_HOME=str(home))
    command = [sys.executable, "-m", "synctui.cli", "jobs", "run", job_id, PROGRESS_FLAG]
    with tempfile.TemporaryFile() as errors:
        # A session of its own: a Ctrl-C meant for the parent's terminal is not the child's.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env, start_new_session=True)
        ended = threading.Event()
        threading.Thread(target=_stop_when_asked, args=(process, stop, ended), daemon=True).start()
        execution = refusal = None
        try:
            assert process.stdout is not None
            for line in process.stdout:
                record = orjson.loads(line)
                if "progress" in record:
                    on_progress(*record["progress"])
                elif "execution" in record:
                    execution = record["execution"]
                elif "error" in record:
                    refusal = record["error"]
            code = process.wait()
        finally:
            ended.set()
            if process.poll() is None:  # the parent is going away: the child stops at a checkpoint
                process.terminate()
        if refusal is not None:
            raise _error(refusal)
        if execution is None:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            message = lines[-1].removeprefix("error: ") if lines else f"the cycle process ended with code {code}"
            raise ServiceError(message)
        from .models import SynchronizationTaskExecution

        return SynchronizationTaskExecution.model_validate(execution)


class _RunsCycles(Protocol):
    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]: ...

    def run_cycle(self, job_id: str) -> SynchronizationTaskExecution: ...


def report_cycle(service: _RunsCycles, job_id: str) -> None:
    """The child's side: run the cycle, writing its progress and then its execution (or why it
    was refused, raised again for the command's own message) as JSON lines on stdout."""

    def line(record: dict[str, Any]) -> None:
        sys.stdout.write(orjson.dumps(record).decode() + "\n")
        sys.stdout.flush()

    service.subscribe(
        lambda event: line({"progress": [event.completed, event.total]}) if isinstance(event, CycleProgress) else None
    )
    try:
        execution = service.run_cycle(job_id)
    except SynctuiError as error:
        line({"error": {"code": error.code, "message": str(error), "problems": getattr(error, "problems", [])}})
        raise
    line({"execution": execution.model_dump(mode="json")})


def _error(refusal: dict[str, Any]) -> ServiceError:
    kind = {error.code: error for error in (NotFound, Busy)}.get(refusal.get("code", ""), ServiceError)
    if refusal.get("code") == InvalidRequest.code:
        return InvalidRequest(refusal.get("message", ""), refusal.get("problems") or [])
    return kind(refusal.get("message", ""))


def _stop_when_asked(process: subprocess.Popen[bytes], stop: threading.Event, ended: threading.Event) -> None:
    while not ended.wait(0.1):
        if stop.is_set():
            process.send_signal(signal.SIGTERM)
            return
