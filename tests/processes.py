"""`synctui serve` in a process of its own, for the tests that kill it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from synctui.cli import main
from synctui.service import SyncService


def pause_demo_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed the home (SYNCTUI_HOME) with its demo jobs, and pause them: only the test's job runs."""
    main(["jobs", "list", "--json"])
    for job in json.loads(capsys.readouterr().out)["value"]:
        main(["jobs", "pause", job["id"]])


def serve(home: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SYNCTUI_HOME=str(home))
    return subprocess.Popen(
        [sys.executable, "-m", "synctui.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def cycle_was_cut_short(state_file: Path) -> bool:
    try:
        meta = json.loads(state_file.read_text()).get("meta", {})
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    return any("cursor" in record for record in meta.values())


def wait_for_a_cycle(state_file: Path, deadline: float) -> None:
    """Until a cycle has written its first checkpoint (state files are replaced atomically)."""
    while time.monotonic() < deadline and not cycle_was_cut_short(state_file):
        time.sleep(0.02)


def jsonfile_job_over_a_small_tenant(
    service: SyncService, folder: Path, users: int, *, user: dict[str, Any] | None = None, **settings: str
) -> str:
    """A jsonfile job reading `folder`/tenant.json, written with `users` plain users (each with the
    attributes of `user` too), and writing `folder`/target.json: a cycle of a chosen length."""
    tenant = {
        "users": [
            {
                "id": f"u{n}",
                "userPrincipalName": f"p{n}@contoso.example",
                "displayName": f"P {n}",
                "mailNickname": f"p{n}",
                "accountEnabled": True,
                **(user or {}),
            }
            for n in range(users)
        ],
        "groups": [],
    }
    (folder / "tenant.json").write_text(json.dumps(tenant))
    job = service.create_job(
        "jsonfile",
        secrets={"ConnectionString": str(folder / "target.json")},
        settings={"SourcePath": str(folder / "tenant.json"), **settings},
    )
    assert job.id
    return job.id
