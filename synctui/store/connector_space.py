"""`jobs/<jobId>.space.json`: a job's connector space, one entry per source object, and its change log.

The connector space is most of a job's state (100,000 entries and more), and a checkpoint changes
a few of its entries. TinyDB writes a document whole, so a checkpoint appends the entries it
changed to `jobs/<jobId>.space.changes` instead (see changes.py), and reading the space replays
the log over the file. Once the log has grown to a quarter of the file, the file is rewritten
with the log folded in (atomically, keeping the previous one as `.bak`) and the log starts
afresh: writing costs what changed, plus a share of the file that shrinks as the file grows.

The file is a TinyDB JSON document of one table, `connectorSpaceRows`, of one document: the
sequence number of the last change record folded in, the names of an entry's fields, and the
entries, each a row of those fields' values under its key, one entry a line:

    {"connectorSpaceRows":{"1":{"sequence":7,"fields":["type","targetId",...],"entries":{
    "User:u1":["User","5f0c…",...],
    "User:u2":[...]
    }}}}

Rows rather than an object per entry, as the file was first laid out (a `connectorSpace` table
of one document per entry, indented, still read): a cycle reads the whole space, and at 100,000
entries the rows parse in half the time (35 MB → 26 MB, no field names), and they are made into
`SpaceEntry` objects only as a cycle asks for them (`LoadedEntries`): the first look of a cycle
that finds nothing changed asks for few. Provision on demand needs a handful of entries: an
entry's line starts with its key (a line break inside a JSON string is escaped, so every line
break is layout), so `lookup` finds one in the file's text (see `_row_in_text`).

The entries are `SpaceEntry` objects outside this module, and JSON only here; the change log's
records hold each entry as an object (see `_entry_to_json`), as they always did.
"""

from __future__ import annotations

import itertools
import mmap
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from enum import Enum
from operator import itemgetter
from pathlib import Path
from typing import Any, Final, Literal, cast

import orjson

from ..fileio import FileRange
from ..models.connector_space import EntryKey, EntrySummaries, ProvisioningState, SpaceEntry
from .changes import ChangeLog
from .errors import StoreError
from .files import open_file
from .storage import damaged, load_document, replace_keeping_backup

FOLD_SHARE = 0.25
"""The change log is folded into the file once it is this share of the file's size…"""
FOLD_MIN_BYTES = 1 << 20
"""… and at least this big: a small space is rewritten rarely all the same."""

FOLD_AT_ONCE = 4096
"""A checkpoint that changes this many entries, and a quarter of the space, would be folded into
the file right after its record is appended to the log (an initial cycle's checkpoints are): it
is folded at once instead, without writing the record."""

ROWS = "connectorSpaceRows"
"""The table of the file as written now: one document holding every entry as a row."""
TABLE = "connectorSpace"
"""The table of the file as first laid out, one document per entry (and of a job file from
before the space had a file of its own): still read."""
_FOLDED = "changeLog"
"""In a file as first laid out, one document: the sequence number of the last change record folded in."""

FIELDS: Final = (
    "type",
    "targetId",
    "targetType",
    "inScope",
    "hash",
    "displayName",
    "deprovisioned",
    "refs",
    "refsPending",
    "refsUnresolved",
    "cycle",
)
"""An entry's fields as an entry object names them (see `_entry_to_json`), in a row's order."""
_TYPE, _TARGET, _TARGET_TYPE, _HASH, _MARK, _PENDING, _UNRESOLVED, _CYCLE = map(
    FIELDS.index, ("type", "targetId", "targetType", "hash", "deprovisioned", "refsPending", "refsUnresolved", "cycle")
)
ROW_CHUNK = 2048
"""Rows serialized at a time when the file is written: it is written in pieces, never held whole."""

Entry = dict[str, Any]
"""An entry as the change log (and the file as first laid out) holds it: see `_entry_to_json`."""
Row = list[Any]
"""An entry as the file holds it: the values of `FIELDS`, null where the entry object has none."""


