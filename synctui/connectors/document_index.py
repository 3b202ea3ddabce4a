"""Where each object of a large JSON document file lies, kept beside the file, so that provision
on demand finds one object with a seek instead of a search through 40–120 MB of text.

The index of `dir/name.json` is `dir/.name.json.index`: a header line (JSON), then for each
collection a line per item, its id as JSON text and where its text starts and ends in the file
(found by a search in C of the index, mapped rather than read: see `_Collection`). The
header holds what the index was built from — the file's size, modification time and inode (a file
replaced, or written since, is not the one indexed) —, the byte range of each top-level key's
value, and the objects rewritten in place since (see `DocumentIndex.shifted`).

It is a cache, never the truth: a missing, torn, stale or unreadable index is rebuilt or done
without, and what it points at is read and checked (it must parse as an object with that id)
before it is used; an id it holds twice, or not at all, is left to the caller's search or whole
read. It is written without an fsync for that reason: a crash leaves an index the checks refuse.

Its header also notes a version of the file that synctui wrote itself (`Written`): the objects of
such a file were checked as they were written, so a whole read of it skips checking them again.

Building one proves, from the text alone, where each item of a collection starts: in a file laid out
as orjson's indent of 2 writes it a line's indent is its depth (trusted of a version synctui wrote;
any other file's values and items are checked too, as a hand edit can keep the indent and close a
collection on an item's line); a compact file's items are checked, a chunk at a time, without
building them (`json_checks.item_ids`). That costs a few searches of the file (an indented one
synctui wrote) or a pass over it, so it is done for a version of the file seen before (read or
written here): a file changed before every read of one object is searched instead, one read again
is indexed once.
"""

from __future__ import annotations

import json
import mmap
import os
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import repeat
from operator import sub
from pathlib import Path
from typing import Any

import orjson

from ..fileio import atomic_write
from .json_checks import item_ids, valid_json

FORMAT = 1
"""The layout of the index file; an index of another format is rebuilt."""
MAX_EDITS = 256
"""In-place rewrites an index follows (see `DocumentIndex.edited`)."""

_STRING = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
"""A JSON string's text (written so that the regular expression engine does not backtrack)."""
_TOP_KEY = re.compile(rb"\n  (" + _STRING + rb"): ")
_COMPACT_KEY = re.compile(rb"(" + _STRING + rb"):")
_COMPACT_ITEM = re.compile(rb'\{"id":(' + _STRING + rb")")
"""The start of an object whose first key is its id, in a compact file (the `"` of a string's
text is escaped, so this text is always structure, though not always an item of a collection)."""
_COMPACT_ITEM_START = re.compile(rb'\{"id":"')
"""As `_COMPACT_ITEM`, for an index whose items the caller proves: its id is not read here."""
_CHAINED = re.compile(rb"(?:\},)*")
"""Pairs of bytes, each the two before an item of a compact collection that follows another."""
_COMPACT_CHUNK = 200
"""Items checked at a time to prove a compact file's index (few at a time: little memory; at
1,000, ~360 KB, the UTF-8 check's strings left 13 MB more of the heap behind)."""
_JSON_DECODER = json.JSONDecoder()
_ITEM = re.compile(rb'\n    \{(?:\n      "id": (' + _STRING + rb"))?")
"""An item of a top-level collection: a line of 4 spaces and `{`; its first key should be its `"id"`."""


@dataclass(frozen=True)
class FileVersion:
    """What tells one version of a file from another without reading it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileVersion:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def listed(self) -> list[int]:
        """As the index file's header lists it."""
        return [self.size, self.mtime_ns, self.inode]


@dataclass(frozen=True)
class Written:
    """A version of the file written by synctui, whose objects all follow `rules` (a digest of the
    value rules of the writer's object types, see `connectors._objects.rules_digest`): a reader
    with the same rules has nothing to check in it. A reader with other rules (a job whose source
    is another job's target) checks as usual."""

    version: FileVersion
    rules: str

    def listed(self) -> list[Any]:
        return [*self.version.listed(), self.rules]

    def at(self, version: FileVersion) -> Written:
        """The same writer's rules, for the version of the file made from this one in place."""
        return Written(version, self.rules)

    @classmethod
    def from_header(cls, header: dict[str, Any], version: FileVersion) -> Written | None:
        """What an index file's header notes as written by synctui, if it is `version` of the file."""
        listed = header.get("written")
        if type(listed) is not list or len(listed) != 4:
            return None
        *noted, rules = listed
        if not all(type(number) is int for number in noted) or type(rules) is not str:
            return None
        return cls(version, rules) if FileVersion(*noted) == version else None

    @classmethod
    def note(cls, path: Path, version: FileVersion, rules: str) -> None:
        """Note that synctui has just written this version of the file at `path` whole: it replaces
        the index of the version before (no longer the file's)."""
        _replace(
            DocumentIndex.location(path), [orjson.dumps({"format": FORMAT, "written": cls(version, rules).listed()})]
        )

    @classmethod
    def of(cls, path: Path, version: FileVersion) -> Written | None:
        """What the index of `path` notes as written by synctui, if it is this version of the file."""
        return cls.from_header(_header(path), version)


