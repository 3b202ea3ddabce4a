"""`:` — jump to a view by name (k9s-style), with completion as you type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

ALIASES = {"on demand": "provision", "new": "new job", "create": "new job", "log": "logs", "escrow": "escrows"}


def matching_views(text: str, views: Sequence[str]) -> list[str]:
    """The views `text` could mean: those starting with it, then those containing it."""
    text = " ".join(text.lower().split())
    if not text:
        return list(views)
    starts = [view for view in views if view.startswith(text)]
    return starts + [view for view in views if text in view and view not in starts]


def resolve_view(text: str, views: Sequence[str]) -> str | None:
    """The view to go to: an exact name or alias, else the first completion (what the field
    suggests); None if nothing matches."""
    key = " ".join(text.lower().split())
    if key in views:
        return key
    if key in ALIASES:
        return ALIASES[key]
    matches = matching_views(key, views) if key else []
    return matches[0] if matches else None


class GotoDialog(ModalScreen["str | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="goto.cancel", tooltip="Stay where you are"),
        Binding("tab", "complete", "Complete", id="goto.complete", tooltip="Complete the view name"),
    ]

    def __init__(self, views: Sequence[str]) -> None:
        """`views`: the names to go to, in the order completion prefers them (the app's registry
        of tabs and screens: a dialog knows no tab)."""
        super().__init__(classes="dialog")
        self.views = list(views)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="goto"):
            yield Label("Go to", id="dialog-title")
            yield Input(
                placeholder="view name — tab completes, enter goes",
                suggester=SuggestFromList(self.views + list(ALIASES), case_sensitive=False),
                id="goto-input",
            )
            yield Static(self._choices(""), id="goto-views")

    def _choices(self, text: str) -> Text:
        matches = matching_views(text, self.views)
        line = Text()
        for view in self.views:
            if line:
                line.append(" · ", style="dim")
            # a view's name never breaks over two lines ("new job")
            line.append(view.replace(" ", "\u00a0"), style="bold" if view in matches else "dim")
        return line

    @on(Input.Changed, "#goto-input")
    def _typed(self, event: Input.Changed) -> None:
        views = self.query_one("#goto-views", Static)
        views.update(self._choices(event.value))
        views.remove_class("error-text")

    @on(Input.Submitted, "#goto-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        view = resolve_view(event.value, self.views)
        if view is None:
            typed = event.value.strip()
            views = self.query_one("#goto-views", Static)
            views.update(f"✖ {f'no view named {typed!r}' if typed else 'type a view'}; views: {', '.join(self.views)}")
            views.add_class("error-text")
            return
        self.dismiss(view)

    def action_complete(self) -> None:
        field = self.query_one("#goto-input", Input)
        matches = matching_views(field.value, self.views)
        if matches:
            field.value = matches[0]
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
