"""A schema compiled once per version: expressions parsed and compiled, lookups resolved.

A cycle never touches expression text or walks the schema per object; it works with these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..connectors.assignments import ASSIGNMENTS_KEY
from ..expressions import (
    CompiledExpression,
    CompiledScope,
    compile_scope,
    compile_source,
)
from ..expressions.values import attribute_reader
from ..models import (
    AttributeDefinition,
    AttributeFlowBehavior,
    AttributeFlowType,
    AttributeMapping,
    AttributeMappingSourceType,
    AttributeType,
    ObjectDefinition,
    ObjectFlowTypes,
    SynchronizationSchema,
    parse_flags,
)
from .values import keeps_text, target_converter, to_target_value

SOFT_DELETED = "IsSoftDeleted"

_ASSIGNMENTS_NAME = ASSIGNMENTS_KEY.lower()


class AttributeReader:
    """Which keys of an object some expressions read: the names they use, ignoring case as
    expressions do, in the object's order (the order in which an expression looks for a name
    that differs in case). Decided once per shape of object, its keys in order: the objects of
    one directory have few."""

    SHAPES_KEPT = 1024
    """Enough for any real directory; one whose objects all differ is not cached without bound."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = frozenset(name.lower() for name in names)
        self._by_shape: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._absent_by_shape: dict[tuple[str, ...], frozenset[str]] = {}

    def keys(self, obj: Mapping[str, Any]) -> tuple[str, ...]:
        shape = tuple(obj)
        keys = self._by_shape.get(shape)
        if keys is None:
            keys = tuple(key for key in shape if key.lower() in self.names)
            if len(self._by_shape) < self.SHAPES_KEPT:
                self._by_shape[shape] = keys
        return keys

    def absent(self, obj: Mapping[str, Any]) -> frozenset[str]:
        """The names (lower-cased) that no key of `obj` is, ignoring case: an expression that
        reads one reads null, without looking through the keys for it."""
        shape = tuple(obj)
        absent = self._absent_by_shape.get(shape)
        if absent is None:
            absent = self.names.difference(key.lower() for key in shape)
            if len(self._absent_by_shape) < self.SHAPES_KEPT:
                self._absent_by_shape[shape] = absent
        return absent


@dataclass(frozen=True, eq=False)
class AttributeFlow:
    """One attribute mapping, ready to evaluate. Compared and hashed by identity."""

    target: str
    expression: CompiledExpression | None
    default_value: str | None
    flow_type: AttributeFlowType
    always: bool
    """FlowAlways: exported even when the target already has the value."""
    matching_priority: int
    definition: AttributeDefinition | None
    """The target attribute's definition (type, multivalued, caseExact), when the schema has it."""
    referenced_type: str | None
    """For reference attributes: the source object type the values point to (`User`)."""

    @property
    def is_reference(self) -> bool:
        return self.referenced_type is not None

    @cached_property
    def multivalued(self) -> bool:
        return bool(self.definition and self.definition.multivalued)

    @cached_property
    def case_exact(self) -> bool:
        return bool(self.definition and self.definition.case_exact)

    @cached_property
    def convert(self) -> Callable[[str | list[str]], Any]:
        """An expression's non-null result → the target attribute's value (see `to_target_value`)."""
        return target_converter(self.definition)

    @cached_property
    def text_source(self) -> str | None:
        """The source attribute whose string value is this flow's value as it is, when the
        expression is that attribute alone and the target attribute takes text (most mappings):
        a cycle reads it without evaluating the expression. None: evaluate it."""
        if self.expression is None or not keeps_text(self.definition):
            return None
        return self.expression.attribute

    @cached_property
    def target_default(self) -> Any:
        """The default value, for a create whose expression gives null (raises ValueError if the
        target attribute cannot hold it: each object that needs it is escrowed with the reason)."""
        return to_target_value(self.default_value, self.definition)

    @cached_property
    def selects_unique(self) -> bool:
        """A SelectUniqueValue mapping: its candidates are checked against the target."""
        source = self.expression.source if self.expression is not None else None
        return (
            source is not None
            and source.type is AttributeMappingSourceType.Function
            and ((source.name or "").lower() == "selectuniquevalue")
        )

    @property
    def deprovisions(self) -> bool:
        """Driven by IsSoftDeleted: the attribute that disables the object in the target."""
        return self.expression is not None and SOFT_DELETED in self.expression.attributes


