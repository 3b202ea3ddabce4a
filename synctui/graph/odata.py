"""The OData query options the endpoint supports: `$select`, `$top`, `$skiptoken` paging, and the
`$filter` of `auditLogs/provisioning` (comparisons of a few properties joined by `and`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models import parse_datetime
from .errors import GraphRequestError

MAX_TOP = 999
"""Graph's usual page-size ceiling."""


def bad_request(message: str) -> GraphRequestError:
    return GraphRequestError("BadRequest", message)


def top(query: Mapping[str, str], default: int | None = None) -> int | None:
    """`$top`: a whole number from 1 to 999."""
    text = query.get("$top")
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_TOP:
        raise bad_request(f"$top must be a whole number from 1 to {MAX_TOP}, not {text!r}")
    return int(text)


def skip(query: Mapping[str, str]) -> int:
    """Where a page starts: the `$skiptoken` of an `@odata.nextLink`."""
    text = query.get("$skiptoken", "0")
    if not text.isdigit():
        raise bad_request(f"$skiptoken {text!r} is not one this server gave; follow @odata.nextLink as it is")
    return int(text)


def selected(item: dict[str, Any], query: Mapping[str, str]) -> dict[str, Any]:
    """`$select=a,b`: only those properties (and `id`, which Graph always returns)."""
    text = query.get("$select")
    if not text:
        return item
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in item]
    if unknown:
        raise bad_request(
            f"$select names {', '.join(unknown)}, which this resource does not have; it has {', '.join(item)}"
        )
    return {name: value for name, value in item.items() if name in names or name == "id"}


# --- $filter of the provisioning logs --------------------------------------------------------------

_FILTERABLE = {
    "jobId": ("jobId",),
    "activityDateTime": ("activityDateTime",),
    "provisioningAction": ("provisioningAction",),
    "statusInfo/status": ("statusInfo", "status"),
    "provisioningStatusInfo/status": ("statusInfo", "status"),  # v1.0's name of the same property
}
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}
_CLAUSE = re.compile(r"\s*([A-Za-z/]+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|[0-9][0-9T:.\-+Z]*)\s*$")


@dataclass(frozen=True)
class Clause:
    path: tuple[str, ...]
    operator: str
    value: Any


@dataclass(frozen=True)
class LogFilter:
    clauses: tuple[Clause, ...]

    @property
    def job_id(self) -> str | None:
        """The job an `jobId eq '…'` clause names: only its log need be read."""
        for clause in self.clauses:
            if clause.path == ("jobId",) and clause.operator == "eq":
                return str(clause.value)
        return None

    def __call__(self, entry: Mapping[str, Any]) -> bool:
        return all(_OPERATORS[clause.operator](_value(entry, clause), clause.value) for clause in self.clauses)


def log_filter(text: str | None) -> LogFilter:
    """Parse `$filter`, e.g. `jobId eq 'x' and activityDateTime ge 2025-03-01T00:00:00Z`."""
    if not text or not text.strip():
        return LogFilter(())
    return LogFilter(tuple(_clause(part) for part in re.split(r"\s+and\s+", text.strip())))


def _clause(text: str) -> Clause:
    match = _CLAUSE.match(text)
    example = "jobId eq 'JOB_ID' and activityDateTime ge 2025-03-01T00:00:00Z"
    if match is None:
        raise bad_request(f"$filter: cannot read {text.strip()!r}; write comparisons joined by `and`, like {example}")
    name, operator, literal = match.groups()
    if name not in _FILTERABLE:
        raise bad_request(f"$filter: {name!r} cannot be filtered on; the properties are {', '.join(_FILTERABLE)}")
    if name == "activityDateTime":
        try:
            value: Any = parse_datetime(literal.strip("'"))
        except ValueError:
            raise bad_request(f"$filter: {literal} is not a date and time like 2025-03-01T00:00:00Z") from None
    elif literal.startswith("'"):
        value = literal[1:-1].replace("''", "'")
    else:
        raise bad_request(f"$filter: {name} is compared with a quoted string, like {name} eq 'value'")
    if name != "jobId" and isinstance(value, str):
        value = value.lower()  # Graph's action and status values are case-insensitive
    return Clause(_FILTERABLE[name], operator, value)


def _value(entry: Mapping[str, Any], clause: Clause) -> Any:
    value: Any = entry
    for key in clause.path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if clause.path == ("activityDateTime",) and isinstance(value, str):
        return parse_datetime(value)
    if isinstance(value, str) and clause.path != ("jobId",):
        return value.lower()
    return value
