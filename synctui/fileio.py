"""Crash-safe file writes: temp file, fsync, rename; readable by the owner only."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import orjson

OWNER_ONLY = 0o600


def atomic_write(path: Path, data: bytes | Iterable[bytes | memoryview], *, mode: int = OWNER_ONLY) -> None:
    """Replace `path` with `data` (bytes, or pieces written one after the other, each made as it
    is written if `data` is an iterator) so that a crash leaves either the old or the new content."""
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


INDENTED_CHUNK = 1000
"""Items of a list laid out at a time by `indented_json`."""


def indented_json(document: dict[str, Any], *, newline: bool) -> Iterator[bytes]:
    """`document` as `orjson.dumps(document, option=OPT_INDENT_2)` writes it (and a line break at
    the end if `newline`), byte for byte, in pieces of `INDENTED_CHUNK` items of each top-level list
    or object, made as `atomic_write` writes them: the 50 MB text of 100,000 objects is never held
    whole (it was a cycle's peak of memory). orjson lays a chunk out one level up: its lines move
    two spaces in, and its brackets go."""
    end = b"\n" if newline else b""
    if not document:
        yield orjson.dumps(document, option=orjson.OPT_INDENT_2) + end
        return
    yield b"{"
    for position, (key, value) in enumerate(document.items()):
        yield (b",\n  " if position else b"\n  ") + orjson.dumps(key) + b": "
        if type(value) is list and value:
            items: list[Any] = value
            brackets = b"[]"
        elif type(value) is dict and value:
            items = list(value.items())
            brackets = b"{}"
        else:
            yield orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
            continue
        yield brackets[:1]
        for start in range(0, len(items), INDENTED_CHUNK):
            chunk = items[start : start + INDENTED_CHUNK]
            text = orjson.dumps(chunk if brackets == b"[]" else dict(chunk), option=orjson.OPT_INDENT_2)
            # `[\n  item,\n  item\n]` → `\n    item,\n    item` (and so for an object's members)
            yield (b",\n    " if start else b"\n    ") + text[4:-2].replace(b"\n", b"\n  ")
        yield b"\n  " + brackets[1:]
    yield b"\n}" + end
