"""Which provisioning log entries to read: the filters of Entra's provisioning-log blade (date
range, identity, action, status) and a search of the whole entry, applied to every entry the job's
log keeps, a page at a time. The dashboard and `synctui logs` both ask through it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..models import parse_datetime, parse_duration


def searchable_text(entry: dict[str, Any]) -> str:
    """Every value of an entry (names, ids, errors, old and new attribute values), lower-cased; keys
    are left out so that searching "status" finds the entries that mention it, not all of them."""
    parts: list[str] = []
    stack: list[Any] = [entry]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif value is not None:
            parts.append(str(value))
    return "\n".join(parts).lower()


def activity_time(entry: dict[str, Any]) -> datetime | None:
    try:
        return parse_datetime(str(entry.get("activityDateTime") or ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class LogQuery:
    """Entries that pass every filter given; the empty query passes all."""

    since: datetime | None = None
    """Written at or after this moment."""
    until: datetime | None = None
    """Written before this moment."""
    identity: str = ""
    """The id, or part of the name, of the source or the target object, in any case."""
    action: str = ""
    """The provisioningAction: create, update, delete, disable, other."""
    status: str = ""
    """The statusInfo status: success, failure, skipped, warning."""
    text: str = ""
    """Part of any value of the entry, in any case (the dashboard's search)."""

    @property
    def is_empty(self) -> bool:
        return self == LogQuery()

    def matches(self, entry: dict[str, Any], text: str | None = None) -> bool:
        """`text`: the entry's `searchable_text`, when the caller keeps it between searches."""
        if self.action and entry.get("provisioningAction") != self.action:
            return False
        if self.status and (entry.get("statusInfo") or {}).get("status") != self.status:
            return False
        if self.since is not None or self.until is not None:
            when = activity_time(entry)
            if when is None or (self.since is not None and when < self.since):
                return False
            if self.until is not None and when >= self.until:
                return False
        if self.identity and not self._names_identity(entry):
            return False
        needle = self.text.strip().lower()
        return not needle or needle in (text if text is not None else searchable_text(entry))

    def may_match(self, line: str) -> bool:
        """Whether an entry whose JSON line (as log_file.py writes it: compact, not ASCII-escaped)
        is `line` may match: False only when it cannot, so that only the lines that pass are
        parsed and checked with `matches`."""
        if self.action and f'"provisioningAction":"{self.action}"' not in line:
            return False
        if self.status and f'"status":"{self.status}"' not in line:
            return False
        words = [word.strip().lower() for word in (self.identity, self.text) if word.strip()]
        # A word with a character JSON escapes ("\, control characters) is looked for once parsed.
        plain = [word for word in words if word.isprintable() and not set(word) & {'"', "\\"}]
        if plain:
            lowered = line.lower()
            return all(word in lowered for word in plain)
        return True

    def _names_identity(self, entry: dict[str, Any]) -> bool:
        needle = self.identity.strip().lower()
        for side in ("sourceIdentity", "targetIdentity"):
            identity = entry.get(side) or {}
            if (
                needle == str(identity.get("id") or "").lower()
                or needle in str(identity.get("displayName") or "").lower()
            ):
                return True
        return False


@dataclass(frozen=True)
class LogPage:
    """One page of a job's provisioning log that matches a query."""

    entries: list[dict[str, Any]]
    """The page: matching entries, newest first."""
    matched: int
    """How many entries match the query, on every page."""
    total: int
    """How many entries the job's log keeps."""


CSV_COLUMNS = (
    ("Date", ("activityDateTime",)),
    ("Action", ("provisioningAction",)),
    ("Status", ("statusInfo", "status")),
    ("Identity type", ("sourceIdentity", "identityType")),
    ("Source name", ("sourceIdentity", "displayName")),
    ("Source id", ("sourceIdentity", "id")),
    ("Target name", ("targetIdentity", "displayName")),
    ("Target id", ("targetIdentity", "id")),
    ("Source system", ("sourceSystem", "displayName")),
    ("Target system", ("targetSystem", "displayName")),
    ("Error code", ("statusInfo", "errorCode")),
    ("Reason", ("statusInfo", "reason")),
    ("Job id", ("jobId",)),
    ("Cycle id", ("cycleId",)),
    ("Change id", ("changeId",)),
    ("Id", ("id",)),
)
"""The columns of a CSV export: what the log list shows, then the ids; the changed attributes last."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell a spreadsheet would run as a formula starts so: such text (a display name comes from the
source directory) is written with a leading apostrophe, as OWASP's CSV-injection advice says."""


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def logs_csv(entries: list[dict[str, Any]]) -> str:
    """Entries as CSV, one row each; the changed attributes in one cell, `name: old → new` a line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([title for title, _ in CSV_COLUMNS] + ["Modified properties"])
    for entry in entries:
        row = []
        for _, path in CSV_COLUMNS:
            value: Any = entry
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            row.append(_cell(value))
        changes = [
            f"{p.get('displayName')}: {p.get('oldValue') or ''} → {p.get('newValue') or ''}"
            for p in entry.get("modifiedProperties") or []
            if isinstance(p, dict)
        ]
        writer.writerow([*row, _cell("\n".join(changes))])
    return out.getvalue()


def parse_moment(text: str, now: datetime) -> datetime:
    """A date-time filter's bound as a user writes it: an ISO 8601 date-time (UTC unless it says),
    a date (its midnight, UTC), or an ISO 8601 duration, meaning that long before `now` (P7D)."""
    text = text.strip()
    if text.upper().startswith("P"):
        return now - parse_duration(text.upper())
    if "T" in text:
        return parse_datetime(text)
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
