"""Users' regular expressions run under a time limit: a pattern that backtracks without end is
the evaluation's error, naming the pattern, not a hang."""

from __future__ import annotations

import pytest

from synctui.expressions import RegexTimeout, compile_scope
from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand

from .support import evaluate

# `(a|a)+$` tries every way to split the a's before it fails at the "!": 2^26 of them, far past the limit.
CATASTROPHIC = "(a|a)+$"
VALUE = "a" * 26 + "!"
LIMIT_MESSAGE = (
    f"the regular expression {CATASTROPHIC!r} used more than its time limit of 1 s of processor time "
    "on one value; simplify the expression"
)


@pytest.mark.parametrize(
    "expression",
    [
        f'Replace([mail], , "{CATASTROPHIC}", , "x", , )',
        f'Replace([mail], , "(?<all>{CATASTROPHIC})", "all", "x", , )',
        f'Replace([empty], , "(?<all>{CATASTROPHIC})", "all", , [mail], )',
    ],
    ids=["regex", "group", "extract"],
)
def test_a_replace_past_the_time_limit_is_an_evaluation_error(expression: str) -> None:
    with pytest.raises(RegexTimeout) as raised:
        evaluate(expression, {"mail": VALUE})
    assert CATASTROPHIC in str(raised.value) and "time limit of 1 s of processor time" in str(raised.value)
    assert "simplify the expression" in str(raised.value)


@pytest.mark.parametrize("operator", ["REGEX MATCH", "NOT REGEX MATCH"])
def test_a_scoping_regex_past_the_time_limit_is_an_error_not_out_of_scope(operator: str) -> None:
    scope = compile_scope(
        Filter(
            groups=[
                FilterGroup(
                    name="g",
                    clauses=[
                        FilterClause(
                            source_operand_name="mail",
                            operator_name=operator,
                            target_operand=FilterOperand(values=[CATASTROPHIC]),
                        )
                    ],
                )
            ]
        )
    )
    with pytest.raises(RegexTimeout) as raised:
        scope.in_scope({"mail": VALUE})
    assert str(raised.value) == f"scoping filter clause 'mail {operator} {CATASTROPHIC}': {LIMIT_MESSAGE}"


def test_patterns_that_finish_are_unchanged() -> None:
    assert evaluate(f'Replace([mail], , "{CATASTROPHIC}", , "x", , )', {"mail": "banana"}) == "bananx"
