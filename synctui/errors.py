"""One root for every error synctui raises on purpose, each with a Graph error code.

The message is one line that says what went wrong and how to fix it. The entry points decide
what an error becomes there: cli.py an exit code, the Graph endpoint an HTTP status and error
body (its `code` is the error's). Nothing below them knows about either.
"""

from __future__ import annotations


class SynctuiError(Exception):
    """A request synctui could not do; the message says what and how to fix it."""

    code = "UnknownError"
    """Graph's error code for this kind of failure (`error.code` of Graph's error body)."""


class ServiceError(SynctuiError):
    """An operation of the service ran and failed (a connection, a file it writes, a child process)."""


class NotFound(ServiceError):
    """No job, template, escrow or object by that id."""

    code = "Request_ResourceNotFound"


class InvalidRequest(ServiceError):
    """A request the service refuses as given; `problems` lists each one (a schema can have thousands)."""

    code = "BadRequest"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class Busy(ServiceError):
    """The job is in use: a cycle of it runs here or in another process."""

    code = "Conflict"


LINES_SHOWN = 20
"""Problems (or changes) shown to a person; a schema can have thousands."""


def shortened(lines: list[str], limit: int = LINES_SHOWN) -> list[str]:
    """The first `limit` lines and a count of the rest."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… and {len(lines) - limit:,} more"]


def validation_problems(error: Exception) -> list[str]:
    """A pydantic validation error as one line per problem (where, and what); else its message."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return [str(error)]
    return [f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}" for item in errors()]
