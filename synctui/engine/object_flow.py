"""One object's flow: scope it, evaluate its mappings, match it, and create, update, disable or
delete its target object; then record what became of it in its connector space entry.

Each part notes its step in the object's trace as Entra's provisioning logs show them (spec:
provisioning-behaviour.md §3.3, §13 and §14): `EntryImport` (import: the source values read),
`EntrySynchronizationScoping` (scoping: active, assignment, each filter clause), `EntryImport`
of type matching (the linked object read, or each matching attribute and value tried with the
matches found), `EntrySynchronization<Action>` (processing: the action determined and why) and
`EntryExport<Action>` (export: what was sent and what came back, or the error). The steps'
text is made only for the log entries a job keeps (see trace.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..connectors.base import Modification, ObjectError, ObjectNotFound, is_empty
from ..expressions import (
    IGNORE_FLOW,
    IGNORE_OBJECT,
    EvaluationContext,
    ExpressionError,
    RegexTimeout,
)
from ..models import AttributeFlowType, ObjectFlowTypes
from ..models.connector_space import EntryKey, ProvisioningState, SpaceEntry
from .assignments import scoping_details, skip_reason
from .compiled import SOFT_DELETED, AttributeFlow, AttributeReader, CompiledObjectMapping
from .references import ReferenceResolution
from .trace import REDACTED, ObjectTrace, reported, retrieved, sent_changes, subject, succeeded
from .values import display_name, display_value, same_value

PendingDeprovision = tuple[CompiledObjectMapping, EntryKey, ProvisioningState, ObjectTrace]
"""A disable or delete waiting for the deletion-threshold check: the state it leaves the entry
in, and the trace of the object's import and scoping that its log entry goes on with."""

_DEPROVISION_CAUSES = {
    ProvisioningState.DELETED: "it was deleted from the source",
    ProvisioningState.OUT_OF_SCOPE: "it left the provisioning scope",
    ProvisioningState.DISABLED: "it is not active in the source",
}


