"""A large document file's objects read a piece at a time, for a cycle that reads its source.

Parsed whole, a 400 MB tenant file (1,000,000 users) costs 2.6 GB at its peak (orjson's copy of
the text and its own tree beside the Python objects) and 1.2 GB held as dicts for the whole cycle.
Read in pieces, the cycle holds each object's id and the byte range of its text (~170 MB at
1,000,000), and parses an object again where it is asked for: a piece of `PIECE` objects at a
time for a cycle going through them in order (the plan, the flow, the reference pass), the
object alone otherwise (an escrow retried, a group's members).

The reading first proves where each object's text lies (see document_index.py: the layout
orjson writes, compact or indented) and checks every object as a whole read does; anything it
cannot prove or that fails a check makes the caller read the file whole instead, which then
reports the fault in its own words (or finds none: then only the layout was unusual).

The objects are read again from the file, through a descriptor kept open: a file replaced since
(every write of synctui's replaces the file) is still read as it was. One changed in place while
the cycle reads it fails the cycle with a `SourceDataError`; the next cycle reads it again.

Read with the digests of texts given before (`known`, see `TextDigests`), each item's text is
digested and an item whose digest is known is taken for the object it was, unparsed: a text that
is byte for byte one proven before is that object, and as valid (the digest covers the value rules
it was checked by). The other items are parsed and checked as above.

Digesting 100,000 texts one by one takes ~80 ms, nearly all of it the calls: a run of texts is
digested whole first (`_runs`: a run ends after a text whose length ends in five 0 bits, so an
item added or removed changes the runs next to it only), and a run given before as it is now
(`runs`) stands for the digests of its texts then; the texts of the other runs are digested one by
one. A look after one user changed digests the file's runs (~25 ms) and that user's run's texts.
"""

from __future__ import annotations

import hashlib
import os
import re
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import compress, repeat
from operator import add, and_, methodcaller, not_, sub
from pathlib import Path
from typing import Any

import orjson

from ..models import ObjectDefinition
from ._objects import first_invalid_object, rules_digest
from .base import DirectoryObject, NotedRuns, SourceDataError
from .document_index import DocumentIndex, FileVersion

PIECE = 1000
"""Objects parsed at a time, when a cycle goes through them in order."""
PROVEN_AT_ONCE = 10_000
"""Objects parsed and checked at a time as the file is first read."""
_DIGEST_SCHEME = b"\x01"
"""Begins the tag of every digest: a digest made another way never matches one made this way."""
_RUN_SCHEME = b"\x02"
"""Begins the tag of every run's digest (see `_runs`)."""
RUN_BITS = 31
"""A run ends after a text whose length has these bits clear (one in 32 texts, by lengths)…"""
RUN_ITEMS = 128
"""… or after this many texts."""
_RUN_END = re.compile(b"\x00")


