"""Quiet cycles: a cycle that finds nothing to do, where nothing it depends on has changed since
a cycle that found nothing to do, does nothing without looking again.

A steady cycle reads the source (parsing and checking every object), loads the connector space
and hashes every object to find that none changed: at 100,000 users, ~2 s for nothing. What such a
cycle depends on is the source's content (objects and assignments), the connector space's
entries, the escrows, held deletes and in-flight notes, the schema and the job's options. When a
cycle finds nothing to do (no change, no export, no escrow, nothing held back or in flight), it
notes a mark of them in the job's meta. The next cycle reads the source's bytes for their digest
and the space's change number (not the space): when the mark is the same and there is still no
escrow, held delete or note in flight, looking again would find nothing again, and the cycle ends
as that one did. Anything else changes the mark: an edit of the source, provision on demand or a
restart writing entries, another schema or setting.

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
    """Noting a cycle that found nothing to do, and recognising the next one."""

    _quiet_mark: str | None = None
    """The mark of what this cycle depends on as it began (None: no mark can be made)."""
    _quiet_space: int | None = None
    """The connector space's change number as the cycle began."""

    def _quiet_since_last_cycle(self, initial: bool, resumed: bool) -> dict[str, Any] | None:
        """What the last cycle noted when nothing has changed since it found nothing to do, else
        None. Makes this cycle's mark: call once, as the cycle begins, before the source is read."""
        # An initial or resumed cycle has work to do, and notes no mark: it need not digest the source.
        self._quiet_mark = None if initial or resumed else self._mark()
        noted = self.meta.get("quiet")
        if (
            self._quiet_mark is None
            or not isinstance(noted, dict)
            or noted.get("mark") != self._quiet_mark
            or self.escrows
            or self.in_flight
            or self.meta.get("stagedDeletes")
            or self.meta.get("forceDeletes")
        ):
            return None
        return noted

    def _note_quiet(self, *, initial: bool, staged_deletes: int, entry_counts: dict[str, int]) -> None:
        """At the end of a cycle that ran to its end: note its mark if it found nothing to do (and
        changed nothing), else drop the last one's."""
        values = self.counters.values
        found_nothing = (
            self._quiet_mark is not None
            and not initial
            and not staged_deletes
            and not values["imported_deltas"]
            and not values["exports"]
            and not values["escrowed_raw"]
            and not self.escrows
            and not self.in_flight
            and isinstance(self.state, SpaceVersions)
            and self.state.space_version() == self._quiet_space
        )
        if found_nothing:
            self.meta["quiet"] = {"mark": self._quiet_mark, "imported": values["imported"], "entryCounts": entry_counts}
        else:
            self.meta.pop("quiet", None)

    def _mark(self) -> str | None:
        if not isinstance(self.source, ContentDigest) or not isinstance(self.state, SpaceVersions):
            return None
        self._quiet_space = self.state.space_version()
        digest = self.source.content_digest()
        if digest is None or self._quiet_space is None:
            return None
        # What decides each object's flow besides its values: the schema (its version, and what
        # each mapping reads, which its hash covers) and the job's options (scope, thresholds).
        mappings = [(mapping.name, mapping.source_type, mapping.attributes) for mapping in self.schema.mappings]
        depends_on = repr((digest, self._quiet_space, self.schema.version, mappings, self.options))
        return hashlib.sha256(depends_on.encode()).hexdigest()
