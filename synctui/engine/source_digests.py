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
where the mapping's note was made under the same hashed attributes and assignments, its
fingerprint is the noted one. The plan compares it with the entry's hash as it compares a hash it
made: everything else it weighs (escrows, held deletes, exports in flight, entries written by
provision on demand since, entries whose object is gone) it weighs as before.

The note is records: the first notes every object; a cycle that hashed more than a few objects
since adds a record of those (an incremental cycle hashes 2 % of 100,000: a record of 2,000, not the
10 MB note written again), until the texts noted that are gone grow past a share of the objects
and the note is written whole again. Records only add: a text's digest says what it hashes to
whenever it was noted.

The note is derived data, never the truth: a note missing, torn or of another format is made again
by the next cycle that looks (which then parses every object), a record added after it that a
crash tore is ignored (and the note written whole again); a mapping's part made under other
settings gives no fingerprint. A note cannot be stale otherwise: it says what a text hashes to,
not what the connector space holds. An initial cycle does not read with digests (it hashes no
object to plan); nor does a source or a state store that cannot (`TextDigests`, `DigestNotes`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from types import MappingProxyType
from typing import Any, Protocol, cast, runtime_checkable

import orjson

from ..connectors.assignments import ASSIGNMENTS_KEY
from ..connectors.base import NotedRuns, TextDigests
from .compiled import CompiledObjectMapping
from .cycle_state import CycleState
from .values import FINGERPRINTS_MADE

NOTE_FORMAT = 3
"""The layout of the note, and of how a fingerprint is made: a note of another is made again."""


UNNOTED_SHARE = 100
"""The note is added to when more than 1 in this many of a mapping's objects are not in it as they
are now."""

GONE_SHARE = 0.1
"""The note is written whole again, rather than added to, when the texts it notes that are gone
(changed or removed since) are more than this share of the objects: a reader parses them all."""


@runtime_checkable
class DigestNotes(Protocol):
    """What a state store may offer besides `StateStore`: a note of derived data kept beside the state."""

    def source_digests(self) -> bytes | None: ...

    def note_source_digests(self, note: bytes) -> None: ...

    def add_to_source_digests(self, record: bytes, size: int) -> bool:
        """Add `record` after the note's first `size` bytes, if that is all it holds; False if not."""
        ...


class _MappingNote:
    """One mapping's part of the note: the digests of its objects' texts, their ids and
    fingerprints, and the runs of texts they were in (see `DigestedObjects.runs`).

    In the note's file, after its header line, each mapping's part is its digests side by side,
    then its ids and its fingerprints as JSON lists, then its runs' digests side by side and how
    many texts each holds as a JSON list; the header lists, for each, its key prefix, what its
    fingerprints were made under, how many objects, and the bytes of each of the five. The runs
    hold the objects in the note's order (a part whose objects are not all noted has none)."""

    def __init__(
        self,
        made_under: str,
        digests: list[bytes],
        ids: list[str],
        fingerprints: list[str],
        runs: Iterable[tuple[bytes, int]],
    ) -> None:
        self.made_under = made_under
        self.ids_by_digest = dict(zip(digests, ids, strict=True))
        self.fingerprints = dict(zip(digests, fingerprints, strict=True))
        self.runs: dict[bytes, tuple[list[bytes], list[str]]] = {}
        first = 0
        for run, texts in runs:
            self.runs[run] = (digests[first : first + texts], ids[first : first + texts])
            first += texts

    def add(self, added: _MappingNote) -> None:
        """Take in a part of a record added after this one's (made under the same settings; a
        record added holds no runs: see `_hashed_record`)."""
        self.ids_by_digest.update(added.ids_by_digest)
        self.fingerprints.update(added.fingerprints)

    @staticmethod
    def laid_out(
        made_under: str, digests: list[bytes], ids: list[str], fingerprints: list[str], runs: list[tuple[bytes, int]]
    ) -> tuple[list[Any], bytes]:
        """What the header lists for a part, and the part's bytes."""
        texts = (
            b"".join(digests),
            orjson.dumps(ids),
            orjson.dumps(fingerprints),
            b"".join(run for run, _ in runs),
            orjson.dumps([texts for _, texts in runs]),
        )
        return [made_under, len(ids), *map(len, texts)], b"".join(texts)

    @classmethod
    def read(cls, listed: Any, note: bytes, position: int) -> tuple[_MappingNote, int] | None:
        """The part the header lists as `listed` (see `laid_out`), read from `note` at `position`,
        and where the next part begins; None unless it is whole."""
        if type(listed) is not list or len(listed) != 7 or type(listed[0]) is not str:
            return None
        made_under, objects, *sizes = listed
        if not all(type(number) is int and number >= 0 for number in (objects, *sizes)):
            return None
        digests_size, ids_size, fingerprints_size, runs_size, counts_size = sizes
        size = digests_size // objects if objects else 0
        if size * objects != digests_size or (objects and not size) or position + sum(sizes) > len(note):
            return None  # (each object's digest takes some bytes: a note saying otherwise is damaged)
        after_digests, after_ids = position + digests_size, position + digests_size + ids_size
        after_fingerprints = after_ids + fingerprints_size
        after_runs = after_fingerprints + runs_size
        try:
            ids = orjson.loads(note[after_digests:after_ids])
            fingerprints = orjson.loads(note[after_ids:after_fingerprints])
            counts = orjson.loads(note[after_runs : after_runs + counts_size])
        except orjson.JSONDecodeError:
            return None
        if type(ids) is not list or type(fingerprints) is not list or not len(ids) == len(fingerprints) == objects:
            return None
        if not ({str}.issuperset(map(type, ids)) and {str}.issuperset(map(type, fingerprints))):
            return None
        if type(counts) is not list or not {int}.issuperset(map(type, counts)) or min(counts, default=1) < 1:
            return None
        run_size = runs_size // len(counts) if counts else 0
        if run_size * len(counts) != runs_size or (counts and (not run_size or sum(counts) != objects)):
            return None
        # Cut in C: a slice each was 19 ms for 100,000 digests, the search 8 ms.
        digests = _cut(note, position, after_digests, size)
        runs = zip(_cut(note, after_fingerprints, after_runs, run_size), counts, strict=True)
        return cls(made_under, digests, ids, fingerprints, runs), after_runs + counts_size


class SourceDigests(CycleState):
    """Reading the source with the digests a cycle noted, and noting them again."""

    _digested: dict[str, Mapping[str, bytes]] | None = None
    """Each source type → each id → the digest of its object's text, when read with digests."""
    _noted: Mapping[str, _MappingNote] = MappingProxyType({})
    """Each mapping's key prefix → what the last note holds for it."""
    _noted_size = 0
    """The bytes of the note read that hold its records whole (0: none): a record is added after them."""
    _made_under: dict[str, str] | None = None
    """Each mapping's key prefix → `_fingerprints_made_under`, made once in a cycle (it digests
    every assignment where those are hashed)."""
    _runs: dict[str, Sequence[tuple[bytes, int]]] | None = None
    """Each source type → the runs of its objects' texts (see `DigestedObjects.runs`), when read with digests."""

    def _read_digested_sources(self, initial: bool) -> bool:
        """Read the source's objects with the noted digests (see the module docstring), if this
        cycle can; False when it cannot: the caller reads them as usual."""
        if initial or not isinstance(self.source, TextDigests) or not isinstance(self.state, DigestNotes):
            return False
        self._noted, self._noted_size = _parsed_note(self.state.source_digests())
        known: dict[str, dict[bytes, str]] = {mapping.source_type: {} for mapping in self.schema.mappings}
        runs: dict[str, NotedRuns] = {}
        for mapping in self.schema.mappings:
            noted = self._noted.get(mapping.key_prefix)
            if noted is not None:
                # (One mapping of each source type, mostly: its note's own mapping, not a copy.)
                texts = known[mapping.source_type]
                known[mapping.source_type] = texts | noted.ids_by_digest if texts else noted.ids_by_digest
                before = runs.get(mapping.source_type)
                runs[mapping.source_type] = {**before, **noted.runs} if before else noted.runs
        digested = self.source.digested_objects(known, runs)
        if digested is None:
            self._noted = MappingProxyType({})  # (read as usual: nothing reads the note)
            return False
        self._sources.update({object_type: read.objects for object_type, read in digested.items()})
        self._digested = {object_type: read.digests for object_type, read in digested.items()}
        self._runs = {object_type: read.runs for object_type, read in digested.items()}
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

    def _note_source_digests(self, made: Mapping[str, dict[str, str]], *, nothing_to_do: bool) -> None:
        """After the plan: note each object's digest and fingerprint (noted before, or `made` now:
        each mapping's key prefix → id → fingerprint), unless the note says so of all but a few
        (`UNNOTED_SHARE`): writing 10 MB for one changed user would cost more than hashing it
        again in each look until the note is written again. `nothing_to_do`: the plan found no
        object to look at; the digests are then kept for the reference pass (see quiet.py)."""
        if self._digested is None:
            return
        try:
            self._write_note(self._digested, made)
        finally:
            # Past the plan only a cycle with nothing to do reads them: let them go before the
            # flow (~30 MB at 100,000 objects).
            self._noted, self._made_under, self._runs = MappingProxyType({}), None, None
            self._noted_size = 0
            if not nothing_to_do:
                self._digested = None

    def _text_digests(self, keys: Iterable[str]) -> list[bytes | None] | None:
        """The digest of the text of each entry key's source object (None: no such object), while
        they are kept (see `_note_source_digests`); else None."""
        digested = self._digested
        if digested is None:
            return None
        types = {mapping.key_prefix: mapping.source_type for mapping in self.schema.mappings}
        found = []
        for key in keys:
            prefix, _, source_id = key.partition(":")
            source_type = types.get(prefix)
            found.append(None if source_type is None else digested[source_type].get(source_id))
        return found

    def _let_go_of_digests(self) -> None:
        self._digested = None

    def _write_note(self, digested: Mapping[str, Mapping[str, bytes]], made: Mapping[str, dict[str, str]]) -> None:
        """`_note_source_digests`, of the digests the source was read with."""
        usable: dict[str, tuple[str, dict[bytes, str] | None]] = {}
        write = False
        add = self._noted_size > 0
        gone = every_object = 0
        for mapping in self.schema.mappings:
            noted = self._noted.get(mapping.key_prefix)
            made_under = self._fingerprints_made_under(mapping)
            known = noted.fingerprints if noted is not None and noted.made_under == made_under else None
            usable[mapping.key_prefix] = (made_under, known)
            objects, hashed_now = len(digested[mapping.source_type]), len(made.get(mapping.key_prefix, ()))
            every_object += objects
            if known is None:
                write |= objects > 0
                add = False
            else:
                # Hashed now: not noted as it is (or its entry was new). Noted and gone: as many as
                # the note holds past the objects found in it (a record added notes none gone).
                write |= hashed_now > objects // UNNOTED_SHARE
                gone += max(0, len(known) - (objects - hashed_now))
        too_many_gone = gone > GONE_SHARE * every_object
        write |= too_many_gone
        add &= not too_many_gone
        if not write:
            return
        assert isinstance(self.state, DigestNotes)  # (read with digests: see `_read_digested_sources`)
        if add and self.state.add_to_source_digests(self._hashed_record(digested, made), self._noted_size):
            return
        self.state.note_source_digests(self._whole_note(digested, made, usable))

    def _hashed_record(self, digested: Mapping[str, Mapping[str, bytes]], made: Mapping[str, dict[str, str]]) -> bytes:
        """A record of the objects hashed now (`made`), to add to the note."""
        parts: dict[str, _Part] = {}
        for mapping in self.schema.mappings:
            digests, made_here = digested[mapping.source_type], made.get(mapping.key_prefix, {})
            ids = [object_id for object_id in made_here if object_id in digests]
            if ids:
                parts[mapping.key_prefix] = (
                    self._fingerprints_made_under(mapping),
                    [digests[object_id] for object_id in ids],
                    ids,
                    [made_here[object_id] for object_id in ids],
                    [],  # (runs only in a record of every object)
                )
        return _record(parts)

    def _whole_note(
        self,
        digested: Mapping[str, Mapping[str, bytes]],
        made: Mapping[str, dict[str, str]],
        usable: Mapping[str, tuple[str, dict[bytes, str] | None]],
    ) -> bytes:
        """The note of every object: its fingerprint noted before (`usable`: each mapping's, made
        under what it is made under now, if any) or made now."""
        parts: dict[str, _Part] = {}
        for mapping in self.schema.mappings:
            digests = digested[mapping.source_type]
            made_under, known = usable[mapping.key_prefix]
            made_here = made.get(mapping.key_prefix, {})
            fingerprints: list[str | None]
            if not known:
                # (None noted, as in a job's first look: each one made now, looked up in C.)
                fingerprints = list(map(made_here.get, digests))
            else:
                fingerprints = list(map(known.get, digests.values()))
                if made_here:
                    fingerprints = [
                        fingerprint if fingerprint is not None else made_here.get(object_id)
                        for object_id, fingerprint in zip(digests, fingerprints, strict=True)
                    ]
            kept = list(map(bool, fingerprints))
            assert self._runs is not None  # (read with digests)
            parts[mapping.key_prefix] = (
                made_under,
                list(compress(digests.values(), kept)),
                list(compress(digests, kept)),
                cast(list[str], list(compress(fingerprints, kept))),  # (the Nones left out)
                list(self._runs[mapping.source_type]) if all(kept) else [],  # (runs of every object)
            )
        return _record(parts)

    def _fingerprints_made_under(self, mapping: CompiledObjectMapping) -> str:
        """What a fingerprint of the mapping's objects follows from besides each one's text (see
        `CycleState._fingerprint`): the attributes hashed and, where its assignments are, the roles
        each object is assigned."""
        if self._made_under is None:
            self._made_under = {}
        made_under = self._made_under.get(mapping.key_prefix)
        if made_under is None:
            hashed = self._hashed_attributes(mapping)
            roles = self._assignments.listed if self._assignments is not None and ASSIGNMENTS_KEY in hashed else None
            made_under = self._made_under[mapping.key_prefix] = _digest(
                (FINGERPRINTS_MADE, mapping.source_type, hashed, roles)
            )
        return made_under


_Part = tuple[str, list[bytes], list[str], list[str], list[tuple[bytes, int]]]
"""What a record holds of a mapping: see `_MappingNote.laid_out`."""


def _record(parts: Mapping[str, _Part]) -> bytes:
    """A record of the note: for each mapping's key prefix, what its fingerprints were made under,
    and the digests, ids and fingerprints of its objects and their runs (see `_MappingNote.laid_out`)."""
    listed: list[list[Any]] = []
    bodies: list[bytes] = []
    for prefix, part in parts.items():
        header, body = _MappingNote.laid_out(*part)
        listed.append([prefix, *header])
        bodies.append(body)
    body = b"".join(bodies)
    return orjson.dumps({"format": NOTE_FORMAT, "mappings": listed, "sum": _checksum(body)}) + b"\n" + body


def _parsed_note(note: bytes | None) -> tuple[dict[str, _MappingNote], int]:
    """Each mapping's key prefix → its part of the note, from its records whole and of this format,
    and the bytes those records take. Nothing if the first is not; the records after the first
    that is not are ignored (an addition a crash tore)."""
    notes: dict[str, _MappingNote] = {}
    position = 0
    while note is not None and position < len(note):
        record = _parsed_record(note, position)
        if record is None:
            break
        parts, position = record
        for prefix, part in parts:
            noted = notes.get(prefix)
            if noted is not None and noted.made_under == part.made_under:
                noted.add(part)
            else:
                notes[prefix] = part
    return notes, position


def _parsed_record(note: bytes, start: int) -> tuple[list[tuple[str, _MappingNote]], int] | None:
    """The parts of the record at `start` of `note`, and where the next record begins; None unless
    it is whole and of this format."""
    header_end = note.find(b"\n", start)
    if header_end < 0:
        return None
    try:
        header = orjson.loads(note[start:header_end])
    except orjson.JSONDecodeError:
        return None
    if type(header) is not dict or header.get("format") != NOTE_FORMAT or type(header.get("mappings")) is not list:
        return None
    parts = []
    position = header_end + 1
    for listed in header["mappings"]:
        read = _MappingNote.read(listed[1:], note, position) if type(listed) is list and listed else None
        if read is None or type(listed[0]) is not str:
            return None
        part, position = read
        parts.append((listed[0], part))
    # Written without an fsync: after a crash, blocks of the file may hold anything.
    if header.get("sum") != _checksum(memoryview(note)[header_end + 1 : position]):
        return None
    return parts, position


def _cut(note: bytes, start: int, end: int, size: int) -> list[bytes]:
    """`note[start:end]` cut in pieces of `size` bytes (none if `size` is 0)."""
    return re.compile(b".{%d}" % size, re.DOTALL).findall(note, start, end) if size else []


def _checksum(body: bytes | memoryview) -> str:
    return hashlib.sha256(body).hexdigest()


def _digest(value: Iterable[Any]) -> str:
    return hashlib.blake2b(orjson.dumps(value), digest_size=16).hexdigest()
