"""Values between directories and expressions: strings in, typed values out, compared the Entra way."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import orjson

from ..models import AttributeDefinition, AttributeType

ExpressionValue = str | list[str] | None

_ABSENT = object()


def to_expression_value(value: Any) -> ExpressionValue:
    """Directory values as the expression language sees them: booleans are "True"/"False"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        if all(type(item) is str for item in value):
            return list(value)  # the usual case (group members, addresses), without a call per item
        return [item for item in (to_expression_value(v) for v in value) if isinstance(item, str)]
    if isinstance(value, (dict, tuple)):
        return orjson.dumps(value).decode()
    return str(value)


def expression_input(obj: Mapping[str, Any], attributes: Iterable[str]) -> dict[str, ExpressionValue]:
    # Most values are strings already: they skip the call.
    return {
        name: value if type(value) is str else to_expression_value(value)
        for name in attributes
        if (value := obj.get(name, _ABSENT)) is not _ABSENT
    }


def to_target_value(value: ExpressionValue, definition: AttributeDefinition | None) -> Any:
    """Coerce an expression result to the target attribute's type (Boolean "True" → True)."""
    return None if value is None else target_converter(definition)(value)


def target_converter(definition: AttributeDefinition | None) -> Callable[[str | list[str]], Any]:
    """`to_target_value` for the values of one attribute, decided once (a cycle converts millions)."""
    if definition is None:
        return _unchanged
    kind = definition.type
    if definition.multivalued:
        return lambda value: [_scalar(item, kind) for item in (value if isinstance(value, list) else [value])]
    if kind in (AttributeType.Boolean, AttributeType.Integer):
        return lambda value: None if (first := _first(value)) is None else _scalar(first, kind)
    return _first


def keeps_text(definition: AttributeDefinition | None) -> bool:
    """Whether `target_converter(definition)` gives a string back as it is."""
    return target_converter(definition) in (_first, _unchanged)


def _unchanged(value: Any) -> Any:
    return value


def _first(value: str | list[str]) -> str | None:
    """A single-valued attribute takes the first of several values."""
    if type(value) is str:
        return value
    return value[0] if value else None


def _scalar(value: str, kind: AttributeType) -> Any:
    if kind == AttributeType.Boolean:
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no", ""):
            return False
        raise ValueError(f"{value!r} is not a Boolean (expected True or False)")
    if kind == AttributeType.Integer:
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an Integer") from None
    return value


def same_value(current: Any, wanted: Any, *, case_exact: bool) -> bool:
    """Whether the target already holds `wanted` (case-insensitive unless the attribute is caseExact)."""
    if isinstance(current, list) or isinstance(wanted, list):
        current_items = current if isinstance(current, list) else ([] if current is None else [current])
        wanted_items = wanted if isinstance(wanted, list) else [wanted]
        return sorted(_norm(v, case_exact) for v in current_items) == sorted(_norm(v, case_exact) for v in wanted_items)
    return _norm(current, case_exact) == _norm(wanted, case_exact)


def _norm(value: Any, case_exact: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None else str(value)
    return text if case_exact else text.casefold()


def fingerprint(obj: Mapping[str, Any], attributes: tuple[str, ...]) -> str:
    """A stable hash of what a mapping reads from an object: unchanged hash, nothing to do. Each
    attribute is read as expressions read it: by its name, else by the first key equal to it
    ignoring case (a source spelling `Department` flows into `[department]`, and so must its change)."""
    values = list(map(obj.get, attributes))
    if None in values:  # (only then can a name be missing: most objects hold every attribute read)
        for index, key in _read_under_other_case(tuple(obj), attributes):
            values[index] = obj[key]
    hashed = _FINGERPRINT.copy()  # cheaper than making a hash with its digest size each time
    hashed.update(orjson.dumps(values))
    return hashed.hexdigest()


@lru_cache(maxsize=1024)  # (per shape of object: a directory's objects have few)
def _read_under_other_case(keys: tuple[str, ...], attributes: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """For each attribute that `keys` lack by its name, the index and the first key equal to it ignoring case."""
    present = set(keys)
    lacking = {name.lower(): index for index, name in enumerate(attributes) if name not in present}
    found: dict[int, str] = {}
    for key in keys:
        index = lacking.get(key.lower())
        if index is not None and index not in found:
            found[index] = key
    return tuple(found.items())


_FINGERPRINT = hashlib.blake2b(digest_size=10)
"""Nothing hashed yet: `fingerprint` copies it."""

FINGERPRINTS_MADE = fingerprint({"id": "x", "On": True, "n": 1.5}, ("id", "on", "n", "none"))
"""Changes if the way fingerprints are made does: what was noted of fingerprints made otherwise
(the digests note, a quiet cycle's mark) is not used."""


def is_truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return str(value).strip().lower() in ("true", "1", "yes", "active")


def display_value(value: Any) -> str | None:
    """A value as provisioning logs show it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def display_name(obj: Mapping[str, Any]) -> str | None:
    for name in ("displayName", "userPrincipalName", "userName", "DisplayName", "EmployeeId"):
        value = obj.get(name)
        if value:
            return str(value)
    return str(obj.get("id")) if obj.get("id") is not None else None
