"""Yes/no confirmation for destructive actions: names the object and the consequence, focus on No."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Confirm"),
        Binding("n", "answer(False)", "No", id="confirm.no", tooltip="Cancel"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel", tooltip="Cancel"),
        Binding("left,h", "app.focus_previous", "Previous", show=False),
        Binding("right,l", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, title: str, message: str, *, yes: str = "Yes", no: str = "No",
                 danger: bool = True, type_to_confirm: str | None = None) -> None:
        super().__init__(classes="dialog")
        self._title, self._message, self._yes, self._no = title, message, yes, no
        self._danger = danger
        self._type_to_confirm = type_to_confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self._title, id="dialog-title")
            yield Static(self._message, id="dialog-message")
            if self._type_to_confirm:
                yield Label(f"Type [b]{self._type_to_confirm}[/b] to confirm:")
                yield Input(placeholder=self._type_to_confirm, id="confirm-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(self._yes, id="yes", variant="error" if self._danger else "primary")
                yield Button(self._no, id="no", variant="default")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()
        if self._type_to_confirm:
            self.query_one("#yes", Button).disabled = True

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value != self._type_to_confirm

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        if answer and self.query_one("#yes", Button).disabled:
            return
        self.dismiss(answer)
