"""The Status and Settings tabs of the job detail (Logs, Escrows and Schema have modules of their own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    ProgressBar,
    Select,
    Sparkline,
    Static,
)

from ...key_values import split_pair
from ...models import parse_datetime
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
from ..template_fields import every_secret

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


TRACE_SETTING = "TraceRequests"
SCOPE_SECRET = "SyncAll"
"""Chosen with the Scope select rather than typed: Entra's "Sync only assigned" or "Sync all"."""
SCOPES = [("Sync only assigned users and groups", False), ("Sync all users and groups", True)]


class SettingsPane(VerticalScroll):
    """Interval, job settings and write-only secrets. Inputs are filled when the job changes only, so a
    background refresh never overwrites what the user is typing."""

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
        self._settings: dict[str, str] = {}
        self._sync_all: bool | None = None

    def compose(self) -> ComposeResult:
        yield Label("Interval (ISO 8601, e.g. PT40M)", classes="section")
        yield Input(id="setting-interval", placeholder="PT40M")
        yield Checkbox("Record every request to the target (`synctui logs JOB --requests`)", id="setting-trace")
        yield Label("Scope", classes="section", id="setting-scope-label")
        yield Select(SCOPES, allow_blank=False, value=False, id="setting-scope")
        yield Label("Job settings (name=value, one per field; empty value removes)", classes="section")
        yield Vertical(id="settings-fields")
        yield Input(id="setting-new", placeholder="NewSetting=value")
        yield Label("Secrets — write-only: values are never shown", classes="section")
        yield Vertical(id="secret-fields")
        yield Input(id="secret-new", placeholder="OtherSecretKey=value", password=True)
        with Horizontal(classes="buttons", id="settings-buttons"):  # docked: Save stays in view
            yield Button("Save", id="settings-save", variant="primary")
            yield Button("Test connection", id="settings-test")

    def show(self, detail: JobDetail, declared: Mapping[str, TemplateSettings], sync_all: bool | None) -> None:
        """`declared`: every template's settings; a secret any template declares has its field.
        `sync_all`: the job's scope (None: its source has no assignments, so no choice)."""
        job = detail.summary.job
        job_changed = job.id != self._job_id
        settings = {pair.name: pair.value or "" for pair in job.synchronization_job_settings}
        if job_changed or set(settings) != set(self._settings):
            self._job_id = job.id
            self._settings = settings
            self._sync_all = sync_all
            scope = self.query_one("#setting-scope", Select)
            scope.display = self.query_one("#setting-scope-label").display = sync_all is not None
            if sync_all is not None:
                scope.value = sync_all
            self.query_one("#setting-interval", Input).value = iso_interval(
                job.schedule.interval if job.schedule else None
            )
            fields = self.query_one("#settings-fields", Vertical)
            fields.remove_children()
            fields.mount_all(
                [
                    Input(f"{name}={value}", classes="setting-field")
                    for name, value in settings.items()
                    if name != TRACE_SETTING
                ]
            )
            self.query_one("#setting-trace", Checkbox).value = settings.get(TRACE_SETTING, "").lower() == "true"
            secrets = self.query_one("#secret-fields", Vertical)
            secrets.remove_children()
            keys = sorted((every_secret(declared) | set(detail.secret_keys)) - {SCOPE_SECRET})
            rows = []
            for key in keys:
                rows.append(
                    Horizontal(
                        Label(key, classes="secret-key"),
                        Label(
                            "set" if key in detail.secret_keys else "not set",
                            classes="secret-state " + ("is-set" if key in detail.secret_keys else "not-set"),
                            name=key,
                        ),
                        Input(
                            password=True,
                            placeholder="new value (leave empty to keep)",
                            name=key,
                            classes="secret-input",
                        ),
                        classes="secret-row",
                    )
                )
            secrets.mount_all(rows)
        else:
            for label in self.query(".secret-state").results(Label):
                is_set = label.name in detail.secret_keys
                label.update("set" if is_set else "not set")
                label.set_class(is_set, "is-set")
                label.set_class(not is_set, "not-set")

    def _secrets(self) -> dict[str, str]:
        secrets = {}
        for field in self.query(".secret-input").results(Input):
            if field.value and field.name:
                secrets[field.name] = field.value
        extra = split_pair(self.query_one("#secret-new", Input).value)
        if extra is not None:
            secrets[extra[0]] = extra[1]
        scope = self.query_one("#setting-scope", Select).value
        if self._sync_all is not None and scope != self._sync_all:
            secrets[SCOPE_SECRET] = "true" if scope else "false"
        return secrets

    def _changed_settings(self) -> dict[str, str | None]:
        new: dict[str, str | None] = {}
        seen = set()
        for field in self.query(".setting-field").results(Input):
            name, _, value = field.value.partition("=")
            name = name.strip()
            if name:
                seen.add(name)
                if self._settings.get(name) != value:
                    new[name] = value if value != "" else None
        for name in self._settings:
            if name not in seen and name != TRACE_SETTING:
                new[name] = None
        tracing = self.query_one("#setting-trace", Checkbox).value
        if tracing != (self._settings.get(TRACE_SETTING, "").lower() == "true"):
            new[TRACE_SETTING] = "true" if tracing else None
        extra = split_pair(self.query_one("#setting-new", Input).value)
        if extra is not None:
            new[extra[0]] = extra[1]
        return new

    def clear_secret_inputs(self) -> None:
        for field in self.query(".secret-input").results(Input):
            field.value = ""
        self.query_one("#secret-new", Input).value = ""
        self.query_one("#setting-new", Input).value = ""

    def forget(self) -> None:
        """Reload every field from the job at the next show()."""
        self._job_id = None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "settings-save":
            interval = self.query_one("#setting-interval", Input).value.strip()
            self.post_message(self.SaveRequested(interval or None, self._changed_settings(), self._secrets()))
        elif event.button.id == "settings-test":
            self.post_message(self.TestRequested(self._secrets()))


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
    lambda pane, view: pane.show(view.detail, *view.loaded),
    load=lambda service, job_id: (service.declared_settings(), service.sync_all(job_id)),
)
