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

The parts of a cycle are in the modules cycle_state.py names.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ..connectors.base import (
    ConnectionFailure,
    DirectoryDataError,
    DirectoryError,
    Interrupted,
    SharedReads,
)
from ..models import (
    SynchronizationError,
    SynchronizationTaskExecution,
    SynchronizationTaskExecutionResult,
    format_datetime,
)
from ..models.connector_space import EntryKey, summaries
from .compiled import CompiledObjectMapping
from .cycle_state import Counters
from .gc_pause import gc_paused
from .object_flow import PendingDeprovision
from .on_demand import OnDemand
from .plan import CyclePlan
from .quiet import QuietCycles


@dataclass
class CycleResult:
    """What a cycle did: its execution as Graph reports it, and what the job's status and
    quarantine rules need besides."""

    execution: SynchronizationTaskExecution
    initial: bool
    paused: bool = False
    staged_deletes: int = 0
    delete_threshold: int = 0
    """The accidental-deletion threshold the staged deletes went past (0: the check is off)."""
    escrows_outstanding: int = 0
    reference_failures: int = 0
    events: int = 0
    """Provisioning events (exports attempted plus failures) in this cycle, for the escrow thresholds."""
    entry_counts: dict[str, int] = field(default_factory=dict)
    failure: DirectoryError | None = None

    @property
    def steady(self) -> bool:
        return (
            self.execution.state == SynchronizationTaskExecutionResult.Succeeded
            and self.execution.count_exports == 0
            and not self.paused
            and not self.staged_deletes
        )


class Cycle(OnDemand, CyclePlan, QuietCycles):
    """One synchronization cycle of a job (or one object of it: `provision_one`)."""

    @gc_paused()
    def run(self) -> CycleResult:
        # The entries as they are asked for: a quiet cycle (see quiet.py) needs none.
        self._load_state(few_entries=True)
        cursor = self.meta.get("cursor")
        if cursor:
            activity, initial = cursor["activityId"], cursor["initial"]
            self.counters = Counters(cursor.get("counters"))
        else:
            activity, initial = str(uuid.uuid4()), self._needs_initial_cycle()
            self.counters = Counters()
        # The run that finishes a cycle cut short (a pause, a failure, a crash) began now: timed from
        # the first attempt, it would take the hours of back-off in between as the cycle's duration.
        began = self.clock.now()
        self.activity = activity
        self.meta["cursor"] = {"activityId": activity, "initial": initial, "counters": self.counters.values}
        result = CycleResult(
            execution=SynchronizationTaskExecution(activity_identifier=activity, time_began=began), initial=initial
        )
        quiet_counts = None
        try:
            self.target.test_connection()
            quiet = self._quiet_since_last_cycle(initial, resumed=bool(cursor))
            if quiet is None:
                self._look_at_objects(result, initial)
            else:
                self.counters.values["imported"] = quiet["imported"]
                quiet_counts = quiet["entryCounts"]
                result.delete_threshold = self.options.delete_threshold
                self.on_progress(0, 0)  # as a cycle with no object to look at reports
        except Interrupted:
            result.paused = True  # the object whose call was given up is done again on resume
        except (ConnectionFailure, DirectoryDataError) as failure:
            result.failure = failure
        except DirectoryError as failure:  # a directory-wide error we did not classify: fail the run
            result.failure = ConnectionFailure(failure.code, failure.message)
        return self._finish(result, began, quiet_counts=quiet_counts)

    def _look_at_objects(self, result: CycleResult, initial: bool) -> None:
        self.entries = self.state.load().entries  # all of them, for a cycle of its own
        self._read_sources(initial)
        # The checkpoint clock starts with the work: reading is nothing a crash would lose,
        # and on 100,000 objects it takes the first checkpoint interval by itself.
        self._last_checkpoint = time.monotonic()
        pending_deprovisions: list[PendingDeprovision] = []

        def process(item: tuple[CompiledObjectMapping, EntryKey]) -> None:
            trace = self._trace()
            reason = self._process(*item, trace)
            if reason is not None:
                pending_deprovisions.append((*item, reason, trace))

        result.paused = self._each(self._plan(initial), process, report_progress=True)
        if not result.paused:
            result.staged_deletes = self._deprovision_all(pending_deprovisions)
            result.delete_threshold = self.options.delete_threshold
            result.paused = self._resolve_references()
        # What the cycle held of its source is not needed past here: let it go before the last
        # checkpoint (a large source's ids and their places, see connectors/document_pieces.py).
        self._sources.clear()

    def _needs_initial_cycle(self) -> bool:
        return self.meta.get("watermark") is None or self.meta.get("schemaVersion") != self.schema.version

    def _read_sources(self, initial: bool) -> None:
        # The cycle only reads its source's objects: it need not pay for copies where it can avoid them;
        # nor for reading again what it read before, where it can tell (see source_digests.py).
        if not self._read_digested_sources(initial):
            for mapping in self.schema.mappings:
                self._sources[mapping.source_type] = (
                    self.source.read_all_shared(mapping.source_type)
                    if isinstance(self.source, SharedReads)
                    else {str(obj["id"]): obj for obj in self.source.read_all(mapping.source_type)}
                )
        self.counters.values["imported"] = sum(len(objects) for objects in self._sources.values())
        self._read_assignments()

    def _finish(self, result: CycleResult, began: datetime, *, quiet_counts: dict[str, int] | None) -> CycleResult:
        """End the cycle: counts, state, the last checkpoint. `quiet_counts`: the linked objects by
        mapping as the last cycle noted them, for a quiet cycle (which loaded no entry)."""
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
                code=result.failure.code,
                message=result.failure.message,
                tenant_actionable=getattr(result.failure, "tenant_actionable", True),
            )
        elif values["escrowed_raw"]:
            execution.state = SynchronizationTaskExecutionResult.EntryLevelErrors
        else:
            execution.state = SynchronizationTaskExecutionResult.Succeeded
        entry_counts = quiet_counts if quiet_counts is not None else self.entry_counts()
        ran_to_its_end = not result.paused and result.failure is None
        if ran_to_its_end:
            self.meta.pop("cursor", None)
            self.meta["watermark"] = format_datetime(self.clock.now())
            self.meta["schemaVersion"] = self.schema.version
        # A quiet cycle wrote no entry: the last cycle's mark holds as it is, and is kept. Any
        # other cycle's checkpoint goes without it; the mark is noted again below if it settled.
        still_quiet = quiet_counts is not None and ran_to_its_end
        if not still_quiet:
            self.meta.pop("quiet", None)
        if result.failure is None:
            self._checkpoint()
            if ran_to_its_end and not still_quiet:
                self._note_quiet(staged_deletes=result.staged_deletes, entry_counts=entry_counts)
        else:
            self._save_after_failure()
        execution.time_ended = self.clock.now()
        result.escrows_outstanding = sum(1 for e in self.escrows.values() if not e.get("reference"))
        result.entry_counts = entry_counts
        return result

    def _save_after_failure(self) -> None:
        try:
            self._checkpoint()
        except DirectoryError:
            # The target is down: keep our own state consistent without claiming its exports.
            self.state.checkpoint(escrows=self.escrows, meta=self.meta, logs=self._rendered_logs())

    def entry_counts(self) -> dict[str, int]:
        """Linked objects by object mapping, keyed as Graph keys `synchronizedEntryCountByType`:
        "User to User" (source to target object type), whatever the mapping is called."""
        by_type = summaries(self.entries).linked_by_type()
        return {
            f"{mapping.source_type} to {mapping.target_type}": by_type[mapping.source_type]
            for mapping in self.schema.mappings
        }
