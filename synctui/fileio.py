"""Crash-safe file writes: temp file, fsync, rename; readable by the owner only."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, cast

import orjson

OWNER_ONLY = 0o600


@dataclass(frozen=True)
class FileRange:
    """A piece for `atomic_write`: bytes `start` to `end` of the open file `fd`, copied without
    ever being held whole (see `_COPY_CHUNK`)."""

    fd: int
    start: int
    end: int


def atomic_write(
    path: Path, data: bytes | Iterable[bytes | memoryview | FileRange], *, mode: int = OWNER_ONLY, durable: bool = True
) -> None:
    """Replace `path` with `data` (bytes, or pieces written one after the other, each made as it
    is written if `data` is an iterator) so that a crash leaves either the old or the new content.
    `durable=False`, for a cache: no fsync, so a crash may leave the file torn or empty, which its
    reader must refuse; the rename still keeps a running reader from seeing a half-written file."""
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            written = _Written(handle, durable=durable)
            for piece in (data,) if isinstance(data, bytes) else data:
                if isinstance(piece, FileRange):
                    _copy_range(piece, written)
                else:
                    written.write(piece)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
        _fsync_directory(path.parent)


WRITEBACK_CHUNK = 1 << 22
"""Bytes of a durable file written before the kernel is asked to start putting them on disk."""


class _Written:
    """The temp file `atomic_write` writes. For a durable file, each `WRITEBACK_CHUNK` written is
    handed to the kernel's writeback at once (`sync_file_range`, which does not wait), so the disk
    writes while the rest is made and the fsync at the end waits for the last chunk only, not the
    whole file (a 49 MB target: copy and fsync 44 → 30 ms). The fsync still makes it durable."""

    def __init__(self, handle: IO[bytes], *, durable: bool) -> None:
        self.handle = handle
        self.position = 0
        self.handed = 0
        """Bytes handed to writeback so far: the file's first `handed` bytes."""
        self.durable = durable
        self._buffer: memoryview | None = None

    def buffer(self) -> memoryview:
        """The buffer `FileRange` pieces are copied through, made on first use."""
        if self._buffer is None:
            self._buffer = memoryview(bytearray(_COPY_CHUNK))
        return self._buffer

    def write(self, piece: bytes | memoryview) -> None:
        view = memoryview(piece)
        for start in range(0, len(view), WRITEBACK_CHUNK):
            part = view[start : start + WRITEBACK_CHUNK]
            self.handle.write(part)
            self.advanced(len(part))

    def advanced(self, count: int) -> None:
        """`count` more bytes are written through the handle."""
        self.position += count
        if self.durable and self.position - self.handed >= WRITEBACK_CHUNK:
            start_writeback = _start_writeback()
            if start_writeback is not None:
                self.handle.flush()
                # A hint only: a failure here is the final fsync's to report.
                start_writeback(self.handle.fileno(), self.handed, self.position - self.handed, _SYNC_FILE_RANGE_WRITE)
            self.handed = self.position


_SYNC_FILE_RANGE_WRITE = 2
"""Linux's flag for `sync_file_range`: start writing the range's dirty pages, without waiting."""


@cache
def _start_writeback() -> Callable[[int, int, int, int], int] | None:
    """libc's `sync_file_range`, where there is one (Linux); None elsewhere. Looked up on the first
    large durable write only: ctypes costs ~3 ms to import, which a small write would not repay."""
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (ImportError, OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return cast(Callable[[int, int, int, int], int], function)


_COPY_CHUNK = 1 << 20
"""Bytes of a `FileRange` copied at a time, through one buffer that stays in the processor's cache.
Faster than the kernel's own copy (`copy_file_range`, page by page), above all where the range
lands off a page boundary of the new file, as the rest of a file does after an object that grew
or shrank: 46 MB in 16 ms, not 42 (20 on a boundary)."""


def _copy_range(piece: FileRange, written: _Written) -> None:
    buffer = written.buffer()
    offset = piece.start
    while offset < piece.end:
        read = _read_into(piece.fd, buffer[: min(piece.end - offset, len(buffer))], offset)
        if not read:
            raise OSError(f"{piece.fd}: ended {piece.end - offset} bytes early")
        # Written straight through when larger than the handle's own buffer, else copied into it:
        # either way the buffer can be read into again.
        written.handle.write(buffer[:read])
        offset += read
        written.advanced(read)


def _read_into(fd: int, buffer: memoryview, offset: int) -> int:
    """Read bytes of `fd` from `offset` into `buffer`; how many (0 at the file's end)."""
    if hasattr(os, "preadv"):
        return os.preadv(fd, [buffer], offset)
    chunk = os.pread(fd, len(buffer), offset)  # a system without preadv (macOS before 11)
    buffer[: len(chunk)] = chunk
    return len(chunk)


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


def indented_members(value: list[Any] | dict[str, Any]) -> bytes:
    """The items of a non-empty list (or members of an object) as `indented_json` lays them out
    under a top-level key: `[\n  item,\n  item\n]` → `\n    item,\n    item`."""
    return b"\n    " + orjson.dumps(value, option=orjson.OPT_INDENT_2)[4:-2].replace(b"\n", b"\n  ")


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
            yield (b"," if start else b"") + indented_members(chunk if brackets == b"[]" else dict(chunk))
        yield b"\n  " + brackets[1:]
    yield b"\n}" + end
