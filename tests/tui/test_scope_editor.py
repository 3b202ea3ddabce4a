"""Pilot tests of the scoping-filter editor in the Schema tab: groups and clauses join the pending
schema and are saved with the one put_schema; the service's problems are shown."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Static

from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand
from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.clause import ClauseDialog
from synctui.tui.dialogs.error import ErrorDialog
from synctui.tui.widgets.schema_editor import SchemaEditor
from synctui.tui.widgets.schema_tree import MappingRef, SchemaTree, ScopeRef

from .conftest import SIZE, job_id, open_tab, select, settle


def clause(attribute: str, operator: str, *values: str) -> FilterClause:
    return FilterClause(
        source_operand_name=attribute,
        operator_name=operator,
        target_operand=FilterOperand(values=list(values)) if values else None,
    )


def with_scope(service: SyncService, *groups: FilterGroup) -> str:
    job = job_id(service, "jsonfile")
    schema = service.get_schema(job)
    schema.synchronization_rules[0].object_mappings[0].scope = Filter(groups=list(groups))
    service.put_schema(job, schema)
    return job


async def cursor_to(pilot, ref: object) -> SchemaEditor:
    editor = pilot.app.screen.query_one(SchemaEditor)
    tree = editor.query_one(SchemaTree)
    tree.focus()
    tree.move_cursor(next(node for node in tree._tree_nodes.values() if node.data == ref))
    await pilot.pause()
    return editor


async def fill_clause(pilot, attribute: str | None, operator: str | None, value: str | None = None) -> ClauseDialog:
    dialog = pilot.app.screen
    assert isinstance(dialog, ClauseDialog)
    if attribute is not None:
        dialog.query_one("#clause-attribute", Select).value = attribute
        await pilot.pause()
    if operator is not None:
        dialog.query_one("#clause-operator", Select).value = operator
        await pilot.pause()
    if value is not None:
        dialog.query_one("#clause-value", Input).value = value
    await pilot.pause()
    return dialog


async def press_ok(pilot) -> None:
    # Button.press rather than a click: a button ignores clicks for 0.2 s after one (its "active" look).
    pilot.app.screen.query_one("#ok", Button).press()
    await pilot.pause()


def scope_of(service: SyncService, job: str) -> list[list[str]]:
    scope = service.get_schema(job).synchronization_rules[0].object_mappings[0].scope
    return [
        [
            " ".join([c.source_operand_name, c.operator_name, *(c.target_operand.values if c.target_operand else [])])
            for c in group.clauses
        ]
        for group in (scope.groups if scope else [])
    ]


async def test_add_a_group_and_a_clause_then_save_once(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "jsonfile")
    puts: list[object] = []
    original = service.put_schema
    service.put_schema = lambda *args: puts.append(args) or original(*args)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-schema")
        editor = await cursor_to(pilot, MappingRef(0, 0))
        tree = editor.query_one(SchemaTree)
        assert "Scoping filter: none" in str(
            tree.get_node_by_id(next(i for i, n in tree._tree_nodes.items() if n.data == ScopeRef(0, 0))).label
        )
        await pilot.press("f")  # a new group starts with its first clause
        await settle(pilot)
        dialog = await fill_clause(pilot, "department", "EQUALS", "Sales")
        await press_ok(pilot)
        assert editor.dirty and tree.cursor_node.data == ScopeRef(0, 0, 0, 0)
        await pilot.press("plus")  # on a clause: another clause in the same group
        await settle(pilot)
        dialog = await fill_clause(pilot, "accountEnabled", "IS TRUE")
        assert not dialog.query_one("#clause-value", Input).display  # a unary operator takes no value
        await press_ok(pilot)
        assert not puts  # nothing saved yet: the edits are pending with the rest of the schema
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(puts) == 1
    assert scope_of(service, job) == [["department EQUALS Sales", "accountEnabled IS TRUE"]]


async def test_clause_dialog_rejects_incomplete_clauses(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-schema")
        await cursor_to(pilot, ScopeRef(0, 0))
        await pilot.press("plus")  # on the filter node: a new group
        await settle(pilot)
        dialog = await fill_clause(pilot, None, None)
        error = dialog.query_one("#clause-error", Static)
        await press_ok(pilot)
        assert "choose a source attribute" in str(error.render())
        await fill_clause(pilot, "accountEnabled", None)
        await press_ok(pilot)
        assert "choose an operator" in str(error.render())
        # the operators offered are those for the attribute's type
        operators = dialog.allowed_operators()
        assert "IS TRUE" in operators and "ENDS_WITH" not in operators and "Greater_Than" not in operators
        await fill_clause(pilot, "department", "REGEX MATCH", "   ")
        await press_ok(pilot)
        assert "REGEX MATCH compares with a value" in str(error.render())
        assert isinstance(app.screen, ClauseDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one(SchemaEditor).dirty  # cancelling changes nothing


async def test_edit_and_remove_clauses_and_groups(app: SyncApp, service: SyncService) -> None:
    job = with_scope(
        service,
        FilterGroup(
            name="Group 1", clauses=[clause("department", "EQUALS", "Sales"), clause("accountEnabled", "IS TRUE")]
        ),
        FilterGroup(name="Group 2", clauses=[clause("jobTitle", "ENDS_WITH", "Manager")]),
        FilterGroup(name="Group 3", clauses=[clause("city", "IS NOT NULL")]),
    )
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-schema")
        editor = await cursor_to(pilot, ScopeRef(0, 0, 0, 0))
        assert "enter edits the clause" in str(editor.query_one("#schema-state").render())
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ClauseDialog)
        assert dialog.query_one("#clause-value", Input).value == "Sales"
        await fill_clause(pilot, None, None, "Marketing")
        await press_ok(pilot)
        await cursor_to(pilot, ScopeRef(0, 0, 0, 1))
        await pilot.press("x")  # a clause
        await cursor_to(pilot, ScopeRef(0, 0, 1, 0))
        await pilot.press("x")  # the last clause of group 2: the group goes too
        await pilot.pause()
        assert any("no clause left" in n.message for n in app._notifications)
        await cursor_to(pilot, ScopeRef(0, 0, 1))  # what was group 3
        await pilot.press("x")  # a whole group
        await pilot.click("#schema-save")
        await settle(pilot)
        assert not editor.dirty
    assert scope_of(service, job) == [["department EQUALS Marketing"]]


async def test_a_clause_the_service_rejects_shows_its_problems(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "jsonfile")
    version = service.get_schema(job).version
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-schema")
        editor = await cursor_to(pilot, MappingRef(0, 0, 2))
        await pilot.press("f")
        await settle(pilot)
        await fill_clause(pilot, "department", "REGEX MATCH", "([unclosed")
        await press_ok(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        problems = [str(p.render()) for p in app.screen.query(".problem")]
        assert any("REGEX MATCH" in p and "scope" in p for p in problems)
        await pilot.press("escape")
        await pilot.pause()
        assert editor.dirty  # the edits stay, to be fixed
    assert service.get_schema(job).version == version
