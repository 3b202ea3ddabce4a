"""Pilot tests of getting around: `:` go to, the help screen, the user keymap, the palette, 80×24."""

from __future__ import annotations

from textual.widgets import Input, Static, TabbedContent

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.commands import JobCommands
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.dialogs.goto import GotoDialog
from synctui.tui.dialogs.help import HelpScreen
from synctui.tui.dialogs.restart import RestartDialog
from synctui.tui.screens.jobs import JobsScreen
from synctui.tui.screens.preview import PreviewScreen
from synctui.tui.widgets.jobs_table import JobsTable

from .conftest import SIZE, SMALL, job_id, notifications, screen_text, select, settle


async def go(pilot, *typed: str) -> None:
    await pilot.press("colon")
    await pilot.pause()
    assert isinstance(pilot.app.screen, GotoDialog)
    await pilot.press(*typed)
    await settle(pilot)


async def test_goto_jumps_to_views_with_completion(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        tabs = app.screen.query_one("#detail", TabbedContent)
        await go(pilot, *"esc", "tab")  # tab completes
        assert app.screen.query_one("#goto-input", Input).value == "escrows"
        await pilot.press("enter")
        await settle(pilot)
        assert tabs.active == "tab-escrows"
        await go(pilot, *"sch", "enter")  # enter takes the completion too
        assert tabs.active == "tab-schema" and app.focused.id == "schema-tree"
        await go(pilot, *"preview", "enter")
        assert isinstance(app.screen, PreviewScreen)
        await go(pilot, *"jobs", "enter")  # from a screen above the jobs: back to them
        assert isinstance(app.screen, JobsScreen) and isinstance(app.focused, JobsTable)
        await go(pilot, *"nope", "enter")
        assert isinstance(app.screen, GotoDialog)  # an unknown view is said in the dialog
        assert "no view named 'nope'" in str(app.screen.query_one("#goto-views", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, JobsScreen)


async def test_help_lists_the_keys_with_their_ids_and_the_keymap(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        ids = {row.binding_id for row in app.screen.keys}
        assert {"jobs.start", "jobs.delete", "app.goto", "app.help"} <= ids
        assert "jobs.start" in screen_text(app)
        app.screen.query_one("#help-body").scroll_end(animate=False)
        await settle(pilot)
        assert "Remapping keys" in screen_text(app) and '"keymap"' in screen_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, JobsScreen)


async def test_user_keymap_rebinds_by_id(service: SyncService) -> None:
    service.set_preference("keymap", {"jobs.start": "S", "app.goto": "f2,ctrl+g"})
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "csvInbound")
        await pilot.press("s")
        await settle(pilot)
        assert service.get_job(job).schedule.state.value != "Active"  # s is no longer Start
        await pilot.press("S")
        await settle(pilot)
        assert service.get_job(job).schedule.state.value == "Active"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, GotoDialog)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.keymap == {"jobs.start": "S", "app.goto": "f2,ctrl+g"}
        assert not notifications(app, "warning")


async def test_a_malformed_keymap_warns_and_keeps_the_defaults(service: SyncService) -> None:
    # (test_helpers checks every kind of malformed keymap; here, that the app warns and goes on)
    for keymap, problem in ((["jobs.start", "S"], "JSON object"), ({"jobs.begin": "S"}, "jobs.begin")):
        service.set_preference("keymap", keymap)
        app = SyncApp(service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert any(problem in n and "default keys" in n for n in notifications(app, "warning"))
            await pilot.press("colon")  # a default key still works
            await pilot.pause()
            assert isinstance(app.screen, GotoDialog)


async def test_the_palette_has_the_new_actions(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        titles = [title for title, _, _ in JobCommands(app.screen)._commands()]
        for title in (
            "Follow logs (toggle)",
            "Search logs",
            "Export logs…",
            "Retry selected escrows",
            "Retry all escrows",
            "Dismiss selected escrows…",
            "Add scoping filter group…",
            "Go to view…",
        ):
            assert title in titles


async def test_80x24_keeps_what_matters_in_view(ran: SyncService) -> None:
    app = SyncApp(ran)
    async with app.run_test(size=SMALL) as pilot:
        await select(pilot, ran, "jsonfile")
        assert app.has_class("-narrow", "-short")
        shot = screen_text(app)
        for text in ("Status", "Last result", "Next run", "? Keys", "^p palette", "Start", "Delete"):
            assert text in shot, text
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RestartDialog)
        for button in ("#ok", "#cancel"):
            region = app.screen.query_one(button).region
            assert region.bottom <= SMALL[1] and region.right <= SMALL[0] and region.height > 0, button
        await pilot.press("escape")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.query_one("#yes").region.bottom <= SMALL[1]
        assert job_id(ran, "jsonfile")


async def test_a_pane_action_from_the_palette_opens_its_tab_and_runs_there(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        commands = {title: callback for title, callback, _ in JobCommands(app.screen)._commands()}
        await commands["Search logs"]()
        await settle(pilot)
        assert app.screen.query_one("#detail", TabbedContent).active == "tab-logs"
        assert app.focused is app.screen.query_one("#log-search", Input)
