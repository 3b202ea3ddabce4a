"""`ScimDirectory`: a SCIM 2.0 endpoint as a provisioning target, driven the way Entra drives it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import httpx

from ...clock import Clock, SystemClock
from ...models import DirectoryDefinition
from ..base import ConnectionFailure, DirectoryObject, Modification, ObjectError, ObjectNotFound
from ._definition import (
    schemas_by_resource_type,
    schemas_by_suffix,
    scim_definition,
    with_discovered_attributes,
)
from ._http import SERVICE_INCOMPATIBLE, Reply, ScimClient, Trace, credentials_of, mask
from ._patch import STYLES, Operation, RequestStyle, patch_body
from ._paths import equality_filter
from ._resources import ManagerShape, ResourceCodec, ResourceType, resource_type

_PAGE_SIZE = 100


class ScimDirectory:
    """A SCIM endpoint as a `Directory`.

    Objects are flat dicts keyed by Entra's attribute paths; `id` is the SCIM id. Requests are
    the ones Entra's provisioning service sends, in the PATCH dialect of `request_style`
    ("aadOptscim062020" or "legacy"). Safe to call from up to `max_parallel` threads at once.
    `trace` receives every request and response (the bearer token masked). `timeout` bounds each
    wait for the endpoint (to connect, for each read); `request_timeout` bounds a whole request,
    retries included, and `max_response_bytes` the size of an answer.
    """

    def __init__(
        self,
        base_address: str,
        secret_token: str | None = None,
        *,
        request_style: RequestStyle = "aadOptscim062020",
        max_parallel: int = 4,
        timeout: float = 30.0,
        request_timeout: float = 60.0,
        max_response_bytes: int = 50_000_000,
        trace: Trace | None = None,
        transport: httpx.BaseTransport | None = None,
        manager_shape: ManagerShape = "string",
        member_batch_size: int = 100,
        clock: Clock | None = None,
    ) -> None:
        if request_style not in STYLES:
            raise ValueError(f"request_style must be one of {', '.join(STYLES)}, not {request_style!r}")
        if manager_shape not in ("string", "object"):
            raise ValueError(f'manager_shape must be "string" or "object", not {manager_shape!r}')
        if urlsplit(base_address).query:
            raise ValueError(
                f"{mask(base_address, credentials_of(base_address))!r}: give the SCIM base address without a query "
                "(split_tenant_url separates Entra's ?aadOptscim062020 flag from a tenant URL)"
            )
        if max_parallel < 1 or member_batch_size < 1 or max_response_bytes < 1:
            raise ValueError("max_parallel, member_batch_size and max_response_bytes must be at least 1")
        if not request_timeout > 0:
            raise ValueError(f"request_timeout must be more than 0 seconds, not {request_timeout!r}")
        self.max_parallel = max_parallel
        self._style = STYLES[request_style]
        self._manager_shape: ManagerShape = manager_shape
        self._member_batch_size = member_batch_size
        self._clock = clock or SystemClock()
        self._client = ScimClient(
            base_address,
            secret_token,
            max_parallel=max_parallel,
            timeout=timeout,
            request_timeout=request_timeout,
            max_response_bytes=max_response_bytes,
            trace=trace,
            transport=transport,
        )
        self._definition = scim_definition()
        self._codecs = self._build_codecs(self._definition)

    # --- description ------------------------------------------------------------------------

    def definition(self) -> DirectoryDefinition:
        return self._definition.model_copy(deep=True)

    def discover(self) -> DirectoryDefinition:
        """The definition extended with what the endpoint declares in `/Schemas` (and, to know
        which schema describes which object, `/ResourceTypes`). The directory keeps using it,
        so that discovered reference attributes travel as references."""
        schemas = self._list("/Schemas")
        if schemas is None:
            return self.definition()
        object_names = [obj.name for obj in self._definition.objects]
        resource_types = self._list("/ResourceTypes")
        owners = (
            schemas_by_resource_type(resource_types, object_names)
            if resource_types
            else schemas_by_suffix(schemas, object_names)
        )
        discovered = with_discovered_attributes(self._definition, schemas, owners, self._clock.now())
        self._codecs = self._build_codecs(discovered)
        self._definition = discovered
        return self.definition()

    # --- Directory protocol -----------------------------------------------------------------

    def test_connection(self) -> None:
        """Entra's probe: a query for a user that cannot exist must answer 200 with an empty list."""
        probe = {"filter": equality_filter("userName", str(uuid.uuid4()))}
        try:
            reply, resources = self._query(resource_type("User"), probe)
        except ObjectError as error:
            raise ConnectionFailure(error.code, error.message) from None
        if resources:
            raise ConnectionFailure(
                SERVICE_INCOMPATIBLE,
                f"GET {reply.target} returned {len(resources)} resources for a user that cannot exist; "
                "the endpoint does not apply filters",
            )

    def read_all(self, object_type: str) -> Iterator[DirectoryObject]:
        """Every object, page by page (`startIndex`, `count`), members of groups included."""
        kind = resource_type(object_type)
        codec = self._codecs[kind.name]
        start_index = 1
        while True:
            reply, resources = self._query(kind, {"startIndex": str(start_index), "count": str(_PAGE_SIZE)})
            yield from (codec.to_flat(resource) for resource in resources)
            total = reply.resource().get("totalResults", 0)
            start_index += len(resources)
            if not resources or start_index > total:
                return

    def get(self, object_type: str, object_id: str) -> DirectoryObject | None:
        kind = resource_type(object_type)
        reply = self._client.send("GET", _object_path(kind, object_id), params=_read_params(kind))
        if reply.status == 404:
            return None
        return self._codecs[kind.name].to_flat(_succeeded(reply).resource())

    def find(self, object_type: str, attribute: str, value: Any) -> list[DirectoryObject]:
        """Objects whose `attribute` equals `value`, all of them: more than one is the engine's
        `DuplicateTargetEntries` to decide."""
        kind = resource_type(object_type)
        _, resources = self._query(kind, {**_read_params(kind), "filter": equality_filter(attribute, value)})
        codec = self._codecs[kind.name]
        return [codec.to_flat(resource) for resource in resources]

    def create(self, object_type: str, attributes: DirectoryObject) -> str:
        kind = resource_type(object_type)
        body = self._codecs[kind.name].to_resource(kind, attributes)
        created = _succeeded(self._client.send("POST", kind.endpoint, json=body)).resource()
        if not created.get("id"):
            raise ObjectError(SERVICE_INCOMPATIBLE, f"POST {kind.endpoint} created a {kind.name} but returned no id")
        return str(created["id"])

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        kind = resource_type(object_type)
        codec = self._codecs[kind.name]
        for operations in self._style.patches(modification, codec, self._member_batch_size):
            reply = self._client.send("PATCH", _object_path(kind, object_id), json=patch_body(operations))
            try:
                _succeeded(reply, missing_anchor=True)
            except ObjectError as error:
                raise self._with_manager_hint(error, reply, operations) from None

    def delete(self, object_type: str, object_id: str) -> None:
        kind = resource_type(object_type)
        _succeeded(self._client.send("DELETE", _object_path(kind, object_id)), missing_anchor=True)

    def flush(self) -> None:
        pass  # every change is sent when it is made

    def stop_when(self, should_stop: Callable[[], bool]) -> None:
        """Give up waiting requests, raising `Interrupted`, once `should_stop()` is true."""
        self._client.stop_when(should_stop)

    def close(self) -> None:
        self._client.close()

    # --- helpers ----------------------------------------------------------------------------

    def _with_manager_hint(self, error: ObjectError, reply: Reply, operations: list[Operation]) -> ObjectError:
        """A PATCH refused while it set the manager as Entra sends it, a bare id: many servers (the
        SCIM schema's `manager` is complex) want `{"value": id}`, which a job setting chooses."""
        sets_manager = any(str(op.get("path", "")).endswith(":manager") for op in operations)
        if reply.status != 400 or self._manager_shape != "string" or not sets_manager:
            return error
        hint = 'if the endpoint wants the manager as {"value": id}, set the job setting ScimManagerShape=object'
        return ObjectError(error.code, f"{error.message}; {hint}", retryable=error.retryable)

    def _build_codecs(self, definition: DirectoryDefinition) -> dict[str, ResourceCodec]:
        return {obj.name: ResourceCodec(obj, self._manager_shape) for obj in definition.objects}

    def _query(self, kind: ResourceType, params: dict[str, str]) -> tuple[Reply, list[dict[str, Any]]]:
        reply = self._client.send("GET", kind.endpoint, params=params)
        if reply.status == 404:
            # "No match" is an empty ListResponse; Entra quarantines a job whose endpoint says 404.
            raise ConnectionFailure(
                SERVICE_INCOMPATIBLE,
                f"SCIM compliance issue: GET {reply.target} answered HTTP/404 Not Found rather than "
                "the expected HTTP/200 OK with a ListResponse",
            )
        return reply, _list_response(reply)

    def _list(self, path: str) -> list[dict[str, Any]] | None:
        """The resources of a discovery endpoint, or None where the endpoint does not serve it."""
        reply = self._client.send("GET", path)
        if reply.status in (404, 501):
            return None
        return _list_response(reply)