class ObjectFlow(ReferenceResolution):
    """Bringing one source object's target object in line."""

    def _process(
        self, mapping: CompiledObjectMapping, key: EntryKey, trace: ObjectTrace | None = None, *, log: bool = True
    ) -> ProvisioningState | None:
        """Bring one source object's target in line. Returns the state a deprovision (disable or
        delete) would leave it in when it needs one, which waits for the deletion-threshold check."""
        source_id = key.source_id
        obj = self._sources[mapping.source_type].get(source_id)
        trace = trace or self._trace()
        entry = self.entries.get(key)
        if self.in_flight:  # exports an earlier run left in flight: few cycles have any
            entry = self._adopt_in_flight(mapping, key, entry)
        display = display_name(obj) if obj else entry.display_name if entry is not None else None
        try:
            if obj is None:
                return self._source_deleted(mapping, key, entry, trace)
            return self._source_present(mapping, key, obj, entry, trace)
        except (ObjectError, ExpressionError, ValueError) as error:
            self._escrow(mapping, key, display, error, trace)
            return None
        finally:
            if log and (trace.action != "other" or trace.status == "failure" or trace.detailed):
                self._log(trace, mapping, source_id, display)

    def _adopt_in_flight(
        self, mapping: CompiledObjectMapping, key: EntryKey, entry: SpaceEntry | None
    ) -> SpaceEntry | None:
        """Exports sent before a crash but never recorded. A create: find what it made, and link
        it, so the object is handled as the linked object it is (updated, disabled or deleted as
        needed). A delete or disable: if the object is gone, drop the link, as the delete's
        checkpoint would have (an object back in the source is then provisioned anew, not
        escrowed for a missing anchor). A reference update: what the target holds is no longer
        what `refs` says, so the reference pass starts from the target's values instead."""
        info = self.in_flight.pop(key, None)
        if info is None:
            return entry
        if entry is not None and entry.target_id:
            if info.get("deprovision") and self._get(self.target, mapping.target_type, entry.target_id) is None:
                self._forget_link(key, entry)
                return entry
            if info.get("references"):
                entry.refs = None
                entry.refs_pending = True
                self._mark_changed(key, entry)
            return entry
        for attribute, value in info.get("matching", ()):
            hits = self._find(mapping.target_type, attribute, value)
            if len(hits) == 1:
                entry = entry if entry is not None else SpaceEntry(mapping.source_type)
                entry.link(str(hits[0]["id"]), mapping.target_type)
                entry.refs = self._held_references(mapping, hits[0])
                entry.hash = None
                self.entries[key] = entry
                self._mark_changed(key, entry)
                return entry
        return entry

    def _source_present(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        obj: dict[str, Any],
        entry: SpaceEntry | None,
        trace: ObjectTrace,
    ) -> ProvisioningState | None:
        attrs = self._attributes(mapping, obj)
        source_system = self.options.source_system
        trace.step(
            "EntryImport",
            "import",
            "success",
            (retrieved, mapping.source_type, obj, source_system),
            (_imported, mapping, attrs),
        )
        if not mapping.scope.passes_input(attrs):
            # inputFilterGroups: dropped before processing, never deprovisioned.
            trace.step("EntrySynchronizationScoping", "scoping", "skipped", "Filtered out by the input filter")
            trace.outcome("other", "skipped", reason="Filtered out by the input filter")
            self._record_looked_at(key, mapping, obj, entry)
            return None
        active = attrs[SOFT_DELETED] == "False"  # as `_attributes` found it
        assigned = self._assignments is None or self._assignments.in_scope(mapping.source_type, str(obj["id"]))
        passes_filters = mapping.scope.in_scope(attrs)
        in_scope = assigned and passes_filters
        trace.step(
            "EntrySynchronizationScoping",
            "scoping",
            "success" if in_scope and active else "skipped",
            (_scoping, mapping.source_type),
            (ObjectFlow._scope_details, self, mapping, obj, attrs, active, assigned, passes_filters),
        )
        state = entry.state if entry is not None else ProvisioningState.UNLINKED
        if in_scope and active:
            self.counters.values["entitled"] += 1
            attrs[SOFT_DELETED] = "False"
            self._provision(mapping, key, obj, attrs, entry, trace)
            return None
        if entry is not None and in_scope and state == ProvisioningState.DISABLED:
            self._update_disabled(mapping, key, obj, entry, trace, only_soft_delete=False)
            self._record_deprovisioned(key, mapping, obj, entry, ProvisioningState.DISABLED)
            return None
        if entry is not None and state == ProvisioningState.LINKED:
            if not in_scope and self.options.skip_out_of_scope_deletions:
                trace.outcome(
                    "other",
                    "skipped",
                    reason="SkipOutOfScopeDeletions is set: the object left scope and is left as it is",
                )
                self._record_looked_at(key, mapping, obj, entry, in_scope=False)
                return None
            return ProvisioningState.OUT_OF_SCOPE if not in_scope else ProvisioningState.DISABLED
        reason = (
            skip_reason(mapping.source_type, display_name(obj), assigned=assigned, passes_filters=passes_filters)
            if not in_scope
            else "The object is not active in the source"
        )
        trace.step("EntrySynchronizationSkip", "processing", "skipped", reason)
        trace.outcome(
            "other",
            "skipped",
            error_code="NotEffectivelyEntitled" if not in_scope else "EntrySynchronizationSkipped",
            reason=reason,
        )
        self._record_looked_at(key, mapping, obj, entry, in_scope=in_scope)
        self._clear_escrow(key)
        return None

    def _provision(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        obj: dict[str, Any],
        attrs: dict[str, Any],
        entry: SpaceEntry | None,
        trace: ObjectTrace,
    ) -> None:
        target_id = entry.linked_target if entry is not None else None
        evaluation = self._flow_values(mapping, attrs, target_id)
        values = self._evaluate(mapping, evaluation, creating=False)
        if values is None:
            trace.outcome("other", "skipped", reason="IgnoreObjectFlow: the mappings say this object does not flow")
            self._record_looked_at(key, mapping, obj, entry)
            return
        current = None
        if target_id:
            current = self._get(self.target, mapping.target_type, target_id)
            trace.step(
                "EntryImport",
                "matching",
                "success" if current is not None else "failure",
                (_linked_read, mapping.target_type, target_id, self.options.target_system, current is not None),
                (_anchor, target_id),
            )
            if current is None:
                assert entry is not None
                self._forget_link(key, entry)
                raise ObjectError(
                    "InvalidAnchor",
                    f"the linked {mapping.target_type} {target_id} no longer exists in "
                    f"{self.options.target_system}; it will be matched again on the next cycle",
                )
        else:
            current = self._match(mapping, key, evaluation, trace)
        if current is None:
            self._create(mapping, key, obj, evaluation, entry, trace, values if mapping.creates_as_updates else None)
            return
        target_id = str(current["id"])
        trace.target_id = target_id
        modification = self._diff(mapping, values, current, trace)
        if modification:
            if not mapping.allows(ObjectFlowTypes.Update):
                trace.outcome(
                    "other", "skipped", reason="Update is not among the object mapping's target object actions"
                )
            else:
                target_system = self.options.target_system
                trace.step(
                    "EntrySynchronizationUpdate",
                    "processing",
                    "success",
                    (_to_update, mapping.target_type, obj, target_system, modification),
                )
                self._update(mapping, obj, target_id, modification, trace)
        else:
            trace.outcome(
                "other",
                "skipped",
                error_code="RedundantExport",
                reason="The state of the object in both the source and target systems already match",
            )
            trace.step(
                "EntrySynchronizationSkip",
                "export",
                "skipped",
                "The state of the object in both the source and target systems already match",
                _redundant_export,
            )
        known = entry.refs if entry is not None and entry.target_id else None
        self._link(
            key,
            mapping,
            obj,
            entry,
            target_id,
            refs=known if known is not None else self._held_references(mapping, current),
        )

    def _create(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        obj: dict[str, Any],
        evaluation: _FlowValues,
        entry: SpaceEntry | None,
        trace: ObjectTrace,
        values: dict[str, Any] | None = None,
    ) -> None:
        """`values`: the object's values to create it with, when the caller has them already."""
        if not mapping.allows(ObjectFlowTypes.Add):
            trace.outcome("other", "skipped", reason="Create is not among the object mapping's target object actions")
            self._record_looked_at(key, mapping, obj, entry)
            return
        target_system = self.options.target_system
        trace.action = "create"  # from here on, a failure is a failed create
        trace.step(
            "EntrySynchronizationAdd",
            "processing",
            "success",
            (_to_create, mapping, obj, target_system),
        )
        if values is None:
            values = self._evaluate(mapping, evaluation, creating=True) or {}
        missing = [flow.target for flow in mapping.required_flows if values.get(flow.target) is None]
        if missing:
            raise ObjectError(
                "MandatoryFieldsMissing",
                f"required target attribute(s) {', '.join(missing)} have no value "
                "for this object; give the source a value or set a default value on the mapping",
                retryable=False,
            )
        trace.created(values, mapping.redacted_targets)
        matching = [[f.target, values[f.target]] for f in mapping.matching_flows if values.get(f.target) is not None]
        self.state.record_in_flight(key, {"matching": matching}, deferred=self._deferred_writes)
        trace.exporting(
            "create",
            "EntryExportAdd",
            "create",
            (subject, mapping.target_type, obj),
            (reported, obj, (_sent_attributes, values)),
        )
        target_id = self._export(self.target.create, mapping.target_type, values)
        trace.target_id = target_id
        trace.exported(target_system, (_new_id, target_id))
        self._link(key, mapping, obj, None, target_id, refs={})

    def _match(
        self, mapping: CompiledObjectMapping, key: EntryKey, evaluation: _FlowValues, trace: ObjectTrace
    ) -> dict[str, Any] | None:
        matching = mapping.matching_flows
        tried: list[tuple[str, Any, int]] = []
        """(target attribute, value, matches found) in the order tried"""
        any_value = False
        for flow in matching:
            value = evaluation[flow]
            if value is None or value is IGNORE_FLOW:
                continue
            any_value = True
            if self._steps.width > 1:
                self._claim_matching_value(mapping, key, flow, value)
            hits = self._find(mapping.target_type, flow.target, value)
            tried.append((flow.target, value, len(hits)))
            if len(hits) > 1:
                trace.step(
                    "EntryImportMatch", "matching", "failure", "More than one target object matched", (_tried, tried)
                )
                raise ObjectError(
                    "DuplicateTargetEntries",
                    f"{len(hits)} {mapping.target_type} objects in "
                    f"{self.options.target_system} have {flow.target} = {value!r}; make it unique there",
                )
            if hits:
                self._claim_link(mapping, key, str(hits[0]["id"]), f"{flow.target} = {value!r}")
                trace.step(
                    "EntryImportMatch",
                    "matching",
                    "success",
                    f"Matched an existing {mapping.target_type} by {flow.target}",
                    (_tried, tried),
                )
                return hits[0]
        if matching and not any_value:
            trace.step(
                "EntryImportMatch",
                "matching",
                "failure",
                "The object has no value for any matching attribute",
                lambda: {"MatchingAttributes": [f.target for f in matching]},
            )
            raise ObjectError(
                "ImportSkipped",
                "the object has no value for any matching attribute "
                f"({', '.join(f.target for f in matching)}); it cannot be matched or created",
                retryable=False,
            )
        target_system = self.options.target_system
        trace.step(
            "EntryImportMatch",
            "matching",
            "success",
            (_none_matched, mapping.target_type, target_system),
            (_tried, tried),
        )
        return None

    def _claim_matching_value(
        self, mapping: CompiledObjectMapping, key: EntryKey, flow: AttributeFlow, value: Any
    ) -> None:
        """Refuse a second source object of this cycle that matches on a value the first already
        asked about. One at a time, the second would match the object the first created and be
        refused as a duplicate; with exports in parallel (only then is this asked), both could ask
        before either creates, and the target would get two objects with one matching value."""
        claim = (
            mapping.target_type,
            flow.target,
            value.lower() if isinstance(value, str) and not flow.case_exact else value,
        )
        owner = self._matching_claims.setdefault(claim, key)
        if owner != key:
            raise ObjectError(
                "DuplicateSourceEntries",
                f"source object {owner.source_id} has the same matching value "
                f"({flow.target} = {value!r}) in this cycle; make the value unique in the source",
            )

    # --- attribute flow ----------------------------------------------------------------------

    def _flow_values(
        self, mapping: CompiledObjectMapping, attrs: Mapping[str, Any], target_id: str | None
    ) -> _FlowValues:
        """The object's flow values; `target_id`: the target object it is linked to, if any."""

        def unique_context(flow: AttributeFlow) -> EvaluationContext:
            return replace(self._eval_context, is_unique=self._free_in_target(mapping.target_type, flow, target_id))

        return _FlowValues(attrs, self._eval_context, unique_context, mapping.text_flows, mapping.reads)

    def _free_in_target(self, object_type: str, flow: AttributeFlow, own_id: str | None) -> Callable[[str], bool]:
        """SelectUniqueValue's question, asked of the target as Entra asks it: is this candidate free?
        Not when another target object holds it, nor when an object earlier in this cycle chose it (its
        create may still be on its way: exports run in parallel). The object's own target object does
        not count: its value stays its own.

        The candidate is claimed before the target is asked: other steps run while this one waits
        for the answer, and one of them asking about the same candidate meanwhile must see it taken."""

        def is_free(candidate: str) -> bool:
            chosen = (object_type, flow.target, candidate if flow.case_exact else candidate.lower())
            if chosen in self._unique_values_chosen:
                return False
            self._unique_values_chosen.add(chosen)
            if any(str(hit["id"]) != own_id for hit in self._find(object_type, flow.target, candidate)):
                self._unique_values_chosen.discard(chosen)
                return False
            return True

        return is_free

    def _evaluate(
        self, mapping: CompiledObjectMapping, evaluation: _FlowValues, *, creating: bool
    ) -> dict[str, Any] | None:
        """Target values of the non-reference mappings, or None if one says IgnoreObjectFlow.
        Nulls never flow; when creating, a null takes the mapping's default value."""
        values: dict[str, Any] = {}
        for flow in mapping.value_flows if creating else mapping.update_flows:
            value = evaluation[flow]
            if value is None:
                if creating and flow.default_value is not None and (value := flow.target_default) is not None:
                    values[flow.target] = value
            elif value is IGNORE_OBJECT:
                return None
            elif value is not IGNORE_FLOW:
                values[flow.target] = value
        return values

    def _diff(
        self, mapping: CompiledObjectMapping, values: dict[str, Any], current: Mapping[str, Any], trace: ObjectTrace
    ) -> Modification:
        modification = Modification(before=current)
        for flow in mapping.value_flows:
            if flow.target not in values:
                continue
            wanted, existing = values[flow.target], current.get(flow.target)
            if flow.flow_type == AttributeFlowType.AttributeAddOnly and existing not in (None, "", []):
                continue
            if flow.flow_type in (AttributeFlowType.MultiValueAddOnly, AttributeFlowType.ValueAddOnly) and isinstance(
                wanted, list
            ):
                have = existing if isinstance(existing, list) else ([] if existing is None else [existing])
                missing = [v for v in wanted if not any(same_value(h, v, case_exact=flow.case_exact) for h in have)]
                if missing:
                    modification.add[flow.target] = missing
                    trace.modify(flow.target, existing, have + missing)
                continue
            if flow.always or not same_value(existing, wanted, case_exact=flow.case_exact):
                modification.replace[flow.target] = wanted
                trace.modify(flow.target, existing, wanted, redacted=flow.target in mapping.redacted_targets)
        return modification

    def _scope_details(
        self,
        mapping: CompiledObjectMapping,
        obj: Mapping[str, Any],
        attrs: Mapping[str, Any],
        active: bool,
        assigned: bool,
        passes_filters: bool,
    ) -> dict[str, Any]:
        """The scoping step's details, as Entra's on-demand view lists them (spec §13, step 3)."""
        assignments = self._assignments
        return scoping_details(
            mapping.source_type,
            display_name(obj),
            active=active,
            sync_all=assignments is None or not assignments.scoped,
            has_assignment=None
            if assignments is None
            else assignments.is_assigned(mapping.source_type, str(obj["id"])),
            assignment_in_scope=assigned,
            passes_filters=passes_filters,
            clauses=(
                (f"{outcome.group}: {outcome.clause}", outcome.result) for outcome in mapping.scope.explain(attrs)
            ),
        )

    # --- deprovisioning -----------------------------------------------------------------------

    def _source_deleted(
        self, mapping: CompiledObjectMapping, key: EntryKey, entry: SpaceEntry | None, trace: ObjectTrace
    ) -> ProvisioningState | None:
        if entry is None:
            return None
        source_system = self.options.source_system
        trace.step(
            "EntryImportDelete",
            "import",
            "success",
            lambda: (
                f"Received {mapping.source_type} '{entry.display_name}' change of type (Delete) from {source_system}"
            ),
        )
        if entry.managed_target:
            return ProvisioningState.DELETED
        self._drop(key)
        return None

    def _deprovision_all(self, pending: list[PendingDeprovision]) -> int:
        """Export the disables and deletes of this cycle, unless there are more than the threshold:
        then none is exported, each is logged as StagedDelete and kept for Allow deletes."""
        # Leavers whose target object a rehire took over are no longer linked (see `_claim_link`).
        pending = [item for item in pending if item[1] in self.entries]
        staged_before = self._staged_keys()
        forced = self.meta.pop("forceDeletes", False)
        counted = [item for item in pending if not (forced and item[1] in staged_before)]
        threshold = self.options.delete_threshold
        if threshold and len(counted) > threshold:
            self.meta["stagedDeletes"] = [key for _, key, _, _ in pending]
            reason = (
                f"{len(counted)} disables/deletes in one cycle exceed the threshold of {threshold}; "
                "held until deletes are allowed (restart with ForceDeletes)"
            )
            for mapping, key, _, trace in pending:
                trace.step("EntrySynchronizationStagedDelete", "processing", "skipped", reason)
                trace.outcome("stagedDelete", "skipped", error_code="TooManyDeletes", reason=reason)
                entry = self.entries[key]
                trace.target_id = entry.target_id
                self._log(trace, mapping, key.source_id, entry.display_name)
            self._checkpoint()
            return len(pending)
        self.meta.pop("stagedDeletes", None)

        def deprovision(item: PendingDeprovision) -> None:
            mapping, key, reason, trace = item
            entry = self.entries[key]
            try:
                self._deprovision(mapping, key, entry, reason, trace)
            except (ObjectError, ExpressionError, ValueError) as error:
                self._escrow(mapping, key, entry.display_name, error, trace)
            self._log(trace, mapping, key.source_id, entry.display_name)

        # Deletes are not cut short by a pause: the threshold check above counted them all.
        self._each(pending, deprovision, stoppable=False)
        return 0

    def _deprovision(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        entry: SpaceEntry,
        reason: ProvisioningState,
        trace: ObjectTrace,
    ) -> None:
        """Disable or delete the target object of a source object that was disabled, left scope
        or was deleted (`reason`, the state that leaves it in). Leaving scope disables (a soft
        delete through the IsSoftDeleted mappings) unless the target has no soft delete; a source
        delete deletes (spec: provisioning-behaviour.md §4.3, §6.2)."""
        target_id = entry.target_id
        assert target_id is not None
        trace.target_id = target_id
        obj = self._sources[mapping.source_type].get(key.source_id)
        if not mapping.allows(ObjectFlowTypes.Delete):
            trace.outcome("other", "skipped", reason="Delete is not among the object mapping's target object actions")
            self._record_deprovisioned(key, mapping, obj, entry, reason)
            return
        soft_flows = [f for f in mapping.value_flows if f.deprovisions]
        if reason == ProvisioningState.DELETED or not mapping.supports_soft_delete:
            self._determined(trace, "Delete", "deleted", mapping, entry, _DEPROVISION_CAUSES[reason])
            self._delete(mapping, key, target_id, entry, trace)
            if reason == ProvisioningState.DELETED:
                self._drop(key)
            else:
                self._record_deprovisioned(key, mapping, obj, entry, ProvisioningState.DELETED)
            return
        if soft_flows:
            self._update_disabled(
                mapping, key, obj or {}, entry, trace, only_soft_delete=reason != ProvisioningState.DISABLED
            )
        else:
            trace.outcome(
                "other", "skipped", reason="No mapping uses IsSoftDeleted: the target object is left as it is"
            )
        self._record_deprovisioned(key, mapping, obj, entry, reason)

    def _determined(
        self,
        trace: ObjectTrace,
        action: str,
        participle: str,
        mapping: CompiledObjectMapping,
        entry: SpaceEntry,
        cause: str,
    ) -> None:
        """The processing step of a disable or delete: what will be done, and why."""
        target_system = self.options.target_system
        trace.step(
            f"EntrySynchronization{action}",
            "processing",
            "success",
            (_to_deprovision, mapping.target_type, entry.display_name, participle, target_system, cause),
        )

    def _delete(
        self, mapping: CompiledObjectMapping, key: EntryKey, target_id: str, entry: SpaceEntry, trace: ObjectTrace
    ) -> None:
        # Noted first: if the run stops before a checkpoint drops the link, the next run looks
        # whether the object is gone (see `_adopt_in_flight`).
        self.state.record_in_flight(key, {"deprovision": "delete"}, deferred=self._deferred_writes)
        trace.exporting(
            "delete",
            "EntryExportDelete",
            "delete",
            (subject, mapping.target_type, entry.display_name),
            (reported, entry.display_name, None, target_id),
        )
        try:
            self._export(self.target.delete, mapping.target_type, target_id)
        except ObjectNotFound:
            # As Entra: an object already gone needs no delete, so nothing waits for a retry.
            gone = f"The {mapping.target_type} was already gone from {self.options.target_system}; its link is dropped"
            trace.exported(self.options.target_system, lambda: {"Returned": gone})
            trace.outcome("delete", "success", reason=gone)
            return
        trace.exported(self.options.target_system, succeeded)

    def _update_disabled(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        obj: dict[str, Any],
        entry: SpaceEntry,
        trace: ObjectTrace,
        *,
        only_soft_delete: bool,
    ) -> None:
        """Export the object as the mappings say with IsSoftDeleted true: an object disabled in the
        source still gets its other changes; one that left scope only gets disabled."""
        target_id = entry.target_id
        assert target_id is not None
        current = self._get(self.target, mapping.target_type, target_id)
        if current is None:
            self._forget_link(key, entry)
            raise ObjectError("InvalidAnchor", f"the linked {mapping.target_type} {target_id} no longer exists")
        attrs = self._attributes(mapping, obj)
        attrs[SOFT_DELETED] = "True"
        values = self._evaluate(mapping, self._flow_values(mapping, attrs, target_id), creating=False) or {}
        if only_soft_delete:
            soft = {f.target for f in mapping.value_flows if f.deprovisions}
            values = {name: value for name, value in values.items() if name in soft}
        was_active = entry.state == ProvisioningState.LINKED
        modification = self._diff(mapping, values, current, trace)
        if modification:
            cause = _DEPROVISION_CAUSES[
                ProvisioningState.OUT_OF_SCOPE if only_soft_delete else ProvisioningState.DISABLED
            ]
            if was_active:
                self._determined(trace, "Disable", "disabled", mapping, entry, cause)
            else:
                self._determined(trace, "Update", "updated", mapping, entry, cause)
            # Noted as a delete is: the next run drops the link if the object is gone meanwhile.
            self.state.record_in_flight(key, {"deprovision": "disable"}, deferred=self._deferred_writes)
            self._update(
                mapping,
                obj or {"displayName": entry.display_name},
                target_id,
                modification,
                trace,
                action="disable" if was_active else "update",
                step="EntryExportUpdateSoftDelete",
            )
        elif was_active:
            trace.outcome(
                "other", "skipped", error_code="RedundantExport", reason="The object is already disabled in the target"
            )

    def _update(
        self,
        mapping: CompiledObjectMapping,
        obj: Mapping[str, Any],
        target_id: str,
        modification: Modification,
        trace: ObjectTrace,
        *,
        action: str = "update",
        step: str = "EntryExportUpdate",
    ) -> None:
        """Send an update; its export step names each attribute's change (add where the target
        had no value, replace, remove where the new value is empty) and what came back."""
        trace.exporting(
            action,
            step,
            "disable" if action == "disable" else "update",
            (subject, mapping.target_type, obj),
            (reported, obj, (sent_changes, modification), target_id),
        )
        self._export(self.target.update, mapping.target_type, target_id, modification)
        trace.exported(self.options.target_system, succeeded)

    def _record_deprovisioned(
        self,
        key: EntryKey,
        mapping: CompiledObjectMapping,
        obj: dict[str, Any] | None,
        entry: SpaceEntry,
        state: ProvisioningState,
    ) -> None:
        """Record the state a disable or delete left the linked target object in."""
        entry.state = state
        entry.in_scope = state == ProvisioningState.DISABLED
        if state == ProvisioningState.DISABLED and mapping.reference_flows:
            entry.refs_pending = True  # a disabled object is still managed: its manager and members too
        if obj is not None:
            entry.hash = self._fingerprint(mapping, obj)
        self._mark_changed(key, entry)
        self._clear_escrow(key)


