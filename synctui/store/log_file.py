"""`jobs/<jobId>.logs.json`, laid out so that the newest entries can be read without the rest.

The file is TinyDB's document, `{"logs": {"<doc id>": {entry}, …}}`, written with one entry a
line, oldest first:

    {"logs":{
    "4501":{…},
    "4502":{…}
    }}

It is as valid JSON as any, and TinyDB reads it whole as ever. A reader that wants the newest
500 of 5,000 entries (the dashboard, whenever a job is selected) reads them from the end of the
file instead: parsing all 5,000 would hold the interpreter long enough for the dashboard's key
presses to wait. A file not laid out so (written before, or by something else) is
read whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from .files import open_file

LOGS = "logs"
_HEAD = b'{"logs":{\n'
_TAIL = b"\n}}\n"


def serialize(tables: dict[str, dict[str, Any]]) -> bytes:
    if set(tables) - {LOGS}:
        return orjson.dumps(tables)  # not the log file's usual content: read whole
    lines = b",\n".join(
        orjson.dumps(doc_id) + b":" + orjson.dumps(entry) for doc_id, entry in tables.get(LOGS, {}).items()
    )
    return _HEAD + lines + _TAIL


def appended(raw: bytes, entries: list[dict[str, Any]], limit: int) -> list[bytes | memoryview] | None:
    """The file's bytes with `entries` added after its own and only the newest `limit` kept, as
    pieces to write one after the other (the old entries kept are one slice of `raw`), or None
    when `raw` is not laid out so. Only the new entries are serialized and no old one is parsed
    or copied: a cycle's checkpoint, or provision on demand, adds its entries to thousands with
    their steps (18 MB) without reading them all. The new ids follow the last entry's: the file
    is written oldest first, each id one more than the one before."""
    if not (raw.startswith(_HEAD) and raw.endswith(_TAIL)):
        return None
    body_start, body_end = len(_HEAD), len(raw) - len(_TAIL)
    # The old entries kept are the newest (all of them without a limit: then only the last one's
    # id is needed), so their lines are found from the end, and the lines dropped are not walked.
    keep = max(0, limit - len(entries)) if limit else None
    starts = _newest_line_starts(raw, body_start, body_end, 1 if keep is None else max(keep, 1))
    try:
        last = int(raw[starts[0] + 1 : raw.index(b'"', starts[0] + 1, body_end)]) if starts else 0
    except ValueError:  # a line that does not start with its quoted id (an empty last line too)
        return None
    new = [orjson.dumps(str(last + n)) + b":" + orjson.dumps(entry) for n, entry in enumerate(entries, 1)]
    kept: list[bytes | memoryview] = []
    if starts and keep != 0:
        first = body_start if keep is None else starts[min(keep, len(starts)) - 1]
        kept.append(memoryview(raw)[first:body_end])
    kept += new[max(0, len(new) - limit) :] if limit else new
    return _laid_out(kept)


def _newest_line_starts(raw: bytes, body_start: int, body_end: int, most: int) -> list[int]:
    """Where the newest `most` entry lines of the body `raw[body_start:body_end]` start, newest
    first (fewer if it holds fewer; none if it is empty). Lines are parted by a comma and a line
    break, found only between two entries (a line break inside a JSON string is escaped): each line
    break is searched for alone, which is done in C as fast as memory goes, where a search for the
    two bytes went at a tenth of that (35 ms an 18 MB file), and the comma checked."""
    if body_end <= body_start:
        return []
    starts: list[int] = []
    end = body_end
    while len(starts) < most:
        newline = raw.rfind(b"\n", body_start + 1, end)
        if newline < 0:
            starts.append(body_start)  # the first line
            break
        if raw[newline - 1] == _COMMA:
            starts.append(newline + 1)
        end = newline
    return starts


_COMMA = ord(",")


def replacing(entries: list[dict[str, Any]], last: int, limit: int) -> list[bytes | memoryview]:
    """What `appended` makes of a file whose last entry is `last` (see `last_id`), when `entries`
    are at least `limit` (> 0) and push out every entry it holds: the file need not be read (an
    initial cycle's checkpoints add 5,000 entries to 5,000: 18 MB read, and held at the cycle's
    peak, for nothing), and only the entries kept are serialized."""
    first = len(entries) - limit
    return _laid_out(
        [orjson.dumps(str(last + n)) + b":" + orjson.dumps(entry) for n, entry in enumerate(entries[first:], first + 1)]
    )


def _laid_out(lines: list[bytes | memoryview]) -> list[bytes | memoryview]:
    """The file's pieces around its entry lines (or runs of lines), oldest first."""
    pieces: list[bytes | memoryview] = [_HEAD]
    for number, piece in enumerate(lines):
        pieces += [b",\n", piece] if number else [piece]
    pieces.append(_TAIL)
    return pieces