_TENANT_URL_FLAGS: dict[str, RequestStyle] = {
    "aadoptscim062020": "aadOptscim062020",
    "azureadscimpatch2017": "legacy",  # Entra's announced way back to the pre-2020 PATCH
}


def split_tenant_url(tenant_url: str) -> tuple[str, RequestStyle | None]:
    """A tenant URL as an Entra admin types it (`https://host/scim?aadOptscim062020`): the base
    address without the flags, and the request style a flag asks for (None without one)."""
    parts = urlsplit(tenant_url)
    style = None
    kept = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in _TENANT_URL_FLAGS:
            style = _TENANT_URL_FLAGS[name.lower()]
        else:
            kept.append((name, value))
    if kept:
        shown = mask(tenant_url, credentials_of(tenant_url))
        raise ValueError(f"{shown!r}: a SCIM base address takes no query other than Entra's flags")
    return urlunsplit(parts._replace(query="")), style


def _succeeded(reply: Reply, *, missing_anchor: bool = False) -> Reply:
    """`reply` if it is a 2xx; else raise what it means (`ObjectNotFound` for a 404 when the
    object was addressed by the id Entra cached)."""
    if 200 <= reply.status < 300:
        return reply
    error = reply.error()
    if missing_anchor and reply.status == 404:
        raise ObjectNotFound(f"the object is gone from the endpoint: {error.message}")
    raise error


def _list_response(reply: Reply) -> list[dict[str, Any]]:
    """The resources of a successful ListResponse."""
    body = _succeeded(reply).resource()
    resources = body.get("Resources", [])
    is_list_response = "Resources" in body or "totalResults" in body
    if not is_list_response or not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise ObjectError(SERVICE_INCOMPATIBLE, f"GET {reply.target} answered without a ListResponse")
    return resources


def _object_path(kind: ResourceType, object_id: str) -> str:
    return f"{kind.endpoint}/{quote(object_id, safe='')}"


def _read_params(kind: ResourceType) -> dict[str, str]:
    return {"excludedAttributes": kind.excluded_attributes} if kind.excluded_attributes else {}
