"""Kill a real `synctui serve` at random points of a several-thousand-object cycle, many times;
the target must end exactly as the mappings say: no duplicates, nothing missing, nothing stale."""

from __future__ import annotations

import json
import random
import signal
import sys
import time
from pathlib import Path

import pytest

from synctui.cli import main

from .processes import cycle_was_cut_short, pause_demo_jobs, serve, wait_for_a_cycle

USERS = 3000


def _tenant(users: int) -> dict:
    people = [
        {
            "id": f"user-{n:05d}",
            "userPrincipalName": f"person{n}@contoso.example",
            "displayName": f"Person {n}",
            "givenName": "Person",
            "surname": str(n),
            "mail": f"person{n}@contoso.example",
            "mailNickname": f"person{n}",
            "department": ["Sales", "R&D", "Finance"][n % 3],
            "jobTitle": "Staff",
            "employeeId": f"E{n:05d}",
            "accountEnabled": n % 50 != 0,
            "manager": f"user-{n // 10:05d}" if n >= 10 else None,
        }
        for n in range(users)
    ]
    groups = [
        {
            "id": f"group-{g}",
            "displayName": f"Team {g}",
            "mailNickname": f"team{g}",
            "members": [p["id"] for p in people[g * 50 : (g + 1) * 50]],
        }
        for g in range(users // 50)
    ]
    return {"users": people, "groups": groups}


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_at_random_points_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, source, target = tmp_path / "home", tmp_path / "tenant.json", tmp_path / "target.json"
    tenant = _tenant(USERS)
    source.write_text(json.dumps(tenant))
    monkeypatch.setenv("SYNCTUI_HOME", str(home))
    pause_demo_jobs(capsys)
    main(
        [
            "jobs",
            "create",
            "--template",
            "jsonfile",
            "--secret",
            f"ConnectionString={target}",
            "--setting",
            f"SourcePath={source}",
            "--setting",
            "CheckpointSeconds=0.05",
            "--interval",
            "PT1S",
        ]
    )
    job_id = capsys.readouterr().out.strip()
    main(["jobs", "start", job_id])

    rng = random.Random(20261128)
    cut_short = 0
    for round_number in range(10):
        if round_number:
            # The source moves on while the job keeps dying: each cycle has plenty to export.
            for user in rng.sample(tenant["users"], len(tenant["users"]) // 3):
                user["displayName"] = f"{user['displayName'].split(' (')[0]} ({round_number})"
                user["accountEnabled"] = rng.random() > 0.05
            if round_number == 5:
                del tenant["users"][3]
                tenant["groups"][0]["members"].remove(tenant["users"][4]["id"])
            source.write_text(json.dumps(tenant))
        process = serve(home)
        wait_for_a_cycle(home / "jobs" / f"{job_id}.json", deadline=time.monotonic() + 20)
        time.sleep(rng.uniform(0.0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        cut_short += cycle_was_cut_short(home / "jobs" / f"{job_id}.json")
    assert cut_short >= 3, f"only {cut_short} of 10 kills landed in the middle of a cycle"

    capsys.readouterr()
    assert main(["jobs", "run", job_id]) == 0
    assert main(["jobs", "run", job_id]) == 0  # references settle; then nothing left to do
    capsys.readouterr()
    main(["jobs", "run", job_id, "--json"])
    assert json.loads(capsys.readouterr().out)["countExports"] == 0

    written = json.loads(target.read_text())
    by_upn: dict[str, list[dict]] = {}
    for user in written["User"]:
        by_upn.setdefault(user["userPrincipalName"], []).append(user)
    assert all(len(copies) == 1 for copies in by_upn.values()), "a user was created twice"
    target_id = {upn: copies[0]["id"] for upn, copies in by_upn.items()}
    source_ids = {u["id"]: u["userPrincipalName"] for u in tenant["users"]}
    for user in tenant["users"]:
        exported = by_upn.get(user["userPrincipalName"])
        if not user["accountEnabled"] and exported is None:
            continue  # never active, never created
        assert exported is not None, f"{user['userPrincipalName']} is missing"
        exported = exported[0]
        assert exported["displayName"] == user["displayName"]
        assert exported["accountEnabled"] is user["accountEnabled"]
        manager = user.get("manager")
        if manager in source_ids and source_ids[manager] in target_id:
            assert exported.get("manager") == target_id[source_ids[manager]]
    assert "person3@contoso.example" not in by_upn  # deleted in the source
    groups = {g["displayName"]: g for g in written["Group"]}
    assert len(groups) == len(tenant["groups"])
    team0 = {tid for tid in groups["Team 0"]["members"]}
    expected = {target_id[source_ids[m]] for m in tenant["groups"][0]["members"] if source_ids.get(m) in target_id}
    assert team0 == expected


def test_sigterm_stops_serve_at_a_checkpoint_and_the_cycle_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, source, target = tmp_path / "home", tmp_path / "tenant.json", tmp_path / "target.json"
    source.write_text(json.dumps(_tenant(USERS)))
    monkeypatch.setenv("SYNCTUI_HOME", str(home))
    pause_demo_jobs(capsys)
    main(
        [
            "jobs",
            "create",
            "--template",
            "jsonfile",
            "--secret",
            f"ConnectionString={target}",
            "--setting",
            f"SourcePath={source}",
            "--setting",
            "CheckpointSeconds=0.05",
        ]
    )
    job_id = capsys.readouterr().out.strip()
    main(["jobs", "start", job_id])
    process = serve(home)
    wait_for_a_cycle(home / "jobs" / f"{job_id}.json", deadline=time.monotonic() + 20)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert cycle_was_cut_short(home / "jobs" / f"{job_id}.json")  # stopped mid-cycle, cursor saved
    capsys.readouterr()
    main(["jobs", "get", job_id])
    interrupted = json.loads(capsys.readouterr().out)
    assert main(["jobs", "run", job_id, "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    # The same cycle went on from its cursor instead of starting over.
    assert resumed["activityIdentifier"] == interrupted["status"]["lastExecution"]["activityIdentifier"]
    written = json.loads(target.read_text())
    upns = [user["userPrincipalName"] for user in written["User"]]
    assert len(upns) == len(set(upns)) == sum(1 for n in range(USERS) if n % 50 != 0)
