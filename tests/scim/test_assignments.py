"""Assignment scoping end to end: a `scim` job (assigned users and groups only, as Entra's SCIM
applications start) against a real SCIM server, its assignments made through the service."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.store import Home

from ._server import TOKEN, ScimServer, scim_get, scim_users


def _tenant() -> dict[str, Any]:
    users = [
        {
            "id": f"u{n}",
            "userPrincipalName": f"user{n}@contoso.example",
            "displayName": f"User {n}",
            "givenName": "User",
            "surname": f"N{n}",
            "mail": f"user{n}@contoso.example",
            "mailNickname": f"user{n}",
            "accountEnabled": True,
        }
        for n in range(5)
    ]
    groups = [
        {"id": "g1", "displayName": "Sales", "mailNickname": "sales", "members": ["u0", "u1"]},
        {"id": "g2", "displayName": "Outer", "mailNickname": "outer", "members": ["g1", "u2"]},
    ]
    return {"users": users, "groups": groups}


@pytest.fixture
def scim_job(tmp_path: Path, start_server: Callable[..., ScimServer]):
    server = start_server(token=TOKEN)
    service = open_service(Home(tmp_path / "home"), clock=FrozenClock(), seed=False)
    service.home.tenant_file.write_text(json.dumps(_tenant()))
    job = service.create_job("scim", secrets={"BaseAddress": server.base_address, "SecretToken": TOKEN})
    service.start_job(job.id)
    return service, job.id, server


def _groups(server: ScimServer) -> dict[str, dict[str, Any]]:
    return {g["displayName"]: g for g in scim_get(server, "/Groups?count=500")["Resources"]}


def test_a_new_scim_job_syncs_only_what_is_assigned(scim_job) -> None:
    service, job_id, server = scim_job
    assert service.run_cycle(job_id).state.value == "Succeeded"
    assert scim_users(server) == {} and _groups(server) == {}


def test_assigned_users_groups_and_direct_members_reach_the_server(scim_job) -> None:
    service, job_id, server = scim_job
    service.assign(job_id, "Group", "g2")  # its members: g1 (a group, not expanded) and u2
    service.assign(job_id, "User", "u4")
    assert service.run_cycle(job_id).state.value == "Succeeded"
    assert sorted(scim_users(server)) == ["user2@contoso.example", "user4@contoso.example"]
    assert list(_groups(server)) == ["Outer"]


def test_unassigning_disables_on_the_server(scim_job) -> None:
    service, job_id, server = scim_job
    group = service.assign(job_id, "Group", "g1")
    service.run_cycle(job_id)
    assert {name: user["active"] for name, user in scim_users(server).items()} == {
        "user0@contoso.example": True,
        "user1@contoso.example": True,
    }
    service.unassign(job_id, group.resource["id"])
    service.assign(job_id, "User", "u1")  # still assigned, directly now
    assert service.run_cycle(job_id).state.value == "Succeeded"
    assert {name: user["active"] for name, user in scim_users(server).items()} == {
        "user0@contoso.example": False,
        "user1@contoso.example": True,
    }


def test_on_demand_of_an_unassigned_user_is_skipped_with_the_reason(scim_job) -> None:
    service, job_id, server = scim_job
    result = service.provision_on_demand(job_id, "u0")
    key, entry = orjson.loads(result.key), orjson.loads(result.value)
    assert key["result"] == "Skipped"
    assert "This object is not assigned to the application" in key["details"]["errorMessage"]
    scoping = next(step for step in entry["provisioningSteps"] if step["provisioningStepType"] == "scoping")
    assert scoping["details"]["Assigned to application"] == "False"
    assert scim_users(server) == {}


def test_preview_reflects_the_assignments(scim_job) -> None:
    service, job_id, _ = scim_job
    assert service.preview(job_id) == []
    service.assign(job_id, "Group", "g1")
    created = sorted(
        entry["sourceIdentity"]["id"] for entry in service.preview(job_id) if entry["provisioningAction"] == "create"
    )
    assert created == ["g1", "u0", "u1"]
