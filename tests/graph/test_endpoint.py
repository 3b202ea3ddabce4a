"""The Graph endpoint with plain httpx: status codes, headers, Graph's error body, OData options."""

from __future__ import annotations

import copy
import json
import os
import stat
from pathlib import Path

import httpx
import orjson
import pytest

from synctui.errors import InvalidRequest
from synctui.graph import GraphAddress, GraphServer, Tls, check_exposure, graph_token, parse_address, rotate_token
from synctui.inbound_api import REQUESTS_PER_SECOND
from synctui.service import SyncService

from ..scim._server import ScimServer

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "inbound-bulk-request.json"
SCIM = {"Content-Type": "application/scim+json"}


def _jobs_url(principal_id: str) -> str:
    return f"servicePrincipals/{principal_id}/synchronization/jobs"


def _assert_graph_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    inner = error["innerError"]
    assert inner["date"].endswith("Z") and inner["request-id"] and inner["client-request-id"]
    assert response.headers["request-id"] == inner["request-id"]
    return error


# --- authentication ----------------------------------------------------------------------------------


def test_no_token_is_401_with_graphs_error_body(server: GraphServer) -> None:
    response = httpx.get(server.url + "/servicePrincipals", headers={"client-request-id": "abc"})
    error = _assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert error["innerError"]["client-request-id"] == "abc"


def test_a_wrong_token_is_401(server: GraphServer) -> None:
    response = httpx.get(server.url + "/servicePrincipals", headers={"Authorization": "Bearer not-the-token"})
    _assert_graph_error(response, 401, "InvalidAuthenticationToken")


def test_the_token_is_made_once_owner_only_and_rotates(tmp_path: Path) -> None:
    token = graph_token(tmp_path)
    path = tmp_path / "graph-token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(token) >= 40
    assert graph_token(tmp_path) == token
    rotated = rotate_token(tmp_path)
    assert rotated != token and graph_token(tmp_path) == rotated


# --- jobs -----------------------------------------------------------------------------------------------


def test_jobs_are_listed_created_started_and_deleted_with_graphs_statuses(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService
) -> None:
    principal_id, job_id = json_job
    listed = http.get(_jobs_url(principal_id))
    assert listed.status_code == 200
    assert listed.json()["@odata.context"].endswith(
        f"$metadata#servicePrincipals('{principal_id}')/synchronization/jobs"
    )
    assert [job["id"] for job in listed.json()["value"]] == [job_id]

    created = http.post(_jobs_url(principal_id), json={"templateId": "jsonfile"})
    assert created.status_code == 201
    new_id = created.json()["id"]
    assert created.headers["Location"] == f"{http.base_url}{_jobs_url(principal_id)}/{new_id}"
    assert http.post(f"{_jobs_url(principal_id)}/{new_id}/start").status_code == 204
    assert service.get_job(new_id).required_schedule().state.value == "Active"
    restart = http.post(f"{_jobs_url(principal_id)}/{new_id}/restart", json={"criteria": {"resetScope": "Full"}})
    assert restart.status_code == 204
    assert http.delete(f"{_jobs_url(principal_id)}/{new_id}").status_code == 204
    assert new_id not in {job.id for job in service.list_jobs()}
    assert principal_id in {principal.id for principal, _ in service.application_instances()}


def test_beta_serves_the_same_resources(server: GraphServer, json_job: tuple[str, str]) -> None:
    principal_id, job_id = json_job
    beta = server.url.replace("/v1.0", "/beta")
    response = httpx.get(f"{beta}/{_jobs_url(principal_id)}/{job_id}", headers={"Authorization": "Bearer " + _token()})
    assert response.status_code == 200 and response.json()["id"] == job_id
    assert response.json()["@odata.context"].startswith(beta + "/$metadata#")


def _token() -> str:
    from .conftest import TOKEN

    return TOKEN


def test_select_and_top(http: httpx.Client, json_job: tuple[str, str]) -> None:
    principal_id, job_id = json_job
    job = http.get(f"{_jobs_url(principal_id)}/{job_id}", params={"$select": "status,templateId"}).json()
    assert set(job) == {"@odata.context", "id", "status", "templateId"}
    principals = http.get("servicePrincipals", params={"$top": "2"}).json()["value"]
    assert len(principals) == 2
    _assert_graph_error(http.get("servicePrincipals", params={"$top": "0"}), 400, "BadRequest")
    _assert_graph_error(http.get(f"{_jobs_url(principal_id)}/{job_id}", params={"$select": "nope"}), 400, "BadRequest")


