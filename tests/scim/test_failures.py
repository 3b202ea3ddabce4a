"""How the endpoint's answers become Entra's outcomes: conflicts, refused credentials, an
endpoint that is down and comes back, throttling, 5xx, non-SCIM bodies, timeouts."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from synctui.connectors.base import ConnectionFailure, ObjectError
from synctui.connectors.scim import ScimDirectory

from ._server import TOKEN, Fault, ScimServer

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def test_a_duplicate_user_name_is_an_entry_conflict(directory: ScimDirectory) -> None:
    directory.create("User", {"userName": "alice"})

    with pytest.raises(ObjectError) as error:
        directory.create("User", {"userName": "alice"})

    assert error.value.code == "EntryConflict"
    assert error.value.message == (
        "POST /Users answered HTTP 409 (uniqueness): "
        '"One or more of the attribute values are already in use or are reserved"'
    )


def test_test_connection_passes_with_the_right_token(start_server: Callable[..., ScimServer], traces: list) -> None:
    server = start_server(token=TOKEN)
    directory = ScimDirectory(server.base_address, TOKEN, trace=traces.append)

    directory.test_connection()

    (probe,) = traces
    assert probe["path"].startswith('/Users?filter=userName eq "')
    assert probe["status"] == 200
    directory.close()


@pytest.mark.parametrize("token", ["wrong-token", None])
def test_refused_credentials_fail_the_connection(start_server: Callable[..., ScimServer], token: str | None) -> None:
    server = start_server(token=TOKEN)
    directory = ScimDirectory(server.base_address, token)

    with pytest.raises(ConnectionFailure) as probe:
        directory.test_connection()
    with pytest.raises(ConnectionFailure) as create:
        directory.create("User", {"userName": "alice"})

    assert probe.value.code == create.value.code == "ScimEndpointUnauthorized"
    assert probe.value.tenant_actionable
    assert "HTTP 401" in probe.value.message
    directory.close()


def test_a_404_to_the_probe_is_the_scim_compliance_quarantine_reason(
    connect: Callable[..., ScimDirectory], server: ScimServer
) -> None:
    directory = connect(base_address=server.base_address + "/scim")

    with pytest.raises(ConnectionFailure) as error:
        directory.test_connection()

    assert error.value.code == "SystemForCrossDomainIdentityManagementServiceIncompatible"
    assert "HTTP/404 Not Found rather than the expected HTTP/200 OK" in error.value.message


def test_a_stopped_endpoint_is_unreachable_until_it_comes_back(
    start_server: Callable[..., ScimServer], traces: list
) -> None:
    server = start_server()
    directory = ScimDirectory(server.base_address, trace=traces.append)
    directory.create("User", {"userName": "before"})
    server.stop()
    traces.clear()

    with pytest.raises(ConnectionFailure) as error:
        directory.create("User", {"userName": "during"})
    with pytest.raises(ConnectionFailure):
        directory.test_connection()

    assert error.value.code == "WebExceptionProtocolError"
    assert error.value.message.startswith(f"cannot reach the SCIM endpoint {server.base_address} (/Users)")
    assert "after 3 attempts" in error.value.message
    assert [t["status"] for t in traces[:3]] == [None, None, None]
    assert all(t["error"] for t in traces)

    start_server(port=server.port)  # a fresh, empty server on the same address
    directory.test_connection()
    user_id = directory.create("User", {"userName": "after"})
    assert directory.get("User", user_id)["userName"] == "after"
    directory.close()


def test_throttling_honours_retry_after(directory: ScimDirectory, server: ScimServer, traces: list) -> None:
    server.faults.push(Fault("429 Too Many Requests", [("Retry-After", "1")]))

    started = time.monotonic()
    user_id = directory.create("User", {"userName": "alice"})

    assert time.monotonic() - started >= 1
    assert [t["status"] for t in traces] == [429, 201]
    assert directory.get("User", user_id) is not None


def test_throttling_that_does_not_stop_is_too_many_requests(directory: ScimDirectory, server: ScimServer) -> None:
    throttled = {"schemas": [SCIM_ERROR], "status": "429", "detail": "slow down"}
    server.faults.push(Fault("429 Too Many Requests", [("Retry-After", "0")], orjson.dumps(throttled)), times=3)

    with pytest.raises(ObjectError) as error:
        directory.create("User", {"userName": "alice"})

    assert error.value.code == "TooManyRequests"
    assert error.value.message == 'POST /Users answered HTTP 429: "slow down"'


def test_server_errors_are_retried_then_reported(directory: ScimDirectory, server: ScimServer, traces: list) -> None:
    server.faults.push(Fault("503 Service Unavailable"), times=2)
    directory.create("User", {"userName": "alice"})
    assert [t["status"] for t in traces] == [503, 503, 201]

    page = b"<html><body>\n<h1>Bad gateway</h1></body></html>"
    html = Fault("502 Bad Gateway", [("Content-Type", "text/html")], page)
    server.faults.push(html, times=3)
    with pytest.raises(ObjectError) as error:
        directory.get("User", "anything")

    assert error.value.code == "InternalServerError"
    assert error.value.message == (
        "GET /Users/anything answered HTTP 502, not SCIM JSON: '<html><body> <h1>Bad gateway</h1></body></html>'"
    )


def test_a_success_without_scim_json_is_an_incompatible_service(directory: ScimDirectory, server: ScimServer) -> None:
    server.faults.push(Fault("201 Created", [("Content-Type", "text/plain")], b"created!"))

    with pytest.raises(ObjectError) as error:
        directory.create("User", {"userName": "alice"})

    assert error.value.code == "SystemForCrossDomainIdentityManagementServiceIncompatible"
    assert "not SCIM JSON: 'created!'" in error.value.message


def test_a_slow_endpoint_times_out(connect: Callable[..., ScimDirectory], server: ScimServer) -> None:
    directory = connect(timeout=0.1)
    server.faults.push(Fault(delay=0.3), times=3)

    with pytest.raises(ConnectionFailure) as error:
        directory.get("User", "anything")

    assert error.value.code == "Timeout"


def test_the_trace_never_shows_the_token(start_server: Callable[..., ScimServer], traces: list) -> None:
    server = start_server(token=TOKEN)
    directory = ScimDirectory(server.base_address, TOKEN, trace=traces.append)
    user_id = directory.create("User", {"userName": "alice"})
    directory.get("User", user_id)
    directory.close()

    assert traces and all(t["request_headers"]["authorization"] == "Bearer ***" for t in traces)
    assert TOKEN not in repr(traces)
    post = traces[0]
    assert set(post) == {
        "method",
        "path",
        "request_headers",
        "request_body",
        "status",
        "response_body",
        "error",
        "duration_ms",
    }
    assert post["request_headers"]["content-type"] == "application/scim+json"
    assert post["response_body"]["id"] == user_id
    assert post["duration_ms"] > 0


def test_exports_run_in_parallel_threads(connect: Callable[..., ScimDirectory]) -> None:
    directory = connect(max_parallel=4, trace=None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda n: directory.create("User", {"userName": f"user{n}"}), range(60)))

    assert len(set(ids)) == 60
    assert {user["id"] for user in directory.read_all("User")} == set(ids)
