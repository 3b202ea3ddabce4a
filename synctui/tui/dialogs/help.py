"""`?` / F1: the keys of the screen below (with their binding ids) and how to remap them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from ..keymap import EXAMPLE, PREFERENCE


@dataclass(frozen=True)
class KeyHelp:
    group: str
    keys: str
    description: str
    binding_id: str
    enabled: bool


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """The dashboard's bindings active on `screen` now (focused widget first, the app's last). Those
    without an id are Textual's own (cursor keys, scrolling) and would only bury ours."""
    rows = []
    seen: set[tuple[str, str]] = set()
    for node, binding, enabled, tooltip in screen.active_bindings.values():
        if not binding.id or not binding.description or binding.system:
            continue
        group = getattr(node, "BINDING_GROUP_TITLE", None) or type(node).__name__
        if (group, binding.action) in seen:  # one row per action, however many keys it has
            continue
        seen.add((group, binding.action))
        rows.append(
            KeyHelp(
                group, screen.app.get_key_display(binding), tooltip or binding.description, binding.id or "", enabled
            )
        )
    return rows


def keymap_help(keymap: dict[str, str], home: str) -> Text:
    text = Text()
    text.append("Remapping keys\n", style="bold")
    text.append("The dashboard reads the ")
    text.append(PREFERENCE, style="bold")
    text.append(
        " preference when it starts: a JSON object from a binding id (the last column above) to "
        "its new keys, several keys separated by commas, for example\n  "
    )
    text.append(EXAMPLE, style="cyan")
    text.append('\nPreferences live in the home\'s synctui.json, in the "preferences" table, as\n  ')
    text.append('{"name": "keymap", "value": ' + EXAMPLE + "}", style="cyan")
    text.append(
        f"\n(home: {home}). A keymap that is not such an object, or names an unknown binding id, is "
        "ignored with a warning and the default keys stay.\n"
    )
    if keymap:
        text.append("Remapped now: ", style="bold")
        text.append(", ".join(f"{binding_id} → {keys}" for binding_id, keys in sorted(keymap.items())))
    else:
        text.append("No key is remapped now.", style="dim")
    return text


def graph_help(graph_url: str | None) -> Text:
    text = Text("Graph API\n", style="bold")
    if graph_url:
        text.append(f"On at {graph_url} — Graph clients send the token `synctui graph token` prints.\n")
    else:
        text.append("Off. Start the dashboard with `synctui --graph [HOST:]PORT` (or run `synctui serve --graph`)\n")
        text.append("to serve Graph's synchronization API for this home at http://127.0.0.1:8770/v1.0.\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close", tooltip="Close the help")
    ]

    def __init__(
        self, title: str, keys: list[KeyHelp], keymap: dict[str, str], home: str, graph_url: str | None = None
    ) -> None:
        """`graph_url`: where the Graph endpoint serving this home listens; None when it is off."""
        super().__init__(classes="dialog")
        self._title, self._home, self._graph_url = title, home, graph_url
        self.keys, self.keymap = keys, keymap

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="wide"):
            yield Label(f"Keys — {self._title}", id="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._table(), id="help-keys")
                yield Static(keymap_help(self.keymap, self._home), id="help-keymap")
                yield Static(graph_help(self._graph_url), id="help-graph")

    def _table(self) -> Table:
        table = Table(expand=True, box=None, padding=(0, 1), show_header=True, header_style="bold")
        table.add_column("Key", no_wrap=True, style="bold cyan")
        table.add_column("Does", ratio=1)
        table.add_column("Binding id", no_wrap=True, style="dim")
        group = None
        for row in self.keys:
            if row.group != group:
                group = row.group
                table.add_row(Text(group, style="bold underline"), "", "")
            table.add_row(row.keys, Text(row.description, style="" if row.enabled else "dim"), row.binding_id)
        table.add_row("ctrl+p", "Command palette: every action, jump to a job, theme", "")
        return table

    def action_close(self) -> None:
        self.dismiss(None)
