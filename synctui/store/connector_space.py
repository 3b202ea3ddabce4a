"""`jobs/<jobId>.space.json`: a job's connector space, one entry per source object, and its change log.

The connector space is most of a job's state (40 MB at 100,000 objects), and a checkpoint changes
a few of its entries. TinyDB writes a document whole, so a checkpoint appends the entries it
changed to `jobs/<jobId>.space.changes` instead (see changes.py), and reading the space replays
the log over the file. Once the log has grown to a quarter of the file, the file is rewritten
with the log folded in (atomically, keeping the previous one as `.bak`) and the log starts
afresh: writing costs what changed, plus a share of the file that shrinks as the file grows.

Provision on demand needs a handful of entries, not the whole space: the file is written with an
indent of 2 and the space first, so that `lookup` can find an entry in its text (see
`_entry_in_text`), as the JSON file directories find one object.

The entries are `SpaceEntry` objects (synctui.models.connector_space) outside this module, and
JSON only here (see `_entry_to_json`): the file keeps the layout it always had.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Final, Literal

import orjson
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from ..fileio import indented_json
from ..models.connector_space import EntryKey, ProvisioningState, SpaceEntry
from .changes import ChangeLog
from .errors import StoreError
from .files import open_file
from .storage import AtomicJSONStorage

FOLD_SHARE = 0.25
"""The change log is folded into the file once it is this share of the file's size…"""
FOLD_MIN_BYTES = 1 << 20
"""… and at least this big: a small space is rewritten rarely all the same."""

FOLD_AT_ONCE = 4096
"""A checkpoint that changes this many entries, and a quarter of the space, would be folded into
the file right after its record is appended to the log (an initial cycle's checkpoints are): it
is folded at once instead, without writing the record."""

TABLE = "connectorSpace"
_FOLDED = "changeLog"
"""One document: the sequence number of the last change record folded into the file."""

Entry = dict[str, Any]
"""An entry as the file holds it: see `_entry_to_json`."""


