"""SVG snapshots of the main screens at 120×40 and at 80×24, with a frozen clock, fixed ids and no
cursor blink.

`pytest tests/tui --snapshot-update` rewrites them after an intended change."""

from __future__ import annotations

import pytest

from synctui.service import SyncService
from synctui.tui.app import SyncApp

from .conftest import SIZE, SMALL, no_blink, settle


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


def test_restart_dialog(snap_compare, ran: SyncService) -> None:
    assert snap_compare(make_app(ran), terminal_size=SIZE, run_before=before("r"))


@pytest.mark.parametrize("tab", ["tab-status", "tab-logs", "tab-escrows", "tab-schema", "tab-settings"])
def test_80x24(snap_compare, escrowed: str, service: SyncService, tab: str) -> None:
    """The jobs screen and each detail tab in the smallest supported terminal; the job has escrows
    and a scoping filter, so that every tab has something to show."""
    assert snap_compare(make_app(service), terminal_size=SMALL, run_before=before(tab=tab))