class _FlowValues(dict[AttributeFlow, Any]):
    """The values of one object's attribute flows by flow, each evaluated and converted once
    however often a step asks (provisioning a new object asks for its values, its matching values
    and its values to create): the flow's value for the target, with None (null), IGNORE_FLOW and
    IGNORE_OBJECT as they are."""

    __slots__ = ("_attrs", "_context", "_unique_context")

    def __init__(
        self,
        attrs: Mapping[str, Any],
        context: EvaluationContext,
        unique_context: Callable[[AttributeFlow], EvaluationContext],
        text_flows: list[tuple[AttributeFlow, str, str]],
        reader: AttributeReader,
    ) -> None:
        super().__init__()
        self._attrs = attrs
        self._context = context
        self._unique_context = unique_context
        """The context of a SelectUniqueValue flow: one that asks the target."""
        # An attribute mapped alone: its string is the value, taken at once (most flows, so this
        # saves a call per flow); null when no key is its name, even ignoring case (as expressions
        # read names), told once per shape of `attrs` rather than by looking through its keys.
        # Null or not a string, or under a name in another case, its expression says what it is,
        # when asked.
        absent: frozenset[str] | None = None
        for flow, name, lowered in text_flows:
            value = attrs.get(name)
            if value.__class__ is str:
                self[flow] = value
            elif value is None and name not in attrs:
                if absent is None:
                    absent = reader.absent(attrs)
                if lowered in absent:
                    self[flow] = None

    def __missing__(self, flow: AttributeFlow) -> Any:
        context = self._unique_context(flow) if flow.selects_unique else self._context
        try:
            value = flow.expression.evaluate(self._attrs, context) if flow.expression is not None else None
        except RegexTimeout as timeout:
            # its pattern alone may not tell which of the mappings to simplify
            raise timeout.within(f"the mapping to {flow.target}") from None
        if value is not None and value is not IGNORE_FLOW and value is not IGNORE_OBJECT:
            value = flow.convert(value)
        self[flow] = value
        return value


