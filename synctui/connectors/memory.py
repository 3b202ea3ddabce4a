"""A directory held in memory, for tests: deterministic ids, a change log with an integer
watermark (so the engine's delta path can be driven), call counts, and injected failures."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models import DirectoryDefinition
from ._definitions import id_anchor, object_definition
from ._objects import ObjectTable
from .base import (
    ConnectionFailure,
    DirectoryError,
    DirectoryObject,
    Modification,
    ObjectError,
)

Predicate = Callable[[DirectoryObject], bool]

PER_OBJECT_OPERATIONS = frozenset({"get", "find", "create", "update", "delete"})
"""Operations whose injected failure is an `ObjectError` by default, and which take a predicate."""

WHOLE_DIRECTORY_OPERATIONS = frozenset({"test_connection", "read_all", "flush"})
"""Operations whose injected failure is a `ConnectionFailure` by default."""


@dataclass
class _Fault:
    object_type: str | None
    operation: str
    predicate: Predicate | None
    error: DirectoryError
    remaining: int | None


class MemoryDirectory:
    """A `Directory` whose objects live in `ObjectTable`s.

    `definition` is a full `DirectoryDefinition`, or just a name: then each of `object_types`
    gets a definition with only its `id` anchor, and accepts any attribute. `objects` seeds the
    directory, by object type; a seeded object keeps its `id` if it has one. Ids are generated
    from `seed`, so two runs give the same ids. One thread at a time.
    """

    def __init__(
        self,
        definition: DirectoryDefinition | str = "Memory",
        objects: Mapping[str, Iterable[DirectoryObject]] | None = None,
        *,
        object_types: Iterable[str] = ("User", "Group"),
        seed: int = 0,
        assignments: Iterable[dict[str, Any]] = (),
    ) -> None:
        if not isinstance(definition, DirectoryDefinition):
            definition = _open_definition(definition, object_types)
        self._definition = definition
        self.assignments = list(assignments)
        """Its `appRoleAssignment` objects (see `AssignmentSource`), for tests to change."""
        self._tables = {obj.name: ObjectTable(obj) for obj in self._definition.objects}
        self._random = random.Random(seed)
        self._faults: list[_Fault] = []
        self.calls: Counter[tuple[str, str]] = Counter()
        """How often each (operation, object type) was called; `flush` and `test_connection` count under type ""."""
        for object_type, seeded in (objects or {}).items():
            table = self._table(object_type)
            for obj in seeded:
                object_id = table.id_of(obj) or self._new_id()
                if object_id in table:
                    raise ValueError(f"two seeded {object_type} objects have the id {object_id!r}")
                self._insert(object_type, object_id, obj)

    # --- fault injection --------------------------------------------------------------------

    def fail_on(
        self,
        object_type: str | None,
        operation: str,
        predicate: Predicate | None = None,
        error: DirectoryError | None = None,
        *,
        times: int | None = None,
    ) -> None:
        """Make `operation` on `object_type` (None: any type) raise `error`, `times` times (None:
        until `clear_faults`). For per-object operations, `predicate` chooses the objects: it
        receives the attributes given to `create`, the stored object for `get`/`update`/`delete`
        (`{"id": …}` if it does not exist) and `{attribute: value}` for `find`."""
        if operation not in PER_OBJECT_OPERATIONS | WHOLE_DIRECTORY_OPERATIONS:
            known = ", ".join(sorted(PER_OBJECT_OPERATIONS | WHOLE_DIRECTORY_OPERATIONS))
            raise ValueError(f"unknown operation {operation!r}; expected one of {known}")
        if predicate is not None and operation not in PER_OBJECT_OPERATIONS:
            raise ValueError(f"{operation} concerns no single object, so it takes no predicate")
        if error is None:
            message = f"injected failure of {operation} on {object_type or 'any type'}"
            error = (
                ObjectError("InternalServerError", message)
                if operation in PER_OBJECT_OPERATIONS
                else ConnectionFailure("InternalServerError", message)
            )
        type_name = None if object_type is None else self._table(object_type).definition.name
        self._faults.append(_Fault(type_name, operation, predicate, error, times))

    def clear_faults(self) -> None:
        self._faults.clear()

    # --- Directory protocol -----------------------------------------------------------------

    def definition(self) -> DirectoryDefinition:
        return self._definition

    def test_connection(self) -> None:
        self._called("test_connection", "")

    def read_all(self, object_type: str) -> Iterable[DirectoryObject]:
        table = self._table(object_type)
        self._called("read_all", table.definition.name)
        return table.iter_copies()

    def read_all_shared(self, object_type: str) -> Mapping[str, DirectoryObject]:
        table = self._table(object_type)
        self._called("read_all", table.definition.name)
        return table.shared()

    def get(self, object_type: str, object_id: str) -> DirectoryObject | None:
        table = self._table(object_type)
        self._called("get", table.definition.name, lambda: table.get(object_id) or {"id": object_id})
        return table.get(object_id)

    def find(self, object_type: str, attribute: str, value: Any) -> list[DirectoryObject]:
        table = self._table(object_type)
        self._called("find", table.definition.name, lambda: {attribute: value})
        return table.find(attribute, value)

    def create(self, object_type: str, attributes: DirectoryObject) -> str:
        table = self._table(object_type)
        self._called("create", table.definition.name, lambda: dict(attributes))
        object_id = self._new_id()
        self._insert(table.definition.name, object_id, attributes)
        return object_id

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        table = self._table(object_type)
        self._called("update", table.definition.name, lambda: table.get(object_id) or {"id": object_id})
        table.modify(object_id, modification)

    def delete(self, object_type: str, object_id: str) -> None:
        table = self._table(object_type)
        self._called("delete", table.definition.name, lambda: table.get(object_id) or {"id": object_id})
        table.remove(object_id)

    def flush(self) -> None:
        self._called("flush", "")

    def app_role_assignments(self, resource_id: str) -> list[dict[str, Any]]:
        return [assignment for assignment in self.assignments if assignment["resourceId"] == resource_id]

    def close(self) -> None:
        """Nothing to release."""

    # --- internals --------------------------------------------------------------------------

    def _table(self, object_type: str) -> ObjectTable:
        object_definition = self._definition.object(object_type)
        if object_definition is None:
            raise ConnectionFailure(
                "SchemaAttributeNotFound",
                f"{self._definition.name} has no object type {object_type!r} (it has {', '.join(self._tables)})",
            )
        return self._tables[object_definition.name]

    def _insert(self, object_type: str, object_id: str, attributes: DirectoryObject) -> None:
        table = self._table(object_type)
        table.insert(object_id, attributes)

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _called(self, operation: str, object_type: str, subject: Callable[[], DirectoryObject] | None = None) -> None:
        """Count the call, then raise the first injected failure that applies to it."""
        self.calls[(operation, object_type)] += 1
        for fault in self._faults:
            if fault.operation != operation or fault.remaining == 0:
                continue
            if fault.object_type is not None and fault.object_type != object_type:
                continue
            if fault.predicate is not None and not (subject is not None and fault.predicate(subject())):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
            raise fault.error


def _open_definition(name: str, object_types: Iterable[str]) -> DirectoryDefinition:
    """A definition with only an `id` anchor per type: any other attribute is accepted as is."""
    return DirectoryDefinition(
        name=name, objects=[object_definition(object_type, [id_anchor()]) for object_type in object_types]
    )
