"""provisionOnDemand's request types (spec 1.21) and the provisioning log entry it answers with (spec 14)."""

from typing import Any

from .base import NEVER, GraphDateTime, GraphModel


class SynchronizationJobSubject(GraphModel):
    object_id: str = ""
    object_type_name: str = "User"
    links: "SynchronizationLinkedObjects | None" = None


class SynchronizationLinkedObjects(GraphModel):
    manager: SynchronizationJobSubject | None = None
    members: list[SynchronizationJobSubject] = []
    owners: list[SynchronizationJobSubject] = []


class SynchronizationJobApplicationParameters(GraphModel):
    rule_id: str | None = None
    subjects: list[SynchronizationJobSubject] = []


class ProvisionOnDemandRequest(GraphModel):
    parameters: list[SynchronizationJobApplicationParameters] = []


class ModifiedProperty(GraphModel):
    display_name: str | None = None
    old_value: str | None = None
    new_value: str | None = None


class ProvisioningStep(GraphModel):
    name: str = ""
    provisioning_step_type: str = ""  # import, scoping, matching, processing, referenceResolution, export
    status: str = ""  # success, warning, failure, skipped
    description: str | None = None
    details: dict[str, Any] = {}


class ProvisionedIdentity(GraphModel):
    id: str | None = None
    display_name: str | None = None
    identity_type: str | None = None
    details: dict[str, Any] = {}


class ProvisioningStatusInfo(GraphModel):
    status: str = "success"  # success, warning, failure, skipped
    error_code: str | None = None
    reason: str | None = None
    additional_details: str | None = None
    recommended_action: str | None = None


class ProvisioningObjectSummary(GraphModel):
    """One provisioning log entry: what happened to one object in one cycle."""

    id: str = ""
    activity_date_time: GraphDateTime = NEVER
    job_id: str | None = None
    cycle_id: str | None = None
    change_id: str | None = None
    provisioning_action: str = "other"  # create, update, delete, disable, stagedDelete, other
    duration_in_milliseconds: int = 0
    source_identity: ProvisionedIdentity | None = None
    target_identity: ProvisionedIdentity | None = None
    source_system: ProvisionedIdentity | None = None
    target_system: ProvisionedIdentity | None = None
    status_info: ProvisioningStatusInfo | None = None
    provisioning_steps: list[ProvisioningStep] = []
    modified_properties: list[ModifiedProperty] = []