def _redundant_export() -> dict[str, Any]:
    return {"SkipReason": "RedundantExport"}


def _imported(mapping: CompiledObjectMapping, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The import step's details: the source values the mappings read (nulls are absent, as in
    Entra's view), those that feed a Redact() mapping hidden."""
    hidden = mapping.redacted_sources
    if not hidden:
        return {name: value for name, value in attrs.items() if value is not None and value != "" and value != []}
    return {name: REDACTED if name.lower() in hidden else value for name, value in attrs.items() if not is_empty(value)}


def _tried(tried: list[tuple[str, Any, int]]) -> dict[str, Any]:
    """The matching step's details: each matching attribute tried, its value and the matches."""
    return {
        f"Matching {attribute}": f"{display_value(value)}: {hits} match{'es' if hits != 1 else ''}"
        for attribute, value, hits in tried
    }


def _scoping(source_type: str) -> str:
    return f"Determine if {source_type} in scope by evaluating against each scoping filter"


def _none_matched(target_type: str, system: str) -> str:
    return f"No {target_type} matched in {system}"


def _linked_read(target_type: str, target_id: str, system: str, found: bool) -> str:
    if found:
        return f"Retrieved the linked {target_type} {target_id} from {system}"
    return f"The linked {target_type} {target_id} is gone from {system}"


def _anchor(target_id: str) -> dict[str, Any]:
    return {"TargetAnchor": target_id}


def _to_create(mapping: CompiledObjectMapping, obj: Mapping[str, Any], system: str) -> str:
    return (
        f"{mapping.target_type} '{display_name(obj)}' will be created in {system} "
        f"({mapping.source_type} is active and in scope, and no matching {mapping.target_type} was found)"
    )


def _to_update(target_type: str, obj: Mapping[str, Any], system: str, modification: Modification) -> str:
    differing = len(modification.replace) + len(modification.add) + len(modification.remove)
    return (
        f"{target_type} '{display_name(obj)}' will be updated in {system} "
        f"({differing} attribute(s) differ from the target's)"
    )


def _to_deprovision(target_type: str, name: str | None, participle: str, system: str, cause: str) -> str:
    return f"{target_type} '{name}' will be {participle} in {system} ({cause})"


def _sent_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"Attributes sent": list(values)}


def _new_id(target_id: str) -> dict[str, Any]:
    return {"Returned": f"id {target_id}"}
