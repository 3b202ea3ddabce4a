"""A TinyDB storage that reads its file once, keeps it in memory and writes it atomically on flush.

TinyDB rewrites the whole file on each write, and its JSON storage truncates in place (a crash
can leave a valid-looking but wrong file). Here writes only touch memory; `flush()` writes the
whole document once with orjson through temp file + fsync + rename, after keeping the previous
good file as `<name>.bak` (a hard link, so it costs nothing).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from ..fileio import FileRange, atomic_write
from .errors import StoreError
from .files import read_file


class AtomicJSONStorage(Storage):
    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        what: str = "file",
        serialize: Callable[[dict[str, Any]], bytes | Iterable[bytes]] = orjson.dumps,
        check: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        """`serialize` turns the document into the file's bytes, or pieces of them (a caller that
        indexes the file serializes it itself); `check` says what is wrong with a document read
        (see `load_document`)."""
        self.path = Path(path)
        self._what = what
        self._serialize = serialize
        self._check = check
        self._data: dict[str, Any] | None = load_document(self.path, what, check)
        self._dirty = False

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self._dirty = True

    def flush(self) -> None:
        if not self._dirty or self._data is None:
            return
        replace_keeping_backup(self.path, self._serialize(self._data))
        self._dirty = False

    def close(self) -> None:
        self.flush()


def replace_keeping_backup(path: Path, payload: bytes | Iterable[bytes | memoryview | FileRange]) -> None:
    """Write `payload` as the file at `path`, atomically, the file it replaces kept as `.bak`."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        link = path.with_name(f".{path.name}.bak.tmp")
        link.unlink(missing_ok=True)
        os.link(path, link, follow_symlinks=False)  # never a hard link to the file a link points to
        os.replace(link, backup)
    try:
        atomic_write(path, payload)
    except OSError as error:
        raise StoreError(
            f"cannot write {path}: {error.strerror}; check the disk and the folder's permissions"
        ) from None


def load_document(
    path: Path, what: str, check: Callable[[dict[str, Any]], str | None] | None = None
) -> dict[str, Any] | None:
    """The parsed file, None if it does not exist; StoreError (one line, with the fix) if it is
    damaged: not JSON, not tables of documents (objects), or what `check` finds wrong with it."""
    try:
        raw = read_file(path, what=what)
    except FileNotFoundError:
        return None
    try:
        # Not `raw.strip()`: that copies the file (tens of MB), where `isspace` stops at its first character.
        data = orjson.loads(raw) if raw and not raw.isspace() else None
    except orjson.JSONDecodeError as error:
        data = error
    if not isinstance(data, dict) or not all(
        isinstance(table, dict) and all(isinstance(document, dict) for document in table.values())
        for table in data.values()
    ):
        raise damaged(path, what, "not a TinyDB JSON document")
    problem = check(data) if check else None
    if problem:
        raise damaged(path, what, problem)
    return data


def damaged(path: Path, what: str, problem: str) -> StoreError:
    backup = path.with_name(path.name + ".bak")
    fix = (
        f"restore the last good copy with `cp {backup} {path}`"
        if backup.exists()
        else f"move it away (`mv {path} {path}.damaged`) to start that {what} afresh"
    )
    return StoreError(f"{what} {path} is damaged ({problem}); {fix}")