@dataclass(frozen=True)
class WrittenTexts:
    """Where each object's text lies in a version of a document file that synctui wrote whole,
    noted as it wrote it, in `dir/.name.json.texts`: the next whole read of that version takes
    each object's text as it lies (see `JsonDocumentDirectory._written_objects`) without searching
    the file for where its objects start (~0.17 s at 100,000 users, where this note, 10 MB with
    the matching attribute's index, is read in ~50 ms). Like the index, it is a cache: noted for
    one version of the file (size, modification time, inode), written without an fsync, refused
    when torn, stale or not adding up to the file's text (`fits`); the file is then read without it."""

    version: FileVersion
    values: dict[str, tuple[int, int]]
    """Each top-level key → the byte range of its value's text, in the document's order."""
    collections: dict[str, tuple[list[str], list[int]]]
    """Each collection's key → its objects' ids and the lengths of their texts, in the file's
    order: the first starts after the value's `[`, each after the one before and a comma."""
    indexes: dict[str, dict[str, AttributeIndex]] = field(default_factory=dict)
    """Each collection's key → the attribute indexes its table held as it was written (see
    `ObjectTable.indexes`), so that the next cycle's first `find` need not read every object."""
    rewritten: dict[str, list[str]] = field(default_factory=dict)
    """Each collection's key → the ids of its objects rewritten in place since the note was
    written (see `note_rewritten`): `indexes` may not hold their values as they are now."""

    @staticmethod
    def location(path: Path) -> Path:
        return path.with_name(f".{path.name}.texts")

    def save(self, path: Path) -> None:
        """Write the note beside `path`, if its folder can be written (else it is done without)."""
        note = {
            "format": FORMAT,
            "version": self.version.listed(),
            "values": [[key, start, end] for key, (start, end) in self.values.items()],
            "collections": [[key, ids, lengths] for key, (ids, lengths) in self.collections.items()],
            "indexes": {
                key: {name: [index.case_exact, index.keys, index.holders] for name, index in indexes.items()}
                for key, indexes in self.indexes.items()
            },
        }
        _replace(self.location(path), [orjson.dumps(note)])

    @staticmethod
    def rewritten_location(path: Path) -> Path:
        return path.with_name(f".{path.name}.texts-rewritten")

    @classmethod
    def note_rewritten(
        cls, path: Path, before: FileVersion, now: FileVersion, rewritten: list[tuple[str, str, int, int]]
    ) -> None:
        """Note objects that provision on demand rewrote in place, the file going from version
        `before` to `now`: each as (its collection's key, its id, the length of its old text, of its
        new one), in the order written. They follow those noted since the note's version, if
        `before` is where those left the file; else they start afresh (and match no note, unless
        `before` is its version). A few hundred bytes, where rewriting the note would mean reading
        10 MB; a cycle then reads the note with them (see `load`)."""
        location = cls.rewritten_location(path)
        chain = _small_json(location)
        if (
            type(chain) is not dict
            or chain.get("format") != FORMAT
            or chain.get("to") != before.listed()
            or type(chain.get("rewritten")) is not list
            or len(chain["rewritten"]) + len(rewritten) > MAX_EDITS
        ):
            chain = {"format": FORMAT, "from": before.listed(), "rewritten": []}
        chain["to"] = now.listed()
        chain["rewritten"] += [list(edit) for edit in rewritten]
        _replace(location, [orjson.dumps(chain)])

    @classmethod
    def load(cls, path: Path, version: FileVersion) -> WrittenTexts | None:
        """The note beside `path`, if it is there, whole, of this version of the file (or of the
        version before the objects noted as rewritten since were), and fits it."""
        try:
            note = orjson.loads(cls.location(path).read_bytes())
            if type(note) is not dict or note.get("format") != FORMAT:
                return None
            rewritten: list[Any] = []
            if note.get("version") != version.listed():
                chain = _small_json(cls.rewritten_location(path))
                if (
                    type(chain) is not dict
                    or chain.get("format") != FORMAT
                    or chain.get("to") != version.listed()
                    or chain.get("from") != note.get("version")
                ):
                    return None
                rewritten = chain["rewritten"]
            values = {key: (start, end) for key, start, end in note["values"]}
            collections = {key: (ids, lengths) for key, ids, lengths in note["collections"]}
            indexes = {
                key: {name: AttributeIndex.read(index) for name, index in by_name.items()}
                for key, by_name in note["indexes"].items()
            }
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            return None
        if any(index is None for by_name in indexes.values() for index in by_name.values()):
            return None
        texts = cls(version, values, collections, indexes)  # type: ignore[arg-type] # (no None, as checked)
        if rewritten and not texts._rewrite(rewritten):
            return None
        return texts if texts.fits() else None

    def _rewrite(self, rewritten: list[Any]) -> bool:
        """Take in objects rewritten in place (see `note_rewritten`): each one's text changes length,
        and what follows it in the file moves by as much. False when one is not as noted."""
        positions: dict[str, dict[Any, int]] = {}  # each collection's ids → places, made when first edited
        for edit in rewritten:
            if type(edit) is not list or len(edit) != 4:
                return False
            key, object_id, old, new = edit
            if key not in self.collections or type(old) is not int or type(new) is not int:
                return False
            ids, lengths = self.collections[key]
            if key not in positions:
                positions[key] = {noted: place for place, noted in enumerate(ids)}
            position = positions[key].get(object_id)
            if position is None:
                return False
            if lengths[position] != old:
                return False
            lengths[position] = new
            start, end = self.values[key]
            for other, (other_start, other_end) in self.values.items():
                if other == key:
                    self.values[other] = (start, end + new - old)
                elif other_start > start:
                    self.values[other] = (other_start + new - old, other_end + new - old)
            self.rewritten.setdefault(key, []).append(object_id)
        return True

    def fits(self) -> bool:
        """Whether the texts fill each collection's value, as in a whole write, and every id is a
        string: a note that does not is not of the file as written."""
        for key, (ids, lengths) in self.collections.items():
            span = self.values.get(key)
            if span is None or type(ids) is not list or type(lengths) is not list or len(ids) != len(lengths):
                return False
            if not ({str}.issuperset(map(type, ids)) and {int}.issuperset(map(type, lengths))):
                return False
            start, end = span
            # `[`, the texts and the commas between them, then `\n  ]` (or `[]` when empty).
            filled = start + 1 + sum(lengths) + len(lengths) - 1 + 4 if lengths else start + 2
            if filled != end:
                return False
        return all(key in self.collections for key in self.indexes)


