"""`synctui.json`: application instances (service principals) with their secrets, jobs and schemas.

Records are Graph JSON as plain dicts; the service turns them into models. Every method holds
one lock (the scheduler thread and the dashboard share the store) and each change is flushed
atomically; `batch()` groups several changes into one write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

from .errors import StoreError
from .storage import AtomicJSONStorage, damaged, load_document

_JOBS = "jobs"
_SCHEMAS = "schemas"
_PRINCIPALS = "servicePrincipals"
_PREFERENCES = "preferences"
_WHAT = "configuration"

_FIELDS: dict[str, dict[str, tuple[type, bool]]] = {
    _JOBS: {"id": (str, True), "servicePrincipalId": (str, True), "job": (dict, True), "history": (list, False)},
    _SCHEMAS: {"jobId": (str, True), "schema": (dict, True)},
    _PRINCIPALS: {"id": (str, True), "secrets": (list, False)},
    _PREFERENCES: {"name": (str, True)},
}
"""Table → field → (its type, whether every record has it): what the service relies on."""


class ConfigStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._batch_depth = 0
        self._storage: _ReloadingStorage
        self._db = TinyDB(self.path, storage=_ReloadingStorage, what=_WHAT)
        self._storage = self._db.storage  # type: ignore[assignment]

    # --- jobs -------------------------------------------------------------------------------

    def jobs(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(record) for record in self._db.table(_JOBS).all()]

    def job(self, job_id: str) -> dict[str, Any] | None:
        return self._by_id(_JOBS, job_id)

    def save_job(self, record: dict[str, Any]) -> None:
        self._save_by_id(_JOBS, record)

    def delete_job(self, job_id: str) -> None:
        with self._writing():
            self._db.table(_JOBS).remove(Query().id == job_id)
            self._db.table(_SCHEMAS).remove(Query().jobId == job_id)

    # --- schemas ----------------------------------------------------------------------------

    def schema(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._db.table(_SCHEMAS).get(Query().jobId == job_id)
            return record["schema"] if record else None

    def save_schema(self, job_id: str, schema: dict[str, Any]) -> None:
        with self._writing():
            self._db.table(_SCHEMAS).upsert({"jobId": job_id, "schema": schema}, Query().jobId == job_id)

    # --- application instances ---------------------------------------------------------------

    def service_principal(self, principal_id: str) -> dict[str, Any] | None:
        return self._by_id(_PRINCIPALS, principal_id)

    def save_service_principal(self, record: dict[str, Any]) -> None:
        self._save_by_id(_PRINCIPALS, record)

    def delete_service_principal(self, principal_id: str) -> None:
        with self._writing():
            self._db.table(_PRINCIPALS).remove(Query().id == principal_id)

    # --- preferences (dashboard theme and the like) -----------------------------------------

    def preference(self, name: str, default: Any = None) -> Any:
        with self._lock:
            record = self._db.table(_PREFERENCES).get(Query().name == name)
            return record["value"] if record else default

    def set_preference(self, name: str, value: Any) -> None:
        with self._writing():
            self._db.table(_PREFERENCES).upsert({"name": name, "value": value}, Query().name == name)

    def _by_id(self, table: str, record_id: str) -> dict[str, Any] | None:
        """The record of `table` (jobs, application instances) whose `id` is `record_id`."""
        with self._lock:
            record = self._db.table(table).get(Query().id == record_id)
            return dict(record) if record else None

    def _save_by_id(self, table: str, record: dict[str, Any]) -> None:
        """Add the record, or change the one with its `id` (fields it does not give are kept)."""
        with self._writing():
            self._db.table(table).upsert(record, Query().id == record["id"])

    def damaged(self, problem: str) -> StoreError:
        """The error for a record the service cannot use: the file's, as one it cannot read."""
        return damaged(self.path, _WHAT, problem)

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group changes: one atomic write when the outermost batch ends without error."""
        with self._writing():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                if self._batch_depth == 1:
                    self._storage.discard()
                raise
            finally:
                self._batch_depth -= 1
            if self._batch_depth == 0:
                self._storage.flush()


class _ReloadingStorage(AtomicJSONStorage):
    """Notices when another synctui process (the CLI beside the dashboard) replaced the file."""

    def __init__(self, path: str, what: str = "file") -> None:
        super().__init__(path, what=what, check=_problem)
        self._stamp = self._file_stamp()

    def read(self) -> dict[str, Any] | None:
        if not self._dirty and self._file_stamp() != self._stamp:
            self.discard()
        return super().read()

    def flush(self) -> None:
        super().flush()
        self._stamp = self._file_stamp()

    def discard(self) -> None:
        """Forget unflushed changes and read the file again."""
        self._data = load_document(self.path, self._what, self._check)
        self._dirty = False
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)


def _problem(document: dict[str, Any]) -> str | None:
    """What makes the configuration unusable, None if nothing: a record whose fields are missing or
    of another type (hand-edited, or written by something else) would otherwise fail as a bare
    TypeError, and the next change would be written over the file."""
    for table, fields in _FIELDS.items():
        for doc_id, record in document.get(table, {}).items():
            for name, (kind, required) in fields.items():
                if (name in record or required) and not isinstance(record.get(name), kind):
                    return f"{table} record {doc_id}: {name} is not {_KINDS[kind]}"
            secrets = record.get("secrets", [])
            if not all(
                isinstance(pair, dict) and isinstance(pair.get("key"), str) and isinstance(pair.get("value"), str)
                for pair in secrets
            ):
                return f"{table} record {doc_id}: secrets are not key/value pairs"
    return None


_KINDS: dict[type, str] = {str: "a string", dict: "an object", list: "a list"}
