"""The jobs table: one row per job, refreshed in place (cursor and scroll never move on refresh)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ...service import JobSummary
from ..format import (
    badge,
    enum_text,
    fit_cell,
    fuzzy_match,
    in_sync,
    interval_text,
    last_result,
    next_run_text,
    relative,
)

COLUMNS = [
    ("name", "Name", 19),
    ("template", "Template", 10),
    ("status", "Status", 15),
    ("schedule", "Schedule", 12),
    ("last", "Last run", 8),
    ("result", "Last result", 16),
    ("sync", "In sync", 14),
    ("next", "Next run", 9),
]
NARROW_COLUMNS = {"name": 18, "status": 15, "last": 8, "result": 17, "next": 9}
"""What fits 80 columns, and how wide; the template, schedule and counts are on the Status tab."""
COUNT_COLUMNS = {"result", "sync"}
"""Columns whose long numbers are abbreviated (59421 → 59k) when the cell is too wide for them."""


def fitted_cells(summary: JobSummary, now: datetime, widths: dict[str, int]) -> dict[str, Text | str]:
    """The job's cells, each fitted to its column's width: nothing is cut without a sign."""
    return {
        key: fit_cell(value, widths[key], counts=key in COUNT_COLUMNS)
        for key, value in job_cells(summary, now).items()
        if key in widths
    }


def job_cells(summary: JobSummary, now: datetime) -> dict[str, Text | str]:
    job = summary.job
    status, schedule = job.status, job.schedule
    state = enum_text(schedule.state) if schedule else "—"
    last = status.last_execution if status else None
    return {
        "name": Text(summary.name, overflow="ellipsis", no_wrap=True),
        "template": job.template_id or "?",
        "status": badge(status.code if status else None),
        "schedule": f"{state} {interval_text(schedule.interval if schedule else None)}",
        "last": relative(last.time_ended if last else None, now),
        "result": last_result(job),
        "sync": in_sync(job),
        "next": next_run_text(summary.next_run, now, running=summary.running),
    }


def _plain(value: object) -> str:
    return f"{value.plain}|{value.style}" if isinstance(value, Text) else str(value)


class JobsTable(DataTable[Text | str]):
    BINDING_GROUP_TITLE = "Jobs table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="jobs_table.down", tooltip="Next job"),
        Binding("k", "cursor_up", "Up", show=False, id="jobs_table.up", tooltip="Previous job"),
        Binding("g", "scroll_top", "Top", show=False, id="jobs_table.top", tooltip="First job"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="jobs_table.bottom", tooltip="Last job"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self._cells: dict[str, dict[str, str]] = {}
        self._narrow = False
        self._shown: tuple[list[JobSummary], datetime, str] | None = None

    def on_mount(self) -> None:
        if not self.columns:  # the screen may have made the table narrow before it was mounted
            self._add_columns()

    def _add_columns(self) -> None:
        for key, label, width in COLUMNS:
            if not self._narrow:
                self.add_column(label, key=key, width=width)
            elif key in NARROW_COLUMNS:
                self.add_column(label, key=key, width=NARROW_COLUMNS[key])

    def _column_keys(self) -> list[str]:
        """The keys of the columns shown: each is added with its key, so none is None."""
        return [key.value for key in self.columns if key.value is not None]

    def _widths(self) -> dict[str, int]:
        """The shown columns' widths, by key."""
        if self._narrow:
            return dict(NARROW_COLUMNS)
        return {key: width for key, _, width in COLUMNS}

    @property
    def narrow(self) -> bool:
        return self._narrow

    @narrow.setter
    def narrow(self, narrow: bool) -> None:
        """Show only the columns that fit 80 columns (or all of them again)."""
        if narrow == self._narrow:
            return
        self._narrow = narrow
        selected = self.selected_job_id
        self.clear(columns=True)
        self._cells.clear()
        self._add_columns()
        if self._shown is not None:
            self.show_jobs(*self._shown)
        if selected is not None:
            keys = [key.value for key in self.rows]
            if selected in keys:
                self.move_cursor(row=keys.index(selected), animate=False)

    @property
    def selected_job_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - an empty or shrinking table has no selection
            return None

    def show_jobs(self, summaries: list[JobSummary], now: datetime, filter_text: str = "") -> None:
        self._shown = (summaries, now, filter_text)
        columns = self._column_keys()
        widths = self._widths()
        visible = [
            s
            for s in summaries
            if fuzzy_match(
                filter_text, f"{s.name} {s.job.template_id} {enum_text(s.job.status.code if s.job.status else '')}"
            )
        ]
        wanted = [s.job.id or "" for s in visible]
        current = [key.value for key in self.rows]
        if wanted == current:
            for summary in visible:
                job_id = summary.job.id or ""
                cells = fitted_cells(summary, now, widths)
                old = self._cells.get(job_id, {})
                for key in columns:
                    if old.get(key) != _plain(cells[key]):
                        self.update_cell(job_id, key, cells[key])
                self._cells[job_id] = {key: _plain(cells[key]) for key in columns}
            return
        selected = self.selected_job_id
        row_index = self.cursor_row
        self.clear()
        self._cells.clear()
        for summary in visible:
            job_id = summary.job.id or ""
            cells = fitted_cells(summary, now, widths)
            self.add_row(*(cells[key] for key in columns), key=job_id)
            self._cells[job_id] = {key: _plain(cells[key]) for key in columns}
        if selected in wanted:
            self.move_cursor(row=wanted.index(selected), animate=False)
        elif wanted:
            self.move_cursor(row=min(row_index, len(wanted) - 1), animate=False)