class DocumentPieces:
    """The objects of each collection of one version of a document file, read as they are asked for."""

    def __init__(self, path: Path, version: FileVersion, descriptor: int) -> None:
        self.path = path
        self.version = version
        self._descriptor = descriptor
        self._kept: bytes | None = None
        """The file's bytes as proven, when kept (see `read`): objects are parsed from them."""
        self._collections: dict[str, PiecewiseObjects | ParsedObjects] = {}
        """Each collection's objects, until `collection` hands them out."""
        self._handed_out: weakref.WeakValueDictionary[str, PiecewiseObjects | ParsedObjects] = (
            weakref.WeakValueDictionary()
        )
        """Each collection's objects once handed out: held by the caller alone, which lets them go
        when it is done with them (a cycle before its last checkpoint: ~200 MB at 1,000,000 users)."""
        self.values: dict[str, Any] = {}
        """Each top-level key that is not a collection read here → its value."""
        self.digests: dict[str, dict[str, bytes]] | None = None
        """Each collection's ids → the digest of the item's text, when read with `known`."""
        self.runs: dict[str, list[tuple[bytes, int]]] = {}
        """Each collection's items in runs, when read with `known`: each run's digest and how many it holds."""
        weakref.finalize(self, os.close, descriptor)

    @classmethod
    def read(
        cls,
        path: Path,
        collections: Mapping[str, ObjectDefinition],
        *,
        checked: Callable[[FileVersion], bool] | None = None,
        read: tuple[FileVersion, bytes] | None = None,
        known: Mapping[str, Mapping[bytes, str]] | None = None,
        runs: Mapping[str, NotedRuns] | None = None,
        keep_parsed: bool = False,
    ) -> DocumentPieces | None:
        """The file's `collections` (key → the definition its objects follow), proven and checked;
        None when the file is not laid out so that its objects can be found in its text, or
        something in it fails a check (the caller reads the whole file: see the module docstring).
        `checked(version)` tells whether the objects of that version need no check (synctui wrote
        it). `read`: the file's bytes as read already, and the version they are (None unless the
        file is still that version). `known`: each collection key → digests of item texts proven
        before → their ids (see the module docstring); each item's digest is then kept (`digests`,
        `runs`); `runs`: each collection key → the runs given before (see `TextDigests`). With
        `keep_parsed` each object parsed to be proven (one whose digest is not known), as a whole
        read keeps it: asked for, it is not parsed again; the others are parsed from the file's
        bytes as read, kept too (less than a whole read's objects would hold)."""
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            return None  # the whole read reports why
        pieces = None
        try:
            version = FileVersion.of(os.fstat(descriptor))
            if read is None:
                # Read rather than mapped: a map would end the process (SIGBUS) if the file were
                # cut short meanwhile. The bytes go once the objects are proven (unless `keep_parsed`).
                with open(descriptor, "rb", closefd=False) as handle:
                    read = (version, handle.read())
            if read[0] != version or FileVersion.of(os.fstat(descriptor)) != version or not read[1]:
                return None
            pieces = cls(path, version, descriptor)
            trusted = checked is not None and checked(version)
            if not pieces._prove(
                read[1], collections, trusted=trusted, known=known, runs=runs or {}, keep_parsed=keep_parsed
            ):
                return None
            if keep_parsed and any(
                type(objects) is PiecewiseObjects and objects for objects in pieces._collections.values()
            ):
                pieces._kept = read[1]  # (objects left to parse: from these bytes)
        except (OSError, ValueError):
            return None
        finally:
            if pieces is None:
                os.close(descriptor)
        return pieces

    def _prove(
        self,
        data: bytes,
        collections: Mapping[str, ObjectDefinition],
        *,
        trusted: bool,
        known: Mapping[str, Mapping[bytes, str]] | None,
        runs: Mapping[str, NotedRuns],
        keep_parsed: bool,
    ) -> bool:
        # Built here rather than loaded (an index is a cache, never the truth): each item's text then
        # ends one byte before the next one's starts, and that byte is checked below.
        index = DocumentIndex.build(data, self.version, collections, items_proven=True)
        if index is None:
            return False
        for key, (start, end) in index.values.items():
            if key in collections:
                continue
            try:
                self.values[key] = orjson.loads(data[start:end])
            except orjson.JSONDecodeError:
                return False
        digests: dict[str, dict[str, bytes]] = {}
        for key, definition in collections.items():
            items = index.collections.get(key)
            if items is None:
                if key in index.values:
                    return False  # not a list of objects: the whole read says so
                self._collections[key] = PiecewiseObjects(self, {}, array("q"), array("q"))
                digests[key] = {}
                continue
            assert items.built is not None  # (built just now)
            starts, ends = items.built
            if known is None:
                ids = _proven(data, starts, ends, definition, trusted=trusted)
                if ids is None:
                    return False
                self._collections[key] = PiecewiseObjects(self, ids, starts, ends)
                continue
            digested = _proven_by_digest(
                data,
                starts,
                ends,
                definition,
                trusted=trusted,
                known=known.get(key, {}),
                runs=runs.get(key, {}),
                keep=keep_parsed,
            )
            if digested is None:
                return False
            listed, digests[key], parsed, self.runs[key] = digested
            if isinstance(parsed, list):
                # Every object parsed (none was known): held by id, as a whole read holds them.
                objects = ParsedObjects(zip(listed, parsed, strict=True))
                if len(objects) < len(listed) or not _separated(data, ends):
                    return False  # an id twice, or what lies between two items is not a comma
                self._collections[key] = objects
                continue
            ids = _placed(data, listed, ends)
            if ids is None:
                return False
            self._collections[key] = PiecewiseObjects(self, ids, starts, ends, parsed)
        if known is not None:
            self.digests = digests
        return True

    def collection(self, key: str) -> PiecewiseObjects | ParsedObjects | None:
        """The objects of the collection `key`; None once the caller they were handed to let them go."""
        objects = self._collections.pop(key, None)
        if objects is None:
            return self._handed_out.get(key)
        self._handed_out[key] = objects
        return objects

    def text(self, start: int, end: int) -> bytes:
        """The file's bytes from `start` to `end`, as they were when the objects were proven."""
        if self._kept is not None:
            return self._kept[start:end]
        if FileVersion.of(os.fstat(self._descriptor)) != self.version:
            raise self.changed()
        return os.pread(self._descriptor, end - start, start)

    def changed(self) -> SourceDataError:
        return SourceDataError(f"{self.path}: changed while the cycle read it; the next cycle reads it again")


