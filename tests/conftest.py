from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from synctui.bootstrap import open_service
from synctui.cli import main
from synctui.clock import FrozenClock
from synctui.service import SyncService
from synctui.store import Home

# Property tests run the same examples on every run (a failure is one a rerun shows again) and are
# never failed for a slow example: on a busy machine a GC pause outlasts hypothesis's 200 ms.
settings.register_profile("synctui", deadline=None, derandomize=True)
settings.load_profile("synctui")


@pytest.fixture(autouse=True)
def _isolated_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the user's home folder."""
    monkeypatch.delenv("SYNCTUI_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`synctui ARGS…` in this process on a home of its own: returns (exit code, stdout, stderr);
    `cli.home` is the home folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("SYNCTUI_HOME", str(home))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.home = home  # type: ignore[attr-defined]
    return run


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
