"""The `Directory` protocol every connector implements, and the errors a directory raises.

An object is a plain dict: `"id"` holds its anchor (the directory's own identifier) and the
other keys are attribute names exactly as the directory's `directoryDefinition` spells them
(`userName`, `emails[type eq "work"].value`, `urn:…:enterprise:2.0:User:manager`). Values are
`str`, `bool`, `int`, `list[str]` or `None`. Reference attributes (`manager`, `members`) hold
ids of objects in the same directory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from ..models import DirectoryDefinition

DirectoryObject = dict[str, Any]


@dataclass
class Modification:
    """What an update changes: only the attributes that differ."""

    replace: dict[str, Any] = field(default_factory=dict)
    """Single-valued (or whole multi-valued) attributes set to a new value; `None` clears one."""
    add: dict[str, list[Any]] = field(default_factory=dict)
    """Values added to multi-valued attributes (group `members`: target ids)."""
    remove: dict[str, list[Any]] = field(default_factory=dict)
    """Values removed from multi-valued attributes."""
    before: Mapping[str, Any] | None = None
    """The target object as the engine read it before deciding the change, if it did: what
    tells a value the target lacks from one it has (see `change_of`)."""

    def __bool__(self) -> bool:
        return bool(self.replace or self.add or self.remove)

    def change_of(self, name: str) -> ChangeKind:
        """How `replace[name]` changes the target, as Entra's SCIM client tells it (shared spec,
        "Update user"; RFC 7644 §3.5.2): `remove` when the new value is empty, `add` when the
        target as read before has no value, `replace` when it has another one. Without `before`,
        a value is taken to be there."""
        if is_empty(self.replace[name]):
            return "remove"
        if self.before is not None and is_empty(self.before.get(name)):
            return "add"
        return "replace"


ChangeKind = Literal["add", "replace", "remove"]


def is_empty(value: Any) -> bool:
    """No value: null, an empty string or an empty list."""
    return value is None or value == "" or value == []


@runtime_checkable
class Directory(Protocol):
    """A source or target directory. Implementations: memory, tenant JSON, JSON file, CSV, SCIM."""

    def definition(self) -> DirectoryDefinition:
        """Describe the directory as a Graph `directoryDefinition` (objects and attributes)."""
        ...

    def test_connection(self) -> None:
        """Raise `ConnectionFailure` if the directory cannot be reached or refuses our credentials."""
        ...

    def read_all(self, object_type: str) -> Iterable[DirectoryObject]:
        """Every object of a type (raises a `DirectoryDataError` on a malformed file)."""
        ...

    def get(self, object_type: str, object_id: str) -> DirectoryObject | None:
        """One object by id, or None if it does not exist."""
        ...

    def find(self, object_type: str, attribute: str, value: Any) -> list[DirectoryObject]:
        """Objects whose `attribute` equals `value` (case-insensitively unless the attribute is caseExact)."""
        ...

    def create(self, object_type: str, attributes: DirectoryObject) -> str:
        """Create an object (without `id`); return its new id."""
        ...

    def update(self, object_type: str, object_id: str, modification: Modification) -> None:
        """Apply a modification; raise `ObjectNotFound` if the object is gone."""
        ...

    def delete(self, object_type: str, object_id: str) -> None:
        """Delete an object (hard delete); raise `ObjectNotFound` if it does not exist."""
        ...

    def flush(self) -> None:
        """Make every change so far durable (file directories write atomically here)."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


@runtime_checkable
class SharedReads(Protocol):
    """What a directory may offer besides `Directory`: reading every object without copying.

    `read_all` hands out copies that the caller may change. A caller that only reads (a cycle
    reading its source) can skip the cost of copying 100,000 objects through this instead."""

    def read_all_shared(self, object_type: str) -> Mapping[str, DirectoryObject]:
        """Every object of a type by id, as the directory keeps it: the caller must not change
        them. The anchor is under `id` only, whatever the directory's definition calls it. The
        objects, and which there are, stay as they were read, whatever is written to the
        directory afterwards."""
        ...


@runtime_checkable
class ParallelRequests(Protocol):
    """What a directory may offer besides `Directory`: taking calls from several threads at once
    (a network directory, whose calls mostly wait for replies). A cycle then keeps up to
    `max_parallel` of its calls in flight."""

    max_parallel: int


@runtime_checkable
class DeferredWrites(Protocol):
    """What a directory may offer besides `Directory`: saying that its creates, updates and
    deletes reach its store only at `flush` (a file directory rewrites its file there). A cycle
    then need not make each note of its in-flight journal durable before the call, only before
    the flush."""

    writes_at_flush: bool


@runtime_checkable
class ContentDigest(Protocol):
    """What a source directory may offer besides `Directory`: a digest of everything it would read
    (its objects and, as an `AssignmentSource`, its assignments), for the price of reading its
    bytes. The same digest, the same objects: a cycle that found nothing to do need not look again
    (see engine/cycle.py)."""

    def content_digest(self) -> str | None:
        """The digest of what the directory holds now; None when it cannot tell."""
        ...


