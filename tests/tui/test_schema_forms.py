"""The schema editor's forms: Restore default mappings (asks first, saved with ctrl+s), a switch to
Expression starts from the current source, operators only for the attribute's type, dialogs open on
their first field and Enter submits; the New-job form's errors are in view."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from synctui.models import AttributeDefinition, AttributeType
from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.clause import ClauseDialog
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.dialogs.mapping import MappingDialog
from synctui.tui.dialogs.path import PathDialog
from synctui.tui.widgets.schema_editor import SchemaEditor
from synctui.tui.widgets.schema_tree import MappingRef, ScopeRef

from .conftest import SIZE, SMALL, job_id, open_new_job, open_tab, screen_text, select, settle
from .test_scope_editor import clause, cursor_to, with_scope


def user_mappings(service: SyncService, job: str) -> list[str]:
    users = service.get_schema(job).synchronization_rules[0].object_mappings[0]
    return [m.target_attribute_name for m in users.attribute_mappings]


async def test_restore_default_mappings_asks_first_then_saves_with_ctrl_s(app: SyncApp, service: SyncService) -> None:
    from synctui.models import FilterGroup

    job = with_scope(service, FilterGroup(name="Sales", clauses=[clause("department", "EQUALS", "Sales")]))
    schema = service.get_schema(job)
    del schema.synchronization_rules[0].object_mappings[0].attribute_mappings[1:4]
    service.put_schema(job, schema)
    changed = user_mappings(service, job)
    template = service.get_template("jsonfile").schema_
    defaults = [
        m.target_attribute_name for m in template.synchronization_rules[0].object_mappings[0].attribute_mappings
    ]
    assert changed != defaults
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await app.screen.run_action("in_tab('tab-schema', 'restore_defaults')")  # the palette's entry
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # asked first: No changes nothing
        await settle(pilot)
        editor = app.screen.query_one(SchemaEditor)
        assert not editor.dirty
        await pilot.click("#schema-defaults")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert editor.dirty and user_mappings(service, job) == changed  # pending until saved
        await cursor_to(pilot, MappingRef(0, 0))
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert user_mappings(service, job) == defaults
    assert service.get_schema(job).synchronization_rules[0].object_mappings[0].scope.groups == []


async def test_switching_to_expression_starts_from_the_current_source(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "jsonfile")
    users = service.get_schema(job).synchronization_rules[0].object_mappings[0]
    display_name = next(m for m in users.attribute_mappings if m.target_attribute_name == "displayName")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(MappingDialog(display_name, ["displayName", "givenName"], ["displayName"]))
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#mapping-type", Select).value = "Expression"
        await settle(pilot)
        assert dialog.query_one("#mapping-expression", Input).value == "[displayName]"
        assert "parses" in str(dialog.query_one("#expression-result", Static).render())
        await pilot.press("escape")
        app.push_screen(MappingDialog(None, ["displayName"], ["displayName"]))
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#mapping-type", Select).value = "Constant"
        await pilot.pause()
        dialog.query_one("#mapping-constant", Input).value = 'say "hi"'
        dialog.query_one("#mapping-type", Select).value = "Expression"
        await pilot.pause()
        assert dialog.query_one("#mapping-expression", Input).value == '"say ""hi"""'


async def test_operators_are_offered_only_for_the_attributes_type(app: SyncApp, service: SyncService) -> None:
    operators = service.filter_operators()
    attributes = [
        AttributeDefinition(name="department", type=AttributeType.String),
        AttributeDefinition(name="accountEnabled", type=AttributeType.Boolean),
        AttributeDefinition(name="employeeNumber", type=AttributeType.Integer),
    ]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ClauseDialog(None, attributes, operators, "a new group"))
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ClauseDialog)
        assert dialog.allowed_operators() == [] and dialog.query_one("#clause-operator", Select).disabled
        offered = {}
        for attribute in ("department", "accountEnabled", "employeeNumber"):
            dialog.query_one("#clause-attribute", Select).value = attribute
            await pilot.pause()
            offered[attribute] = set(dialog.allowed_operators())
        assert offered["accountEnabled"] == {"IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL"}
        assert {"&", "!&", "ENDS_WITH", "Includes", "EQUALS"} <= offered["department"]
        assert not {"Greater_Than", "IS TRUE"} & offered["department"]
        assert {"Greater_Than", "Greater_Than_OR_EQUALS", "EQUALS"} <= offered["employeeNumber"]
        assert not {"&", "!&", "ENDS_WITH", "IS TRUE"} & offered["employeeNumber"]
        assert not dialog.query_one("#clause-operator", Select).disabled


async def test_dialogs_open_on_their_first_field_and_enter_submits(app: SyncApp, service: SyncService) -> None:
    results: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-schema")
        await cursor_to(pilot, MappingRef(0, 0))
        await pilot.press("plus")  # add an attribute mapping
        await settle(pilot)
        assert isinstance(app.screen, MappingDialog)
        assert app.focused is app.screen.query_one("#mapping-type", Select)
        app.screen.query_one("#mapping-source", Select).value = "mail"
        app.screen.query_one("#mapping-target", Select).value = "mail"
        app.screen.query_one("#mapping-default", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, MappingDialog)  # Enter in a field is OK
        assert app.screen.query_one(SchemaEditor).dirty
        await cursor_to(pilot, ScopeRef(0, 0))
        await pilot.press("plus")  # a new filter group
        await settle(pilot)
        assert isinstance(app.screen, ClauseDialog)
        assert app.focused is app.screen.query_one("#clause-attribute", Select)
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(PathDialog("Export", "Write to:", "out.json"), results.append)
        await settle(pilot)
        assert app.focused is app.screen.query_one("#path", Input)
        await pilot.press("enter")
        await settle(pilot)
    assert results == ["out.json"]


async def test_new_job_errors_are_in_view_in_a_small_terminal(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_new_job(pilot, "scim")
        screen.query_one("#new-name", Input).focus()
        await pilot.press("enter")  # Enter in a field creates, as ctrl+s does
        await settle(pilot)
        error = screen.query_one("#new-error", Static)
        assert "enter a name for the job" in str(error.render())
        assert error.region.height and error.region.bottom <= SMALL[1]
        assert "enter a name for the job" in screen_text(app)


async def test_restore_default_mappings_takes_the_application_instances_own_template(
    app: SyncApp, service: SyncService
) -> None:
    job = job_id(service, "jsonfile")
    instance = service.application_instance_of(job)
    own = service.get_template("jsonfile")
    assert own.schema_ is not None
    del own.schema_.synchronization_rules[0].object_mappings[0].attribute_mappings[2:5]
    service.override_template(instance, "jsonfile", own.model_dump(mode="json", by_alias=True))
    expected = [
        m.target_attribute_name for m in own.schema_.synchronization_rules[0].object_mappings[0].attribute_mappings
    ]
    assert user_mappings(service, job) != expected
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await app.screen.run_action("in_tab('tab-schema', 'restore_defaults')")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await cursor_to(pilot, MappingRef(0, 0))
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert user_mappings(service, job) == expected
