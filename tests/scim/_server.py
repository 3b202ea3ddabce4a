"""A real SCIM 2.0 server (scim2-server's WSGI application over in-memory storage) on a free
loopback port inside the test process.

The stock server is extended with one custom User extension, as a vendor would add, so that
extension attributes and discovery can be tested against it. `FaultInjector` sits in front of
the server to produce what scim2-server never answers on its own (429, 5xx, non-JSON, slowness).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
from scim2_models import ResourceType, Schema, ScimProvider
from scim2_server.memory import InMemoryStorage
from scim2_server.testserver.application import BearerTokenApplication
from scim2_server.testserver.cli import ThreadingWSGIServer
from scim2_server.utils import (
    load_default_resource_types,
    load_default_schemas,
    load_default_service_provider_config,
)

CUSTOM_EXTENSION = "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
TOKEN = "s3cret-t0ken-for-tests"


@functools.cache
def _provider() -> ScimProvider:
    schemas = list(load_default_schemas().values())
    schemas.append(
        Schema.model_validate(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
                "id": CUSTOM_EXTENSION,
                "name": "CustomExt",
                "attributes": [
                    {"name": "tag", "type": "string", "multiValued": False, "mutability": "readWrite"},
                    {"name": "level", "type": "integer", "multiValued": False, "mutability": "readWrite"},
                ],
            }
        )
    )
    resource_types = load_default_resource_types()
    user = resource_types["User"].model_dump()
    user["schemaExtensions"].append({"schema": CUSTOM_EXTENSION, "required": False})
    resource_types["User"] = ResourceType.model_validate(user)
    return ScimProvider.from_discovery(schemas, resource_types.values(), config=load_default_service_provider_config())


@dataclass
class Fault:
    status: str = "503 Service Unavailable"
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "application/scim+json")])
    body: bytes = b""
    delay: float = 0.0


class FaultInjector:
    """WSGI middleware: answers the next requests with queued faults, then lets them through."""

    def __init__(self, application: Callable[..., Any]) -> None:
        self.application = application
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()

    def push(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        if fault is None:
            return self.application(environ, start_response)
        time.sleep(fault.delay)
        start_response(fault.status, fault.headers)
        return [fault.body]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class ScimServer:
    """scim2-server serving one in-memory tenant until `stop()`."""

    def __init__(self, *, token: str | None = None, port: int = 0) -> None:
        self.storage = InMemoryStorage()
        application = BearerTokenApplication(self.storage, _provider(), bearer_tokens=[token] if token else [])
        self.faults = FaultInjector(application)
        self._server = make_server(
            "127.0.0.1", port, self.faults, server_class=ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.port = self._server.server_port
        self.base_address = f"http://127.0.0.1:{self.port}/v2"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket (idempotent); the port is free again afterwards."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()


def scim_get(server: ScimServer, path: str) -> dict[str, Any]:
    """A GET of `path` on the server, with the tests' token."""
    response = httpx.get(server.base_address + path, headers={"Authorization": f"Bearer {TOKEN}"})
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def scim_users(server: ScimServer) -> dict[str, dict[str, Any]]:
    """The server's users by userName."""
    return {u["userName"]: u for u in scim_get(server, "/Users?count=500")["Resources"]}


def sent(traces: list[dict[str, Any]], method: str) -> list[Any]:
    """The bodies of the requests of one method, in order."""
    return [trace["request_body"] for trace in traces if trace["method"] == method]
