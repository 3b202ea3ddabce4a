"""What the read-only sources share (an HR CSV file, staged bulkUpload payloads): reads from the
one table of objects they hold, and a refusal, naming why, of every change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._objects import ObjectTable
from .base import DirectoryObject, Modification, ObjectError


class ReadOnlySource:
    """A subclass gives `_objects` (its table, for an object type it holds) and `_read_only_reason`."""

    def _objects(self, object_type: str) -> ObjectTable:
        raise NotImplementedError

    def _read_only_reason(self) -> str:
        raise NotImplementedError

    def read_all(self, object_type: str) -> Iterable[DirectoryObject]:
        return self._objects(object_type).iter_copies()

    def get(self, object_type: str, object_id: str) -> DirectoryObject | None:
        return self._objects(object_type).get(object_id)

    def find(self, object_type: str, attribute: str, value: Any) -> list[DirectoryObject]:
        return self._objects(object_type).find(attribute, value)

    def create(self, object_type: str, attributes: DirectoryObject) -> str:
        raise self._read_only()

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        raise self._read_only()

    def delete(self, object_type: str, object_id: str) -> None:
        raise self._read_only()

    def flush(self) -> None:
        """Nothing to write: the directory is read-only."""

    def close(self) -> None:
        """Nothing to release: the file is not held open."""

    def _read_only(self) -> ObjectError:
        return ObjectError("NotPermitted", self._read_only_reason(), retryable=False)
