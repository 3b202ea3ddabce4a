"""The base of every Graph model: camelCase on the wire, exact round trips, Graph's scalar types.

Two rules make `Model.model_validate(graph_json).model_dump(mode="json")` give back the same
document:

* A model read from the wire remembers which properties the document had, and dumps only
  those (plus unknown properties, which are kept). A model built in Python with keyword
  arguments is complete: every property is dumped, as Graph returns it.
* Date-times and durations keep the text they were read from, so 7-digit fractions and
  .NET's `TimeSpan.MaxValue` survive; values computed in Python are written in Graph's form.

Reading is as lenient as Graph's own documents need (spec: graph-synchronization-api.md §5.3):
in Graph's metadata nearly every property is nullable, so the models require none — a name
missing from a document reads as "" and is not written back (what a job needs to run is checked
by the service's schema checks, schema_validation.py, which name what is missing); enum members
are matched without regard to case (`"string"` is `String`) and written in Graph's casing; an
empty string where an enum belongs (the docs' quarantine `"reason": ""`) reads as absent, and one
where a date-time belongs as null; unknown properties are kept.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from enum import Enum, Flag
from types import UnionType
from typing import Annotated, Any, Self, TypeVar, Union, cast, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, model_validator
from pydantic.alias_generators import to_camel

NEVER = datetime(1, 1, 1, tzinfo=UTC)
"""Graph's "never" for non-nullable date-times: `0001-01-01T00:00:00Z`."""


_reading_wire: ContextVar[bool] = ContextVar("_reading_wire", default=False)
"""True while a document is being validated: its models keep only the properties it had."""


class GraphModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="allow",
        use_enum_values=False,
        # Validators are built on a model's first use, not at import: a command uses a few of
        # the fifty models, and building them all would cost a third of a second at every start.
        defer_build=True,
    )

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        if not _reading_wire.get():
            # Built in Python: complete, like a resource Graph returns.
            self.__pydantic_fields_set__ = set(type(self).model_fields)

    @model_validator(mode="before")
    @classmethod
    def _blank_enums_are_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            names = _enum_keys(cls)
            if any(data.get(name) == "" for name in names):
                return {key: value for key, value in data.items() if not (key in names and value == "")}
        return data

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        token = _reading_wire.set(True)
        try:
            return super().model_validate(obj, **kwargs)
        finally:
            _reading_wire.reset(token)

    @classmethod
    def model_validate_json(cls, json_data: Any, **kwargs: Any) -> Self:
        token = _reading_wire.set(True)
        try:
            return super().model_validate_json(json_data, **kwargs)
        finally:
            _reading_wire.reset(token)

    @classmethod
    def of_own_values(cls, **values: Any) -> Self:
        """A model built in Python (complete, like one made with keyword arguments) of values that
        are already what its fields hold: enum members, not their names; models, not mappings.
        For synctui's own constants (the directory definitions its connectors describe themselves
        with): it skips validation, whose validators pydantic builds in each process on a model's
        first use, with a look-up of its plugins the first time (~20 ms of a `jobs provision`)."""
        model = cast(Self, cls.model_construct(**values))  # the pydantic plugin types it as GraphModel
        model.__pydantic_fields_set__ = set(cls.model_fields)
        return model

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("exclude_unset", True)
        return super().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("exclude_unset", True)
        return super().model_dump_json(**kwargs)

    def to_graph(self) -> dict[str, Any]:
        """Graph JSON of this resource, as plain Python data."""
        return self.model_dump(mode="json")


_ENUM_KEYS: dict[type[GraphModel], frozenset[str]] = {}


def _enum_keys(model: type[GraphModel]) -> frozenset[str]:
    """The keys (wire names and Python names) of a model's fields that hold a Graph enum."""
    keys = _ENUM_KEYS.get(model)
    if keys is None:
        keys = frozenset(
            key
            for name, field in model.model_fields.items()
            if _holds_enum(field.annotation)
            for key in (name, field.alias or name)
        )
        _ENUM_KEYS[model] = keys
    return keys


def _holds_enum(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, GraphEnum)
    return get_origin(annotation) in (Union, UnionType) and any(_holds_enum(arg) for arg in get_args(annotation))


M = TypeVar("M", bound=GraphModel)


def complete(model: M) -> M:
    """Mark every property of `model` (recursively) as present, so it dumps as Graph returns it."""
    model.__pydantic_fields_set__ = set(type(model).model_fields)
    for name in type(model).model_fields:
        _complete_value(getattr(model, name))
    return model


def _complete_value(value: Any) -> None:
    if isinstance(value, GraphModel):
        complete(value)
    elif isinstance(value, list):
        for item in value:
            _complete_value(item)


# --- date-times ---------------------------------------------------------------------------


class _WireDateTime(datetime):
    """A datetime that remembers the exact text it was read from."""

    text: str


