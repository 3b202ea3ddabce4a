"""The dashboard's pure helpers: no app, no service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synctui.models import (
    AttributeType,
    FilterClause,
    FilterOperand,
    FilterOperatorSchema,
    ObjectMapping,
)
from synctui.service import ServiceError
from synctui.store.log_query import searchable_text
from synctui.tui import scope_edit
from synctui.tui.dialogs.clause import operators_for
from synctui.tui.dialogs.goto import matching_views, resolve_view
from synctui.tui.export import write_json
from synctui.tui.format import matches_typed, typeable
from synctui.tui.keymap import known_bindings, parse_keymap
from synctui.tui.tabs import VIEWS


def test_typing_a_job_name_to_confirm() -> None:
    name = "Demo: tenant → JSON file"
    assert typeable(name) == "Demo: tenant -> JSON file"
    assert typeable("Zoë Ångström") == "Zoe Angstrom"
    assert matches_typed("demo:  tenant -> json FILE ", name)
    assert matches_typed(name, name)
    assert not matches_typed("Demo: tenant", name)
    assert not matches_typed("", "")


def test_views_complete_by_prefix_then_substring() -> None:
    assert matching_views("sc", VIEWS) == ["schema", "escrows"]  # those starting with it first
    assert resolve_view("ESC", VIEWS) == "escrows"
    assert resolve_view("new", VIEWS) == "new job"
    assert resolve_view("on demand", VIEWS) == "provision"
    assert resolve_view("  Logs ", VIEWS) == "logs"
    assert resolve_view("nope", VIEWS) is None and resolve_view("", VIEWS) is None
    assert matching_views("", VIEWS) == VIEWS


def test_keymap_is_applied_whole_or_not_at_all() -> None:
    known = frozenset(known_bindings())
    assert {"jobs.start", "logs.follow", "escrows.retry", "schema.add_group", "app.goto"} <= known
    assert parse_keymap(None, known) == ({}, None)
    assert parse_keymap({"jobs.start": "S", "app.goto": "f2, ctrl+g"}, known) == (
        {"jobs.start": "S", "app.goto": "f2,ctrl+g"},
        None,
    )
    for bad, problem in (
        (["jobs.start"], "JSON object"),
        ({"jobs.nope": "x"}, "jobs.nope"),
        ({"jobs.start": 5}, "non-empty string"),
        ({"jobs.start": "ctrl+ d"}, "comma-separated"),
        ({"jobs.start": "a,,b"}, "comma-separated"),
    ):
        keymap, message = parse_keymap(bad, known)
        assert keymap == {} and message and problem in message


def test_every_dashboard_binding_has_an_id_and_a_tooltip() -> None:
    for binding_id, binding in known_bindings().items():
        assert binding.tooltip, binding_id


def test_scope_edits_never_leave_an_empty_group() -> None:
    mapping = ObjectMapping(source_object_name="User", target_object_name="User")
    sales = FilterClause(
        source_operand_name="department", operator_name="EQUALS", target_operand=FilterOperand(values=["Sales"])
    )
    enabled = FilterClause(source_operand_name="accountEnabled", operator_name="IS TRUE")
    assert scope_edit.add_group(mapping, sales) == 0
    assert scope_edit.set_clause(mapping, 0, None, enabled) == 1
    assert scope_edit.add_group(mapping, enabled) == 1
    assert [g.name for g in scope_edit.scope_groups(mapping)] == ["Group 1", "Group 2"]
    assert scope_edit.clause_label(sales) == 'department EQUALS "Sales"'
    assert scope_edit.clause_label(enabled) == "accountEnabled IS TRUE"
    scope_edit.remove_group(mapping, 0)
    assert scope_edit.add_group(mapping, sales) == 1
    assert [g.name for g in scope_edit.scope_groups(mapping)] == ["Group 2", "Group 3"]  # names stay unique
    assert scope_edit.remove_clause(mapping, 0, 0) is True  # its only clause: the group goes
    assert [g.name for g in scope_edit.scope_groups(mapping)] == ["Group 3"]


def test_operators_for_an_attribute_type() -> None:
    operators = [
        FilterOperatorSchema(name="EQUALS", supported_attribute_types=[AttributeType.String]),
        FilterOperatorSchema(name="IS TRUE", arity="Unary", supported_attribute_types=[AttributeType.Boolean]),
        FilterOperatorSchema(name="ANY"),
    ]
    assert [op.name for op in operators_for(operators, "Boolean")] == ["IS TRUE", "ANY"]
    assert operators_for(operators, None) == []  # no attribute chosen: nothing offered yet


def test_log_search_looks_at_values_not_keys() -> None:
    entry = {
        "provisioningAction": "update",
        "statusInfo": {"status": "failure", "errorCode": "Boom"},
        "sourceIdentity": {"displayName": "Zoë"},
        "modifiedProperties": [{"newValue": "Legal"}],
    }
    text = searchable_text(entry)
    assert "boom" in text and "zoë" in text and "legal" in text
    assert "provisioningaction" not in text and "statusinfo" not in text


def test_write_json_is_atomic_and_says_why_it_cannot(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    write_json(str(target), [{"id": 1, "name": "Zoë"}])
    assert json.loads(target.read_text(encoding="utf-8")) == [{"id": 1, "name": "Zoë"}]
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ServiceError, match="cannot write"):
        write_json(str(blocker / "x.json"), [])