@dataclass(frozen=True)
class AttributeIndex:
    """One attribute's index of a table's objects, as a note keeps it (see `WrittenTexts.indexes`):
    each value's key (strings only, lower-cased unless `case_exact`) and the id of the object holding
    it, or the ids of those holding it when there are several."""

    case_exact: bool
    keys: list[str]
    holders: list[str | list[str]]

    @classmethod
    def read(cls, noted: Any) -> AttributeIndex | None:
        """The index as `WrittenTexts.save` lists it; None when it is not one."""
        if type(noted) is not list or len(noted) != 3:
            return None
        case_exact, keys, holders = noted
        if not (type(case_exact) is bool and type(keys) is list and type(holders) is list):
            return None
        if len(keys) != len(holders) or not {str}.issuperset(map(type, keys)):
            return None
        if not {str, list}.issuperset(map(type, holders)):
            return None
        return cls(case_exact, keys, holders)


class DocumentIndex:
    """The byte ranges of one version of a document file's objects and top-level values."""

    def __init__(
        self,
        version: FileVersion,
        values: dict[str, tuple[int, int]],
        collections: dict[str, _Collection],
        edits: list[tuple[int, int]] | None = None,
        written: Written | None = None,
    ) -> None:
        self.version = version
        self.values = values
        """Each top-level key → the byte range of its value's text, in the file as indexed."""
        self.collections = collections
        self.edits = edits or []
        """(position, change in length) of each object rewritten in place since the index was
        built, in order: a position at or after an edit's moved by its change."""
        self.written = written
        """Set when synctui wrote this version of the file (see `Written`)."""

    def find(self, collection: str, object_id: str) -> tuple[int, int] | None:
        """The byte range of the object's text in the file as it is now (edits applied); None when
        the index holds no such object, or holds it twice (the whole read reports a duplicate)."""
        items = self.collections.get(collection)
        return None if items is None else items.find(object_id, self.shifted)

    def shifted(self, position: int) -> int:
        """Where a position of the file as indexed is now, after the edits since."""
        for at, change in self.edits:
            if position >= at:
                position += change
        return position

    def value(self, key: str) -> tuple[int, int] | None:
        """The byte range of a top-level key's value in the file as it is now; None: no such key."""
        span = self.values.get(key)
        return None if span is None else (self.shifted(span[0]), self.shifted(span[1]))

    def edited(self, edits: Iterable[tuple[int, int]], version: FileVersion) -> DocumentIndex | None:
        """This index after objects were rewritten in place, the file now at `version`: each edit
        is (the old end of an object's text, its change in length), the positions of each edit
        in the file as the edits before it left it. None once there are more than `MAX_EDITS`:
        then it is built again, rather than every look-up going through them all."""
        edits = [*self.edits, *edits]
        if len(edits) > MAX_EDITS:
            return None
        # The objects rewritten were checked as they were read and written, and the others copied:
        # the new version is as trusted as the one it was made from.
        written = None if self.written is None else self.written.at(version)
        return DocumentIndex(version, self.values, self.collections, edits, written)

    # --- the index file -----------------------------------------------------------------------------

    @staticmethod
    def location(path: Path) -> Path:
        return path.with_name(f".{path.name}.index")

    @classmethod
    def of(cls, path: Path, version: FileVersion, data: mmap.mmap, collections: Iterable[str]) -> DocumentIndex | None:
        """The index of this version of the file at `path`, whose text is `data`: the one kept beside
        it; else one built now and kept, if this version was seen here before; else None, and the
        version noted as seen. Building costs a few searches of the text: a file changed before
        every read of an object is searched, one read twice or more gets its index."""
        if not _laid_out_to_index(data):
            return None
        header = _header(path)
        if header.get("version") == version.listed():
            index = cls.load(path, version)
            if index is not None:
                return index
        written = Written.from_header(header, version)
        if header.get("seen") == version.listed():
            index = cls.build(data, version, collections, laid_out=written is not None)
            if index is not None:
                index.written = written
                index.save(path)
                return index
        cls.seen(path, version, written)
        return None

    @classmethod
    def seen(cls, path: Path, version: FileVersion, written: Written | None = None) -> None:
        """Note this version of the file as read (or written) here: the next read builds its index.
        What the index noted as `written` is kept."""
        header: dict[str, Any] = {"format": FORMAT, "seen": version.listed()}
        if written is not None:
            header["written"] = written.listed()
        _replace(cls.location(path), [orjson.dumps(header)])

    @classmethod
    def load(cls, path: Path, version: FileVersion) -> DocumentIndex | None:
        """The index of `path` if it is there, whole, and of this version of the file. Its items
        are read where they lie in the index file, mapped, not copied (10 MB at 100,000 users)."""
        try:
            with cls.location(path).open("rb") as handle:
                header = orjson.loads(handle.readline())
                if type(header) is not dict or header.get("format") != FORMAT:
                    return None
                if header.get("version") != version.listed():
                    return None
                position = handle.tell()
                text = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            collections = {}
            for name, size in header["collections"]:
                collections[name] = _Collection(text, position, position + size)
                position += size
            if position != len(text):
                return None  # torn: written by a process that stopped half-way
            values = {key: (start, end) for key, start, end in header["values"]}
            edits = [(at, change) for at, change in header["edits"]]
            written = Written.from_header(header, version)
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
        return cls(version, values, collections, edits, written)

    def save(self, path: Path) -> None:
        """Write the index beside `path`, if its folder can be written (else it is done without)."""
        header = {
            "format": FORMAT,
            "version": self.version.listed(),
            "collections": [[name, items.end - items.start] for name, items in self.collections.items()],
            "values": [[key, start, end] for key, (start, end) in self.values.items()],
            "edits": self.edits,
        }
        if self.written is not None:
            header["written"] = self.written.listed()
        pieces = [
            orjson.dumps(header) + b"\n",
            *(items.text[items.start : items.end] for items in self.collections.values()),
        ]
        _replace(self.location(path), pieces)

    @staticmethod
    def remove(path: Path) -> None:
        with suppress(OSError):
            DocumentIndex.location(path).unlink()

    # --- building ---------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        data: mmap.mmap | bytes,
        version: FileVersion,
        collections: Iterable[str],
        *,
        items_proven: bool = False,
        with_ids: bool = False,
        laid_out: bool = False,
    ) -> DocumentIndex | None:
        """The index of a file's text laid out as orjson's indent of 2 writes it, for the objects
        of the top-level `collections`; None when the text is not laid out so, or an item of a
        collection is not an object whose first key is its `"id"` (such a file is searched instead).
        `items_proven`: the caller parses each item's text itself, proving that it is one object
        with a unique id (see document_pieces.py), so a compact file's items are not parsed here
        too, nor their ids listed: such an index tells where the items lie (`_Collection.built`)
        but finds no id, and is neither saved nor searched. `with_ids` (an indented file's, with
        `items_proven`): it also holds each item's id as its JSON text (`_Collection.ids`).
        `laid_out`: the file is known to be laid out as orjson writes it (synctui wrote it); else
        an indented file's text is proven to be the values and items its lines say: a hand edit
        can close a collection on an item's line (`{"id": "a"}], "groups": [`), and its lines
        would then hold a group among the users (see `_items`, `_proven_values`: ~1 ms a MB,
        once for each version of a file synctui did not write)."""
        if data[:2] == b'{"':
            return _compact_index(data, version, set(collections), items_proven=items_proven)
        if not _laid_out_to_index(data):
            return None
        end_of_document = len(data) - (3 if data[-1:] == b"\n" else 2)
        values = _top_level_values(data, end_of_document)
        if values is None:
            return None
        indexed = {}
        for collection in collections:
            if collection not in values:
                continue
            value_start, value_end = values[collection]
            if value_end - value_start == 2 and data[value_start:value_end] == b"[]":
                indexed[collection] = (
                    _Collection.placed([], [], [] if with_ids else None) if items_proven else _Collection.of([], [], [])
                )
                continue
            if data[value_start : value_start + 1] != b"[" or data[value_end - 4 : value_end] != b"\n  ]":
                return None
            items = _items(
                data, value_start + 1, value_end - 4, items_proven=items_proven, with_ids=with_ids, laid_out=laid_out
            )
            if items is None:
                return None
            indexed[collection] = items
        if not (items_proven or laid_out or _proven_values(data, values, indexed)):
            return None
        return cls(version, values, indexed)


