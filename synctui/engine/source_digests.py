"""Source digests: a cycle that looks at its source reads, parses, checks and hashes only the
objects whose text changed since a cycle noted them.

A cycle that is not quiet (see quiet.py) looks at every source object to find those that changed:
it parses and checks each, and hashes what its mapping reads (its fingerprint, `values.fingerprint`)
to compare with its entry's. At 100,000 users that is ~0.8 s, even when one user changed (after a
change provisioned on demand) or 2 % (an incremental cycle). Yet an object's fingerprint follows
from its text alone, given the mapping's hashed attributes and, where they are hashed, the
application's assignments; and a text the source checked once is as valid the next time.

So a cycle that reads its source with digests (`TextDigests`: a digest of each object's text,
keyed by the rules its values are checked by) notes, beside the job's state, each object's digest,
id and fingerprint, for each mapping, with what the fingerprints were made under. The next cycle
hands the digests to the source: an object whose text is one noted is neither parsed nor checked
(it is parsed if something asks for it: the flow, the reference pass, a group's members), and
where the mapping's note was made under the same schema, hashed attributes and assignments, its
fingerprint is the noted one. The plan compares it with the entry's hash as it compares a hash it
made: everything else it weighs (escrows, held deletes, exports in flight, entries written by
provision on demand since, entries whose object is gone) it weighs as before.

The note is derived data, never the truth: a note missing, torn or of another format is made again
by the next cycle that looks (which then parses every object); a mapping's part made under other
settings gives no fingerprint. A note cannot be stale otherwise: it says what a text hashes to,
not what the connector space holds. An initial cycle does not read with digests (it hashes no
object to plan); nor does a source or a state store that cannot (`TextDigests`, `DigestNotes`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping
from itertools import compress
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import orjson

from ..connectors.assignments import ASSIGNMENTS_KEY
from ..connectors.base import TextDigests
from .compiled import CompiledObjectMapping
from .cycle_state import CycleState
from .values import fingerprint

NOTE_FORMAT = 1
"""The layout of the note, and of how a fingerprint is made: a note of another is made again."""


_FINGERPRINT_OF_NOTHING = fingerprint({"id": "x", "on": True, "n": 1.5}, ("id", "on", "n", "none"))
"""Changes if the way fingerprints are made does: a note of fingerprints made otherwise is not used."""


@runtime_checkable
class DigestNotes(Protocol):
    """What a state store may offer besides `StateStore`: a note of derived data kept beside the state."""

    def source_digests(self) -> bytes | None: ...

    def note_source_digests(self, note: bytes) -> None: ...


class _MappingNote:
    """One mapping's part of the note: the digests of its objects' texts, their ids and fingerprints."""

    def __init__(self, made_under: str, digests: list[bytes], ids: list[str], fingerprints: list[str]) -> None:
        self.made_under = made_under
        self.ids_by_digest = dict(zip(digests, ids, strict=True))
        self.fingerprints = dict(zip(digests, fingerprints, strict=True))

    @classmethod
    def parsed(cls, noted: Any) -> _MappingNote | None:
        """From the note's JSON; None unless it is whole."""
        if type(noted) is not dict:
            return None
        made_under, digests, ids, fingerprints = (noted.get(name) for name in ("madeUnder", "digests", "ids", "fps"))
        if (
            type(made_under) is not str
            or type(digests) is not str
            or type(ids) is not list
            or type(fingerprints) is not list
        ):
            return None
        try:
            packed = bytes.fromhex(digests)
        except ValueError:
            return None
        size = len(packed) // len(ids) if ids else 0
        if len(packed) != size * len(ids) or len(fingerprints) != len(ids):
            return None
        if not ({str}.issuperset(map(type, ids)) and {str}.issuperset(map(type, fingerprints))):
            return None
        digests = list(
            map(packed.__getitem__, map(slice, range(0, len(packed), size or 1), itertools.count(size, size)))
        )
        return cls(made_under, digests, ids, fingerprints)


