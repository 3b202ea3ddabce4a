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
    Sparkline,
    Static,
)

from ...key_values import split_pair
from ..detail_tab import DetailTab
from ..format import (
    absolute,
    badge,
    enum_text,
    in_sync_long,
    interval_text,
    is_never,
    iso_interval,
    relative,
)
from ..messages import JobDetail
from ..template_fields import every_secret

if TYPE_CHECKING:
    from ...template_settings import TemplateSettings


def _grid() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


CHARTS = (("seconds", "Duration per cycle"), ("exports", "Exports per cycle"), ("escrowed", "Errors per cycle"))


class StatusPane(VerticalScroll):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[JobDetail, list[dict[str, Any]]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status-summary")
        with Vertical(id="progress-box"):
            yield Label("Cycle running…", id="progress-label")
            yield ProgressBar(id="cycle-progress", show_eta=False)
        yield Static(id="quarantine", classes="quarantine")
        for key, title in CHARTS:
            yield Label(title, id=f"chart-{key}-label", classes="section chart-label")
            yield Sparkline([], id=f"chart-{key}", classes="chart")

    def show(
        self, detail: JobDetail, now: datetime, progress: tuple[int, int] | None, history: list[dict[str, Any]]
    ) -> None:
        """`history`: the last cycles' figures, oldest first (the charts)."""
        self._shown = (detail, history)
        self._draw(detail, now, history)
        box = self.query_one("#progress-box")
        box.display = detail.summary.running
        if detail.summary.running:
            self.show_progress(progress)

    def _draw(self, detail: JobDetail, now: datetime, history: list[dict[str, Any]]) -> None:
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
        last = status.last_execution if status else None
        if last is not None:
            grid.add_row(
                "Last run",
                f"{enum_text(last.state)}, ended {relative(last.time_ended, now)} ({absolute(last.time_ended)})",
            )
            grid.add_row(
                "  counters",
                f"imported {last.count_imported} (deltas {last.count_imported_deltas}) · "
                f"entitled {last.count_entitled} · exported {last.count_exported} · "
                f"escrowed {last.count_escrowed}",
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
        grid.add_row("Escrows", f"{len(detail.escrows)} waiting for retry" if detail.escrows else "none")
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
            q.add_row(
                "Next attempt", relative(quarantine.next_attempt, now) if not is_never(quarantine.next_attempt) else "—"
            )
            if quarantine.error is not None:
                q.add_row(
                    "Error", Text(f"{quarantine.error.code or ''}: {quarantine.error.message or ''}", style="red")
                )
            if enum_text(quarantine.reason) == "TooManyDeletes":
                q.add_row("", Text("Press a to allow the deletes (restart with ForceDeletes)", style="italic"))
            panel.update(q)
        for key, title in CHARTS:
            values = [float(cycle.get(key) or 0) for cycle in history]
            label = (
                f"{title}: last {values[-1]:g}, max {max(values):g} over {len(values)} cycles"
                if values
                else f"{title}: no cycle yet"
            )
            self.query_one(f"#chart-{key}-label", Label).update(label)
            chart = self.query_one(f"#chart-{key}", Sparkline)
            chart.display = len(values) > 1  # one cycle is a number, not a rhythm
            chart.data = values

    def tick(self, now: datetime) -> None:
        """The same job shown again at `now`: its relative times move on."""
        if self._shown is not None:
            self._draw(self._shown[0], now, self._shown[1])

    def show_progress(self, progress: tuple[int, int] | None) -> None:
        """Move the progress bar alone, as a cycle reports progress: the rest stays as it was shown."""
        bar = self.query_one("#cycle-progress", ProgressBar)
        if progress and progress[1]:
            bar.update(total=progress[1], progress=progress[0])
        else:
            bar.update(total=None)


TRACE_SETTING = "TraceRequests"


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

    def compose(self) -> ComposeResult:
        yield Label("Interval (ISO 8601, e.g. PT40M)", classes="section")
        yield Input(id="setting-interval", placeholder="PT40M")
        yield Checkbox("Record every request to the target (`synctui logs JOB --requests`)", id="setting-trace")
        yield Label("Job settings (name=value, one per field; empty value removes)", classes="section")
        yield Vertical(id="settings-fields")
        yield Input(id="setting-new", placeholder="NewSetting=value")
        yield Label("Secrets — write-only: values are never shown", classes="section")
        yield Vertical(id="secret-fields")
        yield Input(id="secret-new", placeholder="OtherSecretKey=value", password=True)
        with Horizontal(classes="buttons", id="settings-buttons"):  # docked: Save stays in view
            yield Button("Save", id="settings-save", variant="primary")
            yield Button("Test connection", id="settings-test")

    def show(self, detail: JobDetail, declared: Mapping[str, TemplateSettings]) -> None:
        """`declared`: every template's settings; a secret any template declares has its field."""
        job = detail.summary.job
        job_changed = job.id != self._job_id
        settings = {pair.name: pair.value or "" for pair in job.synchronization_job_settings}
        if job_changed or set(settings) != set(self._settings):
            self._job_id = job.id
            self._settings = settings
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
            keys = sorted(every_secret(declared) | set(detail.secret_keys))
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
    lambda pane, view: pane.show(view.detail, view.now, view.progress, view.loaded),
    load=lambda service, job_id: service.cycle_history(job_id),
    tick=lambda pane, now: pane.tick(now),
)
SETTINGS_TAB = DetailTab(
    "tab-settings",
    "Settings",
    "#setting-interval",
    lambda service: SettingsPane(id="settings-pane"),
    lambda pane, view: pane.show(view.detail, view.loaded),
    load=lambda service, job_id: service.declared_settings(),
)