class ConnectorSpace:
    """Entries by key (`<objectType>:<sourceId>`). Not thread-safe: its owner (`JobStateStore`)
    holds a lock around it."""

    def __init__(self, path: Path | None) -> None:
        """A space backed by `path`, or kept in memory only when `path` is None."""
        self.path = path
        self._changes = ChangeLog(path.with_name(path.name.removesuffix(".json") + ".changes")) if path else None
        self._rows: dict[str, Row] | None = None
        """Every entry by key, once loaded (None: not loaded, or let go by `take_entries`). A row
        is replaced when its entry changes, never changed in place."""
        self._sequence: int | None = None
        """The number of the last change record, written or read (None: not known yet)."""
        self._file_size = 0
        self._entries_let_go = 0
        """How many entries `take_entries` handed over (the size of the space while not loaded)."""
        self._keys: set[str] | None = None
        """The keys of the entries while the rows are let go (see `take_entries`), kept up to date
        by each write (the cycle's own keys: a set's table, no copies), for the size of the space
        once it is folded from its text (see `_fold_from_text`)."""
        self._folded_from_text = False
        """A fold from the text came since the rows were let go: the space stands as it would
        with its rows loaded again (each write's sequence number kept, the size known)."""
        self._replayed: _Replayed | None = None
        """What the load replayed from the change log over the file, while the rows stand as loaded."""

    def entries(self) -> dict[str, SpaceEntry]:
        """Every entry by key, each made afresh: the caller may change them."""
        return {key: _entry_from_row(row, key, self.path) for key, row in self._loaded().items()}

    def take_entries(self) -> LoadedEntries:
        """Every entry by key, for a caller that changes them (a cycle), made as it asks for each.
        The space lets go of what it read (at a million entries it is a gigabyte more at the
        cycle's peak), and reads its file again when it needs it."""
        rows = self._loaded()
        if self.path is None:
            rows = dict(rows)  # the caller's own: the space keeps its rows, which no one changes in place
        else:
            self._rows, self._entries_let_go = None, len(rows)
            self._keys, self._folded_from_text = set(rows), False
        replayed, self._replayed = self._replayed, None
        return LoadedEntries(
            rows, self.path, replayed if replayed is not None and replayed.upto == self._sequence else None
        )

    def version(self) -> int | None:
        """The number of the last change written to the space (each write that changes an entry
        adds one), found without loading the space where the file's text tells; None for a space
        kept in memory only."""
        if self.path is None:
            return None
        if self._sequence is None and self._rows is None and self._lookup_in_text([]) is None:
            self._loaded()  # the text cannot tell: the load finds it
        return self._sequence

    def lookup(self, keys: Iterable[str]) -> dict[str, SpaceEntry | None]:
        """Some entries by key (None: there is none), each made afresh. Until the space is loaded
        whole, they are read from the file's text where it can tell."""
        keys = list(keys)
        found: dict[str, Row | None] | None = None
        if self._rows is None and self.path is not None:
            found = self._lookup_in_text(keys)
        if found is None:
            rows = self._loaded()
            found = {key: rows.get(key) for key in keys}
        return {key: None if row is None else _entry_from_row(row, key, self.path) for key, row in found.items()}

    def write(self, entries: Mapping[str, SpaceEntry | None]) -> None:
        """Change entries (None removes one), durably."""
        if not entries:
            return
        if self._sequence is None:
            self._loaded()  # the last sequence number is in the file and its log
        assert self._sequence is not None
        self._sequence += 1
        if self._rows is not None:
            size = len(self._rows)
        elif self._keys is not None and self._folded_from_text:
            size = len(self._keys)
        else:
            size = self._entries_let_go
        fold = self._changes is not None and len(entries) >= max(FOLD_AT_ONCE, FOLD_SHARE * size)
        # Whether every entry is new to the space (an initial cycle's): a fold then copies the file's lines whole.
        all_new = fold and self._rows is None and self._keys is not None and self._keys.isdisjoint(entries)
        if self._rows is None and self._keys is not None:
            for key, entry in entries.items():
                if entry is None:
                    self._keys.discard(key)
                else:
                    self._keys.add(key)
        if fold:
            # No record is written: the rows are made from the entries directly, under the keys
            # as given (the cycle's own: a copy of each as plain text was 90 MB at a million).
            if self._rows is None and self._keys is not None and self._fold_from_text(entries, all_new=all_new):
                return
            sequence = self._sequence
            rows = self._loaded()
            self._sequence = sequence  # (a load sets the number the file and its log end at: this write's is one more)
            for key, entry in entries.items():
                if entry is None:
                    rows.pop(key, None)
                else:
                    rows[key] = _row_of_entry(entry)
            self._fold()
            return
        # Keys as plain text: orjson writes no str subclass (an EntryKey) as a JSON object's key.
        changed = {
            str(key): None if entry is None else _entry_to_json(entry, str(key)) for key, entry in entries.items()
        }
        if self._rows is not None or self._changes is None:  # otherwise a later load replays the record from the log
            self._apply(changed)
        if self._changes is not None:
            self._changes.append({"sequence": self._sequence, "entries": changed})
            if self._changes.size() > max(FOLD_MIN_BYTES, FOLD_SHARE * self._file_size):
                self._fold()

    def adopt(self, table: dict[str, Entry]) -> None:
        """Take the entries of a state file from before the space had a file of its own."""
        self._loaded()
        self._rows = _rows_of_entries(table)
        self._fold()

    def exists(self) -> bool:
        return self.path is not None and self.path.exists()

    def close(self) -> None:
        """Let go of the space. Nothing is written: the file and its log hold every change."""
        if self.path is not None:
            self._rows, self._keys = None, None

    # --- reading and writing ------------------------------------------------------------------

    def _loaded(self) -> dict[str, Row]:
        """The entries as kept, key → row: the file's, with the log replayed over them."""
        if self._rows is None:
            # The log before the file: another process may fold the one into the other meanwhile,
            # and a file read after its log holds at least what the log did.
            records = self._changes.read() if self._changes is not None else []
            document = load_document(self.path, "connector space") if self.path is not None else None
            self._file_size = self.path.stat().st_size if document is not None and self.path is not None else 0
            self._rows, self._sequence = _rows_of_document(document or {}, self.path)
            self._keys, self._folded_from_text = None, False
            replayed = _Replayed(self._sequence)
            for record in self._unfolded(records):
                rows = self._rows
                replayed.before.append(
                    (
                        record["sequence"],
                        {key: _managed_target(rows[key]) if key in rows else None for key in record["entries"]},
                    )
                )
                self._apply(record["entries"])
                self._sequence = replayed.upto = record["sequence"]
            _check_marks(self._rows, self.path)
            self._replayed = replayed
        return self._rows

    def _unfolded(self, records: list[dict[str, Any]], folded: int | None = None) -> list[dict[str, Any]]:
        """The log's records that follow the file, whose last folded record is `folded` (by
        default `_sequence`)."""
        folded = self._sequence if folded is None else folded
        assert folded is not None
        # Records already folded in are there when a crash came between writing the file and
        # clearing the log, or when another process folded them while this one read.
        records = [record for record in records if record["sequence"] > folded]
        if records and records[0]["sequence"] != folded + 1:
            assert self._changes is not None
            raise StoreError(
                f"{self._changes.path} does not follow {self.path} (an older copy of the file was put back?); "
                f"move it away (`mv {self._changes.path} {self._changes.path}.stale`) to use the file as it is"
            )
        return records

    def _apply(self, entries: Mapping[str, Entry | None]) -> None:
        self._replayed = None  # (the rows no longer stand as loaded)
        rows = self._loaded()
        for key, entry in entries.items():
            if entry is None:
                rows.pop(key, None)
            else:
                rows[key] = _row_of(entry)

    def _fold(self) -> None:
        """Rewrite the file with the change log in it, then start the log afresh."""
        if self._rows is None and self._keys is not None and self._fold_from_text({}):
            return
        rows = self._loaded()
        assert self.path is not None and self._changes is not None and self._sequence is not None
        replace_keeping_backup(self.path, _serialized(rows, self._sequence))
        self._changes.clear()
        self._file_size = self.path.stat().st_size

    def _fold_from_text(self, entries: Mapping[str, SpaceEntry | None], *, all_new: bool = False) -> bool:
        """`_fold`, with `entries` changed too, for a space not loaded (a cycle took its entries):
        the file is written again from its own text, line by line, each entry the log or `entries`
        changed in its line's place (or after the others, if new), as the rows would be, without
        holding the rows (a duplicate of a cycle's million entries, 200 MB). False when the file is
        not laid out as `_serialized` writes it: the caller loads it. The sequence number is then
        the one the file and its log end with, as the load's would be (`entries` fold into the
        file without a record, see `write`). `all_new`: no key of `entries` is in the space."""
        assert self.path is not None and self._changes is not None
        if self._sequence is None:
            return False  # the space was never read: the load finds where it stands
        records = self._changes.read()  # the log before the file, as when loading (see `_loaded`)
        try:
            handle = os.fdopen(open_file(self.path, os.O_RDONLY, what="connector space"), "rb")
        except FileNotFoundError:
            unfolded = self._unfolded(records, 0)
            self._sequence = self._folded_sequence(unfolded, 0)
            pending, moved = _pending(unfolded, entries)
            replace_keeping_backup(self.path, _merged(-1, 0, 0, pending, moved, self._sequence))
        else:
            with handle:
                # Read, not mapped: a map's pages count as the process's memory (the whole space
                # at a fold's peak), and a file cut short meanwhile would end the process.
                fd = handle.fileno()
                size = os.fstat(fd).st_size
                first_line = os.pread(fd, _HEADER_READ, 0).partition(b"\n")[0]
                folded = _folded_in_rows_header(first_line) if len(first_line) < size else None
                if folded is None or os.pread(fd, len(_ROWS_END), size - len(_ROWS_END)) != _ROWS_END:
                    return False
                unfolded = self._unfolded(records, folded)
                self._sequence = self._folded_sequence(unfolded, folded)
                pending, moved = _pending(unfolded, entries)
                merged = _merged(
                    fd,
                    len(first_line),
                    size - len(_ROWS_END),
                    pending,
                    moved,
                    self._sequence,
                    scan=not (all_new and not unfolded),
                )
                try:
                    replace_keeping_backup(self.path, merged)
                except _NotRows:
                    return False
        self._changes.clear()
        self._file_size = self.path.stat().st_size
        self._folded_from_text = True
        return True

    def _folded_sequence(self, unfolded: list[dict[str, Any]], folded: int) -> int:
        """The sequence number a fold from the text writes: this write's, once the space stands as
        loaded (see `_folded_from_text`); before, the one the file and its log end with, as a load
        of the space would leave it (a fold of `entries` at once writes no record of its own)."""
        if self._folded_from_text:
            assert self._sequence is not None
            return self._sequence
        return unfolded[-1]["sequence"] if unfolded else folded

    # --- reading a few entries ----------------------------------------------------------------

    def _lookup_in_text(self, keys: list[str]) -> dict[str, Row | None] | None:
        """`lookup` from the file's text and the log; None where the text cannot tell."""
        assert self.path is not None and self._changes is not None
        records = self._records_naming(keys)  # the log before the file, as when loading (see `_loaded`)
        found: dict[str, Row | None] = dict.fromkeys(keys)
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
                    rows_layout = data[: len(_ROWS_HEADER)] == _ROWS_HEADER
                    in_text = _rows_in_text(data, keys) if rows_layout else _entries_in_text(data, keys)
                    if in_text is None:
                        return None
                    self._sequence, rows = in_text
                    found.update(rows)
        for record in self._unfolded(records):
            for key in keys:
                if key in record["entries"]:
                    entry = record["entries"][key]
                    found[key] = None if entry is None else _row_of(entry)
            self._sequence = record["sequence"]
        return found

    def _records_naming(self, keys: list[str]) -> list[dict[str, Any]]:
        """The log's records, those whose line names none of `keys` with their sequence only: after
        an incremental cycle the log holds thousands of entries, and parsing them all took provision
        on demand 60 ms at 100,000 users. (`write` puts the sequence first: any other line is parsed.)"""
        assert self._changes is not None
        # A key is in a line as orjson wrote it; a line naming it elsewhere is merely parsed.
        named = [orjson.dumps(key) for key in keys]
        records: list[dict[str, Any]] = []
        data, start, number = self._changes.data(), 0, 1
        while (end := data.find(b"\n", start)) >= 0:
            record = _sequence_alone(data, start, end, named)
            records.append(record if record is not None else self._changes.parse(number, data[start:end]))
            start, number = end + 1, number + 1
        return records