NotedRuns = Mapping[bytes, tuple[Sequence[bytes], Sequence[str]]]
"""Each digest of a run of texts a directory gave before (see `DigestedObjects.runs`) → the
digests of its texts and the ids of their objects, in order."""


@dataclass
class DigestedObjects:
    """A source's objects of one type, each with a digest of its text (see `TextDigests`)."""

    objects: Mapping[str, DirectoryObject]
    """As `SharedReads.read_all_shared` hands them out."""
    digests: Mapping[str, bytes]
    """Each id → the digest of its object's text."""
    runs: Sequence[tuple[bytes, int]] = ()
    """The objects' texts in runs, in the directory's order: each run's digest and how many it
    holds (a run's digest stands for its texts' digests where it is given as `runs` again)."""


@runtime_checkable
class TextDigests(Protocol):
    """What a source directory may offer besides `Directory`: its objects with a digest of each
    one's text, so that a caller that noted what it made of an object's text (engine/
    source_digests.py) need not read again an object whose text is as it was. A digest covers
    the text and the rules the values of its type follow: a text checked under other rules has
    another digest."""

    def digested_objects(
        self, known: Mapping[str, Mapping[bytes, str]], runs: Mapping[str, NotedRuns] | None = None
    ) -> dict[str, DigestedObjects] | None:
        """Each object type of `known` → its objects, read as `SharedReads.read_all_shared` reads
        them, and their digests; an object whose digest is in `known[object_type]` (this directory
        gave that text before, as the object with that id) is neither parsed nor checked until it
        is asked for. `runs`: each object type → runs of texts this directory gave before (see
        `DigestedObjects.runs`): the texts of a run as it was are not digested one by one. None
        when the directory cannot read its objects so: the caller reads them as usual."""
        ...


@runtime_checkable
class KeepsNotes(Protocol):
    """What a directory kept in a file may offer besides `Directory`: the notes of derived data it
    keeps beside the file (where its objects lie, an index): caches, made again when missing, which
    outlive the directory. Deleting the last job whose source or target is the file removes them."""

    path: Path
    """The directory's file."""

    def notes(self) -> tuple[Path, ...]:
        """The notes there: files that read as its notes; never the file itself."""
        ...


@runtime_checkable
class SingleReads(Protocol):
    """What a directory may offer besides `Directory`: reading one object for a caller that wants
    no other (provision on demand), without loading the whole directory to find it."""

    def read_one(self, object_type: str, object_id: str) -> DirectoryObject | None:
        """One object by id, as `get`."""
        ...


@runtime_checkable
class AssignmentSource(Protocol):
    """What a source directory may offer besides `Directory`: the applications its users and groups
    are assigned to (Graph's `appRoleAssignment` resources), which scope a job that syncs only
    assigned users and groups (see engine/assignments.py)."""

    def app_role_assignments(self, resource_id: str) -> list[dict[str, Any]]:
        """The assignments to the application whose service principal id is `resource_id`, each
        with `id`, `principalId`, `principalType` ("User" or "Group") and `appRoleId`."""
        ...


@runtime_checkable
class StoppableCalls(Protocol):
    """What a directory may offer besides `Directory`: calls that may wait long for a server, and
    that give up, raising `Interrupted`, once the cycle is asked to stop (pause, SIGTERM)."""

    def stop_when(self, should_stop: Callable[[], bool]) -> None: ...


class DirectoryError(Exception):
    """Base of the errors a directory raises. `code` is an Entra error code (`EntryConflict`…)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ObjectError(DirectoryError):
    """One object failed (conflict, rejected value, vanished anchor): the engine escrows it and goes on."""

    def __init__(self, code: str, message: str, *, retryable: bool = True) -> None:
        super().__init__(code, message)
        self.retryable = retryable


class ObjectNotFound(ObjectError):
    """The object a call addressed by its id does not exist (any more): `InvalidAnchor`. The engine
    tells it apart: a delete of an object already gone is done."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidAnchor", message)


class ConnectionFailure(DirectoryError):
    """The directory as a whole failed (unreachable, credentials refused): the cycle fails and the
    job may go to quarantine."""

    def __init__(self, code: str, message: str, *, tenant_actionable: bool = True) -> None:
        super().__init__(code, message)
        self.tenant_actionable = tenant_actionable


class Interrupted(DirectoryError):
    """A call given up because the cycle was asked to stop (pause, SIGTERM) while it waited: not a
    failure of the directory nor of the object; the cycle stops as at a pause."""

    def __init__(self, message: str) -> None:
        super().__init__("Interrupted", message)


class DirectoryDataError(DirectoryError):
    """A directory's file could not be read as data (malformed file, bad row): the cycle fails
    before it changes anything, and nothing is deprovisioned. Its code says whose file it is."""


class SourceDataError(DirectoryDataError):
    """The source's file could not be read as data."""

    def __init__(self, message: str) -> None:
        super().__init__("SourceDataInvalid", message)


class TargetDataError(DirectoryDataError):
    """The target's file could not be read as data (a JSON file target edited by hand)."""

    def __init__(self, message: str) -> None:
        super().__init__("TargetDataInvalid", message)


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
