"""An error with its details (e.g. the problems of a rejected schema), instead of a traceback."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ErrorDialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss_dialog", "Close", id="error.close", tooltip="Close")
    ]

    def __init__(self, title: str, message: str, problems: list[str] | None = None) -> None:
        super().__init__(classes="dialog")
        self._title, self._message, self._problems = title, message, problems or []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="error"):
            yield Label(self._title, id="dialog-title", markup=False)
            yield Static(self._message, id="dialog-message", markup=False)
            if self._problems:
                with VerticalScroll(id="problems"):
                    for problem in self._problems:
                        yield Static(f"• {problem}", classes="problem", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)
