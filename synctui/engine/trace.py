"""What happened to one object, as a provisioning log entry (Graph `provisioningObjectSummary`).

Every entry carries the steps Entra's provisioning logs show (spec: provisioning-behaviour.md
§3.3 and §14; Graph `provisioningStep`): import (the source values read), scoping (the reason,
the assignment, each filter clause's result), matching (the attribute and value used, the matches
found), the action determined, and the export (what was sent, what came back); and
`modifiedProperties` with old and new values.

A cycle of 100,000 objects keeps only the newest entries (the store's `log_limit`), so a trace
records its steps as the data the cycle already has — a name, a status, and what describes and
details it as `(function, *arguments)` (or a callable) — and turns them into text only in
`entry()`, which runs for the entries kept, at a checkpoint. Recording a step costs a tuple or two.

A trace logged waits among the newest `log_limit` (5,000) until a checkpoint, and a cycle frees
each one as a newer pushes it out: by then its memory is cold, and each object it holds costs a
cache miss to free (~0.6 s of an initial cycle of 100,000 users). So a trace holds as few objects
as it can: its steps flat in one list (five items a step, no tuple each), no list of modifications
until there is one, and what the log entry is made with (`logged`) in its own slots (~0.07 s
less of that initial cycle's flow).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from ..connectors.base import Modification
from ..ids import new_guid_hex
from ..models import format_datetime
from .compiled import CompiledObjectMapping
from .values import display_name, display_value

REDACTED = "[Redact]"

Lazy = tuple[Any, ...]
"""`(function, *arguments)`: called when the entry is rendered (cheaper to make than a closure)."""
Text = str | Lazy | Callable[[], str]
"""A step's description: text, or what makes it when the entry is rendered."""
Details = Lazy | Callable[[], Mapping[str, Any]] | None
"""A step's details: what makes them when the entry is rendered."""


_NOTHING_CREATED: tuple[Mapping[str, Any], Collection[str]] = (MappingProxyType({}), ())
"""What a trace of no create holds as created (shared: a cycle makes 200,000 traces)."""


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
        "_export",
        "_job_id",
        "_cycle_id",
        "_now",
        "mapping",
        "source_id",
        "display",
    )

    def __init__(self, detailed: bool, job_id: str, cycle_id: str, now: datetime) -> None:
        self.detailed = detailed
        """Logged even when nothing happened to the object (provision on demand, preview)."""
        self.steps: list[Any] = []
        """Five items a step: name, provisioningStepType, status, description, details (see `step`)."""
        self.modified: list[tuple[str, Any, Any, bool]] | tuple[()] = ()
        """(attribute, old value, new value, redacted); a list from the first."""
        self._created: tuple[Mapping[str, Any], Collection[str]] = _NOTHING_CREATED
        self.action = "other"
        self.status = "skipped"
        self.error_code: str | None = None
        self.reason: str | None = None
        self.target_id: str | None = None
        self._export: tuple[str, str, Text, Details] | None = None
        """The export under way: (step name, verb, what it acts on, what was sent)."""
        self._job_id = job_id
        self._cycle_id = cycle_id
        self._now = now

    def step(self, name: str, kind: str, status: str, description: Text, details: Details = None) -> None:
        self.steps += name, kind, status, description, details

    def logged(self, mapping: CompiledObjectMapping, source_id: str, display: str | None) -> ObjectTrace:
        """Note what the log entry is made with (the object mapping, the source object's id and
        name), kept with the trace until `CycleState` renders it."""
        self.mapping, self.source_id, self.display = mapping, source_id, display
        return self

    def outcome(self, action: str, status: str, *, error_code: str | None = None, reason: str | None = None) -> None:
        self.action, self.status, self.error_code, self.reason = action, status, error_code, reason

    def exporting(self, action: str, name: str, verb: str, subject: Text, sent: Details) -> None:
        """An export is about to be sent: a failure is then logged as that action (a failed update
        is `update` with status `failure`, as Entra logs it), with a failed export step."""
        if self.action == "other":  # on demand, a create's entry goes on with its references
            self.action = action
        self._export = (name, verb, subject, sent)

    def exported(self, system: str, returned: Details = None) -> None:
        """The export under way succeeded: its step says what was sent and what came back."""
        if self._export is None:
            return
        name, verb, subject, sent = self._export
        self._export = None
        self.outcome(self.action, "success")
        self.steps += name, "export", "success", (_exported, subject, verb, system), (_joined, sent, returned)

    def failed(self, system: str, code: str, message: str) -> None:
        """The object failed: the export under way (if any) gets a failed step with the error."""
        self.outcome(self.action, "failure", error_code=code, reason=message)
        if self._export is None:
            return
        name, verb, subject, sent = self._export
        self._export = None
        self.steps += (
            name,
            "export",
            "failure",
            (_not_exported, subject, verb, system),
            (_joined, sent, (_error, code, message)),
        )

    def modify(self, name: str, old: Any, new: Any, *, redacted: bool = False) -> None:
        # Shown as text only when the entry is rendered: most entries of a large cycle never are.
        if isinstance(self.modified, list):
            self.modified.append((name, old, new, redacted))
        else:
            self.modified = [(name, old, new, redacted)]

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
            "provisioningSteps": [
                {
                    "name": name,
                    "provisioningStepType": kind,
                    "status": status,
                    "description": description if description.__class__ is str else _made(description),
                    "details": _shown(_made(details)) if details is not None else {},
                }
                for name, kind, status, description, details in _by_fives(self.steps)
            ],
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