class ConnectorSpace:
    """Entries by key (`<objectType>:<sourceId>`), each also holding its key. Not thread-safe:
    its owner (`JobStateStore`) holds a lock around it."""

    def __init__(self, path: Path | None) -> None:
        """A space backed by `path`, or kept in memory only when `path` is None."""
        self.path = path
        self._changes = ChangeLog(path.with_name(path.name.removesuffix(".json") + ".changes")) if path else None
        self._opened: TinyDB | None = None
        self._sequence: int | None = None
        """The number of the last change record, written or read (None: not known yet)."""
        self._file_size = 0
        self._ids: dict[str, str] | None = None
        """Key → TinyDB document id (as text), known from the first write on."""
        self._next_id = 1
        self._entries_let_go = 0
        """How many entries `take_entries` handed over (the size of the space while not loaded)."""

    def entries(self) -> dict[str, SpaceEntry]:
        """Every entry by key, each made afresh: the caller may change them."""
        return {entry["key"]: _entry_from_json(entry, self.path) for entry in self._table().values()}

    def take_entries(self) -> dict[str, SpaceEntry]:
        """Every entry by key, for a caller that changes them (a cycle). The space lets go of
        the JSON it read once they are made (at a million entries it is a gigabyte more at the
        cycle's peak), and reads its file again when it needs it."""
        entries = self.entries()
        if self.path is not None:
            self._opened, self._ids, self._entries_let_go = None, None, len(entries)
        return entries

    def version(self) -> int | None:
        """The number of the last change written to the space (each write that changes an entry
        adds one), found without loading the space where the file's text tells; None for a space
        kept in memory only."""
        if self.path is None:
            return None
        if self._sequence is None and self._opened is None and self._lookup_in_text([]) is None:
            _ = self._db  # the text cannot tell: the load finds it
        return self._sequence

    def lookup(self, keys: Iterable[str]) -> dict[str, SpaceEntry | None]:
        """Some entries by key (None: there is none), each made afresh. Until the space is loaded
        whole, they are read from the file's text where it can tell."""
        keys = list(keys)
        found: dict[str, Entry | None] | None = None
        if self._opened is None and self.path is not None:
            found = self._lookup_in_text(keys)
        if found is None:
            table = self._table()
            ids = self._key_ids(table)
            found = {key: table.get(ids[key]) if key in ids else None for key in keys}
        return {key: None if entry is None else _entry_from_json(entry, self.path) for key, entry in found.items()}

    def write(self, entries: Mapping[str, SpaceEntry | None]) -> None:
        """Change entries (None removes one), durably."""
        if not entries:
            return
        if self._sequence is None:
            _ = self._db  # the last sequence number is in the file and its log
        assert self._sequence is not None
        self._sequence += 1
        # Keys as plain text: orjson writes no str subclass (an EntryKey) as a JSON object's key.
        changed = {
            str(key): None if entry is None else _entry_to_json(entry, str(key)) for key, entry in entries.items()
        }
        record = {"sequence": self._sequence, "entries": changed}
        size = len(self._ids) if self._ids is not None else self._entries_let_go
        if self._changes is not None and len(entries) >= max(FOLD_AT_ONCE, FOLD_SHARE * size):
            self._apply(changed)  # loads the space first if it is not
            self._fold()
            return
        if self._opened is not None:  # otherwise a later load replays the record from the log
            self._apply(changed)
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
        """Let go of the space. Nothing is written: the file and its log hold every change, and
        TinyDB's own close would write the file without folding the log (so the log would be
        replayed over its own changes), or over what another process wrote meanwhile."""
        self._opened = None

    # --- reading and writing ------------------------------------------------------------------

    def _table(self) -> dict[str, Entry]:
        """The entries as kept, TinyDB document id (as text) → entry."""
        return (self._db.storage.read() or {}).get(TABLE, {})

    @property
    def _db(self) -> TinyDB:
        if self._opened is None:
            # The log before the file: another process may fold the one into the other meanwhile,
            # and a file read after its log holds at least what the log did.
            records = self._changes.read() if self._changes is not None else []
            if self.path is None:
                self._opened = TinyDB(storage=MemoryStorage)
            else:
                self._opened = TinyDB(
                    self.path, storage=AtomicJSONStorage, what="connector space", serialize=self._serialize
                )
                self._file_size = self.path.stat().st_size if self.path.exists() else 0
            folded = self._opened.table(_FOLDED, cache_size=0).all()
            self._sequence = folded[0]["sequence"] if folded else 0
            self._replay(records)
        return self._opened

    def _replay(self, records: list[dict[str, Any]]) -> None:
        for record in self._unfolded(records):
            self._apply(record["entries"])
            self._sequence = record["sequence"]

    def _unfolded(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The log's records that follow the file (`_sequence` is the file's last)."""
        assert self._sequence is not None
        # Records already folded in are there when a crash came between writing the file and
        # clearing the log, or when another process folded them while this one read.
        records = [record for record in records if record["sequence"] > self._sequence]
        if records and records[0]["sequence"] != self._sequence + 1:
            assert self._changes is not None
            raise StoreError(
                f"{self._changes.path} does not follow {self.path} (an older copy of the file was put back?); "
                f"move it away (`mv {self._changes.path} {self._changes.path}.stale`) to use the file as it is"
            )
        return records

    def _key_ids(self, table: dict[str, Entry]) -> dict[str, str]:
        if self._ids is None:
            # Built on first use: reading the whole space needs none.
            self._ids = {entry["key"]: doc_id for doc_id, entry in table.items()}
            self._next_id = max(map(int, table), default=0) + 1
        return self._ids

    def _apply(self, entries: Mapping[str, Entry | None]) -> None:
        # The table as TinyDB keeps it, changed directly: its table methods convert every
        # document id of the table on each call.
        tables = self._db.storage.read() or {}
        table = tables.setdefault(TABLE, {})
        self._ids = self._key_ids(table)
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

    # --- reading a few entries ----------------------------------------------------------------

    @staticmethod
    def _serialize(tables: dict[str, dict[str, Any]]) -> Iterator[bytes]:
        # The layout `_entry_in_text` reads: the space first, every line break layout, a line's
        # indent its depth; written in pieces, as it is made (46 MB at 100,000 entries).
        ordered = {TABLE: tables.get(TABLE, {}), **{name: table for name, table in tables.items() if name != TABLE}}
        return indented_json(ordered, newline=False)

    def _lookup_in_text(self, keys: list[str]) -> dict[str, Entry | None] | None:
        """`lookup` from the file's text and the log; None where the text cannot tell."""
        assert self.path is not None and self._changes is not None
        records = self._changes.read()  # the log before the file, as when loading (see `_db`)
        found: dict[str, Entry | None] = dict.fromkeys(keys)
        try:
            handle = os.fdopen(open_file(self.path, os.O_RDONLY, what="connector space"), "rb")
        except FileNotFoundError:
            self._sequence, self._file_size = 0, 0  # everything is in the log yet
        else:
            with handle:
                self._file_size = size = os.fstat(handle.fileno()).st_size
                if size == 0:
                    return None
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    sequence = _folded_sequence_in_text(data)
                    if sequence is None:
                        return None
                    self._sequence = sequence
                    for key in keys:
                        entry = _entry_in_text(data, key)
                        if entry is _UNKNOWN:
                            return None
                        found[key] = entry
        for record in self._unfolded(records):
            for key in keys:
                if key in record["entries"]:
                    found[key] = record["entries"][key]
            self._sequence = record["sequence"]
        return found


