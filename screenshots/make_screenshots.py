"""Regenerate screenshots/*.svg of every dashboard screen from the sample data, with a frozen clock.

    python screenshots/make_screenshots.py

Uses a throw-away home (never the user's), fixed ids and a 120×40 terminal, so the SVGs only change
when the dashboard does.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from synctui.clock import FrozenClock  # noqa: E402
from synctui.service import SyncService  # noqa: E402
from synctui.store import Home  # noqa: E402
from synctui.tui.app import SyncApp  # noqa: E402

SIZE = (120, 40)
FROZEN = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def no_blink(app: SyncApp) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False


async def shoot(service: SyncService, name: str, steps: Callable[[object], Awaitable[None]] | None = None) -> None:
    app = SyncApp(service)
    app.sub_title = "~/.local/share/synctui"
    async with app.run_test(size=SIZE) as pilot:
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
        pilot.app.screen.query_one("#detail").active = name
    return steps


def keys(*pressed: str) -> Callable[[object], Awaitable[None]]:
    async def steps(pilot) -> None:
        await pilot.press(*pressed)
    return steps


async def provision(pilot) -> None:
    from textual.widgets import Input

    await pilot.press("o")
    await settle(pilot)
    pilot.app.screen.query_one("#provision-search", Input).value = "Mohammed Anderson"
    await pilot.pause()
    await pilot.press("enter")


async def main() -> None:
    counter = itertools.count(1)
    uuid.uuid4 = lambda: uuid.UUID(int=next(counter))  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        service = SyncService(Home(Path(tmp) / "home"), clock=FrozenClock(FROZEN))
        jsonfile = next(s.job.id for s in service.job_summaries() if s.job.template_id == "jsonfile")
        service.run_cycle(jsonfile)
        await shoot(service, "jobs")
        await shoot(service, "status", tab("tab-status"))
        await shoot(service, "logs", tab("tab-logs"))
        await shoot(service, "escrows", tab("tab-escrows"))
        await shoot(service, "schema", tab("tab-schema"))
        await shoot(service, "settings", tab("tab-settings"))
        await shoot(service, "restart", keys("r"))
        await shoot(service, "delete", keys("d"))
        await shoot(service, "new_job", keys("c"))
        await shoot(service, "preview", keys("v"))
        await shoot(service, "provision_on_demand", provision)


if __name__ == "__main__":
    asyncio.run(main())
