"""Scoping filters (Graph `filter`): clauses AND-ed inside a group, groups OR-ed.

Rules (spec/provisioning-behaviour.md §4.2): every clause is false when the attribute is null or
empty, except IS NULL; string operators are case-sensitive and ordinal; a multi-valued attribute
passes only if every value passes (multivaluedComparisonType All); clause values are converted once
(regexes compiled, numbers parsed) when the scope is compiled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import (
    AttributeType,
    Filter,
    FilterClause,
    FilterGroup,
    FilterOperatorSchema,
    ScopeOperatorMultiValuedComparisonType,
    ScopeOperatorType,
)
from .dotnet_regex import compile_pattern
from .errors import ExpressionError, RegexTimeout
from .timed_regex import TimedPattern
from .values import attribute_reader, single

_NON_NEGATIVE_INTEGER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Operator:
    """A scoping filter operator: the attribute types it applies to and its test of a value against the clause's."""

    name: str
    arity: ScopeOperatorType
    supported_types: tuple[AttributeType, ...]
    test: Callable[[str, Any], bool]
    """Applied to one non-empty attribute value and the prepared clause value."""
    prepare: Callable[[str], Any] = str
    """Turns the clause's value into what `test` needs; raises ValueError if the value is unusable."""
    on_null: bool = False
    """The clause result for a null or empty attribute."""


def _integer_operand(text: str) -> int:
    if not _NON_NEGATIVE_INTEGER.fullmatch(text.strip()):
        raise ValueError(f"{text!r} is not a whole number 0, 1, 2, …")
    return int(text)


def _integer_test(compare: Callable[[int, int], bool]) -> Callable[[str, int], bool]:
    # both sides must be non-negative integers; an attribute that isn't one never passes
    return lambda value, operand: bool(_NON_NEGATIVE_INTEGER.fullmatch(value)) and compare(int(value), operand)


def _regex_operand(text: str) -> TimedPattern:
    return compile_pattern(text)


_TEXT = (AttributeType.String,)
_COMPARABLE = (AttributeType.Integer, AttributeType.String)
_ANY = (AttributeType.Integer, AttributeType.String, AttributeType.Binary, AttributeType.Boolean)
_UNARY, _BINARY = ScopeOperatorType.Unary, ScopeOperatorType.Binary

OPERATORS: tuple[Operator, ...] = (
    # Graph's filterOperators
    Operator("EQUALS", _BINARY, _COMPARABLE, lambda value, operand: value == operand),
    Operator("NOT EQUALS", _BINARY, _COMPARABLE, lambda value, operand: value != operand),
    Operator("REGEX MATCH", _BINARY, _COMPARABLE, lambda value, regex: regex.search(value) is not None, _regex_operand),
    Operator("NOT REGEX MATCH", _BINARY, _COMPARABLE, lambda value, regex: regex.search(value) is None, _regex_operand),
    Operator("IS TRUE", _UNARY, (AttributeType.Boolean,), lambda value, _: value.lower() == "true"),
    Operator("IS FALSE", _UNARY, (AttributeType.Boolean,), lambda value, _: value.lower() == "false"),
    Operator("IS NULL", _UNARY, _ANY, lambda value, _: False, on_null=True),
    Operator("IS NOT NULL", _UNARY, _ANY, lambda value, _: True),
    # the portal's additional operators
    # `&`: the docs say true "if the evaluated attribute exists in the input string value", i.e. the
    # attribute's value occurs inside the clause value ("Sales" & "Sales;Marketing"). We take that
    # literally: it is the mirror of Includes (clause value inside the attribute), not a bitwise AND.
    Operator("&", _BINARY, _TEXT, lambda value, operand: value in operand),
    Operator("!&", _BINARY, _TEXT, lambda value, operand: value not in operand),
    Operator("ENDS_WITH", _BINARY, _TEXT, lambda value, operand: value.endswith(operand)),
    Operator("Includes", _BINARY, _TEXT, lambda value, operand: operand in value),
    Operator("Greater_Than", _BINARY, (AttributeType.Integer,), _integer_test(lambda a, b: a > b), _integer_operand),
    Operator(
        "Greater_Than_OR_EQUALS",
        _BINARY,
        (AttributeType.Integer,),
        _integer_test(lambda a, b: a >= b),
        _integer_operand,
    ),
)


def _operator_key(name: str) -> str:
    # Graph writes "REGEX MATCH", the portal "ENDS_WITH" and "Greater_Than": spaces, underscores
    # and case are not significant, so "ends with" or "NOT_EQUALS" find their operator too.
    return " ".join(name.replace("_", " ").upper().split())


_BY_KEY = {_operator_key(operator.name): operator for operator in OPERATORS}


def find_operator(name: str) -> Operator | None:
    return _BY_KEY.get(_operator_key(name or ""))


def filter_operators() -> list[FilterOperatorSchema]:
    """Graph's `schema/filterOperators`, from the operators scoping evaluates."""
    return [
        FilterOperatorSchema(
            name=operator.name,
            arity=operator.arity,
            multivalued_comparison_type=ScopeOperatorMultiValuedComparisonType.All,
            supported_attribute_types=list(operator.supported_types),
        )
        for operator in OPERATORS
    ]


# --- validation ----------------------------------------------------------------------------


def clause_text(clause: FilterClause) -> str:
    """`department EQUALS Sales`, as provision-on-demand shows a clause."""
    values = clause.target_operand.values if clause.target_operand else []
    return " ".join([clause.source_operand_name, clause.operator_name, *values])