def _proven_values(
    data: mmap.mmap | bytes, values: dict[str, tuple[int, int]], indexed: dict[str, _Collection]
) -> bool:
    """Whether each top-level value of an indented file that is not an `indexed` collection (whose
    items `_items` checks) is one JSON value: a hand edit can move a key onto a line of another
    value (`"a"}], "users": [`), where the lines do not show it."""
    return all(valid_json(data[start:end]) for key, (start, end) in values.items() if key not in indexed)


def notes_beside(path: Path) -> tuple[Path, ...]:
    """Where this module keeps its notes beside the document file at `path` (never the file
    itself; nowhere beside a path without a name, as `/`)."""
    if not path.name:
        return ()
    return DocumentIndex.location(path), WrittenTexts.location(path), WrittenTexts.rewritten_location(path)


def is_note(path: Path) -> bool:
    """Whether the file at `path` begins as every note of this module does: one that does not (a
    data file that happens to have a note's name) is no note to remove."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(_NOTE_START)) == _NOTE_START
    except OSError:
        return False


_NOTE_START = orjson.dumps({"format": FORMAT})[:-1] + b","
"""How each note's text begins: a JSON object whose first member is its format."""


def _laid_out_to_index(data: mmap.mmap | bytes) -> bool:
    """Whether the text starts and ends as orjson lays out a non-empty object, compact or with an
    indent of 2."""
    end = data[-3:] if data[-1:] == b"\n" else data[-2:]
    return (data[:5] == b'{\n  "' and end in (b"\n}", b"\n}\n")) or (data[:2] == b'{"' and end[-1:] in b"}\n")


