"""Yes/no confirmation for destructive actions: names the object and the consequence, focus on No.

For the most dangerous actions (delete a job, restart with Full, ConnectorDataStore or
ForceDeletes) the user also types the job's name: the Yes button stays disabled until it matches."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ..format import matches_typed, typeable


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Confirm"),
        Binding("n", "answer(False)", "No", id="confirm.no", tooltip="Cancel"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel", tooltip="Cancel"),
        Binding(
            "left,h", "app.focus_previous", "Previous", show=False, id="confirm.previous", tooltip="Previous button"
        ),
        Binding("right,l", "app.focus_next", "Next", show=False, id="confirm.next", tooltip="Next button"),
    ]

    def __init__(
        self,
        title: str,
        message: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        danger: bool = True,
        type_to_confirm: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self._title, self._message, self._yes, self._no = title, message, yes, no
        self._danger = danger
        self._type_to_confirm = type_to_confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self._title, id="dialog-title", markup=False)
            yield Static(self._message, id="dialog-message", markup=False)
            if self._type_to_confirm:
                yield Static(
                    f"Type the job's name, {typeable(self._type_to_confirm)}, to confirm:",
                    id="confirm-prompt",
                    markup=False,
                )
                yield Input(placeholder=typeable(self._type_to_confirm), id="confirm-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    self._yes,
                    id="yes",
                    variant="error" if self._danger else "primary",
                    disabled=bool(self._type_to_confirm),
                )
                yield Button(self._no, id="no", variant="default")

    def on_mount(self) -> None:
        # Typing the name is the point of the dialog, so its field has the focus; otherwise No does.
        self.query_one("#confirm-text" if self._type_to_confirm else "#no").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#yes", Button).disabled = not self._typed_ok()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._typed_ok():
            self.dismiss(True)
        else:
            self.notify(f"Type {typeable(self._type_to_confirm or '')} to confirm, or press escape", severity="warning")

    def _typed_ok(self) -> bool:
        if not self._type_to_confirm:
            return True
        return matches_typed(self.query_one("#confirm-text", Input).value, self._type_to_confirm)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        if answer and self.query_one("#yes", Button).disabled:
            return
        self.dismiss(answer)
