"""Directories kept as one JSON document of object collections, `{"users": [...], "groups": [...]}`:
the tenant directory and the JSON file target share this loading, checking and writing.

The file is read once, on first use, into one `ObjectTable` per object type; a large file that a
cycle only reads (`read_all_shared`) is read a piece at a time instead (document_pieces.py).
Writes change the tables only; `flush()` rewrites the whole document atomically, so 100,000
creates cost one write. Properties and top-level keys this directory does not know are kept as
they were.

Provision on demand reads and updates one object of a large file: `read_one` finds it through
the index kept beside the file (document_index.py), or else by a search of the file's text,
without parsing the rest; until something else is asked of the directory, an update changes
that object only, and `flush()` writes the file again with its new text in the old one's place
(the rest copied from the old file, never held whole) and tells the index where the objects
after it moved.

Not thread-safe: use an instance from one thread at a time.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from ..fileio import FileRange, atomic_write, indented_json
from ..models import DirectoryDefinition, ObjectDefinition
from . import json_checks
from ._objects import ObjectTable, TextsInFile, first_invalid_object, laid_out, rules_digest, shown
from .base import (
    ConnectionFailure,
    DigestedObjects,
    DirectoryDataError,
    DirectoryObject,
    Modification,
    NotedRuns,
    SourceDataError,
)
from .document_index import (
    AttributeIndex,
    DocumentIndex,
    FileVersion,
    Written,
    WrittenTexts,
    end_of_value,
    is_note,
    notes_beside,
)

if TYPE_CHECKING:
    from .document_pieces import DocumentPieces, ParsedObjects, PiecewiseObjects

PIECEWISE_BYTES = 64_000_000
"""A file at least this large is read by a cycle a piece at a time (see document_pieces.py): parsed
whole, its objects would be held as dicts for the whole cycle. A smaller one is parsed whole, which
costs less time than parsing each object again where the cycle asks for it."""
DIGESTED_BYTES = 1_000_000
"""A file at least this large is read in pieces for a caller that knows digests of its objects'
texts (see `digested_objects`); a smaller one is read whole: parsing it costs next to nothing."""


class JsonDocumentDirectory:
    """A `Directory` over one JSON file; subclasses say which file shape and which ids."""

    writes_at_flush = True
    """Changes reach the file at `flush` only (see `DeferredWrites`)."""

    data_error: Callable[[str], DirectoryDataError] = SourceDataError
    """What a file that is not this directory's data raises: its code names the source or the target."""

    keeps_written_text = False
    """A version of the file this directory wrote is read as its objects' texts, not parsed (see
    `_written_objects`): for a directory that a cycle reads a few objects of (a target), not one
    it reads every object of (a source, whose objects would each be parsed alone)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        definition: DirectoryDefinition,
        *,
        collections: Mapping[str, str],
        missing_file_is_empty: bool,
        new_id: Callable[[], str],
    ) -> None:
        """`collections` maps each object type to its top-level key in the document. A missing
        file is an empty directory when `missing_file_is_empty`, else an error."""
        self.path = Path(path)
        self._definition = definition
        # Keyed by the definition's spelling of each type; a type the definition lacks is left
        # in the document untouched.
        self._collections: dict[str, str] = {}
        self._object_definitions: dict[str, ObjectDefinition] = {}
        for object_type, key in collections.items():
            object_definition = definition.object(object_type)
            if object_definition is not None:
                self._collections[object_definition.name] = key
                self._object_definitions[object_definition.name] = object_definition
        self._missing_file_is_empty = missing_file_is_empty
        self._new_id = new_id
        self._document: dict[str, Any] | None = None
        self._tables: dict[str, ObjectTable] = {}
        self._dirty = False
        self._objects_from_text: dict[tuple[str, str], _ObjectFromText] = {}
        """Objects read by `read_one` while the document is not, by (object type, id)."""
        self._digested: bytes | None = None
        """The bytes `content_digest` read, parsed by the next load instead of reading the file again."""
        self._index: tuple[FileVersion, DocumentIndex | None] | None = None
        """Where the file's objects lie (see document_index.py), if known, for a version of the file."""
        self._keyless: tuple[FileVersion, int, int] | None = None
        """(version, start, end): text of that version of the file, proven by the search of an
        object (see `_in_indented_text`, `_in_compact_text`) to hold no top-level key that starts
        after `start` and before `end`: `_value_from_text` skips it."""
        self._respelled: tuple[FileVersion, _Respelled | None] | None = None
        """The strings of a version of the file spelled otherwise than orjson writes them (see `_respelled`)."""
        self._rules = rules_digest(list(self._object_definitions.values()))
        """The value rules of this directory's object types, as a version of the file it wrote notes them."""
        self._version_read: FileVersion | None = None
        """The version of the file whose bytes were read last."""
        self._wrote_version: tuple[FileVersion, bool] | None = None
        """The last answer of `_wrote`, for the version it was asked of."""
        self._pieces: DocumentPieces | None = None
        """The objects as `read_all_shared` reads a large file's, a piece at a time."""
        self._pieces_tried = False
        self._texts_handle: BinaryIO | None = None
        """The file the tables left their objects' texts in (see `_written_objects`), kept open."""
        self._unnoted: tuple[FileVersion, dict[str, tuple[int, int]]] | None = None
        """The version the last flush wrote, and its top-level values' places, until noted (see `_note_texts`)."""

    # --- Directory protocol -----------------------------------------------------------------

    def definition(self) -> DirectoryDefinition:
        return self._definition

    def test_connection(self) -> None:
        """Check that the file can be read, without loading it."""
        try:
            with self.path.open("rb"):
                pass
        except (FileNotFoundError, NotADirectoryError):
            if not self._missing_file_is_empty:
                raise ConnectionFailure("FileNotFound", f"{self.path}: no such file") from None
        except OSError as error:
            raise ConnectionFailure("FileNotReadable", f"{self.path}: cannot be read ({error.strerror})") from None

    def content_digest(self) -> str | None:
        """The SHA-256 of the file's bytes (see `ContentDigest`); None before the document is read
        only. The bytes are kept for the load that may follow, so that it parses what was digested."""
        if self._document is not None or self._pieces is not None:
            return None  # what was read may have changed since: the file's bytes no longer tell
        data = self._read_bytes()
        if data is None:
            return "no file"  # an empty directory, unlike an empty file (which is no JSON)
        self._digested = data
        return hashlib.sha256(data).hexdigest()

    def read_all(self, object_type: str) -> Iterable[DirectoryObject]:
        return self._table(object_type).iter_copies()

    def read_all_shared(self, object_type: str) -> Mapping[str, DirectoryObject]:
        pieces = self._read_in_pieces(object_type)
        return pieces if pieces is not None else self._table(object_type).shared()

    def get(self, object_type: str, object_id: str) -> DirectoryObject | None:
        return self._table(object_type).get(object_id)

    def read_one(self, object_type: str, object_id: str) -> DirectoryObject | None:
        in_text = self._object_from_text(object_type, object_id, read=True)
        return self.get(object_type, object_id) if in_text is None else in_text.table.get(object_id)

    def find(self, object_type: str, attribute: str, value: Any) -> list[DirectoryObject]:
        return self._table(object_type).find(attribute, value)

    def create(self, object_type: str, attributes: DirectoryObject) -> str:
        object_id = self._new_id()
        self._table(object_type).insert(object_id, attributes)
        self._dirty = True
        return object_id

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        # (Once the document is read, no object is read on its own: a cycle's updates skip the call.)
        in_text = None if self._document is not None else self._object_from_text(object_type, object_id, read=False)
        if in_text is None:
            self._table(object_type).modify(object_id, modification)
        else:
            in_text.table.modify(object_id, modification)
            in_text.changed = True
        self._dirty = True

    def delete(self, object_type: str, object_id: str) -> None:
        self._table(object_type).remove(object_id)
        self._dirty = True

    def flush(self) -> None:
        """Write the document if anything changed. On failure the old file stays as it was and
        the changes stay buffered, so a later flush can still write them."""
        if not self._dirty:
            return
        if self._document is None:
            # Only objects read on their own have changed: anything else reads the document.
            if self._write_objects_from_text():
                return
            self._load()  # the file has changed since: write it whole, with them
        assert self._document is not None
        document = dict(self._document)
        for key in self._collections.values():
            document.setdefault(key, None)  # a collection the file lacked goes after its other keys
        tables = {key: self._tables[object_type] for object_type, key in self._collections.items()}
        spans: dict[str, tuple[int, int]] = {}
        self._write(_document_text(document, tables, spans))
        # The objects are in the tables: the document keeps its other keys, and the collections' places.
        self._document = dict.fromkeys(document) | {key: value for key, value in document.items() if key not in tables}
        self._dirty = False
        with suppress(OSError):
            # Its objects were checked as they were written: the next whole read need not check them.
            version = FileVersion.of(self.path.stat())
            Written.note(self.path, version, self._rules)
            if self.keeps_written_text:
                self._unnoted = (version, spans)

    def notes(self) -> tuple[Path, ...]:
        """See `KeepsNotes`: the file's index and the note of where its objects' texts lie."""
        return tuple(filter(is_note, notes_beside(self.path)))

    def close(self) -> None:
        """Note where the objects' texts lie in the version of the file the last flush wrote, and
        release the file the tables' texts were left in (see `TextsInFile`). Changes not flushed
        are not written."""
        self._note_texts()
        self._close_texts()

    def _note_texts(self) -> None:
        """Note where each object's text lies in the version of the file the last flush wrote, if
        nothing changed since and every object was kept as its text (see `_written_objects`). Done
        once, as the directory is let go: a cycle's checkpoints write the file more than once, and
        the note is of the last version (~40 ms at 100,000 users)."""
        unnoted, self._unnoted = self._unnoted, None
        if unnoted is None or self._dirty:
            return
        version, spans = unnoted
        with suppress(OSError):
            if FileVersion.of(self.path.stat()) != version:
                return  # written again since, by someone else
            tables = {key: self._tables[object_type] for object_type, key in self._collections.items()}
            lengths = {key: table.text_lengths() for key, table in tables.items()}
            if all(texts is not None for texts in lengths.values()):
                indexes = {key: table.indexes() for key, table in tables.items()}
                WrittenTexts(version, spans, lengths, indexes).save(self.path)  # type: ignore[arg-type] # (no None)

    # --- a large file read a piece at a time ---------------------------------------------------

    def _read_in_pieces(self, object_type: str) -> PiecewiseObjects | ParsedObjects | None:
        """The objects of `object_type` read a piece at a time, if the file is large enough to be
        worth it and laid out so that its objects can be found (see document_pieces.py); else None."""
        if self._document is not None or self._objects_from_text:
            return None
        definition = self._definition.object(object_type)
        if definition is None or definition.name not in self._collections:
            return None
        if not self._pieces_tried:
            self._pieces_tried = True
            self._pieces = self._pieces_of_file()
        if self._pieces is None:
            return None
        # (None when a caller was handed them before and let them go: then the file is read whole.)
        return self._pieces.collection(self._collections[definition.name])

    def digested_objects(
        self, known: Mapping[str, Mapping[bytes, str]], runs: Mapping[str, NotedRuns] | None = None
    ) -> dict[str, DigestedObjects] | None:
        """See `TextDigests`: read a piece at a time (document_pieces.py), whatever the file's size
        past `DIGESTED_BYTES`. Only as the directory's first read: else None."""
        if self._document is not None or self._objects_from_text or self._pieces_tried:
            return None
        keys = {}
        for object_type in known:
            definition = self._definition.object(object_type)
            if definition is None or definition.name not in self._collections:
                return None
            keys[object_type] = self._collections[definition.name]
        self._pieces_tried = True
        self._pieces = self._pieces_of_file(
            {keys[object_type]: texts for object_type, texts in known.items()},
            {keys[object_type]: noted for object_type, noted in (runs or {}).items() if object_type in keys},
        )
        if self._pieces is None or self._pieces.digests is None:
            return None
        digests, self._pieces.digests = self._pieces.digests, None  # the caller's alone, as the objects are
        digested = {}
        for object_type, key in keys.items():
            objects = self._pieces.collection(key)
            assert objects is not None  # (just read)
            digested[object_type] = DigestedObjects(objects, digests[key], self._pieces.runs.pop(key, ()))
        return digested

    def _pieces_of_file(
        self, known: Mapping[str, Mapping[bytes, str]] | None = None, runs: Mapping[str, NotedRuns] | None = None
    ) -> DocumentPieces | None:
        """The file read in pieces, if it is large enough (`known`, `runs`: see `DocumentPieces.read`)."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return None  # the whole read reports why
        if size < (PIECEWISE_BYTES if known is None else DIGESTED_BYTES):
            return None
        # Imported here: a command that reads no large file whole (provision on demand) skips it (2 ms).
        from .document_pieces import DocumentPieces

        definitions = {key: self._object_definitions[object_type] for object_type, key in self._collections.items()}
        # What `content_digest` read is what the cycle reads (see engine/quiet.py): its bytes, if
        # the file is still that version; else they are parsed whole.
        digested = None
        if self._digested is not None and self._version_read is not None:
            digested = (self._version_read, self._digested)
        # Read with digests, a file that would be read whole keeps the objects parsed: few, with a
        # note of digests; all of them when there is none (then a whole read would hold as much).
        pieces = DocumentPieces.read(
            self.path,
            definitions,
            checked=self._wrote,
            read=digested,
            known=known,
            runs=runs,
            keep_parsed=known is not None and size < PIECEWISE_BYTES,
        )
        if pieces is not None:
            self._digested = None
        return pieces

    # --- one object read from the file's text ----------------------------------------------

    def _object_from_text(self, object_type: str, object_id: str, *, read: bool) -> _ObjectFromText | None:
        """The object as read on its own while the document is not: found in the file's text
        now if `read` and it was not before; None once the document is read."""
        if self._document is not None:
            return None
        definition = self._definition.object(object_type)
        if definition is None:
            return None
        key = (definition.name, object_id)
        if key not in self._objects_from_text and read:
            found = self._find_in_text(definition, object_id)
            if found is not None:
                self._objects_from_text[key] = found
        return self._objects_from_text.get(key)

    def _value_from_text(self, key: str) -> Any:
        """The value of a top-level `key` that is not an object collection, found in the file's text
        without parsing the rest (see `_find_in_text` for the layout that makes this possible):
        NOT_IN_TEXT when the text cannot tell, None when the document has no such key."""
        if self._pieces is not None:
            return self._pieces.values.get(key)  # as read with the objects
        handle = self._open_file()
        if handle is None:
            return None
        with handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size == 0:
                return NOT_IN_TEXT
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                index = self._index_of(data, stat)
                span = None if index is None else index.value(key)
                if index is not None and span is None:
                    return None
                if span is not None:
                    try:
                        return _top_level_value(data[span[0] : span[1]])
                    except orjson.JSONDecodeError:
                        return NOT_IN_TEXT
                if data[:2] != b'{"' and data[:5] != b'{\n  "':
                    return NOT_IN_TEXT  # not laid out as this directory writes its file
                # A key spelled with escapes (`"appRole\\u0041ssignments"`), which orjson reads as
                # the same key, is not what the searches below look for.
                respelled = self._respelled_of(data, stat)
                if respelled is None or key in respelled.keys:
                    return NOT_IN_TEXT
                if data[:2] == b'{"':
                    # Compact: the text cannot tell a top-level key from an object's, only that
                    # the key is nowhere (a `"` in a JSON string is escaped, so this text is a key).
                    # Searched without its closing `"`: the key with a space before its `:` (a hand
                    # edit, say) is found too; a longer key only defers. Text the search of an
                    # object proved to be items of a collection is skipped (a late user's: 36 of
                    # 40 MB, 11 ms).
                    found = self._outside_keyless(data, stat, orjson.dumps(key)[:-1], data.find)
                    return NOT_IN_TEXT if found >= 0 else None
                # The key's line as far as its name (a longer key, or a space before the `:`,
                # only defers), and as orjson writes it whole.
                line = b"\n  " + orjson.dumps(key)[:-1]
                marker = line + b'": '
                # Whether it is there at all, searched backwards: the search then tests the line's
                # first byte, a line break (one byte in ~30 of indented text), not its last (a
                # letter). A key that is not there is the usual case: 123 MB in 30 ms, not 37.
                # Text the search of an object found keyless is skipped (a late user's: 3 ms).
                last = self._outside_keyless(data, stat, line, data.rfind)
                if last < 0:
                    return None
                at = data.find(line)
                if data[at : at + len(marker)] != marker:
                    return NOT_IN_TEXT
                start = at + len(marker)
                if data[start : start + 1] == b"[" and data[start + 1 : start + 2] == b"]":
                    return []
                end = data.find(b"\n  ]", start)
                if end < 0 or last >= end:  # (the key once more after its value)
                    return NOT_IN_TEXT
                text = data[start : end + 4]
        try:
            return _top_level_value(text)
        except orjson.JSONDecodeError:
            return NOT_IN_TEXT

    def _outside_keyless(self, data: mmap.mmap, stat: os.stat_result, text: bytes, search: Callable[..., int]) -> int:
        """Where `search` (`data.find` or `data.rfind`: whichever skips more of the text) finds
        `text` in `data`, skipping the text this version of the file is known to hold no top-level
        key in (see `_keyless`): the first or the last place outside it; -1 if none."""
        keyless = self._keyless
        if keyless is None or keyless[0] != FileVersion.of(stat):
            return search(text)
        _, start, end = keyless
        before, after = (0, start + len(text)), (end,)
        first, then = (before, after) if search == data.find else (after, before)
        found = search(text, *first)
        return found if found >= 0 else search(text, *then)

    def _write_objects_from_text(self) -> bool:
        """Write the objects changed on their own in place of their old text, if the file still
        has it (else the caller reads and writes the whole document). The file is written again
        whole, so that a crash leaves the old or the new one; the rest of it is copied from the
        old file (see `FileRange`). Its index, if it has one, is told where the objects after each
        moved to."""
        changed = sorted(
            (in_text for in_text in self._objects_from_text.values() if in_text.changed),
            key=lambda in_text: in_text.start,
        )
        handle = self._open_file()
        if handle is None:
            return False
        with handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size == 0 or any(
                os.pread(handle.fileno(), in_text.end - in_text.start, in_text.start) != in_text.text
                for in_text in changed
            ):
                return False
            pieces: list[bytes | FileRange] = []
            edits = []
            rewritten = []
            position = moved = 0
            for in_text in changed:
                written = in_text.table.stored_object(in_text.object_id)
                text = orjson.dumps(written) if in_text.compact else laid_out(written)
                key = self._collections[in_text.table.definition.name]
                rewritten.append((key, in_text.object_id, len(in_text.text), len(text)))
                pieces += [FileRange(handle.fileno(), position, in_text.start), text]
                # Where this object ended once the ones before it were written, and by how much it grows.
                edits.append((in_text.end + moved, len(text) - len(in_text.text)))
                moved += len(text) - len(in_text.text)
                position = in_text.end
            pieces.append(FileRange(handle.fileno(), position, stat.st_size))
            self._write(pieces)
            _close_on_a_thread(os.dup(handle.fileno()))
        before = FileVersion.of(stat)
        index = self._index[1] if self._index is not None and self._index[0] == before else None
        with suppress(OSError):
            now = FileVersion.of(self.path.stat())
            # The objects it copies are as trusted as they were (see `Written`); the ones written were checked.
            trusted = index.written if index is not None else Written.of(self.path, before)
            trusted = None if trusted is None else trusted.at(now)
            index = None if index is None else index.edited(edits, now)
            if self.keeps_written_text and trusted is not None:
                # The next cycle reads the note of the version before, with these (see `WrittenTexts`).
                WrittenTexts.note_rewritten(self.path, before, now, rewritten)
            if index is None:
                # Written by provision on demand, the file is likely read again by the next one.
                DocumentIndex.seen(self.path, now, trusted)
            else:
                index.save(self.path)
            self._index = (now, index)
        self._objects_from_text = {}  # their places moved: read again if asked
        self._dirty = False
        return True

    def _write(self, data: Iterable[bytes | FileRange]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConnectionFailure(
                "FileNotWritable", f"{self.path}: its folder cannot be created ({error.strerror})"
            ) from None
        try:
            atomic_write(self.path, data)
        except OSError as error:
            raise ConnectionFailure(
                "FileNotWritable", f"{self.path}: cannot be written ({error.strerror}); the file is unchanged"
            ) from None

    # --- loading ----------------------------------------------------------------------------

    def read_document(self) -> dict[str, Any]:
        """The whole file, parsed and checked as a cycle reads it (`DirectoryDataError` naming the
        fault). The caller may change what it gets only if it uses this directory no more."""
        self._load(whole=True)
        assert self._document is not None
        return self._document

    def _table(self, object_type: str) -> ObjectTable:
        if self._document is None:
            self._load()
        table = self._tables.get(object_type)  # the usual spelling: no look-up in the definition
        if table is not None:
            return table
        object_definition = self._definition.object(object_type)
        if object_definition is None or object_definition.name not in self._tables:
            known = ", ".join(self._collections)
            raise ConnectionFailure(
                "SchemaAttributeNotFound", f"{self.path}: has no object type {object_type!r} (it has {known})"
            )
        return self._tables[object_definition.name]

    def _load(self, *, whole: bool = False) -> None:
        """Read the file into the tables. Unless `whole`, a version of the file this directory
        wrote is not parsed: each object is kept as its text (see `_written_objects`)."""
        written = None if whole or not self.keeps_written_text else self._written_objects()
        indexes: dict[str, dict[str, AttributeIndex]] = {}
        rewritten: dict[str, list[str]] = {}
        in_file: dict[str, TextsInFile] = {}
        if written is not None:
            document, by_key, in_file, (indexes, rewritten) = written
        else:
            document = self._read_document()
            # Objects checked when they were written (unique ids, valid values) are not checked again.
            checked = self._wrote(self._version_read)
            by_key = {
                key: (
                    dict(zip(map(_ID, items), items, strict=True))
                    if checked
                    else _indexed_by_id(self._data_error, key, items, self._object_definitions[object_type])
                )
                for object_type, key in self._collections.items()
                for items in (document.get(key, []),)
            }
        tables = {}
        for object_type, key in self._collections.items():
            object_definition = self._object_definitions[object_type]
            objects = by_key[key]
            for (type_name, object_id), in_text in self._objects_from_text.items():
                if type_name == object_type and in_text.changed:
                    objects[object_id] = in_text.table.stored_object(object_id)
            table = tables[object_type] = ObjectTable(object_definition, objects, in_file.get(key))
            if key in indexes and not any(type_name == object_type for type_name, _ in self._objects_from_text):
                # (Noted of these objects as written, but for those rewritten since.)
                table.adopt_indexes(indexes[key], rewritten.get(key, []))
        self._document = document
        self._tables = tables
        self._objects_from_text = {}
        self._close_texts()
        if in_file:
            self._texts_handle = next(iter(in_file.values())).handle

    def _close_texts(self) -> None:
        """Close the file whose texts the tables left where they lay (see `TextsInFile`)."""
        if self._texts_handle is not None:
            self._texts_handle.close()
            self._texts_handle = None

    def _written_objects(
        self,
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, TextsInFile], _NotedIndexes] | None:
        """(the document with its collections' values left out, each collection's objects by id
        as the positions of their texts in the file, where those lie, the attribute indexes noted
        as it was written), for a version of the file this directory wrote (see `Written`); None
        for any other file, or one whose text is not laid out as this directory writes it. Such a
        file's objects were checked as they were written, and its text is each object's as a table
        keeps it (see `ObjectTable.laid_out`): a cycle that touches a few of them reads and parses
        those only, and the write that follows copies the others from this file (see
        `TextsInFile`), which is kept open. Figures: see `WrittenTexts`."""
        if self._digested is not None:
            return None  # the bytes `content_digest` read are what the cycle reads: parsed
        handle = self._open_file()
        if handle is None:
            return None
        kept = False
        try:
            try:
                stat = os.fstat(handle.fileno())
            except OSError:
                return None  # the whole read reports why
            version = FileVersion.of(stat)
            if stat.st_size == 0 or not self._wrote(version):
                return None
            # Mapped, not read: only the values that are not collections are copied out (and the
            # text searched where no note tells where the objects lie); a version written here is
            # not cut short meanwhile, as `_parsed_file` says.
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if data[:2] == b'{"':
                    return None  # compact: its texts are not a table's (the whole read)
                placed = self._placed_texts(data, version)
                if placed is None:
                    return None
                document: dict[str, Any] = {}
                by_key: dict[str, dict[str, Any]] = {}
                in_file: dict[str, TextsInFile] = {}
                values, texts, noted = placed
                for key, (start, end) in values.items():
                    items = texts.get(key)
                    if items is None:
                        try:
                            document[key] = orjson.loads(data[start:end])
                        except orjson.JSONDecodeError:
                            return None
                        continue
                    document[key] = None  # (its objects are the table's)
                    ids, starts, ends = items
                    objects = dict(zip(ids, range(len(ids)), strict=True))
                    if len(objects) < len(ids):
                        return None  # not as written: the whole read reports the duplicate
                    by_key[key] = objects
                    in_file[key] = TextsInFile(handle, list(starts), list(ends), self._changed_meanwhile)
            for key in self._collections.values():
                by_key.setdefault(key, {})
            self._version_read = version
            kept = bool(in_file)
            return document, by_key, in_file, noted
        finally:
            if not kept:
                handle.close()

    def _changed_meanwhile(self) -> DirectoryDataError:
        return self._data_error("changed while the cycle read it; the next cycle reads it again")

    def _placed_texts(
        self, data: mmap.mmap, version: FileVersion
    ) -> tuple[dict[str, tuple[int, int]], dict[str, _PlacedTexts], _NotedIndexes] | None:
        """(each top-level key → its value's byte range, each collection's key → its objects' ids
        and where their texts start and end, the attribute indexes noted) in this version of the
        file, which this directory wrote: as noted when it was written (`WrittenTexts`), else found
        in the text (a version written by provision on demand, or when an object was kept as a
        dict); None when the text is not laid out so."""
        noted = WrittenTexts.load(self.path, version)
        if noted is not None:
            placed: dict[str, _PlacedTexts] = {}
            for key, (ids, lengths) in noted.collections.items():
                # Each text starts after the one before it and a comma; the first after the `[`.
                starts = list(accumulate([noted.values[key][0] + 1, *map(add, lengths[:-1], repeat(1))]))
                placed[key] = (ids, starts, list(map(add, starts, lengths)))
            return noted.values, placed, (noted.indexes, noted.rewritten)
        index = DocumentIndex.build(data, version, self._collections.values(), items_proven=True, with_ids=True)
        if index is None:
            return None
        found: dict[str, _PlacedTexts] = {}
        for key, items in index.collections.items():
            if items.built is None or items.ids is None:
                return None
            found[key] = (orjson.loads(b"[" + b",".join(items.ids) + b"]"), *items.built)
        return index.values, found, ({}, {})

    def _find_in_text(self, definition: ObjectDefinition, object_id: str) -> _ObjectFromText | None:
        """The object with `object_id`, found in the file's text without parsing the rest, or None
        when the text cannot tell. Searching the text for the object's `"id"` is far cheaper than
        parsing it all; the file must be laid out as orjson writes it, indented (as this directory
        writes its file, see `_in_indented_text`) or compact (`_in_compact_text`), and spell the
        keys and the id that tell where the object is as orjson does (see `_Respelled`).
        Unless synctui wrote the file, the collection's key (as orjson spells it) after the object
        defers too: orjson keeps the last key's value, where the search takes the first. Left to
        the whole read of a cycle: a fault in the text after the object, and a number orjson
        refuses (`1e400`) in the text before it, which the checks of its grammar pass (see
        json_checks.py; finding one would take another pass over the text, ~65 ms at 40 MB)."""
        if definition.name not in self._collections:
            return None
        handle = self._open_file()
        if handle is None:
            return None
        with handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size == 0:
                return None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                index = self._index_of(data, stat)
                if index is not None:
                    span = index.find(self._collections[definition.name], object_id)
                    found = None if span is None else (span[0], data[span[0] : span[1]])
                    in_text = _checked(definition, object_id, found, compact=data[:2] == b'{"')
                    if in_text is not None or span is None:
                        return in_text
                    # What the index points at is not that object: the index is wrong, search.
                    DocumentIndex.remove(self.path)
                    self._index = (index.version, None)
                compact = data[:2] == b'{"'
                if not compact and data[:5] != b'{\n  "':
                    return None  # not laid out as orjson writes a file (a byte order mark, say)
                name = self._collections[definition.name]
                respelled = self._respelled_of(data, stat)
                if respelled is None or respelled.may_hide(name, object_id):
                    return None  # the object, or a key that says where it is, may be spelled otherwise
                collection = orjson.dumps(name)
                # A version synctui wrote is laid out as orjson writes it, from a dict: each line's
                # indent is its depth, and no key is twice. Any other file's text proves it.
                written = Written.of(self.path, FileVersion.of(stat)) is not None
                if compact:
                    found, keyless = self._in_compact_text(data, collection, object_id)
                else:
                    found, keyless = _in_indented_text(data, collection, object_id, laid_out=written)
                if keyless is not None:
                    self._keyless = (FileVersion.of(stat), *keyless)
                if found is not None and not written and data.rfind(collection, found[0] + len(found[1])) >= 0:
                    # The collection's key (or text spelled as it) after the object: were it the
                    # key again, the whole read would keep that one's value. A search of the rest
                    # of the file, backwards (it tests the `"`): an early user of 40 MB, 20 ms.
                    return None
                return _checked(definition, object_id, found, compact=compact)

    def _respelled_of(self, data: mmap.mmap, stat: os.stat_result) -> _Respelled | None:
        """`_respelled(data)`, found once for each version of the file."""
        version = FileVersion.of(stat)
        if self._respelled is None or self._respelled[0] != version:
            self._respelled = (version, _respelled(data))
        return self._respelled[1]

    def _index_of(self, data: mmap.mmap, stat: os.stat_result) -> DocumentIndex | None:
        """The index of this version of the file (see `DocumentIndex.of`); None when it has none
        (yet), or its text is not laid out as the index needs: it is searched instead."""
        version = FileVersion.of(stat)
        if self._index is None or self._index[0] != version:
            self._index = (version, DocumentIndex.of(self.path, version, data, self._collections.values()))
        return self._index[1]

    def _in_compact_text(
        self, data: mmap.mmap, collection: bytes, object_id: str
    ) -> tuple[tuple[int, bytes] | None, tuple[int, int] | None]:
        """(offset, text) of the object in a file written without whitespace (`{"users":[{"id":…`).
        Without line breaks the text does not show an object's depth, so it must prove it: the
        object's `{"id":` (a `"` in a JSON string is escaped, so this text is structure) is once in
        the file, the file up to the collection's `[` is a JSON object's text whose last key is the
        collection's, and the text from there to the object is that collection's items before it
        (see `_json_items`): the object is then an item of the collection, whatever follows it.
        Finding the object's end takes `json`'s decoder on the object's text alone. And (start,
        end), once that is proven: no top-level key starts after the collection's `[` and before
        the object (that text is inside the collection's value)."""
        at = _only_once(data, b'{"id":' + orjson.dumps(object_id))
        if at < 0:
            return None, None
        headers = [orjson.dumps(key) + b":[" for key in self._collections.values()]
        items_start = _top_level_items(data, collection + b":[", at, headers)
        if items_start is None:
            return None, None
        if at > items_start and not (
            data[at - 1 : at] == b"," and _json_items(data, items_start, at - 1, _COMPACT_CUT)
        ):
            return None, None
        end = end_of_value(data, at)
        return (None if end is None else (at, data[at:end])), (items_start - 1, at)

    def _open_file(self) -> BinaryIO | None:
        """The file, open for reading; None when it is missing and that stands for an empty directory."""
        try:
            return self.path.open("rb")
        except (FileNotFoundError, NotADirectoryError):  # the latter: a file stands where a folder should
            if self._missing_file_is_empty:
                return None
            raise self._data_error(f"no such file; expected a JSON file like {self._shape()}") from None
        except OSError as error:
            raise ConnectionFailure("FileNotReadable", f"{self.path}: cannot be read ({error.strerror})") from None

    def _read_bytes(self) -> bytes | None:
        """The file's content; None when it is missing and that stands for an empty directory."""
        handle = self._open_file()
        if handle is None:
            return None
        with handle:
            try:
                self._version_read = FileVersion.of(os.fstat(handle.fileno()))
                return handle.read()
            except OSError as error:
                raise ConnectionFailure("FileNotReadable", f"{self.path}: cannot be read ({error.strerror})") from None

    def _read_document(self) -> dict[str, Any]:
        data, self._digested = self._digested, None
        try:
            document = orjson.loads(data) if data is not None else self._parsed_file()
        except orjson.JSONDecodeError as error:
            raise self._data_error(
                f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); "
                "fix the syntax, or restore the file from a backup"
            ) from None
        if document is _NO_FILE:
            self._version_read = None
            return {}
        if not isinstance(document, dict):
            raise self._data_error(f"the top level must be an object like {self._shape()}")
        return document

    def _wrote(self, version: FileVersion | None) -> bool:
        """Whether this version of the file is one a directory with these rules wrote (see `Written`).
        Asked when the file is read and again when it is loaded: the index's header is read once."""
        if version is None:
            return False
        if self._wrote_version is None or self._wrote_version[0] != version:
            written = Written.of(self.path, version)
            self._wrote_version = (version, written is not None and written.rules == self._rules)
        return self._wrote_version[1]

    def _parsed_file(self) -> Any:
        """The file's JSON value; `_NO_FILE` when it is missing and that stands for an empty
        directory. A version of the file this directory wrote is parsed where it lies in the page
        cache, mapped rather than copied into memory first (~35 ms less at 50 MB); any other file
        is read, since a map would end the process (SIGBUS) if the file were cut short meanwhile."""
        handle = self._open_file()
        if handle is None:
            return _NO_FILE
        with handle:
            try:
                stat = os.fstat(handle.fileno())
                self._version_read = FileVersion.of(stat)
                if stat.st_size == 0 or not self._wrote(self._version_read):  # (an empty file cannot be mapped)
                    return orjson.loads(handle.read())
                with (
                    mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
                    memoryview(data) as text,
                ):
                    return orjson.loads(text)
            except OSError as error:
                raise ConnectionFailure("FileNotReadable", f"{self.path}: cannot be read ({error.strerror})") from None

    def _shape(self) -> str:
        return "{" + ", ".join(f'"{key}": [...]' for key in self._collections.values()) + "}"

    def _data_error(self, problem: str) -> DirectoryDataError:
        return self.data_error(f"{self.path}: {problem}")


