"""Choose the reset scopes of a restart (Graph's synchronizationJobRestartCriteria.resetScope)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Static

SCOPES = [
    ("Watermark", "re-import everything (an initial cycle)", True),
    ("Escrows", "drop the failed objects waiting for retry", True),
    ("QuarantineState", "lift the quarantine", True),
    ("ConnectorDataStore", "forget every source↔target link (re-match all)", False),
    ("Full", "all of the above", False),
    ("ForceDeletes", "allow the deletes past the deletion threshold", False),
]
DANGEROUS = {"Full", "ConnectorDataStore", "ForceDeletes"}


class RestartDialog(ModalScreen["set[str] | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="restart.cancel", tooltip="Cancel the restart")
    ]

    def __init__(self, job_name: str) -> None:
        super().__init__(classes="dialog")
        self._job_name = job_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="restart"):
            yield Label(f"Restart “{self._job_name}”", id="dialog-title", markup=False)
            yield Static("Choose what the restart resets:", id="dialog-message")
            with VerticalScroll(id="restart-scopes"):  # scrolls rather than hide the buttons at 80×24
                for name, description, default in SCOPES:
                    # the description beside the box, not in its label: a label does not wrap
                    with Horizontal(classes="scope-row"):
                        yield Checkbox(
                            name, value=default, id=f"scope-{name}", classes="danger" if name in DANGEROUS else ""
                        )
                        yield Static(description, classes="scope-help", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Restart", id="ok", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def selected(self) -> set[str]:
        return {name for name, _, _ in SCOPES if self.query_one(f"#scope-{name}", Checkbox).value}

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            scope = self.selected()
            if not scope:
                self.notify("Choose at least one scope", severity="warning")
                return
            self.dismiss(scope)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
