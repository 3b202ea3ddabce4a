"""The attribute-mapping expression language and scoping filters of Entra provisioning.

    tree = parse('Join(" ", [givenName], [surname])')     # Graph attributeMappingSource
    compiled = compile_source(tree)                       # once per mapping
    compiled.evaluate({"givenName": "Zoë", "surname": "Doe"})   # per object → "Zoë Doe"

    scope = compile_scope(object_mapping.scope)           # once per object mapping
    scope.in_scope(user)                                  # per object

The modules behind this façade are private.
"""

from .context import EvaluationContext
from .errors import ExpressionError, ExpressionEvaluationError, ExpressionSyntaxError, RegexTimeout
from .evaluator import CompiledExpression, compile_source
from .functions import function_catalogue
from .graph_parse import parse_expression
from .parser import parse
from .scoping import ClauseOutcome, CompiledScope, compile_scope, filter_operators, validate_scope
from .syntax import MAX_DEPTH, to_text
from .values import IGNORE_FLOW, IGNORE_OBJECT

__all__ = [
    "IGNORE_FLOW",
    "IGNORE_OBJECT",
    "MAX_DEPTH",
    "ClauseOutcome",
    "CompiledExpression",
    "CompiledScope",
    "EvaluationContext",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionSyntaxError",
    "RegexTimeout",
    "compile_scope",
    "compile_source",
    "filter_operators",
    "function_catalogue",
    "parse",
    "parse_expression",
    "to_text",
    "validate_scope",
]
