"""The jobs table: one row per job, refreshed in place (cursor and scroll never move on refresh)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from ...service import JobSummary, next_run
from ..format import badge, enum_text, fuzzy_match, in_sync, interval_text, is_never, last_result, relative

COLUMNS = [
    ("name", "Name", 21), ("template", "Template", 10), ("status", "Status", 15), ("schedule", "Schedule", 12),
    ("last", "Last run", 8), ("result", "Last result", 14), ("sync", "In sync", 14), ("next", "Next run", 9),
]


def job_cells(summary: JobSummary, now: datetime) -> list[object]:
    job = summary.job
    status, schedule = job.status, job.schedule
    state = enum_text(schedule.state) if schedule else "—"
    last = status.last_execution if status else None
    if summary.running:
        next_text = Text("▶ running", style="bold cyan")
    elif schedule is None or state != "Active":
        next_text = Text("—", style="dim")
    else:
        due = next_run(job)
        next_text = Text("due now" if is_never(due) or due <= now else relative(due, now))
    return [
        Text(summary.name, overflow="ellipsis", no_wrap=True),
        job.template_id or "?",
        badge(status.code if status else None),
        f"{state} {interval_text(schedule.interval if schedule else None)}",
        relative(last.time_ended if last else None, now),
        last_result(job),
        in_sync(job),
        next_text,
    ]


def _plain(value: object) -> str:
    return f"{value.plain}|{value.style}" if isinstance(value, Text) else str(value)


class JobsTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._cells: dict[str, list[str]] = {}

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    @property
    def selected_job_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - an empty or shrinking table has no selection
            return None

    def show_jobs(self, summaries: list[JobSummary], now: datetime, filter_text: str = "") -> None:
        visible = [s for s in summaries
                   if fuzzy_match(filter_text, f"{s.name} {s.job.template_id} {enum_text(s.job.status.code if s.job.status else '')}")]
        wanted = [s.job.id or "" for s in visible]
        current = [key.value for key in self.rows]
        if wanted == current:
            for summary in visible:
                job_id = summary.job.id or ""
                cells = job_cells(summary, now)
                old = self._cells.get(job_id, [])
                for index, (key, _, _) in enumerate(COLUMNS):
                    if index >= len(old) or old[index] != _plain(cells[index]):
                        self.update_cell(job_id, key, cells[index])
                self._cells[job_id] = [_plain(c) for c in cells]
            return
        selected = self.selected_job_id
        row_index = self.cursor_row
        self.clear()
        self._cells.clear()
        for summary in visible:
            job_id = summary.job.id or ""
            cells = job_cells(summary, now)
            self.add_row(*cells, key=job_id)
            self._cells[job_id] = [_plain(c) for c in cells]
        if selected in wanted:
            self.move_cursor(row=wanted.index(selected), animate=False)
        elif wanted:
            self.move_cursor(row=min(row_index, len(wanted) - 1), animate=False)
