"""Ask for the Logs tab's custom date range: from and until, in the forms `synctui logs --since`
takes (a date, a date-time, or a duration back from now such as P7D)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from ...store.log_query import parse_moment
from .form import FormDialog

DateRange = tuple["datetime | None", "datetime | None"]
"""From (included) and until (excluded); None: open on that side."""


class DateRangeDialog(FormDialog[DateRange]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="date_range.cancel", tooltip="Cancel")
    ]

    def __init__(self, now: datetime) -> None:
        super().__init__(classes="dialog")
        self._now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Custom date range", id="dialog-title")
            yield Static(
                "Show the entries written from one moment until another: 2025-03-01, "
                "2025-03-01T09:00:00Z, or a duration back from now such as PT1H or P7D. "
                "Leave one empty for no bound.",
                id="dialog-message",
            )
            yield Input(placeholder="from, e.g. P7D", id="range-since")
            yield Input(placeholder="until, e.g. 2025-03-01 (empty: now)", id="range-until")
            with Horizontal(id="dialog-buttons"):
                yield Button("Filter", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#range-since", Input).focus()

    def submit(self) -> None:
        bounds: list[datetime | None] = []
        for field_id, name in (("#range-since", "from"), ("#range-until", "until")):
            text = self.query_one(field_id, Input).value.strip()
            try:
                bounds.append(parse_moment(text, self._now) if text else None)
            except ValueError:
                self.notify(
                    f"{name} {text!r} is not a date: write 2025-03-01, 2025-03-01T09:00:00Z or a duration such as P7D",
                    severity="warning",
                )
                return
        since, until = bounds
        if since is not None and until is not None and since >= until:
            self.notify("from must come before until", severity="warning")
            return
        self.dismiss((since, until))
