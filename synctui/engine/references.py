"""References: each object's manager and a group's members are set once the objects they point to
are provisioned, in a pass after every object's own attributes have flowed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..connectors.base import Modification, ObjectError
from ..expressions import IGNORE_FLOW, ExpressionError
from ..models.connector_space import EntryKey, SpaceEntry, summaries
from .compiled import AttributeFlow, CompiledObjectMapping
from .cycle_state import keys_by_object_type
from .escrow_policy import EscrowPolicy
from .quiet import QuietCycles
from .trace import ObjectTrace, reported, retrieved, sent_changes, subject, succeeded


class ReferenceResolution(EscrowPolicy, QuietCycles):
    """Setting the references of provisioned objects."""

    def _resolve_references(self) -> bool:
        """Set manager and members once the objects they point to exist. Returns True if paused.

        Objects whose references pointed at objects not provisioned yet are looked at again in
        the next cycles (unlike Entra, which waits for a restart), so a manager who comes into
        scope later is set then; not by a cycle that finds them as the last one that settled left
        them (see quiet.py)."""

        def update(item: tuple[CompiledObjectMapping, EntryKey]) -> None:
            mapping, key = item
            trace = self._trace()
            entry = self.entries[key]
            if self._update_references(mapping, key, entry, mapping.reference_flows, trace):
                self._log(trace, mapping, key.source_id, entry.display_name)

        due = summaries(self.entries).keys_with_references_due()  # without making every entry
        # Those the last cycle that settled left unresolved, as they were: they would stay so (see quiet.py).
        as_left = self._references_as_left(due)
        pending = keys_by_object_type([] if as_left else due)
        work = _Work(
            [
                (mapping, pending[mapping.key_prefix])
                for mapping in self.schema.mappings
                if mapping.reference_flows and mapping.key_prefix in pending
            ]
        )
        paused = self._each(work, update)
        if not as_left:
            self._references_after_pass(due)
        self._let_go_of_digests()
        return paused

    def _update_references(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        entry: SpaceEntry,
        flows: list[AttributeFlow],
        trace: ObjectTrace,
    ) -> bool:
        """Export the reference changes of one object (`entry`, its entry); True if there were any
        (the trace has them)."""
        obj = self._sources[mapping.source_type].get(key.source_id)
        if entry.refs_pending:
            entry.refs_pending = False
            self._mark_changed(key, entry)
        target_id = entry.managed_target
        if obj is None or not target_id:
            return False
        attrs = self._attributes(mapping, obj, mapping.reference_reads)
        if not trace.steps:  # the reference pass's own entry (on demand goes on with the object's)
            source_system = self.options.source_system
            trace.step(
                "EntryImport",
                "import",
                "success",
                (retrieved, mapping.source_type, entry.display_name, source_system),
                (dict, attrs),
            )
        refs = entry.refs
        if refs is None:  # a reference update was in flight when a run stopped (see `_adopt_in_flight`)
            current = self._get(self.target, mapping.target_type, target_id)
            refs = self._held_references(mapping, current) if current is not None else {}
        exported: dict[str, Any] = dict(refs)
        modification = Modification(before=refs)  # a manager the target lacks is added, as Entra does
        trace.target_id = target_id
        try:
            raws = [
                flow.expression.evaluate(attrs, self._eval_context) if flow.expression is not None else None
                for flow in flows
            ]
        except (ExpressionError, ValueError) as error:  # this object's error, as in the attribute flow
            self._escrow(mapping, key, entry.display_name, error, trace, reference=True)
            return True
        unresolved = False
        for flow, raw in zip(flows, raws):  # noqa: B905 - one raw value per flow, made just above
            wanted, missing = self._resolve(flow, raw)
            unresolved |= missing
            before = exported.get(flow.target)
            if flow.multivalued or isinstance(wanted, list):
                wanted_set, before_set = set(wanted or []), set(before or [])
                if wanted_set - before_set:
                    modification.add[flow.target] = sorted(wanted_set - before_set)
                if before_set - wanted_set:
                    modification.remove[flow.target] = sorted(before_set - wanted_set)
                if wanted_set != before_set:
                    trace.modify(flow.target, sorted(before_set), sorted(wanted_set))
                exported[flow.target] = sorted(wanted_set)
            elif wanted != before:
                modification.replace[flow.target] = wanted
                trace.modify(flow.target, before, wanted)
                exported[flow.target] = wanted
        if unresolved != entry.refs_unresolved:
            entry.refs_unresolved = unresolved
            self._mark_changed(key, entry)
        if not modification:
            return False
        trace.step(
            "EntryReferenceResolution",
            "referenceResolution",
            "warning" if unresolved else "success",
            "Some referenced objects are not provisioned yet: they are set once they are"
            if unresolved
            else "Resolved the references to the target objects they point to",
            (_resolved, flows, exported),
        )
        self.counters.values["imported_reference_deltas"] += 1
        # Noted first: if the run stops before the next checkpoint records `refs`, the target may
        # hold these references without the state knowing.
        self.state.record_in_flight(key, {"references": True}, deferred=self._deferred_writes)
        trace.exporting(
            "update",
            "EntryExportUpdate",
            "update",
            (subject, mapping.target_type, entry.display_name),
            (reported, entry.display_name, (sent_changes, modification), target_id),
        )
        try:
            self._export(self.target.update, mapping.target_type, target_id, modification)
        except ObjectError as error:
            self._escrow(mapping, key, entry.display_name, error, trace, reference=True)
            return True
        entry.refs = exported
        self._mark_changed(key, entry)
        trace.exported(self.options.target_system, succeeded)
        return True

    def _held_references(self, mapping: CompiledObjectMapping, current: Mapping[str, Any]) -> dict[str, Any]:
        """The references a target object holds, as `refs` records them: what the reference pass
        starts from for an object just matched or adopted, so that it also removes the values the
        source no longer has (a member who left the group while the link was not yet recorded)."""
        held: dict[str, Any] = {}
        for flow in mapping.reference_flows:
            value = current.get(flow.target)
            if flow.multivalued or isinstance(value, list):
                held[flow.target] = sorted(value if isinstance(value, list) else [] if value is None else [value])
            elif value is not None:
                held[flow.target] = value
        return held

    def _resolve(self, flow: AttributeFlow, raw: Any) -> tuple[Any, bool]:
        """Source ids → target ids of linked, in-scope objects; references to others are left out.
        The flag says whether some were left out."""
        prefix = self._referenced_prefix(flow)
        if prefix is None or raw is None or raw is IGNORE_FLOW:
            return ([] if flow.multivalued else None), False
        # Each told without making the entry, by its key (`EntryKey.of`) built inline.
        managed_target = summaries(self.entries).managed_target
        if isinstance(raw, list) or flow.multivalued:
            items = raw if isinstance(raw, list) else [raw]
            targets = [managed_target(prefix + str(item)) for item in items]
            return sorted({t for t in targets if t}), None in targets
        target = managed_target(prefix + (raw if type(raw) is str else str(raw)))
        return target, target is None

    def _referenced_prefix(self, flow: AttributeFlow) -> str | None:
        """What the keys of the entries `flow` points to begin with (`User:`), None when the
        schema maps no such objects; asked per object, answered once per flow."""
        if flow in self._referenced_prefixes:
            return self._referenced_prefixes[flow]
        referenced = self.schema.mapping_of_type(flow.referenced_type)
        prefix = self._referenced_prefixes[flow] = (
            None if referenced is None else EntryKey.of(referenced.key_prefix, "")
        )
        return prefix


class _Work:
    """The reference pass's work, (mapping, key) for each key of each mapping, made as it is gone
    through: a list of them all would hold a tuple per object (64 MB at 1,000,000 users) at the
    cycle's peak of memory."""

    def __init__(self, keys: list[tuple[CompiledObjectMapping, list[EntryKey]]]) -> None:
        self._keys = keys

    def __len__(self) -> int:
        return sum(len(keys) for _, keys in self._keys)

    def __iter__(self) -> Iterator[tuple[CompiledObjectMapping, EntryKey]]:
        for mapping, keys in self._keys:
            for key in keys:
                yield mapping, key


def _resolved(flows: list[AttributeFlow], exported: Mapping[str, Any]) -> dict[str, Any]:
    """The reference step's details: the target ids each reference resolves to."""
    return {flow.target: exported.get(flow.target) for flow in flows}
