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

from .storage import AtomicJSONStorage, load_document

_JOBS = "jobs"
_SCHEMAS = "schemas"
_PRINCIPALS = "servicePrincipals"
_PREFERENCES = "preferences"


class ConfigStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._batch_depth = 0
        self._storage: AtomicJSONStorage
        self._db = TinyDB(self.path, storage=_ReloadingStorage, what="configuration")
        self._storage = self._db.storage  # type: ignore[assignment]

    # --- jobs -------------------------------------------------------------------------------

    def jobs(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(record) for record in self._db.table(_JOBS).all()]

    def job(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._db.table(_JOBS).get(Query().id == job_id)
            return dict(record) if record else None

    def save_job(self, record: dict[str, Any]) -> None:
        with self._writing():
            self._db.table(_JOBS).upsert(record, Query().id == record["id"])

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
        with self._lock:
            record = self._db.table(_PRINCIPALS).get(Query().id == principal_id)
            return dict(record) if record else None

    def save_service_principal(self, record: dict[str, Any]) -> None:
        with self._writing():
            self._db.table(_PRINCIPALS).upsert(record, Query().id == record["id"])

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
        super().__init__(path, what=what)
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
        self._data = load_document(self.path, self._what)
        self._dirty = False
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)