def _compact_index(
    data: mmap.mmap | bytes, version: FileVersion, collections: set[str], *, items_proven: bool
) -> DocumentIndex | None:
    """The index of a file written without whitespace (`{"users":[{"id":…},…],…}`). Its text does not
    show an object's depth, so building the index proves it: the top level is walked key by key,
    each value that is not one of `collections` decoded to find its end, and each collection's
    items checked, a chunk at a time (`json_checks.item_ids`, which builds nothing), to prove that
    every `{"id":` taken for an item's start is one (same count, same ids in the same order); with
    `items_proven` (the caller parses every item alone, see document_pieces.py) that check is
    left to the caller. Done once for each version of the file; the objects are then found with a seek."""
    if items_proven:
        # Where items start, and no more (the caller proves each item): a search for a fixed text.
        starts, ids = [anchor.start() for anchor in _COMPACT_ITEM_START.finditer(data)], []
    else:
        anchors = list(_COMPACT_ITEM.finditer(data))
        starts = [anchor.start() for anchor in anchors]
        ids = [anchor.group(1) for anchor in anchors]
        del anchors
    end_of_document = len(data) - (2 if data[-1:] == b"\n" else 1)
    values: dict[str, tuple[int, int]] = {}
    indexed: dict[str, _Collection] = {}
    position = 1  # past the document's `{`
    while True:
        match = _COMPACT_KEY.match(data, position)
        key = None if match is None else _decoded(match.group(1))
        if match is None or key is None:
            return None
        value_start = match.end()
        if key in values:
            return None  # a key twice: the whole read decides what that means
        first = bisect_left(starts, value_start)
        if key in collections and data[value_start : value_start + 2] == b"[]":
            value_end = value_start + 2
            indexed[key] = _Collection.placed([], []) if items_proven else _Collection.of([], [], [])
        elif key in collections:
            if first == len(starts) or starts[first] != value_start + 1:
                return None  # not a list whose first item starts `{"id":`
            proven = _compact_items(data, starts, ids, first, items_proven=items_proven)
            if proven is None:
                return None
            indexed[key], value_end = proven
        else:
            found_end = end_of_value(data, value_start)
            if found_end is None:
                return None
            value_end = found_end
        values[key] = (value_start, value_end)
        if value_end == end_of_document and data[value_end : value_end + 1] == b"}":
            return DocumentIndex(version, values, indexed)
        if data[value_end : value_end + 1] != b",":
            return None
        position = value_end + 1


