"""API-driven inbound provisioning: SCIM BulkRequest payloads checked, limited and staged.

Graph's `POST …/jobs/{jobId}/bulkUpload` takes `application/scim+json` BulkRequests of at most 50
operations, answers 202 and processes them later (spec §1.23, §3 #10). Here a payload is checked
whole first — one bad operation refuses it all, changing nothing — then each operation's user is
written, flattened, into the job's staging file (connectors/staged.py reads it as the job's
source), and the job becomes due: its next cycle, a second or so later under the scheduler,
provisions the staged users to the tenant directory and logs each change.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from .clock import Clock
from .connectors.staged import ADDRESS_PARTS, CORE_USER, TYPED_VALUES, read_staged
from .errors import InvalidRequest, ServiceError
from .fileio import OWNER_ONLY, atomic_write
from .models import DirectoryDefinition, SynchronizationJob, format_datetime, parse_datetime
from .store import Home

TEMPLATE_ID = "apiInbound"
BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
CONTENT_TYPE = "application/scim+json"
MAX_OPERATIONS = 50
"""Entra's limit of operations in one request."""
REQUESTS_PER_SECOND = 40
"""Entra's rate limit of bulkUpload requests (spec §3 #10), per job here."""
KEPT_OPERATIONS = 1000
"""Operations remembered for the dashboard; the staged users themselves are all kept."""


class RateLimited(ServiceError):
    """Too many requests: the caller waits `retry_after` seconds (HTTP 429 with Retry-After)."""

    code = "TooManyRequests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class StagedOperation:
    """One user of a bulkUpload payload, waiting for the job's next cycle."""

    bulk_id: str
    external_id: str
    user: dict[str, Any]


class InboundStaging:
    """The staging files of a home's API-driven inbound jobs. Thread-safe; processes writing the
    same file take turns through a lock file."""

    def __init__(self, home: Home, clock: Clock, limit_per_second: int = REQUESTS_PER_SECOND) -> None:
        self._home = home
        self._clock = clock
        self._limit = limit_per_second
        self._recent: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()
        self._latest: dict[Path, tuple[tuple[int, int], datetime | None]] = {}
        """Per staging file: its (mtime, size) when read, and when it last staged a payload."""

    def upload(self, job: SynchronizationJob, source: DirectoryDefinition, payload: bytes, content_type: str) -> int:
        """Stage a BulkRequest for `job`, whose source directory is `source`; returns how many
        operations were staged. Raises InvalidRequest (nothing staged) or RateLimited."""
        if job.template_id != TEMPLATE_ID:
            raise InvalidRequest(
                f"bulkUpload is for API-driven inbound jobs (template {TEMPLATE_ID}); job {job.id} is of "
                f"template {job.template_id}"
            )
        operations = parse_bulk_request(payload, content_type, source)
        self._admit(job.id or "")
        staged_file = self._home.inbound_file(job.id or "")
        with _file_lock(staged_file):
            document = read_staged(staged_file)
            now = format_datetime(self._clock.now())
            for operation in operations:
                document["users"][operation.external_id] = operation.user
            document["operations"] = [
                *document.get("operations", []),
                *({"bulkId": o.bulk_id, "externalId": o.external_id, "receivedDateTime": now} for o in operations),
            ][-KEPT_OPERATIONS:]
            document["stagedDateTime"] = now
            atomic_write(staged_file, orjson.dumps(document))
        return len(operations)

    def files(self, job_id: str) -> tuple[Path, Path]:
        """The job's staging file and the lock file its writers take turns by: what deleting the job removes."""
        staged_file = self._home.inbound_file(job_id)
        return staged_file, _lock_file(staged_file)

    def operations(self, job: SynchronizationJob) -> list[dict[str, Any]]:
        """The staged operations, newest first, each `processed` once a cycle that began after it
        has ended (its outcome is then in the job's provisioning log)."""
        last = job.required_status().last_execution
        done = last.time_began if last is not None else None
        return [
            {**operation, "processed": done is not None and parse_datetime(operation["receivedDateTime"]) < done}
            for operation in reversed(read_staged(self._home.inbound_file(job.id or "")).get("operations", []))
        ]

    def waiting(self, job: SynchronizationJob) -> bool:
        """A payload was staged since the job's last cycle began: its next cycle is due now."""
        if job.template_id != TEMPLATE_ID:
            return False
        staged = self._staged_at(self._home.inbound_file(job.id or ""))
        last = job.required_status().last_execution
        return staged is not None and (last is None or staged >= last.time_began)

    def _staged_at(self, staged_file: Path) -> datetime | None:
        try:
            stat = staged_file.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._latest.get(staged_file)
        if cached is None or cached[0] != stamp:  # read only when the file changed: the scheduler asks every second
            text = read_staged(staged_file).get("stagedDateTime")
            cached = (stamp, parse_datetime(text) if text else None)
            self._latest[staged_file] = cached
        return cached[1]

    def _admit(self, job_id: str) -> None:
        now = self._clock.now()
        with self._lock:
            recent = self._recent.setdefault(job_id, deque())
            while recent and recent[0] <= now - timedelta(seconds=1):
                recent.popleft()
            if len(recent) >= self._limit:
                raise RateLimited(
                    f"more than {self._limit} bulkUpload requests in a second for job {job_id}; retry after 1 second",
                    retry_after=1,
                )
            recent.append(now)


