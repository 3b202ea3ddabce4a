"""API-driven inbound provisioning end to end: BulkRequest payloads staged, then provisioned to the
tenant directory by the apiInbound job's cycle; malformed payloads refused whole."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import orjson
import pytest

from synctui.clock import FrozenClock
from synctui.errors import InvalidRequest
from synctui.inbound_api import MAX_OPERATIONS, REQUESTS_PER_SECOND, RateLimited
from synctui.service import SyncService

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "inbound-bulk-request.json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def payload() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def job_id(service: SyncService) -> str:
    job = service.create_job("apiInbound", name="HR API")
    service.start_job(job.id or "")
    return job.id or ""


def _upload(service: SyncService, job_id: str, payload: dict) -> int:
    return service.bulk_upload(job_id, orjson.dumps(payload), "application/scim+json")


def _tenant_users(service: SyncService) -> dict[str, dict]:
    users = json.loads(service.home.tenant_file.read_text(encoding="utf-8"))["users"]
    return {user["employeeId"]: user for user in users if user.get("employeeId")}


def test_the_sample_payload_provisions_its_workers_into_the_tenant(
    service: SyncService, job_id: str, payload: dict, clock: FrozenClock
) -> None:
    assert _upload(service, job_id, payload) == 5

    clock.advance(1)
    execution = service.run_cycle(job_id)

    assert execution.state.value == "Succeeded" and execution.count_exported >= 5
    users = _tenant_users(service)
    amara, jonas, lea = users["W9001"], users["W9002"], users["W9005"]
    assert amara["userPrincipalName"] == "amara.okafor@contoso.example" and amara["mailNickname"] == "amara.okafor"
    assert amara["givenName"] == "Amara" and amara["surname"] == "Okafor"
    assert amara["mail"] == "amara.okafor@contoso.example" and amara["jobTitle"] == "Head of People"
    assert amara["department"] == "People" and amara["companyName"] == "Contoso" and amara["city"] == "Leeds"
    assert amara["mobile"] == "+44 7700 900001" and amara["accountEnabled"] is True
    assert jonas["manager"] == amara["id"]  # the manager's externalId, resolved to the tenant user
    assert lea["accountEnabled"] is False
    creates = [entry for entry in service.logs(job_id) if entry["provisioningAction"] == "create"]
    assert {entry["sourceIdentity"]["id"] for entry in creates} >= {"W9001", "W9002", "W9003", "W9004", "W9005"}
    assert job_id not in service.due_jobs(clock.now())  # processed: waits for the next payload


def test_a_later_payload_updates_the_worker_it_names(
    service: SyncService, job_id: str, payload: dict, clock: FrozenClock
) -> None:
    _upload(service, job_id, payload)
    clock.advance(1)
    service.run_cycle(job_id)
    clock.advance(1)
    move = copy.deepcopy(payload)
    move["Operations"] = [move["Operations"][1]]
    move["Operations"][0]["bulkId"] = "W9002-move"
    move["Operations"][0]["data"][ENTERPRISE]["department"] = "Finance"
    _upload(service, job_id, move)

    assert job_id in service.due_jobs(clock.now())
    clock.advance(1)
    service.run_cycle(job_id)

    assert _tenant_users(service)["W9002"]["department"] == "Finance"
    logs = service.logs(job_id)
    last_cycle = [entry for entry in logs if entry["cycleId"] == logs[0]["cycleId"]]
    assert [(e["provisioningAction"], e["sourceIdentity"]["id"]) for e in last_cycle] == [("update", "W9002")]


def test_staged_operations_say_whether_a_cycle_processed_them(
    service: SyncService, job_id: str, payload: dict, clock: FrozenClock
) -> None:
    _upload(service, job_id, payload)
    staged = service.staged_operations(job_id)
    assert [operation["bulkId"] for operation in staged][-1] == "W9001-hire"
    assert not any(operation["processed"] for operation in staged)

    clock.advance(1)
    service.run_cycle(job_id)

    assert all(operation["processed"] for operation in service.staged_operations(job_id))


def _with(payload: dict, change) -> dict:
    changed = copy.deepcopy(payload)
    change(changed)
    return changed


MALFORMED = {
    "wrong schema URN": lambda p: p.update(schemas=["urn:ietf:params:scim:api:messages:2.0:ListResponse"]),
    "no operations": lambda p: p.update(Operations=[]),
    "missing bulkId": lambda p: p["Operations"][2].pop("bulkId"),
    "repeated bulkId": lambda p: p["Operations"][1].update(bulkId=p["Operations"][0]["bulkId"]),
    "method not POST": lambda p: p["Operations"][0].update(method="DELETE"),
    "path not /Users": lambda p: p["Operations"][0].update(path="/Groups"),
    "unknown attribute": lambda p: p["Operations"][3]["data"].update(favouriteColour="teal"),
    "unknown extension attribute": lambda p: p["Operations"][3]["data"][ENTERPRISE].update(shoeSize="44"),
    "no externalId": lambda p: p["Operations"][4]["data"].pop("externalId"),
    "user without core schema": lambda p: p["Operations"][0]["data"].update(schemas=[ENTERPRISE]),
    "object where a value goes": lambda p: p["Operations"][0]["data"].update(title={"text": "x"}),
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_payload_is_refused_whole_and_changes_nothing(
    service: SyncService, job_id: str, payload: dict, change
) -> None:
    with pytest.raises(InvalidRequest):
        _upload(service, job_id, _with(payload, change))
    assert service.staged_operations(job_id) == []
    assert not service.home.inbound_file(job_id).exists()


def test_more_than_fifty_operations_are_refused_with_the_limit_named(
    service: SyncService, job_id: str, payload: dict
) -> None:
    operation = payload["Operations"][0]
    payload["Operations"] = [{**operation, "bulkId": f"op{n}"} for n in range(MAX_OPERATIONS + 1)]
    with pytest.raises(InvalidRequest, match="51 operations; at most 50"):
        _upload(service, job_id, payload)
    assert service.staged_operations(job_id) == []


def test_bad_json_and_a_wrong_content_type_are_refused(service: SyncService, job_id: str, payload: dict) -> None:
    with pytest.raises(InvalidRequest, match="not valid JSON"):
        service.bulk_upload(job_id, b'{"schemas": [', "application/scim+json")
    with pytest.raises(InvalidRequest, match="Content-Type must be application/scim"):
        service.bulk_upload(job_id, orjson.dumps(payload), "text/plain")


def test_a_custom_attribute_is_accepted_once_the_schema_declares_it(
    service: SyncService, job_id: str, payload: dict, clock: FrozenClock
) -> None:
    custom = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User"
    extended = _with(payload, lambda p: p["Operations"][0]["data"].update({custom: {"badgeColour": "green"}}))
    with pytest.raises(InvalidRequest, match=f"unknown attribute {custom}:badgeColour"):
        _upload(service, job_id, extended)

    schema = service.get_schema(job_id).model_dump(mode="json")
    source = schema["directories"][0]["objects"][0]
    source["attributes"].append({**source["attributes"][1], "name": f"{custom}:badgeColour"})
    service.put_schema(job_id, schema)

    assert _upload(service, job_id, extended) == 5


def test_requests_past_the_rate_limit_get_told_when_to_retry(
    service: SyncService, job_id: str, payload: dict, clock: FrozenClock
) -> None:
    for _ in range(REQUESTS_PER_SECOND):
        _upload(service, job_id, payload)
    with pytest.raises(RateLimited) as refused:
        _upload(service, job_id, payload)
    assert refused.value.retry_after == 1 and refused.value.code == "TooManyRequests"
    clock.advance(1)
    assert _upload(service, job_id, payload) == 5


def test_bulk_upload_is_only_for_api_inbound_jobs(service: SyncService, payload: dict) -> None:
    other = service.list_jobs()[0].id or ""
    with pytest.raises(InvalidRequest, match="API-driven inbound"):
        _upload(service, other, payload)


def test_deleting_the_job_removes_its_staged_payloads(service: SyncService, job_id: str, payload: dict) -> None:
    _upload(service, job_id, payload)
    staged = service.home.inbound_file(job_id)
    assert staged.exists()
    service.delete_job(job_id)
    assert not staged.exists() and not staged.with_name(staged.name + ".lock").exists()


def test_a_paused_job_keeps_its_payloads_staged_until_started(
    service: SyncService, job_id: str, payload: dict, clock: FrozenClock
) -> None:
    _upload(service, job_id, payload)
    clock.advance(1)
    service.run_cycle(job_id)
    service.pause_job(job_id)
    clock.advance(1)
    _upload(service, job_id, payload)
    assert job_id not in service.due_jobs(clock.now())
    service.start_job(job_id)
    assert job_id in service.due_jobs(clock.now())  # due at once, not one interval (PT40M) after the last cycle
