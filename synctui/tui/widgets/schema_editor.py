"""The Schema tab: the tree plus editing — attribute mappings, scoping filters (groups and clauses),
enable/disable — on a working copy saved as one put_schema."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Tree

from ...models import (
    AttributeMapping,
    FilterClause,
    FilterOperatorSchema,
    ObjectMapping,
    SynchronizationSchema,
)
from ...service import SyncService
from .. import scope_edit
from ..actions import pane_bindings
from ..detail_tab import DetailTab, TabView
from .schema_tree import MappingRef, SchemaTree, ScopeRef

Ref = MappingRef | ScopeRef


def hint(ref: Ref | None) -> str:
    """What Edit / Add / Remove do where the cursor is."""
    if isinstance(ref, ScopeRef):
        if ref.group is not None and ref.clause is not None:
            return f"enter edits the clause · + adds a clause to group {ref.group + 1} · x removes the clause"
        if ref.group is not None:
            return f"+ adds a clause to group {ref.group + 1} · x removes the group · f adds a group"
        return "+ or f adds a filter group"
    if isinstance(ref, MappingRef) and ref.attribute_mapping is not None:
        return "enter edits the mapping · x removes it · f adds a filter group"
    if isinstance(ref, MappingRef) and ref.object_mapping is not None:
        return "+ adds an attribute mapping · f adds a filter group · t enables/disables"
    return ""


class SchemaEditor(Vertical):
    """Edits a working copy; nothing reaches the service until Save: the editor posts SaveRequested,
    the screen's worker saves (one put_schema) and posts Saved back."""

    class SaveRequested(Message):
        def __init__(self, job_id: str, schema: SynchronizationSchema) -> None:
            super().__init__()
            self.job_id, self.schema = job_id, schema

    class Saved(Message):
        def __init__(self, job_id: str, schema: SynchronizationSchema) -> None:
            super().__init__()
            self.job_id, self.schema = job_id, schema

    class DefaultsRequested(Message):
        """The user confirmed Restore default mappings: the screen's worker reads the template's schema
        and answers with DefaultsLoaded."""

        def __init__(self, job_id: str) -> None:
            super().__init__()
            self.job_id = job_id

    class DefaultsLoaded(Message):
        def __init__(self, job_id: str, template_schema: SynchronizationSchema) -> None:
            super().__init__()
            self.job_id, self.template_schema = job_id, template_schema

    BINDING_GROUP_TITLE = "Schema"
    BINDINGS: ClassVar[list[BindingType]] = pane_bindings(
        "tab-schema",
        Binding("E", "edit", "Edit", id="schema.edit", tooltip="Edit the selected attribute mapping or scoping clause"),
        Binding(
            "plus,insert",
            "add",
            "Add",
            id="schema.add",
            tooltip="Add an attribute mapping, a filter group or a clause, by where the cursor is",
        ),
        Binding(
            "x,delete",
            "remove",
            "Remove",
            id="schema.remove",
            tooltip="Remove the selected attribute mapping, filter group or clause",
        ),
        Binding(
            "t",
            "toggle_enabled",
            "Enable/disable",
            show=False,
            id="schema.toggle",
            tooltip="Enable or disable the object mapping",
        ),
        Binding("ctrl+s", "save", "Save schema", id="schema.save", tooltip="Save the schema (one put_schema)"),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_id: str | None = None
        self.saved: SynchronizationSchema | None = None
        self.working: SynchronizationSchema | None = None
        self.dirty = False
        self.operators: list[FilterOperatorSchema] = []
        """The service's scoping operators, which the clause dialog offers (loaded with the tab)."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="buttons", id="schema-buttons"):
            yield Button("Edit", id="schema-edit")
            yield Button("Add", id="schema-add")
            yield Button("Remove", id="schema-remove")
            yield Button("Enable/Disable", id="schema-toggle")
            yield Button("Save", id="schema-save", variant="primary", disabled=True)
            yield Button("Revert", id="schema-revert", disabled=True)
            yield Button("Defaults…", id="schema-defaults")
        yield Label("", id="schema-state")
        yield SchemaTree(id="schema-tree")

    def show_schema(self, job_id: str, schema: SynchronizationSchema | None) -> None:
        if self.dirty and job_id == self.job_id:
            return  # keep the user's unsaved edits
        if (
            job_id == self.job_id
            and self.saved is not None
            and schema is not None
            and schema.version == self.saved.version
            and not self.dirty
        ):
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
        self._show_state()

    def _show_state(self) -> None:
        version = self.saved.version if self.saved else "?"
        state = f"version {version}" + (" — [b]unsaved changes[/b] (ctrl+s saves)" if self.dirty else "")
        tip = hint(self._ref())
        self.query_one("#schema-state", Label).update(state + (f"  [dim]{tip}[/dim]" if tip else ""))

    @on(Tree.NodeHighlighted)
    def _highlighted(self) -> None:
        self._show_state()

    def _ref(self) -> Ref | None:
        node = self.query_one(SchemaTree).cursor_node
        return node.data if node is not None and isinstance(node.data, (MappingRef, ScopeRef)) else None

    def _object_mapping(self, ref: Ref) -> ObjectMapping:
        assert self.working is not None and ref.object_mapping is not None
        return self.working.synchronization_rules[ref.rule].object_mappings[ref.object_mapping]

    def _changed(self, select: Ref | None = None) -> None:
        self._mark_dirty(True)
        self.query_one(SchemaTree).show_schema(self.working, select)
        self._show_state()

    # --- actions ------------------------------------------------------------------------------

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "schema-edit": self.action_edit,
            "schema-add": self.action_add,
            "schema-remove": self.action_remove,
            "schema-toggle": self.action_toggle_enabled,
            "schema-save": self.action_save,
            "schema-revert": self.action_revert,
            "schema-defaults": self.action_restore_defaults,
        }
        actions[event.button.id or ""]()

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Any]) -> None:
        data = event.node.data
        if (isinstance(data, MappingRef) and data.attribute_mapping is not None) or (
            isinstance(data, ScopeRef) and data.clause is not None
        ):
            event.stop()
            self.action_edit()

    def action_edit(self) -> None:
        ref = self._ref()
        if isinstance(ref, MappingRef) and ref.attribute_mapping is not None:
            self._open_dialog(ref, self._object_mapping(ref).attribute_mappings[ref.attribute_mapping])
        elif isinstance(ref, ScopeRef) and ref.group is not None and ref.clause is not None:
            self._edit_clause(ref.rule, ref.object_mapping, ref.group, ref.clause)
        else:
            self.notify("Select an attribute mapping or a scoping clause to edit", severity="warning")

    def action_add(self) -> None:
        ref = self._ref()
        if isinstance(ref, ScopeRef):
            if ref.group is None:
                self.action_add_group()
            else:
                self._edit_clause(ref.rule, ref.object_mapping, ref.group, None)
        elif isinstance(ref, MappingRef) and ref.object_mapping is not None:
            self._open_dialog(MappingRef(ref.rule, ref.object_mapping, None), None)
        else:
            self.notify(
                "Select an object mapping, its scoping filter or one of their entries to add to", severity="warning"
            )

    def action_remove(self) -> None:
        ref = self._ref()
        if isinstance(ref, MappingRef) and ref.attribute_mapping is not None:
            del self._object_mapping(ref).attribute_mappings[ref.attribute_mapping]
            self._changed()
        elif isinstance(ref, ScopeRef) and ref.group is not None:
            om = self._object_mapping(ref)
            if ref.clause is None:
                scope_edit.remove_group(om, ref.group)
            elif scope_edit.remove_clause(om, ref.group, ref.clause):
                self.notify(
                    f"Group {ref.group + 1} had no clause left and was removed: an empty group would "
                    "put every object in scope"
                )
            self._changed(ScopeRef(ref.rule, ref.object_mapping))
        else:
            self.notify("Select an attribute mapping, a filter group or a clause to remove", severity="warning")

    def action_add_group(self) -> None:
        ref = self._ref()
        if ref is None or ref.object_mapping is None:
            self.notify("Select an object mapping (or anything under it) to add a filter group to", severity="warning")
            return
        self._edit_clause(ref.rule, ref.object_mapping, None, None)

    def action_toggle_enabled(self) -> None:
        # Not action_toggle: that is Textual's toggle(attribute) action, which every widget has.
        ref = self._ref()
        if ref is None or ref.object_mapping is None:
            self.notify("Select an object mapping to enable or disable", severity="warning")
            return
        om = self._object_mapping(ref)
        om.enabled = not om.enabled
        self._changed()

    # --- dialogs ------------------------------------------------------------------------------

    def _objects(self, ref: Ref) -> tuple[Any, Any]:
        """The source and target object definitions of the object mapping `ref` is in."""
        assert self.working is not None
        om = self._object_mapping(ref)
        rule = self.working.synchronization_rules[ref.rule]
        target_dir = self.working.directory(rule.target_directory_name)
        source_dir = self.working.directory(rule.source_directory_name)
        return (
            source_dir.object(om.source_object_name) if source_dir else None,
            target_dir.object(om.target_object_name) if target_dir else None,
        )

    def _open_dialog(self, ref: MappingRef, mapping: AttributeMapping | None) -> None:
        from ..dialogs.mapping import MappingDialog

        source_obj, target_obj = self._objects(ref)
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

        self.app.push_screen(MappingDialog(mapping, sources, targets), done)

    def _edit_clause(self, rule: int, index: int, group: int | None, clause: int | None) -> None:
        """Open the clause dialog for a new group (group None), a new clause (clause None) or a clause."""
        from ..dialogs.clause import ClauseDialog

        ref = ScopeRef(rule, index, group, clause)
        om = self._object_mapping(ref)
        source_obj, _ = self._objects(ref)
        current = (
            scope_edit.scope_groups(om)[group].clauses[clause] if group is not None and clause is not None else None
        )
        where = f"{om.source_object_name} → {om.target_object_name}: " + (
            f"group {group + 1}, where all clauses must pass"
            if group is not None
            else "the first clause of a new group (an object is in scope if any group passes)"
        )

        def done(result: FilterClause | None) -> None:
            if result is None:
                return
            mapping = self._object_mapping(ref)  # the working copy, as it is now
            if group is None:
                added = scope_edit.add_group(mapping, result)
                self._changed(ScopeRef(rule, index, added, 0))
            else:
                position = scope_edit.set_clause(mapping, group, clause, result)
                self._changed(ScopeRef(rule, index, group, position))

        attributes = list(source_obj.attributes) if source_obj else []
        self.app.push_screen(ClauseDialog(current, attributes, self.operators, where), done)

    # --- restoring the template's mappings -------------------------------------------------------------

    def action_restore_defaults(self) -> None:
        """Entra's "Restore default mappings": the template's attribute mappings and scoping filters
        replace the working copy's, after a confirm; saving is still the user's step."""
        from ..dialogs.confirm import ConfirmDialog

        job_id = self.job_id
        if job_id is None or self.working is None:
            self.notify("Select a job whose schema is loaded first", severity="warning")
            return

        def answer(restore: bool | None) -> None:
            if restore and job_id == self.job_id:
                self.post_message(self.DefaultsRequested(job_id))

        self.app.push_screen(
            ConfirmDialog(
                "Restore default mappings?",
                "The attribute mappings and scoping filters of every object mapping are replaced by those of "
                "the job's template; your changes to them are lost once you save (ctrl+s). Until then, Revert "
                "undoes it.",
                yes="Restore",
            ),
            answer,
        )

    @on(DefaultsLoaded)
    def _defaults_loaded(self, message: DefaultsLoaded) -> None:
        message.stop()
        if message.job_id != self.job_id or self.working is None:
            return
        self.working.synchronization_rules = [
            rule.model_copy(deep=True) for rule in message.template_schema.synchronization_rules
        ]
        self._changed()
        self.notify("The template's default mappings are restored: ctrl+s saves them, Revert undoes it")

    # --- saving ---------------------------------------------------------------------------------

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
        self.post_message(self.SaveRequested(self.job_id, self.working.model_copy(deep=True)))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        message.stop()
        self.dirty = False
        self.job_id = None
        self.show_schema(message.job_id, message.schema)
        self.notify(f"Schema saved (version {message.schema.version}); the next cycle is an initial cycle")


def _load(service: SyncService, job_id: str) -> tuple[SynchronizationSchema, list[FilterOperatorSchema]]:
    return service.get_schema(job_id), service.filter_operators()


def _show(editor: SchemaEditor, view: TabView) -> None:
    schema, editor.operators = view.loaded
    editor.show_schema(view.detail.summary.job.id or "", schema)


TAB = DetailTab("tab-schema", "Schema", "#schema-tree", lambda service: SchemaEditor(id="schema-pane"), _show, _load)
