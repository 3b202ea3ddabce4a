"""`jobs/<jobId>.lock`: one process at a time changes a job's state.

A cycle, a provision on demand or an escrow change reads the job's state, works, and writes it
back. Two processes doing so at once (the dashboard and a `synctui jobs run` in a terminal, or
two `synctui serve`) would each write over the other's work. The lock is an exclusive `flock`
on the file: the kernel lets go of it when its process ends, however it ends, so a killed
process never leaves a job locked. The file names the process that holds it, for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import StoreError
from .files import open_file


class JobLocked(StoreError):
    """Another process holds the job's lock."""


class JobLock:
    def __init__(self, state_file: Path) -> None:
        """The lock of the job whose state file is `state_file`."""
        self.path = lock_file(state_file)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise JobLocked at once if another process holds it."""
        fd = open_file(self.path, os.O_RDWR | os.O_CREAT, what="the job's lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise JobLocked(
                f"process {holder} is working on this job (a cycle, provision on demand or an "
                "escrow change); wait for it to finish, or pause the job first so that no new cycle "
                "starts, then try again"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            # The file stays: removing it could let a process that opened it meanwhile lock a
            # file no longer there while a third locks a new one.
            os.close(self._fd)
            self._fd = None


def lock_file(state_file: Path) -> Path:
    return state_file.with_suffix(".lock")