def _clause_problem(clause: FilterClause) -> str | None:
    operator = find_operator(clause.operator_name)
    if operator is None:
        known = ", ".join(operator.name for operator in OPERATORS)
        return f"unknown operator {clause.operator_name!r} (operators: {known})"
    if not clause.source_operand_name:
        return "the clause names no source attribute"
    values = clause.target_operand.values if clause.target_operand else []
    if operator.arity is _UNARY and values:
        return f"{operator.name} takes no value, but {len(values)} {'is' if len(values) == 1 else 'are'} given"
    if operator.arity is _BINARY and len(values) != 1:
        return f"{operator.name} takes exactly one value, but {len(values)} {'is' if len(values) == 1 else 'are'} given"
    if values:
        try:
            operator.prepare(values[0])
        except ValueError as error:
            return f"{operator.name} cannot use the value: {error}"
    return None


def _group_kinds(scope: Filter) -> tuple[tuple[str, list[FilterGroup]], ...]:
    return (
        ("groups", scope.groups),
        ("inputFilterGroups", scope.input_filter_groups),
        ("categoryFilterGroups", scope.category_filter_groups),
    )


def validate_scope(scope: Filter) -> list[str]:
    """Problems in a scoping filter, each naming its group and clause; [] when it is usable."""
    problems = []
    for kind, groups in _group_kinds(scope):
        for group_number, group in enumerate(groups, 1):
            for clause_number, clause in enumerate(group.clauses, 1):
                problem = _clause_problem(clause)
                if problem:
                    where = f"{kind}[{group_number}] {group.name or 'unnamed group'!r} clause {clause_number}"
                    problems.append(f"{where} ({clause_text(clause)}): {problem}")
    return problems


# --- evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseOutcome:
    """One clause evaluated for one object, for provision-on-demand's scoping step."""

    group: str
    clause: str
    result: bool


class _CompiledClause:
    __slots__ = ("attribute", "read", "operator", "operand", "text")

    def __init__(self, clause: FilterClause) -> None:
        self.attribute = clause.source_operand_name
        self.read = attribute_reader(self.attribute)
        self.operator = find_operator(clause.operator_name)
        values = clause.target_operand.values if clause.target_operand else []
        self.operand = self.operator.prepare(values[0]) if values else None  # type: ignore[union-attr]
        self.text = clause_text(clause)

    def passes(self, obj: Mapping[str, Any]) -> bool:
        value = self.read(obj)
        if type(value) is list:
            values = [item for item in value if item is not None]
            if not values:
                return self.operator.on_null  # type: ignore[union-attr]
            return all(self._passes_one(item) for item in values)  # multivaluedComparisonType All
        return self._passes_one(value)

    def _passes_one(self, value: Any) -> bool:
        text = value if type(value) is str else single(value)
        if not text:
            return self.operator.on_null  # type: ignore[union-attr]
        try:
            return self.operator.test(text, self.operand)  # type: ignore[union-attr]
        except RegexTimeout as timeout:
            # the object's error, not a verdict on its scope
            raise timeout.within(f"scoping filter clause {self.text!r}") from None


class _CompiledGroup:
    __slots__ = ("name", "clauses")

    def __init__(self, group: FilterGroup) -> None:
        self.name = group.name or ""
        self.clauses = [_CompiledClause(clause) for clause in group.clauses]

    def passes(self, obj: Mapping[str, Any]) -> bool:
        return all(clause.passes(obj) for clause in self.clauses)


def _any_group(groups: Sequence[_CompiledGroup], obj: Mapping[str, Any]) -> bool:
    return not groups or any(group.passes(obj) for group in groups)


class CompiledScope:
    """A scoping filter ready to test objects; build it with compile_scope()."""

    __slots__ = ("attributes", "_groups", "_input_groups", "_category_groups")

    def __init__(self, scope: Filter | None) -> None:
        scope = scope or Filter()
        self._groups = [_CompiledGroup(group) for group in scope.groups]
        self._input_groups = [_CompiledGroup(group) for group in scope.input_filter_groups]
        self._category_groups = [_CompiledGroup(group) for group in scope.category_filter_groups]
        self.attributes = frozenset(
            clause.attribute
            for groups in (self._groups, self._input_groups, self._category_groups)
            for group in groups
            for clause in group.clauses
        )

    def in_scope(self, obj: Mapping[str, Any]) -> bool:
        """The scoping filter proper (`groups`): no groups, or any group whose clauses all pass."""
        return _any_group(self._groups, obj)

    def passes_input(self, obj: Mapping[str, Any]) -> bool:
        """`inputFilterGroups`: objects failing it are not read at all (and never deprovisioned)."""
        return _any_group(self._input_groups, obj)

    def passes_category(self, obj: Mapping[str, Any]) -> bool:
        """`categoryFilterGroups`: whether the object belongs to this object mapping."""
        return _any_group(self._category_groups, obj)

    def explain(self, obj: Mapping[str, Any]) -> list[ClauseOutcome]:
        """Every clause of `groups` with its result (none skipped), in order."""
        return [
            ClauseOutcome(group.name, clause.text, clause.passes(obj))
            for group in self._groups
            for clause in group.clauses
        ]


def compile_scope(scope: Filter | None) -> CompiledScope:
    """Compile a scoping filter (None = everything in scope); ExpressionError listing its problems."""
    if scope is not None:
        problems = validate_scope(scope)
        if problems:
            raise ExpressionError("invalid scoping filter: " + "; ".join(problems))
    return CompiledScope(scope)