@dataclass
class CompiledObjectMapping:
    """One object mapping. Its derived facts are cached: a cycle asks for them per object."""

    name: str
    rule_id: str
    source_type: str
    target_type: str
    flow_types: ObjectFlowTypes
    flows: list[AttributeFlow]
    scope: CompiledScope
    source_definition: ObjectDefinition | None
    target_definition: ObjectDefinition | None
    attributes: tuple[str, ...] = field(default=())
    """Source attributes that matter to this mapping (for change detection), sorted by name; the
    anchor is read as `id`, whatever its name (see `anchor_alias`)."""
    reads: AttributeReader = field(default_factory=AttributeReader)
    """What its expressions and scoping filter read of an object."""
    reference_reads: AttributeReader = field(default_factory=AttributeReader)
    """What the expressions of its reference flows read of an object."""

    @cached_property
    def matching_flows(self) -> list[AttributeFlow]:
        return sorted((f for f in self.flows if f.matching_priority > 0), key=lambda f: f.matching_priority)

    @cached_property
    def value_flows(self) -> list[AttributeFlow]:
        return [f for f in self.flows if not f.is_reference]

    @cached_property
    def update_flows(self) -> list[AttributeFlow]:
        """The value flows of an object already in the target (ObjectAddOnly ones flow at its create only)."""
        return [f for f in self.value_flows if f.flow_type != AttributeFlowType.ObjectAddOnly]

    @cached_property
    def text_flows(self) -> list[tuple[AttributeFlow, str, str]]:
        """The value flows whose value is a source attribute's string as it is, with its name
        and that name lower-cased (see `AttributeFlow.text_source`)."""
        return [(f, f.text_source, f.text_source.lower()) for f in self.value_flows if f.text_source is not None]

    @cached_property
    def creates_as_updates(self) -> bool:
        """A create sends what an update would: no flow at create only, no default value."""
        return self.update_flows == self.value_flows and all(f.default_value is None for f in self.value_flows)

    @cached_property
    def required_flows(self) -> list[AttributeFlow]:
        """The value flows to a required target attribute: a create must give each a value."""
        return [f for f in self.value_flows if f.definition is not None and f.definition.required]

    @cached_property
    def reference_flows(self) -> list[AttributeFlow]:
        return [f for f in self.flows if f.is_reference]

    @cached_property
    def redacted_targets(self) -> frozenset[str]:
        """Target attributes whose values logs must not show: the first mapping of each uses Redact()."""
        first: dict[str, AttributeFlow] = {}
        for flow in self.flows:
            first.setdefault(flow.target, flow)
        return frozenset(
            target for target, flow in first.items() if flow.expression is not None and flow.expression.redacted
        )

    @cached_property
    def redacted_sources(self) -> frozenset[str]:
        """Source attributes (lower-cased) that feed a mapping using Redact(): logs do not show their values."""
        return frozenset(
            name.lower()
            for flow in self.flows
            if flow.expression is not None and flow.expression.redacted
            for name in flow.expression.attributes
        )

    @cached_property
    def anchor_alias(self) -> str | None:
        """The source anchor's own name (`objectId`) when it is not `id`. The objects a cycle reads
        hold the anchor under `id` only (see `SharedReads`), so expressions that name it are given
        `id`'s value under that name."""
        anchor = self.source_definition.anchor if self.source_definition is not None else None
        return anchor.name if anchor is not None and anchor.name != "id" else None

    @cached_property
    def account_enabled_attribute(self) -> str | None:
        """The source attribute saying the object is active (`accountEnabled`), if the source has one."""
        if self.source_definition is None:
            return None
        name = self.source_definition.meta("PropertyNameAccountEnabled")
        if name and self.source_definition.attribute(name):
            return name
        return None

    @cached_property
    def read_account_enabled(self) -> Callable[[Mapping[str, Any]], Any] | None:
        """Reads `account_enabled_attribute` as the expressions read it (`AccountEnabled` too)."""
        name = self.account_enabled_attribute
        return attribute_reader(name) if name is not None else None

    @cached_property
    def supports_soft_delete(self) -> bool:
        if self.target_definition is None:
            return True
        return (self.target_definition.meta("IsSoftDeletionSupported") or "true").lower() == "true"

    def allows(self, flow: ObjectFlowTypes) -> bool:
        return flow in self.flow_types

    @property
    def key_prefix(self) -> str:
        return self.source_type