class LoadedEntries(MutableMapping[str, SpaceEntry], EntrySummaries):
    """The entries of a loaded space, for a cycle to change: each is made into a `SpaceEntry` the
    first time it is asked for (100,000 made at once cost a cycle that finds nothing changed a
    tenth of a second), and `EntrySummaries`' facts are read from the rows without making any."""

    def __init__(self, rows: dict[str, Row], path: Path | None, replayed: _Replayed | None = None) -> None:
        self._values: dict[str, Row | SpaceEntry] = cast(dict[str, Row | SpaceEntry], rows)
        self._path = path
        self._replayed = replayed

    def __getitem__(self, key: str) -> SpaceEntry:
        value = self._values[key]
        if type(value) is list:
            value = self._values[key] = _entry_from_row(value, key, self._path)
        return value  # type: ignore[return-value]

    def get(self, key: str, default: Any = None) -> Any:
        value = self._values.get(key)
        if value is None:
            return default
        if type(value) is list:
            value = self._values[key] = _entry_from_row(value, key, self._path)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __setitem__(self, key: str, entry: SpaceEntry) -> None:
        self._values[key] = entry

    def __delitem__(self, key: str) -> None:
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    # --- EntrySummaries ------------------------------------------------------------------------

    def hashes_and_cycles(self, keys: Iterable[str]) -> list[tuple[str | None, str | None] | None]:
        return [
            None
            if value is None
            else (value[_HASH], value[_CYCLE])
            if type(value) is list
            else (value.hash, value.cycle)  # type: ignore[union-attr]
            for value in map(self._values.get, keys)
        ]

    def keys_with_references_due(self) -> list[str]:
        due = []
        for key, value in self._values.items():
            if type(value) is list:
                if value[_PENDING] is True or value[_UNRESOLVED] is True:
                    due.append(key)
            elif value.refs_pending or value.refs_unresolved:  # type: ignore[union-attr]
                due.append(key)
        return due

    def managed_target(self, key: str) -> str | None:
        value = self._values.get(key)
        if type(value) is list:
            return _managed_target(value)
        return None if value is None else value.managed_target  # type: ignore[union-attr]

    def managed_targets_since(self, version: int) -> dict[str, str | None] | None:
        replayed = self._replayed
        if replayed is None or not replayed.folded <= version <= replayed.upto:
            return None  # the file holds changes after it, or the space never reached it
        since: dict[str, str | None] = {}
        for sequence, before in replayed.before:
            if sequence > version:
                for key, managed_target in before.items():
                    since.setdefault(key, managed_target)
        return since

    def owners(self) -> dict[tuple[str | None, str], str]:
        owners = {}
        for key, value in self._values.items():
            if type(value) is list:
                if value[_TARGET]:
                    owners[value[_TARGET_TYPE], value[_TARGET]] = key
            elif value.target_id:  # type: ignore[union-attr]
                owners[value.target_type, value.target_id] = key  # type: ignore[union-attr]
        return owners

    def linked_by_type(self) -> Counter[str]:
        # Counted by Counter's loop in C, the rows first, then the entries made (a cycle's end asks,
        # of 100,000 rows: 23 -> 15 ms).
        linked = Counter(
            value[_TYPE] or EntryKey(key).object_type
            for key, value in self._values.items()
            if type(value) is list and value[_TARGET] and value[_MARK] is None
        )
        linked.update(
            value.object_type  # type: ignore[union-attr]
            for value in self._values.values()
            if type(value) is not list and value.state is ProvisioningState.LINKED  # type: ignore[union-attr]
        )
        return linked


