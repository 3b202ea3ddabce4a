"""Where the dashboard's exports (schemas, log entries) go, and writing them atomically.

An export goes to `exports/` in the synctui home unless the user names another place: a dashboard
started from any folder would otherwise leave files wherever that was. A relative path is taken
under that folder too, and the toast names the full path written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fileio import atomic_write
from ..service import ServiceError, SyncService
from ..store.log_query import LogQuery, logs_csv

EXPORTS = "exports"


def exports_folder(service: SyncService) -> Path:
    return service.home.root / EXPORTS


def default_export_path(service: SyncService, file_name: str) -> str:
    """What the path dialog offers: a file in the exports folder, in full."""
    return str(exports_folder(service) / file_name)


def export_target(service: SyncService, typed: str) -> Path:
    """The file an export writes for what the user typed: ~ expanded, a relative path under the
    exports folder (never the current directory)."""
    path = Path(typed).expanduser()
    return path if path.is_absolute() else exports_folder(service) / path


def write_text(path: Path | str, text: str) -> Path:
    """Write `text` to `path` (its folder made, owner-only, if missing) so that a crash leaves the
    old file or the new one, never half of one; a ServiceError says why the file could not be
    written. Returns the path written."""
    path = Path(path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except OSError as error:
        raise ServiceError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def write_json(path: Path | str, data: Any) -> Path:
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@dataclass(frozen=True)
class Exported:
    path: Path
    count: int


def export_logs(service: SyncService, job_id: str, query: LogQuery, path: Path) -> Exported:
    """Every log entry of the job that matches `query`, newest first: CSV for a `.csv` file, else
    Graph JSON (the entries as `synctui logs --json` prints them)."""
    entries = service.log_page(job_id, query).entries
    if path.suffix.lower() == ".csv":
        write_text(path, logs_csv(entries))
    else:
        write_json(path, {"value": entries})
    return Exported(path, len(entries))
