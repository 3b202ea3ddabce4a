"""A user's pattern past its time limit fails that object only: it is escrowed and logged with
the mapping or clause and the pattern, and the cycle goes on with the others."""

from __future__ import annotations

import pytest

from synctui.expressions import parse
from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand
from synctui.models import SynchronizationTaskExecutionResult as Result

from .harness import Harness

CATASTROPHIC = "(a|a)+$"  # on 26 a's and a "!", 2^26 ways to fail: far past the limit


def _time_out_in_mapping(harness: Harness) -> str:
    mapping = harness.schema.synchronization_rules[0].object_mappings[0]
    flow = next(m for m in mapping.attribute_mappings if m.target_attribute_name == "mail")
    flow.source = parse(f'Replace([mail], , "{CATASTROPHIC}", , "x", , )')
    return "the mapping to mail: "


def _time_out_in_scope(harness: Harness) -> str:
    mapping = harness.schema.synchronization_rules[0].object_mappings[0]
    clause = FilterClause(
        source_operand_name="mail", operator_name="NOT REGEX MATCH", target_operand=FilterOperand(values=[CATASTROPHIC])
    )
    mapping.scope = Filter(groups=[FilterGroup(name="g", clauses=[clause])])
    return f"scoping filter clause 'mail NOT REGEX MATCH {CATASTROPHIC}': "


@pytest.mark.parametrize("where", [_time_out_in_mapping, _time_out_in_scope], ids=["mapping", "scope"])
def test_an_object_past_the_time_limit_is_escrowed_and_the_others_export(harness: Harness, where) -> None:
    prefix = where(harness)
    harness.edit_user("u2", mail="a" * 26 + "!")
    result = harness.run()
    assert result.execution.state == Result.EntryLevelErrors
    assert sorted(harness.users()) == ["user1@contoso.example", "user3@contoso.example"]
    escrow = harness.state.load().escrows["User:u2"]
    message = (
        f"{prefix}the regular expression {CATASTROPHIC!r} used more than its time limit of 1 s of processor "
        "time on one value; simplify the expression"
    )
    assert escrow["error"] == {"code": "ExpressionEvaluationFailed", "message": message}
    logged = [e for e in harness.state.logs() if e["sourceIdentity"]["id"] == "u2"]
    assert [e["statusInfo"]["reason"] for e in logged] == [message]


def test_a_reference_whose_expression_fails_escrows_its_object_not_the_cycle(harness: Harness) -> None:
    mapping = harness.schema.synchronization_rules[0].object_mappings[0]
    flow = next(m for m in mapping.attribute_mappings if m.target_attribute_name == "manager")
    flow.source = parse(f'Replace([manager], , "{CATASTROPHIC}", , "x", , )')
    harness.edit_user("u3", manager="a" * 26 + "!")
    result = harness.run()
    assert result.execution.state == Result.EntryLevelErrors
    users = harness.users()
    assert users["user2@contoso.example"]["manager"] == users["user1@contoso.example"]["id"]
    escrow = harness.state.load().escrows["User:u3"]
    assert escrow["error"]["code"] == "ExpressionEvaluationFailed"
    assert "the regular expression" in escrow["error"]["message"]