class _Replayed:
    """The change log's records a load replayed over the file's rows: for `managed_targets_since`."""

    def __init__(self, folded: int) -> None:
        self.folded = folded
        """The sequence number of the last record folded into the file."""
        self.upto = folded
        """The sequence number of the last record replayed."""
        self.before: list[tuple[int, dict[str, str | None]]] = []
        """Each record replayed, in order: its sequence number, and each key it wrote → the
        `managed_target` of its entry before (None: none, or no entry). Only that: the rows
        replaced would be kept for the whole cycle (~0.5 MB a thousand)."""


def _managed_target(row: Row) -> str | None:
    """`SpaceEntry.managed_target` of the entry a row holds."""
    return row[_TARGET] or None if row[_MARK] is None or row[_MARK] == _DISABLED else None


# --- the file's text ------------------------------------------------------------------------------

_ROWS_HEADER: Final = b'{"' + ROWS.encode() + b'":{"1":{'
_RECORD_START: Final = b'{"sequence":'
"""How `write` begins each record of the change log (see `_records_naming`)."""


def _sequence_alone(data: bytes, start: int, end: int, named: list[bytes]) -> dict[str, Any] | None:
    """The change log's record in `data[start:end]` with its sequence alone when the line names none
    of `named`; None when it must be parsed."""
    if data[start : start + len(_RECORD_START)] != _RECORD_START or any(
        data.find(key, start, end) >= 0 for key in named
    ):
        return None
    after = start + len(_RECORD_START)
    comma = data.find(b",", after, end)
    sequence = data[after:comma] if comma > 0 else b""
    return {"sequence": int(sequence), "entries": {}} if sequence.isdigit() else None


