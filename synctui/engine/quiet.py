"""Quiet cycles: a cycle over the same source, connector space, schema and options as a cycle that
settled (ran to its end with nothing left over) ends as a look would, without looking.

A steady cycle reads the source (parsing and checking every object), loads the connector space
and hashes every object to find that none changed: at 100,000 users, ~2 s for nothing. What such a
cycle depends on is the source's content (objects and assignments), the connector space's
entries, the escrows, held deletes and in-flight notes, the schema and the job's options. A cycle
that ran to its end with no escrow, no held delete, no failed reference and nothing in flight
leaves each entry recording the source object it brought in line: a look over the same source
would find no change and export nothing. Such a cycle (the initial one too, and one that
exported changes) notes a mark of what it read in the job's meta, with the space's change
number after its last write. The next cycle reads the source's bytes for their digest and the
space's change number (not the space): when both are as noted and there is still no escrow, held
delete or note in flight, it ends as a look would, reporting the objects the settled cycle
imported and no change. Anything else makes it look: an edit of the source, provision on demand
or a restart writing entries, another schema or setting.

Only a source that offers `ContentDigest` and a store that offers `SpaceVersions` have marks.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol, runtime_checkable

from ..connectors.base import ContentDigest
from .cycle_state import CycleState


@runtime_checkable
class SpaceVersions(Protocol):
    """What a state store may offer besides `StateStore`: a number that changes with every change of
    the connector space's entries, told without loading them."""

    def space_version(self) -> int | None: ...


class QuietCycles(CycleState):
    """Noting a cycle that settled, and recognising the next one over the same things."""

    _quiet_mark: str | None = None
    """The mark of the source, schema and options this cycle began with (None: no mark can be made)."""

    def _quiet_since_last_cycle(self, initial: bool, resumed: bool) -> dict[str, Any] | None:
        """What the last cycle noted when it settled and nothing has changed since, else None.
        Makes this cycle's mark: call once, as the cycle begins, before the source is read."""
        # A resumed cycle looked at some objects in an earlier run, in a source that may have
        # changed since: what it ends with need not be what this source says. It notes no mark.
        self._quiet_mark = None if resumed else self._mark()
        noted = self.meta.get("quiet")
        if (
            initial
            or self._quiet_mark is None
            or not isinstance(noted, dict)
            or noted.get("mark") != self._quiet_mark
            or noted.get("space") != self._space_version()
            or self.escrows
            or self.in_flight
            or self.meta.get("stagedDeletes")
            or self.meta.get("forceDeletes")
        ):
            return None
        return noted

    def _note_quiet(self, *, staged_deletes: int, entry_counts: dict[str, int]) -> None:
        """After the last checkpoint of a cycle that ran to its end: note its mark if it settled,
        with the space's change number its own writes left. The checkpoint wrote the meta
        without the last cycle's mark, so a crash before this leaves none: the next cycle looks."""
        values = self.counters.values
        space = self._space_version()
        settled = (
            self._quiet_mark is not None
            and space is not None
            and not staged_deletes
            and not values["escrowed_raw"]
            and not self.escrows
            and not self.in_flight
        )
        if settled:
            self.meta["quiet"] = {
                "mark": self._quiet_mark,
                "space": space,
                "imported": values["imported"],
                "entryCounts": entry_counts,
            }
            self.state.checkpoint(meta=self.meta)

    def _space_version(self) -> int | None:
        return self.state.space_version() if isinstance(self.state, SpaceVersions) else None

    def _mark(self) -> str | None:
        if not isinstance(self.source, ContentDigest) or not isinstance(self.state, SpaceVersions):
            return None
        digest = self.source.content_digest()
        if digest is None:
            return None
        # What decides each object's flow besides its values: the schema (its version, and what
        # each mapping reads, which its hash covers) and the job's options (scope, thresholds).
        mappings = [(mapping.name, mapping.source_type, mapping.attributes) for mapping in self.schema.mappings]
        depends_on = repr((digest, self.schema.version, mappings, self.options))
        return hashlib.sha256(depends_on.encode()).hexdigest()
