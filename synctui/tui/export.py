"""Write what the dashboard exports (schemas, log entries) as JSON files, atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..fileio import atomic_write
from ..service import ServiceError


def write_json(path: str, data: Any) -> Path:
    """Write `data` to `path` (~ expanded) so that a crash leaves the old file or the new one, never
    half of one; a ServiceError says why the file could not be written. Returns the path written."""
    target = Path(path).expanduser()
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        atomic_write(target, text.encode("utf-8"))
    except OSError as error:
        raise ServiceError(f"cannot write {target}: {error.strerror or error}") from None
    return target
