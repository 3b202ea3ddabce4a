"""Directories kept as one JSON document of object collections, `{"users": [...], "groups": [...]}`:
the tenant directory and the JSON file target share this loading, checking and writing.

The file is read once, on first use, into one `ObjectTable` per object type. Writes change the
tables only; `flush()` rewrites the whole document atomically, so 100,000 creates cost one
write. Properties and top-level keys this directory does not know are kept as they were.

Not thread-safe: use an instance from one thread at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from ..fileio import atomic_write
from ..models import DirectoryDefinition, ObjectDefinition
from ._objects import ObjectTable, first_invalid_object, shown
from .base import Changes, ConnectionFailure, DirectoryObject, Modification, SourceDataError


class JsonDocumentDirectory:
    """A `Directory` over one JSON file; subclasses say which file shape and which ids."""

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
        self._collections = {
            object_definition.name: key
            for object_type, key in collections.items()
            if (object_definition := definition.object(object_type)) is not None
        }
        self._missing_file_is_empty = missing_file_is_empty
        self._new_id = new_id
        self._document: dict[str, Any] | None = None
        self._tables: dict[str, ObjectTable] = {}
        self._dirty = False

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

    def read_all(self, object_type: str) -> Iterable[DirectoryObject]:
        return self._table(object_type).iter_copies()

    def read_changes(self, object_type: str, watermark: str | None) -> Changes | None:
        return None  # a file cannot tell what changed: the engine compares hashes

    def get(self, object_type: str, object_id: str) -> DirectoryObject | None:
        return self._table(object_type).get(object_id)

    def find(self, object_type: str, attribute: str, value: Any) -> list[DirectoryObject]:
        return self._table(object_type).find(attribute, value)

    def create(self, object_type: str, attributes: DirectoryObject) -> str:
        object_id = self._new_id()
        self._table(object_type).insert(object_id, attributes)
        self._dirty = True
        return object_id

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        self._table(object_type).modify(object_id, modification)
        self._dirty = True

    def delete(self, object_type: str, object_id: str) -> None:
        self._table(object_type).remove(object_id)
        self._dirty = True

    def flush(self) -> None:
        """Write the document if anything changed. On failure the old file stays as it was and
        the changes stay buffered, so a later flush can still write them."""
        if not self._dirty:
            return
        assert self._document is not None, "a write loads the document first"
        document = dict(self._document)
        for object_type, key in self._collections.items():
            document[key] = list(self._tables[object_type].stored())
        data = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
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
        self._document = document
        self._dirty = False

    def close(self) -> None:
        """Nothing to release: the file is not held open. Changes not flushed are not written."""

    # --- loading ----------------------------------------------------------------------------

    def _table(self, object_type: str) -> ObjectTable:
        if self._document is None:
            self._load()
        object_definition = self._definition.object(object_type)
        if object_definition is None or object_definition.name not in self._tables:
            known = ", ".join(self._collections)
            raise ConnectionFailure(
                "SchemaAttributeNotFound", f"{self.path}: has no object type {object_type!r} (it has {known})"
            )
        return self._tables[object_definition.name]

    def _load(self) -> None:
        document = self._read_document()
        tables = {}
        for object_type, key in self._collections.items():
            object_definition = self._definition.object(object_type)
            objects = _indexed_by_id(self._source_error, key, document.get(key, []), object_definition)
            tables[object_type] = ObjectTable(object_definition, objects)
        self._document = document
        self._tables = tables

    def _read_document(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # the latter: a file stands where a folder should
            if self._missing_file_is_empty:
                return {}
            raise SourceDataError(f"{self.path}: no such file; expected a JSON file like {self._shape()}") from None
        except OSError as error:
            raise ConnectionFailure("FileNotReadable", f"{self.path}: cannot be read ({error.strerror})") from None
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise self._source_error(
                f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); "
                "fix the syntax, or restore the file from a backup"
            ) from None
        if not isinstance(document, dict):
            raise self._source_error(f"the top level must be an object like {self._shape()}")
        return document

    def _shape(self) -> str:
        return "{" + ", ".join(f'"{key}": [...]' for key in self._collections.values()) + "}"

    def _source_error(self, problem: str) -> SourceDataError:
        return SourceDataError(f"{self.path}: {problem}")


def _indexed_by_id(
    error: Callable[[str], SourceDataError], key: str, items: Any, definition: ObjectDefinition
) -> dict[str, DirectoryObject]:
    """The objects of one collection by id, after checking that each is an object with a unique
    string id, and that every attribute the directory defines holds a value of its type."""
    if not isinstance(items, list):
        raise error(f'"{key}" must be a list of objects, not {_json_kind(items)}')
    noun = definition.name.lower()
    for position, item in enumerate(items):
        if type(item) is not dict:
            raise error(f'{key}[{position}]: must be an object with an "id", not {_json_kind(item)}')
    ids = [item.get("id") for item in items]
    for position, object_id in enumerate(ids):
        if type(object_id) is not str or not object_id:
            problem = '"id" is missing' if object_id is None else f'"id" is {shown(object_id)}'
            raise error(f'{key}[{position}]: {problem}; every {noun} needs a unique "id" (a non-empty string)')
    by_id = dict(zip(ids, items))
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