def _close_on_a_thread(fd: int) -> None:
    """Close `fd`, the last descriptor of a file version just replaced, on a thread of its own: the
    kernel then frees the version's cached pages and blocks (~10-15 ms at 50 MB), while what the
    caller does next goes on. The process waits for it before it ends (not a daemon thread)."""

    def close() -> None:
        with suppress(OSError):
            os.close(fd)

    threading.Thread(target=close, name="synctui-close-replaced").start()


def _in_indented_text(
    data: mmap.mmap, collection: bytes, object_id: str, *, laid_out: bool
) -> tuple[tuple[int, bytes] | None, tuple[int, int] | None]:
    """(offset, text) of the object in a file laid out as orjson, and Python's json, write an
    indent of 2: every line break of a JSON text is then layout, so a line's indent is its depth.
    The object's own `"id"` key is then at 6 spaces, once in the file, after its collection's
    `\n  "users": [` with no `\n  ]` (the end of a collection) between; the object runs from the `{`
    to the `}` at 4 spaces around it. And (start, end), the text from the collection's key to the
    object, once proven to hold no `\n  ]`: then no top-level key either (in this layout a key
    after the collection's follows the collection's closing `\n  ]`).

    Unless the file is known to be `laid_out` so (synctui wrote it), the layout is proven too: a
    hand edit can close a collection on an item's line (`{"id": "a"}], "groups": [`), and a group
    would be read as a user. The collection's key is proven of the top level, and the text from
    its `[` to the object the collection's items (`_json_items`: ~1 ms a MB before the object)."""
    header = b"\n  " + collection + b": [\n"
    start = data.find(header)
    at = _only_once(data, b'\n      "id": ' + orjson.dumps(object_id), start) if start >= 0 else -1
    # Searched backwards: that tests the line break (one byte in ~30), not the `]` (whose
    # neighbours, spaces, leave a forward search little to skip): 117 MB in 46 ms, not 120.
    if at < 0 or data.rfind(b"\n  ]", start, at) >= 0:
        return None, None
    opening, closing = data.rfind(b"\n    {", start, at), data.find(b"\n    }", at)
    if not laid_out and (opening < 0 or not _an_item(data, start, start + len(header) - 1, opening)):
        return None, None
    if opening < 0 or closing < 0:
        return None, (start, at)
    return (opening, data[opening : closing + 6]), (start, at)


