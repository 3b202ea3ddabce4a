"""Regenerate screenshots/*.svg of every dashboard screen from the sample data, with a frozen clock.

    python screenshots/make_screenshots.py

Uses a throw-away home (never the user's), fixed ids and a 120×40 terminal (80×24 for the `*_80x24`
ones), so the SVGs only change when the dashboard does.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from synctui.bootstrap import open_service  # noqa: E402
from synctui.clock import FrozenClock  # noqa: E402
from synctui.service import SyncService  # noqa: E402
from synctui.store import Home  # noqa: E402
from synctui.tui.app import SyncApp  # noqa: E402

SIZE = (120, 40)
FROZEN = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def no_blink(app: SyncApp) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False


async def shoot(
    service: SyncService,
    name: str,
    steps: Callable[[object], Awaitable[None]] | None = None,
    size: tuple[int, int] = SIZE,
) -> None:
    app = SyncApp(service)
    app.sub_title = "~/.local/share/synctui"
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if steps is not None:
            await steps(pilot)
            await settle(pilot)
        no_blink(app)
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
        print(f"wrote screenshots/{name}.svg")


def tab(name: str) -> Callable[[object], Awaitable[None]]:
    async def steps(pilot) -> None:
        pilot.app.screen.action_tab(name)  # as `:` opens a tab: the focus in it

    return steps


def keys(*pressed: str) -> Callable[[object], Awaitable[None]]:
    async def steps(pilot) -> None:
        await pilot.press(*pressed)

    return steps


async def new_job(pilot) -> None:
    from textual.widgets import Select

    await pilot.press("c")
    await settle(pilot)
    pilot.app.screen.query_one("#new-template", Select).value = "scim"  # its fields appear


async def provision(pilot) -> None:
    from textual.widgets import Input

    await pilot.press("o")
    await settle(pilot)
    pilot.app.screen.query_one("#provision-search", Input).value = "Mohammed Anderson"
    await settle(pilot)  # the search runs in a worker
    await pilot.press("enter")


async def assignments(pilot) -> None:
    from synctui.tui.widgets.jobs_table import JobsTable

    table = pilot.app.screen.query_one(JobsTable)
    jobs = [key.value for key in table.rows]
    table.move_cursor(row=next(row for row, job in enumerate(jobs) if job and job.startswith("scim.")))
    await settle(pilot)
    pilot.app.screen.action_tab("tab-assignments")


def escrow_failures(service: SyncService, job: str) -> None:
    """Scope the job's users to Legal and give them a mapping that cannot evaluate (CDate of a
    department), so that a cycle escrows them: the scoping filter and the Escrows tab have content."""
    from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand

    schema = service.get_schema(job)
    users = schema.synchronization_rules[0].object_mappings[0]
    users.scope = Filter(
        groups=[
            FilterGroup(
                name="Group 1",
                clauses=[
                    FilterClause(
                        source_operand_name="department",
                        operator_name="EQUALS",
                        target_operand=FilterOperand(values=["Legal"]),
                    ),
                    FilterClause(source_operand_name="accountEnabled", operator_name="IS TRUE"),
                ],
            ),
            FilterGroup(
                name="Group 2",
                clauses=[
                    FilterClause(
                        source_operand_name="jobTitle",
                        operator_name="ENDS_WITH",
                        target_operand=FilterOperand(values=["Counsel"]),
                    )
                ],
            ),
        ]
    )
    title = next(m for m in users.attribute_mappings if m.target_attribute_name == "jobTitle")
    title.source = service.parse_expression("CDate([department])").parsed_expression
    service.put_schema(job, schema)
    service.run_cycle(job)


async def scope_filter(pilot) -> None:
    from synctui.tui.widgets.schema_tree import SchemaTree, ScopeRef

    pilot.app.screen.action_tab("tab-schema")
    await settle(pilot)
    tree = pilot.app.screen.query_one(SchemaTree)
    tree.move_cursor(next(n for n in tree._tree_nodes.values() if n.data == ScopeRef(0, 0, 0, 0)))
    tree.scroll_to_node(next(n for n in tree._tree_nodes.values() if n.data == ScopeRef(0, 0)), animate=False)


async def scope_clause(pilot) -> None:
    await scope_filter(pilot)
    await pilot.press("enter")


async def escrows_marked(pilot) -> None:
    pilot.app.screen.action_tab("tab-escrows")
    await settle(pilot)
    await pilot.press("space", "space")


async def logs_search(pilot) -> None:
    pilot.app.screen.action_tab("tab-logs")
    await settle(pilot)
    await pilot.press("f", "slash", *"legal", "enter")  # enter: search the whole log now
    await settle(pilot)


async def typed_delete(pilot) -> None:
    await pilot.press("d")
    await settle(pilot)
    await pilot.press(*"Demo: tenant -> JSON")


async def main() -> None:
    counter = itertools.count(1)
    uuid.uuid4 = lambda: uuid.UUID(int=next(counter))  # type: ignore[assignment]
    random.seed(0)  # the ids a cycle makes come from `random` (synctui/ids.py)
    with tempfile.TemporaryDirectory() as tmp:
        service = open_service(Home(Path(tmp) / "home"), clock=FrozenClock(FROZEN))
        jsonfile = next(s.job.id for s in service.job_summaries() if s.job.template_id == "jsonfile")
        service.run_cycle(jsonfile)
        await shoot(service, "jobs")
        await shoot(service, "status", tab("tab-status"))
        await shoot(service, "logs", tab("tab-logs"))
        await shoot(service, "schema", tab("tab-schema"))
        await shoot(service, "settings", tab("tab-settings"))
        await shoot(service, "assignments", assignments)
        await shoot(service, "restart", keys("r"))
        await shoot(service, "delete", keys("d"))
        await shoot(service, "new_job", new_job)
        await shoot(service, "preview", keys("v"))
        await shoot(service, "provision_on_demand", provision)
        await shoot(service, "goto", keys("colon", "e", "s"))
        await shoot(service, "help", keys("question_mark"))
        await shoot(service, "delete_typed", typed_delete)
        await shoot(service, "jobs_80x24", size=(80, 24))
        await shoot(service, "schema_80x24", tab("tab-schema"), size=(80, 24))
        escrow_failures(service, jsonfile)
        await shoot(service, "escrows", escrows_marked)
        await shoot(service, "escrows_80x24", tab("tab-escrows"), size=(80, 24))
        await shoot(service, "logs_search", logs_search)
        await shoot(service, "scope_filter", scope_filter)
        await shoot(service, "scope_clause", scope_clause)


if __name__ == "__main__":
    asyncio.run(main())
