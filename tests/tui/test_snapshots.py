"""SVG snapshots of the main screens at 120×40 with a frozen clock, fixed ids and no cursor blink.

`pytest tests/tui --snapshot-update` rewrites them after an intended change."""

from __future__ import annotations

import pytest

from synctui.service import SyncService
from synctui.tui.app import SyncApp

from .conftest import SIZE, job_id, no_blink, settle


@pytest.fixture
def ran(fixed_ids: None, service: SyncService) -> SyncService:
    service.run_cycle(job_id(service, "jsonfile"))
    return service


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
