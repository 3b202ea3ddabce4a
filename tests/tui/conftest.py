"""Dashboard tests: a real service in a temporary home with a frozen clock; never the user's home."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from synctui.clock import FrozenClock
from synctui.service import SyncService
from synctui.store import Home
from synctui.tui.app import SyncApp

FROZEN = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)
SIZE = (120, 40)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN)


@pytest.fixture
def service(tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> SyncService:
    monkeypatch.chdir(tmp_path)
    return SyncService(Home(tmp_path / "home"), clock=clock)


@pytest.fixture
def app(service: SyncService) -> SyncApp:
    return SyncApp(service)


def job_id(service: SyncService, template: str) -> str:
    return next(s.job.id for s in service.job_summaries() if s.job.template_id == template)


async def settle(pilot) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def select(pilot, service: SyncService, template: str) -> str:
    from synctui.tui.widgets.jobs_table import JobsTable

    await settle(pilot)
    target = job_id(service, template)
    table = pilot.app.screen.query_one(JobsTable)
    keys = [key.value for key in table.rows]
    table.move_cursor(row=keys.index(target))
    await settle(pilot)
    assert pilot.app.screen.selected == target
    return target


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic job ids (the Status tab shows them) for snapshots."""
    import itertools
    import uuid

    counter = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))


def no_blink(app) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False