class SourceDigests(CycleState):
    """Reading the source with the digests a cycle noted, and noting them again."""

    _digested: dict[str, Mapping[str, bytes]] | None = None
    """Each source type → each id → the digest of its object's text, when read with digests."""
    _noted: Mapping[str, _MappingNote] = MappingProxyType({})
    """Each mapping's key prefix → what the last note holds for it."""

    def _read_digested_sources(self, initial: bool) -> bool:
        """Read the source's objects with the noted digests (see the module docstring), if this
        cycle can; False when it cannot: the caller reads them as usual."""
        if initial or not isinstance(self.source, TextDigests) or not isinstance(self.state, DigestNotes):
            return False
        self._noted = _parsed_note(self.state.source_digests())
        known: dict[str, dict[bytes, str]] = {mapping.source_type: {} for mapping in self.schema.mappings}
        for mapping in self.schema.mappings:
            noted = self._noted.get(mapping.key_prefix)
            if noted is not None:
                known[mapping.source_type] = known[mapping.source_type] | noted.ids_by_digest
        digested = self.source.digested_objects(known)
        if digested is None:
            return False
        self._sources.update({object_type: read.objects for object_type, read in digested.items()})
        self._digested = {object_type: read.digests for object_type, read in digested.items()}
        return True

    def _noted_fingerprints(
        self, mapping: CompiledObjectMapping
    ) -> tuple[Mapping[str, bytes], dict[bytes, str]] | None:
        """For the plan, when the source was read with digests: each id of the mapping's objects →
        its text's digest, and each digest → the fingerprint noted for that text, under what this
        cycle makes fingerprints under (else none)."""
        if self._digested is None:
            return None
        noted = self._noted.get(mapping.key_prefix)
        usable = noted is not None and noted.made_under == self._fingerprints_made_under(mapping)
        return self._digested[mapping.source_type], noted.fingerprints if noted is not None and usable else {}

    def _note_source_digests(self, made: Mapping[str, dict[str, str]]) -> None:
        """After the plan: note each object's digest and fingerprint (noted before, or `made` now:
        each mapping's key prefix → id → fingerprint), unless the note already says so."""
        if self._digested is None:
            return
        mappings: dict[str, Any] = {}
        changed = False
        for mapping in self.schema.mappings:
            digests = self._digested[mapping.source_type]
            made_under = self._fingerprints_made_under(mapping)
            noted = self._noted.get(mapping.key_prefix)
            known = noted.fingerprints if noted is not None and noted.made_under == made_under else {}
            fingerprints: list[str | None] = list(map(known.get, digests.values()))
            found = len(fingerprints) - fingerprints.count(None)
            made_here = made.get(mapping.key_prefix, {})
            if made_here:
                fingerprints = [
                    fingerprint if fingerprint is not None else made_here.get(object_id)
                    for object_id, fingerprint in zip(digests, fingerprints, strict=True)
                ]
            changed |= bool(made_here) or noted is None or found != len(known)
            kept = list(map(bool, fingerprints))
            mappings[mapping.key_prefix] = {
                "madeUnder": made_under,
                "digests": b"".join(compress(digests.values(), kept)).hex(),
                "ids": list(compress(digests, kept)),
                "fps": list(compress(fingerprints, kept)),
            }
        if changed:
            assert isinstance(self.state, DigestNotes)  # (read with digests: see `_read_digested_sources`)
            self.state.note_source_digests(orjson.dumps({"format": NOTE_FORMAT, "mappings": mappings}))

    def _fingerprints_made_under(self, mapping: CompiledObjectMapping) -> str:
        """What a fingerprint of the mapping's objects follows from besides each one's text (see
        `CycleState._fingerprint`): the attributes hashed and, where its assignments are, the roles
        each object is assigned."""
        hashed = self._hashed_attributes(mapping)
        roles = self._assignments.listed() if self._assignments is not None and ASSIGNMENTS_KEY in hashed else None
        return _digest((_FINGERPRINT_OF_NOTHING, mapping.source_type, hashed, roles))


def _parsed_note(note: bytes | None) -> dict[str, _MappingNote]:
    """Each mapping's key prefix → its part of the note, if the note is whole and of this format."""
    try:
        parsed = orjson.loads(note) if note is not None else None
    except orjson.JSONDecodeError:
        return {}
    if type(parsed) is not dict or parsed.get("format") != NOTE_FORMAT or type(parsed.get("mappings")) is not dict:
        return {}
    notes = {prefix: _MappingNote.parsed(noted) for prefix, noted in parsed["mappings"].items()}
    return {prefix: noted for prefix, noted in notes.items() if noted is not None}


def _digest(value: Iterable[Any]) -> str:
    return hashlib.blake2b(orjson.dumps(value), digest_size=16).hexdigest()
