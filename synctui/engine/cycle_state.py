"""What every part of a cycle shares: the job's state it works on (connector space, escrows, meta,
in-flight notes), the links it records, its calls to the directories, its log entries and its
checkpoints.

`Cycle` (cycle.py) is built of parts, each a class over this one: escrow_policy.py (when a
failed object is retried), references.py (managers and members), object_flow.py (one object
created, updated, disabled or deleted), plan.py (which objects a cycle looks at) and
on_demand.py (one object now).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from ..clock import Clock
from ..connectors.assignments import ASSIGNMENTS_KEY
from ..connectors.base import (
    AssignmentSource,
    DeferredWrites,
    Directory,
    ObjectError,
    ParallelRequests,
    SingleReads,
    StoppableCalls,
)
from ..expressions import EvaluationContext
from ..models.connector_space import EntryKey, SpaceEntry, summaries
from .assignments import Application, Assignments
from .compiled import (
    SOFT_DELETED,
    AttributeFlow,
    AttributeReader,
    CompiledObjectMapping,
    CompiledSchema,
)
from .parallel_steps import ParallelSteps
from .trace import ObjectTrace
from .values import display_name, expression_input, fingerprint, is_truthy, to_expression_value

PROGRESS_STEPS = 200
"""A cycle reports its progress this many times at most (a dashboard redraws on each report)."""
CHECKPOINT_SHARE = 0.1
"""At most this share of a cycle's time goes to checkpoints (see `_checkpoint`)."""

_Item = TypeVar("_Item")
_Item_co = TypeVar("_Item_co", covariant=True)
_Result = TypeVar("_Result")


class CountedItems(Protocol[_Item_co]):
    """What `CycleState._each` goes through: items it can count before it starts (a list, or
    items made as they are gone through)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[_Item_co]: ...


GROUPS_READ_ONE_BY_ONE = 20
"""Provision on demand reads up to this many assigned groups one by one (see `_read_assignments`)."""
_ASSIGNMENTS_NAME = ASSIGNMENTS_KEY.lower()
"""As `AttributeReader.names` holds it."""


class StateStore(Protocol):
    """What the engine needs of a job's state (synctui.store.JobStateStore provides it)."""

    @property  # read only, so a store's plain `int` (or `None`) attribute provides it
    def log_limit(self) -> int | None:
        """How many of the newest log entries the store keeps (None: all); a cycle renders no more."""
        ...

    def load(self, *, few_entries: bool = False) -> Any:
        """The state (entries, escrows, meta, in_flight); with `few_entries`, entries may be a
        mapping that reads each as it is asked for."""
        ...

    def record_in_flight(self, key: str, info: dict[str, Any], *, deferred: bool = False) -> None:
        """Note an export about to be sent; `deferred`: it takes effect when the target is
        flushed, so the note need only be durable by `sync_in_flight`."""
        ...

    def sync_in_flight(self) -> None: ...

    def checkpoint(
        self,
        *,
        entries: Mapping[str, SpaceEntry | None] | None = None,
        escrows: Mapping[str, dict[str, Any]] | None = None,
        meta: Mapping[str, Any] | None = None,
        logs: list[dict[str, Any]] | None = None,
        in_flight: Mapping[str, dict[str, Any]] | None = None,
    ) -> None: ...


@dataclass
class CycleOptions:
    """The job's settings a cycle runs by."""

    skip_out_of_scope_deletions: bool = False
    delete_threshold: int = 500
    """More pending disables/deletes than this in one cycle are staged, not exported; 0 disables the check."""
    interval: timedelta = timedelta(minutes=40)
    """The job's schedule interval: the unit of the escrow retry back-off."""
    checkpoint_seconds: float = 5.0
    source_system: str = "source"
    target_system: str = "target"
    application: Application | None = None
    """The job's application, when its source holds assignments (see assignments.py); None: every
    object is in scope as far as assignments go, and `appRoleAssignments` is what the source holds."""


