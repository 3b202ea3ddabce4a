"""The Assignments tab: the users and groups assigned to the job's application (its scope when it
syncs only assigned users and groups); add one by searching the job's source, remove one (asks first).
The pane asks (AssignRequested, UnassignRequested); the jobs screen's worker makes the call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from ...service import Assignment, JobSummary, SourceObject, SyncService
from ..actions import pane_bindings
from ..detail_tab import DetailTab
from ..dialogs.assign import AssignDialog
from ..dialogs.confirm import ConfirmDialog
from .row_table import Column, RowTable

ACTIONS = {"assign", "unassign"}
# As Entra's "Users and groups" blade: name, type and role; the assignment's id is the one
# `synctui assignments remove` takes (`assignments list` shows the principals' ids too).
COLUMNS = (Column("Assigned", 40), Column("Type"), Column("Role", 20), Column("Assignment id", 43))


@dataclass(frozen=True)
class AssignmentsView:
    """What the tab read for the job: its assignments and its scope, or why they cannot be read."""

    assignments: list[Assignment] = field(default_factory=list)
    sync_all: bool | None = None
    """As `SyncService.sync_all`: None, the job's source has no assignments."""
    error: str | None = None


def load(service: SyncService, job_id: str) -> AssignmentsView:
    try:
        return AssignmentsView(service.assignments(job_id), service.sync_all(job_id))
    except Exception as error:  # noqa: BLE001 - a source that cannot be read is shown in the tab, not a failed detail
        return AssignmentsView(error=str(error))


def scope_text(sync_all: bool | None) -> str:
    if sync_all is None:
        return "This job's source has no assignments (an HR file): every object is in scope, as its filters allow."
    if sync_all:
        return "Scope: all users and groups (Settings). Assignments give users their roles only."
    return "Scope: only assigned users and groups, and direct members of assigned groups (Settings)."


class AssignmentsPane(Vertical):
    BINDING_GROUP_TITLE = "Assignments"
    BINDINGS: ClassVar[list[BindingType]] = pane_bindings("tab-assignments")

    class AssignRequested(Message):
        def __init__(self, summary: JobSummary, chosen: SourceObject) -> None:
            super().__init__()
            self.summary, self.chosen = summary, chosen

    class UnassignRequested(Message):
        """Remove this assignment (the user said yes)."""

        def __init__(self, summary: JobSummary, assignment: Assignment) -> None:
            super().__init__()
            self.summary, self.assignment = summary, assignment

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary: JobSummary | None = None
        self.view = AssignmentsView()
        self.by_id: dict[str, Assignment] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="assignments-scope", markup=False)
        with Horizontal(classes="buttons", id="assignment-buttons"):
            yield Button("Assign…", id="assignment-assign")
            yield Button("Remove…", id="assignment-unassign", variant="error")
        yield RowTable(*COLUMNS, id="assignments-table")
        yield Static("", id="assignments-empty", classes="empty", markup=False)

    def show(self, summary: JobSummary, view: AssignmentsView) -> None:
        self.summary, self.view = summary, view
        self.by_id = {str(item.resource["id"]): item for item in view.assignments}
        self.query_one("#assignments-scope", Static).update(view.error or scope_text(view.sync_all))
        table = self.query_one("#assignments-table", RowTable)
        table.set_rows(
            [
                (
                    assignment_id,
                    (
                        str(item.resource.get("principalDisplayName") or item.resource["principalId"]),
                        str(item.resource["principalType"]),
                        item.role,
                        assignment_id,
                    ),
                )
                for assignment_id, item in self.by_id.items()
            ],
            cursor_key=table.cursor_key,
        )
        has_rows = bool(self.by_id)
        table.display = has_rows
        empty = self.query_one("#assignments-empty", Static)
        empty.display = not has_rows and view.error is None
        empty.update("Nothing is assigned to this job's application: Assign… (a) adds a user or group.")
        self.query_one("#assignment-assign", Button).disabled = not self._assignable()
        self.query_one("#assignment-unassign", Button).disabled = not has_rows

    def _assignable(self) -> bool:
        return self.summary is not None and self.view.error is None and self.view.sync_all is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "assign" and not self._assignable():
            return None
        if action == "unassign" and not self.by_id:
            return None
        return True

    @on(Button.Pressed, "#assignment-buttons Button")
    async def _button(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action((event.button.id or "").removeprefix("assignment-"))

    def action_assign(self) -> None:
        summary = self.summary
        if summary is None or not self._assignable():
            return

        def chosen(obj: SourceObject | None) -> None:
            if obj is not None:
                self.post_message(self.AssignRequested(summary, obj))

        self.app.push_screen(AssignDialog(summary.job.id or "", summary.name), chosen)

    def action_unassign(self) -> None:
        summary = self.summary
        key = self.query_one("#assignments-table", RowTable).cursor_key
        assignment = self.by_id.get(key or "")
        if summary is None or assignment is None:
            return
        name = assignment.resource.get("principalDisplayName") or assignment.resource["principalId"]
        leaving = (
            "The group and its direct members leave" if assignment.resource["principalType"] == "Group" else "It leaves"
        )
        consequence = (
            f"{leaving} the job's scope, unless assigned otherwise: the next cycle disables their target objects "
            "(or deletes those that cannot be disabled), unless SkipOutOfScopeDeletions is set."
            if self.view.sync_all is False
            else "The job syncs all users and groups: only the role this assignment gives is taken away."
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(self.UnassignRequested(summary, assignment))

        self.app.push_screen(
            ConfirmDialog(f"Remove the assignment of {name} to “{summary.name}”?", consequence, yes="Remove"), answer
        )


TAB = DetailTab(
    "tab-assignments",
    "Assignments",
    "#assignments-table",
    lambda service: AssignmentsPane(id="assignments-pane"),
    lambda pane, view: pane.show(view.detail.summary, view.loaded),
    load,
)