def _an_item(data: mmap.mmap, start: int, items_start: int, opening: int) -> bool:
    """Whether the `{` on the line that starts at `opening` is an item of the collection whose key's
    line starts at `start` and whose items' text at `items_start`, proven from the text alone (see
    `_in_indented_text`): the key is of the top level (the document's first, or the text before
    it, closed there, is JSON), and the text from its `[` to the object is the items before it."""
    if start != 1 and not json_checks.valid_json(data[:items_start] + b"]}"):
        return False
    return opening == items_start or (
        data[opening - 1 : opening] == b"," and _json_items(data, items_start, opening - 1, _INDENTED_CUT)
    )


_RESPELLED_LISTED = 10_000
"""Keys and ids spelled otherwise than orjson writes them that `_respelled` lists, at most: a file
with more is read whole by provision on demand, rather than spend more on listing them."""

_STRING_END = re.compile(rb'[^"\\]*(?:\\[\s\S][^"\\]*)*"([ \t\r\n]*:)?')
"""The rest of a JSON string's text, from within it to its closing `"`; and the `:` after it if it is a key."""
_WHITESPACE = b" \t\r\n"
_RESPELLING = re.compile(rb"\\[u/]")
_STEPPED_OVER = 1_000
"""Escapes orjson writes too (`\\n`) that `_respelled` steps over one by one (~0.3 µs each) before
it looks for the next `\\u` or `\\/` with a regular expression (~0.35 ns a byte) instead."""


