"""A state file's change log: the checkpoints written since the file was, one line of JSON each.

Appending a line and fsyncing it is what makes a checkpoint durable, so its cost follows what
changed rather than the size of the state. A crash can leave the last line torn: that checkpoint
never completed, so readers skip it, and the next append cuts it first (readers leave the file
alone: another process may be appending to it). A damaged line before the last stops the store
with a message that names the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ..fileio import _fsync_directory
from .errors import StoreError
from .files import opener, read_file


class ChangeLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[dict[str, Any]]:
        *lines, _torn = self.data().split(b"\n")
        return [self.parse(number, line) for number, line in enumerate(lines, start=1)]

    def data(self) -> bytes:
        """The log's bytes (none when there is no log), for a reader that parses few of its lines
        (see `parse`); the text after the last newline is a torn record. Read, not mapped: a writer
        cuts a torn record off in place, which would end a process reading a map of it (SIGBUS)."""
        try:
            return read_file(self.path)
        except FileNotFoundError:
            return b""

    def parse(self, number: int, line: bytes) -> dict[str, Any]:
        """The record of line `number` (from 1) of the log."""
        try:
            record: dict[str, Any] = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise StoreError(
                f"{self.path} is damaged at line {number}; move it away (`mv {self.path} {self.path}.damaged`) "
                "to go back to the job's state as last compacted: the next cycle finds the objects exported "
                "since by their matching attributes"
            ) from None
        return record

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, record: dict[str, Any]) -> None:
        line = orjson.dumps(record) + b"\n"
        created = not self.path.exists()
        try:
            with open(self.path, "wb" if created else "r+b", opener=opener) as handle:
                handle.seek(_cut_torn_line(handle))
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            if created:
                _fsync_directory(self.path.parent)
        except OSError as error:
            raise StoreError(
                f"cannot write {self.path}: {error.strerror}; check the disk and the folder's permissions"
            ) from None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _cut_torn_line(handle: BinaryIO) -> int:
    """Cut what follows the last complete line (a checkpoint a crash tore); returns the new end."""
    end = handle.seek(0, os.SEEK_END)
    if end == 0:
        return 0
    handle.seek(end - 1)
    if handle.read(1) == b"\n":
        return end
    kept = end
    while kept > 0:
        step = min(kept, 1 << 16)
        handle.seek(kept - step)
        newline = handle.read(step).rfind(b"\n")
        kept -= step if newline < 0 else step - newline - 1
        if newline >= 0:
            break
    handle.truncate(kept)
    return kept
