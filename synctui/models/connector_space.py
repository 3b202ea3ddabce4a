"""A job's connector space as the engine holds it: one entry per source object, saying whether a
target object is linked to it and what became of that object.

Not Graph JSON, and no I/O: the engine reads and changes these, and synctui.store.connector_space
alone turns them into the JSON of a job's `.space.json` and back. A cycle holds one entry per
source object (100,000 and more), so an entry is a plain slots dataclass, not a pydantic model.
"""

from __future__ import annotations

import abc
import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class EntryKey(str):
    """An entry's key, `<objectType>:<sourceId>` (e.g. `User:u1`): the text the connector space,
    the escrows and the in-flight journal know an object by. Built and taken apart here alone."""

    __slots__ = ()

    @classmethod
    def of(cls, object_type: str, source_id: str) -> EntryKey:
        return cls(f"{object_type}:{source_id}")

    @property
    def object_type(self) -> str:
        """The object type prefix (a mapping's `key_prefix`)."""
        return self.partition(":")[0]

    @property
    def source_id(self) -> str:
        return self.partition(":")[2]


class ProvisioningState(enum.Enum):
    """What became of the target object provisioned from a source object."""

    UNLINKED = "unlinked"
    """No target object is linked: never provisioned (out of scope, filtered, failed before its
    create), or its link was dropped (the target object was found gone)."""
    LINKED = "linked"
    """Provisioned, and kept in line with its source object."""
    DISABLED = "disabled"
    """Disabled in the source, so soft-deleted in the target; still managed: its other changes,
    manager and members still flow."""
    OUT_OF_SCOPE = "outOfScope"
    """Left the scope, so soft-deleted in the target (or left as it was where no mapping
    soft-deletes); no longer managed."""
    DELETED = "deleted"
    """Deleted from the target (or due to be, where the mapping does not allow deletes); the link
    is kept until its source object is gone too."""

    # Identity tests, not a set's: an enum member hashes in Python, and these run per object.
    @property
    def holds_target(self) -> bool:
        """The linked target object is still there (linked, disabled or out of scope)."""
        return self is not ProvisioningState.UNLINKED and self is not ProvisioningState.DELETED

    @property
    def managed(self) -> bool:
        """The linked target object still follows its source object (linked or disabled): it is
        updated, its references are set, and it is disabled or deleted when its source object goes."""
        return self is ProvisioningState.LINKED or self is ProvisioningState.DISABLED


@dataclass(slots=True, eq=True)
class SpaceEntry:
    """What the engine knows of one source object and the target object linked to it."""

    object_type: str
    """The source object type."""
    state: ProvisioningState = ProvisioningState.UNLINKED
    target_id: str | None = None
    """The linked target object's id (None when unlinked; kept once deleted, for the log)."""
    target_type: str | None = None
    in_scope: bool | None = None
    """Whether the object was in scope when last looked at (None: not recorded)."""
    hash: str | None = None
    """The fingerprint of what the mapping read of the object when it was last exported or looked
    at: an unchanged object is not looked at again (None: look at it on the next cycle)."""
    display_name: str | None = None
    refs: dict[str, Any] | None = None
    """The references last exported (manager, members) by target attribute; None when the target
    may hold others (a reference update was in flight when a run stopped)."""
    refs_pending: bool = False
    """The reference pass must look at this object in this cycle."""
    refs_unresolved: bool = False
    """Some references point at objects not provisioned yet: looked at again every cycle."""
    cycle: str | None = None
    """The id of the cycle that last looked at the object (a resumed cycle skips it)."""

    @property
    def linked_target(self) -> str | None:
        """The linked target object's id while that object is still there (see `holds_target`)."""
        return self.target_id if self.state.holds_target else None

    @property
    def managed_target(self) -> str | None:
        """The linked target object's id while it follows its source object (see `managed`)."""
        return self.target_id if self.state.managed else None

    def link(self, target_id: str, target_type: str | None) -> None:
        self.target_id, self.target_type, self.state = target_id, target_type, ProvisioningState.LINKED

    def unlink(self) -> None:
        """Drop the link to a target object found gone: the object is matched again next time."""
        self.target_id, self.state, self.hash = None, ProvisioningState.UNLINKED, None


class EntrySummaries(abc.ABC):
    """What a cycle's mapping of entries may offer besides its entries: facts of them told without
    making a `SpaceEntry` of each (a loaded space's 100,000, of which a cycle that finds nothing
    changed looks at few). Each tells what the entries themselves would. An abstract class rather
    than a protocol: the reference pass asks whether its entries offer it once per object, and a
    protocol's `isinstance` takes microseconds."""

    @abc.abstractmethod
    def hashes_and_cycles(self, keys: Iterable[str]) -> list[tuple[str | None, str | None] | None]:
        """Each key's entry's `hash` and `cycle` (None where there is no entry of that key), all at
        once: a cycle's plan asks for those of every source object, and a call for each cost more
        than the rest of its look at an unchanged object."""

    @abc.abstractmethod
    def keys_with_references_due(self) -> list[str]:
        """The keys of the entries with `refs_pending` or `refs_unresolved`."""

    @abc.abstractmethod
    def managed_target(self, key: str) -> str | None:
        """The entry's `managed_target`; None when there is no entry of that key."""

    @abc.abstractmethod
    def managed_targets_since(self, version: int) -> dict[str, str | None] | None:
        """Each entry written since the connector space's change number was `version` → its
        `managed_target` as it stood then (None: none, or no entry); None when that is not known."""

    @abc.abstractmethod
    def owners(self) -> dict[tuple[str | None, str], str]:
        """(target type, target id) → the key of the entry with that target, for every entry with one."""

    @abc.abstractmethod
    def linked_by_type(self) -> Counter[str]:
        """How many entries are linked, by object type."""


class _MadeEntries(EntrySummaries):
    """`EntrySummaries` of entries that do not offer them (made entries in a plain mapping): told
    from each entry."""

    def __init__(self, entries: Mapping[str, SpaceEntry]) -> None:
        self._entries = entries

    def hashes_and_cycles(self, keys: Iterable[str]) -> list[tuple[str | None, str | None] | None]:
        return [None if entry is None else (entry.hash, entry.cycle) for entry in map(self._entries.get, keys)]

    def keys_with_references_due(self) -> list[str]:
        return [key for key, entry in self._entries.items() if entry.refs_pending or entry.refs_unresolved]

    def managed_target(self, key: str) -> str | None:
        entry = self._entries.get(key)
        return entry.managed_target if entry is not None else None

    def managed_targets_since(self, version: int) -> dict[str, str | None] | None:
        return None

    def owners(self) -> dict[tuple[str | None, str], str]:
        return {(e.target_type, e.target_id): k for k, e in self._entries.items() if e.target_id}

    def linked_by_type(self) -> Counter[str]:
        return Counter(e.object_type for e in self._entries.values() if e.state is ProvisioningState.LINKED)


def summaries(entries: Mapping[str, SpaceEntry]) -> EntrySummaries:
    """The facts `EntrySummaries` tells of `entries`: from the entries themselves where they offer
    them (a loaded space, without making every entry), else from each entry."""
    return entries if isinstance(entries, EntrySummaries) else _MadeEntries(entries)
