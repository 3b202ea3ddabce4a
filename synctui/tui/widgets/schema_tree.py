"""The Schema tab: rules → object mappings → attribute mappings and scoping filter (groups → clauses),
and directories → objects → attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Tree

from ...models import AttributeMapping, ObjectMapping, SynchronizationSchema
from ..format import enum_text
from ..scope_edit import clause_label, scope_groups


@dataclass(frozen=True)
class MappingRef:
    """Where a tree node points in the schema: rule / object mapping / attribute mapping indexes."""

    rule: int
    object_mapping: int | None = None
    attribute_mapping: int | None = None


@dataclass(frozen=True)
class ScopeRef:
    """A node of an object mapping's scoping filter: the filter itself, a group, or a clause."""

    rule: int
    object_mapping: int
    group: int | None = None
    clause: int | None = None


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

    def show_schema(self, schema: SynchronizationSchema | None, select: object | None = None) -> None:
        """Rebuild the tree. The cursor goes to the node of `select` (a MappingRef or ScopeRef) if
        given, else stays on the line it was on: an edit must not send the user back to the top."""
        expanded = {str(node.label) for node in self._all_nodes() if node.is_expanded}
        line = self.cursor_line
        self.clear()
        if schema is None:
            return
        self._add_nodes(schema, expanded)
        target = next((node for node in self._all_nodes() if select is not None and node.data == select), None)
        _ = self.last_line  # lays the new lines out, so that the nodes know their line
        if target is not None:
            self.move_cursor(target)
        elif line >= 0:
            self.cursor_line = line

    def _add_nodes(self, schema: SynchronizationSchema, expanded: set[str]) -> None:
        rules = self.root.add(Text("Synchronization rules", style="bold"), expand=True)
        for r, rule in enumerate(schema.synchronization_rules):
            rule_node = rules.add(
                Text(f"{rule.name or rule.id} ({rule.source_directory_name} → {rule.target_directory_name})"),
                data=MappingRef(r),
                expand=True,
            )
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
                self._add_scope(om_node, om, r, o)
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

    @staticmethod
    def _add_scope(parent: Any, mapping: ObjectMapping, rule: int, index: int) -> None:
        groups = scope_groups(mapping)
        label = Text("Scoping filter: ", style="bold")
        if groups:
            label.append(f"{len(groups)} group{'s' if len(groups) > 1 else ''}", style="bold")
            label.append("  in scope if all clauses of any group pass", style="dim")
        else:
            label.append("none — every object is in scope", style="dim")
        scope_node = parent.add(label, data=ScopeRef(rule, index), expand=True)
        for g, group in enumerate(groups):
            group_node = scope_node.add(
                Text(f"{group.name or f'Group {g + 1}'}", style="bold magenta").append("  all of:", style="dim"),
                data=ScopeRef(rule, index, g),
                expand=True,
            )
            for c, clause in enumerate(group.clauses):
                group_node.add_leaf(Text(clause_label(clause), style="cyan"), data=ScopeRef(rule, index, g, c))

    def _all_nodes(self) -> list[Any]:
        nodes, stack = [], [self.root]
        while stack:
            node = stack.pop()
            nodes.append(node)
            stack.extend(node.children)
        return nodes
