"""The Graph tree (attributeMappingSource) and its canonical text.

Canonical text, which is also each node's `expression`:
* Attribute `[name]`; Constant `"value"` with `\\` and `"` escaped by a backslash.
* Function `Name(a, b, , d)`: every fixed parameter has a slot, omitted ones are empty, then the
  values of a repeating parameter (`Replace([x], "-", , , "_", , )`, `Join(" ", [a], [b])`).
* As an argument, a constant that is a whole number, a VB hex literal or vbTextCompare/vbBinaryCompare
  is written bare (`Mid([userPrincipalName], 1, 8)`, as Graph writes it); standing alone it is quoted.
* Keyword: the bare word (`IgnoreAttributeFlow`).
* Comparison: a Function node named by its operator with parameters `left` and `right`, written
  `left = right`; a comparison used directly as an operand of another is put in parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import AttributeMappingSource, AttributeMappingSourceType, StringKeyAttributeMappingSourceValuePair
from .definitions import FunctionDefinition, Grouped, Kind, Pairs, check_named, group_by_key, positional_slots
from .errors import ExpressionSyntaxError
from .functions import REGISTRY

MAX_LENGTH = 10_000
MAX_DEPTH = 64
"""Nesting limit, far above any real mapping; it keeps parsing and compiling clear of Python's recursion limit,
and a tree this deep still fits orjson's limit of 255 nested levels (each level of a tree nests three in
JSON), which every stored schema and JSON output goes through."""

COMPARE_KEYWORDS = ("vbBinaryCompare", "vbTextCompare")
_BARE_CONSTANT = re.compile(r"-?[0-9]+|&[Hh][0-9A-Fa-f]+|" + "|".join(COMPARE_KEYWORDS))


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attribute_node(name: str) -> AttributeMappingSource:
    return AttributeMappingSource(
        type=AttributeMappingSourceType.Attribute, name=name, expression=f"[{name}]", parameters=[]
    )


def constant_node(value: str) -> AttributeMappingSource:
    return AttributeMappingSource(
        type=AttributeMappingSourceType.Constant, name=value, expression=quote(value), parameters=[]
    )


def function_node(definition: FunctionDefinition, pairs: Pairs) -> AttributeMappingSource:
    """A Function node whose children are already canonical (their `expression` is trusted)."""
    text = _function_text(definition, group_by_key(definition, pairs), lambda node: node.expression or "")
    parameters = [StringKeyAttributeMappingSourceValuePair(key=key, value=value) for key, value in pairs]
    return AttributeMappingSource(
        type=AttributeMappingSourceType.Function, name=definition.name, expression=text, parameters=parameters
    )


def _function_text(
    definition: FunctionDefinition, grouped: Grouped, text_of: Callable[[AttributeMappingSource], str]
) -> str:
    if definition.kind is Kind.KEYWORD:
        return definition.name
    if definition.kind is Kind.OPERATOR:
        left, right = grouped["left"][0], grouped["right"][0]
        return f"{_operand_text(left, text_of)} {definition.name} {_operand_text(right, text_of)}"
    slots = positional_slots(definition, grouped)
    arguments = ("" if slot is None else _argument_text(slot, text_of) for slot in slots)
    return definition.name + "(" + ", ".join(arguments) + ")"


def _argument_text(node: AttributeMappingSource, text_of: Callable[[AttributeMappingSource], str]) -> str:
    if node.type is AttributeMappingSourceType.Constant and _BARE_CONSTANT.fullmatch(node.name or ""):
        return node.name  # type: ignore[return-value]
    return text_of(node)


def _operand_text(node: AttributeMappingSource, text_of: Callable[[AttributeMappingSource], str]) -> str:
    text = _argument_text(node, text_of)
    return f"({text})" if is_comparison(node) else text


def is_comparison(node: AttributeMappingSource) -> bool:
    if node.type is not AttributeMappingSourceType.Function:
        return False
    definition = REGISTRY.find(node.name or "")
    return definition is not None and definition.kind is Kind.OPERATOR


def definition_of(node: AttributeMappingSource) -> FunctionDefinition:
    """The definition a Function node calls, its parameter keys checked; ExpressionSyntaxError if unusable."""
    definition = REGISTRY.find(node.name or "")
    if definition is None:
        raise ExpressionSyntaxError(f"unknown function {node.name!r}")
    keys = [pair.key for pair in node.parameters]
    problem = check_named(definition, keys)
    if problem is None and definition.check is not None:
        problem = definition.check(grouped_parameters(definition, node))
    if problem is not None:
        raise ExpressionSyntaxError(problem)
    return definition


def grouped_parameters(definition: FunctionDefinition, node: AttributeMappingSource) -> Grouped:
    return group_by_key(definition, [(pair.key, pair.value) for pair in node.parameters])


def to_text(source: AttributeMappingSource) -> str:
    """The canonical text of a tree; ExpressionSyntaxError if the tree cannot be written as text."""
    return _render(source, 0)


def _render(node: AttributeMappingSource, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise ExpressionSyntaxError(f"the expression is nested more than {MAX_DEPTH} levels deep")
    if node.type is AttributeMappingSourceType.Attribute:
        name = node.name or ""
        if not name.strip() or closing_bracket(f"[{name}]", 0) != len(name) + 1:
            raise ExpressionSyntaxError(f"attribute name {name!r} cannot be written in an expression")
        return f"[{name}]"
    if node.type is AttributeMappingSourceType.Constant:
        return quote(node.name or "")
    definition = definition_of(node)
    return _function_text(definition, grouped_parameters(definition, node), lambda child: _render(child, depth + 1))


def closing_bracket(text: str, start: int) -> int:
    """Where the attribute name opened at `start` ends. A SCIM name holds a filter in brackets of
    its own (`[emails[type eq "work"].value]`, a source attribute of API-driven inbound jobs), so
    brackets nest, and none inside a quoted value counts. -1 if it never closes."""
    depth, quoted = 0, False
    for index in range(start, len(text)):
        char = text[index]
        if char == '"' and depth > 1:
            quoted = not quoted
        elif quoted:
            continue
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
    return -1
