"""Kill a real `synctui serve` again and again while a `scim` job exports to a SCIM server with
several requests in flight; the server must end exactly as the mappings say."""

from __future__ import annotations

import json
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from synctui.cli import main

from ..processes import cycle_was_cut_short, pause_demo_jobs, serve, wait_for_a_cycle
from ._server import ENTERPRISE, TOKEN, ScimServer

USERS = 200


def _tenant() -> dict[str, Any]:
    users = [
        {
            "id": f"u{n}",
            "userPrincipalName": f"person{n}@contoso.example",
            "displayName": f"Person {n}",
            "givenName": "Person",
            "surname": str(n),
            "mail": f"person{n}@contoso.example",
            "mailNickname": f"person{n}",
            "department": "Sales",
            "accountEnabled": True,
            "manager": f"u{n // 10}" if n >= 10 else None,
        }
        for n in range(USERS)
    ]
    groups = [
        {
            "id": f"g{g}",
            "displayName": f"Team {g}",
            "mailNickname": f"team{g}",
            "members": [f"u{n}" for n in range(g * 50, (g + 1) * 50)],
        }
        for g in range(USERS // 100)
    ]
    return {"users": users, "groups": groups}


def _all(server: ScimServer, resource: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.base_address}/{resource}?count=10000", headers={"Authorization": f"Bearer {TOKEN}"})
    response.raise_for_status()
    return response.json().get("Resources", [])


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_during_parallel_exports_loses_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    start_server: Callable[..., ScimServer],
) -> None:
    server = start_server(token=TOKEN)
    home, source = tmp_path / "home", tmp_path / "tenant.json"
    tenant = _tenant()
    source.write_text(json.dumps(tenant))
    monkeypatch.setenv("SYNCTUI_HOME", str(home))
    pause_demo_jobs(capsys)
    main(
        [
            "jobs",
            "create",
            "--template",
            "scim",
            "--secret",
            f"BaseAddress={server.base_address}",
            "--secret",
            f"SecretToken={TOKEN}",
            "--secret",
            "SyncAll=true",  # every user in scope: the kills must land among many exports
            "--setting",
            f"SourcePath={source}",
            "--setting",
            "ScimManagerShape=object",
            "--setting",
            "ScimMaxParallelRequests=8",
            "--setting",
            "CheckpointSeconds=0.05",
            "--interval",
            "PT1S",
        ]
    )
    job_id = capsys.readouterr().out.strip()
    assert main(["jobs", "start", job_id]) == 0

    rng = random.Random(20261130)
    state_file = home / "jobs" / f"{job_id}.json"
    cut_short = 0
    for round_number in range(5):
        if round_number:
            for user in rng.sample(tenant["users"], USERS // 4):
                user["displayName"] = f"Person {user['id'][1:]} ({round_number})"
            source.write_text(json.dumps(tenant))
        process = serve(home)
        wait_for_a_cycle(state_file, deadline=time.monotonic() + 30)
        time.sleep(rng.uniform(0.0, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
        cut_short += cycle_was_cut_short(state_file)
    assert cut_short >= 2, f"only {cut_short} of 5 kills landed in the middle of a cycle"

    capsys.readouterr()
    assert main(["jobs", "run", job_id]) == 0
    assert main(["jobs", "run", job_id]) == 0  # references settle
    capsys.readouterr()
    main(["jobs", "run", job_id, "--json"])
    last = json.loads(capsys.readouterr().out)
    assert last["countExports"] == 0 and last["countEscrowed"] == 0

    users = _all(server, "Users")
    names = [user["userName"] for user in users]
    assert len(names) == len(set(names)) == USERS, "a user was created twice or is missing"
    ids = {user["userName"]: user["id"] for user in users}
    by_name = {user["userName"]: user for user in users}
    for person in tenant["users"]:
        written = by_name[person["userPrincipalName"]]
        assert written["displayName"] == person["displayName"]
        if person["manager"]:
            manager = tenant["users"][int(person["manager"][1:])]["userPrincipalName"]
            assert written[ENTERPRISE]["manager"]["value"] == ids[manager]
    groups = {group["displayName"]: group for group in _all(server, "Groups")}
    assert len(groups) == len(tenant["groups"])
    for team in tenant["groups"]:
        members = {member["value"] for member in groups[team["displayName"]].get("members", [])}
        assert members == {ids[f"person{m[1:]}@contoso.example"] for m in team["members"]}