def parse_bulk_request(payload: bytes, content_type: str, source: DirectoryDefinition) -> list[StagedOperation]:
    """The operations of a BulkRequest, each user flattened to `source`'s attribute names;
    InvalidRequest naming the first problem (the whole payload is refused)."""
    if content_type.split(";")[0].strip().lower() != CONTENT_TYPE:
        raise InvalidRequest(f"the Content-Type must be {CONTENT_TYPE}, not {content_type or 'missing'!r}")
    try:
        request = orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise InvalidRequest(f"the payload is not valid JSON: {error}") from None
    if not isinstance(request, dict):
        raise InvalidRequest("the payload must be a SCIM BulkRequest (a JSON object)")
    if BULK_REQUEST not in (request.get("schemas") or []):
        raise InvalidRequest(f'the payload\'s "schemas" must hold "{BULK_REQUEST}"')
    operations = request.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidRequest('the payload has no "Operations": a BulkRequest holds 1 to 50 of them')
    if len(operations) > MAX_OPERATIONS:
        raise InvalidRequest(
            f"the payload has {len(operations)} operations; at most {MAX_OPERATIONS} go in one request: split it"
        )
    known = {attribute.name.lower(): attribute.name for attribute in source.objects[0].attributes}
    parsed: list[StagedOperation] = []
    bulk_ids: set[str] = set()
    for number, operation in enumerate(operations, start=1):
        staged = _operation(operation, f"operation {number}", known)
        if staged.bulk_id in bulk_ids:
            raise InvalidRequest(f'operation {number}: bulkId "{staged.bulk_id}" is used twice; each must be unique')
        bulk_ids.add(staged.bulk_id)
        parsed.append(staged)
    return parsed


def _operation(operation: Any, where: str, known: Mapping[str, str]) -> StagedOperation:
    if not isinstance(operation, dict):
        raise InvalidRequest(f"{where} is not a JSON object")
    bulk_id = operation.get("bulkId")
    if not isinstance(bulk_id, str) or not bulk_id.strip():
        raise InvalidRequest(f"{where} has no bulkId; give each operation a unique one")
    where = f'{where} (bulkId "{bulk_id}")'
    if str(operation.get("method", "")).upper() != "POST":
        raise InvalidRequest(f'{where}: method must be "POST", not {operation.get("method")!r}')
    if operation.get("path") != "/Users":
        raise InvalidRequest(f'{where}: path must be "/Users", not {operation.get("path")!r}')
    data = operation.get("data")
    if not isinstance(data, dict):
        raise InvalidRequest(f'{where}: "data" must be the user, a JSON object')
    if CORE_USER not in (data.get("schemas") or []):
        raise InvalidRequest(f'{where}: the user\'s "schemas" must hold "{CORE_USER}"')
    flat = dict(_flattened(data, where))
    unknown = [name for name in flat if name.lower() not in known]
    if unknown:
        raise InvalidRequest(
            f"{where}: unknown attribute {', '.join(unknown)}; add it to the source directory of the job's schema "
            "(`synctui schema put`) or leave it out"
        )
    user = {known[name.lower()]: value for name, value in flat.items()}
    external_id = user.get("externalId")
    if not isinstance(external_id, str) or not external_id.strip():
        raise InvalidRequest(f"{where}: the user has no externalId, the key that identifies the worker")
    return StagedOperation(bulk_id, external_id, user)


def _flattened(data: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    """A SCIM user's attributes by the staged directory's names (see connectors/staged.py)."""
    for name, value in data.items():
        if name == "schemas":
            continue
        if name == "name" and isinstance(value, dict):
            yield from ((f"name.{part}", _scalar(v, f"{where}: name.{part}")) for part, v in value.items())
        elif name in TYPED_VALUES or name == "addresses":
            yield from _typed(name, value, where)
        elif name.startswith("urn:") and isinstance(value, dict):
            for attribute, inner in value.items():
                if isinstance(inner, dict) and set(inner) <= {"value", "$ref", "displayName"}:
                    inner = inner.get("value")  # a reference (manager): the referenced worker's externalId
                yield f"{name}:{attribute}", _scalar(inner, f"{where}: {name}:{attribute}")
        else:
            yield name, _scalar(value, f"{where}: {name}")


def _typed(name: str, values: Any, where: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
        raise InvalidRequest(f'{where}: {name} must be a list of objects with a "type"')
    for value in values:
        kind = value.get("type")
        parts = ADDRESS_PARTS if name == "addresses" else ("value",)
        for part, inner in value.items():
            if part in ("type", "primary"):
                continue
            if part not in parts:
                raise InvalidRequest(f"{where}: unknown attribute {name}.{part}")
            yield f'{name}[type eq "{kind}"].{part}', _scalar(inner, f"{where}: {name}.{part}")


def _scalar(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise InvalidRequest(f"{where} must be a single value, not {type(value).__name__}")


def _lock_file(staged_file: Path) -> Path:
    return staged_file.with_name(f"{staged_file.name}.lock")


@contextmanager
def _file_lock(staged_file: Path) -> Iterator[None]:
    """One writer of the staging file at a time, across threads and processes (the server and
    `synctui bulk upload`): a read-change-write by two would lose one's operations."""
    descriptor = os.open(_lock_file(staged_file), os.O_RDWR | os.O_CREAT, OWNER_ONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
