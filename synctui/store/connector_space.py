"""`jobs/<jobId>.space.json`: a job's connector space, one entry per source object, and its change log.

The connector space is most of a job's state (40 MB at 100,000 objects), and a checkpoint changes
a few of its entries. TinyDB writes a document whole, so a checkpoint appends the entries it
changed to `jobs/<jobId>.space.changes` instead (see changes.py), and reading the space replays
the log over the file. Once the log has grown to a quarter of the file, the file is rewritten
with the log folded in (atomically, keeping the previous one as `.bak`) and the log starts
afresh: writing costs what changed, plus a share of the file that shrinks as the file grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from .changes import ChangeLog
from .errors import StoreError
from .storage import AtomicJSONStorage

FOLD_SHARE = 0.25
"""The change log is folded into the file once it is this share of the file's size…"""
FOLD_MIN_BYTES = 1 << 20
"""… and at least this big: a small space is rewritten rarely all the same."""

TABLE = "connectorSpace"
_FOLDED = "changeLog"
"""One document: the sequence number of the last change record folded into the file."""

Entry = dict[str, Any]


class ConnectorSpace:
    """Entries by key (`<objectType>:<sourceId>`), each also holding its key. Not thread-safe:
    its owner (`JobStateStore`) holds a lock around it."""

    def __init__(self, path: Path | None) -> None:
        """A space backed by `path`, or kept in memory only when `path` is None."""
        self.path = path
        self._changes = ChangeLog(path.with_name(path.name.removesuffix(".json") + ".changes")) if path else None
        self._opened: TinyDB | None = None
        self._sequence = 0
        """The number of the last change record, written or read."""
        self._file_size = 0
        self._ids: dict[str, str] | None = None
        """Key → TinyDB document id (as text), known from the first write on."""
        self._next_id = 1

    def entries(self) -> dict[str, Entry]:
        """The entries as kept, TinyDB document id (as text) → entry: the caller must not change them."""
        return (self._db.storage.read() or {}).get(TABLE, {})

    def write(self, entries: Mapping[str, Entry | None]) -> None:
        """Change entries (None removes one), durably."""
        if not entries:
            return
        self._sequence += 1
        record = {"sequence": self._sequence,
                  "entries": {key: None if entry is None else dict(entry, key=key) for key, entry in entries.items()}}
        self._apply(record["entries"])
        if self._changes is not None:
            self._changes.append(record)
            if self._changes.size() > max(FOLD_MIN_BYTES, FOLD_SHARE * self._file_size):
                self._fold()

    def adopt(self, table: dict[str, Entry]) -> None:
        """Take the entries of a state file from before the space had a file of its own."""
        self._db.storage.write({TABLE: table})
        self._fold()

    def exists(self) -> bool:
        return self.path is not None and self.path.exists()

    def close(self) -> None:
        if self._opened is not None:
            # TinyDB writes the file when it closes: with the log folded in, or the log would be
            # replayed over its own changes.
            if self._changes is not None and self._changes.size():
                self._fold()
            self._opened.close()

    # --- reading and writing ------------------------------------------------------------------

    @property
    def _db(self) -> TinyDB:
        if self._opened is None:
            # The log before the file: another process may fold the one into the other meanwhile,
            # and a file read after its log holds at least what the log did.
            records = self._changes.read() if self._changes is not None else []
            if self.path is None:
                self._opened = TinyDB(storage=MemoryStorage)
            else:
                self._opened = TinyDB(self.path, storage=AtomicJSONStorage, what="connector space")
                self._file_size = self.path.stat().st_size if self.path.exists() else 0
            folded = self._opened.table(_FOLDED, cache_size=0).all()
            self._sequence = folded[0]["sequence"] if folded else 0
            self._replay(records)
        return self._opened

    def _replay(self, records: list[dict[str, Any]]) -> None:
        # Records already folded in are there when a crash came between writing the file and
        # clearing the log, or when another process folded them while this one read.
        records = [record for record in records if record["sequence"] > self._sequence]
        if records and records[0]["sequence"] != self._sequence + 1:
            assert self._changes is not None
            raise StoreError(
                f"{self._changes.path} does not follow {self.path} (an older copy of the file was put back?); "
                f"move it away (`mv {self._changes.path} {self._changes.path}.stale`) to use the file as it is"
            )
        for record in records:
            self._apply(record["entries"])
            self._sequence = record["sequence"]

    def _apply(self, entries: Mapping[str, Entry | None]) -> None:
        # The table as TinyDB keeps it, changed directly: its table methods convert every
        # document id of the table on each call.
        tables = self._db.storage.read() or {}
        table = tables.setdefault(TABLE, {})
        if self._ids is None:
            # Built on the first write: readers never need it.
            self._ids = {entry["key"]: doc_id for doc_id, entry in table.items()}
            self._next_id = max(map(int, table), default=0) + 1
        for key, entry in entries.items():
            doc_id = self._ids.get(key)
            if entry is None:
                if doc_id is not None:
                    del table[doc_id]
                    del self._ids[key]
                continue
            if doc_id is None:
                doc_id = self._ids[key] = str(self._next_id)
                self._next_id += 1
            table[doc_id] = entry
        self._db.storage.write(tables)

    def _fold(self) -> None:
        """Rewrite the file with the change log in it, then start the log afresh."""
        assert self.path is not None and self._changes is not None
        table = self._db.table(_FOLDED, cache_size=0)
        table.truncate()
        table.insert({"sequence": self._sequence})
        storage = self._db.storage
        assert isinstance(storage, AtomicJSONStorage)
        storage.flush()
        self._changes.clear()
        self._file_size = self.path.stat().st_size
