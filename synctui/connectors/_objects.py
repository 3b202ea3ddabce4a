"""The objects of one type, held in memory: every directory in this package keeps its objects in
an `ObjectTable`, which owns the rules they share — lookups by id, `find` through per-attribute
indexes, what values an attribute may hold, and how a `Modification` applies.

Not thread-safe: a directory is used from one thread at a time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import chain, repeat
from typing import Any, BinaryIO, cast

import orjson

from ..fileio import indented_members
from ..models import AttributeDefinition, AttributeType, ObjectDefinition
from .base import DirectoryObject, Modification, ObjectError, ObjectNotFound
from .document_index import AttributeIndex

_JSON_SCALARS = (str, bool, int, float)
_CONTAINERS = (list, dict)
_NONE = type(None)

LAID_OUT_AT_ONCE = 1000
"""Objects joined (or serialized) at a time by `ObjectTable.laid_out`: a whole write is made in
pieces, never held whole."""
_LAYOUT = orjson.OPT_INDENT_2
"""How a file directory writes its file: for people to read, and for `read_one` to search."""

Stored = DirectoryObject | bytes | int
"""An object as a table keeps it: its text (see `laid_out`), a dict as given to the table, or
the position of its text left in the file it was read from (see `TextsInFile`)."""

_Index = dict[Hashable, str | dict[str, None]]
"""One attribute's index: each key (see `ObjectTable._key`) → the id of the object holding it, or
the ids of the objects holding it when there are several, a dict used as an ordered set (a dict
for each of a million keys held 100 MB more)."""


class TextsInFile:
    """Objects' texts left where they lie in an open file that a directory wrote (see
    `JsonDocumentDirectory._written_objects`): a table keeps each as its position here, reads its
    text when the object is asked for, and a whole write copies the runs of texts left unread
    from the file a piece at a time (see `ObjectTable.laid_out`) rather than holding them: at
    100,000 users a cycle that touches 2 % of its target no longer makes 100,000 texts (~50 ms,
    50 MB).

    The file is the version read, kept open: one replaced meanwhile is read as it was; one
    changed in place (its size or time not as read) fails the read or the write (`changed`)."""

    def __init__(self, handle: BinaryIO, starts: list[int], ends: list[int], changed: Callable[[], Exception]) -> None:
        self.handle = handle
        self.starts = starts
        self.ends = ends
        self._changed = changed
        stat = os.fstat(handle.fileno())
        self._version = (stat.st_size, stat.st_mtime_ns)

    def text(self, position: int) -> bytes:
        return self.span(position, position)

    def texts(self, positions: list[int]) -> list[bytes]:
        """The texts at `positions` (in the file's order), read as one span of the file."""
        if not positions:
            return []
        data, offset = self.span(positions[0], positions[-1]), self.starts[positions[0]]
        return [data[self.starts[position] - offset : self.ends[position] - offset] for position in positions]

    def span(self, first: int, last: int) -> bytes:
        """The file's text from the start of the text at position `first` to the end of `last`'s
        (`first` <= `last`), read at once."""
        start, end = self.starts[first], self.ends[last]
        self.check()
        data = os.pread(self.handle.fileno(), end - start, start)
        if len(data) != end - start:
            raise self._changed()
        return data

    def check(self) -> None:
        stat = os.fstat(self.handle.fileno())
        if (stat.st_size, stat.st_mtime_ns) != self._version:
            raise self._changed()


class ObjectTable:
    """Objects of one type by id. Readers get copies, except through `shared`: so that what
    it hands out stays as it was read, writes never change a stored object or list in place, they
    store a new one.

    An object written through the table is kept as its text, as a file directory writes it (see
    `laid_out`), not as a dict: a third of the memory (an initial cycle of a million users held
    1.4 GB of target objects as dicts), and a whole write joins the texts instead of serializing
    every object again at each flush. It is parsed again when it is read or modified. Objects
    given to the table (a file as read) stay dicts until they are written.

    `find` looks values up in an index per attribute, built on the first `find` of that
    attribute and kept up to date by every write afterwards, so that a cycle which alternates
    `find` and `create` 100,000 times stays linear.
    """

    def __init__(
        self,
        definition: ObjectDefinition,
        objects: dict[str, DirectoryObject] | None = None,
        in_file: TextsInFile | None = None,
    ) -> None:
        """`objects` by id; with `in_file`, objects given as positions of their texts there."""
        self.definition = definition
        self._objects: dict[str, Stored] = cast(dict[str, Stored], objects) if objects is not None else {}
        self._in_file = in_file
        self._attributes = {attribute.name.lower(): attribute for attribute in definition.attributes}
        anchor = definition.anchor
        # Some directories name their anchor (`objectId`, `EmployeeId`); the object's `id` is its value.
        self._anchor_alias = anchor.name if anchor is not None and anchor.name != "id" else None
        self._case_exact = {attribute.name for attribute in definition.attributes if attribute.case_exact}
        if anchor is not None and anchor.case_exact:
            self._case_exact.add("id")
        self._rules = {attribute.name: _rule(attribute) for attribute in definition.attributes}
        self._stored_names: dict[str, str] = {}
        """Attribute names as callers spell them → as stored: resolved once per spelling."""
        self._write_rules: dict[str, tuple[str, type | None]] = {}
        """Attribute names as callers spell them → see `_write_rule`."""
        self._indexes: dict[str, _Index] = {}
        self._adopted: set[str] = set()
        """The attributes whose index was taken from a note (see `adopt_indexes`), not built here."""

    def __len__(self) -> int:
        return len(self._objects)

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._objects

    def laid_out(self) -> Iterator[bytes]:
        """The objects' texts as a file directory writes them (see `laid_out`), joined by commas,
        in pieces of `LAID_OUT_AT_ONCE` objects; nothing when the table is empty."""
        values = list(self._objects.values())
        if self._in_file is not None and not {bytes}.issuperset(map(type, values)):
            yield from self._laid_out_with_file(values, self._in_file)
            return
        for start in range(0, len(values), LAID_OUT_AT_ONCE):
            chunk = values[start : start + LAID_OUT_AT_ONCE]
            if {bytes}.issuperset(map(type, chunk)):
                text = b",".join(chunk)  # type: ignore[arg-type] # (all texts, as the check just said)
            else:
                # Dicts as read from a file, laid out a run at a time as `fileio.indented_json` lays them.
                pieces: list[bytes] = []
                run: list[DirectoryObject] = []
                for value in chunk:
                    if type(value) is bytes:
                        if run:
                            pieces.append(indented_members(run))
                            run = []
                        pieces.append(value)
                    else:
                        run.append(value)  # type: ignore[arg-type]
                if run:
                    pieces.append(indented_members(run))
                text = b",".join(pieces)
            yield (b"," if start else b"") + text

    def _laid_out_with_file(self, values: list[Stored], in_file: TextsInFile) -> Iterator[bytes]:
        """`laid_out` when texts are left in the file: `LAID_OUT_AT_ONCE` objects at a time, the
        span of the file holding those left in it read at once, and each run of them that follow
        one another there (the commas between them included) taken as one slice of it. (Copied
        as ranges of the file instead, the few hundred objects a cycle changes cut it into
        thousands of small writes: 40 ms more at 100,000 users.)"""
        starts, ends = in_file.starts, in_file.ends
        for start in range(0, len(values), LAID_OUT_AT_ONCE):
            chunk = values[start : start + LAID_OUT_AT_ONCE]
            positions = [value for value in chunk if type(value) is int]
            data = in_file.span(positions[0], positions[-1]) if positions else b""
            offset = starts[positions[0]] if positions else 0
            pieces: list[bytes] = []
            first = last = -2  # the run of positions taken so far (none)
            for value in chunk:
                if type(value) is int:
                    if value == last + 1:
                        last = value
                        continue
                    if first >= 0:
                        pieces.append(data[starts[first] - offset : ends[last] - offset])
                    first = last = value
                    continue
                if first >= 0:
                    pieces.append(data[starts[first] - offset : ends[last] - offset])
                    first = last = -2
                pieces.append(value if type(value) is bytes else laid_out(value))  # type: ignore[arg-type]
            if first >= 0:
                pieces.append(data[starts[first] - offset : ends[last] - offset])
            yield (b"," if start else b"") + b",".join(pieces)

    def text_lengths(self) -> tuple[list[str], list[int]] | None:
        """The objects' ids and the lengths of their texts as `laid_out` joins them, in its order;
        None when an object is kept as a dict (its text is made only as it is written)."""
        values = self._objects.values()
        if {bytes}.issuperset(map(type, values)):
            return list(self._objects), list(map(len, values))  # type: ignore[arg-type] # (all texts)
        if self._in_file is None or not {bytes, int}.issuperset(map(type, values)):
            return None
        starts, ends = self._in_file.starts, self._in_file.ends
        lengths = [len(value) if type(value) is bytes else ends[value] - starts[value] for value in values]  # type: ignore[index]
        return list(self._objects), lengths

    def indexes(self) -> dict[str, AttributeIndex]:
        """The attribute indexes `find` built (see `_Index`), those whose keys are all strings,
        as a note beside a file keeps them (see `WrittenTexts`)."""
        noted = {}
        for name, index in self._indexes.items():
            if {str}.issuperset(map(type, index)):
                holders = [holder if type(holder) is str else list(holder) for holder in index.values()]
                noted[name] = AttributeIndex(name in self._case_exact, list(index), holders)  # type: ignore[arg-type]
        return noted

    def adopt_indexes(self, indexes: dict[str, AttributeIndex], rewritten: list[str]) -> None:
        """Take indexes noted when the table's objects were written (see `indexes`), instead of
        building them on the first `find`: the objects `rewritten` since are indexed again as they
        are now. One whose attribute's case rule has changed since is built again."""
        for name, noted in indexes.items():
            if name in self._indexes or noted.case_exact != (name in self._case_exact):
                continue
            index: _Index
            if {str}.issuperset(map(type, noted.holders)):
                index = dict(zip(noted.keys, cast(list[str], noted.holders), strict=True))
            else:
                index = {}
                for key, holders in zip(noted.keys, noted.holders, strict=True):
                    index[key] = holders if type(holders) is str else dict.fromkeys(holders)
            if rewritten:
                again = set(rewritten)
                for held, holding in list(index.items()):
                    if type(holding) is str:
                        if holding in again:
                            del index[held]
                    else:
                        for object_id in again.intersection(holding):
                            del holding[object_id]  # type: ignore[union-attr]
                        if not holding:
                            del index[held]
                for object_id in again:
                    if object_id in self._objects:
                        self._index_object(object_id, self._existing_object(object_id), {name: index})
            self._indexes[name] = index
            self._adopted.add(name)

    def stored_object(self, object_id: str) -> DirectoryObject:
        """The object as stored (its anchor as `id`), the caller's own."""
        stored = self._existing(object_id)
        return orjson.loads(stored) if type(stored) is bytes else dict(stored)  # type: ignore[arg-type]

    # --- reading ----------------------------------------------------------------------------

    def get(self, object_id: str) -> DirectoryObject | None:
        stored = self._objects.get(object_id)
        if type(stored) is int:
            stored = self._read_text(object_id, stored)
        return None if stored is None else self._present(stored)

    def iter_copies(self) -> Iterator[DirectoryObject]:
        self._read_texts()
        # A snapshot of the ids, so that a caller may write while it iterates.
        for object_id in list(self._objects):
            stored = self._objects.get(object_id)
            if type(stored) is int:
                stored = self._read_text(object_id, stored)
            if stored is not None:
                yield self._present(stored)

    def shared(self) -> dict[str, DirectoryObject]:
        """Every object by id as stored, for a caller that only reads (see `SharedReads`)."""
        # A snapshot, so that a caller may write while it reads (and a copy made in C: a cycle's
        # source keyed again object by object took 40 ms at 100,000 users); objects kept as text
        # are parsed.
        self._read_texts()
        shared = dict(self._objects)
        if not {dict}.issuperset(map(type, shared.values())):
            for object_id, stored in shared.items():
                if type(stored) is bytes:
                    shared[object_id] = orjson.loads(stored)
        return shared  # type: ignore[return-value] # (no text left, as just made sure)

    def find(self, attribute: str, value: Any) -> list[DirectoryObject]:
        name = self._stored_name(attribute)
        key = self._key(name, value)
        if key is None:
            return []
        index = self._indexes.get(name)
        if index is None:
            index = self._indexes[name] = self._build_index(name)
        holders = index.get(key)
        if holders is None:
            return []
        if name in self._adopted:
            return self._holding(name, key, index)
        if type(holders) is str:
            return [self._present(self._existing(holders))]
        return [self._present(self._existing(object_id)) for object_id in holders]

    def _holding(self, name: str, key: Hashable, index: _Index) -> list[DirectoryObject]:
        """The objects an index taken from a note (see `adopt_indexes`) says hold `key`, each
        checked to hold it: one that does not (the note kept a value no object has any more) is
        taken out of the index, so that what a cycle finds is what an index built now finds."""
        holders = index[key]
        found = []
        for object_id in [holders] if type(holders) is str else list(holders):
            # The caller's copy is what is checked: read and parsed once.
            obj = None if object_id not in self._objects else self._present(self._existing(object_id))
            if obj is not None and key in self._keys(name, obj.get(name)):
                found.append(obj)
            elif type(holders) is str:
                del index[key]
            else:
                holders.pop(object_id, None)  # type: ignore[union-attr]
                if not holders:
                    del index[key]
        return found

    # --- writing ----------------------------------------------------------------------------

    def id_of(self, obj: DirectoryObject) -> str | None:
        """The id `obj` names, as `id` or by the anchor's own name (`objectId`)."""
        return obj.get("id") or (obj.get(self._anchor_alias) if self._anchor_alias is not None else None)

    def insert(self, object_id: str, attributes: DirectoryObject) -> None:
        stored: DirectoryObject = {"id": object_id}
        rules = self._write_rules
        for attribute, value in attributes.items():
            if value == object_id and self._stored_name(attribute) == "id":
                continue  # the anchor itself, as `id_of` found it
            name, plain = rules.get(attribute) or self._write_rule(attribute)
            if type(value) is not plain:
                self._check_written_value(name, value)
                if type(value) in _CONTAINERS:
                    value = _detached(value)
            stored[name] = value
        self._index_object(object_id, stored, self._indexes)
        self._objects[object_id] = laid_out(stored)

    def modify(self, object_id: str, modification: Modification) -> None:
        kept = self._existing(object_id)
        # Check everything before changing anything: a rejected modification changes nothing.
        replace = {}
        rules = self._write_rules
        for attribute, value in modification.replace.items():
            name, plain = rules.get(attribute) or self._write_rule(attribute)
            if type(value) is not plain:
                self._check_written_value(name, value)
                if type(value) in _CONTAINERS:
                    value = _detached(value)
            replace[name] = value
        # Most updates replace single values (a manager): no add or remove to look at, and the
        # object's text changes where those values are, without parsing it.
        if (
            type(kept) is bytes
            and not modification.add
            and not modification.remove
            and not any(name in self._indexes for name in replace)
        ):
            text = _with_replaced(kept, replace)
            if text is not None:
                self._objects[object_id] = text
                return
        stored: DirectoryObject = orjson.loads(kept) if type(kept) is bytes else kept  # type: ignore[assignment]
        add = (
            {self._writable_name(name): values for name, values in modification.add.items()} if modification.add else {}
        )
        remove = (
            {self._writable_name(name): values for name, values in modification.remove.items()}
            if modification.remove
            else {}
        )
        for name, values in (*add.items(), *remove.items()):
            self._check_multivalued(name, stored.get(name))
            self._check_written_value(name, list(values))

        touched: dict[str, _Index] = {}
        for name, index in self._indexes.items():  # a loop: cheaper than a comprehension over one or two
            if name in replace or name in add or name in remove:
                touched[name] = index
        if touched:
            self._unindex_object(object_id, stored, touched)
        if type(kept) is not bytes:
            stored = stored.copy()  # (a dict given to the table may be shared with a reader: see `shared`)
        stored.update(replace)
        for name, values in add.items():
            current = list(stored.get(name) or [])
            present = set(current)
            for value in values:
                if value not in present:
                    present.add(value)
                    current.append(value)
            stored[name] = current
        for name, values in remove.items():
            if stored.get(name):
                removed = set(values)
                stored[name] = [value for value in stored[name] if value not in removed]
        self._objects[object_id] = laid_out(stored)
        if touched:
            self._index_object(object_id, stored, touched)

    def remove(self, object_id: str) -> None:
        if self._indexes:
            self._unindex_object(object_id, self._existing_object(object_id), self._indexes)
        else:
            self._existing(object_id)
        del self._objects[object_id]

    # --- internals --------------------------------------------------------------------------

    def _present(self, stored: Stored) -> DirectoryObject:
        if type(stored) is bytes:
            copy: DirectoryObject = orjson.loads(stored)  # the caller's own already
        else:
            copy = stored.copy()  # type: ignore[union-attr]
            for name, value in stored.items():  # type: ignore[union-attr]
                if type(value) in _CONTAINERS:
                    copy[name] = _detached(value)
        if self._anchor_alias is not None:
            copy[self._anchor_alias] = copy["id"]
        return copy

    def _existing(self, object_id: str) -> DirectoryObject | bytes:
        stored = self._objects.get(object_id)
        if stored is None:
            raise ObjectNotFound(f"{self.definition.name} {object_id!r} does not exist (it may have been deleted)")
        if type(stored) is int:
            return self._read_text(object_id, stored)
        return stored  # type: ignore[return-value] # (not a position, as just checked)

    def _read_text(self, object_id: str, position: int) -> bytes:
        """The text of an object left in the file, read now and kept from now on."""
        assert self._in_file is not None
        text = self._objects[object_id] = self._in_file.text(position)
        return text

    def _read_texts(self) -> None:
        """Read every text left in the file, for a caller that reads every object."""
        if self._in_file is None:
            return
        left = {object_id: stored for object_id, stored in self._objects.items() if type(stored) is int}
        if left:
            positions: list[int] = sorted(left.values())
            by_position = dict(zip(positions, self._in_file.texts(positions), strict=True))
            for object_id, position in left.items():
                self._objects[object_id] = by_position[position]

    def _existing_object(self, object_id: str) -> DirectoryObject:
        """The object as stored, parsed if kept as text: not to be changed in place."""
        stored = self._existing(object_id)
        return orjson.loads(stored) if type(stored) is bytes else stored  # type: ignore[return-value]

    def _stored_name(self, attribute: str) -> str:
        name = self._stored_names.get(attribute)
        if name is None:
            if self._anchor_alias is not None and attribute.lower() == self._anchor_alias.lower():
                name = "id"
            else:
                definition = self._attributes.get(attribute.lower())
                name = definition.name if definition is not None else attribute
            self._stored_names[attribute] = name
        return name

    def _writable_name(self, attribute: str) -> str:
        name = self._stored_name(attribute)
        if name == "id":
            raise ObjectError(
                "UnprocessableEntity",
                f"{attribute!r} is the anchor of {self.definition.name} objects and cannot be written",
                retryable=False,
            )
        return name

    def _write_rule(self, attribute: str) -> tuple[str, type | None]:
        """The stored name of an attribute written, and the type a value of it may have without
        a closer look (a string for a single-valued String attribute; None: look at every value).
        Most values written are such plain values: they skip the call to `_check_written_value`."""
        name = self._writable_name(attribute)
        kind, item_kind = self._rules.get(name, (None, None))
        rule = self._write_rules[attribute] = (name, kind if item_kind is None else None)
        return rule

    def _check_written_value(self, name: str, value: Any) -> None:
        rule = self._rules.get(name)
        if rule is not None:
            if _follows(rule, value):
                return
            problem = _problem(self._attributes[name.lower()], value)
        elif value is None or _is_json_value(value):
            return
        else:
            problem = "it must be a string, number, true, false, a list of those, or null"
        raise ObjectError(
            "UnprocessableEntity",
            f"{self.definition.name} attribute {name!r} cannot be set to {shown(value)}: {problem}",
            retryable=False,
        )

    def _check_multivalued(self, name: str, current: Any) -> None:
        definition = self._attributes.get(name.lower())
        # An attribute the definition does not know is multi-valued if it holds a list, or nothing yet.
        multivalued = definition.multivalued if definition is not None else current is None or isinstance(current, list)
        if not multivalued:
            raise ObjectError(
                "UnprocessableEntity",
                f"{self.definition.name} attribute {name!r} is single-valued: values cannot be added or removed",
                retryable=False,
            )

    def _key(self, name: str, value: Any) -> Hashable | None:
        """What `value` is indexed under: strings lower-cased unless the attribute is caseExact;
        other scalars tagged with their type, so that `True` and `1` stay apart."""
        if isinstance(value, str):
            return value if name in self._case_exact else value.lower()
        if isinstance(value, _JSON_SCALARS):
            return (type(value), value)
        return None

    def _keys(self, name: str, value: Any) -> Iterator[Hashable]:
        for item in value if isinstance(value, list) else (value,):
            key = self._key(name, item)
            if key is not None:
                yield key

    def _build_index(self, name: str) -> _Index:
        self._read_texts()
        objects = self._objects
        stored = list(objects.values())
        if {dict}.issuperset(map(type, stored)):
            values: list[Any] = list(map(dict.get, stored, repeat(name)))  # type: ignore[arg-type] # (all dicts)
        else:
            # Objects kept as text (written, or read from a file this directory wrote): the values
            # are read from their texts, not parsed whole (see `_values_in_texts`).
            texts = [value for value in stored if type(value) is bytes]
            in_texts = iter(_values_in_texts(texts, name))
            values = [next(in_texts) if type(value) is bytes else value.get(name) for value in stored]  # type: ignore[union-attr]
        if {str}.issuperset(map(type, values)):
            # Every object holds a string (the usual: a matching attribute): the keys made in C, and
            # one holder each unless two share a value (then one object at a time, as below).
            keys = values if name in self._case_exact else list(map(str.lower, values))
            unique: _Index = dict(zip(keys, objects, strict=True))
            if len(unique) == len(keys):
                return unique
        index: _Index = {}
        for object_id, value in zip(objects, values, strict=True):
            if value is not None:
                for key in self._keys(name, value):
                    _add_holder(index, key, object_id)
        return index

    def _index_object(self, object_id: str, stored: DirectoryObject, indexes: dict[str, _Index]) -> None:
        for name, index in indexes.items():
            value = stored.get(name)
            if type(value) is str:  # most values: `_key` inline (a create indexes each object)
                key: Hashable = value if name in self._case_exact else value.lower()
                if key not in index:
                    index[key] = object_id
                else:
                    _add_holder(index, key, object_id)
            elif value is not None:
                for key in self._keys(name, value):
                    _add_holder(index, key, object_id)

    def _unindex_object(self, object_id: str, stored: DirectoryObject, indexes: dict[str, _Index]) -> None:
        for name, index in indexes.items():
            for key in self._keys(name, stored.get(name)):
                holders = index.get(key)
                if holders == object_id:
                    del index[key]
                elif type(holders) is dict:
                    holders.pop(object_id, None)
                    if not holders:
                        del index[key]


def _add_holder(index: _Index, key: Hashable, object_id: str) -> None:
    """Note that the object `object_id` holds `key` (see `_Index`)."""
    holders = index.get(key)
    if holders is None:
        index[key] = object_id
    elif type(holders) is str:
        if holders != object_id:
            index[key] = {holders: None, object_id: None}
    else:
        holders[object_id] = None  # type: ignore[index]


def laid_out(obj: DirectoryObject) -> bytes:
    """`obj`'s text as a file directory's whole write puts it in a collection, the line break
    before it included: each line 4 spaces in (as `fileio.indented_json` lays out its items)."""
    return b"\n    " + orjson.dumps(obj, option=_LAYOUT).replace(b"\n", b"\n    ")


def _values_in_texts(texts: list[bytes], name: str) -> list[Any]:
    """The value of the key `name` in each of `texts`, objects' texts as `laid_out` writes them
    (None where it is absent), read from the key's line rather than by parsing each object: in
    that text a line 6 spaces in that starts with a key's JSON text is that key's (see
    `_with_replaced`). The searches and slices run in C over all the texts at once, and the values'
    texts are parsed as one list: 98,000 users' `userPrincipalName` in ~0.1 s, where parsing the
    objects took ~0.25 s. A value spanning lines (a non-empty list or object) is read from its
    object parsed whole."""
    line = b"\n      " + orjson.dumps(name) + b": "
    found = list(map(bytes.find, texts, repeat(line)))
    # Where absent, the slice below is empty: each text starts with its line break.
    starts = [at + len(line) if at >= 0 else 0 for at in found]
    lines = list(map(bytes.__getitem__, texts, map(slice, starts, map(bytes.find, texts, repeat(b"\n"), starts))))
    spanning = [position for position, text in enumerate(lines) if text in (b"[", b"{")]
    for position in spanning:
        lines[position] = b"null"
    listed = [text[:-1] if text[-1:] == b"," else text or b"null" for text in lines]
    values: list[Any] = orjson.loads(b"[" + b",".join(listed) + b"]")
    for position in spanning:
        values[position] = orjson.loads(texts[position]).get(name)
    return values


def _with_replaced(text: bytes, replace: DirectoryObject) -> bytes | None:
    """An object's text (see `laid_out`) with the values of `replace` set, as `laid_out` would
    write the object with them (a key it has keeps its place; a new one goes last); None when a
    value, new or old, spans lines (a non-empty list): the caller parses the text. In that text
    a line 6 spaces in that starts with a key's JSON text is that key's (nested values lie deeper,
    and a line break in a string is escaped)."""
    dumps = orjson.dumps
    for name, value in replace.items():
        if type(value) in _CONTAINERS and value:
            return None
        line = b"\n      " + dumps(name) + b": "
        at = text.find(line)
        if at < 0:
            if text.endswith(b"{}"):
                return None  # an empty object: no line to go after
            text = text[:-6] + b"," + line + dumps(value) + text[-6:]  # before the closing `\n    }`
            continue
        start = at + len(line)
        end = text.find(b"\n", start)
        old = text[start : end - 1] if text[end - 1 : end] == b"," else text[start:end]
        if old in (b"[", b"{"):
            return None
        text = text[:start] + dumps(value) + text[start + len(old) :]
    return text


def first_invalid_object(definition: ObjectDefinition, objects: list[DirectoryObject]) -> tuple[int, str, str] | None:
    """The first of `objects` (read from a file) with a defined attribute holding a value it
    cannot hold, as (position, attribute, why), or None if all are valid."""
    # The objects of a file share a few shapes (the same keys in the same order, each value of the
    # same type), so the rules run once per shape, and one C-level pass takes the shape of each
    # object; the items of lists are then checked in one pass over them all: a third less time
    # than checking each object attribute by attribute (benchmarks/README.md). A shape is one flat
    # tuple, its keys then their values' types, compared with the last object's before it is looked
    # up: neighbours mostly share one, and equal tuples of the same strings and types compare
    # faster than a tuple of 22 items hashes (a quarter less time at 100,000 objects).
    rules = {attribute.name: _rule(attribute) for attribute in definition.attributes}
    item_kinds: dict[type, list[str]] = {}
    for name, (_, item_kind) in rules.items():
        if item_kind is not None:
            item_kinds.setdefault(item_kind, []).append(name)

    first = len(objects)
    valid_shapes: set[tuple[object, ...]] = set()
    last_shape: tuple[object, ...] = ()
    for position, stored in enumerate(objects):
        shape = (*stored, *map(type, stored.values()))
        if shape == last_shape or shape in valid_shapes:
            last_shape = shape
            continue
        size = len(stored)
        if any(
            kind is not _NONE and kind is not rules[name][0]
            for name, kind in zip(shape[:size], shape[size:], strict=True)
            if name in rules
        ):
            first = position
            break
        valid_shapes.add(shape)
        last_shape = shape
    # Before `first`, every defined list attribute holds a list or null.
    before = objects[:first]
    for item_kind, names in item_kinds.items():
        items = chain.from_iterable(filter(None, chain.from_iterable(map(stored.get, names) for stored in before)))
        if not {item_kind}.issuperset(map(type, items)):
            first = next(
                position
                for position, stored in enumerate(before)
                if any(type(item) is not item_kind for name in names for item in stored.get(name) or ())
            )
            before = objects[:first]

    if first == len(objects):
        return None
    stored = objects[first]
    name, problem = next(
        (attribute.name, problem)
        for attribute in definition.attributes
        if (problem := _problem(attribute, stored.get(attribute.name))) is not None
    )
    return first, name, problem


def rules_digest(definitions: Iterable[ObjectDefinition]) -> str:
    """A digest of the rules the values of these object types follow (see `first_invalid_object`):
    objects checked under one digest need no check under the same."""
    rules = [
        [
            definition.name,
            *([attribute.name, *map(_type_name, _rule(attribute))] for attribute in definition.attributes),
        ]
        for definition in definitions
    ]
    return hashlib.blake2b(orjson.dumps(rules), digest_size=10).hexdigest()


def _type_name(kind: type | None) -> str | None:
    return None if kind is None else kind.__name__


def shown(value: Any) -> str:
    """`value` as JSON, shortened, for an error message."""
    text = orjson.dumps(value, default=repr).decode()
    return text if len(text) <= 60 else text[:57] + "..."


_VALUE_TYPES = {AttributeType.Boolean: bool, AttributeType.Integer: int}
"""The exact type of each attribute type's values, as JSON gives them; any other is `str`:
String, Reference (an id), DateTime (ISO text) and Binary (base64 text)."""

Rule = tuple[type[Any], type[Any] | None]
"""What an attribute may hold besides null: (the value's type, its items' type if it is a list)."""


def _rule(definition: AttributeDefinition) -> Rule:
    """The one rule for an attribute's values. Reading a file and writing to a directory both
    apply it, so that a directory never writes a file it would refuse to read back."""
    kind = _VALUE_TYPES.get(definition.type, str)
    return (list, kind) if definition.multivalued else (kind, None)


def _follows(rule: Rule, value: Any) -> bool:
    kind, item_kind = rule
    if value is None:
        return True
    if type(value) is not kind:
        return False
    return item_kind is None or all(type(item) is item_kind for item in value)


def _problem(definition: AttributeDefinition, value: Any) -> str | None:
    """Why `definition` cannot hold `value` ("it must be …"), or None if it can."""
    if _follows(_rule(definition), value):
        return None
    if definition.multivalued:
        return f"it must be a list of {_plural(definition)} or null"
    return f"it must be {_singular(definition)} or null"


def _singular(definition: AttributeDefinition) -> str:
    if definition.type is AttributeType.Boolean:
        return "true, false"
    if definition.type is AttributeType.Integer:
        return "a whole number"
    if definition.type is AttributeType.Reference:
        return f"the id of a {_referenced(definition)} (a string)"
    return "a string"


def _plural(definition: AttributeDefinition) -> str:
    if definition.type is AttributeType.Boolean:
        return "true/false values"
    if definition.type is AttributeType.Integer:
        return "whole numbers"
    if definition.type is AttributeType.Reference:
        return f"{_referenced(definition)} ids (strings)"
    return "strings"


def _referenced(definition: AttributeDefinition) -> str:
    names = [ref.referenced_object_name for ref in definition.referenced_objects if ref.referenced_object_name]
    return "/".join(names).lower() or "object"


def _is_json_value(value: Any) -> bool:
    if isinstance(value, list):
        return all(item is None or isinstance(item, _JSON_SCALARS) for item in value)
    return isinstance(value, _JSON_SCALARS)


def _detached(value: Any) -> Any:
    """`value`, with its lists and dicts copied, so that no caller shares them with the table."""
    if type(value) is list:
        return [_detached(item) if type(item) in _CONTAINERS else item for item in value]
    if type(value) is dict:
        return {key: _detached(item) if type(item) in _CONTAINERS else item for key, item in value.items()}
    return value
