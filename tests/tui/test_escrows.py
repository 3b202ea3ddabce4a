"""Pilot tests of the Escrows tab: retry selected, retry all, dismiss (asks first); service errors
are notifications."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from synctui.service import Busy, SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.widgets.escrows_pane import MARK, EscrowsPane, escrow_name
from synctui.tui.widgets.row_table import RowTable

from .conftest import SIZE, notifications, open_tab, select, settle


@pytest.fixture
def calls(service: SyncService, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """The retry_escrows calls the dashboard makes (they still reach the service)."""
    made: list[tuple[str, object]] = []
    original = service.retry_escrows

    def retry(job_id: str, keys=None) -> int:
        made.append((job_id, sorted(keys) if keys is not None else None))
        return original(job_id, keys)

    monkeypatch.setattr(service, "retry_escrows", retry)
    return made


async def test_retry_marked_then_all(escrowed: str, service: SyncService, calls: list) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-escrows")
        table = app.screen.query_one("#escrows-table", RowTable)
        assert table.row_count == 5 and app.focused is table
        await pilot.press("space", "space")  # marks the first two; the cursor moves on
        marks = [table.render_line(row).text.strip()[:1] for row in (1, 2, 3)]  # under the header
        assert marks[:2] == [MARK, MARK] and marks[2] != MARK
        detail = str(app.screen.query_one("#escrow-detail", Static).render())
        assert detail.startswith(escrow_name(app.screen.query_one(EscrowsPane).escrows[table.cursor_key]))
        await pilot.press("r")
        await settle(pilot)
        assert calls == [(escrowed, sorted(table.row_keys[:2]))]
        assert any("2 escrows of Demo: tenant → JSON file will be retried" in n for n in notifications(app))
        assert not app.screen.query_one(EscrowsPane).marked
        await pilot.press("r")  # nothing marked: the highlighted escrow
        await settle(pilot)
        assert calls[-1] == (escrowed, [table.row_keys[table.cursor_row]])
        await pilot.click("#escrow-retry_all")
        await settle(pilot)
        assert calls[-1] == (escrowed, None)
        assert any("5 escrows" in n for n in notifications(app))


async def test_dismiss_asks_first(escrowed: str, service: SyncService) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-escrows")
        table = app.screen.query_one("#escrows-table", RowTable)
        doomed = table.row_keys[0]
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Dismiss 1 escrow of “Demo: tenant → JSON file”?" in str(dialog.query_one("#dialog-title").render())
        await pilot.press("n")
        await settle(pilot)
        assert len(service.escrows(escrowed)) == 5
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert doomed not in {e["key"] for e in service.escrows(escrowed)}
        assert table.row_count == 4 and doomed not in table.row_keys


async def test_busy_and_not_found_are_notifications(
    escrowed: str, service: SyncService, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-escrows")
        original = service.dismiss_escrows

        def raced(job_id: str, keys) -> int:
            original(job_id, keys)  # the command line got there first: the service no longer has them
            return original(job_id, keys)

        monkeypatch.setattr(service, "dismiss_escrows", raced)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert any("no escrow" in n for n in notifications(app, "error"))

        def busy(job_id: str, keys=None) -> int:
            raise Busy(f"a cycle of job {job_id} is already running; wait for it or pause the job")

        monkeypatch.setattr(service, "retry_escrows", busy)
        await pilot.press("R")
        await settle(pilot)
        assert any("already running" in n for n in notifications(app, "error"))
        assert app.is_running


async def test_the_pane_asks_and_a_worker_answers(escrowed: str, service: SyncService) -> None:
    """The pane never calls the service: it posts a request, the screen's worker posts the answer."""
    messages: list[object] = []
    app = SyncApp(service)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-escrows")
        messages.clear()
        await pilot.press("R")
        await settle(pilot)
        requests = [m for m in messages if isinstance(m, EscrowsPane.RetryRequested)]
        answers = [m for m in messages if isinstance(m, EscrowsPane.Changed)]
        assert requests and requests[0].keys is None and requests[0].summary.job.id == escrowed
        assert answers and answers[0].request is requests[0] and answers[0].count == 5
        assert messages.index(requests[0]) < messages.index(answers[0])
        assert any("5 escrows" in n and "retried" in n for n in notifications(app))