class _Text(Enum):
    UNKNOWN = "not laid out as `_serialize` writes it"


_UNKNOWN: Final = _Text.UNKNOWN
_HEADER = b'{\n  "' + TABLE.encode() + b'": {'


def _entry_in_text(data: mmap.mmap, key: str) -> Entry | Literal[_Text.UNKNOWN] | None:
    """The entry of `key` in a space file's text, None if it has none, or _UNKNOWN when the text
    is not laid out as `_serialize` writes it. There every line break is layout (strings hold
    theirs escaped), so the entry's `"key"` line, at 6 spaces and last, can only be that."""
    if data[: len(_HEADER)] != _HEADER:
        return _UNKNOWN
    anchor = b'\n      "key": ' + orjson.dumps(key) + b"\n    }"
    at = data.find(anchor)
    if at < 0:
        return None
    start = data.find(b"{", data.rfind(b'\n    "', 0, at))
    try:
        entry = orjson.loads(data[start : at + len(anchor)])
    except orjson.JSONDecodeError:
        return _UNKNOWN
    return entry if type(entry) is dict and entry.get("key") == key else _UNKNOWN


def _folded_sequence_in_text(data: mmap.mmap) -> int | None:
    """The sequence number of the last change folded into the file (its `changeLog` table, the
    last), 0 if it has none, None when the text cannot tell."""
    at = data.rfind(b'\n  "' + _FOLDED.encode() + b'": {')
    if at < 0:
        return 0
    try:
        table = orjson.loads(data[data.find(b"{", at + 3) :].rstrip().removesuffix(b"}"))
        return int(next(iter(table.values()))["sequence"])
    except (orjson.JSONDecodeError, StopIteration, KeyError, TypeError, ValueError):
        return None


# --- an entry as JSON ---------------------------------------------------------------------------

_MARKS = {
    ProvisioningState.DISABLED: "disabled",
    ProvisioningState.OUT_OF_SCOPE: "outOfScope",
    ProvisioningState.DELETED: "deleted",
}
"""The `deprovisioned` mark of a linked entry's state (a linked entry has none)."""
_STATES: dict[str | None, ProvisioningState] = {
    None: ProvisioningState.LINKED,
    **{mark: state for state, mark in _MARKS.items()},
}


def _entry_to_json(entry: SpaceEntry, key: str) -> Entry:
    """The entry as the file has always held it: `targetId` (null when unlinked) and the
    `deprovisioned` mark say its state; facts not known are left out; `key` comes last (see
    `_entry_in_text`)."""
    data: Entry = {"type": entry.object_type, "targetId": entry.target_id}
    if entry.target_type is not None:
        data["targetType"] = entry.target_type
    if entry.in_scope is not None:
        data["inScope"] = entry.in_scope
    if entry.hash is not None:
        data["hash"] = entry.hash
    if entry.display_name is not None:
        data["displayName"] = entry.display_name
    mark = _MARKS.get(entry.state) if entry.target_id else None
    if mark is not None:
        data["deprovisioned"] = mark
    if entry.refs is not None:
        data["refs"] = entry.refs
    if entry.refs_pending:
        data["refsPending"] = True
    if entry.refs_unresolved:
        data["refsUnresolved"] = True
    if entry.cycle is not None:
        data["cycle"] = entry.cycle
    data["key"] = key
    return data


def _entry_from_json(data: Entry, path: Path | None) -> SpaceEntry:
    """An entry of the file, of any version: the `pendingReason` an older one may hold was a
    cycle's own note, never read before it was set again, and is dropped."""
    get = data.get  # a cycle reads 100,000 entries and more
    target_id = get("targetId") or None
    if target_id is None:
        state = ProvisioningState.UNLINKED  # a mark without a link says nothing more
    else:
        mark = get("deprovisioned")
        found = _STATES.get(mark)
        if found is None:
            raise StoreError(
                f"{path or 'the connector space'}: entry {get('key')!r} is marked deprovisioned "
                f"{mark!r}, which synctui does not know; restore the file from its .bak copy"
            )
        state = found
    return SpaceEntry(
        get("type") or EntryKey(data["key"]).object_type,
        state,
        target_id,
        get("targetType"),
        get("inScope"),
        get("hash"),
        get("displayName"),
        get("refs"),
        get("refsPending") is True,
        get("refsUnresolved") is True,
        get("cycle"),
    )
