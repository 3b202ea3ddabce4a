"""The in-flight journal: exports sent to a target but not yet recorded in the job's state.

A cycle records each create, delete, disable and reference update here before it sends it, and
the state checkpoint that records them empties the journal. After a crash, the journal names the
objects that may exist in the target without the state knowing, with the values to find them by,
so the next cycle adopts them even when their source has since been disabled or deleted; the
objects that may be gone from the target while the state still links them; and the objects
whose references the state may not know. One line of JSON per export: appending costs a write,
not a rewrite, and the journal is fsynced before the target is flushed. The notes of one object
add up.

A note reaches the file before its export is sent, unless the export is `deferred`: one that
reaches the target's store only when the target is flushed (a file directory). Such notes need
only be on disk by then: they are kept until `sync` writes them as one line, a JSON array, two
calls per run of a thousand notes (100,000 notes of an initial cycle would otherwise cost a call each). They
wait as their JSON text, made a thousand at a time: ~140 bytes a note where a dict took ~280 (an initial
cycle of 100,000 users holds 100,000 and more at a checkpoint). A torn line is one whose exports
were never sent, or never flushed, so reading skips it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from ..fileio import OWNER_ONLY, atomic_write
from .files import opener, read_file

NOTES_MADE_TEXT_AT_ONCE = 1024
"""Deferred notes wait as dicts until this many, then as one run of JSON text (see the docstring)."""


class InFlightJournal:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: Any = None
        self._memory: dict[str, dict[str, Any]] = {}
        self._deferred: list[dict[str, Any]] = []
        """The deferred notes not yet made text (fewer than `NOTES_MADE_TEXT_AT_ONCE`)."""
        self._deferred_text: list[bytes] = []
        """The others, as runs of the JSON list's items (`{…},{…}`)."""

    def read(self) -> dict[str, dict[str, Any]]:
        """Exports left in flight by an earlier run, by key (a torn last line is ignored)."""
        if self.path is None:
            return {key: dict(info) for key, info in self._memory.items()}
        pending: dict[str, dict[str, Any]] = {}
        try:
            lines = read_file(self.path).splitlines()
        except FileNotFoundError:
            return pending
        for line in lines:
            try:
                records = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # the process died in the middle of this line: its exports were never sent
            for record in records if isinstance(records, list) else (records,):
                pending.setdefault(record["key"], {}).update(record)
        return pending

    def record(self, key: str, info: dict[str, Any], *, deferred: bool = False) -> None:
        if self.path is None:
            self._memory.setdefault(key, {}).update(info, key=key)
        elif deferred:
            self._deferred.append(dict(info, key=key))
            if len(self._deferred) >= NOTES_MADE_TEXT_AT_ONCE:
                self._make_text()
        else:
            self._append(orjson.dumps(dict(info, key=key)) + b"\n")

    def sync(self) -> None:
        """Make the recorded intents durable (before the target's own flush)."""
        self._make_text()
        if self._deferred_text:
            # As orjson writes the whole list, a run at a time: not joined first (60 MB more held
            # at a million notes). A crash part-way leaves a torn line, skipped when read.
            pieces = [b"["]
            for run in self._deferred_text:
                pieces += (run, b",")
            pieces[-1] = b"]\n"
            self._append(*pieces)
            self._deferred_text = []
        if self._handle is not None:
            os.fsync(self._handle.fileno())

    def _make_text(self) -> None:
        if self._deferred:
            # A slice, a copy: `orjson.dumps`'s own result keeps the buffer it was written in.
            self._deferred_text.append(orjson.dumps(self._deferred)[1:-1])
            self._deferred = []

    def _append(self, *pieces: bytes) -> None:
        assert self.path is not None  # a journal in memory appends nothing
        if self._handle is None:
            self._handle = open(self.path, "ab", buffering=0, opener=opener)  # noqa: SIM115 - kept open for appends
            os.fchmod(self._handle.fileno(), OWNER_ONLY)
        self._handle.writelines(pieces)

    def reset(self, still_pending: Mapping[str, dict[str, Any]]) -> None:
        """The state now records every export sent so far; keep only the intents of an earlier
        run that the cycle has not settled yet."""
        self._memory = {key: dict(info) for key, info in still_pending.items()}
        self._deferred, self._deferred_text = [], []
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self.path is None:
            return
        if still_pending:
            atomic_write(
                self.path, b"".join(orjson.dumps(dict(info, key=key)) + b"\n" for key, info in still_pending.items())
            )
        else:
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
