"""One synchronization cycle: import → scope → match → flow → export, then references.

Plain code: the job's compiled schema, two directories, a state store and a clock come in; a
`CycleResult` comes out. No threads, no sleeping, no TinyDB.

Crash safety: exports go to the target first and the link is recorded after; a checkpoint
flushes the target before it writes the state. An object exported but not recorded when the
process died has no link, so the next cycle finds it by its matching attributes and updates it
instead of creating it twice. Creates, deletes, disables and reference updates are noted in the
in-flight journal before they are sent (for a target that writes at its flush, before that
flush; see `DeferredWrites`): the next cycle adopts what such a create made, drops the link to
what such a delete removed, and sets references from what the target holds rather than from
what the state last recorded. A delete of an object already gone from the target is done, as
in Entra. A paused or killed cycle keeps its activity id in the state's cursor; the next run
goes on with the objects that cycle has not processed yet.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from ..clock import Clock
from ..connectors.base import (
    ConnectionFailure,
    DeferredWrites,
    Directory,
    DirectoryError,
    Interrupted,
    Modification,
    ObjectError,
    ObjectNotFound,
    ParallelRequests,
    SharedReads,
    SingleReads,
    SourceDataError,
    StoppableCalls,
)
from ..expressions import IGNORE_FLOW, IGNORE_OBJECT, EvaluationContext, ExpressionError, RegexTimeout
from ..models import (
    AttributeFlowType,
    ObjectFlowTypes,
    SynchronizationError,
    SynchronizationTaskExecution,
    SynchronizationTaskExecutionResult,
    format_datetime,
    parse_datetime,
)
from ..models.connector_space import EntryKey, ProvisioningState, SpaceEntry
from .compiled import (
    SOFT_DELETED,
    AttributeFlow,
    AttributeReader,
    CompiledObjectMapping,
    CompiledSchema,
)
from .gc_pause import gc_paused
from .parallel_steps import ParallelSteps
from .trace import ObjectTrace
from .values import (
    expression_input,
    fingerprint,
    is_truthy,
    same_value,
    to_expression_value,
)

ESCROW_MAX_AGE = timedelta(days=28)
ESCROW_MAX_BACKOFF = timedelta(hours=24)
PROGRESS_STEPS = 200
"""A cycle reports its progress this many times at most (a dashboard redraws on each report)."""
CHECKPOINT_SHARE = 0.1
"""At most this share of a cycle's time goes to checkpoints (see `_checkpoint`)."""

_Item = TypeVar("_Item")

class StateStore(Protocol):
    """What the engine needs of a job's state (synctui.store.JobStateStore provides it)."""

    log_limit: int | None
    """How many of the newest log entries the store keeps (None: all); a cycle renders no more."""

    def load(self, *, few_entries: bool = False) -> Any:
        """The state (entries, escrows, meta, in_flight); with `few_entries`, entries may be a
        mapping that reads each as it is asked for."""
        ...

    def record_in_flight(self, key: str, info: dict[str, Any], *, deferred: bool = False) -> None:
        """Note an export about to be sent; `deferred`: it takes effect when the target is
        flushed, so the note need only be durable by `sync_in_flight`."""
        ...

    def sync_in_flight(self) -> None: ...

    def checkpoint(self, *, entries: Mapping[str, SpaceEntry | None] | None = None,
                   escrows: Mapping[str, dict[str, Any]] | None = None, meta: Mapping[str, Any] | None = None,
                   logs: list[dict[str, Any]] | None = None,
                   in_flight: Mapping[str, dict[str, Any]] | None = None) -> None: ...


@dataclass
class CycleOptions:
    skip_out_of_scope_deletions: bool = False
    delete_threshold: int = 500
    """More pending disables/deletes than this in one cycle are staged, not exported; 0 disables the check."""
    interval: timedelta = timedelta(minutes=40)
    """The job's schedule interval: the unit of the escrow retry back-off."""
    checkpoint_seconds: float = 5.0
    source_system: str = "source"
    target_system: str = "target"


@dataclass
class CycleResult:
    execution: SynchronizationTaskExecution
    initial: bool
    paused: bool = False
    staged_deletes: int = 0
    escrows_outstanding: int = 0
    reference_failures: int = 0
    events: int = 0
    """Provisioning events (exports attempted plus failures) in this cycle, for the escrow thresholds."""
    entry_counts: dict[str, int] = field(default_factory=dict)
    failure: DirectoryError | None = None

    @property
    def steady(self) -> bool:
        return (self.execution.state == SynchronizationTaskExecutionResult.Succeeded
                and self.execution.count_exports == 0 and not self.paused and not self.staged_deletes)


class _Counters:
    NAMES = ("imported", "imported_deltas", "imported_reference_deltas", "entitled", "exports", "exported",
             "escrowed", "escrowed_raw")

    def __init__(self, saved: Mapping[str, int] | None = None) -> None:
        self.values = {name: int((saved or {}).get(name, 0)) for name in self.NAMES}

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] += amount


