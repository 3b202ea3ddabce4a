"""Pilot tests of the Logs tab: search as you type, follow mode, export to a JSON file."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Label, Static

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.log_entry import LogEntryScreen
from synctui.tui.dialogs.path import PathDialog
from synctui.tui.widgets.logs_pane import LogsPane
from synctui.tui.widgets.row_table import RowTable

from .conftest import SIZE, job_id, notifications, open_tab, select, settle


async def test_search_as_you_type_then_export_the_shown_entries(ran: SyncService, tmp_path: Path) -> None:
    app = SyncApp(ran)
    target = tmp_path / "exports" / "finance.json"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        pane = app.screen.query_one(LogsPane)
        table = pane.query_one("#logs-table", RowTable)
        total = table.row_count
        assert app.focused is table
        await pilot.press("slash")
        assert app.focused is pane.query_one("#log-search", Input)
        await pilot.press(*"finance")
        await pilot.pause()
        assert 0 < table.row_count < total
        assert all("finance" in json.dumps(entry).lower() for entry in pane.shown)
        assert f"{table.row_count} of {total} entries match" in str(pane.query_one("#log-count", Label).render())
        await pilot.press("enter")  # back to the table, the search stays
        assert app.focused is table
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        written = json.loads(target.read_text())
        assert [entry["id"] for entry in written] == [entry["id"] for entry in pane.shown]
        assert sorted(p.name for p in target.parent.iterdir()) == ["finance.json"]  # no temporary file left
        assert any(f"{len(written)} log entries written" in n for n in notifications(app))
        await pilot.press("escape")  # clears the search
        await pilot.pause()
        assert table.row_count == total


async def test_export_errors_are_notifications(ran: SyncService, tmp_path: Path) -> None:
    app = SyncApp(ran)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(blocker / "logs.json")  # its folder is a file
        await pilot.press("enter")
        await settle(pilot)
        assert any("cannot write" in n for n in notifications(app, "error"))
        assert app.is_running
        await pilot.press("slash")
        app.screen.query_one("#log-search", Input).value = "no such entry anywhere"
        await pilot.press("enter", "e")  # nothing shown: nothing to export, no dialog
        await pilot.pause()
        assert not isinstance(app.screen, PathDialog)
        assert any("No entries to export" in n for n in notifications(app, "warning"))


async def test_follow_shows_new_entries_at_the_top_and_off_keeps_the_cursor(ran: SyncService) -> None:
    job = job_id(ran, "jsonfile")
    app = SyncApp(ran)

    def cycle_with_changes(seed: int) -> None:
        # A day at work, then a cycle on another thread, as the scheduler runs it.
        ran.simulate_changes(seed=seed)
        thread = threading.Thread(target=ran.run_cycle, args=(job,))
        thread.start()
        thread.join()

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        pane = app.screen.query_one(LogsPane)
        table = pane.query_one("#logs-table", RowTable)
        table.cursor_row = 3
        watched = table.row_keys[3]
        cycle_with_changes(7)  # follow off: the list updates, the cursor stays on its entry
        await settle(pilot)
        assert table.row_keys[0] not in (watched,) and table.row_keys.index(watched) > 3
        assert table.row_keys[table.cursor_row] == watched
        await pilot.press("f")
        await settle(pilot)
        assert pane.following and "following" in str(pane.query_one("#log-count", Label).render())
        assert table.cursor_row == 0
        newest = table.row_keys[0]
        cycle_with_changes(8)
        await settle(pilot)
        assert table.row_keys[0] != newest and table.cursor_row == 0  # the newest entry, on top
        await pilot.press("f")
        assert not pane.following


async def test_follow_reloads_once_for_a_burst_of_progress(ran: SyncService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LogsPane, "FOLLOW_DELAY", 0.01)
    job = job_id(ran, "jsonfile")
    reads: list[str] = []
    original = ran.logs
    monkeypatch.setattr(ran, "logs", lambda job_id, limit=None: reads.append(job_id) or original(job_id, limit))
    app = SyncApp(ran)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        pane = app.screen.query_one(LogsPane)
        pane.following = True
        await settle(pilot)
        reads.clear()
        for _ in range(50):  # a cycle reports progress per object, before the loop runs again
            pane.cycle_progressed(job)
        pane.cycle_progressed("another-job")
        await pilot.pause(0.05)  # the window is 10 ms here
        await settle(pilot)
        assert reads == [job]


async def test_a_cycle_entry_opens_with_its_steps_and_old_and_new_values(ran: SyncService) -> None:
    app = SyncApp(ran)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        pane = app.screen.query_one(LogsPane)
        await pilot.press("slash", *"Finance", "enter")  # the group's entry of the reference pass
        await pilot.pause()
        assert pane.shown and pane.shown[0]["provisioningSteps"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LogEntryScreen)
        console = Console(width=120, record=True)
        for static in app.screen.query(Static):
            console.print(static.content)
        shown = console.export_text()
        for text in ("1. import", "EntryImport", "referenceResolution", "EntryExportUpdate", "Sent add: members"):
            assert text in shown
        assert "No steps or modified properties" not in shown