class Counters:
    """A cycle's counts for its synchronizationTaskExecution, kept in the cursor: a resumed
    cycle goes on counting."""

    NAMES = (
        "imported",
        "imported_deltas",
        "imported_reference_deltas",
        "entitled",
        "exports",
        "exported",
        "escrowed",
        "escrowed_raw",
    )

    def __init__(self, saved: Mapping[str, int] | None = None) -> None:
        self.values = {name: int((saved or {}).get(name, 0)) for name in self.NAMES}

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] += amount


class CycleState:
    """The state and bookkeeping every part of a cycle works with."""

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
        self._new_logs: deque[ObjectTrace] = deque(maxlen=state.log_limit)
        self._last_checkpoint = time.monotonic()
        self._checkpoint_interval = self.options.checkpoint_seconds
        self._eval_context = EvaluationContext(now=clock.now)
        self._unique_values_chosen: set[tuple[str, str, str]] = set()
        """(target type, attribute, value) SelectUniqueValue chose in this cycle (see `_free_in_target`)."""
        self._matching_claims: dict[tuple[str, str, Any], EntryKey] = {}
        """(target type, attribute, value) → the object that first matched on it in this cycle (see
        `_claim_matching_value`)."""
        self._sources: dict[str, Mapping[str, dict[str, Any]]] = {}
        self._owners: dict[tuple[str | None, str], str] | None = None
        """(target type, target id) → the key of the entry linked to it; see `_claim_link`."""
        self._steps = ParallelSteps(target.max_parallel if isinstance(target, ParallelRequests) else 1)
        self._deferred_writes = isinstance(target, DeferredWrites) and target.writes_at_flush
        self.activity = ""
        """The id of the cycle under way (a resumed one keeps its first run's)."""
        self.counters = Counters()
        self._one_object = False
        """Provision on demand: reads one object of each directory, and no more."""
        self._assignments: Assignments | None = None
        """The application's assignments, read with the source objects (see `_read_assignments`)."""
        self._hashed: dict[int, tuple[str, ...]] = {}
        self._referenced_prefixes: dict[AttributeFlow, str | None] = {}
        """See `ReferenceResolution._referenced_prefix`."""

    def _load_state(self, *, few_entries: bool = False) -> None:
        snapshot = self.state.load(few_entries=few_entries)
        self.entries, self.escrows, self.meta, self.in_flight = (
            snapshot.entries,
            snapshot.escrows,
            snapshot.meta,
            snapshot.in_flight,
        )

    # --- links -------------------------------------------------------------------------------

    def _claim_link(self, mapping: CompiledObjectMapping, key: EntryKey, target_id: str, matched_by: str) -> None:
        """Before linking a matched target object: if another source object is linked to it, the
        two have the same matching value. Where that other object has left the source (a leaver
        rehired under the same name), the new one takes the target object over, and the leaver's
        pending delete is dropped with its link; otherwise the match is refused."""
        if self._owners is None:
            # Built on the first match of a linked object's target; `_link` keeps it up to date,
            # and a stale owner is checked against the entries below.
            self._owners = summaries(self.entries).owners()  # told without making every entry
        owner = self._owners.get((mapping.target_type, target_id))
        entry = self.entries.get(owner) if owner is not None else None
        if owner is None or owner == key or entry is None or entry.target_id != target_id:
            return
        owner_id = EntryKey(owner).source_id
        if owner_id in self._sources.get(entry.object_type or mapping.source_type, {}):
            raise ObjectError(
                "DuplicateSourceEntries",
                f"the {mapping.target_type} matched by {matched_by} is already "
                f"linked to source object {owner_id} ({entry.display_name}), which has "
                "the same matching value; make the value unique in the source",
                retryable=False,
            )
        self._drop(owner)

    def _link(
        self,
        key: EntryKey,
        mapping: CompiledObjectMapping,
        obj: dict[str, Any],
        entry: SpaceEntry | None,
        target_id: str,
        refs: dict[str, Any] | None,
    ) -> None:
        if self._owners is not None:
            self._owners[(mapping.target_type, target_id)] = key
        entry = entry if entry is not None else SpaceEntry(mapping.source_type)
        entry.object_type = mapping.source_type
        entry.link(target_id, mapping.target_type)
        entry.in_scope = True
        entry.hash = self._fingerprint(mapping, obj)
        entry.display_name = display_name(obj)
        entry.refs = refs or {}
        if mapping.reference_flows:
            entry.refs_pending = True
        self.entries[key] = entry
        self._mark_changed(key, entry)
        self._clear_escrow(key)

    def _record_looked_at(
        self,
        key: EntryKey,
        mapping: CompiledObjectMapping,
        obj: dict[str, Any],
        entry: SpaceEntry | None,
        *,
        in_scope: bool | None = None,
    ) -> None:
        """Record that the object was looked at (and, if known, whether it is in scope), so an
        unchanged object is not looked at again."""
        entry = entry if entry is not None else SpaceEntry(mapping.source_type)
        entry.hash = self._fingerprint(mapping, obj)
        entry.display_name = display_name(obj)
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

    def _clear_escrow(self, key: str) -> None:
        self.escrows.pop(key, None)

    def _staged_keys(self) -> set[str]:
        return set(self.meta.get("stagedDeletes", []))

    # --- what the expressions see ---------------------------------------------------------------

    def _attributes(
        self, mapping: CompiledObjectMapping, obj: Mapping[str, Any], reader: AttributeReader | None = None
    ) -> dict[str, Any]:
        """What the mapping's expressions and scoping filter (or only those `reader` reads for) see of `obj`."""
        reader = reader or mapping.reads
        attrs = expression_input(obj, reader.keys(obj))
        if self._assignments is not None and _ASSIGNMENTS_NAME in reader.names:
            # The roles assigned to this application, never a value the source holds under that name.
            for key in [key for key in attrs if key.lower() == _ASSIGNMENTS_NAME]:  # (in any case)
                del attrs[key]
            roles = self._assignments.roles(mapping.source_type, str(obj["id"]))
            if roles:
                attrs[ASSIGNMENTS_KEY] = roles
        alias = mapping.anchor_alias
        if alias is not None and alias.lower() in reader.names:
            attrs[alias] = to_expression_value(obj["id"])
        attrs[SOFT_DELETED] = "False" if self._is_active(mapping, obj) else "True"
        return attrs

    def _is_active(self, mapping: CompiledObjectMapping, obj: Mapping[str, Any]) -> bool:
        read = mapping.read_account_enabled
        value = read(obj) if read is not None else None
        return True if value is None else value if value.__class__ is bool else is_truthy(value)

    # --- assignments --------------------------------------------------------------------------

    def _read_assignments(self) -> None:
        """The application's assignments as the source holds them now. Read after the source's
        objects: an assigned group's members come from its object as read (else it is read alone)."""
        application = self.options.application
        if application is None:
            return
        listed = (
            self.source.app_role_assignments(application.resource_id)
            if isinstance(self.source, AssignmentSource)
            else []
        )
        groups = self._sources.get("Group", {})
        assigned_groups = sum(1 for assignment in listed if assignment["principalType"] == "Group")
        if self._one_object and assigned_groups > GROUPS_READ_ONE_BY_ONE:
            # Provision on demand reads each assigned group alone; past a few, reading them all is cheaper.
            groups = {str(group["id"]): group for group in self.source.read_all("Group")}

        def members_of(group_id: str) -> list[str]:
            group = groups.get(group_id) if group_id in groups else self._get(self.source, "Group", group_id)
            members = (group or {}).get("members") or []
            return [str(member) for member in members] if isinstance(members, list) else []

        self._assignments = Assignments(application, listed, members_of)

    def _fingerprint(self, mapping: CompiledObjectMapping, obj: Mapping[str, Any]) -> str:
        attributes = self._hashed_attributes(mapping)
        if self._assignments is not None and ASSIGNMENTS_KEY in attributes:
            hashed = {**obj, ASSIGNMENTS_KEY: self._assignments.roles(mapping.source_type, str(obj["id"])) or None}
            return fingerprint(hashed, attributes)
        return fingerprint(obj, attributes)

    def _hashed_attributes(self, mapping: CompiledObjectMapping) -> tuple[str, ...]:
        """What decides an object's flow, hashed to tell whether it changed: what the mapping reads
        and, when assignments scope the job, its assignments (an unassigned object is looked at again)."""
        attributes = self._hashed.get(id(mapping))
        if attributes is None:
            attributes = mapping.attributes
            if self._assignments is not None and self._assignments.scoped and ASSIGNMENTS_KEY not in attributes:
                attributes = (*attributes, ASSIGNMENTS_KEY)
            self._hashed[id(mapping)] = attributes
        return attributes

    # --- the directories ------------------------------------------------------------------

    def _get(self, directory: Directory, object_type: str, object_id: str) -> dict[str, Any] | None:
        with self._steps.waiting():
            if self._one_object and isinstance(directory, SingleReads):
                return directory.read_one(object_type, object_id)
            return directory.get(object_type, object_id)

    def _export(self, call: Callable[..., _Result], *arguments: Any) -> _Result:
        """`call(*arguments)`, a call to the target that exports, counted (the arguments given
        apart rather than in a closure: an initial cycle of 100,000 users makes 200,000)."""
        counts = self.counters.values  # as `Counters.add` does, without its call per export
        counts["exports"] += 1
        with self._steps.waiting():
            result = call(*arguments)
        counts["exported"] += 1
        return result

    def _find(self, object_type: str, attribute: str, value: Any) -> list[dict[str, Any]]:
        with self._steps.waiting():
            return self.target.find(object_type, attribute, value)

    # --- logs and checkpoints ---------------------------------------------------------------

    def _trace(self) -> ObjectTrace:
        # Its arguments given in order: by name, the call costs half as much again (200,000 an initial cycle).
        return ObjectTrace(self.detailed_logs, self.job_id, self.activity, self.clock.now())

    def _log(self, trace: ObjectTrace, mapping: CompiledObjectMapping, source_id: str, display: str | None) -> None:
        # Rendered only if it is still among the newest at the next checkpoint (see `_rendered_logs`).
        self._new_logs.append(trace.logged(mapping, source_id, display))

    def _rendered_logs(self) -> list[dict[str, Any]]:
        source_system, target_system = self.options.source_system, self.options.target_system
        logs = [
            trace.entry(
                object_type=trace.mapping.source_type,
                source_id=trace.source_id,
                display_name=trace.display,
                target_type=trace.mapping.target_type,
                source_system=source_system,
                target_system=target_system,
            )
            for trace in self._new_logs
        ]
        self._new_logs.clear()
        return logs

    def _each(
        self,
        items: CountedItems[_Item],
        step: Callable[[_Item], None],
        *,
        report_progress: bool = False,
        stoppable: bool = True,
    ) -> bool:
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
        self.state.checkpoint(
            entries=self._dirty, escrows=self.escrows, meta=self.meta, logs=logs, in_flight=self.in_flight
        )
        self._dirty = {}
        self._last_checkpoint = time.monotonic()
        # File directories and the state rewrite whole files, so a checkpoint costs more as the
        # directory grows: at a fixed interval, an initial cycle would spend time growing with the
        # square of its size on them. Waiting in proportion to the last one's cost bounds their share.
        self._checkpoint_interval = max(
            self.options.checkpoint_seconds, (self._last_checkpoint - started) / CHECKPOINT_SHARE
        )
        return logs


def keys_by_object_type(keys: Iterable[str]) -> dict[str, list[EntryKey]]:
    """Keys by their object type prefix, in their order."""
    grouped: dict[str, list[EntryKey]] = {}
    for text in keys:
        # (An initial cycle's entries are keyed by the plan's keys already: 100,000 copies saved.)
        key = text if text.__class__ is EntryKey else EntryKey(text)
        kind = key.object_type
        keys_of_kind = grouped.get(kind)
        if keys_of_kind is None:
            grouped[kind] = [key]
        else:
            keys_of_kind.append(key)
    return grouped
