"""`jobs/<jobId>.logs.changes`: provisioning log entries added since the log file was last written.

The log file (log_file.py) keeps the newest 5,000 entries, so adding one means writing the file
again (18 MB at 100,000 users, with its fsync: ~50 ms of a provision on demand's ~0.4 s). A
checkpoint that adds a few entries appends them to this change log instead, one line and one
fsync (see changes.py: a torn last line is a checkpoint that never completed). The next larger
checkpoint, or the one that would make this log hold more than `PENDING_LIMIT` entries, writes
them into the log file, then clears this one.

Each line holds the document ids its entries take in the log file (`first`, then one more each):
an entry whose id the log file already reaches was written there by a checkpoint that a crash
stopped before it cleared this log, and is not counted twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .changes import ChangeLog

PENDING_LIMIT = 64
"""Entries this log holds at most before they are written into the log file."""


class PendingLogs:
    def __init__(self, path: Path) -> None:
        self._changes = ChangeLog(path)

    def newer_than(self, last_id: int) -> list[tuple[int, dict[str, Any]]]:
        """(document id, entry) of the entries the log file does not hold yet, oldest first."""
        return [
            (record["first"] + number, entry)
            for record in self._changes.read()
            for number, entry in enumerate(record["entries"])
            if record["first"] + number > last_id
        ]

    def append(self, first_id: int, entries: list[dict[str, Any]]) -> None:
        self._changes.append({"first": first_id, "entries": entries})

    def clear(self) -> None:
        self._changes.clear()
