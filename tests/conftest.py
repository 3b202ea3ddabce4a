from __future__ import annotations

from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.service import SyncService
from synctui.store import Home


@pytest.fixture(autouse=True)
def _isolated_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the user's home folder."""
    monkeypatch.delenv("SYNCTUI_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


@pytest.fixture
def service(home: Home, clock: FrozenClock) -> SyncService:
    """A service on a freshly seeded home: the sample company and the three demo jobs."""
    return open_service(home, clock=clock)
