"""What the dashboard shows keeps up: relative times move on, other processes' changes to the home
appear without a key (and at once with ctrl+r), table cells are never cut silently, and exports
go to a folder named in full."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.models import StringKeyLongValuePair
from synctui.service import SyncService
from synctui.store import Home
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.path import PathDialog
from synctui.tui.widgets.jobs_table import JobsTable
from synctui.tui.widgets.logs_pane import LogsPane
from synctui.tui.widgets.panes import StatusPane
from synctui.tui.widgets.row_table import RowTable

from .conftest import SIZE, SMALL, job_id, notifications, open_tab, screen_text, select, settle


async def test_relative_times_in_the_status_and_logs_tabs_move_on(ran: SyncService, clock: FrozenClock) -> None:
    app = SyncApp(ran)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, ran, "jsonfile")
        status = app.screen.query_one(StatusPane)
        assert "ended just now" in screen_text(app)
        clock.advance(35)
        app.screen._tick()  # what the screen's timer calls every few seconds
        await pilot.pause()
        assert "ended 35s ago" in screen_text(app)
        assert "just now" not in str(status.query_one("#status-summary").render())

        await open_tab(pilot, "tab-logs")
        table = app.screen.query_one(LogsPane).query_one("#logs-table", RowTable)
        assert table.render_line(1).text.split()[0:2] == ["35s", "ago"]
        clock.advance(60)
        app.screen._tick()
        await pilot.pause()
        assert table.render_line(1).text.split()[0:2] == ["1m", "ago"]


def test_counts_abbreviate_rounding_down() -> None:
    from synctui.tui.format import abbreviated_count

    assert [abbreviated_count(n) for n in (999, 1000, 1550, 9999, 59421, 999_999, 2_345_678)] == [
        "999",
        "1k",
        "1.5k",
        "9.9k",
        "59k",
        "999k",
        "2.3M",
    ]


async def test_large_counts_are_abbreviated_and_nothing_is_cut_silently(ran: SyncService) -> None:
    job = job_id(ran, "jsonfile")

    def big(record) -> None:
        status = record.job.status
        status.last_execution.count_exported = 59421
        status.synchronized_entry_count_by_type = [
            StringKeyLongValuePair(key="Provision User to User", value=59421),
            StringKeyLongValuePair(key="Provision Group to Group", value=17),
        ]

    ran.jobs.change(job, big)
    for size in (SIZE, SMALL):
        app = SyncApp(ran)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "↑59421" in text or "↑59k" in text  # whole where it fits, else abbreviated
            assert "↑594 " not in text and "↑5942" not in text.replace("↑59421", "")
            if size == SIZE:
                assert "Succeeded ↑59421" in text  # 120 columns: the whole number fits
                assert "59438 (U59421 G17)" not in text and "59k (U59k G17)" in text
            table = app.screen.query_one(JobsTable)
            for row in range(table.row_count):
                for cell, column in zip(table.get_row_at(row), table.columns.values(), strict=True):
                    plain = getattr(cell, "plain", cell)
                    assert len(plain) <= column.width, (plain, column.width)


async def test_jobs_made_by_another_process_appear_without_a_key(service: SyncService, tmp_path: Path) -> None:
    app = SyncApp(service)
    other = open_service(Home(service.home.root), clock=FrozenClock())  # as `synctui jobs create` would
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobsTable)
        before = table.row_count
        created = other.create_job("jsonfile", name="Made elsewhere", secrets={"ConnectionString": "x.json"})
        app.screen._look_at_home()  # what the screen's timer calls every two seconds
        await settle(pilot)
        assert table.row_count == before + 1 and created.id in [key.value for key in table.rows]
        loads = []
        app.screen.load_jobs = lambda: loads.append(1)  # nothing changed since: no reading
        app.screen._look_at_home()
        assert loads == []
        del app.screen.load_jobs

        other.delete_job(created.id or "")
        await pilot.press("ctrl+r")  # at once
        await settle(pilot)
        assert table.row_count == before
        assert "Refresh" in screen_text(app)  # in the footer


async def test_exports_default_to_the_synctui_home_named_in_full(service: SyncService, tmp_path: Path) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        default = service.home.root / "exports" / "jsonfile-schema.json"
        assert app.screen.query_one("#path", Input).value == str(default)
        await pilot.press("enter")
        await settle(pilot)
        assert default.exists() and f"Schema written to {default}" in notifications(app)[-1]
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = "mine.json"  # relative: in the same folder
        await pilot.press("enter")
        await settle(pilot)
        assert (default.parent / "mine.json").exists()
        assert f"Schema written to {default.parent / 'mine.json'}" in notifications(app)[-1]
    assert not list(tmp_path.glob("*.json"))  # the current directory (the tests' cwd) is left alone


async def test_a_home_damaged_by_another_process_is_said_once_and_read_again_when_fixed(
    service: SyncService,
) -> None:
    app = SyncApp(service)
    config = service.home.config_file
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        good = config.read_bytes()
        config.write_bytes(b"{not json")
        for _ in range(3):  # three looks, one toast: the stamp is kept though the reading failed
            app.screen._look_at_home()
            await settle(pilot)
        failures = [n for n in notifications(app, "error") if "Loading jobs failed" in n]
        assert len(failures) == 1 and str(config) in failures[0]
        config.write_bytes(good)
        app.screen._look_at_home()
        await settle(pilot)
        assert app.screen.query_one(JobsTable).row_count == 3


async def test_the_escrows_next_retry_moves_on(escrowed: str, service: SyncService, clock: FrozenClock) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-escrows")
        table = app.screen.query_one("#escrows-table", RowTable)
        before = table.render_line(1).text
        clock.advance(150)
        app.screen._tick()
        await pilot.pause()
        after = table.render_line(1).text
        assert "Tomasz Williams" in before and "next cycle, in 1m" in before
        assert "Tomasz Williams" in after and "next cycle, due now" in after  # the same row: its time moved
