"""What replacing a job's schema changes, in a few lines a person reads before confirming an import;
and a target directory's definition with what discovering the target found added."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import InvalidRequest
from .expressions import ExpressionError, to_text
from .models import AttributeMapping, DirectoryDefinition, Filter, ObjectMapping, SynchronizationSchema

NAMES_SHOWN = 5
"""Names listed per kind of change; the rest are counted."""


def describe_changes(current: SynchronizationSchema | None, new: SynchronizationSchema) -> list[str]:
    """One line per object mapping or directory that changes; none when nothing does."""
    lines = _mapping_changes(_object_mappings(current), _object_mappings(new))
    lines += _directory_changes(current.directories if current else [], new.directories)
    if _rule_settings(current) != _rule_settings(new):
        lines.append("rule settings changed (name, priority, metadata or filters)")
    if _unknown_properties(current) != _unknown_properties(new):
        lines.append("properties synctui does not use changed (kept, as Graph keeps them)")
    return lines


def add_discovered(schema: SynchronizationSchema, discovered: DirectoryDefinition) -> DirectoryDefinition:
    """The schema's target directory with the objects and attributes `discovered` declares added
    (none is removed) and its discovery facts (discoverabilities, date, version) taken over."""
    rule = schema.synchronization_rules[0]
    current = schema.directory(rule.target_directory_name)
    if current is None:
        raise InvalidRequest(f"the schema has no directory named {rule.target_directory_name!r}")
    for found in discovered.objects:
        mine = current.object(found.name)
        if mine is None:
            current.objects.append(found)
            continue
        mine.attributes += [a for a in found.attributes if mine.attribute(a.name) is None]
    current.discoverabilities = discovered.discoverabilities
    current.discovery_date_time = discovered.discovery_date_time
    current.version = discovered.version
    return current


def _object_mappings(schema: SynchronizationSchema | None) -> dict[str, ObjectMapping]:
    mappings: dict[str, ObjectMapping] = {}
    for rule in schema.synchronization_rules if schema else []:
        for mapping in rule.object_mappings:
            mappings.setdefault(f"{mapping.source_object_name} → {mapping.target_object_name}", mapping)
    return mappings


def _mapping_changes(before: dict[str, ObjectMapping], after: dict[str, ObjectMapping]) -> list[str]:
    lines = [f"object mapping removed: {label}" for label in before if label not in after]
    for label, mapping in after.items():
        old = before.get(label)
        if old is None:
            lines.append(f"object mapping added: {label} ({len(mapping.attribute_mappings)} attribute mappings)")
            continue
        parts = _keyed_changes("mappings", _attribute_mappings(old), _attribute_mappings(mapping))
        if _scope(old.scope) != _scope(mapping.scope):
            parts.append("scoping filter changed")
        if old.enabled != mapping.enabled:
            parts.append("enabled" if mapping.enabled else "disabled")
        if _dump(old, exclude={"attribute_mappings", "scope", "enabled"}) != _dump(
            mapping, exclude={"attribute_mappings", "scope", "enabled"}
        ):
            parts.append("other settings changed (name, flow types or metadata)")
        if parts:
            lines.append(f"{label}: " + "; ".join(parts))
    return lines


def _attribute_mappings(mapping: ObjectMapping) -> dict[str, Any]:
    return {m.target_attribute_name: _attribute_mapping(m) for m in mapping.attribute_mappings}


def _attribute_mapping(mapping: AttributeMapping) -> Any:
    # The source compares by its canonical text: a file may carry the tree without `expression`,
    # or another spelling of it, and that is no change.
    try:
        source = to_text(mapping.source) if mapping.source else None
    except ExpressionError:
        source = _dump(mapping.source)
    return source, _dump(mapping, exclude={"source"})


def _scope(scope: Filter | None) -> Any:
    return _dump(scope or Filter())


def _directory_changes(before: list[DirectoryDefinition], after: list[DirectoryDefinition]) -> list[str]:
    old = {d.name.lower(): d for d in before}
    new = {d.name.lower(): d for d in after}
    lines = [f"directory removed: {d.name}" for key, d in old.items() if key not in new]
    lines += [f"directory added: {d.name}" for key, d in new.items() if key not in old]
    for key, directory in new.items():
        if key not in old:
            continue
        objects_before = {o.name: o for o in old[key].objects}
        objects_after = {o.name: o for o in directory.objects}
        parts = _keyed_changes("objects", objects_before, objects_after, compare=False)
        for name, obj in objects_after.items():
            if name in objects_before:
                attributes = _keyed_changes(
                    "attributes",
                    {a.name: _dump(a) for a in objects_before[name].attributes},
                    {a.name: _dump(a) for a in obj.attributes},
                )
                parts += [f"{name} {part}" for part in attributes]
        if parts:
            lines.append(f"directory {directory.name}: " + "; ".join(parts))
    return lines


def _keyed_changes(what: str, before: dict[str, Any], after: dict[str, Any], compare: bool = True) -> list[str]:
    parts = []
    for change, names in (
        ("added", [n for n in after if n not in before]),
        ("removed", [n for n in before if n not in after]),
        ("changed", [n for n in after if compare and n in before and before[n] != after[n]]),
    ):
        if names:
            parts.append(f"{what} {change}: {_names(names)}")
    return parts


def _names(names: Iterable[str]) -> str:
    names = list(names)
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown if len(names) <= NAMES_SHOWN else f"{shown} and {len(names) - NAMES_SHOWN} more"


def _rule_settings(schema: SynchronizationSchema | None) -> list[Any]:
    return [_dump(rule, exclude={"id", "object_mappings"}) for rule in schema.synchronization_rules] if schema else []


def _unknown_properties(schema: SynchronizationSchema | None) -> dict[str, Any]:
    return (schema.model_extra or {}) if schema else {}


def _dump(model: Any, exclude: set[str] | None = None) -> Any:
    # Every property, set or defaulted: the stored schema is complete, an imported file may omit defaults.
    return model.model_dump(mode="json", exclude_unset=False, exclude=exclude)
