"""The Escrows tab: objects whose export failed and wait for a retry; retry them now or dismiss them.
The pane asks (RetryRequested, DismissRequested); the screen's worker answers with Changed.

"Selected" means the rows marked with space, or the highlighted row when none is marked."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from ...service import JobSummary
from ..actions import pane_bindings
from ..detail_tab import DetailTab
from ..dialogs.confirm import ConfirmDialog
from ..format import absolute, as_datetime, next_run_text
from .row_table import Cell, Column, RowTable

MARK = "✓"
ACTIONS = {"mark", "retry", "retry_all", "dismiss"}
COLUMNS = (
    Column(MARK, 1),
    Column("Object", 40),
    Column("Type"),
    Column("Attempts"),
    Column("Next retry", 20),
    Column("Error", 80),
)
"""The error goes last: it is long, and the detail line below the table shows it whole."""


def escrow_name(escrow: dict[str, Any]) -> str:
    return str(escrow.get("displayName") or escrow.get("sourceId") or escrow.get("key") or "?")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class EscrowsPane(Vertical):
    BINDING_GROUP_TITLE = "Escrows"
    BINDINGS: ClassVar[list[BindingType]] = pane_bindings(
        "tab-escrows",
        Binding("space", "mark", "Mark", id="escrows.mark", tooltip="Mark or unmark the highlighted escrow"),
    )

    class RetryRequested(Message):
        """Retry these escrows (None: all of them) at the next cycle."""

        def __init__(self, summary: JobSummary, keys: list[str] | None) -> None:
            super().__init__()
            self.summary, self.keys = summary, keys

    class DismissRequested(Message):
        """Forget these escrows (the user said yes)."""

        def __init__(self, summary: JobSummary, keys: list[str]) -> None:
            super().__init__()
            self.summary, self.keys = summary, keys

    class Changed(Message):
        """The service did what was requested, to `count` escrows."""

        def __init__(self, request: EscrowsPane.RetryRequested | EscrowsPane.DismissRequested, count: int) -> None:
            super().__init__()
            self.request, self.count = request, count

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary: JobSummary | None = None
        self.escrows: dict[str, dict[str, Any]] = {}
        self.marked: set[str] = set()
        self._now: datetime | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="buttons", id="escrow-buttons"):
            yield Button("Retry selected", id="escrow-retry")
            yield Button("Retry all", id="escrow-retry_all")
            yield Button("Dismiss selected…", id="escrow-dismiss", variant="error")
        yield RowTable(*COLUMNS, id="escrows-table")
        yield Static("", id="escrow-detail", markup=False)
        yield Static("No escrows: every object of the last cycles was exported.", id="escrows-empty", classes="empty")

    def on_mount(self) -> None:
        self._enable(False)

    def show(self, summary: JobSummary, escrows: list[dict[str, Any]], now: datetime) -> None:
        if summary.job.id != (self.summary.job.id if self.summary else None):
            self.marked.clear()
        self.summary = summary
        keys = [str(e.get("key") or e.get("sourceId") or i) for i, e in enumerate(escrows)]
        self.escrows = dict(zip(keys, escrows, strict=True))
        self.marked &= set(keys)
        table = self.query_one("#escrows-table", RowTable)
        self.query_one("#escrows-empty").display = not escrows
        table.display = bool(escrows)
        self.query_one("#escrow-detail").display = bool(escrows)
        self._now = now
        self._fill()  # the cursor stays on its escrow when the list changes around it
        self._show_detail(self._highlighted())  # its attempts and next retry may have changed
        self._enable(bool(escrows))

    def tick(self, now: datetime) -> None:
        """Move the next retries' relative times on to `now`."""
        self._now = now
        self._fill()
        self._show_detail(self._highlighted())

    def _fill(self) -> None:
        table = self.query_one("#escrows-table", RowTable)
        table.set_rows(
            [(key, self._cells(key, escrow)) for key, escrow in self.escrows.items()], cursor_key=table.cursor_key
        )

    def _cells(self, key: str, escrow: dict[str, Any]) -> tuple[Cell, ...]:
        error = escrow.get("error") or {}
        return (
            MARK if key in self.marked else "",
            escrow_name(escrow),
            str(escrow.get("objectType") or ""),
            str(escrow.get("attempts", "")),
            self._retried(escrow),
            (f"{error.get('code') or ''}: {error.get('message') or ''}", "red"),
        )

    def _retried(self, escrow: dict[str, Any]) -> str:
        """When a cycle really retries the escrow (the service's `retryAt`): its back-off may end
        between two cycles, and no cycle runs while the schedule is not Active."""
        retry = as_datetime(escrow.get("retryAt"))
        if retry is None:
            return "not scheduled"
        now = self._now or datetime.now()
        when = next_run_text(retry, now).plain
        next_run = self.summary.next_run if self.summary else None
        return f"next cycle, {when}" if retry <= now or retry == next_run else f"{when} (back-off)"

    @on(RowTable.RowHighlighted, "#escrows-table")
    def _highlighted_changed(self, event: RowTable.RowHighlighted) -> None:
        self._show_detail(event.key)

    def _show_detail(self, key: str | None) -> None:
        escrow = self.escrows.get(key or "")
        if escrow is None:
            return
        error = escrow.get("error") or {}
        attempts = plural(int(escrow.get("attempts") or 0), "attempt")
        detail = Text()
        detail.append(f"{escrow_name(escrow)} ", style="bold")
        detail.append(f"({escrow.get('objectType') or '?'} {escrow.get('sourceId') or ''})\n", style="dim")
        detail.append(f"{error.get('code') or ''}: {error.get('message') or ''}\n", style="red")
        detail.append(
            f"{attempts} since {absolute(escrow.get('firstFailure'))}; retried {self._retried(escrow)}", style="dim"
        )
        self.query_one("#escrow-detail", Static).update(detail)

    def _enable(self, enabled: bool) -> None:
        for button in self.query("#escrow-buttons Button").results(Button):
            button.disabled = not enabled

    def _highlighted(self) -> str | None:
        return self.query_one("#escrows-table", RowTable).cursor_key

    def selected(self) -> list[str]:
        """The marked escrows, else the highlighted one."""
        if self.marked:
            return [key for key in self.escrows if key in self.marked]
        current = self._highlighted()
        return [current] if current in self.escrows else []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTIONS and not self.escrows:
            return None  # shown disabled: there is nothing to act on
        return True

    # --- actions ------------------------------------------------------------------------------------

    @on(Button.Pressed, "#escrow-buttons Button")
    async def _button(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action((event.button.id or "").removeprefix("escrow-"))

    def action_mark(self) -> None:
        key = self._highlighted()
        if key is None:
            return
        self.marked ^= {key}
        self._fill()
        self.query_one("#escrows-table", RowTable).action_cursor_down()

    def action_retry(self) -> None:
        keys = self.selected()
        if keys:
            self._retry(keys)

    def action_retry_all(self) -> None:
        if self.escrows:
            self._retry(None)

    def _retry(self, keys: list[str] | None) -> None:
        if self.summary is not None:
            self.post_message(self.RetryRequested(self.summary, keys))

    def action_dismiss(self) -> None:
        summary, keys = self.summary, self.selected()
        if summary is None or not keys:
            return
        names = [escrow_name(self.escrows[key]) for key in keys]
        listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")

        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(self.DismissRequested(summary, keys))

        self.app.push_screen(
            ConfirmDialog(
                f"Dismiss {plural(len(keys), 'escrow')} of “{summary.name}”?",
                f"{listed}: no more retries until the object changes in the source, and its error is no "
                "longer listed here.",
                yes="Dismiss",
            ),
            answer,
        )

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        message.stop()
        request, count = message.request, message.count
        if isinstance(request, self.RetryRequested):
            self.marked.clear()
            self.notify(f"{plural(count, 'escrow')} of {request.summary.name} will be retried at the next cycle")
        else:
            self.marked.difference_update(request.keys)
            self.notify(f"Dismissed {plural(count, 'escrow')} of {request.summary.name}")


TAB = DetailTab(
    "tab-escrows",
    "Escrows",
    "#escrows-table",
    lambda service: EscrowsPane(id="escrows-pane"),
    lambda pane, view: pane.show(view.detail.summary, view.detail.escrows, view.now),
    tick=lambda pane, now: pane.tick(now),
)
