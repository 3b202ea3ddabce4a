"""Simulate changes: the tenant and HR file change as a day at work would, and cycles follow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synctui.demo.churn import churn
from synctui.demo.company import sample_files
from synctui.service import ServiceError, SyncService


def test_churn_makes_every_kind_of_change_and_keeps_references_whole() -> None:
    document = json.loads(sample_files()["directory.json"])
    before = {user["id"]: dict(user) for user in document["users"]}
    changes = churn(document, renamed=0.01, moved=0.01, memberships=0.05, seed=4)
    assert changes.changed and changes.renamed and changes.moved and changes.disabled
    assert changes.deleted and changes.added and changes.memberships
    ids = {user["id"] for user in document["users"]}
    assert all(user.get("manager") in ids for user in document["users"] if user.get("manager"))
    assert all(member in ids for group in document["groups"] for member in group["members"])
    renamed = [u for u in document["users"] if u["id"] in before and u["surname"] != before[u["id"]]["surname"]]
    assert renamed and all(u["displayName"].endswith(u["surname"]) for u in renamed)


def test_simulate_changes_feeds_an_incremental_cycle(service: SyncService, tmp_path: Path) -> None:
    job = service.create_job("jsonfile", secrets={"ConnectionString": str(tmp_path / "target.json")})
    service.run_cycle(job.id)
    summary = service.simulate_changes(seed=11)
    assert summary.startswith("tenant: ") and "HR file: " in summary
    execution = service.run_cycle(job.id)
    assert 0 < execution.count_imported_deltas < execution.count_imported
    assert execution.count_exported > 0 and execution.state.value == "Succeeded"
    assert service.run_cycle(job.id).count_exports == 0


def test_the_same_seed_twice_adds_hires_with_ids_of_their_own(service: SyncService) -> None:
    service.simulate_changes(seed=3)
    service.simulate_changes(seed=3)
    users = json.loads(service.home.tenant_file.read_bytes())["users"]
    assert len({user["id"] for user in users}) == len(users)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("hr.csv", b"\xff\xfeEmployeeId\n", "is not UTF-8"),
        ("hr.csv", b"EmployeeId,FirstName\nE1,Ann,extra\n", "expected 2 fields"),
        ("hr.csv", b"FirstName\nAnn\n", 'no "EmployeeId" column'),
        ("directory.json", b'{"users": 5}', '"users" must be a list'),
        ("directory.json", b"{not json", "not valid JSON"),
    ],
)
def test_a_malformed_file_changes_neither_file(service: SyncService, name: str, content: bytes, problem: str) -> None:
    (service.home.tenant_dir / name).write_bytes(content)
    before = {path.name: path.read_bytes() for path in service.home.tenant_dir.iterdir()}
    with pytest.raises(ServiceError, match=problem) as raised:
        service.simulate_changes(seed=1)
    assert str(raised.value).startswith("cannot simulate changes: ") and "nothing was changed" in str(raised.value)
    assert {path.name: path.read_bytes() for path in service.home.tenant_dir.iterdir()} == before


def test_a_hire_named_like_someone_in_the_tenant_gets_a_principal_name_of_their_own(cli) -> None:
    """Seed 39's HR hire is a Margaret Smith, a name the tenant already has: the HR job gives the
    hire the next free userPrincipalName (SelectUniqueValue), never a second one of hers."""
    code, out, _ = cli("jobs", "list", "--json")
    hr_job = next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == "csvInbound")
    assert cli("jobs", "run", hr_job)[0] == 0
    assert cli("demo", "churn", "--seed", "39")[0] == 0
    code, out, err = cli("jobs", "run", hr_job)
    assert code == 0, out + err
    users = json.loads((cli.home / "tenant" / "directory.json").read_bytes())["users"]
    names = [user["userPrincipalName"].lower() for user in users]
    assert len(set(names)) == len(names)
    hired = (cli.home / "tenant" / "hr.csv").read_text().splitlines()[-1].split(",")[0]
    hire = next(user for user in users if user.get("employeeId") == hired)
    assert (hire["givenName"], hire["surname"]) == ("Margaret", "Smith")
    assert hire["userPrincipalName"] == "m.smith@contoso.example"