@dataclass
class CompiledSchema:
    """A job's schema made ready for the engine: its object mappings compiled, in the schema's order."""

    version: str | None
    mappings: list[CompiledObjectMapping]
    source_directory: str
    target_directory: str
    _of_type: dict[str, CompiledObjectMapping | None] = field(default_factory=dict, repr=False)

    def mapping_for(self, source_type: str) -> CompiledObjectMapping | None:
        return next((m for m in self.mappings if m.source_type.lower() == source_type.lower()), None)

    def mapping_of_type(self, object_type: str | None) -> CompiledObjectMapping | None:
        """The mapping of a referenced object type, named by its source or its target type
        (asked for each reference a cycle resolves: answered once per type)."""
        if object_type is None:
            return None
        if object_type not in self._of_type:
            wanted = object_type.lower()
            self._of_type[object_type] = next(
                (m for m in self.mappings if wanted in (m.source_type.lower(), m.target_type.lower())), None
            )
        return self._of_type[object_type]


def compile_schema(schema: SynchronizationSchema) -> CompiledSchema:
    """Compile every enabled object mapping, rules in priority order, users before groups."""
    mappings: list[CompiledObjectMapping] = []
    source_name = target_name = ""
    for rule in sorted(schema.synchronization_rules, key=lambda r: r.priority):
        source_dir = schema.directory(rule.source_directory_name)
        target_dir = schema.directory(rule.target_directory_name)
        source_name, target_name = rule.source_directory_name, rule.target_directory_name
        for mapping in rule.object_mappings:
            if not mapping.enabled:
                continue
            source_def = source_dir.object(mapping.source_object_name) if source_dir else None
            target_def = target_dir.object(mapping.target_object_name) if target_dir else None
            flows = [_compile_flow(am, source_def, target_def) for am in mapping.attribute_mappings]
            scope = compile_scope(mapping.scope)
            compiled = CompiledObjectMapping(
                name=mapping.name or f"{mapping.source_object_name} to {mapping.target_object_name}",
                rule_id=rule.id or "",
                source_type=mapping.source_object_name,
                target_type=mapping.target_object_name,
                flow_types=parse_flags(mapping.flow_types, ObjectFlowTypes),
                flows=flows,
                scope=scope,
                source_definition=source_def,
                target_definition=target_def,
            )
            used = set(scope.attributes)
            for flow in flows:
                if flow.expression is not None:
                    used |= flow.expression.attributes
            compiled.reads = AttributeReader(used)
            compiled.reference_reads = AttributeReader(
                name
                for flow in compiled.reference_flows
                if flow.expression is not None
                for name in flow.expression.attributes
            )
            if compiled.account_enabled_attribute:
                used.add(compiled.account_enabled_attribute)
            used.discard(SOFT_DELETED)
            # The assignments under the one name `CycleState._fingerprint` hashes the roles under,
            # whatever the expressions spell it (they read names ignoring case).
            compiled.attributes = tuple(
                dict.fromkeys(
                    "id"
                    if name == compiled.anchor_alias
                    else ASSIGNMENTS_KEY
                    if name.lower() == _ASSIGNMENTS_NAME
                    else name
                    for name in sorted(used)
                )
            )
            mappings.append(compiled)
    # References point at objects that must exist first: groups (which reference users) go last.
    mappings.sort(key=lambda m: any(f.is_reference and f.referenced_type != m.source_type for f in m.flows))
    return CompiledSchema(schema.version, mappings, source_name, target_name)


def _compile_flow(
    mapping: AttributeMapping, source_def: ObjectDefinition | None, target_def: ObjectDefinition | None
) -> AttributeFlow:
    target_attr = target_def.attribute(mapping.target_attribute_name) if target_def else None
    expression = compile_source(mapping.source) if mapping.source is not None else None
    return AttributeFlow(
        target=target_attr.name if target_attr else mapping.target_attribute_name,
        expression=expression,
        default_value=mapping.default_value,
        flow_type=mapping.flow_type,
        always=mapping.flow_behavior == AttributeFlowBehavior.FlowAlways,
        matching_priority=mapping.matching_priority,
        definition=target_attr,
        referenced_type=_referenced_type(target_attr, expression, source_def),
    )


def _referenced_type(
    target_attr: AttributeDefinition | None, expression: CompiledExpression | None, source_def: ObjectDefinition | None
) -> str | None:
    if target_attr is not None and target_attr.type == AttributeType.Reference:
        for referenced in target_attr.referenced_objects:
            if referenced.referenced_object_name:
                return referenced.referenced_object_name
    # A target without a schema entry: a mapping straight from a source reference attribute is one too.
    if expression is not None and source_def is not None and len(expression.attributes) == 1:
        (name,) = expression.attributes
        source_attr = source_def.attribute(name)
        if (
            source_attr is not None
            and source_attr.type == AttributeType.Reference
            and (target_attr is None or target_attr.type == AttributeType.Reference)
        ):
            source_referenced = source_attr.referenced_objects
            return source_referenced[0].referenced_object_name if source_referenced else source_def.name
    return None
