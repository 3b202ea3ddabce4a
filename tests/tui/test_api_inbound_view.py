"""The dashboard shows an API-driven inbound job's staged payloads, and where the Graph endpoint listens."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from synctui.clock import FrozenClock
from synctui.service import SyncService
from synctui.tui.app import SyncApp

from .conftest import SIZE, select, settle

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "inbound-bulk-request.json"


def _text(app: SyncApp, selector: str) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def test_the_status_tab_lists_staged_operations_and_whether_they_ran(
    service: SyncService, clock: FrozenClock
) -> None:
    job = service.create_job("apiInbound", name="HR API").id or ""
    service.bulk_upload(job, SAMPLE.read_bytes())
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "apiInbound")
        staged = _text(app, "#staged")
        assert "5 operation(s) received, 5 waiting for the next cycle" in staged
        assert "waiting  W9001-hire → W9001" in staged

        clock.advance(1)
        service.start_job(job)
        service.run_cycle(job)
        await settle(pilot)
        assert "0 waiting" in _text(app, "#staged") and "processed  W9005-hire → W9005" in _text(app, "#staged")


async def test_the_staged_panel_is_hidden_for_other_jobs(service: SyncService) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        assert not app.screen.query_one("#staged", Static).display


async def test_the_header_and_the_help_say_where_the_graph_endpoint_listens(service: SyncService) -> None:
    app = SyncApp(service, graph_url="http://127.0.0.1:8770/v1.0")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.sub_title.endswith("Graph API on http://127.0.0.1:8770/v1.0")
        await pilot.press("question_mark")
        await settle(pilot)
        assert "On at http://127.0.0.1:8770/v1.0" in _text(app, "#help-graph")


async def test_the_help_says_the_graph_endpoint_is_off_and_how_to_start_it(service: SyncService) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Graph API" not in app.sub_title
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Off. Start the dashboard with `synctui --graph [HOST:]PORT`" in _text(app, "#help-graph")
