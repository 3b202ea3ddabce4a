"""A cycle's plan: the objects it must look at. An initial cycle looks at all of them; an
incremental one at those whose source changed or is gone, the escrows due for retry, the
deletes held back by the deletion threshold and the exports a stopped run left in flight.
"""

from __future__ import annotations

from itertools import chain, repeat

from ..connectors.assignments import ASSIGNMENTS_KEY
from ..models.connector_space import EntryKey, summaries
from .compiled import CompiledObjectMapping
from .cycle_state import keys_by_object_type
from .escrow_policy import EscrowPolicy
from .source_digests import SourceDigests
from .values import fingerprint

FACTS_AT_ONCE = 4096
"""Source objects whose entries' hashes and cycles the plan asks for at once (see `_plan`)."""


class CyclePlan(EscrowPolicy, SourceDigests):
    """Choosing the objects a cycle looks at."""

    def _plan(self, initial: bool) -> list[tuple[CompiledObjectMapping, EntryKey]]:
        """The objects this cycle must look at: all (initial), or only the changed ones, the deleted
        ones and the escrows due for retry. Objects the cycle already did before a pause are left out."""
        now = self.clock.now()
        staged = self._staged_keys()
        entries, activity = self.entries, self.activity
        # An object's hash and cycle are all the plan reads of its entry: where the entries can
        # tell them without being made (a loaded space), the entries of unchanged objects never are.
        hashes_and_cycles = summaries(entries).hashes_and_cycles
        deltas = found = 0
        # Keys as plain text while looking: an `EntryKey` is made only for an object to look at.
        sources = [
            (mapping, f"{mapping.key_prefix}:", self._sources[mapping.source_type]) for mapping in self.schema.mappings
        ]
        # Looked at only when some object has one: most cycles have no escrow, held delete or export in flight.
        others = self.escrows.keys() | staged | self.in_flight.keys()
        looked_at: list[list[tuple[CompiledObjectMapping, EntryKey]]] = []
        made: dict[str, dict[str, str]] = {}
        present: list[list[str]] = []
        for mapping, prefix, objects in sources:
            hashed = self._hashed_attributes(mapping)
            # Hashing an object's assignments takes a look-up each: only where they are hashed.
            hash_of = self._fingerprint if ASSIGNMENTS_KEY in hashed and self._assignments is not None else None
            work_here: list[tuple[CompiledObjectMapping, EntryKey]] = []
            # Read with digests (see source_digests.py): an object whose text is as noted has the
            # fingerprint noted for it, and is not read; one hashed here is noted, a new one too.
            digested = self._noted_fingerprints(mapping)
            digest_of, noted = digested if digested is not None else ({}, {})
            made_here = made[mapping.key_prefix] = {}
            # Each object's key, its entry's hash and cycle and its noted fingerprint are gathered
            # by maps that run in C (the entries' facts a few thousand objects at a time, so as not
            # to hold them all): at 100,000 objects, of which a few changed, a call for each one
            # cost more than the look at it.
            ids = list(objects)
            keys = list(map(prefix.__add__, ids))
            present.append(keys)
            known_of_each = chain.from_iterable(
                hashes_and_cycles(keys[start : start + FACTS_AT_ONCE]) for start in range(0, len(keys), FACTS_AT_ONCE)
            )
            noted_of_each = map(noted.get, map(digest_of.get, ids, repeat(b""))) if noted else repeat(None, len(ids))
            for source_id, key, known, hashed_now in zip(ids, keys, known_of_each, noted_of_each, strict=True):
                if known is not None:
                    found += 1
                    if known[1] == activity:
                        continue
                    if hashed_now is not None and known[0] == hashed_now and not initial and key not in others:
                        continue  # as noted, so unchanged; nothing else to look at it for
                # An object is read only to be hashed: none is in an initial cycle's empty space (a
                # source read in pieces parses each object it is asked for, see connectors/document_pieces.py).
                if known is None and digested is None:
                    changed = True  # new, and no note to make of it: not hashed
                else:
                    if hashed_now is None:
                        obj = objects[source_id]
                        hashed_now = hash_of(mapping, obj) if hash_of is not None else fingerprint(obj, hashed)
                        if digested is not None:
                            made_here[source_id] = hashed_now
                    changed = known is None or known[0] != hashed_now
                deltas += changed
                if (
                    initial
                    or changed
                    or (key in others and (self._escrow_due(key, now) or key in staged or key in self.in_flight))
                ):
                    work_here.append((mapping, EntryKey(key)))
            looked_at.append(work_here)

        # Entries whose object is gone, and exports in flight for objects that are: none when every
        # entry was found above (each once: no two mappings share a prefix) and nothing is in flight.
        gone: dict[str, list[EntryKey]] = {}
        in_flight: dict[str, list[EntryKey]] = {}
        if found != len(entries) or self.in_flight or len({prefix for _, prefix, _ in sources}) < len(sources):
            present_keys = set().union(*present)
            missing = [key for key in entries if key not in present_keys]
            gone = keys_by_object_type(
                key
                for key, known in zip(missing, hashes_and_cycles(missing), strict=True)
                if (known or (None, None))[1] != activity
            )
            in_flight = keys_by_object_type(
                key for key in self.in_flight if key not in present_keys and key not in entries
            )
        work: list[tuple[CompiledObjectMapping, EntryKey]] = []
        for (mapping, _, _), work_here in zip(sources, looked_at, strict=True):
            gone_here = gone.get(mapping.key_prefix, [])
            deltas += len(gone_here)
            work += work_here
            work += [(mapping, key) for key in gone_here]
            work += [(mapping, key) for key in in_flight.get(mapping.key_prefix, ())]
        self.counters.values["imported_deltas"] = max(self.counters.values["imported_deltas"], deltas)
        self._note_source_digests(made, nothing_to_do=not work)
        return work
