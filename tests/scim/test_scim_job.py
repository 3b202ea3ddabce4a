"""The `scim` template end to end: the service runs cycles against a real SCIM server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.connectors.base import Modification
from synctui.connectors.tenant import TenantDirectory
from synctui.models import SynchronizationStatusCode as Code
from synctui.store import Home

from ._server import ENTERPRISE, TOKEN, ScimServer, scim_get, scim_users


def _tenant(count: int = 6) -> dict[str, Any]:
    users = [
        {
            "id": f"u{n}",
            "userPrincipalName": f"user{n}@contoso.example",
            "displayName": f"User {n}",
            "givenName": "User",
            "surname": f"N{n}",
            "mail": f"user{n}@contoso.example",
            "mailNickname": f"user{n}",
            "department": "Sales",
            "jobTitle": "Rep",
            "employeeId": f"E{n}",
            "accountEnabled": True,
            "city": "Oslo",
            "manager": f"u{n // 5}" if n else None,
        }
        for n in range(count)
    ]
    groups = [{"id": "g1", "displayName": "Sales", "mailNickname": "sales", "members": ["u0", "u1", "u2"]}]
    return {"users": users, "groups": groups}


@pytest.fixture
def scim_job(tmp_path: Path, start_server: Callable[..., ScimServer]):
    server = start_server(token=TOKEN)
    service = open_service(Home(tmp_path / "home"), clock=FrozenClock(), seed=False)
    service.home.tenant_file.write_text(json.dumps(_tenant()))
    job = service.create_job(
        "scim",
        # These tests watch the wire, with every user in scope; assignment scoping has its own (test_assignments.py).
        secrets={"BaseAddress": server.base_address, "SecretToken": TOKEN, "SyncAll": "true"},
        settings={"ScimManagerShape": "object"},
    )
    service.start_job(job.id)
    return service, job.id, server


def test_scim_job_provisions_updates_disables_and_deletes(scim_job) -> None:
    service, job_id, server = scim_job
    traces: list[dict[str, Any]] = []
    execution = service.run_cycle(job_id, trace=traces.append)
    assert execution.state.value == "Succeeded", execution.error
    users = scim_users(server)
    assert len(users) == 6
    user1 = users["user1@contoso.example"]
    assert user1["active"] is True and user1["name"]["givenName"] == "User"
    assert user1["emails"][0]["value"] == "user1@contoso.example"
    assert user1[ENTERPRISE]["department"] == "Sales"
    assert user1[ENTERPRISE]["manager"]["value"] == users["user0@contoso.example"]["id"]
    group = scim_get(server, "/Groups")["Resources"][0]
    assert {m["value"] for m in group["members"]} == {users[f"user{n}@contoso.example"]["id"] for n in range(3)}
    assert all("Bearer ***" in json.dumps(t) or "Authorization" not in json.dumps(t) for t in traces)
    assert TOKEN not in json.dumps(traces)

    tenant = TenantDirectory(service.home.tenant_file)
    tenant.update("User", "u1", Modification(replace={"department": "Marketing", "displayName": "User One"}))
    tenant.update("User", "u2", Modification(replace={"accountEnabled": False}))
    tenant.delete("User", "u3")
    tenant.update("Group", "g1", Modification(remove={"members": ["u2"]}, add={"members": ["u4"]}))
    tenant.flush()
    traces.clear()
    execution = service.run_cycle(job_id, trace=traces.append)
    assert execution.state.value == "Succeeded", execution.error
    users = scim_users(server)
    assert users["user1@contoso.example"]["displayName"] == "User One"
    assert users["user1@contoso.example"][ENTERPRISE]["department"] == "Marketing"
    assert users["user2@contoso.example"]["active"] is False
    assert "user3@contoso.example" not in users
    patches = [t for t in traces if t["method"] == "PATCH"]
    assert patches and all(op["op"].islower() for t in patches for op in t["request_body"]["Operations"])
    group = scim_get(server, "/Groups")["Resources"][0]
    ids = {m["value"] for m in group["members"]}
    assert users["user4@contoso.example"]["id"] in ids and users["user2@contoso.example"]["id"] not in ids

    assert service.run_cycle(job_id).count_exports == 0


def test_scim_job_adopts_existing_users_by_user_name(scim_job) -> None:
    service, job_id, server = scim_job
    httpx.post(
        server.base_address + "/Users",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "user1@contoso.example"},
    )
    service.run_cycle(job_id)
    assert len(scim_users(server)) == 6


@pytest.mark.parametrize("style", ["aadOptscim062020", "legacy"])
def test_an_adopted_user_lacking_emails_name_and_enterprise_data_gets_them_added(scim_job, style: str) -> None:
    service, job_id, server = scim_job
    service.update_job(job_id, settings={"ScimRequestStyle": style})
    httpx.post(
        server.base_address + "/Users",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "user1@contoso.example"},
    )
    traces: list[dict[str, Any]] = []

    execution = service.run_cycle(job_id, trace=traces.append)

    assert execution.state.value == "Succeeded", execution.error
    assert execution.count_escrowed == 0
    user1 = scim_users(server)["user1@contoso.example"]
    assert user1["emails"] == [{"type": "work", "value": "user1@contoso.example"}]
    assert (user1["name"]["givenName"], user1["name"]["familyName"]) == ("User", "N1")
    assert user1[ENTERPRISE]["department"] == "Sales"
    group = scim_get(server, "/Groups")["Resources"][0]
    assert user1["id"] in {m["value"] for m in group["members"]}  # not left out of its group
    (patch,) = [
        t
        for t in traces
        if t["method"] == "PATCH"
        and t["path"] == f"/Users/{user1['id']}"
        and any(op.get("path") == "emails" for op in t["request_body"]["Operations"])
    ]
    operations = patch["request_body"]["Operations"]
    add = "add" if style == "aadOptscim062020" else "Add"
    assert {"op": add, "path": "emails", "value": [{"type": "work", "value": "user1@contoso.example"}]} in operations
    assert {"op": add, "path": "name.givenName", "value": "User"} in operations
    assert not any(
        op["op"].lower() == "replace" and op.get("path") == 'emails[type eq "work"].value' for op in operations
    )
    manager_id = scim_users(server)["user0@contoso.example"]["id"]
    manager_set = {"op": add, "path": f"{ENTERPRISE}:manager", "value": {"value": manager_id}}
    assert any(manager_set in t["request_body"]["Operations"] for t in traces if t["method"] == "PATCH")
    entry = next(
        e
        for e in service.logs(job_id)
        if e["sourceIdentity"]["id"] == "u1" and any(s["name"] == "EntryImportMatch" for s in e["provisioningSteps"])
    )
    assert entry["provisioningAction"] == "update"
    export = next(s for s in entry["provisioningSteps"] if s["provisioningStepType"] == "export")
    assert 'emails[type eq "work"].value' in export["details"]["Sent add"]

    assert service.run_cycle(job_id).count_exports == 0


def test_wrong_token_quarantines_and_recovery_lifts_it(scim_job) -> None:
    service, job_id, _server = scim_job
    service.put_secrets(job_id, {"SecretToken": "wrong"})
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Failed"
    job = service.get_job(job_id)
    assert job.status.code == Code.Quarantine
    assert job.status.quarantine.error.tenant_actionable is True
    service.put_secrets(job_id, {"SecretToken": TOKEN})
    service.start_job(job_id)
    assert service.run_cycle(job_id).state.value == "Succeeded"
    assert service.get_job(job_id).status.code == Code.Active


def test_provision_on_demand_against_scim(scim_job) -> None:
    service, job_id, server = scim_job
    result = service.provision_on_demand(job_id, "u1")
    assert json.loads(result.key)["result"] == "Success"
    assert "user1@contoso.example" in scim_users(server)


def test_discover_adds_the_endpoints_attributes_to_the_schema(scim_job) -> None:
    service, job_id, _server = scim_job
    before = service.get_schema(job_id)
    directory = service.discover_directory(job_id)
    assert directory.discovery_date_time is not None
    after = service.get_schema(job_id)
    names = {a.name for a in after.directory("SCIM endpoint").object("User").attributes}
    old = {a.name for a in before.directory("SCIM endpoint").object("User").attributes}
    assert old < names  # ours kept, the endpoint's added
    assert any("CustomExt" in name for name in names)
    assert after.version != before.version


def test_trace_requests_setting_records_every_request_without_the_token(scim_job) -> None:
    service, job_id, _server = scim_job
    assert service.request_log(job_id) == []
    service.update_job(job_id, settings={"TraceRequests": "true"})
    service.run_cycle(job_id)
    records = service.request_log(job_id)
    assert len(records) > 6 and {r["method"] for r in records} >= {"GET", "POST", "PATCH"}
    assert records[0]["status"] and TOKEN not in json.dumps(records)
    service.delete_job(job_id)
    assert not service.home.request_log_file(job_id).exists()


@pytest.mark.parametrize("parallel", ["1", "8"])
def test_parallel_requests_end_as_one_at_a_time(
    tmp_path: Path, start_server: Callable[..., ScimServer], parallel: str
) -> None:
    server = start_server(token=TOKEN)
    service = open_service(Home(tmp_path / "home"), clock=FrozenClock(), seed=False)
    tenant = _tenant(60)
    tenant["groups"][0]["members"] = [f"u{n}" for n in range(0, 60, 2)]
    service.home.tenant_file.write_text(json.dumps(tenant))
    job = service.create_job(
        "scim",
        secrets={"BaseAddress": server.base_address, "SecretToken": TOKEN, "SyncAll": "true"},
        settings={"ScimManagerShape": "object", "ScimMaxParallelRequests": parallel},
    )
    assert service.run_cycle(job.id).state.value == "Succeeded"
    users = scim_users(server)
    assert len(users) == 60
    ids = {upn: user["id"] for upn, user in users.items()}
    for n in range(1, 60):
        manager = users[f"user{n}@contoso.example"][ENTERPRISE]["manager"]["value"]
        assert manager == ids[f"user{n // 5}@contoso.example"]
    [group] = scim_get(server, "/Groups")["Resources"]
    assert {m["value"] for m in group["members"]} == {ids[f"user{n}@contoso.example"] for n in range(0, 60, 2)}
    assert service.run_cycle(job.id).count_exports == 0


def test_a_user_already_deleted_at_the_endpoint_is_deleted_once_without_escrow(scim_job) -> None:
    service, job_id, server = scim_job
    assert service.run_cycle(job_id).state.value == "Succeeded"
    gone = scim_users(server)["user3@contoso.example"]["id"]
    httpx.delete(f"{server.base_address}/Users/{gone}", headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
    tenant = TenantDirectory(service.home.tenant_file)
    tenant.delete("User", "u3")
    tenant.flush()

    execution = service.run_cycle(job_id)  # the DELETE answers 404

    assert execution.state.value == "Succeeded", execution.error
    assert service.escrows(job_id) == []
    latest = service.logs(job_id)[0]
    assert (latest["provisioningAction"], latest["statusInfo"]["status"]) == ("delete", "success")
    assert "already gone" in latest["statusInfo"]["reason"]
    assert service.run_cycle(job_id).count_exports == 0


def test_a_manager_refused_as_a_bare_id_names_the_setting_that_sends_an_object(scim_job) -> None:
    service, job_id, _ = scim_job
    service.update_job(job_id, settings={"ScimManagerShape": None})  # Entra's shape: the id alone

    execution = service.run_cycle(job_id)

    assert execution.count_escrowed_raw > 0 and execution.count_escrowed == 0  # reference failures only
    messages = {escrow["error"]["message"] for escrow in service.escrows(job_id)}
    assert messages and all("set the job setting ScimManagerShape=object" in message for message in messages)
    service.update_job(job_id, settings={"ScimManagerShape": "object"})
    service.retry_escrows(job_id)
    assert service.run_cycle(job_id).count_escrowed_raw == 0
