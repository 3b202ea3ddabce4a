"""`atomic_write` writes exactly the pieces it is given, whichever way each is written: bytes, views
and ranges of another file copied through a buffer, with a durable file handed to the kernel's
writeback chunk by chunk as it is made."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pytest

from synctui import fileio
from synctui.fileio import FileRange, atomic_write

CHUNK = 64


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (offset, length) ranges handed to writeback, each still handed to the real call."""
    monkeypatch.setattr(fileio, "WRITEBACK_CHUNK", CHUNK)
    start_writeback = fileio._start_writeback()
    ranges: list[tuple[int, int]] = []
    if start_writeback is None:
        pytest.skip("no sync_file_range on this system")

    def noted(fd: int, offset: int, length: int, flags: int) -> int:
        ranges.append((offset, length))
        return start_writeback(fd, offset, length, flags)

    monkeypatch.setattr(fileio, "_start_writeback", lambda: noted)
    return ranges


def _pieces(source: Path) -> tuple[list[object], bytes]:
    """Pieces of every kind, sizes on no chunk's boundary, and the bytes they make."""
    text = source.read_bytes()
    fd = os.open(source, os.O_RDONLY)
    pieces = [
        b"head " * 3,
        FileRange(fd, 7, 7 + 3 * CHUNK + 5),
        memoryview(b"a view of twenty-two!"),
        b"x" * (2 * CHUNK + 9),
        FileRange(fd, 400, len(text)),
        b"",
        b"tail",
    ]
    expected = b"head " * 3 + text[7 : 7 + 3 * CHUNK + 5] + b"a view of twenty-two!" + b"x" * (2 * CHUNK + 9)
    return pieces, expected + text[400:] + b"tail"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "source.json"
    path.write_bytes(bytes(range(256)) * 5 + b"the end")
    return path


def test_a_durable_write_is_handed_to_writeback_chunk_by_chunk_and_writes_each_piece(
    tmp_path: Path, source: Path, handed: list[tuple[int, int]]
) -> None:
    pieces, expected = _pieces(source)
    target = tmp_path / "target.json"
    atomic_write(target, iter(pieces))  # type: ignore[arg-type]
    assert target.read_bytes() == expected
    # One range after another from the start, each at least a chunk, the last chunk's worth left to fsync.
    assert handed and handed[0][0] == 0
    assert all(offset + length == after for (offset, length), (after, _) in pairwise(handed))
    assert all(length >= CHUNK for _, length in handed)
    assert len(expected) - CHUNK < sum(length for _, length in handed) <= len(expected)


def test_bytes_larger_than_a_chunk_are_written_whole(tmp_path: Path, handed: list[tuple[int, int]]) -> None:
    data = bytes(range(256)) * 3 + b"!"
    atomic_write(tmp_path / "state.json", data)
    assert (tmp_path / "state.json").read_bytes() == data
    assert [length for _, length in handed] == [CHUNK] * (len(data) // CHUNK)


def test_a_write_that_need_not_be_durable_is_not_handed_to_writeback(
    tmp_path: Path, source: Path, handed: list[tuple[int, int]]
) -> None:
    pieces, expected = _pieces(source)
    atomic_write(tmp_path / "cache", pieces, durable=False)  # type: ignore[arg-type]
    assert (tmp_path / "cache").read_bytes() == expected
    assert handed == []


def test_ranges_are_copied_piece_by_piece(
    tmp_path: Path, source: Path, handed: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileio, "_COPY_CHUNK", 50)  # several pieces of each range, none on a chunk's boundary
    pieces, expected = _pieces(source)
    atomic_write(tmp_path / "target.json", pieces)  # type: ignore[arg-type]
    assert (tmp_path / "target.json").read_bytes() == expected
    assert sum(length for _, length in handed) > len(expected) - CHUNK


def test_a_range_past_the_end_of_its_file_is_an_error_and_the_old_file_stays(tmp_path: Path, source: Path) -> None:
    target = tmp_path / "target.json"
    target.write_bytes(b"old")
    fd = os.open(source, os.O_RDONLY)
    with pytest.raises(OSError, match="ended 10 bytes early"):
        atomic_write(target, [b"new", FileRange(fd, 0, source.stat().st_size + 10)])
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


def test_ranges_are_copied_where_the_system_has_no_preadv(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "preadv", raising=False)
    monkeypatch.setattr(fileio, "_COPY_CHUNK", 50)
    pieces, expected = _pieces(source)
    atomic_write(tmp_path / "target.json", pieces)  # type: ignore[arg-type]
    assert (tmp_path / "target.json").read_bytes() == expected
