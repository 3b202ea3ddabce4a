"""A job's request log: every request to its target and the answer, one JSON line each.

Kept only while the job's `TraceRequests` setting is on, so a SCIM developer can see exactly
what their server received. Appending is one write; the file is cut back to its newer half
when it passes `MAX_BYTES`, so it never grows without bound. Secrets never reach it: the
directories mask them before they report a request.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import orjson

from ..fileio import OWNER_ONLY, atomic_write
from .files import opener, read_file

MAX_BYTES = 8 * 1024 * 1024


class RequestLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = orjson.dumps(record, default=str) + b"\n"
        with self._lock:
            with open(self.path, "ab", opener=opener) as handle:
                os.fchmod(handle.fileno(), OWNER_ONLY)
                handle.write(line)
                size = handle.tell()
            if size > MAX_BYTES:
                lines = read_file(self.path).splitlines(keepends=True)
                atomic_write(self.path, b"".join(lines[len(lines) // 2 :]))

    def read(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        try:
            lines = read_file(self.path, what="request log").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for line in reversed(lines):
            try:
                records.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            if limit and len(records) >= limit:
                break
        return records
