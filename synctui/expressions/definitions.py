"""How a function is described once and used everywhere: parser, renderer, compiler and catalogue.

A FunctionDefinition holds the Graph parameter list (names, types, optional/repeating), the rules
for mapping positional arguments to those names, an optional extra check, and how to build the
evaluator. `bind_positional` (text → named) and `positional_slots` (named → text) are the two
directions of the same mapping, so parse and to_text cannot disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..models import AttributeMappingSource, AttributeType
from .context import EvaluationContext
from .errors import ExpressionEvaluationError

Evaluator = Callable[[Mapping[str, Any], EvaluationContext], Any]
"""A compiled node: reads the object (and context) and returns a runtime value (see values.py)."""

Pairs = Sequence[tuple[str, AttributeMappingSource]]
"""A call's arguments as (parameter name, value) — the `parameters` of a Graph Function node."""

Grouped = dict[str, list[AttributeMappingSource]]
"""A call's arguments by parameter name (a repeating parameter has several values)."""


class Kind(enum.Enum):
    FUNCTION = "function"  # Name(arg, …): listed in the function catalogue
    KEYWORD = "keyword"  # a bare word that is a value (IgnoreAttributeFlow); written without ()
    OPERATOR = "operator"  # a comparison written infix: left = right


@dataclass(frozen=True)
class Parameter:
    """One parameter of an expression function, as Graph's function definitions list it."""

    name: str
    type: AttributeType = AttributeType.String
    required: bool = True
    repeating: bool = False
    minimum: int = 1  # for a repeating parameter: how many values at least


