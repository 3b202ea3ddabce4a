"""A TinyDB storage that reads its file once, keeps it in memory and writes it atomically on flush.

TinyDB rewrites the whole file on each write, and its JSON storage truncates in place (a crash
can leave a valid-looking but wrong file). Here writes only touch memory; `flush()` writes the
whole document once with orjson through temp file + fsync + rename, after keeping the previous
good file as `<name>.bak` (a hard link, so it costs nothing).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from ..fileio import atomic_write
from .errors import StoreError


class AtomicJSONStorage(Storage):
    def __init__(self, path: str | os.PathLike[str], *, what: str = "file",
                 serialize: Callable[[dict[str, Any]], bytes] = orjson.dumps) -> None:
        """`serialize` turns the document into the file's bytes (a caller that indexes the file
        serializes it itself)."""
        self.path = Path(path)
        self._what = what
        self._serialize = serialize
        self._data: dict[str, Any] | None = load_document(self.path, what)
        self._dirty = False

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self._dirty = True

    def flush(self) -> None:
        if not self._dirty or self._data is None:
            return
        payload = self._serialize(self._data)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path.exists():
            backup = self.path.with_name(self.path.name + ".bak")
            link = self.path.with_name(f".{self.path.name}.bak.tmp")
            link.unlink(missing_ok=True)
            os.link(self.path, link)
            os.replace(link, backup)
        try:
            atomic_write(self.path, payload)
        except OSError as error:
            raise StoreError(f"cannot write {self.path}: {error.strerror}; check the disk and the folder's permissions") from None
        self._dirty = False

    def close(self) -> None:
        self.flush()


def load_document(path: Path, what: str) -> dict[str, Any] | None:
    """The parsed file, None if it does not exist; StoreError (one line, with the fix) if it is damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot read {what} {path}: {error.strerror}; check its permissions") from None
    try:
        data = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError as error:
        data = error
    if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
        backup = path.with_name(path.name + ".bak")
        fix = (
            f"restore the last good copy with `cp {backup} {path}`"
            if backup.exists()
            else f"move it away (`mv {path} {path}.damaged`) to start that {what} afresh"
        )
        raise StoreError(f"{what} {path} is damaged (not a TinyDB JSON document); {fix}")
    return data