def _proven(
    data: bytes, starts: array[int], ends: array[int], definition: ObjectDefinition, *, trusted: bool
) -> dict[str, int] | None:
    """Each id of the collection's items → its position, in the file's order, after proving that the
    text of each item (`data[starts[n]:ends[n]]`) is one object with a unique non-empty string id,
    the items separated by commas, and that its values are valid (unless `trusted`); else None."""
    checked = _checked_texts(data, starts, ends, definition, trusted=trusted, keep=False)
    return None if checked is None else _placed(data, checked[0], ends)


def _checked_texts(
    data: bytes, starts: array[int], ends: array[int], definition: ObjectDefinition, *, trusted: bool, keep: bool
) -> tuple[list[str], list[DirectoryObject]] | None:
    """The id of each item whose text is `data[starts[n]:ends[n]]`, in that order, and (if `keep`)
    its object, after proving each text is one object with a non-empty string id whose values are
    valid (unless `trusted`); else None."""
    listed: list[str] = []
    objects: list[DirectoryObject] = []
    view = memoryview(data)
    # Each step screens a chunk of items in C, as a whole read checks its items (see
    # `_document._indexed_by_id`); chunks larger than a piece: fewer calls, a few MB at a time.
    for first in range(0, len(starts), PROVEN_AT_ONCE):
        upto = first + PROVEN_AT_ONCE
        checked = _checked_items(
            map(view.__getitem__, map(slice, starts[first:upto], ends[first:upto])), definition, trusted
        )
        if checked is None:
            return None
        listed += checked[0]
        if keep:
            objects += checked[1]
    return listed, objects


def _proven_by_digest(
    data: bytes,
    starts: array[int],
    ends: array[int],
    definition: ObjectDefinition,
    *,
    trusted: bool,
    known: Mapping[bytes, str],
    runs: NotedRuns,
    keep: bool,
) -> (
    tuple[
        list[str], dict[str, bytes], dict[int, DirectoryObject] | list[DirectoryObject] | None, list[tuple[bytes, int]]
    ]
    | None
):
    """As `_proven`, checked but not yet placed (see `_placed`): the id of each item in the file's
    order, each id → the digest of its item's text, (if `keep`) the objects parsed: a list of
    all of them when no digest was `known`, else a dict by position; and the items' runs. An item
    whose digest is known, or whose run is one of `runs` as it was, is the object with that id,
    and is not parsed."""
    view = memoryview(data)
    tag = _digest_tag(definition)
    run_tag = _RUN_SCHEME + tag
    digests: list[bytes] = []
    listed: list[str | None] = []
    made_runs: list[tuple[bytes, int]] = []
    for first, upto in _runs(starts, ends):
        run = hashlib.sha256(view[starts[first] : ends[upto - 1]]).digest() + run_tag
        made_runs.append((run, upto - first))
        noted = runs.get(run)
        if noted is not None and len(noted[0]) == len(noted[1]) == upto - first:
            # The same bytes: the same texts (each begins and ends where the index found one).
            digests += noted[0]
            listed += noted[1]
            continue
        # SHA-256 of each text (in C, no keyword to pass), then the tag of the rules.
        texts = map(view.__getitem__, map(slice, starts[first:upto], ends[first:upto]))
        here = list(map(add, map(methodcaller("digest"), map(hashlib.sha256, texts)), repeat(tag)))
        digests += here
        listed += map(known.get, here)
    if not any(listed):
        # None known (a first look, or its note lost): each text is parsed once, in order, as
        # `_proven` parses it; each id is the one parsed from the text the digest was made of.
        checked = _checked_texts(data, starts, ends, definition, trusted=trusted, keep=keep)
        if checked is None:
            return None
        return checked[0], dict(zip(checked[0], digests, strict=True)), checked[1] if keep else None, made_runs
    unknown_mask = list(map(not_, listed))  # (an id is never empty)
    unknown = list(compress(range(len(listed)), unknown_mask))
    checked = _checked_texts(
        data,
        array("q", compress(starts, unknown_mask)),
        array("q", compress(ends, unknown_mask)),
        definition,
        trusted=trusted,
        keep=keep,
    )
    if checked is None:
        return None
    for position, object_id in zip(unknown, checked[0], strict=True):
        listed[position] = object_id
    ids: list[str] = listed  # type: ignore[assignment]  # (every None replaced just above)
    parsed = dict(zip(unknown, checked[1], strict=True)) if keep else None
    return ids, dict(zip(ids, digests, strict=True)), parsed, made_runs


def _runs(starts: array[int], ends: array[int]) -> list[tuple[int, int]]:
    """The items cut in runs, in order: each run's first item and the one after its last (see the
    module docstring). By the lengths of the texts, not their places: the runs an item added or
    removed changes are its own and, past `RUN_ITEMS`, up to the next run ending by length."""
    ended = bytes(map(and_, map(sub, ends, starts), repeat(RUN_BITS)))  # (each 0–31: one byte)
    made = []
    first = 0
    for upto in [*(match.end() for match in _RUN_END.finditer(ended)), len(ended)]:
        while upto - first > RUN_ITEMS:
            made.append((first, first + RUN_ITEMS))
            first += RUN_ITEMS
        if upto > first:
            made.append((first, upto))
            first = upto
    return made