class SignatureError(Exception):
    """Arguments that don't fit a function's parameters. `slot` is the 0-based argument to blame,
    or None when the call as a whole is at fault."""

    def __init__(self, message: str, slot: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.slot = slot


@dataclass
class Arguments:
    """The compiled arguments of one call, by parameter name."""

    single: dict[str, Evaluator]
    repeated: list[Evaluator]
    sources: Grouped  # the tree nodes, for compile-time inspection

    def get(self, name: str) -> Evaluator | None:
        return self.single.get(name)

    def __getitem__(self, name: str) -> Evaluator:
        return self.single[name]


Builder = Callable[[Arguments], Evaluator]
Check = Callable[[Grouped], str | None]
Implementation = TypeVar("Implementation", bound=Callable[..., Any])
"""A function's Python implementation, registered unchanged by `Registry.function`."""


@dataclass(frozen=True)
class FunctionDefinition:
    """An expression function: its parameters and how a call of it is built into an evaluator."""

    name: str
    parameters: tuple[Parameter, ...]
    build: Builder
    kind: Kind = Kind.FUNCTION
    layouts: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Other positional layouts by number of arguments written, e.g. the legacy 3-argument FormatDateTime."""
    check: Check | None = None
    """Extra rules over the bound arguments (Switch pairs, Replace modes); returns a problem or None."""
    top_level_only: bool = False
    marks_redacted: bool = False

    @property
    def fixed(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if not p.repeating)

    @property
    def repeating(self) -> Parameter | None:
        return next((p for p in self.parameters if p.repeating), None)

    def parameter(self, key: str) -> Parameter | None:
        for parameter in self.parameters:
            if parameter.name == key:
                return parameter
        lowered = key.lower()
        return next((p for p in self.parameters if p.name.lower() == lowered), None)


# --- positional ⇄ named --------------------------------------------------------------------

Slot = AttributeMappingSource | None  # None = an empty argument (nothing between the commas)


def bind_positional(definition: FunctionDefinition, slots: Sequence[Slot]) -> list[tuple[str, AttributeMappingSource]]:
    """Name the written arguments: the (key, value) pairs of the Graph tree, in parameter order."""
    layout = definition.layouts.get(len(slots))
    names = list(layout) if layout else [p.name for p in definition.fixed]
    repeating = definition.repeating
    last_written = max((index for index, slot in enumerate(slots) if slot is not None), default=-1)
    pairs: list[tuple[str, AttributeMappingSource]] = []
    for index, slot in enumerate(slots):
        if index < len(names):
            name = names[index]
            if slot is not None:
                pairs.append((name, slot))
            elif index < last_written and definition.parameter(name).required:  # type: ignore[union-attr]
                raise SignatureError(f"{definition.name}: required argument {name} is empty", index)
            continue
        if repeating is None:
            if index > last_written:
                continue  # trailing empty arguments carry nothing
            maximum = len(names)
            plural = "s" if maximum != 1 else ""
            raise SignatureError(f"{definition.name} takes at most {maximum} argument{plural}", index)
        if slot is None:
            if index > last_written:
                continue
            raise SignatureError(f"{definition.name}: an argument for {repeating.name} cannot be empty", index)
        pairs.append((repeating.name, slot))
    problem = check_named(definition, [key for key, _ in pairs])
    if problem is None and definition.check is not None:
        problem = definition.check(group_by_key(definition, pairs))
    if problem is not None:
        raise SignatureError(problem)
    order = {p.name: position for position, p in enumerate(definition.parameters)}
    pairs.sort(key=lambda pair: order[pair[0]])  # stable: repeated values keep their order
    return pairs


def check_named(definition: FunctionDefinition, keys: Sequence[str]) -> str | None:
    """The first problem with a call's parameter keys (unknown, repeated, missing), or None."""
    counts: dict[str, int] = {}
    for key in keys:
        parameter = definition.parameter(key)
        if parameter is None:
            known = ", ".join(p.name for p in definition.parameters) or "none"
            return f"{definition.name} has no parameter {key!r} (parameters: {known})"
        counts[parameter.name] = counts.get(parameter.name, 0) + 1
        if counts[parameter.name] > 1 and not parameter.repeating:
            return f"{definition.name}: parameter {parameter.name} is given more than once"
    for parameter in definition.parameters:
        count = counts.get(parameter.name, 0)
        if parameter.repeating and parameter.required and count < parameter.minimum:
            needed = parameter.minimum
            return (
                f"{definition.name} needs at least {needed} {parameter.name} argument{'s' if needed > 1 else ''}, "
                f"got {count}"
            )
        if not parameter.repeating and parameter.required and count == 0:
            return f"{definition.name}: missing required argument {parameter.name}"
    return None


def group_by_key(definition: FunctionDefinition, pairs: Pairs) -> Grouped:
    """The values of each parameter, under the parameter's canonical name."""
    grouped: Grouped = {}
    for key, value in pairs:
        parameter = definition.parameter(key)
        grouped.setdefault(parameter.name if parameter else key, []).append(value)
    return grouped


def positional_slots(definition: FunctionDefinition, grouped: Grouped) -> list[Slot]:
    """The canonical argument list: every fixed parameter has a slot (empty when omitted), then the
    repeated values. This is why Graph writes Replace([x], "-", , , "_", , ) with all seven slots."""
    slots: list[Slot] = [grouped[p.name][0] if p.name in grouped else None for p in definition.fixed]
    repeating = definition.repeating
    if repeating is not None:
        slots.extend(grouped.get(repeating.name, []))
    return slots


# --- building evaluators for plain functions -----------------------------------------------

_CONVERTED_ERRORS = (ValueError, TypeError, ArithmeticError, LookupError)


def evaluation_error(function: str, error: Exception) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(f"{function}: {error}")


def _null(obj: Mapping[str, Any], context: EvaluationContext) -> None:
    return None


def eager(
    name: str,
    parameters: Sequence[Parameter],
    implementation: Callable[..., Any],
    *,
    per_value: str | None,
    with_context: bool,
) -> Builder:
    """A builder for a function that needs all its arguments evaluated, in parameter order.

    Omitted optional parameters arrive as None; a repeating parameter arrives as a list.
    `per_value` names the parameter that, when multi-valued, makes the function apply to each value.
    `with_context` passes the EvaluationContext as the first argument.
    """
    spread = next((i for i, p in enumerate(parameters) if p.name == per_value), None)

    def build(arguments: Arguments) -> Evaluator:
        repeated = arguments.repeated
        readers: list[Evaluator] = [
            (lambda obj, context: [read(obj, context) for read in repeated])
            if parameter.repeating
            else arguments.get(parameter.name) or _null
            for parameter in parameters
        ]

        def call(values: list[Any], context: EvaluationContext) -> Any:
            positional = [context, *values] if with_context else values
            try:
                if spread is not None and type(values[spread]) is list:
                    items, position = values[spread], spread + 1 if with_context else spread
                    results = []
                    for item in items:
                        positional[position] = item
                        results.append(implementation(*positional))
                    return results
                return implementation(*positional)
            except _CONVERTED_ERRORS as error:
                raise evaluation_error(name, error) from None

        if len(readers) == 1 and spread is None and not with_context:
            (only,) = readers

            def evaluate_one(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
                value = only(obj, context)
                try:
                    return implementation(value)
                except _CONVERTED_ERRORS as error:
                    raise evaluation_error(name, error) from None

            return evaluate_one

        def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
            return call([read(obj, context) for read in readers], context)

        return evaluate

    return build


class Registry:
    """The definition table: functions register themselves with the decorators below."""

    def __init__(self) -> None:
        self._by_name: dict[str, FunctionDefinition] = {}
        self._by_lower: dict[str, FunctionDefinition] = {}

    def add(self, definition: FunctionDefinition) -> FunctionDefinition:
        if definition.name.lower() in self._by_lower:
            raise ValueError(f"{definition.name} is defined twice")
        self._by_name[definition.name] = definition
        self._by_lower[definition.name.lower()] = definition
        return definition

    def function(
        self,
        name: str,
        *parameters: Parameter,
        per_value: str | None = None,
        with_context: bool = False,
        **options: Any,
    ) -> Callable[[Implementation], Implementation]:
        """Register a function whose arguments are all evaluated first (see `eager`)."""

        def register(implementation: Implementation) -> Implementation:
            build = eager(name, parameters, implementation, per_value=per_value, with_context=with_context)
            self.add(FunctionDefinition(name, tuple(parameters), build, **options))
            return implementation

        return register

    def special(self, name: str, *parameters: Parameter, **options: Any) -> Callable[[Builder], Builder]:
        """Register a function that builds its own evaluator (lazy arguments, modes, context)."""

        def register(build: Builder) -> Builder:
            self.add(FunctionDefinition(name, tuple(parameters), build, **options))
            return build

        return register

    def find(self, name: str) -> FunctionDefinition | None:
        """Exact name first; the documented syntax is case-sensitive, but one doc page writes switch(
        — so a different case still finds the function, and the canonical spelling is written back."""
        return self._by_name.get(name) or self._by_lower.get(name.lower())

    def __iter__(self) -> Iterator[FunctionDefinition]:
        return iter(self._by_name.values())