def _body(path: Path) -> bytes | None:
    """The entry lines of the file, between its head and its tail (nothing if there is no file);
    None when the file is not laid out so."""
    try:
        handle = os.fdopen(open_file(path, os.O_RDONLY, what="provisioning log"), "rb")
    except FileNotFoundError:
        return b""
    with handle:
        content = handle.read()
    if not (content.startswith(_HEAD) and content.endswith(_TAIL)) or len(content) < len(_HEAD + _TAIL):
        return None
    return content[len(_HEAD) : -len(_TAIL)]


def count_entries(path: Path) -> int | None:
    """How many entries the file holds, counted by lines without parsing them; None when the file
    is not laid out so (the caller parses it)."""
    body = _body(path)
    if body is None:
        return None
    return body.count(b"\n") + 1 if body else 0


def read_matching(
    path: Path, may_match: Callable[[str], bool], newest: int | None = None
) -> tuple[list[dict[str, Any]], int] | None:
    """The entries whose line passes `may_match`, newest first, and how many entries the file
    holds; None when the file is not laid out so. Only the lines that pass are parsed: a search
    of 5,000 entries parses the few that mention what is searched for. With `newest`, only the
    newest that many are looked at (and counted): entries waiting to be added push the others out."""
    body = _body(path)
    if body is None:
        return None
    lines = [line for line in body.decode("utf-8", errors="replace").split("\n") if line]
    if newest is not None:
        lines = lines[max(0, len(lines) - newest) :]
    entries = []
    for line in reversed(lines):
        if may_match(line):
            entry = _entry(line.encode())
            if entry is None:
                return None
            entries.append(entry)
    return entries, len(lines)


def _entry(line: bytes) -> dict[str, Any] | None:
    """The entry of one line (`"<doc id>":{…},`); None if the line is not one."""
    try:
        (entry,) = orjson.loads(b"{" + line.removesuffix(b",") + b"}").values()
    except (orjson.JSONDecodeError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def last_id(path: Path) -> int | None:
    """The document id of the file's last entry (0 without one, or without a file), read from the
    end of the file; None when the file is not laid out so."""
    try:
        handle = os.fdopen(open_file(path, os.O_RDONLY, what="provisioning log"), "rb")
    except FileNotFoundError:
        return 0
    with handle:
        if handle.read(len(_HEAD)) != _HEAD:
            return None
        start = size = handle.seek(0, 2)
        tail, chunk = b"", 1 << 14
        while start > len(_HEAD) and b",\n" not in tail:
            step = min(chunk, start - len(_HEAD))
            start -= step
            handle.seek(start)
            tail = handle.read(step) + tail
            chunk *= 2
    if size < len(_HEAD + _TAIL) or not tail.endswith(_TAIL):
        return None
    body = tail[: -len(_TAIL)]
    if not body:
        return 0
    line = body[body.rfind(b",\n") + 2 :]
    try:
        return int(line[1 : line.index(b'"', 1)]) if line.startswith(b'"') else None
    except ValueError:
        return None


def read_newest(path: Path, limit: int) -> list[dict[str, Any]] | None:
    """The newest `limit` entries, newest first, read from the end of the file; None when the
    file is not laid out for it (the caller reads it whole, and reports damage)."""
    try:
        handle = os.fdopen(open_file(path, os.O_RDONLY, what="provisioning log"), "rb")
    except FileNotFoundError:
        return []
    with handle:
        if handle.read(len(_HEAD)) != _HEAD:
            return None
        size = handle.seek(0, 2)
        start, tail, chunk = size, b"", 1 << 16
        while start > len(_HEAD) and tail.count(b"\n") <= limit + 1:
            step = min(chunk, start - len(_HEAD))
            start -= step
            handle.seek(start)
            tail = handle.read(step) + tail
            chunk *= 2
    if not tail.endswith(_TAIL):
        return None
    lines = tail[: -len(_TAIL)].split(b"\n")
    if start > len(_HEAD):
        lines = lines[1:]  # the first may be cut
    lines = [line for line in lines if line]
    newest = []
    for line in reversed(lines[-limit:] if limit else ()):
        entry = _entry(line)
        if entry is None:
            return None
        newest.append(entry)
    return newest