def _serialized(rows: dict[str, Row], sequence: int) -> Iterator[bytes]:
    """The file's bytes (see the module's docstring), in pieces, as `atomic_write` writes them."""
    head = orjson.dumps({"sequence": sequence, "fields": FIELDS})
    yield _ROWS_HEADER + head[1:-1] + b',"entries":{'
    items = list(rows.items())
    dumps = orjson.dumps
    for start in range(0, len(items), ROW_CHUNK):
        lines = [b"\n" + dumps(key) + b":" + dumps(row) for key, row in items[start : start + ROW_CHUNK]]
        yield (b"," if start else b"") + b",".join(lines)
    yield b"\n}}}}\n"


_ROWS_END: Final = b"\n}}}}\n"
_ROW_LINE = re.compile(rb"\n(" + rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"' + rb"):\[[^\n]*\]")
"""An entry's line as `_serialized` writes it, `\n"key":[…]`, its key's JSON text the group (a
line break in a JSON string is escaped, so every one is layout), without the comma after it."""


class _NotRows(Exception):
    """The file's text is not laid out as `_serialized` writes it (see `_merged`)."""


Pending = dict[str, SpaceEntry | Row | None]
"""The entries a fold changes, by key, in the order a dict of rows would end with them: each as
the cycle gave it, or a row from the log, or None if removed."""