def test_an_unknown_job_or_principal_is_404(http: httpx.Client, json_job: tuple[str, str]) -> None:
    principal_id, _ = json_job
    _assert_graph_error(http.get(f"{_jobs_url(principal_id)}/no-such-job"), 404, "Request_ResourceNotFound")
    _assert_graph_error(http.post(f"{_jobs_url(principal_id)}/no-such-job/start"), 404, "Request_ResourceNotFound")
    _assert_graph_error(http.get(_jobs_url("no-such-principal")), 404, "Request_ResourceNotFound")
    _assert_graph_error(http.get("servicePrincipals/x/nowhere"), 404, "ResourceNotFound")


def test_a_job_of_another_principal_is_404(http: httpx.Client, service: SyncService, json_job: tuple[str, str]) -> None:
    principal_id, _ = json_job
    other = next(ids[0] for principal, ids in service.application_instances() if principal.id != principal_id)
    _assert_graph_error(http.get(f"{_jobs_url(principal_id)}/{other}"), 404, "Request_ResourceNotFound")


def test_a_malformed_body_is_400_and_changes_nothing(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService
) -> None:
    principal_id, job_id = json_job
    before = len(service.list_jobs())
    _assert_graph_error(http.post(_jobs_url(principal_id), content=b'{"templateId": '), 400, "BadRequest")
    _assert_graph_error(http.post(_jobs_url(principal_id), json={"template": "jsonfile"}), 400, "BadRequest")
    _assert_graph_error(http.post(_jobs_url(principal_id), json={"templateId": "scim"}), 400, "BadRequest")
    assert len(service.list_jobs()) == before
    schema_url = f"{_jobs_url(principal_id)}/{job_id}/schema"
    _assert_graph_error(http.put(schema_url, json={"directories": "x"}), 400, "BadRequest")
    assert service.get_schema(job_id).version == "1"


def test_schema_put_replaces_it_and_answers_204(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService
) -> None:
    principal_id, job_id = json_job
    schema_url = f"{_jobs_url(principal_id)}/{job_id}/schema"
    schema = http.get(schema_url).json()
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].pop()
    assert http.put(schema_url, json=schema).status_code == 204
    assert service.get_schema(job_id).version == "2"


def test_schema_helpers_answer_under_the_job_and_the_template(http: httpx.Client, json_job: tuple[str, str]) -> None:
    principal_id, job_id = json_job
    for owner in (
        f"{_jobs_url(principal_id)}/{job_id}",
        f"servicePrincipals/{principal_id}/synchronization/templates/jsonfile",
    ):
        functions = http.get(f"{owner}/schema/functions").json()["value"]
        assert "Join" in {function["name"] for function in functions}
        operators = http.get(f"{owner}/schema/filterOperators").json()["value"]
        assert "IS TRUE" in {operator["name"] for operator in operators}
        parsed = http.post(f"{owner}/schema/parseExpression", json={"expression": "ToUpper([a])"}).json()
        assert parsed["parsingSucceeded"] is True and parsed["parsedExpression"]["name"] == "ToUpper"
    templates = http.get(f"servicePrincipals/{principal_id}/synchronization/templates").json()["value"]
    assert [template["id"] for template in templates] == ["jsonfile"]
    schema = http.get(f"servicePrincipals/{principal_id}/synchronization/templates/jsonfile/schema").json()
    assert schema["synchronizationRules"]
    _assert_graph_error(
        http.get(f"servicePrincipals/{principal_id}/synchronization/templates/scim"), 404, "Request_ResourceNotFound"
    )


def test_secrets_put_is_write_only_and_204(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService, tmp_path: Path
) -> None:
    principal_id, job_id = json_job
    target = str(tmp_path / "other.json")
    response = http.put(
        f"servicePrincipals/{principal_id}/synchronization/secrets",
        json={"value": [{"key": "ConnectionString", "value": target}]},
    )
    assert response.status_code == 204 and response.content == b""
    assert target not in http.get(f"{_jobs_url(principal_id)}/{job_id}").text
    assert service.secret_keys(job_id) == {"ConnectionString"}
    response = http.post(f"{_jobs_url(principal_id)}/{job_id}/validateCredentials", json={"useSavedCredentials": True})
    assert response.status_code == 204


