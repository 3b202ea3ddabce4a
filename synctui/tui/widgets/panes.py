"""The Status and Settings tabs of the job detail (Logs, Escrows and Schema have modules of their own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Input,
    Label,
    ProgressBar,
    Sparkline,
    Static,
)

from ...models import parse_datetime
from ...template_settings import job_settings
from ..detail_tab import DetailTab
from ..format import (
    absolute,
    badge,
    duration_text,
    enum_text,
    in_sync_long,
    interval_text,
    iso_interval,
    next_run_text,
    relative,
)
from ..messages import JobDetail
from .setting_fields import SettingFields

if TYPE_CHECKING:
    from ...service import JobSummary
    from ...template_settings import TemplateSettings


def _grid() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


STAGED_SHOWN = 8
"""The newest staged bulkUpload operations listed; the count covers them all."""

CHARTS = (
    ("seconds", "Duration per cycle"),
    ("exports", "Exports per cycle"),
    ("escrowed", "Escrowed per cycle (countEscrowedRaw)"),
)
CHART_UNITS = {"seconds": duration_text}
"""How a chart's figures are written, where they have a unit (the others are counts)."""


class StatusPane(VerticalScroll):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[JobDetail, list[dict[str, Any]], list[dict[str, Any]]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status-summary")
        with Vertical(id="progress-box"):
            yield Label("Cycle running…", id="progress-label")
            yield ProgressBar(id="cycle-progress", show_eta=False)
        yield Static(id="quarantine", classes="quarantine")
        yield Static(id="staged")
        for key, title in CHARTS:
            yield Label(title, id=f"chart-{key}-label", classes="section chart-label")
            yield Sparkline([], id=f"chart-{key}", classes="chart")

    def show(
        self,
        detail: JobDetail,
        now: datetime,
        progress: tuple[int, int] | None,
        history: list[dict[str, Any]],
        staged: list[dict[str, Any]],
    ) -> None:
        """`history`: the last cycles' figures, oldest first (the charts). `staged`: the bulkUpload
        operations of an API-driven inbound job, newest first."""
        self._shown = (detail, history, staged)
        self._draw(detail, now, history, staged)
        box = self.query_one("#progress-box")
        box.display = detail.summary.running
        if detail.summary.running:
            self.show_progress(progress)

    def _draw(
        self, detail: JobDetail, now: datetime, history: list[dict[str, Any]], staged: list[dict[str, Any]]
    ) -> None:
        """All but the progress bar (which cycles move on their own): what a tick draws again."""
        summary = detail.summary
        job = summary.job
        status = job.status
        grid = _grid()
        grid.add_row("Job", Text(summary.name))
        grid.add_row("Id", Text(job.id or "", style="dim"))
        grid.add_row("Status", badge(status.code if status else None))
        if job.schedule:
            grid.add_row("Schedule", f"{enum_text(job.schedule.state)}, every {interval_text(job.schedule.interval)}")
        grid.add_row("Next run", _next_run(summary, now))
        last = status.last_execution if status else None
        if last is not None:
            took = duration_text((last.time_ended - last.time_began).total_seconds())
            grid.add_row(
                "Last run",
                f"{enum_text(last.state)} in {took}, ended {relative(last.time_ended, now)} "
                f"({absolute(last.time_ended)})",
            )
            grid.add_row(
                "  counters",
                f"imported {last.count_imported} (deltas {last.count_imported_deltas}) · "
                f"entitled {last.count_entitled} · exported {last.count_exported} of {last.count_exports}",
            )
            grid.add_row(
                "  escrowed",
                f"{last.count_escrowed} failed this cycle (countEscrowed) · "
                f"{last.count_escrowed_raw} counting reference failures (countEscrowedRaw)",
            )
            if last.error is not None and (last.error.code or last.error.message):
                grid.add_row("  error", Text(f"{last.error.code or ''}: {last.error.message or ''}", style="red"))
        else:
            grid.add_row("Last run", Text("never — start the job (s) or run it now (n)", style="dim"))
        success = status.last_successful_execution if status else None
        grid.add_row("Last success", relative(success.time_ended, now) if success else "never")
        if status:
            grid.add_row(
                "Steady state",
                f"first {absolute(status.steady_state_first_achieved_time)}, "
                f"last {relative(status.steady_state_last_achieved_time, now)}",
            )
            grid.add_row("Failures in a row", str(status.count_successive_complete_failures))
        grid.add_row("In sync", in_sync_long(job))
        grid.add_row("Escrows", _escrows_waiting(detail, now))
        grid.add_row("Secrets", ", ".join(sorted(detail.secret_keys)) + " set" if detail.secret_keys else "none set")
        self.query_one("#status-summary", Static).update(grid)

        quarantine = status.quarantine if status else None
        panel = self.query_one("#quarantine", Static)
        panel.display = quarantine is not None
        if quarantine is not None:
            q = _grid()
            q.add_row(Text("QUARANTINE", style="bold red"), Text(enum_text(quarantine.reason), style="bold"))
            q.add_row(
                "Since", f"{absolute(quarantine.current_began)} (series began {absolute(quarantine.series_began)})"
            )
            q.add_row("Next attempt", _next_run(summary, now))
            if quarantine.error is not None:
                q.add_row(
                    "Error", Text(f"{quarantine.error.code or ''}: {quarantine.error.message or ''}", style="red")
                )
            if enum_text(quarantine.reason) == "TooManyDeletes":
                q.add_row(
                    "", Text("Press a to review the held deletes and allow them (runs the cycle now)", style="italic")
                )
            panel.update(q)
        self._show_staged(staged, now)
        for key, title in CHARTS:
            values = [float(cycle.get(key) or 0) for cycle in history]
            written = CHART_UNITS.get(key, lambda value: f"{value:g}")
            label = (
                f"{title}: last {written(values[-1])}, max {written(max(values))} over {len(values)} cycles"
                if values
                else f"{title}: no cycle yet"
            )
            self.query_one(f"#chart-{key}-label", Label).update(label)
            chart = self.query_one(f"#chart-{key}", Sparkline)
            chart.display = len(values) > 1  # one cycle is a number, not a rhythm
            chart.data = values

    def _show_staged(self, staged: list[dict[str, Any]], now: datetime) -> None:
        panel = self.query_one("#staged", Static)
        panel.display = bool(staged)
        if not staged:
            return
        waiting = sum(not operation["processed"] for operation in staged)
        table = _grid()
        table.add_row(
            "Staged payloads",
            f"{len(staged)} operation(s) received, {waiting} waiting for the next cycle (outcome in Logs)",
        )
        for operation in staged[:STAGED_SHOWN]:
            state = Text("processed", style="green") if operation["processed"] else Text("waiting", style="yellow")
            received = relative(parse_datetime(operation["receivedDateTime"]), now)
            table.add_row(f"  {received}", Text.assemble(state, f"  {operation['bulkId']} → {operation['externalId']}"))
        panel.update(table)

    def tick(self, now: datetime) -> None:
        """The same job shown again at `now`: its relative times move on."""
        if self._shown is not None:
            detail, history, staged = self._shown
            self._draw(detail, now, history, staged)

    def show_progress(self, progress: tuple[int, int] | None) -> None:
        """Move the progress bar alone, as a cycle reports progress: the rest stays as it was shown."""
        bar = self.query_one("#cycle-progress", ProgressBar)
        if progress and progress[1]:
            bar.update(total=progress[1], progress=progress[0])
        else:
            bar.update(total=None)


def _next_run(summary: JobSummary, now: datetime) -> Text:
    """The next run, or why there is none (the schedule says it: Disabled or Paused runs nothing)."""
    job = summary.job
    if summary.next_run is None and job.schedule is not None and not summary.running:
        state = enum_text(job.schedule.state)
        if enum_text(job.status.code if job.status else "") == "NotConfigured":
            why = "the job is not configured: set its secrets (Settings tab)"
        elif state == "Active":
            why = "the schedule expired"
        else:
            why = f"the schedule is {state}: start the job (s) to run it on its schedule"
        return Text(f"none — {why}", style="dim")
    return next_run_text(summary.next_run, now, running=summary.running)


def _escrows_waiting(detail: JobDetail, now: datetime) -> str:
    """How many objects wait for a retry (from this and earlier cycles) and when the next cycle comes."""
    if not detail.escrows:
        return "none"
    waiting = f"{len(detail.escrows)} objects wait for a retry (escrowed in this or earlier cycles)"
    if detail.summary.next_run is None:
        return f"{waiting}; no cycle is scheduled"
    return f"{waiting}; next cycle {next_run_text(detail.summary.next_run, now).plain}"


class SettingsPane(VerticalScroll):
    """Interval, the fields of the job's template (SettingFields) and write-only secrets. The fields
    are filled when another job is shown only, so a background refresh never overwrites what the user
    is typing."""

    BINDING_GROUP_TITLE = "Settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "save", "Save settings", id="settings.save", tooltip="Save the interval, settings and secrets"
        ),
    ]

    class SaveRequested(Message):
        def __init__(self, interval: str | None, settings: dict[str, str | None], secrets: dict[str, str]) -> None:
            super().__init__()
            self.interval, self.settings, self.secrets = interval, settings, secrets

    class TestRequested(Message):
        def __init__(self, secrets: dict[str, str]) -> None:
            super().__init__()
            self.secrets = secrets

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._job_id: str | None = None
        self._filled: tuple[str, dict[str, str], dict[str, str]] = ("", {}, {})
        """The interval, settings and readable secrets the fields were filled with."""

    def compose(self) -> ComposeResult:
        yield Label("Interval (ISO 8601, e.g. PT40M)", classes="section")
        yield Input(id="setting-interval", placeholder="PT40M")
        yield SettingFields(id="settings-fields")
        with Horizontal(classes="buttons", id="settings-buttons"):  # docked: Save stays in view
            yield Button("Save (ctrl+s)", id="settings-save", variant="primary")
            yield Button("Test connection", id="settings-test")

    def show(self, detail: JobDetail, loaded: tuple[Mapping[str, TemplateSettings], Mapping[str, str]]) -> None:
        """`loaded`: every template's declared settings, and the job's readable secrets."""
        declared, readable = loaded
        job = detail.summary.job
        fields = self.query_one(SettingFields)
        interval = iso_interval(job.schedule.interval if job.schedule else None)
        stored = (interval, job_settings(job), dict(readable))
        # Another job, or this one changed elsewhere (the CLI) while nothing here is typed: fill afresh.
        if job.id != self._job_id or (stored != self._filled and not self._edited()):
            template = declared.get(job.template_id or "")
            if template is None:
                return
            self._job_id, self._filled = job.id, stored
            self.query_one("#setting-interval", Input).value = interval
            fields.fill(template, stored[1], detail.secret_keys, readable)
        else:
            fields.show_secret_states(detail.secret_keys)

    def _edited(self) -> bool:
        """Whether a field differs from what it was filled with."""
        settings, secrets = self.query_one(SettingFields).changes()
        return bool(settings or secrets) or self.query_one("#setting-interval", Input).value != self._filled[0]

    def clear_secret_inputs(self) -> None:
        self.query_one(SettingFields).clear_secrets()

    def forget(self) -> None:
        """Reload every field from the job at the next show()."""
        self._job_id = None

    def action_save(self) -> None:
        interval = self.query_one("#setting-interval", Input).value.strip()
        settings, secrets = self.query_one(SettingFields).changes()
        self.post_message(self.SaveRequested(interval or None, settings, secrets))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "settings-save":
            self.action_save()
        elif event.button.id == "settings-test":
            self.post_message(self.TestRequested(self.query_one(SettingFields).changes()[1]))


STATUS_TAB = DetailTab(
    "tab-status",
    "Status",
    "#status-pane",
    lambda service: StatusPane(id="status-pane"),
    lambda pane, view: pane.show(view.detail, view.now, view.progress, *view.loaded),
    load=lambda service, job_id: (service.cycle_history(job_id), service.staged_operations(job_id)),
    tick=lambda pane, now: pane.tick(now),
)
SETTINGS_TAB = DetailTab(
    "tab-settings",
    "Settings",
    "#setting-interval",
    lambda service: SettingsPane(id="settings-pane"),
    lambda pane, view: pane.show(view.detail, view.loaded),
    load=lambda service, job_id: (service.declared_settings(), service.readable_secrets(job_id)),
)