def _pending(records: list[dict[str, Any]], entries: Mapping[str, SpaceEntry | None]) -> tuple[Pending, set[str]]:
    """The entries the log's `records` and then `entries` change (see `Pending`; the caller's own,
    a copy of `entries` when there are no records: no row is made before it is written), and the
    keys among them removed and then added again, which go after the others."""
    if not records:
        return dict(entries), set()
    pending: Pending = {}
    moved: set[str] = set()
    changes = itertools.chain(
        (
            (key, None if entry is None else _row_of(entry))
            for record in records
            for key, entry in record["entries"].items()
        ),
        entries.items(),
    )
    for key, change in changes:
        if change is not None and key in pending and pending[key] is None:
            del pending[key]  # removed earlier: added again, it goes last
            moved.add(key)
        pending[key] = change
    return pending, moved


def _merged(
    fd: int,
    start: int,
    end: int,
    pending: Pending,
    moved: set[str],
    sequence: int,
    *,
    scan: bool = True,
) -> Iterator[bytes | FileRange]:
    """The file's bytes (as `_serialized` writes them), from the old file `fd`'s entries' lines,
    bytes `start` to `end`, with `pending` (see `_pending`, emptied as it goes) applied, in pieces:
    runs of unchanged lines are copied from the old file (`FileRange`), and the lines are read a
    window at a time.
    Raises `_NotRows` before anything is made when the first line is not an entry's, else where
    the text turns out not to be laid out so (the write is then abandoned: the old file stays).
    Without `scan` (no key of `pending` is in the file), the old lines are copied whole, unread."""
    loads, dumps = orjson.loads, orjson.dumps
    windows = _windows(fd, start, end)
    first = next(windows, None)
    if start < end and (first is None or _ROW_LINE.match(first[1]) is None):
        raise _NotRows
    head = dumps({"sequence": sequence, "fields": FIELDS})
    yield _ROWS_HEADER + head[1:-1] + b',"entries":{'
    members = _Members()
    run_start = start
    for offset, data in itertools.chain((first,), windows) if scan and first is not None else ():
        position = 0
        for line in _ROW_LINE.finditer(data):
            # Each line where the one before it ended, and followed by a comma unless it is the last.
            if line.start() != position or (line.end() < len(data) and data[line.end()] != _COMMA):
                raise _NotRows
            position = line.end() + 1
            key = loads(line.group(1))
            if key not in pending:
                continue
            # A changed entry: the unchanged lines before it as they are, then its new line.
            line_start = offset + line.start()
            if run_start < line_start:
                yield from members.copied(FileRange(fd, run_start, line_start - 1))
            run_start = offset + position
            if key not in moved:
                change = pending.pop(key)
                if change is not None:
                    yield from members.made(b"\n" + line.group(1) + b":" + dumps(_as_row(change)))
        # Every line read: a window ends with a comma, where the next one starts; the last one, at `end`.
        if position != (len(data) + 1 if offset + len(data) == end else len(data)):
            raise _NotRows
    if run_start < end:
        yield from members.copied(FileRange(fd, run_start, end))
    for key, change in pending.items():
        if change is not None:
            yield from members.made(b"\n" + dumps(key) + b":" + dumps(_as_row(change)))
    yield from members.flushed()
    yield _ROWS_END


