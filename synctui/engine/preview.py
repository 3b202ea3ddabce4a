"""Preview: a real cycle against the real directories that exports nothing and changes no state.

The cycle code is the same as a run's, so an object that would fail in a run fails here too;
only the target's writes are recorded instead of made, and the state is a throwaway copy.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from ..connectors.base import Directory, Modification
from ..models import DirectoryDefinition


class DryRunDirectory:
    """A target that answers reads from the real one and keeps its own writes in memory."""

    def __init__(self, real: Directory) -> None:
        self._real = real
        self._created: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def definition(self) -> DirectoryDefinition:
        return self._real.definition()

    def test_connection(self) -> None:
        self._real.test_connection()

    def read_all(self, object_type: str) -> Iterable[dict[str, Any]]:
        return self._real.read_all(object_type)

    def get(self, object_type: str, object_id: str) -> dict[str, Any] | None:
        if object_id in self._created:
            return dict(self._created[object_id])
        return self._real.get(object_type, object_id)

    def find(self, object_type: str, attribute: str, value: Any) -> list[dict[str, Any]]:
        found = self._real.find(object_type, attribute, value)
        wanted = str(value).casefold()
        found += [
            dict(obj)
            for obj in self._created.values()
            if obj["_type"] == object_type and str(obj.get(attribute, "")).casefold() == wanted
        ]
        return found

    def create(self, object_type: str, attributes: dict[str, Any]) -> str:
        new_id = f"(new {object_type} {next(self._ids)})"
        self._created[new_id] = dict(attributes, id=new_id, _type=object_type)
        return new_id

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        return None

    def delete(self, object_type: str, object_id: str) -> None:
        return None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


class SnapshotState:
    """A job state that starts as a copy of the real one and keeps what the cycle writes."""

    log_limit = None
    """A preview shows every entry."""

    def __init__(self, snapshot: Any) -> None:
        self._snapshot = copy.deepcopy(snapshot)
        self.logs: list[dict[str, Any]] = []

    def load(self, *, few_entries: bool = False) -> Any:
        return self._snapshot

    def record_in_flight(self, key: str, info: dict[str, Any], *, deferred: bool = False) -> None:
        return None

    def sync_in_flight(self) -> None:
        return None

    def checkpoint(
        self,
        *,
        entries: Mapping[str, Any] | None = None,
        escrows: Any = None,
        meta: Any = None,
        logs: list[dict[str, Any]] | None = None,
        in_flight: Any = None,
    ) -> None:
        self.logs.extend(logs or [])
