"""`jobs/<jobId>.json`: one job's connector space, escrows, watermark, cycle cursor and logs.

TinyDB holds it; the engine reads it once per cycle (`load`) and writes it in batches
(`checkpoint`), never per object: a checkpoint is a handful of bulk table operations in memory
followed by one atomic write of the file.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from .in_flight import InFlightJournal
from .storage import AtomicJSONStorage

LOG_LIMIT = 5000
"""Provisioning log entries kept per job (oldest dropped first)."""

_SPACE = "connectorSpace"
_ESCROWS = "escrows"
_META = "meta"
_LOGS = "logs"


@dataclass
class StateSnapshot:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Connector space: one entry per source object, keyed by `<objectType>:<sourceId>`."""
    escrows: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    """Watermark, cursor of an unfinished cycle, staged deletes and other per-job facts."""
    in_flight: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Creates sent but not recorded when the last run stopped (see in_flight.py)."""


class JobStateStore:
    def __init__(self, path: Path | None) -> None:
        """A store backed by `path`, or kept in memory only when `path` is None (tests, previews)."""
        self.path = Path(path) if path else None
        self._lock = threading.RLock()
        if self.path is None:
            self._db = TinyDB(storage=MemoryStorage)
        else:
            self._db = TinyDB(self.path, storage=AtomicJSONStorage, what="job state")
        self._space_ids: dict[str, int] | None = None
        self._journal = InFlightJournal(self.path.with_suffix(".inflight") if self.path else None)

    def load(self) -> StateSnapshot:
        with self._lock:
            space = self._db.table(_SPACE, cache_size=0)
            entries: dict[str, dict[str, Any]] = {}
            ids: dict[str, int] = {}
            # The raw table, not Table.all(): building 100,000 Document objects doubles the load time.
            for doc_id, document in space._read_table().items():
                entries[document["key"]] = dict(document)
                ids[document["key"]] = int(doc_id)
            self._space_ids = ids
            escrows = {doc["key"]: dict(doc) for doc in self._db.table(_ESCROWS, cache_size=0).all()}
            meta_docs = self._db.table(_META, cache_size=0).all()
            return StateSnapshot(entries, escrows, dict(meta_docs[0]) if meta_docs else {}, self._journal.read())

    def record_in_flight(self, key: str, info: dict[str, Any]) -> None:
        """Note a create about to be sent (see `InFlightJournal`)."""
        with self._lock:
            self._journal.record(key, info)

    def sync_in_flight(self) -> None:
        with self._lock:
            self._journal.sync()

    def checkpoint(
        self,
        *,
        entries: Mapping[str, dict[str, Any] | None] | None = None,
        escrows: Mapping[str, dict[str, Any]] | None = None,
        meta: Mapping[str, Any] | None = None,
        logs: list[dict[str, Any]] | None = None,
        in_flight: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        """Write changed entries (None removes one), the whole escrow set, the meta record and
        new log entries, then flush once. With `in_flight`, the writer says its links are all
        recorded except those still pending from an earlier run, and the journal keeps only them."""
        with self._lock:
            if entries:
                self._write_entries(entries)
            if escrows is not None:
                table = self._db.table(_ESCROWS, cache_size=0)
                table.truncate()
                table.insert_multiple(escrows.values())
            if meta is not None:
                table = self._db.table(_META, cache_size=0)
                table.truncate()
                table.insert(dict(meta))
            if logs:
                self._append_logs(logs)
            self._flush()
            if in_flight is not None:
                self._journal.reset(in_flight)

    def logs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Provisioning log entries, newest first."""
        with self._lock:
            documents = self._db.table(_LOGS, cache_size=0).all()
            newest = [dict(doc) for doc in reversed(documents)]
            return newest[:limit] if limit else newest

    def close(self) -> None:
        with self._lock:
            self._journal.close()
            self._db.close()

    def _write_entries(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        if self._space_ids is None:
            self.load()
        assert self._space_ids is not None
        space = self._db.table(_SPACE, cache_size=0)
        removed = [self._space_ids.pop(key) for key, entry in entries.items() if entry is None and key in self._space_ids]
        changed = {self._space_ids[key]: entry for key, entry in entries.items() if entry is not None and key in self._space_ids}
        added = [dict(entry, key=key) for key, entry in entries.items() if entry is not None and key not in self._space_ids]
        if removed:
            space.remove(doc_ids=removed)
        if changed:
            # One pass over the table for all changed documents (TinyDB rewrites the table per call).
            def replace_all(table: dict[int, dict[str, Any]]) -> None:
                for doc_id, entry in changed.items():
                    table[doc_id] = dict(entry, key=table[doc_id]["key"])

            space._update_table(replace_all)
        if added:
            for entry, doc_id in zip(added, space.insert_multiple(added)):
                self._space_ids[entry["key"]] = doc_id

    def _append_logs(self, logs: list[dict[str, Any]]) -> None:
        table = self._db.table(_LOGS, cache_size=0)
        table.insert_multiple(logs[-LOG_LIMIT:])
        overflow = len(table) - LOG_LIMIT
        if overflow > 0:
            oldest = sorted(int(doc_id) for doc_id in table._read_table())[:overflow]
            table.remove(doc_ids=oldest)

    def _flush(self) -> None:
        storage = self._db.storage
        if isinstance(storage, AtomicJSONStorage):
            storage.flush()
