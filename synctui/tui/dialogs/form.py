"""What the dialogs that take typed input share: OK (its button, or Enter in a field) submits,
Cancel (its button, or escape through the dialog's own `cancel` binding) closes with None."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Button, Input

ResultType = TypeVar("ResultType")


class FormDialog(ModalScreen[ResultType | None]):
    """A subclass gives `submit`: it dismisses with the result, or stays open having said why not."""

    def submit(self) -> None:
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
