"""A real Graph endpoint on 127.0.0.1 (uvicorn on a thread) over a freshly seeded home."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from synctui.graph import GraphAddress, GraphServer
from synctui.service import SyncService

TOKEN = "test-token-0123456789"


@pytest.fixture
def server(service: SyncService) -> Iterator[GraphServer]:
    graph = GraphServer(service, TOKEN, GraphAddress("127.0.0.1", 0)).start()
    yield graph
    graph.stop()


@pytest.fixture
def http(server: GraphServer) -> Iterator[httpx.Client]:
    """httpx on the endpoint's v1.0 base URL, sending the token."""
    with httpx.Client(base_url=server.url + "/", headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.fixture
def json_job(service: SyncService) -> tuple[str, str]:
    """(service principal id, job id) of the seeded tenant → JSON file job."""
    for principal, job_ids in service.application_instances():
        if principal.template_id == "jsonfile":
            return principal.id, job_ids[0]
    raise AssertionError("the seeded home has a jsonfile job")
