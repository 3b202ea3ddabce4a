"""What happened to one object, as a provisioning log entry (Graph `provisioningObjectSummary`).

Cycles record a compact entry for every object they change or fail; provision on demand and
preview ask for the detailed steps too (Import, Scoping, Matching, Export), which costs more,
so the steps are only built when `detailed` is set.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from ..ids import new_guid_hex
from ..models import format_datetime
from .values import display_value

REDACTED = "[Redact]"


class ObjectTrace:
    __slots__ = (
        "detailed",
        "steps",
        "modified",
        "_created",
        "action",
        "status",
        "error_code",
        "reason",
        "target_id",
        "_job_id",
        "_cycle_id",
        "_now",
    )

    def __init__(self, *, detailed: bool, job_id: str, cycle_id: str, now: datetime) -> None:
        self.detailed = detailed
        self.steps: list[dict[str, Any]] = []
        self.modified: list[tuple[str, Any, Any, bool]] = []
        """(attribute, old value, new value, redacted)"""
        self._created: tuple[Mapping[str, Any], Collection[str]] = ({}, ())
        self.action = "other"
        self.status = "skipped"
        self.error_code: str | None = None
        self.reason: str | None = None
        self.target_id: str | None = None
        self._job_id = job_id
        self._cycle_id = cycle_id
        self._now = now

    def step(
        self, name: str, kind: str, status: str, description: str, details: Callable[[], dict[str, Any]] | None = None
    ) -> None:
        if self.detailed:
            self.steps.append(
                {
                    "name": name,
                    "provisioningStepType": kind,
                    "status": status,
                    "description": description,
                    "details": {k: display_value(v) for k, v in details().items()} if details else {},
                }
            )

    def outcome(self, action: str, status: str, *, error_code: str | None = None, reason: str | None = None) -> None:
        self.action, self.status, self.error_code, self.reason = action, status, error_code, reason

    def modify(self, name: str, old: Any, new: Any, *, redacted: bool = False) -> None:
        # Shown as text only when the entry is rendered: most entries of a large cycle never are.
        self.modified.append((name, old, new, redacted))

    def created(self, values: Mapping[str, Any], redacted: Collection[str]) -> None:
        """The values an object was created with, shown as modified from null (`values` is kept
        as it is: the caller must not change it afterwards)."""
        self._created = (values, redacted)

    def entry(
        self,
        *,
        object_type: str,
        source_id: str,
        display_name: str | None,
        target_type: str,
        source_system: str,
        target_system: str,
    ) -> dict[str, Any]:
        return {
            "id": new_guid_hex(),
            "activityDateTime": format_datetime(self._now),
            "jobId": self._job_id,
            "cycleId": self._cycle_id,
            "changeId": new_guid_hex(),
            "provisioningAction": self.action,
            "sourceIdentity": {"id": source_id, "displayName": display_name, "identityType": object_type},
            "targetIdentity": {"id": self.target_id, "displayName": display_name, "identityType": target_type},
            "sourceSystem": {"displayName": source_system},
            "targetSystem": {"displayName": target_system},
            "statusInfo": {"status": self.status, "errorCode": self.error_code, "reason": self.reason},
            "provisioningSteps": self.steps,
            "modifiedProperties": [
                {
                    "displayName": name,
                    "oldValue": REDACTED if redacted and old is not None else display_value(old),
                    "newValue": REDACTED if redacted else display_value(new),
                }
                for name, old, new, redacted in self._modifications()
            ],
        }

    def _modifications(self) -> Iterator[tuple[str, Any, Any, bool]]:
        values, redacted = self._created
        for name, value in values.items():
            yield name, None, value, name in redacted
        yield from self.modified
