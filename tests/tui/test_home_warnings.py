"""The dashboard says what the command line prints on stderr: a home others may write to."""

from __future__ import annotations

from pathlib import Path

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.store import Home
from synctui.tui.app import SyncApp

from .conftest import SIZE, notifications, settle


async def test_a_home_others_may_write_to_is_a_warning(tmp_path: Path, clock: FrozenClock) -> None:
    home = Home(tmp_path / "home")
    open_service(home, clock=clock)
    home.root.chmod(0o777)
    app = SyncApp(open_service(home, clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any(f"{home.root} can be written by other users" in n for n in notifications(app, "warning"))
