"""Pilot tests of the Assignments tab and the scope choice in Settings, against the real service."""

from __future__ import annotations

from textual.widgets import Button, Input, Select

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.assign import AssignDialog
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.widgets.assignments_pane import AssignmentsPane
from synctui.tui.widgets.row_table import RowTable

from .conftest import SIZE, notifications, open_tab, select, settle


def _names(service: SyncService, job: str) -> list[str]:
    return [assignment.resource["principalDisplayName"] for assignment in service.assignments(job)]


async def test_assign_by_search_then_remove_with_confirm(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "scim")
        await open_tab(pilot, "tab-assignments")
        table = app.screen.query_one("#assignments-table", RowTable)
        assert table.row_count == 2  # the seeded demo groups
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        dialog.query_one("#assign-search", Input).value = "Nancy Jones"
        await settle(pilot)
        assert [obj.display_name for obj in dialog.objects] == ["Nancy Jones"]
        await pilot.press("enter")
        await settle(pilot)
        assert _names(service, job) == ["Sales", "Information Technology", "Nancy Jones"]
        assert table.row_count == 3
        assert any("Nancy Jones assigned to" in n for n in notifications(app))
        table.focus()
        table.action_last()  # Nancy Jones
        await pilot.pause()
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # No: nothing changes
        await settle(pilot)
        assert _names(service, job) == ["Sales", "Information Technology", "Nancy Jones"]
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _names(service, job) == ["Sales", "Information Technology"]
        assert table.row_count == 2


async def test_a_job_whose_source_has_no_assignments_says_so(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "csvInbound")
        await open_tab(pilot, "tab-assignments")
        pane = app.screen.query_one(AssignmentsPane)
        assert "has no assignments" in str(pane.query_one("#assignments-scope").render())
        assert pane.query_one("#assignment-assign", Button).disabled
        await pilot.press("a")  # nothing to assign to: no dialog
        await settle(pilot)
        assert not isinstance(app.screen, AssignDialog)


async def test_the_scope_is_chosen_in_settings(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "scim")
        await open_tab(pilot, "tab-settings")
        scope = app.screen.query_one("#secret-SyncAll", Select)
        assert scope.value is False  # a scim job starts assigned-only
        scope.value = True
        await pilot.click("#settings-save")
        await settle(pilot)
        assert service.sync_all(job) is True
        await select(pilot, service, "csvInbound")
        assert not app.screen.query("#secret-SyncAll")  # no choice without assignments
