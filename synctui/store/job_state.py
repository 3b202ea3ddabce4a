"""A job's state: `jobs/<jobId>.json` holds its watermark, cycle cursor and escrows, its
provisioning log has a file of its own (`.logs.json`), as does its connector space (see
connector_space.py).

TinyDB holds them; the engine reads the state once per cycle (`load`) and writes it in batches
(`checkpoint`), never per object. The job file is small and a checkpoint rewrites it; the log is
bounded and rewritten when entries are added (a few at a time wait in `.logs.changes`, see
pending_logs.py); the connector space grows with the directory and a
checkpoint appends the entries it changed. The dashboard's views of escrows read the small file,
its log view the log, and neither the space.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from ..fileio import atomic_write
from ..models.connector_space import SpaceEntry
from . import log_file
from .connector_space import TABLE as SPACE_TABLE
from .connector_space import ConnectorSpace
from .errors import StoreError
from .files import open_file, read_file
from .in_flight import InFlightJournal
from .job_lock import lock_file
from .pending_logs import PENDING_LIMIT, PendingLogs
from .storage import AtomicJSONStorage, load_document, replace_keeping_backup

if TYPE_CHECKING:  # imported where a page is read: a cycle has no use for the log's filters
    from .log_query import LogPage, LogQuery

LOG_LIMIT = 5000
"""Provisioning log entries kept per job (oldest dropped first)."""

_ESCROWS = "escrows"
_META = "meta"
_LOGS = log_file.LOGS


@dataclass
class StateSnapshot:
    """A job's state as stored: its connector space, escrows, meta and in-flight notes."""

    entries: MutableMapping[str, SpaceEntry] = field(default_factory=dict)
    """Connector space: one entry per source object, keyed by `<objectType>:<sourceId>`."""
    escrows: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    """Watermark, cursor of an unfinished cycle, staged deletes and other per-job facts."""
    in_flight: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Creates sent but not recorded when the last run stopped (see in_flight.py)."""


class JobStateStore:
    log_limit = LOG_LIMIT

    def __init__(self, path: Path | None) -> None:
        """A store backed by `path`, or kept in memory only when `path` is None (tests, previews)."""
        self.path = Path(path) if path else None
        self._lock = threading.RLock()
        self._opened: TinyDB | None = None
        self._opened_logs: TinyDB | None = None
        self._space = ConnectorSpace(self.path.with_suffix(".space.json") if self.path else None)
        self._in_flight = InFlightJournal(self.path.with_suffix(".inflight") if self.path else None)
        self._pending_logs = PendingLogs(_pending_logs_file(self.path)) if self.path else None

    @property
    def _db(self) -> TinyDB:
        """The job file, read on first use rather than when the store is made (as is the space):
        a cycle reads them with garbage collection held off, which halves the time to read a
        large one."""
        if self._opened is None:
            if self.path is None:
                self._opened = TinyDB(storage=MemoryStorage)
            else:
                self._opened = TinyDB(self.path, storage=AtomicJSONStorage, what="job state")
                self._move_tables_out()
        return self._opened

    @property
    def _logs_db(self) -> TinyDB:
        if self._opened_logs is None:
            _ = self._db  # an older job file may hold the logs: moved out first
            if self.path is None:
                self._opened_logs = TinyDB(storage=MemoryStorage)
            else:
                self._opened_logs = TinyDB(
                    _logs_file(self.path),
                    storage=AtomicJSONStorage,
                    what="provisioning log",
                    serialize=log_file.serialize,
                )
        return self._opened_logs

    def load(self, *, few_entries: bool = False) -> StateSnapshot:
        """The state as a cycle starts from. With `few_entries`, for a caller that looks at a
        handful of entries by key (provision on demand), entries are read as it asks for them."""
        with self._lock:
            # The caller changes its entries: only a checkpoint may change ours.
            entries: MutableMapping[str, SpaceEntry] = (
                EntriesByKey(self._lookup, self._all_entries) if few_entries else self._connector_space().take_entries()
            )
            escrows = self.escrows()
            meta_docs = self._db.table(_META, cache_size=0).all()
            return StateSnapshot(entries, escrows, dict(meta_docs[0]) if meta_docs else {}, self._in_flight.read())

    def escrows(self) -> dict[str, dict[str, Any]]:
        """The escrows by key, read from the job file alone (the dashboard asks for them often)."""
        with self._lock:
            return {doc["key"]: dict(doc) for doc in self._db.table(_ESCROWS, cache_size=0).all()}

    def source_digests(self) -> bytes | None:
        """What the last cycle noted of its source's texts (see engine/source_digests.py); None if
        nothing is noted, or the state is kept in memory only."""
        if self.path is None:
            return None
        with suppress(OSError):
            return _digests_file(self.path).read_bytes()
        return None

    def note_source_digests(self, note: bytes) -> None:
        """Keep `note` for the next cycle: derived data, written without an fsync (a torn note is
        refused and made again, see engine/source_digests.py); where it cannot be written, done without."""
        if self.path is not None:
            with suppress(OSError):
                atomic_write(_digests_file(self.path), [note], durable=False)

    def add_to_source_digests(self, record: bytes, size: int) -> bool:
        """Add `record` after the note's first `size` bytes, if the note is that long (as its reader
        read it: a record added after a torn one would never be read); False where it is not, or
        cannot be written (the caller notes it whole). Written without an fsync, as the note is: a
        record a crash tears is ignored, and the note made whole again."""
        if self.path is None:
            return False
        try:
            fd = open_file(_digests_file(self.path), os.O_WRONLY | os.O_APPEND, what="note of source digests")
        except (OSError, StoreError):
            return False
        try:
            if os.fstat(fd).st_size != size:
                return False
            unwritten = memoryview(record)
            while unwritten:
                unwritten = unwritten[os.write(fd, unwritten) :]
            return True
        except OSError:
            return False  # (a part written is a torn record: the note written whole after it replaces it)
        finally:
            os.close(fd)

    def space_version(self) -> int | None:
        """Changes with every change of the connector space's entries (see `ConnectorSpace.version`);
        None when it cannot tell (a space kept in memory only)."""
        with self._lock:
            return self._connector_space().version()

    def _all_entries(self) -> dict[str, SpaceEntry]:
        with self._lock:
            return self._connector_space().entries()

    def _lookup(self, keys: Iterable[str]) -> dict[str, SpaceEntry | None]:
        with self._lock:
            return self._connector_space().lookup(keys)

    def record_in_flight(self, key: str, info: dict[str, Any], *, deferred: bool = False) -> None:
        """Note an export about to be sent; `deferred` if it takes effect only when the target
        is flushed (see `InFlightJournal`)."""
        with self._lock:
            self._in_flight.record(key, info, deferred=deferred)

    def sync_in_flight(self) -> None:
        with self._lock:
            self._in_flight.sync()

    def checkpoint(
        self,
        *,
        entries: Mapping[str, SpaceEntry | None] | None = None,
        escrows: Mapping[str, dict[str, Any]] | None = None,
        meta: Mapping[str, Any] | None = None,
        logs: list[dict[str, Any]] | None = None,
        in_flight: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        """Write changed entries (None removes one), the whole escrow set, the meta record and
        new log entries, durably. With `in_flight`, the writer says its links are all recorded
        except those still pending from an earlier run, and the journal keeps only them.

        The job file comes first and the entries last: a crash between leaves entries behind,
        which only makes the next cycle look at their objects again (it finds what they
        exported by their matching attributes), where escrows behind would lose retries."""
        with self._lock:
            rewritten = False
            if escrows is not None:
                rewritten = _replace_table(self._db, _ESCROWS, list(escrows.values()))
            if meta is not None:
                rewritten = _replace_table(self._db, _META, [dict(meta)]) or rewritten
            _flush(self._db)
            if logs:
                self._append_logs(logs)
            self._connector_space().write(entries or {})
            if in_flight is not None:
                self._in_flight.reset(in_flight)
            if not rewritten and (logs or entries) and self.path is not None:
                # Other processes (a dashboard) learn that a job changed from the jobs folder's time
                # (Home.change_stamp), which renaming the job file into place changes; appending to
                # the change logs does not. A hint only: the checkpoint is durable already.
                with suppress(OSError):
                    os.utime(self.path.parent)

    def logs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Provisioning log entries, newest first."""
        with self._lock:
            if self._opened_logs is None and self.path is not None:
                _ = self._db  # an older job file may hold the logs: moved out first
                waiting = self._waiting_logs()
                if not waiting:
                    return _newest_logs(_logs_file(self.path), limit)
                kept = LOG_LIMIT if limit is None else min(limit, LOG_LIMIT)
                older = _newest_logs(_logs_file(self.path), kept - len(waiting)) if kept > len(waiting) else []
                return (waiting + older)[:kept]
            return _newest((self._logs_db.storage.read() or {}).get(_LOGS, {}), limit)

    def log_page(self, query: LogQuery, offset: int = 0, limit: int | None = None) -> LogPage:
        """The entries that match `query`, newest first, from the `offset`-th match on (all of them,
        or `limit`). Without a filter only the page is parsed; with one, the entries whose line
        may match (see `LogQuery.may_match`)."""
        from .log_query import LogPage

        with self._lock:
            if query.is_empty:
                newest = self.logs(None if limit is None else offset + limit)[offset:]
                total = self._count_logs()
                return LogPage(newest, total, total)
            found = None
            if self._opened_logs is None and self.path is not None:
                _ = self._db  # an older job file may hold the logs: moved out first
                waiting = self._waiting_logs()[:LOG_LIMIT]
                room = LOG_LIMIT - len(waiting) if waiting else None
                found = log_file.read_matching(_logs_file(self.path), query.may_match, room)
                if found is not None:
                    found = (waiting + found[0], found[1] + len(waiting))
            candidates, total = found if found is not None else (every := self.logs(), len(every))
            matching = [entry for entry in candidates if query.matches(entry)]
            end = None if limit is None else offset + limit
            return LogPage(matching[offset:end], len(matching), total)

    def _count_logs(self) -> int:
        if self._opened_logs is None and self.path is not None:
            _ = self._db  # an older job file may hold the logs: moved out first
            count = log_file.count_entries(_logs_file(self.path))
            if count is None:
                return len(self.logs())
            waiting = len(self._waiting_logs())
            return min(count + waiting, LOG_LIMIT) if waiting else count
        return len((self._logs_db.storage.read() or {}).get(_LOGS, {}))

    def close(self) -> None:
        with self._lock:
            self._in_flight.close()
            self._space.close()
            for db in (self._opened, self._opened_logs):
                if db is not None:
                    db.close()

    def _connector_space(self) -> ConnectorSpace:
        """The connector space, once the job file is read: it may hold the space (see below)."""
        _ = self._db
        return self._space

    def _move_tables_out(self) -> None:
        """A job file from before the connector space and the log had files of their own holds
        them: copy each to its file (unless a crash came after that last time), then drop it from
        the job file. That layout shipped (the first hand-over wrote both into `jobs/<id>.json`),
        so homes made then are still read."""
        assert self.path is not None
        storage = self._db.storage
        assert isinstance(storage, AtomicJSONStorage)
        tables = storage.read() or {}
        moved = [name for name in (SPACE_TABLE, _LOGS) if name in tables]
        for name in moved:
            table = tables.pop(name)
            if name == SPACE_TABLE and not self._space.exists():
                self._space.adopt(table)
            elif name == _LOGS and not _logs_file(self.path).exists():
                logs = AtomicJSONStorage(_logs_file(self.path), what="provisioning log", serialize=log_file.serialize)
                logs.write({_LOGS: table})
                logs.flush()
        if moved:
            storage.write(tables)
            storage.flush()

    def _waiting_logs(self) -> list[dict[str, Any]]:
        """The entries of the pending log that the log file does not hold yet, newest first."""
        if self._pending_logs is None or self.path is None:
            return []
        last = log_file.last_id(_logs_file(self.path))
        return [entry for _, entry in reversed(self._pending_logs.newer_than(last or 0))]

    def _append_logs(self, logs: list[dict[str, Any]]) -> None:
        _ = self._db  # an older job file may hold the logs: moved out first
        if self._opened_logs is None and self.path is not None and self._pending_logs is not None:
            path = _logs_file(self.path)
            last = log_file.last_id(path)
            if last is not None:
                waiting = self._pending_logs.newer_than(last)
                if len(waiting) + len(logs) <= PENDING_LIMIT:
                    # A few entries (provision on demand's one): a line appended, not 18 MB rewritten.
                    self._pending_logs.append((waiting[-1][0] if waiting else last) + 1, logs)
                    return
                logs = [entry for _, entry in waiting] + logs
                if len(logs) >= LOG_LIMIT:  # none of the file's entries is kept: it need not be read
                    replace_keeping_backup(path, log_file.replacing(logs, last, LOG_LIMIT))
                    self._pending_logs.clear()
                    return
            try:
                raw = read_file(path, what="provisioning log")
            except FileNotFoundError:
                raw = log_file.serialize({})
            content = log_file.appended(raw, logs, LOG_LIMIT)
            if content is not None:
                replace_keeping_backup(path, content)
                self._pending_logs.clear()
                return
        # Not laid out for appending (or in memory): TinyDB reads it whole, and names any damage.
        table = self._logs_db.table(_LOGS, cache_size=0)
        if self._pending_logs is not None:
            # Entries that waited while the file was laid out, if someone has rewritten it since.
            stored = (self._logs_db.storage.read() or {}).get(_LOGS, {})
            logs = [entry for _, entry in self._pending_logs.newer_than(max(map(int, stored), default=0))] + logs
        table.insert_multiple(logs[-LOG_LIMIT:])
        overflow = len(table) - LOG_LIMIT
        if overflow > 0:
            # The document ids as stored: table.all() would build a Document per entry only to read its id.
            oldest = sorted(map(int, (self._logs_db.storage.read() or {}).get(_LOGS, {})))[:overflow]
            table.remove(doc_ids=oldest)
        _flush(self._logs_db)
        if self._pending_logs is not None:
            self._pending_logs.clear()