def _compact_items(
    data: mmap.mmap | bytes, starts: list[int], ids: list[bytes], first: int, *, items_proven: bool
) -> tuple[_Collection, int] | None:
    """The items of a compact collection whose first item starts at `starts[first]`, and where the
    collection's text ends; None unless its items are objects, each starting `{"id":` (unless
    `items_proven`: then the caller proves it)."""
    # Items follow one another as `},{"id":`; the first anchor not so placed is past the collection
    # (or nested in an item: then the parse below finds fewer items than anchors). The two bytes
    # before each later anchor, side by side, are searched in C for the first pair that is not `},`.
    later = starts[first + 1 :]
    before = b"".join(map(data.__getitem__, map(slice, map(sub, later, repeat(2)), later)))
    chained = _CHAINED.match(before)
    last = first + (chained.end() // 2 if chained is not None else 0)
    last_end = end_of_value(data, starts[last])
    if last_end is None or data[last_end : last_end + 1] != b"]":
        return None
    ends = [start - 1 for start in starts[first + 1 : last + 1]]
    ends.append(last_end)
    if items_proven:
        # Where the items lie, and no more: no ids to look up (see `DocumentIndex.build`).
        return _Collection.placed(starts[first : last + 1], ends), last_end + 1
    if not _unique(ids[first : last + 1]) or not _checked_items(
        data, ids[first : last + 1], starts[first : last + 1], ends
    ):
        return None
    return _Collection.of(ids[first : last + 1], starts[first : last + 1], ends), last_end + 1


def _checked_items(data: mmap.mmap | bytes, ids: list[bytes], starts: list[int], ends: list[int]) -> bool:
    """Whether the items whose texts are said to lie from `starts` to `ends`, a comma between each
    and the next, are objects with these ids (as JSON texts), in this order: checked, not built,
    `_COMPACT_CHUNK` items at a time (see json_checks.py: 55 ms for a 40 MB file's items, where
    orjson took 100 ms). The chunks, joined by the commas between them, are the whole text."""
    for chunk in range(0, len(starts), _COMPACT_CHUNK):
        upto = min(chunk + _COMPACT_CHUNK, len(starts))
        if chunk and data[starts[chunk] - 1 : starts[chunk]] != b",":
            return False
        found = item_ids(b"[" + data[starts[chunk] : ends[upto - 1]] + b"]")
        if found is None or list(map(orjson.dumps, found)) != ids[chunk:upto]:
            return False
    return True


def end_of_value(data: mmap.mmap | bytes, start: int) -> int | None:
    """Where the JSON value starting at `start` ends, decoded by `json`'s scanner from a window of
    the text that grows until it holds the value (most values are short); None when the text there
    is no JSON value as orjson reads one (not UTF-8, say), or is nested deeper than the scanner
    follows (then the caller reads the whole file)."""
    size = 4096
    while True:
        window = data[start : start + size].decode("utf-8", errors="replace")
        try:
            _, end = _JSON_DECODER.raw_decode(window)
        except RecursionError:
            return None
        except json.JSONDecodeError:
            if start + size >= len(data):
                return None
            size *= 4
            continue
        text = window[:end].encode()
        # Bytes that are not UTF-8 were replaced in `window`: such text is not what the file holds.
        if data[start : start + len(text)] != text:
            return None
        try:
            # `json` reads what orjson, the whole read, refuses: `NaN`, `Infinity`, `1e400`, `"\ud800"`.
            orjson.loads(text)
        except orjson.JSONDecodeError:
            return None
        return start + len(text)


def _small_json(location: Path) -> Any:
    """The JSON value of a small file; None if it is missing or not JSON."""
    try:
        return orjson.loads(location.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def _header(path: Path) -> dict[str, Any]:
    """The first line of the index of `path`; empty if there is none, or it cannot be read."""
    try:
        with DocumentIndex.location(path).open("rb") as handle:
            header = orjson.loads(handle.readline())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return header if type(header) is dict and header.get("format") == FORMAT else {}


def _replace(location: Path, pieces: list[bytes]) -> None:
    """Write a file of the index, if its folder can be written (else the file is done without). No
    fsync: a crash may leave it torn or empty, which its reader refuses (see the module docstring)."""
    with suppress(OSError):
        atomic_write(location, pieces, durable=False)


def _top_level_values(data: mmap.mmap | bytes, end_of_document: int) -> dict[str, tuple[int, int]] | None:
    """Each top-level key → the byte range of its value's text. In this layout a line of 2 spaces
    and a `"` is a top-level key (`indented_key`): the keys are found by a search backwards from the
    document's end, and each value runs from its key to the `,` before the next key's line, which
    must close it as its opening says (`[` and `\n  ]`, `{` and `\n  }`, or all on one line).
    Backwards, the search tests each place's first byte, a line break (one in ~30 bytes of indented
    text): 51 MB in 24 ms, where a forward search for each collection's closing `\n  ]` took 52 (it
    tests the last byte, `]`, and rarely skips: its neighbours, spaces, are in what it seeks). What
    lies between the collection's items is each item's text, which its reader checks."""
    lines = []
    at = data.rfind(b'\n  "', 0, end_of_document)
    while at >= 0:
        lines.append(at)
        at = data.rfind(b'\n  "', 0, at)
    lines.reverse()
    if not lines or lines[0] != 1:  # the first key right after the document's `{`
        return None
    values: dict[str, tuple[int, int]] = {}
    for line, next_line in zip(lines, [*lines[1:], None], strict=True):
        found = indented_key(data, line)
        if found is None:
            return None
        key, value_start = found
        if next_line is None:
            value_end = end_of_document
        elif data[next_line - 1 : next_line] == b",":
            value_end = next_line - 1
        else:
            return None
        opening = data[value_start : value_start + 2]
        if opening in (b"[\n", b"{\n"):
            closing = b"\n  ]" if opening == b"[\n" else b"\n  }"
            if value_end - value_start < 5 or data[value_end - 4 : value_end] != closing:
                return None
        elif data.find(b"\n", value_start, value_end) >= 0:
            return None
        if key in values:  # a key twice: the whole read decides what that means
            return None
        values[key] = (value_start, value_end)
    return values


def indented_key(data: mmap.mmap | bytes, at: int) -> tuple[str, int] | None:
    """The top-level key whose line starts at `at` in a file laid out as orjson's indent of 2
    writes it (`\n  "key": `), decoded (a key may be spelled with escapes), and where its value
    starts; None when the text there is no such line."""
    match = _TOP_KEY.match(data, at)
    key = None if match is None else _decoded(match.group(1))
    return None if match is None or key is None else (key, match.end())


def _decoded(key: bytes) -> str | None:
    """A key's text decoded; None when it is not a JSON string (`"\\ud800"`: the whole read refuses it)."""
    try:
        decoded = orjson.loads(key)
    except orjson.JSONDecodeError:
        return None
    return decoded if type(decoded) is str else None


@dataclass
class _Collection:
    """The items of one collection: in `text[start:end]`, a line for each, `\n"id"\tSE` where S and
    E are the start and end of its text in the file, 16 hexadecimal digits each. A search in C finds
    an id's line (a `"` or a tab in an id is escaped in its JSON text, so the line is the id's)."""

    text: bytes | mmap.mmap
    start: int
    end: int
    built: tuple[array[int], array[int]] | None = None
    """Where each item's text starts and ends in the file, in its order, when built with `items_proven`."""
    ids: list[bytes] | None = None
    """Each item's id as its JSON text, in its order, when built with `with_ids`."""

    @classmethod
    def of(cls, ids: list[bytes], starts: list[int], ends: list[int]) -> _Collection:
        text = b"".join([b"\n%s\t%016x%016x" % line for line in zip(ids, starts, ends, strict=True)]) + b"\n"
        return cls(text, 0, len(text))

    @classmethod
    def placed(cls, starts: list[int], ends: list[int], ids: list[bytes] | None = None) -> _Collection:
        """Where the items lie, and no ids to find them by (see `DocumentIndex.build`'s `items_proven`)."""
        return cls(b"", 0, 0, (array("q", starts), array("q", ends)), ids)

    def find(self, object_id: str, shifted: Callable[[int], int]) -> tuple[int, int] | None:
        """The object's byte range, through `shifted` (see `DocumentIndex.shifted`); None when there
        is no line for its id. An id the file spells otherwise (escaped differently) is not
        found: it is searched for in the file instead."""
        line = b"\n" + orjson.dumps(object_id) + b"\t"
        at = self.text.find(line, self.start, self.end)  # once at most: see `_unique`
        if at < 0:
            return None
        at += len(line)
        return shifted(int(self.text[at : at + 16], 16)), shifted(int(self.text[at + 16 : at + 32], 16))


def _unique(ids: list[Any]) -> bool:
    """Whether no id is twice in a collection: a file with one twice is not indexed (the whole read
    reports it), so that a look-up stops at the first line it finds."""
    return len(set(ids)) == len(ids)


def _as_orjson_writes(ids: list[bytes]) -> bool:
    """Whether each id's text is spelled as orjson writes it: an id is found by that spelling
    (see `_Collection.find`), so an id spelled otherwise (`"\\u0075\\u0031"` for `"u1"`) would hide a
    second object with the same id from `_unique`. Escapes are rare in ids: one search of them all
    for a backslash (~3 ms for 100,000) spares checking each."""
    if b"\\" not in b"".join(ids):
        return True
    for text in ids:
        if b"\\" in text:
            try:
                if orjson.dumps(orjson.loads(text)) != text:
                    return False
            except orjson.JSONDecodeError:
                return False
    return True


def _items(
    data: mmap.mmap | bytes, start: int, end: int, *, items_proven: bool, with_ids: bool = False, laid_out: bool
) -> _Collection | None:
    """The items of the collection whose items' text is `data[start:end]` (`items_proven`,
    `with_ids`, `laid_out`: see `DocumentIndex.build`)."""
    matches = list(_ITEM.finditer(data, start, end))
    if (matches[0].start() if matches else end) != start:
        return None  # text before the first item (`[\n    5,\n    {`): not an object the search finds
    ids = [match.group(1) for match in matches]
    if None in ids or not (items_proven or (_unique(ids) and _as_orjson_writes(ids))):
        return None
    starts = [match.start() for match in matches]
    # An item's text ends where the next one's starts, less the comma between them; the check of
    # the text found (see the module's docstring) refuses any other layout.
    ends = [item_start - 1 for item_start in starts[1:]]
    ends.append(end)
    if not (items_proven or laid_out or _checked_items(data, ids, starts, ends)):
        return None
    if items_proven:
        return _Collection.placed(starts, ends, ids if with_ids else None)
    return _Collection.of(ids, starts, ends)
