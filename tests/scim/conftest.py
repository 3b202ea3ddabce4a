"""Fixtures: a real scim2-server per test, and ScimDirectory connectors that trace to a list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from synctui.connectors.scim import ScimDirectory

from ._server import ScimServer


@pytest.fixture
def start_server() -> Iterator[Callable[..., ScimServer]]:
    """Start servers (with a token, on a given port); every one is stopped after the test."""
    started: list[ScimServer] = []

    def start(**kwargs: Any) -> ScimServer:
        server = ScimServer(**kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., ScimServer]) -> ScimServer:
    return start_server()


@pytest.fixture
def traces() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def connect(server: ScimServer, traces: list[dict[str, Any]]) -> Iterator[Callable[..., ScimDirectory]]:
    """Build directories against `server` that report to `traces`; all are closed afterwards."""
    opened: list[ScimDirectory] = []

    def connect(**kwargs: Any) -> ScimDirectory:
        kwargs.setdefault("trace", traces.append)
        directory = ScimDirectory(kwargs.pop("base_address", server.base_address), **kwargs)
        opened.append(directory)
        return directory

    yield connect
    for directory in opened:
        directory.close()


@pytest.fixture
def directory(connect: Callable[..., ScimDirectory]) -> ScimDirectory:
    """The default connector: aadOptscim062020, manager as `{"value": id}` (scim2-server
    refuses the plain string)."""
    return connect(manager_shape="object")
