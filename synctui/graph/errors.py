"""Graph's error body and the HTTP status of each error code.

`{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}` — the
shape every Graph client parses (msgraph-sdk raises it as `ODataError`). The code is the
`SynctuiError`'s own (errors.py); the status is decided here, at the entry point.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import SynctuiError, shortened
from ..models import format_datetime

STATUS_OF_CODE = {
    "BadRequest": 400,
    "InvalidAuthenticationToken": 401,
    "Request_ResourceNotFound": 404,
    "ResourceNotFound": 404,
    "MethodNotAllowed": 405,
    "Conflict": 409,
    "RequestEntityTooLarge": 413,
    "UnsupportedMediaType": 415,
    "TooManyRequests": 429,
}
"""Any other code is a failure of the operation itself (a directory that cannot be reached, a
damaged file): 500, as Graph answers an error of its own service."""


class GraphRequestError(SynctuiError):
    """A request the endpoint refuses before the service sees it (authentication, a body that is
    not JSON, an unknown path); `code` is Graph's."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


def status_of(error: SynctuiError) -> int:
    return STATUS_OF_CODE.get(error.code, 500)


def error_body(error: SynctuiError, now: datetime, request_id: str, client_request_id: str | None) -> dict[str, Any]:
    message = str(error)
    problems = getattr(error, "problems", [])
    if problems:
        message += ": " + "; ".join(shortened(problems))
    inner = {
        "date": format_datetime(now.replace(microsecond=0)),
        "request-id": request_id,
        "client-request-id": client_request_id or request_id,
    }
    return {"error": {"code": error.code, "message": message, "innerError": inner}}
