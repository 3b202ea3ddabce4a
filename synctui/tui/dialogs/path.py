"""Ask for a file path (schema export / import, log export)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from .form import FormDialog


class PathDialog(FormDialog[str]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="path.cancel", tooltip="Cancel")]

    def __init__(self, title: str, message: str, value: str = "", ok: str = "OK") -> None:
        super().__init__(classes="dialog")
        self._title, self._message, self._value, self._ok = title, message, value, ok

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self._title, id="dialog-title", markup=False)
            yield Static(self._message, id="dialog-message", markup=False)
            yield Input(self._value, placeholder="/path/to/file.json", id="path")
            with Horizontal(id="dialog-buttons"):
                yield Button(self._ok, id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def submit(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            self.notify("Enter a file path", severity="warning")
            return
        self.dismiss(value)
