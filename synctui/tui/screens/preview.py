"""Preview: what a cycle would do now (creates, updates, disables, deletes) with attribute changes."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Label, LoadingIndicator, Static

from ...service import JobSummary, SyncService
from ..dialogs.log_entry import modified_table
from ..format import ACTION_STYLES, object_name
from ..messages import JobActionFailed, show_failure
from ..widgets.footer import ResponsiveFooter
from ..widgets.row_table import Cell, Column, RowTable

ORDER = {"create": 0, "update": 1, "disable": 2, "delete": 3}


class PreviewScreen(Screen[None]):
    BINDING_GROUP_TITLE = "Preview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="preview.back", tooltip="Back to the jobs"),
        Binding("f5", "reload", "Reload", id="preview.reload", tooltip="Compute the preview again"),
    ]

    class Computed(Message):
        """What a cycle would do now, as the worker computed it."""

        def __init__(self, entries: list[dict[str, Any]]) -> None:
            super().__init__()
            self.entries = entries

    def __init__(self, service: SyncService, summary: JobSummary) -> None:
        super().__init__()
        self.service = service
        self.summary = summary
        self.entries: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="preview-body"):
            yield Label(f"Preview — {self.summary.name} (dry run: nothing is written)", classes="title", markup=False)
            yield Static("", id="preview-summary")
            yield LoadingIndicator(id="preview-busy")
            yield RowTable(
                Column("Action"), Column("Object"), Column("Type"), Column("Changes", 80), id="preview-table"
            )
            with VerticalScroll(id="preview-detail"):
                yield Static("", id="preview-changes")
        yield ResponsiveFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.query_one("#preview-busy").display = True
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def compute(self) -> None:
        try:
            entries = self.service.preview(self.summary.job.id or "")
        except Exception as error:  # noqa: BLE001
            self.post_message(JobActionFailed("Preview", error))
            return
        self.post_message(self.Computed(entries))

    @on(JobActionFailed)
    def _failed(self, message: JobActionFailed) -> None:
        self.query_one("#preview-busy").display = False
        show_failure(self.query_one("#preview-summary", Static), message)

    @on(Computed)
    def _show(self, message: Computed) -> None:
        entries = message.entries
        self.query_one("#preview-busy").display = False
        changes = [e for e in entries if e.get("provisioningAction") in ORDER]
        changes.sort(key=lambda e: (ORDER[e["provisioningAction"]], object_name(e).lower()))
        counts = Counter(e["provisioningAction"] for e in changes)
        summary = Text()
        for action in ORDER:
            summary.append(f"{counts.get(action, 0)} {action}  ", style=ACTION_STYLES[action])
        if not changes:
            summary = Text("Nothing to do: the target is in sync with the source.", style="green")
        failures = [e for e in entries if (e.get("statusInfo") or {}).get("status") == "failure"]
        if failures:
            summary.append(f"  {len(failures)} would fail", style="bold red")
        self.query_one("#preview-summary", Static).update(summary)
        self.entries = {str(index): entry for index, entry in enumerate(changes)}
        table = self.query_one("#preview-table", RowTable)
        table.set_rows([(key, self._cells(entry)) for key, entry in self.entries.items()])
        if changes:
            self._detail(changes[table.cursor_row])  # also when a reload leaves the cursor on its row
            table.focus()

    @staticmethod
    def _cells(entry: dict[str, Any]) -> tuple[Cell, ...]:
        modified = entry.get("modifiedProperties") or []
        action = entry["provisioningAction"]
        return (
            (action, ACTION_STYLES.get(action, "")),
            object_name(entry),
            str((entry.get("sourceIdentity") or {}).get("identityType") or ""),
            ", ".join(str(m.get("displayName")) for m in modified[:6]) + (" …" if len(modified) > 6 else ""),
        )

    @on(RowTable.RowHighlighted, "#preview-table")
    def _highlighted(self, event: RowTable.RowHighlighted) -> None:
        entry = self.entries.get(event.key)
        if entry is not None:
            self._detail(entry)

    def _detail(self, entry: dict[str, Any]) -> None:
        modified = entry.get("modifiedProperties") or []
        self.query_one("#preview-changes", Static).update(
            modified_table(modified, f"{entry.get('provisioningAction')}: {object_name(entry)}")
            if modified
            else Text(f"{entry.get('provisioningAction')}: {object_name(entry)} (no attribute changes)", style="dim")
        )

    def action_back(self) -> None:
        self.dismiss(None)
