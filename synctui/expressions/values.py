"""Runtime values of the expression language and the conversions between them.

Inside an evaluation a value is one of:
    None        null (an absent attribute, or a function result that has no value)
    str         the ordinary case
    list[str]   a multi-valued attribute or a function result such as Split()
    bool        IsPresent(), comparisons, …   — rendered "True" / "False"
    int/float   InStr(), DateDiff(), Count(), …
    datetime    CDate(), Now(), DateAdd(), … — rendered "M/d/yyyy h:mm:ss tt" (UTC)
Everything that leaves the evaluator is a str, a list[str], None or one of the flow sentinels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final, Protocol


class FlowSentinel(Enum):
    """A result that is not a value but an instruction to the engine. An enum, so that a type
    checker follows `value is IGNORE_FLOW` tests."""

    IGNORE_FLOW = "IGNORE_FLOW"
    IGNORE_OBJECT = "IGNORE_OBJECT"

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__


IGNORE_FLOW: Final = FlowSentinel.IGNORE_FLOW
"""Do not flow this attribute (IgnoreFlowIfNullOrEmpty on an empty value, IgnoreAttributeFlow)."""

IGNORE_OBJECT: Final = FlowSentinel.IGNORE_OBJECT
"""Do not create or flow this object at all (IgnoreObjectFlow)."""


class FlowSignal(Exception):
    """Raised where a flow sentinel is produced, so that it leaves every enclosing function unchanged."""

    def __init__(self, sentinel: FlowSentinel) -> None:
        super().__init__(repr(sentinel))
        self.sentinel = sentinel


# --- reading the source object ------------------------------------------------------------

_MISSING = object()


class AttributeReader(Protocol):
    """Reads one attribute of an object; takes a context, and ignores it, so it can be an Evaluator."""

    def __call__(self, obj: Mapping[str, Any], context: Any = None, /) -> Any: ...


def attribute_reader(name: str) -> AttributeReader:
    """A function reading attribute `name` from an object: the exact name first, then the first key
    that is equal ignoring case; absent → None. Its second argument (the context) is unused."""
    lowered = name.lower()

    def read(obj: Mapping[str, Any], context: Any = None) -> Any:
        value = obj.get(name, _MISSING)
        if value is not _MISSING:
            return value
        for key in obj:
            if key.lower() == lowered:
                return obj[key]
        return None

    return read


# --- null tests ----------------------------------------------------------------------------


def is_null(value: Any) -> bool:
    """Null as IsNull() sees it: absent, or a multi-valued attribute without values."""
    return value is None or (type(value) is list and not value)


def is_null_or_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if type(value) is list:
        return all(item is None or item == "" for item in value)
    return False


# --- conversions ---------------------------------------------------------------------------


def format_datetime(value: datetime) -> str:
    """The service's DateTime text: `M/d/yyyy h:mm:ss tt`, invariant culture, in UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    hour = value.hour % 12 or 12
    half = "AM" if value.hour < 12 else "PM"
    return f"{value.month}/{value.day}/{value.year} {hour}:{value.minute:02d}:{value.second:02d} {half}"


def format_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def single(value: Any, what: str = "the value") -> str | None:
    """The one string a value stands for. A multi-valued value may hold at most one value."""
    kind = type(value)
    if kind is str or value is None:
        text: str | None = value  # mypy cannot narrow `value` through `kind`; type() is the fast test here
        return text
    if kind is bool:
        return "True" if value else "False"
    if kind is int or kind is float:
        return format_number(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if kind is list:
        if not value:
            return None
        if len(value) == 1:
            return single(value[0], what)
        raise ValueError(f"{what} is multi-valued ({len(value)} values); expected a single value")
    raise TypeError(f"{what} has an unexpected type {kind.__name__}")


def to_output(value: Any) -> str | list[str] | None:
    """What evaluate() hands to the engine."""
    if type(value) is list:
        return [single(item) for item in value if item is not None]  # type: ignore[misc]
    return single(value)


def to_values(value: Any) -> list[str]:
    """A value as the list of strings it holds (null → no values)."""
    if value is None:
        return []
    if type(value) is list:
        return [text for item in value if (text := single(item)) is not None]
    return [single(value)]  # type: ignore[list-item]


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_HEX = re.compile(r"\s*&[hH]([0-9A-Fa-f]+)\s*")
_DECIMAL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*")


def as_int(value: Any, what: str) -> int:
    """A whole number: digits with an optional sign, or a VB hex literal like &HF7."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    text = single(value, what)
    if text is None:
        raise ValueError(f"{what} is null; expected a whole number")
    if _INTEGER.fullmatch(text):
        return int(text)
    hex_match = _HEX.fullmatch(text)
    if hex_match:
        return int(hex_match.group(1), 16)
    raise ValueError(f"{what} {text!r} is not a whole number")


def as_number(value: Any) -> int | float | None:
    """A number if the value reads as one (integer, decimal or VB hex), else None."""
    kind = type(value)
    if kind is int or kind is float:
        number: int | float = value  # narrowed by the test above, which mypy cannot follow through `kind`
        return number
    if kind is not str:
        return None
    if _INTEGER.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value):
        return float(value)
    hex_match = _HEX.fullmatch(value)
    if hex_match:
        return int(hex_match.group(1), 16)
    return None


def as_bool(value: Any, what: str) -> bool:
    """VB's CBool: True/False in any case, or a number (non-zero is True); null and "" are False."""
    if type(value) is bool:
        return value
    if is_null_or_empty(value):
        return False
    text = single(value, what)
    assert text is not None
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    number = as_number(text)
    if number is None:
        raise ValueError(f"{what} {text!r} is neither True/False nor a number")
    return number != 0