class Cycle:
    def __init__(
        self,
        *,
        job_id: str,
        schema: CompiledSchema,
        source: Directory,
        target: Directory,
        state: StateStore,
        clock: Clock,
        options: CycleOptions | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        on_progress: Callable[[int, int], None] = lambda done, total: None,
        detailed_logs: bool = False,
    ) -> None:
        self.job_id = job_id
        self.schema = schema
        self.source = source
        self.target = target
        self.state = state
        self.clock = clock
        self.options = options or CycleOptions()
        self.should_stop = should_stop
        for directory in (source, target):
            if isinstance(directory, StoppableCalls):
                directory.stop_when(should_stop)  # a stop must not wait for a slow server
        self.on_progress = on_progress
        self.detailed_logs = detailed_logs
        self.entries: MutableMapping[str, SpaceEntry] = {}
        self.escrows: dict[str, dict[str, Any]] = {}
        self.meta: dict[str, Any] = {}
        self.in_flight: dict[str, dict[str, Any]] = {}
        self._dirty: dict[str, SpaceEntry | None] = {}
        # Log entries are rendered at the checkpoint, and only as many as the store keeps: an
        # initial cycle of 100,000 objects would otherwise build 95,000 entries for nothing.
        self._new_logs: deque[tuple[ObjectTrace, CompiledObjectMapping, str, str | None]] = deque(maxlen=state.log_limit)
        self._last_checkpoint = time.monotonic()
        self._checkpoint_interval = self.options.checkpoint_seconds
        self._eval_context = EvaluationContext(now=clock.now)
        self._sources: dict[str, dict[str, dict[str, Any]]] = {}
        self._owners: dict[tuple[str | None, str], str] | None = None
        """(target type, target id) → the key of the entry linked to it; see `_claim_link`."""
        self._steps = ParallelSteps(target.max_parallel if isinstance(target, ParallelRequests) else 1)
        self._deferred_writes = isinstance(target, DeferredWrites) and target.writes_at_flush
        self._one_object = False
        """Provision on demand: reads one object of each directory, and no more."""

    # --- the cycle --------------------------------------------------------------------------

    def _load_state(self, *, few_entries: bool = False) -> None:
        snapshot = self.state.load(few_entries=few_entries)
        self.entries, self.escrows, self.meta, self.in_flight = (
            snapshot.entries, snapshot.escrows, snapshot.meta, snapshot.in_flight)

    @gc_paused()
    def run(self) -> CycleResult:
        self._load_state()
        cursor = self.meta.get("cursor")
        if cursor:
            activity, initial = cursor["activityId"], cursor["initial"]
            began = parse_datetime(cursor["timeBegan"])
            self.counters = _Counters(cursor.get("counters"))
        else:
            activity, initial = str(uuid.uuid4()), self._needs_initial_cycle()
            began = self.clock.now()
            self.counters = _Counters()
        self.activity = activity
        self.meta["cursor"] = {"activityId": activity, "initial": initial, "timeBegan": format_datetime(began),
                               "counters": self.counters.values}
        result = CycleResult(execution=SynchronizationTaskExecution(activity_identifier=activity, time_began=began),
                             initial=initial)
        try:
            self.target.test_connection()
            self._read_sources()
            # The checkpoint clock starts with the work: reading is nothing a crash would lose,
            # and on 100,000 objects it takes the first checkpoint interval by itself.
            self._last_checkpoint = time.monotonic()
            pending_deprovisions: list[_Deprovision] = []

            def process(item: tuple[CompiledObjectMapping, EntryKey]) -> None:
                reason = self._process(*item)
                if reason is not None:
                    pending_deprovisions.append((*item, reason))

            result.paused = self._each(self._plan(initial), process, report_progress=True)
            if not result.paused:
                result.staged_deletes = self._deprovision_all(pending_deprovisions)
                result.paused = self._resolve_references()
        except Interrupted:
            result.paused = True  # the object whose call was given up is done again on resume
        except (ConnectionFailure, SourceDataError) as failure:
            result.failure = failure
        except DirectoryError as failure:  # a directory-wide error we did not classify: fail the run
            result.failure = ConnectionFailure(failure.code, failure.message)
        return self._finish(result, began)

    def _needs_initial_cycle(self) -> bool:
        return self.meta.get("watermark") is None or self.meta.get("schemaVersion") != self.schema.version

    def _read_sources(self) -> None:
        # The cycle only reads its source's objects: it need not pay for copies where it can avoid them.
        read = self.source.read_all_shared if isinstance(self.source, SharedReads) else self.source.read_all
        for mapping in self.schema.mappings:
            self._sources[mapping.source_type] = {str(obj["id"]): obj for obj in read(mapping.source_type)}
        self.counters.values["imported"] = sum(len(objects) for objects in self._sources.values())

    def _plan(self, initial: bool) -> list[tuple[CompiledObjectMapping, EntryKey]]:
        """The objects this cycle must look at: all (initial), or only the changed ones, the deleted
        ones and the escrows due for retry. Objects the cycle already did before a pause are left out."""
        now = self.clock.now()
        staged = self._staged_keys()
        entries, activity = self.entries, self.activity
        work: list[tuple[CompiledObjectMapping, EntryKey]] = []
        deltas = 0
        not_done = _by_object_type(key for key, entry in entries.items() if entry.cycle != activity)
        in_flight = _by_object_type(self.in_flight)
        for mapping in self.schema.mappings:
            prefix = mapping.key_prefix
            objects = self._sources[mapping.source_type]
            for source_id, obj in objects.items():
                key = EntryKey.of(prefix, source_id)
                entry = entries.get(key)
                if entry is not None and entry.cycle == activity:
                    continue
                changed = entry is None or entry.hash != fingerprint(obj, mapping.attributes)
                deltas += changed
                if initial or changed or self._escrow_due(key, now) or key in staged or key in self.in_flight:
                    work.append((mapping, key))
            for key in not_done.get(prefix, ()):
                if key.source_id not in objects:
                    deltas += 1
                    work.append((mapping, key))
            work += [(mapping, key) for key in in_flight.get(prefix, ())
                     if key.source_id not in objects and key not in entries]
        self.counters.values["imported_deltas"] = max(self.counters.values["imported_deltas"], deltas)
        return work

    def _staged_keys(self) -> set[str]:
        return set(self.meta.get("stagedDeletes", []))

    def _escrow_due(self, key: str, now: datetime) -> bool:
        escrow = self.escrows.get(key)
        return escrow is not None and parse_datetime(escrow["nextRetry"]) <= now

    # --- one object ---------------------------------------------------------------------------

    def _process(self, mapping: CompiledObjectMapping, key: EntryKey, trace: ObjectTrace | None = None, *,
                 log: bool = True) -> ProvisioningState | None:
        """Bring one source object's target in line. Returns the state a deprovision (disable or
        delete) would leave it in when it needs one, which waits for the deletion-threshold check."""
        source_id = key.source_id
        obj = self._sources[mapping.source_type].get(source_id)
        trace = trace or self._trace()
        entry = self._adopt_in_flight(mapping, key, self.entries.get(key))
        display = _display_name(obj) if obj else entry.display_name if entry is not None else None
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

    def _adopt_in_flight(self, mapping: CompiledObjectMapping, key: EntryKey, entry: SpaceEntry | None) -> SpaceEntry | None:
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

    def _source_present(self, mapping: CompiledObjectMapping, key: EntryKey, obj: dict[str, Any],
                        entry: SpaceEntry | None, trace: ObjectTrace) -> ProvisioningState | None:
        attrs = self._attributes(mapping, obj)
        trace.step("EntryImport", "import", "success", f"Retrieved {mapping.source_type} '{_display_name(obj)}' from {self.options.source_system}",
                   lambda: dict(obj))
        if not mapping.scope.passes_input(attrs):
            # inputFilterGroups: dropped before processing, never deprovisioned.
            trace.step("EntrySynchronizationScoping", "scoping", "skipped", "Filtered out by the input filter")
            trace.outcome("other", "skipped", reason="Filtered out by the input filter")
            self._record_looked_at(key, mapping, obj, entry)
            return None
        active = self._is_active(mapping, obj)
        in_scope = mapping.scope.in_scope(attrs)
        trace.step("EntrySynchronizationScoping", "scoping", "success" if in_scope and active else "skipped",
                   f"Determine if {mapping.source_type} in scope by evaluating against each scoping filter",
                   lambda: self._scope_details(mapping, attrs, active, in_scope))
        state = entry.state if entry is not None else ProvisioningState.UNLINKED
        if in_scope and active:
            self.counters.add("entitled")
            attrs[SOFT_DELETED] = "False"
            self._provision(mapping, key, obj, attrs, entry, trace)
            return None
        if entry is not None and in_scope and state == ProvisioningState.DISABLED:
            self._update_disabled(mapping, key, obj, entry, trace, only_soft_delete=False)
            self._record_deprovisioned(key, mapping, obj, entry, ProvisioningState.DISABLED)
            return None
        if entry is not None and state == ProvisioningState.LINKED:
            if not in_scope and self.options.skip_out_of_scope_deletions:
                trace.outcome("other", "skipped", reason="SkipOutOfScopeDeletions is set: the object left scope and is left as it is")
                self._record_looked_at(key, mapping, obj, entry, in_scope=False)
                return None
            return ProvisioningState.OUT_OF_SCOPE if not in_scope else ProvisioningState.DISABLED
        reason = "NotEffectivelyEntitled" if not in_scope else "The object is not active in the source"
        trace.outcome("other", "skipped", error_code="NotEffectivelyEntitled" if not in_scope else "EntrySynchronizationSkipped",
                      reason=reason)
        self._record_looked_at(key, mapping, obj, entry, in_scope=in_scope)
        self._clear_escrow(key)
        return None

    def _provision(self, mapping: CompiledObjectMapping, key: EntryKey, obj: dict[str, Any], attrs: dict[str, Any],
                   entry: SpaceEntry | None, trace: ObjectTrace) -> None:
        evaluation = _Evaluation(attrs, self._eval_context)
        values = self._evaluate(mapping, evaluation, creating=False)
        if values is None:
            trace.outcome("other", "skipped", reason="IgnoreObjectFlow: the mappings say this object does not flow")
            self._record_looked_at(key, mapping, obj, entry)
            return
        target_id = entry.linked_target if entry is not None else None
        current = None
        if target_id:
            current = self._get(self.target, mapping.target_type, target_id)
            if current is None:
                assert entry is not None
                self._forget_link(key, entry)
                raise ObjectError("InvalidAnchor", f"the linked {mapping.target_type} {target_id} no longer exists in "
                                  f"{self.options.target_system}; it will be matched again on the next cycle")
        else:
            current = self._match(mapping, key, evaluation, trace)
        if current is None:
            self._create(mapping, key, obj, evaluation, entry, trace)
            return
        target_id = str(current["id"])
        trace.target_id = target_id
        modification = self._diff(mapping, values, current, trace)
        if modification:
            if not mapping.allows(ObjectFlowTypes.Update):
                trace.outcome("other", "skipped", reason="Update is not among the object mapping's target object actions")
            else:
                self._export(lambda: self.target.update(mapping.target_type, target_id, modification))
                trace.outcome("update", "success")
                trace.step("EntryExportUpdate", "export", "success",
                           f"{mapping.target_type} '{_display_name(obj)}' was updated in {self.options.target_system}")
        else:
            trace.outcome("other", "skipped", error_code="RedundantExport",
                          reason="The state of the object in both the source and target systems already match")
            trace.step("EntrySynchronizationSkip", "export", "skipped", "The state of the object in both the source and target systems already match",
                       lambda: {"SkipReason": "RedundantExport"})
        known = entry.refs if entry is not None and entry.target_id else None
        self._link(key, mapping, obj, entry, target_id,
                   refs=known if known is not None else self._held_references(mapping, current))

    def _create(self, mapping: CompiledObjectMapping, key: EntryKey, obj: dict[str, Any], evaluation: _Evaluation,
                entry: SpaceEntry | None, trace: ObjectTrace) -> None:
        if not mapping.allows(ObjectFlowTypes.Add):
            trace.outcome("other", "skipped", reason="Create is not among the object mapping's target object actions")
            self._record_looked_at(key, mapping, obj, entry)
            return
        values = self._evaluate(mapping, evaluation, creating=True) or {}
        missing = [flow.target for flow in mapping.value_flows
                   if flow.definition is not None and flow.definition.required and values.get(flow.target) is None]
        if missing:
            raise ObjectError("MandatoryFieldsMissing", f"required target attribute(s) {', '.join(missing)} have no value "
                              "for this object; give the source a value or set a default value on the mapping", retryable=False)
        trace.created(values, mapping.redacted_targets)
        matching = [[f.target, values[f.target]] for f in mapping.matching_flows if values.get(f.target) is not None]
        self.state.record_in_flight(key, {"matching": matching}, deferred=self._deferred_writes)
        target_id = self._export(lambda: self.target.create(mapping.target_type, values))
        trace.target_id = target_id
        trace.outcome("create", "success")
        trace.step("EntryExportAdd", "export", "success",
                   f"{mapping.target_type} '{_display_name(obj)}' was created in {self.options.target_system}")
        self._link(key, mapping, obj, None, target_id, refs={})

    def _match(self, mapping: CompiledObjectMapping, key: EntryKey, evaluation: _Evaluation,
               trace: ObjectTrace) -> dict[str, Any] | None:
        matching = mapping.matching_flows
        tried: dict[str, Any] = {}
        any_value = False
        for flow in matching:
            value = evaluation[flow]
            if value is None or value is IGNORE_FLOW:
                continue
            any_value = True
            hits = self._find(mapping.target_type, flow.target, value)
            tried[f"{flow.target} = {value}"] = f"{len(hits)} match(es)"
            if len(hits) > 1:
                raise ObjectError("DuplicateTargetEntries", f"{len(hits)} {mapping.target_type} objects in "
                                  f"{self.options.target_system} have {flow.target} = {value!r}; make it unique there")
            if hits:
                self._claim_link(mapping, key, str(hits[0]["id"]), f"{flow.target} = {value!r}")
                trace.step("EntryImportMatch", "matching", "success", f"Matched an existing {mapping.target_type} by {flow.target}",
                           lambda: tried)
                return hits[0]
        if matching and not any_value:
            raise ObjectError("ImportSkipped", "the object has no value for any matching attribute "
                              f"({', '.join(f.target for f in matching)}); it cannot be matched or created", retryable=False)
        trace.step("EntryImportMatch", "matching", "success", f"No {mapping.target_type} matched in {self.options.target_system}",
                   lambda: tried)
        return None

    # --- attribute flow ----------------------------------------------------------------------

    def _attributes(self, mapping: CompiledObjectMapping, obj: Mapping[str, Any],
                    reader: AttributeReader | None = None) -> dict[str, Any]:
        """What the mapping's expressions and scoping filter (or only those `reader` reads for) see of `obj`."""
        reader = reader or mapping.reads
        attrs = expression_input(obj, reader.keys(obj))
        alias = mapping.anchor_alias
        if alias is not None and alias.lower() in reader.names:
            attrs[alias] = to_expression_value(obj["id"])
        attrs[SOFT_DELETED] = "False" if self._is_active(mapping, obj) else "True"
        return attrs

    def _is_active(self, mapping: CompiledObjectMapping, obj: Mapping[str, Any]) -> bool:
        name = mapping.account_enabled_attribute
        return True if name is None or obj.get(name) is None else is_truthy(obj.get(name))

    def _evaluate(self, mapping: CompiledObjectMapping, evaluation: _Evaluation, *, creating: bool) -> dict[str, Any] | None:
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

    def _diff(self, mapping: CompiledObjectMapping, values: dict[str, Any], current: Mapping[str, Any],
              trace: ObjectTrace) -> Modification:
        modification = Modification()
        for flow in mapping.value_flows:
            if flow.target not in values:
                continue
            wanted, existing = values[flow.target], current.get(flow.target)
            if flow.flow_type == AttributeFlowType.AttributeAddOnly and existing not in (None, "", []):
                continue
            if flow.flow_type in (AttributeFlowType.MultiValueAddOnly, AttributeFlowType.ValueAddOnly) and isinstance(wanted, list):
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

    # --- deprovisioning -----------------------------------------------------------------------

    def _source_deleted(self, mapping: CompiledObjectMapping, key: EntryKey, entry: SpaceEntry | None,
                        trace: ObjectTrace) -> ProvisioningState | None:
        if entry is None:
            return None
        if entry.managed_target:
            return ProvisioningState.DELETED
        self._drop(key)
        return None

    def _deprovision_all(self, pending: list[_Deprovision]) -> int:
        """Export the disables and deletes of this cycle, unless there are more than the threshold:
        then none is exported, each is logged as StagedDelete and kept for Allow deletes."""
        # Leavers whose target object a rehire took over are no longer linked (see `_claim_link`).
        pending = [item for item in pending if item[1] in self.entries]
        staged_before = self._staged_keys()
        forced = self.meta.pop("forceDeletes", False)
        counted = [item for item in pending if not (forced and item[1] in staged_before)]
        threshold = self.options.delete_threshold
        if threshold and len(counted) > threshold:
            self.meta["stagedDeletes"] = [key for _, key, _ in pending]
            for mapping, key, _ in pending:
                trace = self._trace()
                trace.outcome("stagedDelete", "skipped", error_code="TooManyDeletes",
                              reason=f"{len(counted)} disables/deletes in one cycle exceed the threshold of {threshold}; "
                                     "held until deletes are allowed (restart with ForceDeletes)")
                entry = self.entries[key]
                trace.target_id = entry.target_id
                self._log(trace, mapping, key.source_id, entry.display_name)
            self._checkpoint()
            return len(pending)
        self.meta.pop("stagedDeletes", None)

        def deprovision(item: _Deprovision) -> None:
            mapping, key, reason = item
            trace = self._trace()
            entry = self.entries[key]
            try:
                self._deprovision(mapping, key, entry, reason, trace)
            except (ObjectError, ExpressionError, ValueError) as error:
                self._escrow(mapping, key, entry.display_name, error, trace)
            self._log(trace, mapping, key.source_id, entry.display_name)

        # Deletes are not cut short by a pause: the threshold check above counted them all.
        self._each(pending, deprovision, stoppable=False)
        return 0

    def _deprovision(self, mapping: CompiledObjectMapping, key: EntryKey, entry: SpaceEntry, reason: ProvisioningState,
                     trace: ObjectTrace) -> None:
        """Disable or delete the target object of a source object that was disabled, left scope
        or was deleted (`reason`, the state that leaves it in)."""
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
            self._delete(mapping, key, target_id, trace)
            if reason == ProvisioningState.DELETED:
                self._drop(key)
            else:
                self._record_deprovisioned(key, mapping, obj, entry, ProvisioningState.DELETED)
            return
        if soft_flows:
            self._update_disabled(mapping, key, obj or {}, entry, trace,
                                  only_soft_delete=reason != ProvisioningState.DISABLED)
        else:
            trace.outcome("other", "skipped", reason="No mapping uses IsSoftDeleted: the target object is left as it is")
        self._record_deprovisioned(key, mapping, obj, entry, reason)

    def _delete(self, mapping: CompiledObjectMapping, key: EntryKey, target_id: str, trace: ObjectTrace) -> None:
        # Noted first: if the run stops before a checkpoint drops the link, the next run looks
        # whether the object is gone (see `_adopt_in_flight`).
        self.state.record_in_flight(key, {"deprovision": "delete"}, deferred=self._deferred_writes)
        try:
            self._export(lambda: self.target.delete(mapping.target_type, target_id))
        except ObjectNotFound:
            # As Entra: an object already gone needs no delete, so nothing waits for a retry.
            gone = f"The {mapping.target_type} was already gone from {self.options.target_system}; its link is dropped"
            trace.outcome("delete", "success", reason=gone)
            trace.step("EntryExportDelete", "export", "success", gone)
            return
        trace.outcome("delete", "success")
        trace.step("EntryExportDelete", "export", "success", f"{mapping.target_type} was deleted in {self.options.target_system}")

    def _update_disabled(self, mapping: CompiledObjectMapping, key: EntryKey, obj: dict[str, Any], entry: SpaceEntry,
                         trace: ObjectTrace, *, only_soft_delete: bool) -> None:
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
        values = self._evaluate(mapping, _Evaluation(attrs, self._eval_context), creating=False) or {}
        if only_soft_delete:
            soft = {f.target for f in mapping.value_flows if f.deprovisions}
            values = {name: value for name, value in values.items() if name in soft}
        was_active = entry.state == ProvisioningState.LINKED
        modification = self._diff(mapping, values, current, trace)
        if modification:
            # Noted as a delete is: the next run drops the link if the object is gone meanwhile.
            self.state.record_in_flight(key, {"deprovision": "disable"}, deferred=self._deferred_writes)
            self._export(lambda: self.target.update(mapping.target_type, target_id, modification))
            trace.outcome("disable" if was_active else "update", "success")
            trace.step("EntryExportUpdateSoftDelete", "export", "success",
                       f"{mapping.target_type} was {'disabled' if was_active else 'updated'} in {self.options.target_system}")
        elif was_active:
            trace.outcome("other", "skipped", error_code="RedundantExport", reason="The object is already disabled in the target")

    def _record_deprovisioned(self, key: EntryKey, mapping: CompiledObjectMapping, obj: dict[str, Any] | None,
                              entry: SpaceEntry, state: ProvisioningState) -> None:
        """Record the state a disable or delete left the linked target object in."""
        entry.state = state
        entry.in_scope = state == ProvisioningState.DISABLED
        if state == ProvisioningState.DISABLED and mapping.reference_flows:
            entry.refs_pending = True  # a disabled object is still managed: its manager and members too
        if obj is not None:
            entry.hash = fingerprint(obj, mapping.attributes)
        self._mark_changed(key, entry)
        self._clear_escrow(key)

    # --- references ----------------------------------------------------------------------------

    def _resolve_references(self) -> bool:
        """Set manager and members once the objects they point to exist. Returns True if paused.

        Objects whose references pointed at objects not provisioned yet are looked at again every
        cycle (unlike Entra, which waits for a restart), so a manager who comes into scope later
        is set then."""
        def update(item: tuple[CompiledObjectMapping, EntryKey]) -> None:
            mapping, key = item
            trace = self._trace()
            if self._update_references(mapping, key, mapping.reference_flows, trace):
                self._log(trace, mapping, key.source_id, self.entries[key].display_name)

        pending = _by_object_type(key for key, entry in self.entries.items() if entry.refs_pending or entry.refs_unresolved)
        work = [(mapping, key) for mapping in self.schema.mappings if mapping.reference_flows
                for key in pending.get(mapping.key_prefix, ())]
        return self._each(work, update)

    def _update_references(self, mapping: CompiledObjectMapping, key: EntryKey, flows: list[AttributeFlow],
                           trace: ObjectTrace) -> bool:
        """Export the reference changes of one object; True if there were any (the trace has them)."""
        entry = self.entries[key]
        obj = self._sources[mapping.source_type].get(key.source_id)
        if entry.refs_pending:
            entry.refs_pending = False
            self._mark_changed(key, entry)
        target_id = entry.managed_target
        if obj is None or not target_id:
            return False
        attrs = self._attributes(mapping, obj, mapping.reference_reads)
        refs = entry.refs
        if refs is None:  # a reference update was in flight when a run stopped (see `_adopt_in_flight`)
            current = self._get(self.target, mapping.target_type, target_id)
            refs = self._held_references(mapping, current) if current is not None else {}
        exported: dict[str, Any] = dict(refs)
        modification = Modification()
        trace.target_id = target_id
        try:
            raws = [flow.expression.evaluate(attrs, self._eval_context) if flow.expression is not None else None
                    for flow in flows]
        except (ExpressionError, ValueError) as error:  # this object's error, as in the attribute flow
            self._escrow(mapping, key, entry.display_name, error, trace, reference=True)
            return True
        unresolved = False
        for flow, raw in zip(flows, raws, strict=True):
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
        self.counters.add("imported_reference_deltas")
        # Noted first: if the run stops before the next checkpoint records `refs`, the target may
        # hold these references without the state knowing.
        self.state.record_in_flight(key, {"references": True}, deferred=self._deferred_writes)
        try:
            self._export(lambda: self.target.update(mapping.target_type, target_id, modification))
        except ObjectError as error:
            self._escrow(mapping, key, entry.display_name, error, trace, reference=True)
            return True
        entry.refs = exported
        self._mark_changed(key, entry)
        if trace.action == "other":
            trace.outcome("update", "success")
        trace.step("EntryExportUpdateReference", "referenceResolution", "success", "References were updated")
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
        referenced = self.schema.mapping_of_type(flow.referenced_type)
        if referenced is None or raw is None or raw is IGNORE_FLOW:
            return ([] if flow.multivalued else None), False
        prefix = referenced.key_prefix

        def target_of(source_id: str) -> str | None:
            entry = self.entries.get(EntryKey.of(prefix, source_id))
            return entry.managed_target if entry is not None else None

        if isinstance(raw, list) or flow.multivalued:
            items = raw if isinstance(raw, list) else [raw]
            targets = [target_of(str(item)) for item in items]
            return sorted({t for t in targets if t}), None in targets
        target = target_of(str(raw))
        return target, target is None

    # --- provision on demand -------------------------------------------------------------------

    @gc_paused()
    def provision_one(self, source_type: str, source_id: str) -> dict[str, Any]:
        """Run one source object through the pipeline now, exporting for real, and return its
        provisioning log entry with every step (as Entra's provisionOnDemand shows them)."""
        mapping = self.schema.mapping_for(source_type)
        if mapping is None:
            raise ValueError(f"the schema has no enabled object mapping for {source_type!r} objects")
        self._load_state(few_entries=True)
        self.activity = str(uuid.uuid4())
        self.counters = _Counters()
        self._one_object = True
        trace = self._trace()
        key = EntryKey.of(mapping.key_prefix, source_id)
        try:
            self.target.test_connection()
        except ConnectionFailure as failure:
            trace.step("TestConnection", "import", "failure", failure.message)
            trace.outcome("other", "failure", error_code=failure.code, reason=failure.message)
            return trace.entry(object_type=source_type, source_id=source_id, display_name=None,
                               target_type=mapping.target_type, source_system=self.options.source_system,
                               target_system=self.options.target_system)
        obj = self._get(self.source, mapping.source_type, source_id)
        if obj is None and key not in self.entries:
            raise LookupError(f"no {source_type} with id {source_id!r} in {self.options.source_system}")
        self._sources[mapping.source_type] = {source_id: obj} if obj is not None else {}
        reason = self._process(mapping, key, trace, log=False)
        if reason is not None:
            try:
                self._deprovision(mapping, key, self.entries[key], reason, trace)
            except (ObjectError, ExpressionError, ValueError) as error:
                self._escrow(mapping, key, _display_name(obj or {}), error, trace)
        entry = self.entries.get(key)
        if entry is not None and entry.refs_pending and mapping.reference_flows:
            self._update_references(mapping, key, mapping.reference_flows, trace)
        entry = self.entries.get(key)
        self._log(trace, mapping, source_id, _display_name(obj) if obj else entry.display_name if entry else None)
        return self._checkpoint()[-1]

    # --- state --------------------------------------------------------------------------------

    def _claim_link(self, mapping: CompiledObjectMapping, key: EntryKey, target_id: str, matched_by: str) -> None:
        """Before linking a matched target object: if another source object is linked to it, the
        two have the same matching value. Where that other object has left the source (a leaver
        rehired under the same name), the new one takes the target object over, and the leaver's
        pending delete is dropped with its link; otherwise the match is refused."""
        if self._owners is None:
            # Built on the first match of a linked object's target; `_link` keeps it up to date,
            # and a stale owner is checked against the entries below.
            self._owners = {(e.target_type, e.target_id): k for k, e in self.entries.items() if e.target_id}
        owner = self._owners.get((mapping.target_type, target_id))
        entry = self.entries.get(owner) if owner is not None else None
        if owner is None or owner == key or entry is None or entry.target_id != target_id:
            return
        owner_id = EntryKey(owner).source_id
        if owner_id in self._sources.get(entry.object_type or mapping.source_type, {}):
            raise ObjectError("DuplicateSourceEntries", f"the {mapping.target_type} matched by {matched_by} is already "
                              f"linked to source object {owner_id} ({entry.display_name}), which has "
                              "the same matching value; make the value unique in the source", retryable=False)
        self._drop(owner)

    def _link(self, key: EntryKey, mapping: CompiledObjectMapping, obj: dict[str, Any], entry: SpaceEntry | None,
              target_id: str, refs: dict[str, Any] | None) -> None:
        if self._owners is not None:
            self._owners[(mapping.target_type, target_id)] = key
        entry = entry if entry is not None else SpaceEntry(mapping.source_type)
        entry.object_type = mapping.source_type
        entry.link(target_id, mapping.target_type)
        entry.in_scope = True
        entry.hash = fingerprint(obj, mapping.attributes)
        entry.display_name = _display_name(obj)
        entry.refs = refs or {}
        if mapping.reference_flows:
            entry.refs_pending = True
        self.entries[key] = entry
        self._mark_changed(key, entry)
        self._clear_escrow(key)

    def _record_looked_at(self, key: EntryKey, mapping: CompiledObjectMapping, obj: dict[str, Any],
                          entry: SpaceEntry | None, *, in_scope: bool | None = None) -> None:
        """Record that the object was looked at (and, if known, whether it is in scope), so an
        unchanged object is not looked at again."""
        entry = entry if entry is not None else SpaceEntry(mapping.source_type)
        entry.hash = fingerprint(obj, mapping.attributes)
        entry.display_name = _display_name(obj)
        if in_scope is not None:
            entry.in_scope = in_scope
        self.entries[key] = entry
        self._mark_changed(key, entry)

    def _forget_link(self, key: EntryKey, entry: SpaceEntry) -> None:
        entry.unlink()
        self._mark_changed(key, entry)

    def _drop(self, key: str) -> None:
        self.entries.pop(key, None)
        self._dirty[key] = None
        self._clear_escrow(key)

    def _mark_changed(self, key: str, entry: SpaceEntry) -> None:
        """Note that this cycle looked at the entry and that the next checkpoint writes it."""
        entry.cycle = self.activity
        self._dirty[key] = entry

    def _get(self, directory: Directory, object_type: str, object_id: str) -> dict[str, Any] | None:
        with self._steps.waiting():
            if self._one_object and isinstance(directory, SingleReads):
                return directory.read_one(object_type, object_id)
            return directory.get(object_type, object_id)

    def _export(self, call: Callable[[], Any]) -> Any:
        self.counters.add("exports")
        with self._steps.waiting():
            result = call()
        self.counters.add("exported")
        return result

    def _find(self, object_type: str, attribute: str, value: Any) -> list[dict[str, Any]]:
        with self._steps.waiting():
            return self.target.find(object_type, attribute, value)

    def _escrow(self, mapping: CompiledObjectMapping, key: EntryKey, display: str | None,
                error: Exception, trace: ObjectTrace, *, reference: bool = False) -> None:
        source_id = key.source_id
        code = getattr(error, "code", None) or ("ExpressionEvaluationFailed" if isinstance(error, ExpressionError) else "InvalidValue")
        message = getattr(error, "message", None) or str(error)
        now = self.clock.now()
        previous = self.escrows.get(key)
        attempts = (previous or {}).get("attempts", 0) + 1
        first = parse_datetime(previous["firstFailure"]) if previous else now
        self.counters.add("escrowed_raw")
        if not reference:
            self.counters.add("escrowed")
        trace.outcome(trace.action if trace.action != "other" else "other", "failure", error_code=code, reason=message)
        if now - first > ESCROW_MAX_AGE:
            self.escrows.pop(key, None)  # given up after 28 days, as Entra does
        else:
            # Retried on the next cycle, then less and less often, at most once a day.
            backoff = doubled(self.options.interval, attempts - 1, ESCROW_MAX_BACKOFF) if attempts > 1 else timedelta(0)
            self.escrows[key] = {
                "key": key, "objectType": mapping.source_type, "sourceId": source_id, "displayName": display,
                "error": {"code": code, "message": message}, "attempts": attempts, "reference": reference,
                "firstFailure": format_datetime(first), "lastAttempt": format_datetime(now),
                "nextRetry": format_datetime(now + backoff),
            }
        entry = self.entries.get(key)
        obj = self._sources.get(mapping.source_type, {}).get(source_id)
        if obj is not None:
            entry = entry if entry is not None else SpaceEntry(mapping.source_type)
            entry.hash = fingerprint(obj, mapping.attributes)
            entry.display_name = display
            self.entries[key] = entry
            self._mark_changed(key, entry)

    def _clear_escrow(self, key: str) -> None:
        self.escrows.pop(key, None)

    def _trace(self) -> ObjectTrace:
        return ObjectTrace(detailed=self.detailed_logs, job_id=self.job_id, cycle_id=self.activity, now=self.clock.now())

    def _log(self, trace: ObjectTrace, mapping: CompiledObjectMapping, source_id: str, display: str | None) -> None:
        # Rendered only if it is still among the newest at the next checkpoint (see `_rendered_logs`).
        self._new_logs.append((trace, mapping, source_id, display))

    def _rendered_logs(self) -> list[dict[str, Any]]:
        source_system, target_system = self.options.source_system, self.options.target_system
        logs = [trace.entry(object_type=mapping.source_type, source_id=source_id, display_name=display,
                            target_type=mapping.target_type, source_system=source_system, target_system=target_system)
                for trace, mapping, source_id, display in self._new_logs]
        self._new_logs.clear()
        return logs

    def _scope_details(self, mapping: CompiledObjectMapping, attrs: Mapping[str, Any], active: bool, in_scope: bool) -> dict[str, Any]:
        details: dict[str, Any] = {"Active in source system": active, "Scope sync all": True,
                                   "IsInProvisioningScope": in_scope}
        for outcome in mapping.scope.explain(attrs):
            details[f"{outcome.group}: {outcome.clause}"] = outcome.result
        return details

    def _each(self, items: Sequence[_Item], step: Callable[[_Item], None], *,
              report_progress: bool = False, stoppable: bool = True) -> bool:
        """Run `step` on each item, as many at once as the target takes (see parallel_steps.py), with
        checkpoints as the cycle goes. Returns True if asked to stop before the end."""
        total = len(items)
        every = max(1, total // PROGRESS_STEPS)
        started = 0

        def before_each() -> bool:
            nonlocal started
            if report_progress and started % every == 0:
                self.on_progress(started, total)
            if stoppable and self.should_stop():
                return False
            started += 1
            if time.monotonic() - self._last_checkpoint >= self._checkpoint_interval:
                self._steps.drain()
                self._checkpoint()
            return True

        finished = self._steps.run(items, step, before_each)
        if report_progress and finished:
            self.on_progress(total, total)
        return not finished

    def _checkpoint(self) -> list[dict[str, Any]]:
        """Make everything so far durable; returns the log entries it wrote."""
        started = time.monotonic()
        # Intents, then the target, then the state that records the links: see the module docstring.
        self.state.sync_in_flight()
        self.target.flush()
        if "cursor" in self.meta:
            self.meta["cursor"]["counters"] = self.counters.values
        logs = self._rendered_logs()
        self.state.checkpoint(entries=self._dirty, escrows=self.escrows, meta=self.meta, logs=logs,
                              in_flight=self.in_flight)
        self._dirty = {}
        self._last_checkpoint = time.monotonic()
        # File directories and the state rewrite whole files, so a checkpoint costs more as the
        # directory grows: at a fixed interval, an initial cycle would spend time growing with the
        # square of its size on them. Waiting in proportion to the last one's cost bounds their share.
        self._checkpoint_interval = max(self.options.checkpoint_seconds,
                                        (self._last_checkpoint - started) / CHECKPOINT_SHARE)
        return logs

    def _finish(self, result: CycleResult, began: datetime) -> CycleResult:
        if result.failure is None:
            try:
                self.state.sync_in_flight()
                self.target.flush()
            except DirectoryError as failure:
                result.failure = failure
        values = self.counters.values
        execution = result.execution
        execution.count_imported = values["imported"]
        execution.count_imported_deltas = values["imported_deltas"]
        execution.count_imported_reference_deltas = values["imported_reference_deltas"]
        execution.count_entitled = execution.count_entitled_for_provisioning = values["entitled"]
        execution.count_exports = values["exports"]
        execution.count_exported = values["exported"]
        execution.count_escrowed = values["escrowed"]
        execution.count_escrowed_raw = values["escrowed_raw"]
        result.reference_failures = values["escrowed_raw"] - values["escrowed"]
        result.events = values["exports"] + values["escrowed_raw"]
        if result.failure is not None:
            execution.state = SynchronizationTaskExecutionResult.Failed
            execution.error = SynchronizationError(
                code=result.failure.code, message=result.failure.message,
                tenant_actionable=getattr(result.failure, "tenant_actionable", True))
        elif values["escrowed_raw"]:
            execution.state = SynchronizationTaskExecutionResult.EntryLevelErrors
        else:
            execution.state = SynchronizationTaskExecutionResult.Succeeded
        if not result.paused and result.failure is None:
            self.meta.pop("cursor", None)
            self.meta["watermark"] = format_datetime(self.clock.now())
            self.meta["schemaVersion"] = self.schema.version
        if result.failure is None:
            self._checkpoint()
        else:
            self._save_after_failure()
        execution.time_ended = self.clock.now()
        result.escrows_outstanding = sum(1 for e in self.escrows.values() if not e.get("reference"))
        result.entry_counts = self.entry_counts()
        return result

    def _save_after_failure(self) -> None:
        try:
            self._checkpoint()
        except DirectoryError:
            # The target is down: keep our own state consistent without claiming its exports.
            self.state.checkpoint(escrows=self.escrows, meta=self.meta, logs=self._rendered_logs())

    def entry_counts(self) -> dict[str, int]:
        """Linked objects by mapping name."""
        by_prefix = Counter(EntryKey(key).object_type for key, entry in self.entries.items()
                            if entry.target_id and entry.state == ProvisioningState.LINKED)
        return {mapping.name: by_prefix[mapping.key_prefix] for mapping in self.schema.mappings}


class _Evaluation(dict[AttributeFlow, Any]):
    """The values of one object's attribute flows by flow, each evaluated and converted once
    however often a step asks (provisioning a new object asks for its values, its matching values
    and its values to create): the flow's value for the target, with None (null), IGNORE_FLOW and
    IGNORE_OBJECT as they are."""

    __slots__ = ("_attrs", "_context")

    def __init__(self, attrs: Mapping[str, Any], context: EvaluationContext) -> None:
        super().__init__()
        self._attrs = attrs
        self._context = context

    def __missing__(self, flow: AttributeFlow) -> Any:
        try:
            value = flow.expression.evaluate(self._attrs, self._context) if flow.expression is not None else None
        except RegexTimeout as timeout:
            # its pattern alone may not tell which of the mappings to simplify
            raise timeout.within(f"the mapping to {flow.target}") from None
        if value is not None and value is not IGNORE_FLOW and value is not IGNORE_OBJECT:
            value = flow.convert(value)
        self[flow] = value
        return value


_Deprovision = tuple[CompiledObjectMapping, EntryKey, ProvisioningState]
"""A disable or delete waiting for the deletion-threshold check: the state it leaves the entry in."""


def _by_object_type(keys: Iterable[str]) -> dict[str, list[EntryKey]]:
    """Keys by their object type prefix, in their order."""
    grouped: dict[str, list[EntryKey]] = {}
    for text in keys:
        key = EntryKey(text)
        grouped.setdefault(key.object_type, []).append(key)
    return grouped


def _display_name(obj: Mapping[str, Any]) -> str | None:
    for name in ("displayName", "userPrincipalName", "userName", "DisplayName", "EmployeeId"):
        value = obj.get(name)
        if value:
            return str(value)
    return str(obj.get("id")) if obj.get("id") is not None else None


def doubled(unit: timedelta, times: int, cap: timedelta) -> timedelta:
    """`unit` doubled `times` times, at most `cap` (a back-off). Twenty doublings take any interval
    of a second or more past a day, so more are not computed: after weeks of retries they would
    overflow a timedelta."""
    return min(unit * (2 ** min(times, 20)), cap)
