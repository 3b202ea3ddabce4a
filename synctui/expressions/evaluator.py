"""Tree → evaluator, once; evaluator × object → value, many times.

compile_source walks the Graph tree a single time and turns every node into a closure; evaluating
an object then only calls closures (no text, no tree, no look-ups by function name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import AttributeMappingSource, AttributeMappingSourceType
from .context import DEFAULT_CONTEXT, EvaluationContext
from .definitions import Arguments, Evaluator
from .errors import ExpressionSyntaxError
from .syntax import MAX_DEPTH, definition_of, grouped_parameters
from .tree import attribute_names
from .values import FlowSentinel, FlowSignal, attribute_reader, to_output

Result = str | list[str] | None | FlowSentinel


class CompiledExpression:
    """An attribute mapping source ready to evaluate.

    attributes  the source attribute names the expression reads (as written in it)
    redacted    the expression uses Redact(): logs must show "[Redact]" instead of the value
    attribute   the name, when the expression is that attribute alone (`[department]`, most
                mappings): the object's string under that exact name is the value, which a
                caller may take without calling `evaluate` (None: not such an expression)
    """

    __slots__ = ("source", "attributes", "redacted", "attribute", "_evaluate")

    def __init__(self, source: AttributeMappingSource, evaluate: Evaluator, redacted: bool) -> None:
        self.source = source
        self.attributes = attribute_names(source)
        self.redacted = redacted
        self.attribute = source.name if source.type is AttributeMappingSourceType.Attribute else None
        self._evaluate = evaluate

    def evaluate(self, obj: Mapping[str, Any], context: EvaluationContext | None = None) -> Result:
        """The value for `obj`: a string, a list of strings, None (null: don't flow), or IGNORE_FLOW /
        IGNORE_OBJECT. Raises ExpressionEvaluationError with a one-line message on bad data."""
        if self.attribute is not None:
            value = obj.get(self.attribute)
            if type(value) is str:  # what the attribute's reader gives, without the calls
                return value
        try:
            value = self._evaluate(obj, context or DEFAULT_CONTEXT)
        except FlowSignal as signal:
            return signal.sentinel
        if value is None or type(value) is str:
            return value
        return to_output(value)

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source.expression!r})"


def compile_source(source: AttributeMappingSource) -> CompiledExpression:
    """Compile a Graph tree; ExpressionSyntaxError for unknown functions, wrong arguments, bad nesting."""
    compiler = _Compiler()
    evaluate = compiler.compile(source, depth=0)
    return CompiledExpression(source, evaluate, compiler.redacted)


class _Compiler:
    """One pass over the tree: checks each call against its definition and builds its evaluator."""

    def __init__(self) -> None:
        self.redacted = False

    def compile(self, node: AttributeMappingSource, depth: int) -> Evaluator:
        if depth > MAX_DEPTH:
            raise ExpressionSyntaxError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        if node.type is AttributeMappingSourceType.Attribute:
            if not node.name:
                raise ExpressionSyntaxError("an Attribute node has no name")
            return attribute_reader(node.name)
        if node.type is AttributeMappingSourceType.Constant:
            value = node.name or ""
            return lambda obj, context: value
        definition = definition_of(node)
        if definition.top_level_only and depth > 0:
            raise ExpressionSyntaxError(
                f"{definition.name} must be the outermost function of the expression; it cannot be nested"
            )
        self.redacted = self.redacted or definition.marks_redacted
        grouped = grouped_parameters(definition, node)
        repeating = definition.repeating.name if definition.repeating else None
        return definition.build(
            Arguments(
                single={
                    name: self.compile(values[0], depth + 1) for name, values in grouped.items() if name != repeating
                },
                repeated=[self.compile(value, depth + 1) for value in grouped.get(repeating, [])] if repeating else [],
                sources=grouped,
            )
        )
