"""One provisioning log entry: identities, status, steps and modified properties (old → new)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..format import ACTION_STYLES, STATUS_INFO_STYLES, absolute


def steps_table(steps: list[dict[str, Any]]) -> Table:
    """The steps in order, as Entra's provisioning log shows them: each step's kind (import,
    scoping, matching, processing, export) and name, its status, what it did and its details."""
    table = Table(expand=True, show_lines=False, title="Steps", title_justify="left")
    table.add_column("Step", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Description / details", ratio=1)
    for number, step in enumerate(steps, 1):
        status = str(step.get("status") or "")
        details = step.get("details") or {}
        kind = Text(f"{number}. {step.get('provisioningStepType') or ''}", style="bold")
        # The name (EntrySynchronizationScoping…) heads the description: in the Step column it
        # would take the width the description needs on a narrow screen.
        body = Text(f"{step['name']}\n", style="dim") if step.get("name") else Text()
        body.append(str(step.get("description") or ""))
        for key, value in details.items():
            body.append(f"\n  {key}: ", style="dim")
            body.append(value if isinstance(value, str) else json.dumps(value))
        table.add_row(kind, Text(status, style=STATUS_INFO_STYLES.get(status, "")), body)
    return table


def modified_table(modified: list[dict[str, Any]], title: str = "Modified properties") -> Table:
    table = Table(expand=True, title=title, title_justify="left")
    # A long attribute name (a SCIM extension's URN) folds rather than leave Old and New no width.
    table.add_column("Attribute", style="bold", overflow="fold", ratio=2)
    table.add_column("Old", style="red", overflow="fold", ratio=3, min_width=8)
    table.add_column("New", style="green", overflow="fold", ratio=3, min_width=8)
    for item in modified:
        table.add_row(
            str(item.get("displayName") or ""),
            str(item.get("oldValue") if item.get("oldValue") is not None else "—"),
            str(item.get("newValue") if item.get("newValue") is not None else "—"),
        )
    return table


def entry_header(entry: dict[str, Any]) -> Table:
    info = entry.get("statusInfo") or {}
    source = entry.get("sourceIdentity") or {}
    target = entry.get("targetIdentity") or {}
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    action, status = str(entry.get("provisioningAction") or ""), str(info.get("status") or "")
    grid.add_row("Action", Text(action, style=ACTION_STYLES.get(action, "")))
    grid.add_row("Status", Text(status, style=STATUS_INFO_STYLES.get(status, "")))
    if info.get("errorCode") or info.get("reason"):
        grid.add_row("Error", Text(f"{info.get('errorCode') or ''} {info.get('reason') or ''}".strip(), style="red"))
    grid.add_row("When", absolute(entry.get("activityDateTime")))
    grid.add_row(
        "Source", f"{source.get('displayName') or ''} ({source.get('identityType') or ''} {source.get('id') or ''})"
    )
    grid.add_row(
        "Target", f"{target.get('displayName') or ''} ({target.get('identityType') or ''} {target.get('id') or '—'})"
    )
    return grid


class LogEntryScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "close", "Close", id="log_entry.close", tooltip="Back to the logs")
    ]

    def __init__(self, entry: dict[str, Any]) -> None:
        super().__init__(classes="dialog")
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="wide"):
            yield Label("Provisioning log entry", id="dialog-title")
            with VerticalScroll():
                yield Static(entry_header(self.entry))
                steps = self.entry.get("provisioningSteps") or []
                if steps:
                    yield Static(steps_table(steps))
                modified = self.entry.get("modifiedProperties") or []
                if modified:
                    yield Static(modified_table(modified))
                if not steps and not modified:
                    yield Static(Text("No steps or modified properties recorded for this entry.", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
