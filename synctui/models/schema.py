"""synchronizationSchema and everything inside it (spec 1.10–1.18)."""

from pydantic import Field

from .base import GraphModel, NullableGraphDateTime, flags_type
from .common import StringKeyStringValuePair
from .enums import (
    AttributeFlowBehavior,
    AttributeFlowType,
    AttributeMappingSourceType,
    AttributeType,
    DirectoryDefinitionDiscoverabilities,
    Mutability,
    ObjectFlowTypes,
)


class ReferencedObject(GraphModel):
    referenced_object_name: str | None = None
    referenced_property: str | None = None


class AttributeDefinitionMetadataEntry(GraphModel):
    key: str | None = None
    value: str | None = None


class AttributeDefinition(GraphModel):
    name: str = ""
    type: AttributeType = AttributeType.String
    anchor: bool = False
    case_exact: bool = False
    default_value: str | None = None
    flow_null_values: bool = False
    multivalued: bool = False
    mutability: Mutability = Mutability.ReadWrite
    required: bool = False
    referenced_objects: list[ReferencedObject] = []
    metadata: list[AttributeDefinitionMetadataEntry] = []
    api_expressions: list[StringKeyStringValuePair] = []


class ObjectDefinitionMetadataEntry(GraphModel):
    key: str | None = None
    value: str | None = None


class ObjectDefinition(GraphModel):
    name: str = ""
    attributes: list[AttributeDefinition] = []
    metadata: list[ObjectDefinitionMetadataEntry] = []
    supported_apis: list[str] = []

    def attribute(self, name: str) -> AttributeDefinition | None:
        for attribute in self.attributes:
            if attribute.name.lower() == name.lower():
                return attribute
        return None

    def meta(self, key: str) -> str | None:
        for entry in self.metadata:
            if entry.key == key:
                return entry.value
        return None

    @property
    def anchor(self) -> AttributeDefinition | None:
        return next((a for a in self.attributes if a.anchor), None)


class DirectoryDefinition(GraphModel):
    id: str | None = None
    name: str = ""
    objects: list[ObjectDefinition] = []
    read_only: bool = False
    version: str | None = None
    discovery_date_time: NullableGraphDateTime = None
    discoverabilities: flags_type(DirectoryDefinitionDiscoverabilities) = "None"  # type: ignore[valid-type]

    def object(self, name: str) -> ObjectDefinition | None:
        for obj in self.objects:
            if obj.name.lower() == name.lower():
                return obj
        return None


class StringKeyAttributeMappingSourceValuePair(GraphModel):
    key: str = ""
    value: "AttributeMappingSource" = Field(default_factory=lambda: AttributeMappingSource())


class AttributeMappingSource(GraphModel):
    type: AttributeMappingSourceType = AttributeMappingSourceType.Attribute
    name: str | None = None
    expression: str | None = None
    parameters: list[StringKeyAttributeMappingSourceValuePair] = []


class AttributeMapping(GraphModel):
    target_attribute_name: str = ""
    source: AttributeMappingSource | None = None
    default_value: str | None = None
    export_missing_references: bool = False
    flow_behavior: AttributeFlowBehavior = AttributeFlowBehavior.FlowWhenChanged
    flow_type: AttributeFlowType = AttributeFlowType.Always
    matching_priority: int = 0


class FilterOperand(GraphModel):
    values: list[str] = []


class FilterClause(GraphModel):
    source_operand_name: str = ""
    operator_name: str = ""
    target_operand: FilterOperand | None = None


class FilterGroup(GraphModel):
    name: str | None = None
    clauses: list[FilterClause] = []


class Filter(GraphModel):
    groups: list[FilterGroup] = []
    input_filter_groups: list[FilterGroup] = []
    category_filter_groups: list[FilterGroup] = []


class ObjectMappingMetadataEntry(GraphModel):
    key: str | None = None
    value: str | None = None


class ObjectMapping(GraphModel):
    name: str | None = None
    enabled: bool = True
    flow_types: flags_type(ObjectFlowTypes) = "Add, Update, Delete"  # type: ignore[valid-type]
    source_object_name: str = ""
    target_object_name: str = ""
    attribute_mappings: list[AttributeMapping] = []
    scope: Filter | None = None
    metadata: list[ObjectMappingMetadataEntry] = []


class ContainerFilter(GraphModel):
    included_containers: list[str] = []


class GroupFilter(GraphModel):
    included_groups: list[str] = []


class SynchronizationRule(GraphModel):
    id: str | None = None
    name: str | None = None
    editable: bool = True
    priority: int = 0
    source_directory_name: str = ""
    target_directory_name: str = ""
    object_mappings: list[ObjectMapping] = []
    metadata: list[StringKeyStringValuePair] = []
    container_filter: ContainerFilter | None = None
    group_filter: GroupFilter | None = None


class SynchronizationSchema(GraphModel):
    id: str | None = None
    version: str | None = None
    synchronization_rules: list[SynchronizationRule] = []
    directories: list[DirectoryDefinition] = Field(default_factory=list)

    def directory(self, name: str) -> DirectoryDefinition | None:
        for directory in self.directories:
            if directory.name.lower() == name.lower():
                return directory
        return None
