"""Dashboard tests: a real service in a temporary home with a frozen clock; never the user's home."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.service import SyncService
from synctui.store import Home
from synctui.tui.app import SyncApp

FROZEN = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _no_timers_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jobs screen's timers (relative times, the look at the home) never fire by themselves in a
    test: on a busy machine a test outlasts their seconds, and a reload it did not ask for would
    change what it sees. Tests call `_tick` and `_look_at_home` where they mean to."""
    from synctui.tui.screens import jobs

    monkeypatch.setattr(jobs, "TICK", 1e9)
    monkeypatch.setattr(jobs, "HOME_POLL", 1e9)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN)


@pytest.fixture
def service(tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> SyncService:
    monkeypatch.chdir(tmp_path)
    return open_service(Home(tmp_path / "home"), clock=clock)


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
    """Deterministic job and object ids (the Status tab and a log entry show them) for snapshots."""
    import itertools
    import random
    import uuid

    counter = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))
    random.seed(0)  # the ids a cycle makes come from `random` (synctui/ids.py): a log entry shows them


def no_blink(app) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False


SMALL = (80, 24)
"""The smallest terminal the dashboard must stay usable in."""


@pytest.fixture
def ran(fixed_ids: None, service: SyncService) -> SyncService:
    """The jsonfile demo job after one cycle (it has logs)."""
    service.run_cycle(job_id(service, "jsonfile"))
    return service


@pytest.fixture
def escrowed(fixed_ids: None, service: SyncService) -> str:
    """The jsonfile job after a cycle that escrowed the 5 users of Legal: its scope keeps only them and
    their jobTitle mapping, CDate([department]), fails to evaluate. Returns the job id."""
    from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand

    job = job_id(service, "jsonfile")
    schema = service.get_schema(job)
    users = schema.synchronization_rules[0].object_mappings[0]
    users.scope = Filter(
        groups=[
            FilterGroup(
                name="Legal",
                clauses=[
                    FilterClause(
                        source_operand_name="department",
                        operator_name="EQUALS",
                        target_operand=FilterOperand(values=["Legal"]),
                    )
                ],
            )
        ]
    )
    title = next(m for m in users.attribute_mappings if m.target_attribute_name == "jobTitle")
    title.source = service.parse_expression("CDate([department])").parsed_expression
    service.put_schema(job, schema)
    service.run_cycle(job)
    assert len(service.escrows(job)) == 5
    return job


def notifications(app, severity: str | None = None) -> list[str]:
    return [f"{n.title or ''}: {n.message}" for n in app._notifications if severity in (None, n.severity)]


async def open_new_job(pilot, template: str | None = None):
    """Open the New-job form (`c`) and, if given, choose a template (its fields appear)."""
    from textual.widgets import Select

    from synctui.tui.screens.new_job import NewJobScreen

    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, NewJobScreen)
    if template is not None:
        screen.query_one("#new-template", Select).value = template
        await settle(pilot)
    return screen


async def open_tab(pilot, tab: str) -> None:
    """Open a tab the way `:` does (focus in the tab) and let it load."""
    pilot.app.screen.action_tab(tab)
    await settle(pilot)


def screen_text(app) -> str:
    """The screen's text, from the SVG screenshot (one <text> per run of one style)."""
    import html
    import re

    svg = app.export_screenshot(simplify=True)
    return html.unescape(re.sub(r"<[^>]+>", "", svg.split("</style>")[-1])).replace("\xa0", " ")
