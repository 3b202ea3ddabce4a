"""The Logs tab: provisioning log entries, newest first, a page of 500 at a time, with the filters of
Entra's provisioning-log blade (action, status, date range, identity) and a search of every value.

While the whole log is loaded (up to 500 entries, the usual case) the filters and the search apply
as you type. A longer log is asked of the store (LogsPane.QueryRequested, answered by the jobs
screen's worker with Answered or QueryFailed), so that they reach every entry it keeps; `+` loads
the next page. Follow mode asks again as cycles write entries. Export writes every entry that
matches, as JSON or CSV (ExportRequested: the jobs screen asks where)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static

from ...models import parse_duration
from ...service import JobSummary
from ...store.log_query import LogPage, LogQuery, searchable_text
from ..actions import pane_bindings
from ..detail_tab import DetailTab
from ..dialogs.date_range import DateRange, DateRangeDialog
from ..format import ACTION_STYLES, STATUS_INFO_STYLES, log_time, object_name
from .row_table import Cell, Column, RowTable

ACTIONS = ["create", "update", "delete", "disable", "other"]
STATUSES = ["success", "failure", "skipped", "warning"]
CUSTOM = "custom"
DATE_RANGES = [
    ("last hour", "PT1H"),
    ("last 24 hours", "P1D"),
    ("last 7 days", "P7D"),
    ("last 30 days", "P30D"),
    ("custom…", CUSTOM),
]
"""The date filter's choices, as Entra's blade has them (the last 24 hours, 7 days, 30 days, a custom
range), and the last hour for local cycles that run every few minutes."""
COLUMNS = (
    Column("When", 20),
    Column("Action"),
    Column("Status"),
    Column("Object", 40),
    Column("Type"),
    Column("Error", 32),
)
PAGE = 500
"""Entries asked of the store at a time (newest first): the table draws only those in view."""


class LogsPane(Vertical):
    BINDING_GROUP_TITLE = "Logs"
    BINDINGS: ClassVar[list[BindingType]] = pane_bindings(
        "tab-logs",
        Binding(
            "escape", "clear_search", "Clear search", show=False, id="logs.clear_search", tooltip="Clear the search"
        ),
    )
    FOLLOW_DELAY = 1.0
    """Seconds during which progress reports are gathered into one reload while following."""
    QUERY_DELAY = 0.3
    """Seconds of no typing before a search of a log longer than a page is asked of the store."""

    following: reactive[bool] = reactive(False)

    class EntrySelected(Message):
        def __init__(self, entry: dict[str, Any]) -> None:
            super().__init__()
            self.entry = entry

    class QueryRequested(Message):
        """Read the entries that match `query`, `limit` of them from the `offset`-th on."""

        def __init__(self, summary: JobSummary, query: LogQuery, offset: int, limit: int) -> None:
            super().__init__()
            self.summary, self.query, self.offset, self.limit = summary, query, offset, limit

    class Answered(Message):
        def __init__(self, request: LogsPane.QueryRequested, page: LogPage, now: datetime) -> None:
            super().__init__()
            self.request, self.page, self.now = request, page, now

    class QueryFailed(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    class ExportRequested(Message):
        """Write every entry that matches `query` to a file (the jobs screen asks where)."""

        def __init__(self, summary: JobSummary, query: LogQuery, count: int | None) -> None:
            super().__init__()
            self.summary, self.query, self.count = summary, query, count

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary: JobSummary | None = None
        self._loaded_query = LogQuery()
        """The query the loaded entries answer."""
        self._logs: list[dict[str, Any]] = []
        self._matched = 0
        """How many entries answer the loaded query (loaded or not)."""
        self._total = 0
        """How many entries the job's log keeps."""
        self._text: dict[str, str] = {}
        self._now: datetime | None = None
        self._shown: list[dict[str, Any]] = []
        self._shown_ids: list[str] = []
        self._entry_by_key: dict[str, dict[str, Any]] = {}
        self._reload_timer: Timer | None = None
        self._query_timer: Timer | None = None
        self._custom_range: DateRange = (None, None)
        self._date_choice: Any = Select.BLANK
        """The date filter's choice in force (a custom range asked for and cancelled goes back to it)."""

    def compose(self) -> ComposeResult:
        with Grid(id="log-filters"):
            yield Select([(a, a) for a in ACTIONS], prompt="any action", id="log-action")
            yield Select([(s, s) for s in STATUSES], prompt="any status", id="log-status")
            yield Select(DATE_RANGES, prompt="any time", id="log-date")
            yield Input(placeholder="identity (name or id)", id="log-identity")
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
        """The entries in the table: those loaded that pass the filters and the search, newest first."""
        return list(self._shown)

    @property
    def log_query(self) -> LogQuery:
        """What the filters and the search ask for now (a date range ends now)."""

        def chosen(select_id: str) -> str:
            select = self.query_one(select_id, Select)
            return "" if select.is_blank() else str(select.value)

        date_range = chosen("#log-date")
        now = self._now or datetime.now().astimezone()
        since, until = self._custom_range if date_range == CUSTOM else (None, None)
        return LogQuery(
            since=now - parse_duration(date_range) if date_range and date_range != CUSTOM else since,
            until=until,
            identity=self.query_one("#log-identity", Input).value.strip(),
            action=chosen("#log-action"),
            status=chosen("#log-status"),
            text=self.query_one("#log-search", Input).value.strip(),
        )

    @property
    def _whole_log_loaded(self) -> bool:
        """Every entry is here: the filters apply to them without asking the store."""
        return self._loaded_query.is_empty and len(self._logs) >= self._total

    def show(self, summary: JobSummary, page: LogPage, now: datetime) -> None:
        """The newest page of the job's whole log (what the detail loads, whenever the job changes)."""
        same_job = summary.job.id == self.job_id
        if not same_job:
            self._cancel_reload()
        self.summary, self._now = summary, now
        if same_job and (not self._loaded_query.is_empty or len(self._logs) > len(page.entries)):
            # What the user asked for (a filter, more pages) is read again, not dropped for the page.
            self._ask(self._loaded_query, 0, max(PAGE, len(self._logs)))
            return
        self._take(LogQuery(), page, append=False)
        if not self._whole_log_loaded and not self.log_query.is_empty:
            self._ask(self.log_query)  # the filters shown ask for more than this page

    def tick(self, now: datetime) -> None:
        """Move the relative times on to `now`."""
        self._now = now
        self._refresh_rows(redraw=True)

    def _take(self, query: LogQuery, page: LogPage, *, append: bool) -> None:
        self._loaded_query = query
        self._logs = [*self._logs, *page.entries] if append else page.entries
        self._matched, self._total = page.matched, page.total
        keys = {self._key(e, i) for i, e in enumerate(self._logs)}
        self._text = {key: text for key, text in self._text.items() if key in keys}
        self._refresh_rows()

    @staticmethod
    def _key(entry: dict[str, Any], index: int) -> str:
        return str(entry.get("id") or index)

    def _search_text(self, key: str, entry: dict[str, Any]) -> str:
        """Made at the first search, then kept while the entry is shown: searching as you type
        looks at every entry at each key."""
        if key not in self._text:
            self._text[key] = searchable_text(entry)
        return self._text[key]

    def _refresh_rows(self, *, redraw: bool = False) -> None:
        query = self.log_query
        keyed = [(self._key(e, i), e) for i, e in enumerate(self._logs)]
        if query != self._loaded_query:  # the loaded entries, filtered here (while the store is asked)
            keyed = [(key, e) for key, e in keyed if query.matches(e, self._search_text(key, e))]
        self._shown = [e for _, e in keyed]
        self._show_count()
        self.query_one("#logs-empty").display = not keyed
        ids = [key for key, _ in keyed]
        if ids == self._shown_ids and not redraw:
            return
        table = self.query_one("#logs-table", RowTable)
        self._shown_ids = ids
        self._entry_by_key = dict(keyed)
        now = self._now or datetime.now().astimezone()
        # The cursor stays on its entry, wherever new entries push it; following, it is on the newest.
        table.set_rows(
            [(key, self._cells(entry, now)) for key, entry in keyed],
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

    @property
    def _more(self) -> int:
        """Entries that answer the loaded query and are not loaded yet."""
        return max(0, self._matched - len(self._logs))

    def _show_count(self) -> None:
        shown, total = len(self._shown), self._total
        entries = "entry" if total == 1 else "entries"
        if self.log_query != self._loaded_query:
            count = (
                f"{shown} of {total} {entries} match"
                if self._whole_log_loaded
                else f"{shown} match in the newest {len(self._logs)} · searching all {total}…"
            )
        elif self._loaded_query.is_empty:
            count = f"{total} {entries}" if not self._more else f"the newest {shown} of {total} {entries}"
        else:
            count = f"{self._matched} of {total} {entries} match"
            if self._more:
                count += f" · the newest {shown} shown"
        if self._more and self.log_query == self._loaded_query:
            count += f" · + {min(PAGE, self._more)} more"
        query = self.log_query
        if query.until is not None or (query.since is not None and self._date_choice == CUSTOM):
            since = f"{query.since:%Y-%m-%d %H:%M}" if query.since else "the first"
            count += f" · {since} → {query.until:%Y-%m-%d %H:%M}" if query.until else f" · since {since}"
        follow = "following ● new entries at the top" if self.following else "follow off (f)"
        self.query_one("#log-count", Label).update(f"{count} · {follow}")

    # --- asking the store -------------------------------------------------------------------------

    def _ask(self, query: LogQuery, offset: int = 0, limit: int = PAGE) -> None:
        self._cancel_query()
        if self.summary is not None:
            self.post_message(self.QueryRequested(self.summary, query, offset, limit))

    def _cancel_query(self) -> None:
        if self._query_timer is not None:
            self._query_timer.stop()
            self._query_timer = None

    def _filters_changed(self, *, typing: bool) -> None:
        self._refresh_rows()
        query = self.log_query
        if self._whole_log_loaded or query == self._loaded_query:
            self._cancel_query()
        elif typing and not query.is_empty:  # ask once the typing stops: a search of a long log parses it all
            self._cancel_query()
            self._query_timer = self.set_timer(self.QUERY_DELAY, lambda: self._ask(self.log_query))
        else:
            self._ask(query)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "log-date":
            if event.value == CUSTOM and self._date_choice != CUSTOM:
                self._ask_custom_range(event.select)
                return
            self._date_choice = event.value
        self._filters_changed(typing=False)

    def _ask_custom_range(self, select: Select[Any]) -> None:
        def chosen(date_range: DateRange | None) -> None:
            if date_range is None:
                select.value = self._date_choice  # cancelled: the range in force stays
                return
            self._custom_range, self._date_choice = date_range, CUSTOM
            self._filters_changed(typing=False)

        self.app.push_screen(DateRangeDialog(self._now or datetime.now().astimezone()), chosen)

    @on(Input.Changed, "#log-search, #log-identity")
    def _text_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filters_changed(typing=True)

    @on(Input.Submitted, "#log-search, #log-identity")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._query_timer is not None:
            self._ask(self.log_query)  # now: Enter says the typing is done
        self.query_one("#logs-table", RowTable).focus()

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        message.stop()
        request = message.request
        if request.summary.job.id != self.job_id:
            return
        self._now = message.now
        if request.offset == 0:
            self._take(request.query, message.page, append=False)
        elif request.query == self._loaded_query and request.offset == len(self._logs):
            self._take(request.query, message.page, append=True)

    @on(QueryFailed)
    def _query_failed(self, message: QueryFailed) -> None:
        message.stop()
        self.following = False
        self.app.notify(str(message.error), title="Reading the provisioning log failed", severity="error")

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
        """The loaded query again, as many entries as are loaded (a page at least)."""
        self._reload_timer = None
        self._ask(self._loaded_query, 0, max(PAGE, len(self._logs)))

    def _cancel_reload(self) -> None:
        if self._reload_timer is not None:
            self._reload_timer.stop()
            self._reload_timer = None

    # --- actions --------------------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.following = not self.following

    def action_search(self) -> None:
        self.query_one("#log-search", Input).focus()

    def action_more(self) -> None:
        if not self._more:
            self.notify("Every entry that matches is loaded", severity="information")
            return
        self._ask(self._loaded_query, len(self._logs))

    def action_clear_search(self) -> None:
        field = self.query_one("#log-search", Input)
        if not (field.has_focus or field.value):
            raise SkipAction()  # nothing to clear: escape goes on to the screen (back to the jobs)
        field.value = ""
        self.query_one("#logs-table", RowTable).focus()

    def action_export(self) -> None:
        if self.summary is None:
            self.notify("Select a job first", severity="warning")
            return
        query = self.log_query
        known = query == self._loaded_query or self._whole_log_loaded
        count = (self._matched if query == self._loaded_query else len(self._shown)) if known else None
        if count == 0:  # (while the store is still asked, older entries may match: it is asked again)
            self.notify("No entries to export: change the filters or the search", severity="warning")
            return
        self.post_message(self.ExportRequested(self.summary, query, count))


TAB = DetailTab(
    "tab-logs",
    "Logs",
    "#logs-table",
    lambda service: LogsPane(id="logs-pane"),
    lambda pane, view: pane.show(view.detail.summary, view.loaded, view.now),
    load=lambda service, job_id: service.log_page(job_id, LogQuery(), 0, PAGE),
    tick=lambda pane, now: pane.tick(now),
)