def _newest_logs(path: Path, limit: int | None) -> list[dict[str, Any]]:
    """The newest log entries of a log file, read from its end (see log_file.py): the dashboard
    asks for them whenever a job is selected. A file not laid out for it is read whole."""
    newest = log_file.read_newest(path, limit) if limit is not None else None
    if newest is None:
        newest = _newest((load_document(path, "provisioning log") or {}).get(_LOGS, {}), limit)
    return newest


def _newest(documents: Mapping[str, dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """Log entries by document id → the newest `limit`, newest first (the documents as parsed:
    TinyDB's Document for each of 5,000 entries is a cost the dashboard feels)."""
    newest = sorted(documents, key=int, reverse=True)
    return [dict(documents[doc_id]) for doc_id in (newest[:limit] if limit else newest)]


def state_files(path: Path) -> list[Path]:
    """Every file a job's state at `path` may have (for deleting the job)."""
    space = path.with_suffix(".space.json")
    files = [
        path,
        _logs_file(path),
        _pending_logs_file(path),
        path.with_suffix(".inflight"),
        space,
        space.with_suffix(".changes"),
        _digests_file(path),
    ]
    return [*files, *(file.with_name(file.name + ".bak") for file in files), lock_file(path)]


def _digests_file(path: Path) -> Path:
    return path.with_suffix(".digests")


def _logs_file(path: Path) -> Path:
    return path.with_suffix(".logs.json")


def _pending_logs_file(path: Path) -> Path:
    return path.with_suffix(".logs.changes")


def _replace_table(db: TinyDB, name: str, documents: list[dict[str, Any]]) -> bool:
    """Make `documents` the table's, unless they are already (False): the job file is written (with
    its .bak and two fsyncs, ~5 ms) only if what it holds changed, and a provision on demand leaves
    the escrows and the meta as they were."""
    table = db.table(name, cache_size=0)
    if name in db.tables() and table.all() == documents:
        return False
    table.truncate()
    table.insert_multiple(documents)
    return True


def _flush(db: TinyDB) -> None:
    if isinstance(db.storage, AtomicJSONStorage):
        db.storage.flush()


class EntriesByKey(MutableMapping[str, SpaceEntry]):
    """Entries fetched one key at a time, the first time each is asked for; going through all
    of them (iterating, counting) fetches them all once."""

    def __init__(
        self,
        lookup: Callable[[Iterable[str]], dict[str, SpaceEntry | None]],
        fetch_all: Callable[[], dict[str, SpaceEntry]],
    ) -> None:
        self._lookup = lookup
        self._fetch_all = fetch_all
        self._known: dict[str, SpaceEntry | None] = {}
        """Key → entry, or None where there is none; changes made here override the store's."""
        self._changed: set[str] = set()
        self._complete = False

    def __getitem__(self, key: str) -> SpaceEntry:
        if key not in self._known and not self._complete:
            self._known.update(self._lookup([key]))
        entry = self._known.get(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def __setitem__(self, key: str, entry: SpaceEntry) -> None:
        self._known[key] = entry
        self._changed.add(key)

    def __delitem__(self, key: str) -> None:
        self[key]
        self._known[key] = None
        self._changed.add(key)

    def __iter__(self) -> Iterator[str]:
        self._fetch_everything()
        return (key for key, entry in list(self._known.items()) if entry is not None)

    def __len__(self) -> int:
        self._fetch_everything()
        return sum(1 for entry in self._known.values() if entry is not None)

    def _fetch_everything(self) -> None:
        if not self._complete:
            everything: dict[str, SpaceEntry | None] = dict(self._fetch_all())
            everything.update({key: self._known[key] for key in self._changed})
            self._known, self._complete = everything, True
