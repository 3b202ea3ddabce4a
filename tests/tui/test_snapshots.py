"""SVG snapshots of the main screens at 120×40 and at 80×24, with a frozen clock, fixed ids and no
cursor blink.

`pytest tests/tui --snapshot-update` rewrites them after an intended change."""

from __future__ import annotations

import pytest

from synctui.service import SyncService
from synctui.tui.app import SyncApp

from .conftest import SIZE, SMALL, no_blink, open_new_job, settle


def make_app(service: SyncService) -> SyncApp:
    app = SyncApp(service)
    app.sub_title = "~/.local/share/synctui"
    return app


def before(*keys: str, tab: str | None = None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        if tab:
            pilot.app.screen.query_one("#detail").active = tab
        if keys:
            await pilot.press(*keys)
        await settle(pilot)
        no_blink(pilot.app)
        await pilot.pause()

    return run_before


def test_jobs_status(snap_compare, ran: SyncService) -> None:
    assert snap_compare(make_app(ran), terminal_size=SIZE, run_before=before())


def test_logs_tab(snap_compare, ran: SyncService) -> None:
    assert snap_compare(make_app(ran), terminal_size=SIZE, run_before=before(tab="tab-logs"))


def test_schema_tab(snap_compare, ran: SyncService) -> None:
    assert snap_compare(make_app(ran), terminal_size=SIZE, run_before=before(tab="tab-schema"))


@pytest.mark.parametrize("tab", ["tab-status", "tab-logs", "tab-escrows", "tab-schema", "tab-settings"])
def test_80x24(snap_compare, escrowed: str, service: SyncService, tab: str) -> None:
    """The jobs screen and each detail tab in the smallest supported terminal; the job has escrows
    and a scoping filter, so that every tab has something to show."""
    assert snap_compare(make_app(service), terminal_size=SMALL, run_before=before(tab=tab))


# --- every dialog and screen over the jobs, at both sizes ---------------------------------------------


async def _schema_cursor(pilot, ref: object) -> None:
    from .test_scope_editor import cursor_to

    pilot.app.screen.action_tab("tab-schema")
    await settle(pilot)
    await cursor_to(pilot, ref)


async def _mapping(pilot) -> None:
    from synctui.tui.widgets.schema_editor import SchemaEditor
    from synctui.tui.widgets.schema_tree import MappingRef

    await _schema_cursor(pilot, MappingRef(0, 0, 1))
    pilot.app.screen.query_one(SchemaEditor).action_edit()


async def _clause(pilot) -> None:
    from textual.widgets import Select

    from synctui.tui.widgets.schema_tree import ScopeRef

    await _schema_cursor(pilot, ScopeRef(0, 0))
    await pilot.press("plus")
    await settle(pilot)
    pilot.app.screen.query_one("#clause-attribute", Select).value = "department"


async def _restore_defaults(pilot) -> None:
    await pilot.app.screen.run_action("in_tab('tab-schema', 'restore_defaults')")


async def _error(pilot) -> None:
    from synctui.tui.dialogs.error import ErrorDialog

    problems = [
        f"objectMappings[0].attributeMappings[{i}]: the source attribute 'nosuch{i}' is unknown" for i in range(9)
    ]
    pilot.app.push_screen(ErrorDialog("Save schema failed", "the schema has 9 problems; nothing was saved", problems))


async def _log_entry(pilot) -> None:
    pilot.app.screen.action_tab("tab-logs")
    await settle(pilot)
    await pilot.press("enter")


async def _new_job(pilot) -> None:
    await open_new_job(pilot, "scim")


async def _provision(pilot) -> None:
    from textual.widgets import Input

    await pilot.press("o")
    await settle(pilot)
    pilot.app.screen.query_one("#provision-search", Input).value = "Mohammed Anderson"
    await pilot.pause()
    await pilot.press("enter")


def _keys(*keys: str):
    async def press(pilot) -> None:
        await pilot.press(*keys)

    return press


DIALOGS = {
    "restart": _keys("r"),
    "delete": _keys("d"),
    "restore-defaults": _restore_defaults,
    "export-path": _keys("e"),
    "goto": _keys("colon"),
    "help": _keys("question_mark"),
    "error": _error,
    "log-entry": _log_entry,
    "mapping": _mapping,
    "clause": _clause,
    "new-job": _new_job,
    "preview": _keys("v"),
    "provision": _provision,
}


@pytest.fixture
def changed(ran: SyncService) -> SyncService:
    """After the demo's cycle, a simulated day at work: the preview has creates, updates and deletes."""
    ran.simulate_changes(seed=7)
    return ran


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
@pytest.mark.parametrize("dialog", list(DIALOGS))
def test_dialog(snap_compare, changed: SyncService, dialog: str, size: tuple[int, int]) -> None:
    """Each dialog (and each screen opened over the jobs) fits both terminals: nothing cut, every
    button in view."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await DIALOGS[dialog](pilot)
        await settle(pilot)
        no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(changed), terminal_size=size, run_before=run_before)
