"""The sample company and the large-tenant generator: deterministic, consistent, loadable."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from synctui.connectors.csvfile import CsvDirectory
from synctui.connectors.tenant import TenantDirectory

from .helpers import REPOSITORY, load_script

SAMPLE = REPOSITORY / "sample_data"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return load_script("sample_data/generate.py")


@pytest.fixture(scope="module")
def generate_tenant() -> ModuleType:
    return load_script("benchmarks/generate_tenant.py")


@pytest.fixture(scope="module")
def tenant() -> TenantDirectory:
    return TenantDirectory(SAMPLE / "directory.json")


def test_the_committed_files_are_the_generators_output(generate: ModuleType) -> None:
    for name, data in generate.sample_files().items():
        assert (SAMPLE / name).read_bytes() == data, f"sample_data/{name} is stale: run sample_data/generate.py"


def test_the_sample_company(tenant: TenantDirectory) -> None:
    users = list(tenant.read_all("User"))
    ids = {user["id"] for user in users}
    assert len(users) == 300
    assert sum(not user["accountEnabled"] for user in users) == 9  # 3%
    assert len({user["department"] for user in users}) == 12
    assert any(re.search(r"[^\x00-\x7f]", user["displayName"]) for user in users)
    for user in users:
        nickname = user["mailNickname"]
        assert re.fullmatch(r"[a-z]+\.[a-z]+\d*", nickname)
        assert user["userPrincipalName"] == user["mail"] == f"{nickname}@contoso.example"
        assert user["manager"] is None or user["manager"] in ids
    assert len({user["userPrincipalName"] for user in users}) == 300
    assert len({user["employeeId"] for user in users}) == 300


def test_everyone_reports_up_to_the_ceo(tenant: TenantDirectory) -> None:
    managers = {user["id"]: user["manager"] for user in tenant.read_all("User")}
    (ceo,) = [user_id for user_id, manager in managers.items() if manager is None]
    assert tenant.get("User", ceo)["jobTitle"] == "Chief Executive Officer"
    vice_presidents = [user_id for user_id, manager in managers.items() if manager == ceo]
    assert len(vice_presidents) == 11
    for user_id in managers:
        chain = [user_id]
        while managers[chain[-1]] is not None:
            chain.append(managers[chain[-1]])
            assert len(chain) < 10
        assert chain[-1] == ceo


def test_the_sample_groups(tenant: TenantDirectory) -> None:
    groups = {group["displayName"]: group for group in tenant.read_all("Group")}
    ids = {user["id"] for user in tenant.read_all("User")}
    assert len(groups) == 17
    assert len(groups["All Staff"]["members"]) == 300
    assert len(groups["Leadership Team"]["members"]) == 12
    assert groups["SG-Managers"]["securityEnabled"] is True and groups["SG-Managers"]["mail"] is None
    assert groups["Sales"]["mail"] == "dept-sales@contoso.example"
    assert all(set(group["members"]) <= ids for group in groups.values())


def test_the_hr_export_matches_the_tenant(tenant: TenantDirectory) -> None:
    workers = list(CsvDirectory(SAMPLE / "hr.csv").read_all("User"))
    statuses = Counter(worker["Status"] for worker in workers)
    assert statuses == {"Active": 112, "Terminated": 5, "Leave": 3}
    employees = {user["employeeId"] for user in tenant.read_all("User")}
    new_hires = [worker for worker in workers if worker["EmployeeId"] not in employees]
    assert len(new_hires) == 12
    assert all(worker["Email"] is None for worker in new_hires)
    assert all(worker["TerminationDate"] for worker in workers if worker["Status"] == "Terminated")


def test_a_large_tenant(generate_tenant: ModuleType) -> None:
    document = generate_tenant.build_tenant(2000, seed=3)
    users, groups = document["users"], document["groups"]
    assert len(users) == 2000
    assert sum(not user["accountEnabled"] for user in users) == 40  # 2%
    assert len(groups) == 40
    assert {len(group["members"]) for group in groups} == {50}
    assert generate_tenant.build_tenant(2000, seed=3) == document


def test_churn(generate_tenant: ModuleType) -> None:
    document = generate_tenant.build_tenant(2000, seed=3)
    before = {user["id"]: dict(user) for user in document["users"]}
    counts = generate_tenant.churn(document, seed=5)
    assert counts == {"changed": 20, "disabled": 10, "deleted": 4, "added": 10}

    after = {user["id"]: user for user in document["users"]}
    assert len(after) == 2000 - 4 + 10
    assert len(set(before) - set(after)) == 4
    assert sum(1 for user_id, user in after.items() if user_id in before and user != before[user_id]) >= 30
    assert all(user["manager"] is None or user["manager"] in after for user in after.values())
    assert all(member in after for group in document["groups"] for member in group["members"])
    assert len({user["userPrincipalName"] for user in after.values()}) == len(after)
    assert len({user["employeeId"] for user in after.values()}) == len(after)


def test_the_benchmark_script_writes_a_loadable_tenant(
    generate_tenant: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tenant.json"
    generate_tenant.main(["500", str(out), "--seed", "1"])
    assert "500 users, 10 groups" in capsys.readouterr().out
    assert len(list(TenantDirectory(out).read_all("User"))) == 500