def test_provisioning_logs_filter_and_page(http: httpx.Client, json_job: tuple[str, str], service: SyncService) -> None:
    _, job_id = json_job
    service.run_cycle(job_id)
    query = {"$filter": f"jobId eq '{job_id}' and statusInfo/status eq 'success'", "$top": "100"}
    first = http.get("auditLogs/provisioning", params=query).json()
    assert len(first["value"]) == 100 and all(entry["jobId"] == job_id for entry in first["value"])
    entries = list(first["value"])
    link = first.get("@odata.nextLink")
    while link:
        page = httpx.get(link, headers=http.headers).json()
        entries += page["value"]
        link = page.get("@odata.nextLink")
    assert len(entries) == len(service.logs(job_id)) and len({entry["id"] for entry in entries}) == len(entries)
    late = http.get("auditLogs/provisioning", params={"$filter": "activityDateTime ge 2999-01-01T00:00:00Z"}).json()
    assert late["value"] == []
    _assert_graph_error(http.get("auditLogs/provisioning", params={"$filter": "colour eq 'red'"}), 400, "BadRequest")
    _assert_graph_error(http.get("auditLogs/provisioning", params={"$filter": "jobId eq"}), 400, "BadRequest")


# --- bulkUpload -----------------------------------------------------------------------------------------


@pytest.fixture
def inbound(http: httpx.Client, service: SyncService) -> str:
    """The bulkUpload URL of a new, started apiInbound job."""
    job = service.create_job("apiInbound")
    service.start_job(job.id or "")
    principal_id = next(p.id for p, ids in service.application_instances() if job.id in ids)
    return f"{_jobs_url(principal_id)}/{job.id}/bulkUpload"


def test_bulk_upload_answers_202_with_the_logs_location(http: httpx.Client, inbound: str, service: SyncService) -> None:
    response = http.post(inbound, content=SAMPLE.read_bytes(), headers=SCIM)
    assert response.status_code == 202 and response.content == b""
    assert "/auditLogs/provisioning?$filter=jobId%20eq%20" in response.headers["Location"]
    job_id = inbound.split("/")[-2]
    assert len(service.staged_operations(job_id)) == 5


def test_an_oversize_or_malformed_bulk_upload_is_400_and_stages_nothing(
    http: httpx.Client, inbound: str, service: SyncService
) -> None:
    payload = json.loads(SAMPLE.read_text(encoding="utf-8"))
    payload["Operations"] = [{**payload["Operations"][0], "bulkId": f"b{n}"} for n in range(51)]
    error = _assert_graph_error(http.post(inbound, content=orjson.dumps(payload), headers=SCIM), 400, "BadRequest")
    assert "at most 50" in error["message"]
    _assert_graph_error(http.post(inbound, content=b"{not json", headers=SCIM), 400, "BadRequest")
    _assert_graph_error(
        http.post(inbound, content=SAMPLE.read_bytes(), headers={"Content-Type": "application/json"}), 400, "BadRequest"
    )
    assert service.staged_operations(inbound.split("/")[-2]) == []


def test_bulk_uploads_past_the_rate_limit_get_429_with_retry_after(http: httpx.Client, inbound: str) -> None:
    body = SAMPLE.read_bytes()
    for _ in range(REQUESTS_PER_SECOND):  # the clock is frozen: all of them fall in one second
        assert http.post(inbound, content=body, headers=SCIM).status_code == 202
    refused = http.post(inbound, content=body, headers=SCIM)
    _assert_graph_error(refused, 429, "TooManyRequests")
    assert refused.headers["Retry-After"] == "1"


# --- where it listens -------------------------------------------------------------------------------------


def test_the_address_defaults_to_loopback_8770() -> None:
    assert parse_address(None) == GraphAddress("127.0.0.1", 8770)
    assert parse_address("9000") == GraphAddress("127.0.0.1", 9000)
    assert parse_address("[::1]:9000") == GraphAddress("::1", 9000)
    with pytest.raises(InvalidRequest, match="port must be a number"):
        parse_address("localhost:http")


def test_only_loopback_unless_remote_is_allowed_with_tls(tmp_path: Path) -> None:
    check_exposure(GraphAddress("127.0.0.1", 1), allow_remote=False, tls=None)
    with pytest.raises(InvalidRequest, match="loopback only"):
        check_exposure(GraphAddress("0.0.0.0", 1), allow_remote=False, tls=None)
    with pytest.raises(InvalidRequest, match="--tls-cert"):
        check_exposure(GraphAddress("0.0.0.0", 1), allow_remote=True, tls=None)
    check_exposure(GraphAddress("0.0.0.0", 1), allow_remote=True, tls=Tls(tmp_path / "c", tmp_path / "k"))


def test_a_port_in_use_is_reported_before_serving(server: GraphServer, service: SyncService) -> None:
    with pytest.raises(InvalidRequest, match="cannot listen there"):
        GraphServer(service, "t", server.address)


