"""The Schema tab: the tree plus editing (attribute mappings, enable/disable, remove), saved as one put_schema."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Tree

from ...models import AttributeMapping, SynchronizationSchema
from ...service import SyncService
from .schema_tree import MappingRef, SchemaTree


class SchemaEditor(Vertical):
    """Edits a working copy; nothing reaches the service until Save (one put_schema)."""

    BINDINGS = [
        Binding("E", "edit", "Edit mapping", show=False, id="schema.edit", tooltip="Edit the selected attribute mapping"),
        Binding("plus,insert", "add", "Add mapping", show=False, id="schema.add", tooltip="Add an attribute mapping"),
        Binding("delete,x", "remove", "Remove mapping", show=False, id="schema.remove", tooltip="Remove the selected attribute mapping"),
        Binding("t", "toggle", "Enable/disable", show=False, id="schema.toggle", tooltip="Enable or disable the object mapping"),
        Binding("ctrl+s", "save", "Save schema", show=False, id="schema.save", tooltip="Save the schema (one put_schema)"),
    ]

    def __init__(self, service: SyncService, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.job_id: str | None = None
        self.saved: SynchronizationSchema | None = None
        self.working: SynchronizationSchema | None = None
        self.dirty = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="buttons", id="schema-buttons"):
            yield Button("Edit", id="schema-edit")
            yield Button("Add", id="schema-add")
            yield Button("Remove", id="schema-remove")
            yield Button("Enable/Disable", id="schema-toggle")
            yield Button("Save", id="schema-save", variant="primary", disabled=True)
            yield Button("Revert", id="schema-revert", disabled=True)
        yield Label("", id="schema-state")
        yield SchemaTree(id="schema-tree")

    def show_schema(self, job_id: str, schema: SynchronizationSchema | None) -> None:
        if self.dirty and job_id == self.job_id:
            return  # keep the user's unsaved edits
        if job_id == self.job_id and self.saved is not None and schema is not None and \
                schema.version == self.saved.version and not self.dirty:
            return
        self.job_id = job_id
        self.saved = schema
        self.working = schema.model_copy(deep=True) if schema is not None else None
        self._mark_dirty(False)
        self.query_one(SchemaTree).show_schema(self.working)

    def _mark_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.query_one("#schema-save", Button).disabled = not dirty
        self.query_one("#schema-revert", Button).disabled = not dirty
        version = self.saved.version if self.saved else "?"
        self.query_one("#schema-state", Label).update(
            f"version {version}" + (" — [b]unsaved changes[/b] (ctrl+s saves)" if dirty else ""))

    def _ref(self) -> MappingRef | None:
        node = self.query_one(SchemaTree).cursor_node
        return node.data if node is not None and isinstance(node.data, MappingRef) else None

    def _object_mapping(self, ref: MappingRef) -> Any:
        assert self.working is not None and ref.object_mapping is not None
        return self.working.synchronization_rules[ref.rule].object_mappings[ref.object_mapping]

    def _changed(self) -> None:
        self._mark_dirty(True)
        self.query_one(SchemaTree).show_schema(self.working)

    # --- actions ------------------------------------------------------------------------------

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        action = (event.button.id or "").removeprefix("schema-")
        getattr(self, f"action_{action}")()

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Any]) -> None:
        if isinstance(event.node.data, MappingRef) and event.node.data.attribute_mapping is not None:
            event.stop()
            self.action_edit()

    def action_edit(self) -> None:
        ref = self._ref()
        if ref is None or ref.attribute_mapping is None:
            self.notify("Select an attribute mapping to edit", severity="warning")
            return
        self._open_dialog(ref, self._object_mapping(ref).attribute_mappings[ref.attribute_mapping])

    def action_add(self) -> None:
        ref = self._ref()
        if ref is None or ref.object_mapping is None:
            self.notify("Select an object mapping (or one of its attributes) to add to", severity="warning")
            return
        self._open_dialog(MappingRef(ref.rule, ref.object_mapping, None), None)

    def _open_dialog(self, ref: MappingRef, mapping: AttributeMapping | None) -> None:
        from ..dialogs.mapping import MappingDialog

        assert self.working is not None
        om = self._object_mapping(ref)
        rule = self.working.synchronization_rules[ref.rule]
        target_dir = self.working.directory(rule.target_directory_name)
        source_dir = self.working.directory(rule.source_directory_name)
        target_obj = target_dir.object(om.target_object_name) if target_dir else None
        source_obj = source_dir.object(om.source_object_name) if source_dir else None
        targets = [a.name for a in target_obj.attributes] if target_obj else []
        sources = [a.name for a in source_obj.attributes] if source_obj else []

        def done(result: AttributeMapping | None) -> None:
            if result is None:
                return
            mappings = self._object_mapping(ref).attribute_mappings
            if ref.attribute_mapping is None:
                mappings.append(result)
            else:
                mappings[ref.attribute_mapping] = result
            self._changed()
        self.app.push_screen(MappingDialog(self.service, mapping, sources, targets), done)

    def action_remove(self) -> None:
        ref = self._ref()
        if ref is None or ref.attribute_mapping is None:
            self.notify("Select an attribute mapping to remove", severity="warning")
            return
        del self._object_mapping(ref).attribute_mappings[ref.attribute_mapping]
        self._changed()

    def action_toggle(self) -> None:
        ref = self._ref()
        if ref is None or ref.object_mapping is None:
            self.notify("Select an object mapping to enable or disable", severity="warning")
            return
        om = self._object_mapping(ref)
        om.enabled = not om.enabled
        self._changed()

    def discard(self) -> None:
        """Forget the unsaved edits (the next show_schema loads the saved schema)."""
        self.dirty = False
        self.job_id = None

    def action_revert(self) -> None:
        self.dirty = False
        job_id, self.job_id = self.job_id, None
        if job_id is not None:
            self.show_schema(job_id, self.saved)

    def action_save(self) -> None:
        if not self.dirty or self.working is None or self.job_id is None:
            return
        job_id, schema = self.job_id, self.working.model_copy(deep=True)

        def saved(result: SynchronizationSchema) -> None:
            self.dirty = False
            self.job_id = None
            self.show_schema(job_id, result)
            self.notify(f"Schema saved (version {result.version}); the next cycle is an initial cycle")
        self.app.call_service("Save schema", self.service.put_schema, job_id, schema, then=saved)
