"""Pilot tests of the Logs tab: search as you type, follow mode, export to a JSON file."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Label, Select, Static

from synctui.service import SyncService
from synctui.store.log_query import searchable_text
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.date_range import DateRangeDialog
from synctui.tui.dialogs.log_entry import LogEntryScreen
from synctui.tui.dialogs.path import PathDialog
from synctui.tui.widgets.logs_pane import PAGE, LogsPane
from synctui.tui.widgets.row_table import RowTable

from .conftest import SIZE, job_id, notifications, open_tab, select, settle


def matching(service: SyncService, job: str, text: str) -> list[dict]:
    """Every entry of the job's log that mentions `text` (not only the newest page)."""
    return [e for e in service.logs(job) if text in searchable_text(e)]


def count_label(pane: LogsPane) -> str:
    return str(pane.query_one("#log-count", Label).render())


async def test_search_reaches_every_entry_and_export_writes_them_all(ran: SyncService) -> None:
    app = SyncApp(ran)
    job = job_id(ran, "jsonfile")
    total = len(ran.logs(job))
    found = matching(ran, job, "operations")
    assert total == 615  # the sample's first cycle: more than a page
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        pane = app.screen.query_one(LogsPane)
        table = pane.query_one("#logs-table", RowTable)
        assert table.row_count == PAGE
        assert count_label(pane).startswith(f"the newest {PAGE} of {total} entries · + {total - PAGE} more")
        assert app.focused is table
        await pilot.press("slash")
        assert app.focused is pane.query_one("#log-search", Input)
        await pilot.press(*"operations")
        await pilot.pause()
        # As you type: the newest page is filtered here, while the store is asked for the rest.
        assert 0 < table.row_count < len(found)  # some are older than the newest page
        assert f"match in the newest {PAGE} · searching all {total}…" in count_label(pane)
        await pilot.press("enter")  # back to the table; the store is asked now
        await settle(pilot)
        assert app.focused is table
        assert [e["id"] for e in pane.shown] == [e["id"] for e in found]
        assert count_label(pane).startswith(f"{len(found)} of {total} entries match · follow off")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        default = ran.home.root / "exports" / "jsonfile-logs.json"  # in full, in the synctui home
        assert app.screen.query_one("#path", Input).value == str(default)
        await pilot.press("enter")
        await settle(pilot)
        written = json.loads(default.read_text())["value"]
        assert [entry["id"] for entry in written] == [entry["id"] for entry in found]
        assert sorted(p.name for p in default.parent.iterdir()) == ["jsonfile-logs.json"]  # no temporary file
        assert f"{len(found)} log entries written to {default}" in notifications(app)[-1]
        await pilot.press("escape")  # clears the search
        await settle(pilot)
        assert table.row_count == PAGE


async def test_more_pages_filters_and_csv_export(ran: SyncService, tmp_path: Path) -> None:
    app = SyncApp(ran)
    job = job_id(ran, "jsonfile")
    every = ran.logs(job)
    oldest = every[-1]
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        await open_tab(pilot, "tab-logs")
        pane = app.screen.query_one(LogsPane)
        table = pane.query_one("#logs-table", RowTable)
        assert oldest["id"] not in table.row_keys
        await pilot.press("plus")  # the next page: the whole log here
        await settle(pilot)
        assert table.row_keys == [e["id"] for e in every]
        assert count_label(pane).startswith(f"{len(every)} entries · follow off")

        app.screen.load_detail(job)  # the job changed (a cycle, another process): what is loaded stays
        await settle(pilot)
        assert table.row_keys == [e["id"] for e in every]
        await select(pilot, ran, "csvInbound")  # another job, then back: its newest page
        await select(pilot, ran, "jsonfile")
        assert table.row_count == PAGE
        # Identity: the id of an object older than the newest page, in another case.
        identity = pane.query_one("#log-identity", Input)
        identity.focus()
        identity.value = oldest["targetIdentity"]["id"].upper()
        await pilot.press("enter")
        await settle(pilot)
        named = [e for e in every if oldest["targetIdentity"]["id"] in (e["targetIdentity"] or {}).get("id", "")]
        assert oldest["id"] in table.row_keys and table.row_keys == [e["id"] for e in named]
        identity.value = ""
        pane.query_one("#log-action", Select).value = "update"
        await settle(pilot)
        updates = [e for e in every if e["provisioningAction"] == "update"]
        assert table.row_keys == [e["id"] for e in updates]
        assert count_label(pane).startswith(f"{len(updates)} of {len(every)} entries match")
        pane.query_one("#log-date", Select).value = "PT1H"  # the cycle ran at the frozen time: all of them
        await settle(pilot)
        assert table.row_keys == [e["id"] for e in updates]
        ran.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
        app.screen._tick()
        pane.query_one("#log-date", Select).value = "P1D"
        await settle(pilot)
        assert len(table.row_keys) == len(updates)
        pane.query_one("#log-date", Select).value = "PT1H"
        await settle(pilot)
        assert table.row_keys == [] and count_label(pane).startswith(f"0 of {len(every)} entries match")
        # A custom range, as Entra's blade has: from and until in the forms `synctui logs` takes.
        pane.query_one("#log-date", Select).value = "custom"
        await settle(pilot)
        assert isinstance(app.screen, DateRangeDialog)
        app.screen.query_one("#range-since", Input).value = "yesterday"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DateRangeDialog)  # refused, with what to write
        assert "'yesterday' is not a date" in notifications(app, "warning")[-1]
        app.screen.query_one("#range-since", Input).value = "2025-03-04"
        app.screen.query_one("#range-until", Input).value = "2025-03-04T09:00:01Z"
        await pilot.press("enter")
        await settle(pilot)
        assert table.row_keys == [e["id"] for e in updates]  # the cycle wrote them at 09:00:00
        assert "2025-03-04 00:00 → 2025-03-04 09:00" in count_label(pane)
        pane.query_one("#log-date", Select).value = "PT1H"
        await settle(pilot)
        pane.query_one("#log-date", Select).value = "custom"
        await settle(pilot)
        app.screen.query_one("#range-until", Input).value = "2025-03-03"
        await pilot.press("enter")
        await settle(pilot)
        assert table.row_keys == []
        pane.query_one("#log-date", Select).value = "custom"  # (already custom: no change, no dialog)
        await pilot.pause()
        assert not isinstance(app.screen, DateRangeDialog)
        pane.query_one("#log-date", Select).value = "P1D"
        await settle(pilot)
        pane.query_one("#log-date", Select).value = "custom"
        await settle(pilot)
        await pilot.press("escape")  # cancelled: the range in force stays
        await settle(pilot)
        assert pane.query_one("#log-date", Select).value == "P1D"
        assert len(table.row_keys) == len(updates)
        pane.query_one("#log-date", Select).clear()
        await settle(pilot)

        table.focus()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = "updates.csv"  # relative: under the exports folder
        await pilot.press("enter")
        await settle(pilot)
        written = ran.home.root / "exports" / "updates.csv"
        rows = list(csv.DictReader(io.StringIO(written.read_text())))
        assert [row["Id"] for row in rows] == [e["id"] for e in updates]
        assert all(row["Action"] == "update" for row in rows)
        assert not (tmp_path / "updates.csv").exists()  # never the current directory
        assert f"{len(updates)} log entries written to {written}" in notifications(app)[-1]


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
    original = ran.log_page
    monkeypatch.setattr(ran, "log_page", lambda job_id, *args: reads.append(job_id) or original(job_id, *args))
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