def test_discover_reads_a_scim_targets_schemas_and_an_unknown_directory_is_404(
    http: httpx.Client, service: SyncService
) -> None:
    scim = ScimServer()
    try:
        job_id = next(job.id for job in service.list_jobs() if job.template_id == "scim") or ""
        service.put_secrets(job_id, {"BaseAddress": scim.base_address})
        schema_url = f"{_jobs_url(service.application_instance_of(job_id))}/{job_id}/schema"
        target = service.get_schema(job_id).directories[1]
        discovered = http.post(f"{schema_url}/directories/{target.id}/discover")
        assert discovered.status_code == 200, discovered.text
        assert discovered.json()["@odata.context"].endswith("$metadata#microsoft.graph.directoryDefinition")
        assert discovered.json()["objects"] and discovered.json()["discoveryDateTime"]
        _assert_graph_error(http.post(f"{schema_url}/directories/nope/discover"), 404, "Request_ResourceNotFound")
    finally:
        scim.stop()


def test_a_patched_template_is_what_new_jobs_of_the_instance_start_from(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService
) -> None:
    principal_id, _ = json_job
    url = f"servicePrincipals/{principal_id}/synchronization/templates/jsonfile"
    template = {key: value for key, value in http.get(url).json().items() if not key.startswith("@odata.")}
    mappings = template["schema"]["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
    dropped = mappings.pop()["targetAttributeName"]
    template["description"] = "Contoso's own"

    assert http.patch(url, json=template).status_code == 204

    assert http.get(url).json()["description"] == "Contoso's own"
    created = http.post(_jobs_url(principal_id), json={"templateId": "jsonfile"}).json()
    schema = service.get_schema(created["id"])
    targets = [m.target_attribute_name for m in schema.synchronization_rules[0].object_mappings[0].attribute_mappings]
    assert dropped not in targets and len(targets) == len(mappings)
    other = service.create_job("jsonfile")  # another instance keeps the built-in template
    assert dropped in [
        m.target_attribute_name
        for m in service.get_schema(other.id or "").synchronization_rules[0].object_mappings[0].attribute_mappings
    ]


def test_a_bad_template_patch_is_400_and_changes_nothing(http: httpx.Client, json_job: tuple[str, str]) -> None:
    principal_id, _ = json_job
    url = f"servicePrincipals/{principal_id}/synchronization/templates/jsonfile"
    before = http.get(url).json()
    broken = copy.deepcopy({key: value for key, value in before.items() if not key.startswith("@odata.")})
    broken["schema"]["synchronizationRules"][0]["sourceDirectoryName"] = "nowhere"
    _assert_graph_error(http.patch(url, json=broken), 400, "BadRequest")
    _assert_graph_error(http.patch(url, json={**broken, "id": "scim"}), 400, "BadRequest")
    _assert_graph_error(http.patch(url, json={"metadata": "x"}), 400, "BadRequest")
    assert http.get(url).json() == before


def test_credentials_of_a_template_are_tested_before_any_job_exists(
    http: httpx.Client, json_job: tuple[str, str], tmp_path: Path
) -> None:
    principal_id, _ = json_job
    url = f"{_jobs_url(principal_id)}/validateCredentials"
    body = {"templateId": "jsonfile", "credentials": [{"key": "ConnectionString", "value": str(tmp_path / "t.json")}]}
    assert http.post(url, json=body).status_code == 204
    _assert_graph_error(http.post(url, json={"credentials": []}), 400, "BadRequest")


def test_select_applies_to_provisioning_log_entries(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService
) -> None:
    _, job_id = json_job
    service.run_cycle(job_id)
    entries = http.get("auditLogs/provisioning", params={"$select": "jobId,provisioningAction", "$top": "3"}).json()
    assert [set(entry) for entry in entries["value"]] == [{"id", "jobId", "provisioningAction"}] * 3


def test_an_unexpected_failure_is_graphs_500_body_and_the_server_goes_on(
    http: httpx.Client, json_job: tuple[str, str], service: SyncService, monkeypatch
) -> None:
    principal_id, job_id = json_job

    def broken(job_id: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "get_job", broken)
    _assert_graph_error(http.get(f"{_jobs_url(principal_id)}/{job_id}"), 500, "InternalServerError")
    monkeypatch.undo()
    assert http.get(f"{_jobs_url(principal_id)}/{job_id}").status_code == 200


def test_with_a_certificate_it_serves_https(service: SyncService, tmp_path: Path) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    moment = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(moment)
        .not_valid_after(moment + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    tls = Tls(tmp_path / "cert.pem", tmp_path / "key.pem")
    tls.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    tls.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = GraphServer(service, "t", GraphAddress("127.0.0.1", 0), tls=tls).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        response = httpx.get(server.url + "/servicePrincipals", headers={"Authorization": "Bearer t"}, verify=False)
        assert response.status_code == 200 and response.json()["value"]
    finally:
        server.stop()