class _Members:
    """The entries' lines `_merged` writes, a comma between each two: lines made are joined a
    chunk at a time (`ROW_CHUNK`), runs copied from the old file go as they are."""

    def __init__(self) -> None:
        self._made: list[bytes] = []
        self._written = False
        """Whether a line was written: the next one goes after a comma."""

    def made(self, line: bytes) -> Iterator[bytes]:
        self._made.append(line)
        if len(self._made) >= ROW_CHUNK:
            yield from self.flushed()

    def copied(self, run: FileRange) -> Iterator[bytes | FileRange]:
        yield from self.flushed()
        if self._written:
            yield b","
        yield run
        self._written = True

    def flushed(self) -> Iterator[bytes]:
        """The lines made and not written yet."""
        if self._made:
            yield (b"," if self._written else b"") + b",".join(self._made)
            self._made, self._written = [], True


def _windows(fd: int, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """Bytes `start` to `end` of `fd`, in windows of whole lines (each ending before a line break,
    its comma included), each with its offset in the file."""
    offset, size = start, _WINDOW
    while offset < end:
        data = os.pread(fd, min(size, end - offset), offset)
        if not data:
            raise _NotRows  # cut short meanwhile
        if offset + len(data) < end:
            cut = data.rfind(b"\n")
            if cut <= 0:
                size *= 2  # a line longer than the window
                continue
            data = data[:cut]
        yield offset, data
        offset += len(data)


_WINDOW = 1 << 22
"""Bytes of the space's lines read at a time by a fold from its text."""
_HEADER_READ = 1 << 16
"""Bytes read for the file's first line (its fields and sequence: a few hundred)."""


def _as_row(change: SpaceEntry | Row) -> Row:
    return change if type(change) is list else _row_of_entry(change)  # type: ignore[arg-type]


_COMMA: Final = ord(",")


def _folded_in_rows_header(first_line: bytes) -> int | None:
    """The sequence number folded into a file laid out as `_serialized` writes it, from its first
    line; None when the file is not laid out so (or has other fields)."""
    if not first_line.startswith(_ROWS_HEADER):
        return None
    try:
        head = orjson.loads(first_line + b"}}}}")[ROWS]["1"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    if type(head) is not dict or head.get("fields") != list(FIELDS) or type(head.get("sequence")) is not int:
        return None
    return cast(int, head["sequence"])


def _rows_in_text(data: mmap.mmap, keys: list[str]) -> tuple[int, dict[str, Row | None]] | None:
    """The folded sequence number and the rows of `keys` (None: no such entry) in a file laid out
    as `_serialized` writes it; None when the text is not. Every line break of that text is layout,
    so a line that starts with a key's text and `:[` is that entry's."""
    folded = _folded_in_rows_header(data[: data.find(b"\n")])
    if folded is None:
        return None  # another version's fields: the whole read maps them
    found: dict[str, Row | None] = {}
    for key in keys:
        anchor = b"\n" + orjson.dumps(key) + b":["
        at = data.find(anchor)
        if at < 0:
            found[key] = None
            continue
        start = at + len(anchor) - 1
        try:
            row = orjson.loads(data[start : data.find(b"\n", start)].rstrip(b","))
        except orjson.JSONDecodeError:
            return None
        if type(row) is not list or len(row) != len(FIELDS):
            return None
        found[key] = row
    return folded, found


def _rows_of_document(document: dict[str, Any], path: Path | None) -> tuple[dict[str, Row], int]:
    """The rows of a file's document, in either layout, and the sequence number folded into it."""
    if ROWS not in document:
        # As first laid out: one document per entry, the sequence in a table of its own.
        folded = list(document.get(_FOLDED, {}).values())
        return _rows_of_entries(document.get(TABLE, {})), folded[0]["sequence"] if folded else 0
    what = "connector space"
    try:
        (part,) = document[ROWS].values()
        fields, rows, sequence = part["fields"], part["entries"], part["sequence"]
    except (ValueError, KeyError):
        raise damaged(path or Path(what), what, f"{ROWS} is not one document of fields and entries") from None
    # Each check is one pass in C over 100,000 rows.
    if type(rows) is not dict or not {list}.issuperset(map(type, rows.values())):
        raise damaged(path or Path(what), what, "an entry is not a row of values")
    if list(fields) != list(FIELDS):
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise StoreError(
                f"{path}: its entries have fields this version of synctui does not know "
                f"({', '.join(sorted(unknown))}); use the version that wrote it"
            )
        positions = [fields.index(name) if name in fields else None for name in FIELDS]
        rows = {key: [None if at is None else row[at] for at in positions] for key, row in rows.items()}
    if not {len(FIELDS)}.issuperset(map(len, rows.values())):
        raise damaged(path or Path(what), what, f"an entry is not a row of {len(FIELDS)} values")
    return rows, sequence


def _check_marks(rows: dict[str, Row], path: Path | None) -> None:
    """Refuse a space with an entry marked as synctui does not know (see `_entry_from_row`): its
    entries are made as a cycle asks for them, and the summaries read from rows must not pass it."""
    if not _KNOWN_MARKS.issuperset(map(itemgetter(_MARK), rows.values())):
        key, row = next((key, row) for key, row in rows.items() if row[_MARK] not in _KNOWN_MARKS)
        _entry_from_row(row, key, path)  # raises, naming it


def _rows_of_entries(table: Mapping[str, Entry]) -> dict[str, Row]:
    """The rows of a table of entry objects (a file as first laid out, or an older job file)."""
    return {entry["key"]: _row_of(entry) for entry in table.values()}


def _row_of(entry: Entry) -> Row:
    return list(map(entry.get, FIELDS))


def _row_of_entry(entry: SpaceEntry) -> Row:
    """`_row_of(_entry_to_json(entry, key))`, without the object in between (100,000 of them when
    an initial cycle's checkpoint folds the space at once)."""
    target_id = entry.target_id
    return [
        entry.object_type,
        target_id,
        entry.target_type,
        entry.in_scope,
        entry.hash,
        entry.display_name,
        _MARKS.get(entry.state) if target_id else None,
        entry.refs,
        True if entry.refs_pending else None,
        True if entry.refs_unresolved else None,
        entry.cycle,
    ]


def _entries_in_text(data: mmap.mmap, keys: list[str]) -> tuple[int, dict[str, Row | None]] | None:
    """As `_rows_in_text`, for a file as first laid out (see `_entry_in_text`)."""
    sequence = _folded_sequence_in_text(data)
    if sequence is None:
        return None
    found: dict[str, Row | None] = {}
    for key in keys:
        entry = _entry_in_text(data, key)
        if entry is _UNKNOWN:
            return None
        found[key] = None if entry is None else _row_of(entry)
    return sequence, found


class _Text(Enum):
    UNKNOWN = "not laid out as the file was first written"


_UNKNOWN: Final = _Text.UNKNOWN
_HEADER = b'{\n  "' + TABLE.encode() + b'": {'


def _entry_in_text(data: mmap.mmap, key: str) -> Entry | Literal[_Text.UNKNOWN] | None:
    """The entry of `key` in the text of a space file as first laid out (indented, the space
    first), None if it has none, or _UNKNOWN when the text is not laid out so. There every line
    break is layout (strings hold theirs escaped), so the entry's `"key"` line, at 6 spaces and
    last, can only be that."""
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
_KNOWN_MARKS: Final = frozenset(_STATES)
_DISABLED: Final = _MARKS[ProvisioningState.DISABLED]


def _entry_to_json(entry: SpaceEntry, key: str) -> Entry:
    """The entry as the change log (and the file as first laid out) has always held it:
    `targetId` (null when unlinked) and the `deprovisioned` mark say its state; facts not known
    are left out; `key` comes last (see `_entry_in_text`)."""
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


def _entry_from_row(row: Row, key: str, path: Path | None) -> SpaceEntry:
    """An entry of the file, of any version: the `pendingReason` an older one may hold was a
    cycle's own note, never read before it was set again, and is dropped (rows have no place for it)."""
    object_type, target_id, target_type, in_scope, hashed, name, mark, refs, pending, unresolved, cycle = row
    if not target_id:
        target_id, state = None, ProvisioningState.UNLINKED  # a mark without a link says nothing more
    else:
        found = _STATES.get(mark)
        if found is None:
            raise StoreError(
                f"{path or 'the connector space'}: entry {key!r} is marked deprovisioned "
                f"{mark!r}, which synctui does not know; restore the file from its .bak copy"
            )
        state = found
    return SpaceEntry(
        object_type or EntryKey(key).object_type,
        state,
        target_id,
        target_type,
        in_scope,
        hashed,
        name,
        refs,
        pending is True,
        unresolved is True,
        cycle,
    )