@dataclass(frozen=True)
class _Respelled:
    """The keys, and the values of `"id"` keys, that a file's text spells with an escape orjson
    does not write (`\\u0041` for `A`, `\\/` for `/`), decoded: orjson reads such a string as the one
    it spells, but the text searches look for a string as orjson writes it, and would miss it."""

    keys: frozenset[str]
    ids: frozenset[str]

    def may_hide(self, collection: str, object_id: str) -> bool:
        """Whether the search of an object could miss what the whole read sees: the collection's
        key or an `"id"` key spelled otherwise (another key of the same name, whose value orjson
        keeps), or the id itself (a second object with that id, which the whole read refuses)."""
        return collection in self.keys or "id" in self.keys or object_id in self.ids


def _respelled(data: mmap.mmap) -> _Respelled | None:
    """The keys and ids of `data` spelled with `\\u` or `\\/` escapes (see `_Respelled`); None when
    there are more than `_RESPELLED_LISTED`, or the text around one is no JSON string (the whole
    read decides). A file orjson wrote has none (it escapes only `"`, `\\` and control characters):
    the search for a backslash is then all it costs, 1 ms in 40 MB (`memchr`). Each string with
    such an escape is looked at, ~1.5 µs: the lean tenant written by Python's `json` (which escapes
    every character that is not ASCII) has 39,000 such names, 59 ms."""
    keys: set[str] = set()
    ids: set[str] = set()
    rfind, rest_of = data.rfind, _STRING_END.match
    stepped = 0

    def after(position: int) -> int:
        """The next backslash from `position`; past many escapes orjson writes too (`\\n` in a text
        of every object), the next `\\u` or `\\/`, found in C (14 ms in 40 MB) instead."""
        if stepped < _STEPPED_OVER:
            return data.find(b"\\", position)
        found = _RESPELLING.search(data, position)
        while found is not None and _escaped(data, found.start()):
            found = _RESPELLING.search(data, found.start() + 1)
        return -1 if found is None else found.start()

    at = after(0)
    while at >= 0:
        if data[at + 1 : at + 2] not in (b"u", b"/"):
            stepped += 1
            at = after(at + 2)  # an escape orjson writes too (`\"`, `\n`, `\\`)
            continue
        rest = rest_of(data, at)
        # The string's opening `"` is the last one before the escape that is not escaped itself.
        opening = rfind(b'"', 0, at)
        while opening > 0 and data[opening - 1] == 0x5C and _escaped(data, opening):
            opening = rfind(b'"', 0, opening)
        if rest is None or opening < 0:
            return None
        listed = keys if rest.group(1) is not None else ids if _id_value(data, opening) else None
        if listed is not None:
            try:
                listed.add(orjson.loads(data[opening : rest.start(1) if listed is keys else rest.end()]))
            except orjson.JSONDecodeError:
                return None
            if len(keys) + len(ids) > _RESPELLED_LISTED:
                return None
        at = after(rest.end())
    return _Respelled(frozenset(keys), frozenset(ids))


