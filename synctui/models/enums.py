"""Graph's synchronization enums, with their exact members (spec section 2)."""

from __future__ import annotations

from enum import Flag

from .base import GraphEnum


class SynchronizationStatusCode(GraphEnum):
    NotConfigured = "NotConfigured"
    NotRun = "NotRun"
    Active = "Active"
    Paused = "Paused"
    Quarantine = "Quarantine"


class SynchronizationTaskExecutionResult(GraphEnum):
    Succeeded = "Succeeded"
    Failed = "Failed"
    EntryLevelErrors = "EntryLevelErrors"


class SynchronizationScheduleState(GraphEnum):
    Active = "Active"
    Disabled = "Disabled"
    Paused = "Paused"


class QuarantineReason(GraphEnum):
    EncounteredBaseEscrowThreshold = "EncounteredBaseEscrowThreshold"
    EncounteredTotalEscrowThreshold = "EncounteredTotalEscrowThreshold"
    EncounteredEscrowProportionThreshold = "EncounteredEscrowProportionThreshold"
    EncounteredQuarantineException = "EncounteredQuarantineException"
    Unknown = "Unknown"
    QuarantinedOnDemand = "QuarantinedOnDemand"
    TooManyDeletes = "TooManyDeletes"
    IngestionInterrupted = "IngestionInterrupted"


class SynchronizationJobRestartScope(Flag):
    None_ = 0
    ConnectorDataStore = 1
    Escrows = 2
    Watermark = 4
    QuarantineState = 8
    Full = 15
    ForceDeletes = 32


# Flag member names can't be the keyword None; give the zero member its wire name back.
SynchronizationJobRestartScope._member_map_["None"] = SynchronizationJobRestartScope.None_


class ObjectFlowTypes(Flag):
    None_ = 0
    Add = 1
    Update = 2
    Delete = 4


ObjectFlowTypes._member_map_["None"] = ObjectFlowTypes.None_


class DirectoryDefinitionDiscoverabilities(Flag):
    None_ = 0
    AttributeNames = 1
    AttributeDataTypes = 2
    AttributeReadOnly = 4
    ReferenceAttributes = 8
    UnknownFutureValue = 16


DirectoryDefinitionDiscoverabilities._member_map_["None"] = DirectoryDefinitionDiscoverabilities.None_


class AttributeFlowBehavior(GraphEnum):
    FlowWhenChanged = "FlowWhenChanged"
    FlowAlways = "FlowAlways"


class AttributeFlowType(GraphEnum):
    Always = "Always"
    ObjectAddOnly = "ObjectAddOnly"
    MultiValueAddOnly = "MultiValueAddOnly"
    ValueAddOnly = "ValueAddOnly"
    AttributeAddOnly = "AttributeAddOnly"


class AttributeMappingSourceType(GraphEnum):
    Attribute = "Attribute"
    Constant = "Constant"
    Function = "Function"


class AttributeType(GraphEnum):
    String = "String"
    Integer = "Integer"
    Reference = "Reference"
    Binary = "Binary"
    Boolean = "Boolean"
    DateTime = "DateTime"


class Mutability(GraphEnum):
    ReadWrite = "ReadWrite"
    ReadOnly = "ReadOnly"
    Immutable = "Immutable"
    WriteOnly = "WriteOnly"


class ScopeOperatorType(GraphEnum):
    Binary = "Binary"
    Unary = "Unary"


class ScopeOperatorMultiValuedComparisonType(GraphEnum):
    All = "All"
    Any = "Any"


class ObjectDefinitionMetadata(GraphEnum):
    PropertyNameAccountEnabled = "PropertyNameAccountEnabled"
    PropertyNameSoftDeleted = "PropertyNameSoftDeleted"
    IsSoftDeletionSupported = "IsSoftDeletionSupported"
    IsSynchronizeAllSupported = "IsSynchronizeAllSupported"
    ConnectorDataStorageRequired = "ConnectorDataStorageRequired"
    Extensions = "Extensions"
    BaseObjectName = "BaseObjectName"


class ObjectMappingMetadata(GraphEnum):
    EscrowBehavior = "EscrowBehavior"
    DisableMonitoringForChanges = "DisableMonitoringForChanges"
    OriginalJoiningProperty = "OriginalJoiningProperty"
    Disposition = "Disposition"
    IsCustomerDefined = "IsCustomerDefined"
    ExcludeFromReporting = "ExcludeFromReporting"
    Unsynchronized = "Unsynchronized"


class AttributeDefinitionMetadata(GraphEnum):
    BaseAttributeName = "BaseAttributeName"
    ComplexObjectDefinition = "ComplexObjectDefinition"
    IsContainer = "IsContainer"
    IsCustomerDefined = "IsCustomerDefined"
    IsDomainQualified = "IsDomainQualified"
    LinkPropertyNames = "LinkPropertyNames"
    LinkTypeName = "LinkTypeName"
    MaximumLength = "MaximumLength"
    ReferencedProperty = "ReferencedProperty"


class SynchronizationMetadata(GraphEnum):
    GalleryApplicationIdentifier = "GalleryApplicationIdentifier"
    GalleryApplicationKey = "GalleryApplicationKey"
    IsOAuthEnabled = "IsOAuthEnabled"
    IsSynchronizationAgentAssignmentRequired = "IsSynchronizationAgentAssignmentRequired"
    IsSynchronizationAgentRequired = "IsSynchronizationAgentRequired"
    IsSynchronizationInPreview = "IsSynchronizationInPreview"
    OAuthSettings = "OAuthSettings"
    SynchronizationLearnMoreIbizaFwLink = "SynchronizationLearnMoreIbizaFwLink"
    ConfigurationFields = "ConfigurationFields"


class SynchronizationDisposition(GraphEnum):
    Normal = "Normal"
    Discard = "Discard"
    Escrow = "Escrow"


_SECRETS = (
    "None UserName Password SecretToken AppKey BaseAddress ClientIdentifier ClientSecret SingleSignOnType "
    "Sandbox Url Domain ConsumerKey ConsumerSecret TokenKey TokenExpiration Oauth2AccessToken "
    "Oauth2AccessTokenCreationTime Oauth2RefreshToken SyncAll InstanceName Oauth2ClientId Oauth2ClientSecret "
    "CompanyId UpdateKeyOnSoftDelete SynchronizationSchedule SystemOfRecord SandboxName EnforceDomain "
    "SyncNotificationSettings SkipOutOfScopeDeletions Oauth2AuthorizationCode Oauth2RedirectUri "
    "ApplicationTemplateIdentifier Oauth2TokenExchangeUri Oauth2AuthorizationUri AuthenticationType Server "
    "PerformInboundEntitlementGrants HardDeletesEnabled SyncAgentCompatibilityKey SyncAgentADContainer "
    "ValidateDomain TestReferences ConnectionString"
).split()

# mypy takes a call of a str enum's functional API for a call of str().
SynchronizationSecret = GraphEnum("SynchronizationSecret", {name: name for name in _SECRETS})  # type: ignore[call-overload]
"""The 45 secret keys Graph knows."""
