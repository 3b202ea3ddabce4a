"""The HTTP side of the SCIM directory: one keep-alive client shared by the export threads,
bounded retries, a deadline and a size cap on each request, the trace, and how a reply becomes
an Entra error code."""

from __future__ import annotations

import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import httpx
import orjson

from ..base import ConnectionFailure, DirectoryError, Interrupted, ObjectError

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
_STOP_POLL = 0.1
"""Seconds between two looks at the stop request while a request waits."""
_NEW_CONNECTIONS = frozenset({"connection.connect_tcp.complete", "connection.start_tls.complete"})
"""httpcore's trace events that hand over a connection's network stream."""
MASK = "***"


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
    """Sends requests to a SCIM endpoint. Thread-safe: httpx's pool is, the connections noted
    are behind a lock, and the stop request is set once, before a cycle."""

    def __init__(
        self,
        base_address: str,
        secret_token: str | None,
        *,
        max_parallel: int,
        timeout: float,
        request_timeout: float,
        max_response_bytes: int,
        trace: Trace | None,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self._credentials = credentials_of(base_address, secret_token)
        if secret_token and not _fits_a_header(secret_token):
            raise ConnectionFailure(
                "InvalidCredentials",
                "the SCIM endpoint's bearer token holds a line break, a control character or a non-ASCII "
                "character, which an HTTP header cannot carry; set the token again",
            )
        headers = {"Authorization": f"Bearer {secret_token}"} if secret_token else {}
        self._client = httpx.Client(
            base_url=base_address,
            headers=headers,
            timeout=timeout,
            # One connection per export thread, all kept alive between requests.
            limits=httpx.Limits(max_connections=max_parallel, max_keepalive_connections=max_parallel),
            transport=transport,
        )
        self._base_address = mask(base_address, self._credentials)
        self._timeout = timeout
        self._request_timeout = request_timeout
        self._max_response_bytes = max_response_bytes
        self._trace = trace
        self._should_stop: Callable[[], bool] = lambda: False
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        self._closed = threading.Event()

    def stop_when(self, should_stop: Callable[[], bool]) -> None:
        """Give up the requests under way, and send no more, once `should_stop()` is true."""
        self._should_stop = should_stop
        threading.Thread(target=self._cut_when_stopped, name="synctui-scim-stop", daemon=True).start()

    def send(self, method: str, path: str, *, params: dict[str, str] | None = None, json: Any = None) -> Reply:
        """The endpoint's final answer, after retrying throttling, 5xx and transport failures,
        all within the request deadline. Raises `ConnectionFailure` when the endpoint cannot be
        reached at all, or its answer takes too long or is too large; `Interrupted` when asked
        to stop."""
        content = None if json is None else orjson.dumps(json)
        headers = None if content is None else {"Content-Type": SCIM_JSON}
        request = self._client.build_request(method, path, params=params, content=content, headers=headers)
        target = _readable_target(request.url, self._client.base_url)
        deadline = time.monotonic() + self._request_timeout
        attempt = 0
        while True:
            attempt += 1
            last_attempt = attempt == _ATTEMPTS
            started = time.perf_counter()
            try:
                response, body = self._exchange(request, target, deadline)
            except httpx.TransportError as exc:
                self._report(request, target, json, started, error=exc)
                self._check_stop(target)  # the stop cut the connection (see `_cut_when_stopped`)
                if time.monotonic() >= deadline:
                    raise self._too_slow(target) from None
                if last_attempt or not self._wait(_backoff(attempt), deadline):
                    raise self._unreachable(target, exc, attempt) from None
                continue
            except DirectoryError as error:
                self._report(request, target, json, started, error=error)
                raise
            reply = Reply(method, target, response.status_code, _parse_body(body))
            self._report(request, target, json, started, reply=reply)
            if reply.status not in _TRANSIENT_STATUSES or last_attempt:
                return reply
            if not self._wait(_retry_delay(response, attempt), deadline):
                return reply  # no time left to try again: the throttling or 5xx is the answer

    def close(self) -> None:
        self._closed.set()
        self._client.close()

    def _exchange(self, request: httpx.Request, target: str, deadline: float) -> tuple[httpx.Response, bytes]:
        """One attempt: the response and its body, read as it arrives, so that neither a slow nor
        a huge answer goes past the deadline or the size cap."""
        self._check_stop(target)
        # Each wait for the server (to connect, for each read) ends by the deadline at the latest.
        wait = max(0.001, min(self._timeout, deadline - time.monotonic()))
        request.extensions["timeout"] = httpx.Timeout(wait).as_dict()
        request.extensions["trace"] = self._note_connection
        response = self._client.send(request, stream=True)
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self._max_response_bytes:
                raise self._too_large(target)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self._max_response_bytes:
                    raise self._too_large(target)
                if time.monotonic() >= deadline:
                    raise self._too_slow(target)
                self._check_stop(target)
            return response, bytes(body)
        finally:
            response.close()

    def _wait(self, seconds: float, deadline: float) -> bool:
        """Wait before a retry, unless the deadline would pass first (False). A stop request
        ends the wait early; the next attempt then raises `Interrupted`."""
        until = time.monotonic() + seconds
        if until >= deadline:
            return False
        while (left := until - time.monotonic()) > 0 and not self._should_stop():
            time.sleep(min(left, _STOP_POLL))
        return True

    def _note_connection(self, event: str, info: dict[str, Any]) -> None:
        if event in _NEW_CONNECTIONS:
            with self._connections_lock:
                self._connections.add(info["return_value"])

    def _cut_when_stopped(self) -> None:
        """Once a stop comes, shut every connection down: a read waiting on a server that sends
        nothing returns at once, where the check between chunks would wait for the next one."""
        while not self._closed.wait(_STOP_POLL):
            if self._should_stop():
                with self._connections_lock:
                    connections = list(self._connections)
                for connection in connections:
                    with suppress(OSError):
                        # The plain socket's shutdown, under TLS too: it wakes the waiting read
                        # without touching the TLS state that read is using.
                        socket.socket.shutdown(connection.get_extra_info("socket"), socket.SHUT_RDWR)
                return

    def _check_stop(self, target: str) -> None:
        if self._should_stop():
            raise Interrupted(f"the request {target} to the SCIM endpoint was given up: the cycle was asked to stop")

    def _too_slow(self, target: str) -> ConnectionFailure:
        return ConnectionFailure(
            "Timeout",
            f"the SCIM endpoint {self._base_address} ({target}) did not answer completely within "
            f"{self._request_timeout:g} seconds; if it is that slow, raise the job setting ScimRequestTimeoutSeconds",
        )

    def _too_large(self, target: str) -> ConnectionFailure:
        return ConnectionFailure(
            "ResponseTooLarge",
            f"the SCIM endpoint {self._base_address} ({target}) answered with more than "
            f"{self._max_response_bytes} bytes; if its answers are that large, raise the job setting "
            "ScimMaxResponseBytes",
        )

    def _unreachable(self, target: str, exc: httpx.TransportError, attempts: int) -> ConnectionFailure:
        code = "Timeout" if isinstance(exc, httpx.TimeoutException) else "WebExceptionProtocolError"
        reason = _one_line(mask(str(exc), self._credentials)) or type(exc).__name__
        return ConnectionFailure(
            code, f"cannot reach the SCIM endpoint {self._base_address} ({target}): {reason}, after {attempts} attempts"
        )

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
        if "authorization" in headers:  # all of it but the scheme is a credential (Bearer; Basic from user-info)
            headers["authorization"] = f"{headers['authorization'].partition(' ')[0]} {MASK}"
        self._trace(
            {
                "method": request.method,
                "path": target,
                "request_headers": headers,
                "request_body": body,
                "status": reply.status if reply else None,
                "response_body": reply.body if reply else None,
                "error": _one_line(mask(f"{type(error).__name__}: {error}", self._credentials)) if error else None,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )


def credentials_of(base_address: str, secret_token: str | None = None) -> tuple[str, ...]:
    """What must never be shown of a SCIM connection: its token, and any user-info in its base
    address (`http://admin:pw@host/scim`)."""
    user_info = urlsplit(base_address).netloc.rpartition("@")[0]
    return tuple(credential for credential in (user_info, secret_token) if credential)


def mask(text: str, credentials: Iterable[str]) -> str:
    """`text` with each of `credentials` in it shown as `***`: how errors, statuses and the trace
    show a connection's secrets."""
    for credential in credentials:
        text = text.replace(credential, MASK)
    return text


def _backoff(attempt: int) -> float:
    return _BACKOFF * 2.0 ** (attempt - 1)


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
        moment = moment.replace(tzinfo=UTC)  # RFC 9110 dates are always GMT
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _fits_a_header(value: str) -> bool:
    return all(" " <= character <= "~" for character in value)


def _one_line(text: str) -> str:
    return " ".join(text.split())