def format_datetime(value: datetime) -> str:
    """Graph's form: UTC, `Z`, up to 7 fractional digits (none when whole seconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.year < 1000:
        text = f"{value.year:04d}" + text[text.index("-") :]
    if value.microsecond:
        text += f".{value.microsecond:06d}0"
    return text + "Z"


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time as Graph writes it (7 fractional digits allowed)."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?", text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    base, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    parsed = datetime.fromisoformat(base).replace(microsecond=micro)
    if zone in (None, "Z"):
        return parsed.replace(tzinfo=UTC)
    return datetime.fromisoformat(base + zone).replace(microsecond=micro)


def _validate_datetime(value: Any) -> Any:
    if value == "":
        return None  # Graph's docs show "" for unset dates; datetime would reject it
    if isinstance(value, str):
        parsed = parse_datetime(value)
        wire = _WireDateTime(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=parsed.tzinfo,
        )
        wire.text = value
        return wire
    return value


def _serialize_datetime(value: datetime) -> str:
    return getattr(value, "text", None) or format_datetime(value)


GraphDateTime = Annotated[
    datetime,
    BeforeValidator(_validate_datetime),
    PlainSerializer(_serialize_datetime, when_used="json"),
]


NullableGraphDateTime = Annotated[
    datetime | None,
    BeforeValidator(_validate_datetime),
    PlainSerializer(lambda value: None if value is None else _serialize_datetime(value), when_used="json"),
]
"""A nullable date-time; Graph's docs also show "" for it, read as null."""


# --- durations ----------------------------------------------------------------------------

_DURATION = re.compile(
    r"P(?!$)(?:(?P<days>\d+)D)?(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


class _WireDuration(timedelta):
    text: str


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration in days, hours, minutes and seconds (`PT40M`, `P1DT2H`, `PT1S`)."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 duration; use a form like PT40M, PT1H30M, PT10S or P1D")
    parts = {name: float(value) for name, value in match.groupdict().items() if value}
    try:
        return timedelta(**parts)
    except OverflowError:
        raise ValueError(f"{text!r} is too long a duration") from None


def format_duration(value: timedelta) -> str:
    total = value.total_seconds()
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "P" + (f"{int(days)}D" if days else "")
    clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    if seconds:
        clock += (f"{seconds:.7f}".rstrip("0").rstrip(".") if seconds % 1 else f"{int(seconds)}") + "S"
    if clock or text == "P":
        text += "T" + (clock or "0S")
    return text


def _validate_duration(value: Any) -> Any:
    if isinstance(value, str):
        parsed = parse_duration(value)
        wire = _WireDuration(seconds=parsed.total_seconds())
        wire.text = value
        return wire
    return value


GraphDuration = Annotated[
    timedelta,
    BeforeValidator(_validate_duration),
    PlainSerializer(lambda value: getattr(value, "text", None) or format_duration(value), when_used="json"),
]


# --- flags enums --------------------------------------------------------------------------

F = TypeVar("F", bound=Flag)


def parse_flags(text: str | None, flag_type: type[F]) -> F:
    """`"Add, Update, Delete"` → `ObjectFlowTypes.Add | Update | Delete` (names in any case);
    raises ValueError on unknown names."""
    result = flag_type(0)
    by_name = {name.lower(): member for name, member in flag_type.__members__.items()}
    for part in (text or "").split(","):
        name = part.strip()
        if not name:
            continue
        try:
            result |= by_name[name.lower()]
        except KeyError:
            # Every name, composites too (a restart scope's Full); not the zero member's.
            allowed = ", ".join(name for name, member in flag_type.__members__.items() if member.value and name)
            raise ValueError(f"unknown {flag_type.__name__} value {name!r}; expected some of: {allowed}") from None
    return result


def format_flags(value: Flag) -> str:
    """Members in declaration order, comma+space joined; `None` for zero."""
    names = [
        m.name for m in type(value) if m.name is not None and m.value and m.value & (m.value - 1) == 0 and m in value
    ]
    return ", ".join(names) or "None"


def flags_type(flag_type: type[Flag]) -> Any:
    """A `str` field holding a flags enum: validated, and kept as the wire's own text when its
    names are in Graph's casing (else written in Graph's form)."""

    def validate(value: Any) -> Any:
        if isinstance(value, Flag):
            return format_flags(value)
        if isinstance(value, str):
            parsed = parse_flags(value, flag_type)
            names = [part.strip() for part in value.split(",") if part.strip()]
            if any(name not in flag_type.__members__ for name in names):
                return format_flags(parsed)
        return value

    return Annotated[str, BeforeValidator(validate)]


class GraphEnum(str, Enum):
    """A Graph enum: PascalCase strings on the wire, matched without regard to case on input."""

    _value_: str

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
        return None
