"""Pick a user or group of the job's source to assign to its application: search by name, principal
name or id. The dialog asks (SearchRequested); the app's worker answers with Found."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...service import SourceObject


class AssignDialog(ModalScreen[SourceObject | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="assign.cancel", tooltip="Close without assigning"),
    ]

    class SearchRequested(Message):
        """Search the job's source for `text`; answered with Found."""

        def __init__(self, dialog: AssignDialog, job_id: str, text: str) -> None:
            super().__init__()
            self.dialog, self.job_id, self.text = dialog, job_id, text

    class Found(Message):
        def __init__(
            self, request: AssignDialog.SearchRequested, objects: list[SourceObject], error: str | None
        ) -> None:
            super().__init__()
            self.request, self.objects, self.error = request, objects, error

    def __init__(self, job_id: str, job_name: str) -> None:
        super().__init__(classes="dialog")
        self.job_id, self.job_name = job_id, job_name
        self.objects: list[SourceObject] = []
        self._searched = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(f"Assign to {self.job_name}", id="dialog-title", markup=False)
            yield Static("Search the job's source for a user or group (name, principal name or id):", markup=False)
            yield Input(placeholder="name, UPN or id", id="assign-search")
            yield OptionList(id="assign-results")
            with Horizontal(id="dialog-buttons"):
                yield Button("Assign", id="assign-ok", variant="primary")
                yield Button("Cancel", id="assign-cancel")

    def on_mount(self) -> None:
        self.query_one("#assign-search", Input).focus()
        self._search("")

    @on(Input.Changed, "#assign-search")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        self._searched = text
        self.post_message(self.SearchRequested(self, self.job_id, text))

    @on(Found)
    def _found(self, message: Found) -> None:
        message.stop()
        if message.request.text != self._searched:
            return  # a later search is under way
        results = self.query_one("#assign-results", OptionList)
        results.clear_options()
        if message.error is not None:
            results.add_option(Option(message.error, disabled=True))
            self.objects = []
            return
        self.objects = message.objects
        results.add_options(
            [
                Option(obj.label + (f"  {obj.detail}" if obj.detail else ""), id=str(i))
                for i, obj in enumerate(self.objects)
            ]
        )
        if self.objects:
            results.highlighted = 0

    @on(Input.Submitted, "#assign-search")
    @on(Button.Pressed, "#assign-ok")
    def _assign(self) -> None:
        results = self.query_one("#assign-results", OptionList)
        if results.highlighted is None or not self.objects:
            self.notify("Choose a user or group to assign", severity="warning")
            return
        self.dismiss(self.objects[results.highlighted])

    @on(OptionList.OptionSelected, "#assign-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.objects[event.option_index])

    @on(Button.Pressed, "#assign-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