def _by_fives(steps: list[Any]) -> Iterator[tuple[Any, ...]]:
    """A trace's steps, each as its five items."""
    items = iter(steps)
    return zip(items, items, items, items, items, strict=True)


def _shown(details: Mapping[str, Any]) -> dict[str, Any]:
    # Most values are already text: thousands of entries are rendered at a checkpoint.
    return {key: value if value.__class__ is str else display_value(value) for key, value in details.items()}


def _made(lazy: Any) -> Any:
    return lazy[0](*lazy[1:]) if lazy.__class__ is tuple else lazy()


def _exported(subject: Text, verb: str, system: str) -> str:
    return f"{_made(subject) if subject.__class__ is not str else subject} was {_past(verb)} in {system}"


def _not_exported(subject: Text, verb: str, system: str) -> str:
    return f"Failed to {verb} {_made(subject) if subject.__class__ is not str else subject} in {system}"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"Returned": f"{code}: {message}"}


def _past(verb: str) -> str:
    return verb + ("d" if verb.endswith("e") else "ed")


def _joined(first: Details, second: Details) -> dict[str, Any]:
    joined = dict(_made(first)) if first is not None else {}
    if second is not None:
        joined.update(_made(second))
    return joined


def named(obj: Mapping[str, Any] | str | None) -> str | None:
    """An object's name in a step: its display name, or the name given."""
    return obj if obj is None or isinstance(obj, str) else display_name(obj)


def retrieved(object_type: str, obj: Mapping[str, Any] | str | None, system: str) -> str:
    return f"Retrieved {object_type} '{named(obj)}' from {system}"


def subject(object_type: str, obj: Mapping[str, Any] | str | None) -> str:
    """What an export acts on, as its step names it: `User 'Ada Lovelace'`."""
    return f"{object_type} '{named(obj)}'"


def reported(obj: Mapping[str, Any] | str | None, details: Lazy | None, target_id: str | None = None) -> dict[str, Any]:
    """An export step's details: Entra's ReportableIdentifier first (the object's name), the
    target id, then `details` (made now)."""
    shown: dict[str, Any] = {"ReportableIdentifier": named(obj)}
    if target_id is not None:
        shown["TargetAnchor"] = target_id
    if details is not None:
        shown.update(_made(details))
    return shown


def succeeded() -> dict[str, Any]:
    """What came back from an export that answers nothing but success."""
    return {"Returned": "success"}


def sent_changes(modification: Modification) -> dict[str, Any]:
    """What an update sends, attribute names by kind of change (the values are the entry's
    modified properties)."""
    kinds: dict[str, list[str]] = {}
    for name in modification.replace:
        kinds.setdefault(modification.change_of(name), []).append(name)
    for name in modification.add:
        kinds.setdefault("add", []).append(name)
    for name in modification.remove:
        kinds.setdefault("remove", []).append(name)
    return {f"Sent {kind}": names for kind, names in kinds.items()}