def _digest_tag(definition: ObjectDefinition) -> bytes:
    """What ends each digest of a type's texts: the rules its values were checked by."""
    return _DIGEST_SCHEME + bytes.fromhex(rules_digest([definition]))


def _checked_items(
    texts: Iterable[bytes | memoryview], definition: ObjectDefinition, trusted: bool
) -> tuple[list[str], list[DirectoryObject]] | None:
    """The object each text holds and its id, after proving that each is one object with a
    non-empty string id whose values are valid (unless `trusted`); else None."""
    try:
        # (orjson refuses a text with anything after its value: each is one value.)
        items = list(map(orjson.loads, texts))
    except orjson.JSONDecodeError:
        return None
    if not {dict}.issuperset(map(type, items)):
        return None
    ids: list[Any] = list(map(dict.get, items, repeat("id")))
    if not ({str}.issuperset(map(type, ids)) and all(ids)):
        return None
    if not trusted and first_invalid_object(definition, items) is not None:
        return None
    return ids, items


def _placed(data: bytes, listed: list[str], ends: array[int]) -> dict[str, int] | None:
    """Each id → its position, if no id is twice and the items are separated by commas (see
    `_separated`); else None."""
    if not _separated(data, ends):
        return None
    ids = dict(zip(listed, range(len(listed)), strict=True))
    return ids if len(ids) == len(listed) else None  # else an id twice


def _separated(data: bytes, ends: array[int]) -> bool:
    """Whether the one byte between each item's text and the next one's (as the index is built) is a comma."""
    between = bytes(map(data.__getitem__, ends[:-1]))
    return between.count(b",") == len(between)


class ParsedObjects(dict[str, DirectoryObject]):
    """A collection whose every object was parsed as the file was read, by id (a dict of its own
    type: the caller's reference to it may be weak, see `DocumentPieces._handed_out`)."""


class PiecewiseObjects(Mapping[str, DirectoryObject]):
    """One collection's objects by id, each parsed from the file's text when it is asked for. The
    objects are new each time: the caller only reads them (see `SharedReads`)."""

    def __init__(
        self,
        pieces: DocumentPieces,
        ids: dict[str, int],
        starts: array[int],
        ends: array[int],
        parsed: dict[int, DirectoryObject] | None = None,
    ) -> None:
        self._pieces = pieces
        self._ids = ids
        """Each id → its object's position in the file's order (which is this dict's own)."""
        self._starts = starts
        self._ends = ends
        self._cached_first = 0
        self._cached: list[DirectoryObject] = []
        self._next = 0
        """The position after the last asked for: asking for it next reads a piece, not one object."""
        self._parsed = parsed or {}
        """Objects parsed as the file was read, by position: not parsed again (see `DocumentPieces.read`)."""
        self._in_order = 1
        """Objects the last piece read held: each piece read in order holds twice as many, up to
        `PIECE` (a cycle asking for a few objects here and there, as a cycle with digests does, then
        parses few it does not ask for)."""

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._ids

    def __getitem__(self, object_id: str) -> DirectoryObject:
        return self._at(self._ids[object_id])

    def get(self, object_id: str, default: Any = None) -> Any:
        position = self._ids.get(object_id)
        return default if position is None else self._at(position)

    def _at(self, position: int) -> DirectoryObject:
        if self._parsed:
            parsed = self._parsed.get(position)
            if parsed is not None:
                self._next = position + 1  # (still going through in order)
                return parsed
        offset = position - self._cached_first
        if not 0 <= offset < len(self._cached):
            if position == self._next:  # going through in order: a piece at a time
                self._in_order = min(2 * self._in_order, PIECE)
                self._cached_first, offset = position, 0
                self._cached = self._read(position, min(position + self._in_order, len(self._ids)))
            else:
                self._in_order = 1
                self._next = position + 1
                return self._read(position, position + 1)[0]
        self._next = position + 1
        return self._cached[offset]

    def _read(self, first: int, upto: int) -> list[DirectoryObject]:
        """The objects from position `first` to `upto`, parsed from the file's text."""
        text = self._pieces.text(self._starts[first], self._ends[upto - 1])
        try:
            objects = orjson.loads(b"[" + text + b"]")
        except orjson.JSONDecodeError:
            raise self._pieces.changed() from None
        ids = self._ids
        # Each object is where the proof found it, as long as the file is the version proven.
        if (
            type(objects) is not list
            or len(objects) != upto - first
            or any(
                type(obj) is not dict or ids.get(obj.get("id", "")) != position
                for position, obj in enumerate(objects, first)
            )
        ):
            raise self._pieces.changed()
        return objects
