"""Graph's `schema/parseExpression`: parse text, and evaluate it against a test object if one is given.

Response codes of `error`: InvalidExpression (parsing or compiling failed), ExpressionEvaluationFailed
(the test object made evaluation fail), and — with evaluationSucceeded true and an empty result —
AttributeFlowIgnored / ObjectFlowIgnored when the expression says not to flow the attribute / object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..models import AttributeMappingSource, ParseExpressionResponse, PublicError
from .context import EvaluationContext
from .errors import ExpressionError
from .evaluator import compile_source
from .parser import parse
from .values import IGNORE_FLOW, IGNORE_OBJECT, FlowSentinel, single

_IGNORED = {
    IGNORE_FLOW: ("AttributeFlowIgnored", "the expression says not to flow this attribute"),
    IGNORE_OBJECT: ("ObjectFlowIgnored", "the expression says not to create or flow this object (IgnoreObjectFlow)"),
}


def parse_expression(
    expression: str, test_input: Mapping[str, Any] | None = None, *, context: EvaluationContext | None = None
) -> ParseExpressionResponse:
    """Parse (and optionally evaluate) an expression; every problem is reported in the response."""
    if not isinstance(expression, str):
        return _failed(None, f"the expression must be a string, not {type(expression).__name__}", parsed=False)
    try:
        tree = parse(expression)
    except ExpressionError as error:
        return _failed(None, str(error), parsed=False)
    try:
        compiled = compile_source(tree)
    except ExpressionError as error:
        return _failed(tree, str(error), parsed=False)
    if test_input is None:
        return ParseExpressionResponse(
            parsing_succeeded=True,
            evaluation_succeeded=False,
            parsed_expression=tree,
            evaluation_result=None,
            error=None,
        )
    if not isinstance(test_input, Mapping):
        return _failed(tree, "the test input must map attribute names to values", parsed=True)
    try:
        result = compiled.evaluate(_test_object(test_input), context)
    except ExpressionError as error:
        return _failed(tree, str(error), parsed=True)
    if isinstance(result, FlowSentinel):
        code, message = _IGNORED[result]
        return ParseExpressionResponse(
            parsing_succeeded=True,
            evaluation_succeeded=True,
            parsed_expression=tree,
            evaluation_result=[],
            error=PublicError(code=code, message=message),
        )
    values = [] if result is None else result if isinstance(result, list) else [result]
    return ParseExpressionResponse(
        parsing_succeeded=True, evaluation_succeeded=True, parsed_expression=tree, evaluation_result=values, error=None
    )


def _failed(tree: AttributeMappingSource | None, message: str, *, parsed: bool) -> ParseExpressionResponse:
    """Graph's answer to an expression that did not parse (InvalidExpression) or, parsed, did not
    evaluate (ExpressionEvaluationFailed)."""
    return ParseExpressionResponse(
        parsing_succeeded=parsed,
        evaluation_succeeded=False,
        parsed_expression=tree,
        evaluation_result=None,
        error=PublicError(code="ExpressionEvaluationFailed" if parsed else "InvalidExpression", message=message),
    )


def _test_object(test_input: Mapping[str, Any]) -> dict[str, Any]:
    """Test values as the engine passes them: strings, lists of strings or None. JSON true becomes
    "True", numbers their text, and a JSON object its JSON text (how app role assignments are read)."""
    return {
        str(key): [_test_value(item) for item in value] if isinstance(value, list) else _test_value(value)
        for key, value in test_input.items()
    }


def _test_value(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return single(value) if isinstance(value, (str, bool, int, float)) or value is None else str(value)
