"""The Schema tab: rules → object mappings → attribute mappings, and directories → objects → attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Tree

from ...models import AttributeMapping, SynchronizationSchema
from ..format import enum_text


@dataclass(frozen=True)
class MappingRef:
    """Where a tree node points in the schema: rule / object mapping / attribute mapping indexes."""

    rule: int
    object_mapping: int | None = None
    attribute_mapping: int | None = None


def source_text(mapping: AttributeMapping) -> str:
    source = mapping.source
    if source is None:
        return "(none)"
    kind = enum_text(source.type)
    if kind == "Attribute":
        return f"[{source.name}]"
    if kind == "Constant":
        return f'"{source.name or ""}"'
    return source.expression or source.name or kind


class SchemaTree(Tree[Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("Schema", **kwargs)
        self.show_root = False

    def show_schema(self, schema: SynchronizationSchema | None) -> None:
        expanded = {str(node.label) for node in self._all_nodes() if node.is_expanded}
        self.clear()
        if schema is None:
            return
        rules = self.root.add(Text("Synchronization rules", style="bold"), expand=True)
        for r, rule in enumerate(schema.synchronization_rules):
            rule_node = rules.add(Text(f"{rule.name or rule.id} ({rule.source_directory_name} → "
                                       f"{rule.target_directory_name})"), data=MappingRef(r), expand=True)
            for o, om in enumerate(rule.object_mappings):
                label = Text(f"{om.source_object_name} → {om.target_object_name}")
                label.append(" enabled" if om.enabled else " DISABLED", style="green" if om.enabled else "bold red")
                label.append(f"  [{om.flow_types}]", style="dim")
                om_node = rule_node.add(label, data=MappingRef(r, o), expand=True)
                for a, am in enumerate(om.attribute_mappings):
                    text = Text(f"{am.target_attribute_name} ← ", style="bold")
                    text.append(source_text(am), style="cyan")
                    if am.matching_priority:
                        text.append(f"  match #{am.matching_priority}", style="yellow")
                    if enum_text(am.flow_type) != "Always":
                        text.append(f"  {enum_text(am.flow_type)}", style="magenta")
                    if am.default_value:
                        text.append(f"  default {am.default_value!r}", style="dim")
                    om_node.add_leaf(text, data=MappingRef(r, o, a))
        directories = self.root.add(Text("Directories", style="bold"), expand=False)
        for directory in schema.directories:
            dir_node = directories.add(Text(directory.name), expand=directory.name in expanded)
            for obj in directory.objects:
                obj_node = dir_node.add(Text(f"{obj.name} ({len(obj.attributes)} attributes)"), expand=False)
                for attribute in obj.attributes:
                    flags = [enum_text(attribute.type)]
                    if attribute.anchor:
                        flags.append("anchor")
                    if attribute.multivalued:
                        flags.append("multi")
                    if attribute.required:
                        flags.append("required")
                    obj_node.add_leaf(Text(f"{attribute.name}  ").append(", ".join(flags), style="dim"))

    def _all_nodes(self) -> list[Any]:
        nodes, stack = [], [self.root]
        while stack:
            node = stack.pop()
            nodes.append(node)
            stack.extend(node.children)
        return nodes
