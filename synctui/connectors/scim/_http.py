"""The HTTP side of the SCIM directory: one keep-alive client shared by the export threads,
bounded retries, the trace, and how a reply becomes an Entra error code."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote_plus

import httpx
import orjson

from ..base import ConnectionFailure, DirectoryError, ObjectError

SCIM_JSON = "application/scim+json"
SERVICE_INCOMPATIBLE = "SystemForCrossDomainIdentityManagementServiceIncompatible"

Trace = Callable[[dict[str, Any]], None]

# Entra's log codes for the statuses a SCIM endpoint answers (spec §3.5).
_STATUS_CODES = {
    400: "InvalidValue",
    405: "MethodNotAllowed",
    409: "EntryConflict",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    501: "NotImplemented",
}
_TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


_ATTEMPTS = 3
"""Tries per request, the first included."""
_BACKOFF = 0.25
"""Seconds before the first retry of a 5xx or a transport failure; doubled each time."""
_MAX_RETRY_AFTER = 60.0
"""Longest wait a `Retry-After` header can impose."""


@dataclass(frozen=True)
class Reply:
    method: str
    target: str
    """Path and query relative to the base address, readable (`/Users?filter=userName eq "x"`)."""
    status: int
    body: Any
    """The parsed JSON body; None when empty; the raw text when it is not JSON."""

    def resource(self) -> dict[str, Any]:
        """The JSON object a successful reply must carry."""
        if not isinstance(self.body, dict):
            raise ObjectError(SERVICE_INCOMPATIBLE, self._describe("a SCIM resource was expected"))
        return self.body

    def error(self) -> DirectoryError:
        """The error an unsuccessful reply means; the message quotes the endpoint's `detail`."""
        if self.status in (401, 403):
            return ConnectionFailure("ScimEndpointUnauthorized", self._describe("the endpoint refused the credentials"))
        if self.status in _STATUS_CODES:
            code = _STATUS_CODES[self.status]
        elif self.status >= 500:
            code = "InternalServerError"
        else:
            code = SERVICE_INCOMPATIBLE
        return ObjectError(code, self._describe())

    def _describe(self, expectation: str | None = None) -> str:
        text = f"{self.method} {self.target} answered HTTP {self.status}"
        if isinstance(self.body, dict) and ("detail" in self.body or "scimType" in self.body):
            if scim_type := self.body.get("scimType"):
                text += f" ({scim_type})"
            if detail := self.body.get("detail"):
                text += f': "{_one_line(str(detail))}"'
        elif isinstance(self.body, str) and self.body:
            text += f", not SCIM JSON: {_one_line(self.body)[:200]!r}"
        elif self.body is not None:
            text += f": {_one_line(orjson.dumps(self.body).decode())[:200]}"
        return f"{text}; {expectation}" if expectation else text


class ScimClient:
    """Sends requests to a SCIM endpoint. Thread-safe: httpx's pool is, and nothing else here
    changes after construction."""

    def __init__(
        self,
        base_address: str,
        secret_token: str | None,
        *,
        max_parallel: int,
        timeout: float,
        trace: Trace | None,
        transport: httpx.BaseTransport | None,
    ) -> None:
        headers = {"Authorization": f"Bearer {secret_token}"} if secret_token else {}
        self._client = httpx.Client(
            base_url=base_address,
            headers=headers,
            timeout=timeout,
            # One connection per export thread, all kept alive between requests.
            limits=httpx.Limits(max_connections=max_parallel, max_keepalive_connections=max_parallel),
            transport=transport,
        )
        self._base_address = base_address
        self._trace = trace

    def send(self, method: str, path: str, *, params: dict[str, str] | None = None, json: Any = None) -> Reply:
        """The endpoint's final answer, after retrying throttling, 5xx and transport failures.
        Raises `ConnectionFailure` when the endpoint cannot be reached at all."""
        content = None if json is None else orjson.dumps(json)
        headers = None if content is None else {"Content-Type": SCIM_JSON}
        request = self._client.build_request(method, path, params=params, content=content, headers=headers)
        target = _readable_target(request.url, self._client.base_url)
        attempt = 0
        while True:
            attempt += 1
            last_attempt = attempt == _ATTEMPTS
            started = time.perf_counter()
            try:
                response = self._client.send(request)
            except httpx.TransportError as exc:
                self._report(request, target, json, started, error=exc)
                if last_attempt:
                    raise _unreachable(self._base_address, target, exc, attempt) from None
                time.sleep(_backoff(attempt))
                continue
            reply = Reply(method, target, response.status_code, _parse_body(response.content))
            self._report(request, target, json, started, reply=reply)
            if reply.status not in _TRANSIENT_STATUSES or last_attempt:
                return reply
            time.sleep(_retry_delay(response, attempt))

    def close(self) -> None:
        self._client.close()


    def _report(
        self,
        request: httpx.Request,
        target: str,
        body: Any,
        started: float,
        *,
        reply: Reply | None = None,
        error: Exception | None = None,
    ) -> None:
        if self._trace is None:
            return
        headers = dict(request.headers)
        if "authorization" in headers:
            headers["authorization"] = "Bearer ***"
        self._trace(
            {
                "method": request.method,
                "path": target,
                "request_headers": headers,
                "request_body": body,
                "status": reply.status if reply else None,
                "response_body": reply.body if reply else None,
                "error": _one_line(f"{type(error).__name__}: {error}") if error else None,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )


def _backoff(attempt: int) -> float:
    return _BACKOFF * 2 ** (attempt - 1)


def _retry_delay(response: httpx.Response, attempt: int) -> float:
    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
    return _backoff(attempt) if retry_after is None else min(retry_after, _MAX_RETRY_AFTER)


def _readable_target(url: httpx.URL, base_url: httpx.URL) -> str:
    path = url.path.removeprefix(base_url.path.rstrip("/"))
    query = unquote_plus(url.query.decode("ascii"))
    return f"{path}?{query}" if query else path


def _parse_body(content: bytes) -> Any:
    if not content.strip():
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return content.decode("utf-8", errors="replace")


def _retry_after_seconds(header: str | None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # RFC 9110 dates are always GMT
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _unreachable(base_address: str, target: str, exc: httpx.TransportError, attempts: int) -> ConnectionFailure:
    code = "Timeout" if isinstance(exc, httpx.TimeoutException) else "WebExceptionProtocolError"
    reason = _one_line(str(exc)) or type(exc).__name__
    return ConnectionFailure(
        code, f"cannot reach the SCIM endpoint {base_address} ({target}): {reason}, after {attempts} attempts"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
