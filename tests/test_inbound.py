"""The csvInbound template end to end: an HR CSV file provisions the tenant directory."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from synctui.service import ServiceError, SyncService

COLUMNS = [
    "EmployeeId",
    "FirstName",
    "LastName",
    "PreferredName",
    "Email",
    "Department",
    "JobTitle",
    "ManagerEmployeeId",
    "Status",
    "HireDate",
    "TerminationDate",
    "City",
    "Country",
    "Mobile",
    "Company",
]


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in COLUMNS} for row in rows)


def _worker(number: int, **extra: str) -> dict:
    row = {
        "EmployeeId": f"W{number}",
        "FirstName": "Zoë",
        "LastName": f"Núñez{number}",
        "Department": "Finance",
        "JobTitle": "Analyst",
        "Status": "Active",
        "HireDate": "2024-01-02",
        "Company": "Contoso",
    }
    row.update(extra)
    return row


@pytest.fixture
def inbound(service: SyncService, tmp_path: Path):
    hr = tmp_path / "hr.csv"
    _write(
        hr, [_worker(1), _worker(2, ManagerEmployeeId="W1", PreferredName="Zoe"), _worker(3, ManagerEmployeeId="W1")]
    )
    job = service.create_job("csvInbound", settings={"SourcePath": str(hr)})
    return service, job.id, hr


def _tenant_users(service: SyncService) -> dict[str, dict]:
    return {u.get("employeeId"): u for u in json.loads(service.home.tenant_file.read_text())["users"]}


def test_workers_become_tenant_users_with_managers(inbound) -> None:
    service, job_id, _hr = inbound
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Succeeded", execution.error
    users = _tenant_users(service)
    first, second = users["W1"], users["W2"]
    assert first["userPrincipalName"] == "zoe.nunez1@contoso.example"  # diacritics normalized, lower case
    assert second["displayName"] == "Zoe Núñez2" and second["manager"] == first["id"]
    assert first["accountEnabled"] is True and first["companyName"] == "Contoso"


def test_a_terminated_worker_is_disabled_and_a_moved_one_updated(inbound) -> None:
    service, job_id, hr = inbound
    service.run_cycle(job_id)
    _write(
        hr,
        [
            _worker(1),
            _worker(2, ManagerEmployeeId="W1", Status="Terminated", TerminationDate="2025-01-31"),
            _worker(3, ManagerEmployeeId="W1", Department="Legal"),
        ],
    )
    service.run_cycle(job_id)
    users = _tenant_users(service)
    assert users["W2"]["accountEnabled"] is False
    assert users["W3"]["department"] == "Legal"
    assert users["W2"]["userPrincipalName"] == "zoe.nunez2@contoso.example"  # create-only: kept


def test_a_malformed_hr_file_fails_the_cycle_and_changes_nothing(inbound) -> None:
    service, job_id, hr = inbound
    service.run_cycle(job_id)
    before = service.home.tenant_file.read_bytes()
    hr.write_text("EmployeeId,FirstName\nW1,Zoë,extra-field\n", encoding="utf-8")
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Failed"
    assert "hr.csv" in execution.error.message and "line 2" in execution.error.message
    assert service.home.tenant_file.read_bytes() == before


def test_a_malformed_tenant_file_never_deprovisions(service: SyncService, tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    job = service.create_job("jsonfile", secrets={"ConnectionString": str(target)})
    service.run_cycle(job.id)
    before = target.read_bytes()
    service.home.tenant_file.write_text('{"users": [{"displayName": "no id"}], "groups": []}')
    execution = service.run_cycle(job.id)
    assert execution.state.value == "Failed" and "directory.json" in execution.error.message
    assert target.read_bytes() == before


def test_missing_source_path_keeps_the_job_not_configured(service: SyncService) -> None:
    job = service.create_job("csvInbound")
    assert job.status.code.value == "NotConfigured"
    with pytest.raises(ServiceError, match="SourcePath"):
        service.run_cycle(job.id)
