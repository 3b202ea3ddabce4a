"""synchronization, synchronizationJob and what a job's status is made of (spec 1.1–1.9, 1.20)."""

from datetime import timedelta

from pydantic import Field

from .base import NEVER, GraphDateTime, GraphDuration, GraphModel, NullableGraphDateTime, flags_type
from .common import KeyValuePair, MetadataEntry, StringKeyLongValuePair
from .enums import (
    QuarantineReason,
    SynchronizationJobRestartScope,
    SynchronizationScheduleState,
    SynchronizationStatusCode,
    SynchronizationTaskExecutionResult,
)
from .schema import SynchronizationSchema


class SynchronizationError(GraphModel):
    code: str | None = None
    message: str | None = None
    tenant_actionable: bool = False


class SynchronizationTaskExecution(GraphModel):
    activity_identifier: str | None = None
    count_entitled: int = 0
    count_entitled_for_provisioning: int = 0
    count_escrowed: int = 0
    count_escrowed_raw: int = 0
    count_exported: int = 0
    count_exports: int = 0
    count_imported: int = 0
    count_imported_deltas: int = 0
    count_imported_reference_deltas: int = 0
    error: SynchronizationError | None = None
    state: SynchronizationTaskExecutionResult = SynchronizationTaskExecutionResult.Succeeded
    time_began: GraphDateTime = NEVER
    time_ended: GraphDateTime = NEVER


class SynchronizationQuarantine(GraphModel):
    current_began: NullableGraphDateTime = NEVER
    next_attempt: NullableGraphDateTime = NEVER
    reason: QuarantineReason = QuarantineReason.Unknown
    series_began: NullableGraphDateTime = NEVER
    series_count: int = 0
    error: SynchronizationError | None = None


class SynchronizationProgress(GraphModel):
    completed_units: int = 0
    total_units: int = 0
    progress_observation_date_time: GraphDateTime = NEVER
    units: str | None = None


class SynchronizationStatus(GraphModel):
    code: SynchronizationStatusCode = SynchronizationStatusCode.NotRun
    count_successive_complete_failures: int = 0
    escrows_pruned: bool = False
    last_execution: SynchronizationTaskExecution | None = None
    last_successful_execution: SynchronizationTaskExecution | None = None
    last_successful_execution_with_exports: SynchronizationTaskExecution | None = None
    progress: list[SynchronizationProgress] = []
    quarantine: SynchronizationQuarantine | None = None
    steady_state_first_achieved_time: GraphDateTime = NEVER
    steady_state_last_achieved_time: GraphDateTime = NEVER
    synchronized_entry_count_by_type: list[StringKeyLongValuePair] = []
    troubleshooting_url: str | None = None


class SynchronizationSchedule(GraphModel):
    expiration: NullableGraphDateTime = None
    interval: GraphDuration = timedelta(minutes=40)
    state: SynchronizationScheduleState = SynchronizationScheduleState.Disabled


class SynchronizationJob(GraphModel):
    id: str | None = None
    template_id: str | None = None
    schedule: SynchronizationSchedule | None = None
    status: SynchronizationStatus | None = None
    synchronization_job_settings: list[KeyValuePair] = []
    metadata: list[MetadataEntry] = []
    schema_: SynchronizationSchema | None = Field(default=None, alias="schema")

    def setting(self, name: str, default: str | None = None) -> str | None:
        """A job setting's value (names compared case-insensitively, as Graph does)."""
        for pair in self.synchronization_job_settings:
            if pair.name.lower() == name.lower():
                return pair.value
        return default

    # Graph's property may be null on the wire, but every job synctui keeps has a schedule and a
    # status: a template creates them with the job (templates.new_job) and nothing removes them.

    def required_schedule(self) -> SynchronizationSchedule:
        """The job's schedule; ValueError if it has none (a record no synctui wrote)."""
        if self.schedule is None:
            raise ValueError(f"job {self.id} has no schedule")
        return self.schedule

    def required_status(self) -> SynchronizationStatus:
        """The job's status; ValueError if it has none (a record no synctui wrote)."""
        if self.status is None:
            raise ValueError(f"job {self.id} has no status")
        return self.status


class SynchronizationJobRestartCriteria(GraphModel):
    reset_scope: flags_type(SynchronizationJobRestartScope) | None = None  # type: ignore[valid-type]


class SynchronizationSecretKeyStringValuePair(GraphModel):
    key: str = ""
    value: str | None = None


class Synchronization(GraphModel):
    id: str | None = None
    secrets: list[SynchronizationSecretKeyStringValuePair] = []
