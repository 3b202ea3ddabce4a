"""The Logs tab: provisioning log entries, newest first, filtered by action, status and text; follow
mode shows new entries as the cycle writes them; export writes the shown entries to a JSON file.
Following, the pane asks for the entries again (ReloadRequested); the screen's worker answers with
Reloaded or ReloadFailed."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static

from ...service import JobSummary
from ..detail_tab import DetailTab
from ..dialogs.path import PathDialog
from ..export import write_json
from ..format import ACTION_STYLES, STATUS_INFO_STYLES, log_time, object_name
from ..messages import JobActionRequested
from .row_table import Cell, Column, RowTable

ACTIONS = ["create", "update", "delete", "disable", "other"]
STATUSES = ["success", "failure", "skipped", "warning"]
COLUMNS = (
    Column("When", 20),
    Column("Action"),
    Column("Status"),
    Column("Object", 40),
    Column("Type"),
    Column("Error", 32),
)
LOG_LIMIT = 500
"""Entries the tab holds (newest first): search and export work on these; the table draws only
those in view."""


def searchable_text(entry: dict[str, Any]) -> str:
    """Every value of an entry (names, ids, errors, old and new attribute values), lower-cased; keys
    are left out so that searching "status" finds the entries that mention it, not all of them."""
    parts: list[str] = []
    stack: list[Any] = [entry]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif value is not None:
            parts.append(str(value))
    return "\n".join(parts).lower()


class LogsPane(Vertical):
    BINDING_GROUP_TITLE = "Logs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "toggle_follow",
            "Follow",
            id="logs.follow",
            tooltip="Follow: show new entries at the top as cycles write them",
        ),
        Binding("slash", "search", "Search", id="logs.search", tooltip="Search the entries as you type"),
        Binding("e", "export", "Export…", id="logs.export", tooltip="Write the shown entries to a JSON file"),
        Binding(
            "escape", "clear_search", "Clear search", show=False, id="logs.clear_search", tooltip="Clear the search"
        ),
    ]
    FOLLOW_DELAY = 1.0
    """Seconds during which progress reports are gathered into one reload while following."""

    following: reactive[bool] = reactive(False)

    class EntrySelected(Message):
        def __init__(self, entry: dict[str, Any]) -> None:
            super().__init__()
            self.entry = entry

    class ReloadRequested(Message):
        """Following: read the job's entries again."""

        def __init__(self, summary: JobSummary) -> None:
            super().__init__()
            self.summary = summary

    class Reloaded(Message):
        def __init__(self, summary: JobSummary, logs: list[dict[str, Any]], now: datetime) -> None:
            super().__init__()
            self.summary, self.logs, self.now = summary, logs, now

    class ReloadFailed(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary: JobSummary | None = None
        self._logs: list[dict[str, Any]] = []
        self._text: dict[str, str] = {}
        self._now: datetime | None = None
        self._shown: list[dict[str, Any]] = []
        self._shown_ids: list[str] = []
        self._entry_by_key: dict[str, dict[str, Any]] = {}
        self._reload_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="log-filters"):
            yield Select([(a, a) for a in ACTIONS], prompt="any action", id="log-action")
            yield Select([(s, s) for s in STATUSES], prompt="any status", id="log-status")
            yield Input(placeholder="search…", id="log-search")
        yield Label("", id="log-count")
        yield RowTable(*COLUMNS, id="logs-table")
        yield Static(
            "No provisioning log yet: entries appear after a cycle changes or fails an object.",
            id="logs-empty",
            classes="empty",
        )

    def on_mount(self) -> None:
        self._show_count()

    # --- what is shown ----------------------------------------------------------------------------

    @property
    def job_id(self) -> str | None:
        return self.summary.job.id if self.summary else None

    @property
    def shown(self) -> list[dict[str, Any]]:
        """The entries that pass the filters and the search, newest first (what export writes)."""
        return list(self._shown)

    def show(self, summary: JobSummary, logs: list[dict[str, Any]], now: datetime) -> None:
        if summary.job.id != self.job_id:
            self._cancel_reload()
        self.summary, self._logs, self._now = summary, logs, now
        keys = {self._key(e, i) for i, e in enumerate(logs)}
        self._text = {key: text for key, text in self._text.items() if key in keys}
        self._refresh_rows()

    @staticmethod
    def _key(entry: dict[str, Any], index: int) -> str:
        return str(entry.get("id") or index)

    def _matches(self, entry: dict[str, Any], key: str, action: Any, status: Any, search: str) -> bool:
        return (
            (action is None or entry.get("provisioningAction") == action)
            and (status is None or (entry.get("statusInfo") or {}).get("status") == status)
            and (not search or search in self._search_text(key, entry))
        )

    def _search_text(self, key: str, entry: dict[str, Any]) -> str:
        """Made at the first search, then kept while the entry is shown: searching as you type
        looks at every entry at each key."""
        if key not in self._text:
            self._text[key] = searchable_text(entry)
        return self._text[key]

    def _refresh_rows(self) -> None:
        action_select = self.query_one("#log-action", Select)
        status_select = self.query_one("#log-status", Select)
        action = None if action_select.is_blank() else action_select.value
        status = None if status_select.is_blank() else status_select.value
        search = self.query_one("#log-search", Input).value.strip().lower()
        keyed = [(self._key(e, i), e) for i, e in enumerate(self._logs)]
        shown = [(key, e) for key, e in keyed if self._matches(e, key, action, status, search)]
        self._shown = [e for _, e in shown]
        self._show_count()
        self.query_one("#logs-empty").display = not shown
        ids = [key for key, _ in shown]
        if ids == self._shown_ids:
            return
        table = self.query_one("#logs-table", RowTable)
        self._shown_ids = ids
        self._entry_by_key = dict(shown)
        now = self._now or datetime.now()
        # The cursor stays on its entry, wherever new entries push it; following, it is on the newest.
        table.set_rows(
            [(key, self._cells(entry, now)) for key, entry in shown],
            cursor_key=None if self.following else table.cursor_key,
        )
        if self.following:
            self._to_newest()

    @staticmethod
    def _cells(entry: dict[str, Any], now: datetime) -> tuple[Cell, ...]:
        info = entry.get("statusInfo") or {}
        action = str(entry.get("provisioningAction") or "")
        status = str(info.get("status") or "")
        return (
            log_time(entry, now),
            (action, ACTION_STYLES.get(action, "")),
            (status, STATUS_INFO_STYLES.get(status, "")),
            object_name(entry),
            str((entry.get("sourceIdentity") or {}).get("identityType") or ""),
            (str(info.get("errorCode") or ""), "red"),
        )

    def _to_newest(self) -> None:
        table = self.query_one("#logs-table", RowTable)
        table.cursor_row = 0
        table.scroll_home(animate=False)

    def _show_count(self) -> None:
        total, shown = len(self._logs), len(self._shown)
        count = f"{total} entries" if shown == total else f"{shown} of {total} entries match"
        follow = "following ● new entries at the top" if self.following else "follow off (f)"
        self.query_one("#log-count", Label).update(f"{count} · {follow}")

    @on(Select.Changed)
    @on(Input.Changed, "#log-search")
    def _filters_changed(self, event: Message) -> None:
        event.stop()
        self._refresh_rows()

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#logs-table", RowTable).focus()

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        event.stop()
        entry = self._entry_by_key.get(event.key)
        if entry is not None:
            self.post_message(self.EntrySelected(entry))

    # --- follow -------------------------------------------------------------------------------------

    def watch_following(self, following: bool) -> None:
        self.set_class(following, "-following")
        if self.is_mounted:
            self._show_count()
        if following:
            self._to_newest()
            self._reload_now()
        else:
            self._cancel_reload()

    def cycle_progressed(self, job_id: str) -> None:
        """A cycle of `job_id` reported progress (it may have written entries). Following, reload once
        per FOLLOW_DELAY however many reports come: a cycle reports per object."""
        if self.following and job_id == self.job_id and self._reload_timer is None:
            self._reload_timer = self.set_timer(self.FOLLOW_DELAY, self._reload_now)

    def _reload_now(self) -> None:
        self._reload_timer = None
        if self.summary is not None:
            self.post_message(self.ReloadRequested(self.summary))

    def _cancel_reload(self) -> None:
        if self._reload_timer is not None:
            self._reload_timer.stop()
            self._reload_timer = None

    @on(Reloaded)
    def _reloaded(self, message: Reloaded) -> None:
        message.stop()
        if message.summary.job.id == self.job_id:
            self.show(self.summary or message.summary, message.logs, message.now)

    @on(ReloadFailed)
    def _reload_failed(self, message: ReloadFailed) -> None:
        message.stop()
        self.following = False
        self.app.notify(str(message.error), title="Following the logs stopped", severity="error")

    # --- actions --------------------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.following = not self.following

    def action_search(self) -> None:
        self.query_one("#log-search", Input).focus()

    def action_clear_search(self) -> None:
        field = self.query_one("#log-search", Input)
        if not (field.has_focus or field.value):
            raise SkipAction()  # nothing to clear: escape goes on to the screen (back to the jobs)
        field.value = ""
        self.query_one("#logs-table", RowTable).focus()

    def action_export(self) -> None:
        summary, entries = self.summary, self.shown
        if summary is None:
            self.notify("Select a job first", severity="warning")
            return
        if not entries:
            self.notify("No entries to export: change the filters or the search", severity="warning")
            return

        def write(path: str | None) -> None:
            if path:
                self.post_message(
                    JobActionRequested(
                        "Export logs",
                        summary.job.id,
                        partial(write_json, path, entries),
                        success=f"{len(entries)} log entries written to {path}",
                    )
                )

        self.app.push_screen(
            PathDialog(
                "Export logs",
                f"Write the {len(entries)} shown log entries of {summary.name} as JSON to:",
                f"{summary.job.template_id}-logs.json",
                ok="Export",
            ),
            write,
        )


TAB = DetailTab(
    "tab-logs",
    "Logs",
    "#logs-table",
    lambda service: LogsPane(id="logs-pane"),
    lambda pane, view: pane.show(view.detail.summary, view.loaded, view.now),
    load=lambda service, job_id: service.logs(job_id, LOG_LIMIT),
)