def _id_value(data: mmap.mmap, opening: int) -> bool:
    """Whether the string whose `"` is at `opening` is the value of an `"id"` key; True too when the
    text before it is too long a run of whitespace to tell."""
    before = data[max(0, opening - 8) : opening]
    if before.endswith((b'"id":', b'"id": ')):
        return True
    if before.endswith((b'":', b'": ')):
        return False  # the value of another key (the usual case: a name)
    before = data[max(0, opening - 32) : opening].rstrip(_WHITESPACE)
    if not before.endswith(b":"):
        return not before
    key = before[:-1].rstrip(_WHITESPACE)
    return not key or key.endswith(b'"id"')


def _escaped(data: mmap.mmap, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes (is escaped)."""
    start = at
    while start > 0 and data[start - 1] == 0x5C:  # a backslash
        start -= 1
    return (at - start) % 2 == 1


def _only_once(data: mmap.mmap, text: bytes, start: int = 0) -> int:
    """Where `text` (ending with a JSON string's closing `"`) is in `data` after `start`, if it is
    there once; else -1. Searched for without its closing `"` (~3x as fast in compact text, 20 ->
    16 ms in 123 MB of indented text: a search checks each place where the last byte of what it
    seeks is, and `"` is JSON's commonest byte), each place found then checked for it (a longer
    id starts with this one)."""
    opening = text[:-1]
    found = -1
    at = data.find(opening, start)
    while at >= 0:
        if data[at + len(opening) : at + len(text)] == b'"':
            if found >= 0:
                return -1
            found = at
        at = data.find(opening, at + len(opening))
    return found


def _top_level_items(data: mmap.mmap, header: bytes, before: int, headers: list[bytes]) -> int | None:
    """Where the items of the top-level collection whose key and `[` are `header` (`"users":[`)
    start, that text being found before `before`; None when it cannot be proven. It is the
    collection's if it is a key of the top level (`_top_level_key`), not one of the same name
    nested in a value, nor text in a string. Such text is tried near the document's start (where
    a first collection's key lies), then the last before the object (the key of a later collection,
    found without searching the collections before it: a group of the lean tenant 20 ms sooner), then
    the first. Any of them proven is the collection's key: were it there twice before the object,
    the text between the one taken and the object, which the caller checks to be items, would hold
    the other. `headers`: those of all the document's collections."""
    tried: list[int] = []
    # Each searched only if the one before it is not the collection's key.
    searches: tuple[Callable[[], int], ...] = (
        lambda: data.find(header, 0, min(before, _NEAR_START)),
        lambda: data.rfind(header, 0, before),
        lambda: data.find(header, 0, before),
    )
    for search in searches:
        at = search()
        if at < 0 or at in tried:
            continue
        if _top_level_key(data, at, len(header), headers):
            return at + len(header)
        tried.append(at)
    return None


_NEAR_START = 1 << 16
"""Bytes from the document's start where `_top_level_items` looks first for a collection's key."""


def _top_level_key(data: mmap.mmap, at: int, length: int, headers: list[bytes]) -> bool:
    """Whether the key and `[` at `data[at : at + length]` are of the document's top level: the
    document's text up to there is valid JSON once closed there (`]}`). After a `{` or a `,` the
    key's `"` opens a string: any other text before it is no JSON (or a longer key's end). A key
    right after another collection (`…],"groups":[` after `{"users":[`) is proven from that one's:
    its items are checked in pieces (`_json_items`), not the 36 MB before it as one copy."""
    if data[at - 1 : at] == b"," and data[at - 2 : at - 1] == b"]":
        for other in headers:
            start = data.find(other, 0, at - 1)
            if (
                0 <= start < at
                and _top_level_key(data, start, len(other), headers)
                and _json_items(data, start + len(other), at - 2, _COMPACT_CUT)
            ):
                return True
    return data[at - 1 : at] in (b"{", b",") and json_checks.valid_json(data[: at + length] + b"]}")


def _json_items(data: mmap.mmap, start: int, end: int, cut_at: bytes) -> bool:
    """Whether `data[start:end]` is valid JSON values separated by commas (a list's items). It is
    checked in pieces of about `_PIECE` bytes, cut where `cut_at` is found (`_COMPACT_CUT`,
    `_INDENTED_CUT`: an item that ends `},` before the next one's start), after its `}`, each
    piece as a list of its own: values of each piece are values of the whole,
    so the cuts need not be proven. Each piece is copied once (joined to its brackets from the
    map) and let go at once, and nothing is built (see json_checks.py): 36 MB in 40 ms, where
    parsing it whole with orjson took 0.25 s, 350 MB and 0.3 s more of page faults. Should a cut
    fall inside a nested list of objects, that piece is not valid JSON: then the text is checked whole."""
    position = start
    with memoryview(data) as text:
        while position < end:
            cut = data.find(cut_at, position + _PIECE, end)
            cut = end if cut < 0 else cut + 1
            if not json_checks.valid_json(b"".join((b"[", text[position:cut], b"]"))):
                whole = position == start and cut == end
                return not whole and json_checks.valid_json(b"".join((b"[", text[start:end], b"]")))
            position = cut + 1
    return True


_COMPACT_CUT = b'},{"id":'
_INDENTED_CUT = b"},\n    {\n"
"""Where `_json_items` cuts a collection's items into pieces, in a compact or an indented file."""

_PIECE = 1 << 14
"""Bytes of a compact collection's items checked at a time (see `_json_items`): small enough to
stay in the processor's cache, and for fewer of them to hold a character past U+00FF, which makes
the UTF-8 check build a wider string (16 KB: 36 MB in 40 ms; 64 KB: 43)."""


def _checked(
    definition: ObjectDefinition, object_id: str, found: tuple[int, bytes] | None, *, compact: bool
) -> _ObjectFromText | None:
    """The object whose text was found at (offset, text), if that text is the object with that id
    and valid values; else None (the whole read decides)."""
    if found is None:
        return None
    opening, text = found
    try:
        # As deep as in the document (`{"users":[…]}`): orjson refuses text nested over 1,024 levels.
        obj = orjson.loads(b"[[" + text + b"]]")[0][0]
    except orjson.JSONDecodeError:
        return None
    if type(obj) is not dict or obj.get("id") != object_id or first_invalid_object(definition, [obj]) is not None:
        return None
    table = ObjectTable(definition, {object_id: obj})
    return _ObjectFromText(table, object_id, opening, opening + len(text), text, compact)


def _top_level_value(text: bytes) -> Any:
    """The value of a top-level key whose text is `text`, parsed as deep as it lies in the document
    (`{"key": …}`): orjson refuses text nested over 1,024 levels."""
    return orjson.loads(b"[" + text + b"]")[0]


_ID = itemgetter("id")

_NotedIndexes = tuple[dict[str, dict[str, AttributeIndex]], dict[str, list[str]]]
"""The attribute indexes noted of each collection (see `WrittenTexts`), and the ids of its objects
rewritten since (whose values the indexes may not hold as they are now)."""

_PlacedTexts = tuple[list[str], Iterable[int], Iterable[int]]
"""A collection's objects' ids, and where each one's text starts and ends in the file, in its order."""

_NO_FILE = object()
"""`_parsed_file`: the file is missing, and that stands for an empty directory."""

NOT_IN_TEXT = object()
"""`_value_from_text`: the file's text cannot tell (the document must be read)."""


@dataclass
class _ObjectFromText:
    """An object read on its own from the file's text (see `_find_in_text`), and where that text was."""

    table: ObjectTable
    """Holding only this object, with the rules of its type."""
    object_id: str
    start: int
    end: int
    text: bytes
    compact: bool
    """Found in a file written without whitespace: written back so."""
    changed: bool = False


def _document_text(
    document: dict[str, Any], tables: Mapping[str, ObjectTable], spans: dict[str, tuple[int, int]] | None = None
) -> Iterator[bytes]:
    """The file's text, as `fileio.indented_json` writes `document` with each of `tables`' objects
    in the list under its key (orjson's indent of 2), in pieces: the objects' texts are the
    tables' own (see `ObjectTable.laid_out`). `spans`, if given, gets the byte range of each
    top-level key's value as the text is made (see `WrittenTexts`)."""
    position = 0

    def counted(piece: bytes) -> bytes:
        nonlocal position
        position += len(piece)
        return piece

    yield counted(b"{")
    for index, (key, value) in enumerate(document.items()):
        table = tables.get(key)
        if table is None:
            # One member of a document as `indented_json` writes it: between its `{` and `\n}`.
            member = list(indented_json({key: value}, newline=False))[1:-1]
            head = (b"," if index else b"") + member[0]
            yield counted(head)
            start = position
            for piece in member[1:]:
                yield counted(piece)
            if spans is not None:
                spans[key] = (start, position)
            continue
        yield counted((b",\n  " if index else b"\n  ") + orjson.dumps(key) + b": ")
        start = position
        if not len(table):
            yield counted(b"[]")
        else:
            yield counted(b"[")
            for laid in table.laid_out():
                yield counted(laid)
            yield counted(b"\n  ]")
        if spans is not None:
            spans[key] = (start, position)
    yield b"\n}\n" if document else b"}\n"


def _indexed_by_id(
    error: Callable[[str], DirectoryDataError], key: str, items: Any, definition: ObjectDefinition
) -> dict[str, DirectoryObject]:
    """The objects of one collection by id, after checking that each is an object with a unique
    string id, and that every attribute the directory defines holds a value of its type."""
    if not isinstance(items, list):
        raise error(f'"{key}" must be a list of objects, not {_json_kind(items)}')
    noun = definition.name.lower()
    # Each check screens all the items in one C-level pass, and looks for the position only when it fails.
    if not {dict}.issuperset(map(type, items)):
        position, item = next((position, item) for position, item in enumerate(items) if type(item) is not dict)
        raise error(f'{key}[{position}]: must be an object with an "id", not {_json_kind(item)}')
    ids: list[Any] = list(map(dict.get, items, repeat("id")))  # checked just below
    if not ({str}.issuperset(map(type, ids)) and all(ids)):
        position, object_id = next(
            (position, object_id)
            for position, object_id in enumerate(ids)
            if type(object_id) is not str or not object_id
        )
        problem = '"id" is missing' if object_id is None else f'"id" is {shown(object_id)}'
        raise error(f'{key}[{position}]: {problem}; every {noun} needs a unique "id" (a non-empty string)')
    by_id = dict(zip(ids, items, strict=True))
    if len(by_id) < len(items):
        first_position: dict[str, int] = {}
        for position, object_id in enumerate(ids):
            if object_id in first_position:
                raise error(
                    f'{key}[{position}]: "id" {shown(object_id)} is also the id of {key}[{first_position[object_id]}]; '
                    f'every {noun} needs a unique "id"'
                )
            first_position[object_id] = position
    invalid = first_invalid_object(definition, items)
    if invalid is not None:
        position, name, problem = invalid
        raise error(f'{key}[{position}]: "{name}" is {shown(items[position][name])}; {problem}')
    return by_id


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"
