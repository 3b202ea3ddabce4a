"""A cycle's plan: the objects it must look at. An initial cycle looks at all of them; an
incremental one at those whose source changed or is gone, the escrows due for retry, the
deletes held back by the deletion threshold and the exports a stopped run left in flight.
"""

from __future__ import annotations

from ..connectors.assignments import ASSIGNMENTS_KEY
from ..models.connector_space import EntryKey
from .compiled import CompiledObjectMapping
from .cycle_state import keys_by_object_type
from .escrow_policy import EscrowPolicy
from .values import fingerprint


class CyclePlan(EscrowPolicy):
    """Choosing the objects a cycle looks at."""

    def _plan(self, initial: bool) -> list[tuple[CompiledObjectMapping, EntryKey]]:
        """The objects this cycle must look at: all (initial), or only the changed ones, the deleted
        ones and the escrows due for retry. Objects the cycle already did before a pause are left out."""
        now = self.clock.now()
        staged = self._staged_keys()
        entries, activity = self.entries, self.activity
        work: list[tuple[CompiledObjectMapping, EntryKey]] = []
        deltas = 0
        keyed = [
            list(zip(EntryKey.all_of(mapping.key_prefix, objects), objects.values(), strict=True))
            for mapping in self.schema.mappings
            for objects in (self._sources[mapping.source_type],)
        ]
        present = {key for objects in keyed for key, _ in objects}
        gone = keys_by_object_type(
            key for key, entry in entries.items() if key not in present and entry.cycle != activity
        )
        in_flight = keys_by_object_type(key for key in self.in_flight if key not in present and key not in entries)
        # Looked at only when some object has one: most cycles have no escrow, held delete or export in flight.
        others = self.escrows.keys() | staged | self.in_flight.keys()
        for mapping, objects in zip(self.schema.mappings, keyed, strict=True):
            prefix = mapping.key_prefix
            hashed = self._hashed_attributes(mapping)
            # Hashing an object's assignments takes a look-up each: only where they are hashed.
            hash_of = self._fingerprint if ASSIGNMENTS_KEY in hashed and self._assignments is not None else None
            for key, obj in objects:
                entry = entries.get(key)
                if entry is None:
                    changed = True
                elif entry.cycle == activity:
                    continue
                else:
                    changed = entry.hash != (hash_of(mapping, obj) if hash_of is not None else fingerprint(obj, hashed))
                deltas += changed
                if (
                    initial
                    or changed
                    or (key in others and (self._escrow_due(key, now) or key in staged or key in self.in_flight))
                ):
                    work.append((mapping, key))
            gone_here = gone.get(prefix, [])
            deltas += len(gone_here)
            work += [(mapping, key) for key in gone_here]
            work += [(mapping, key) for key in in_flight.get(prefix, ())]
        self.counters.values["imported_deltas"] = max(self.counters.values["imported_deltas"], deltas)
        return work
