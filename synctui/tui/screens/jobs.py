"""The main screen: the jobs table on the left (or top), the selected job's detail tabs beside it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Input, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from ...models import SynchronizationTaskExecution
from ...service import (
    CycleProgress,
    JobRemoved,
    JobSummary,
    NotFound,
    SyncService,
    shortened,
)
from ..actions import (
    APP_ACTIONS,
    JOB_ACTIONS,
    SCREEN_VIEWS,
    bindings,
    job_action_applies,
    secondary,
)
from ..detail_tab import TabView
from ..dialogs.confirm import ConfirmDialog
from ..dialogs.log_entry import LogEntryScreen
from ..dialogs.path import PathDialog
from ..dialogs.restart import DANGEROUS, RestartDialog
from ..export import Exported, default_export_path, export_logs, export_target
from ..format import cycle_report, enum_text, object_name, scope_consequence
from ..messages import (
    DetailLoaded,
    JobActionDone,
    JobActionFailed,
    JobActionRequested,
    JobDetail,
    JobsDirty,
    JobsLoaded,
    ProgressChanged,
)
from ..schema_file import SchemaFile, export_schema, read_schema
from ..service_app import ServiceApp
from ..sizes import NARROW, WIDE
from ..tabs import TAB_BY_ID, TAB_BY_VIEW, TABS
from ..widgets.assignments_pane import AssignmentsPane
from ..widgets.escrows_pane import EscrowsPane
from ..widgets.footer import ResponsiveFooter
from ..widgets.jobs_table import JobsTable
from ..widgets.logs_pane import LogsPane
from ..widgets.panes import SettingsPane, StatusPane
from ..widgets.schema_editor import SchemaEditor

# The job actions whose answer the screen follows up (see `_job_action_done`), by the name their
# toasts use: one constant each, so a request and its follow-up cannot drift apart.
(
    RUN_NOW,
    SIMULATE_CHANGES,
    IMPORT_SCHEMA,
    SAVE_SETTINGS,
    ASSIGN,
    UNASSIGN,
    REVIEW_DELETES,
    ALLOW_DELETES,
    EXPORT_LOGS,
) = (
    "Run now",
    "Simulate changes",
    "Import schema",
    "Save settings",
    "Assign",
    "Remove assignment",
    "Review held deletes",
    "Allow deletes",
    "Export logs",
)

# What the screen's loads are called in their failure toasts ("Loading jobs failed").
LOADING_JOBS, LOADING_JOB = "Loading jobs", "Loading the job"

CHANGES_SHOWN = 12
"""Lines of an import's change summary that fit the confirm dialog in a 24-line terminal."""
DELETES_SHOWN = 8
"""Held deletes listed in the Allow deletes dialog, which also asks for the job's name, in 24 lines."""


@dataclass(frozen=True)
class CycleRan:
    """A cycle run from the dashboard, and what its toast tells: the job after it, its escrows."""

    execution: SynchronizationTaskExecution | None
    """None: a cycle of the job had started meanwhile (see `SyncService.allow_deletes`)."""
    summary: JobSummary
    waiting: int


SCOPE_ORDER = ["Full", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "ForceDeletes"]
TICK = 5.0
"""Seconds between moves of the relative times ("35s ago") in the table and the tab on view."""
HOME_POLL = 2.0
"""Seconds between looks at the home for changes made by other processes (the CLI, `synctui serve`)."""


class JobsScreen(Screen[None]):
    app = getters.app(ServiceApp)
    BINDING_GROUP_TITLE = "Jobs"
    AUTO_FOCUS = "#jobs"
    BINDINGS: ClassVar[list[BindingType]] = bindings(JOB_ACTIONS)

    def __init__(self, service: SyncService) -> None:
        super().__init__()
        self.service = service
        self.summaries: dict[str, JobSummary] = {}
        self.order: list[str] = []
        self.selected: str | None = None
        self.detail: JobDetail | None = None
        self.progress: dict[str, tuple[int, int]] = {}
        self.loaded = False
        self._unsubscribe: Any = None
        self._stale: set[str] = set()
        """Tabs not filled since the detail was loaded (see _render_tab)."""
        self._panes: dict[str, Widget] = {}
        """Each tab's content, by tab id."""
        self._home_stamp: object = None
        """The home's change stamp when the jobs were last read (see `_look_at_home`)."""

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="body"):
            with Vertical(id="jobs-pane"):
                yield Input(placeholder="filter jobs (name, template, status)…", id="filter")
                yield JobsTable(id="jobs")
                yield Static("No jobs yet. Press c to create one from a template.", id="jobs-empty", classes="empty")
            with TabbedContent(id="detail", initial=TABS[0].id):
                for tab in TABS:
                    with TabPane(tab.title, id=tab.id):
                        yield self._panes.setdefault(tab.id, tab.pane(self.service))
        yield ResponsiveFooter(secondary=secondary(APP_ACTIONS + JOB_ACTIONS))

    def on_mount(self) -> None:
        self._unsubscribe = self.service.subscribe(self._on_service_event)
        self.load_jobs()
        self.set_interval(TICK, self._tick)
        self.set_interval(HOME_POLL, self._look_at_home)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")
        self.query_one(JobsTable).narrow = event.size.width < NARROW

    # --- service events → messages (called on other threads) --------------------------------------

    def _on_service_event(self, event: object) -> None:
        if isinstance(event, CycleProgress):
            self.post_message(ProgressChanged(event.job_id, event.completed, event.total))
        else:
            self.post_message(JobsDirty(getattr(event, "job_id", None), isinstance(event, JobRemoved)))

    @on(JobsDirty)
    def _jobs_dirty(self, message: JobsDirty) -> None:
        self.load_jobs()

    @on(ProgressChanged)
    def _progress_changed(self, message: ProgressChanged) -> None:
        progress = self.progress[message.job_id] = (message.completed, message.total)
        if message.job_id == self.selected:
            if self.query_one("#detail", TabbedContent).active == "tab-status" and "tab-status" not in self._stale:
                self.query_one(StatusPane).show_progress(progress)
            else:
                self._stale.add("tab-status")  # filled with the progress when it is opened
        self.query_one(LogsPane).cycle_progressed(message.job_id)

    def _tick(self) -> None:
        """Relative times move on even when nothing happens: in the table, and in the tab on view
        if it shows any (a tab not yet filled since its job changed is left to be filled)."""
        if self.summaries:
            self._show_table()
        active = self.query_one("#detail", TabbedContent).active
        tab = TAB_BY_ID.get(active)
        if tab is not None and tab.tick is not None and self.detail is not None and active not in self._stale:
            tab.tick(self._panes[active], self.service.clock.now())

    def _look_at_home(self) -> None:
        """Another process (`synctui jobs create`, `synctui serve` running cycles) changed the home:
        read the jobs again. Two stats, so it is cheap to do every HOME_POLL seconds; changes this
        dashboard made were read already (the stamp is taken as the jobs are read)."""
        if self._home_stamp is not None and self.service.home.change_stamp() != self._home_stamp:
            self.load_jobs()

    def action_refresh(self) -> None:
        self.load_jobs()

    # --- loading --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="jobs", exit_on_error=False)
    def load_jobs(self) -> None:
        stamp = self.service.home.change_stamp()  # before reading: a change meanwhile is read again
        try:
            summaries = self.service.job_summaries()
        except Exception as error:  # noqa: BLE001 - shown as a toast; the app keeps running
            # Said once: the home is read again when it changes (a damaged file fixed), not at each look.
            self._home_stamp = stamp
            self.post_message(JobActionFailed(LOADING_JOBS, error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(JobsLoaded(summaries, stamp))

    @on(JobsLoaded)
    def _jobs_loaded(self, message: JobsLoaded) -> None:
        self.loaded = True
        self._home_stamp = message.stamp
        self.summaries = {s.job.id or "": s for s in message.summaries}
        self.order = [s.job.id or "" for s in message.summaries]
        for job_id in list(self.progress):
            if job_id not in self.summaries or not self.summaries[job_id].running:
                self.progress.pop(job_id)
        self._show_table()
        self.query_one("#jobs-empty").display = not self.summaries
        table = self.query_one(JobsTable)
        current = table.selected_job_id
        if current != self.selected:
            self._select(current)
        elif current is not None:
            self.load_detail(current)
        self.refresh_bindings()

    def _show_table(self) -> None:
        table = self.query_one(JobsTable)
        table.show_jobs(
            [self.summaries[i] for i in self.order if i in self.summaries],
            self.service.clock.now(),
            self.query_one("#filter", Input).value,
        )

    def on_data_table_row_highlighted(self, event: JobsTable.RowHighlighted) -> None:
        if isinstance(event.data_table, JobsTable):
            self._select(event.row_key.value)

    def _select(self, job_id: str | None) -> None:
        if job_id == self.selected:
            return
        editor = self.query_one(SchemaEditor)
        if editor.dirty and editor.job_id and job_id != editor.job_id:
            self._ask_discard(editor, job_id)
            return
        self.selected = job_id
        self.detail = None
        self.refresh_bindings()
        if job_id is not None:
            self.load_detail(job_id)

    def _ask_discard(self, editor: SchemaEditor, job_id: str | None) -> None:
        """Leaving a job whose schema has unsaved edits asks first; No puts the cursor back."""
        back = editor.job_id
        name = self.summaries[back].name if back in self.summaries else back

        def answer(discard: bool | None) -> None:
            if discard:
                editor.discard()
                self._select(job_id)
            else:
                self.select_job(back or "")

        if not isinstance(self.app.screen, ConfirmDialog):
            self.app.push_screen(
                ConfirmDialog(
                    "Discard unsaved schema changes?",
                    f"The schema of {name} has changes that are not saved. Discard them?",
                    yes="Discard",
                ),
                answer,
            )

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, job_id: str) -> None:
        try:
            detail = JobDetail(
                summary=self.service.job_summary(job_id),
                escrows=self.service.escrows(job_id),
                secret_keys=self.service.secret_keys(job_id),
                loaded={tab.id: tab.load(self.service, job_id) for tab in TABS if tab.load is not None},
            )
        except NotFound:
            return
        except Exception as error:  # noqa: BLE001 - shown as a toast; the app keeps running
            self.post_message(JobActionFailed(LOADING_JOB, error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(DetailLoaded(detail))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        detail = message.detail
        if detail.summary.job.id != self.selected:
            return
        self.detail = detail
        self.summaries[self.selected or ""] = detail.summary
        self._stale = set(TAB_BY_ID)
        self._render_tab(self.query_one("#detail", TabbedContent).active)
        self.refresh_bindings()

    def _render_tab(self, tab: str) -> None:
        """Fill one tab from the loaded detail, if it has not been since it was loaded. Only the tab
        on view is filled when a job is selected or changes: the others wait until they are opened
        (the Status tab alone is a layout and a paint, which the keys pressed meanwhile would wait
        for; a cycle's detail reloads come every checkpoint)."""
        detail = self.detail
        if detail is None or tab not in self._stale:
            return
        self._stale.discard(tab)
        view = TabView(
            detail, self.service.clock.now(), self.progress.get(detail.summary.job.id or ""), detail.loaded.get(tab)
        )
        TAB_BY_ID[tab].show(self._panes[tab], view)

    @on(TabbedContent.TabActivated, "#detail")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._render_tab(event.pane.id or "")

    # --- helpers --------------------------------------------------------------------------------

    @property
    def current(self) -> JobSummary | None:
        return self.summaries.get(self.selected or "") if self.selected else None

    def _job_name(self) -> str:
        return self.current.name if self.current else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return job_action_applies(action, self.current)

    # --- actions --------------------------------------------------------------------------------

    def _request(
        self,
        action: str,
        job_id: str | None,
        call: Callable[..., object],
        *args: object,
        success: str | None = None,
        job_name: str = "",
    ) -> None:
        """Ask the screen's worker for a job action's service call; the answer is a message."""
        self.post_message(JobActionRequested(action, job_id, partial(call, *args), success, job_name))

    def action_start(self) -> None:
        if self.current:
            self._request(
                "Start", self.selected, self.service.start_job, self.selected, success=f"Started {self._job_name()}"
            )

    def action_pause(self) -> None:
        if self.current:
            self._request(
                "Pause", self.selected, self.service.pause_job, self.selected, success=f"Paused {self._job_name()}"
            )

    def action_run_now(self) -> None:
        if not self.current:
            return
        name = self._job_name()
        self.notify(f"Running a cycle of {name}…")
        self._request(RUN_NOW, self.selected, self._cycle_run, self.service.run_cycle, self.selected, job_name=name)

    def _cycle_run(self, run: Callable[[str], SynchronizationTaskExecution | None], job_id: str) -> CycleRan:
        """Run a cycle (on the worker), then read what the toast tells of it: the job as the cycle
        left it (a quarantine) and its escrows."""
        return CycleRan(run(job_id), self.service.job_summary(job_id), len(self.service.escrows(job_id)))

    def _cycle_toast(self, name: str, ran: CycleRan) -> None:
        execution, summary, waiting = ran.execution, ran.summary, ran.waiting
        if execution is None:  # the scheduler's cycle started first: it makes the deletes
            self.notify(f"{name}: deletes allowed; the cycle running now makes them")
            return
        lines = cycle_report(execution, summary.job, summary.next_run, waiting)
        quarantined = summary.job.status is not None and summary.job.status.quarantine is not None
        state = enum_text(execution.state)
        self.notify(
            "\n".join(lines),
            title=f"{name}: cycle ended",
            severity="error"
            if quarantined or state == "Failed"
            else "information"
            if state == "Succeeded"
            else "warning",
            timeout=15 if len(lines) > 1 else 5,
        )

    def action_delete(self) -> None:
        summary = self.current
        if summary is None:
            return
        job_id, name = summary.job.id or "", summary.name
        self._confirm_then(
            f"Delete job “{name}”?",
            f"The job {name} ({job_id}), its schema, secrets, escrows and provisioning logs are removed.\n"
            "Objects it already provisioned stay in the target directory. This cannot be undone.",
            "Delete",
            job_id,
            self.service.delete_job,
            job_id,
            success=f"Deleted {name}",
            type_name=name,
        )

    def _confirm_then(
        self,
        title: str,
        body: str,
        yes: str,
        job_id: str,
        call: Callable[..., object],
        *args: object,
        success: str | None,
        type_name: str | None = None,
        job_name: str = "",
    ) -> None:
        """Ask first (focus on No, or on the field where the job's name must be typed); on yes, ask
        the worker for the service call."""

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                self._request(yes, job_id, call, *args, success=success, job_name=job_name)

        self.app.push_screen(ConfirmDialog(title, body, yes=yes, type_to_confirm=type_name), answer)

    def action_restart(self) -> None:
        summary = self.current
        if summary is None:
            return
        job_id, name = summary.job.id or "", summary.name

        def run(scope: set[str]) -> None:
            kept = {"Full", "ForceDeletes"} & scope if "Full" in scope else scope
            text = ", ".join(s for s in SCOPE_ORDER if s in kept)
            self._request(
                "Restart", job_id, self.service.restart_job, job_id, text, success=f"Restarted {name} ({text})"
            )

        def chosen(scope: set[str] | None) -> None:
            if not scope:
                return
            consequence = scope_consequence(scope)
            if scope & DANGEROUS and consequence:
                self.app.push_screen(
                    ConfirmDialog(
                        f"Restart “{name}” with {', '.join(sorted(scope & DANGEROUS))}?",
                        f"This restart of {name} {consequence}.",
                        yes="Restart",
                        type_to_confirm=name,
                    ),
                    lambda yes: run(scope) if yes else None,
                )
            else:
                run(scope)

        self.app.push_screen(RestartDialog(name), chosen)

    def action_allow_deletes(self) -> None:
        """First what would be disabled and deleted (a preview, on the worker), then the question."""
        summary = self.current
        if summary is None:
            return
        self.notify(f"Reading the deletes {summary.name} holds back…")
        self._request(REVIEW_DELETES, summary.job.id, self.service.held_deletes, summary.job.id, job_name=summary.name)

    def _confirm_allow_deletes(self, job_id: str, name: str, held: list[dict[str, Any]]) -> None:
        listed = [
            f"{entry['provisioningAction']} {entry['sourceIdentity']['identityType']} {object_name(entry)}"
            for entry in held
        ]
        self._confirm_then(
            f"Allow deletes for “{name}”?",
            f"A cycle of {name} would disable or delete more objects than its threshold allows. "
            f"Allowing runs that cycle now; it changes these {len(held)} target objects:\n"
            + "\n".join(f"• {line}" for line in shortened(listed, DELETES_SHOWN)),
            ALLOW_DELETES,
            job_id,
            self._cycle_run,
            self.service.allow_deletes,
            job_id,
            success=None,
            type_name=name,
            job_name=name,
        )

    def action_on_demand(self) -> None:
        if self.current:
            from .provision import ProvisionScreen

            self.app.push_screen(ProvisionScreen(self.service, self.current))

    def action_simulate_changes(self) -> None:
        self._request(SIMULATE_CHANGES, None, self.service.simulate_changes)

    def action_preview(self) -> None:
        if self.current:
            from .preview import PreviewScreen

            self.app.push_screen(PreviewScreen(self.service, self.current))

    def action_new_job(self) -> None:
        from .new_job import NewJobScreen

        def created(job_id: str | None) -> None:
            if job_id:
                self.select_job(job_id)

        self.app.push_screen(NewJobScreen(self.service), created)

    def select_job(self, job_id: str) -> None:
        """Move the cursor to a job (after it appears in the table)."""
        table = self.query_one(JobsTable)
        keys = [key.value for key in table.rows]
        if job_id in keys:
            table.move_cursor(row=keys.index(job_id))
            table.focus()
        else:
            self.set_timer(0.2, lambda: self.select_job(job_id) if job_id in self.summaries else None)

    def action_export_schema(self) -> None:
        summary = self.current
        if summary is None:
            return
        job_id = summary.job.id or ""

        def write(typed: str | None) -> None:
            if typed:
                path = export_target(self.service, typed)
                self._request(
                    "Export schema",
                    job_id,
                    export_schema,
                    self.service,
                    job_id,
                    path,
                    success=f"Schema written to {path}",
                )

        self.app.push_screen(
            PathDialog(
                "Export schema",
                f"Write the schema of {summary.name} as Graph JSON to:",
                default_export_path(self.service, f"{summary.job.template_id}-schema.json"),
                ok="Export",
            ),
            write,
        )

    def action_import_schema(self) -> None:
        summary = self.current
        if summary is None:
            return
        job_id, name = summary.job.id or "", summary.name

        def read(path: str | None) -> None:
            if path:
                self._request(IMPORT_SCHEMA, job_id, read_schema, self.service, job_id, path, job_name=name)

        self.app.push_screen(
            PathDialog(
                "Import schema",
                f"Replace the schema of {name} with the Graph JSON in:",
                default_export_path(self.service, f"{summary.job.template_id}-schema.json"),
                ok="Import",
            ),
            read,
        )

    def _confirm_import(self, job_id: str, name: str, found: SchemaFile) -> None:
        if not found.changes:
            self.notify(f"{found.path} holds the schema {name} has: nothing to import")
            return
        self._confirm_then(
            f"Replace the schema of “{name}”?",
            "\n".join(f"• {line}" for line in shortened(found.changes, CHANGES_SHOWN))
            + "\n\nThe next cycle re-evaluates every object.",
            "Import",
            job_id,
            self.service.put_schema,
            job_id,
            found.document,
            success=f"Schema of {name} replaced from {found.path}",
        )

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("-shown")
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_table()
        self.query_one(JobsTable).border_subtitle = f"filter: {event.value}" if event.value else ""

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(JobsTable).focus()

    def action_leave(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_focus or field.value:
            field.value = ""
            field.remove_class("-shown")
            self.query_one(JobsTable).focus()
            self._show_table()
        else:
            self.query_one(JobsTable).focus()

    def action_tab(self, tab: str) -> None:
        """Open a tab and put the focus in it, where its keys work."""
        self._render_tab(tab)  # now, not when TabActivated arrives: an action may follow at once
        self.query_one("#detail", TabbedContent).active = tab
        target = self.query_one(TAB_BY_ID[tab].focus)
        if target.display and target.focusable:
            target.focus()
        else:  # an empty table is hidden: the first thing that can take the focus in the tab
            focusable = [w for w in self.query_one(f"#{tab}").query("*") if w.focusable]
            if focusable:
                focusable[0].focus()

    def go_to(self, view: str) -> None:
        """Where `:` jumps: the jobs table, a tab of the selected job, or a screen about it."""
        if view == "jobs":
            self.query_one(JobsTable).focus()
        elif view in SCREEN_VIEWS and not SCREEN_VIEWS[view].needs_job:
            getattr(self, f"action_{SCREEN_VIEWS[view].name}")()
        elif self.current is None:
            self.notify(f"Select a job first: {view} is about one job", severity="warning")
        elif view in TAB_BY_VIEW:
            self.action_tab(TAB_BY_VIEW[view].id)
        elif view in SCREEN_VIEWS:
            action = SCREEN_VIEWS[view].name
            if self.check_action(action, ()):
                getattr(self, f"action_{action}")()
            else:
                self.notify(f"{self._job_name()} is running a cycle: {view} when it ends", severity="warning")

    def action_next_tab(self, step: int = 1) -> None:
        tabs = self.query_one("#detail", TabbedContent)
        ids = list(TAB_BY_ID)
        tab = ids[(ids.index(tabs.active) + step) % len(ids)] if tabs.active in ids else ids[0]
        self._render_tab(tab)  # before it shows: one layout and paint for both, no stale first frame
        tabs.active = tab

    def action_previous_tab(self) -> None:
        self.action_next_tab(-1)

    # --- pane actions from the command palette ---------------------------------------------------

    def action_in_tab(self, tab: str, action: str) -> None:
        self.action_tab(tab)
        getattr(self._panes[tab], f"action_{action}")()

    # --- panes asking for service calls ------------------------------------------------------------

    @on(AssignmentsPane.AssignRequested)
    def _assign(self, request: AssignmentsPane.AssignRequested) -> None:
        request.stop()
        summary, chosen = request.summary, request.chosen
        self._request(
            ASSIGN,
            summary.job.id,
            self.service.assign,
            summary.job.id or "",
            chosen.object_type,
            chosen.id,
            success=f"{chosen.display_name} assigned to {summary.name}: the next cycle takes it into account",
        )

    @on(AssignmentsPane.UnassignRequested)
    def _unassign(self, request: AssignmentsPane.UnassignRequested) -> None:
        request.stop()
        summary, resource = request.summary, request.assignment.resource
        self._request(
            UNASSIGN,
            summary.job.id,
            self.service.unassign,
            summary.job.id or "",
            resource["id"],
            success=f"{resource.get('principalDisplayName') or resource['principalId']} unassigned from {summary.name}",
        )

    @on(LogsPane.EntrySelected)
    def _log_entry(self, message: LogsPane.EntrySelected) -> None:
        self.app.push_screen(LogEntryScreen(message.entry))

    @on(SchemaEditor.SaveRequested)
    def _save_schema(self, request: SchemaEditor.SaveRequested) -> None:
        request.stop()
        self.save_schema(request, self.query_one(SchemaEditor))

    @work(thread=True, exit_on_error=False, group="service")
    def save_schema(self, request: SchemaEditor.SaveRequested, editor: SchemaEditor) -> None:
        try:
            saved = self.service.put_schema(request.job_id, request.schema)
        except Exception as error:  # noqa: BLE001 - a message (the problems in a dialog); the edits stay
            self.post_message(JobActionFailed("Save schema", error))
            return
        editor.post_message(SchemaEditor.Saved(request.job_id, saved))

    @on(SchemaEditor.DefaultsRequested)
    def _default_mappings(self, request: SchemaEditor.DefaultsRequested) -> None:
        request.stop()
        summary = self.summaries.get(request.job_id)
        if summary is not None:
            self.read_default_mappings(request.job_id, summary.job.template_id or "", self.query_one(SchemaEditor))

    @work(thread=True, exit_on_error=False, group="service")
    def read_default_mappings(self, job_id: str, template_id: str, editor: SchemaEditor) -> None:
        try:
            # The job's application instance may have its own version of the template (Graph's PATCH).
            template = self.service.get_template(template_id, self.service.application_instance_of(job_id))
        except Exception as error:  # noqa: BLE001 - a message; the working copy is untouched
            self.post_message(JobActionFailed("Restore default mappings", error))
            return
        if template.schema_ is not None:
            editor.post_message(SchemaEditor.DefaultsLoaded(job_id, template.schema_))

    @on(LogsPane.QueryRequested)
    def _query_logs(self, request: LogsPane.QueryRequested) -> None:
        request.stop()
        self.query_logs(request, self.query_one(LogsPane))

    @work(thread=True, exclusive=True, group="logs-query", exit_on_error=False)
    def query_logs(self, request: LogsPane.QueryRequested, pane: LogsPane) -> None:
        try:
            page = self.service.log_page(request.summary.job.id or "", request.query, request.offset, request.limit)
        except Exception as error:  # noqa: BLE001 - following stops; the user sees why
            pane.post_message(LogsPane.QueryFailed(error))
            return
        if not get_current_worker().is_cancelled:
            pane.post_message(LogsPane.Answered(request, page, self.service.clock.now()))

    @on(LogsPane.ExportRequested)
    def _export_logs(self, request: LogsPane.ExportRequested) -> None:
        request.stop()
        summary, query = request.summary, request.query
        job_id = summary.job.id or ""
        count = f" {request.count}" if request.count is not None else ""
        what = f"all{count} entries" if query.is_empty else f"the{count} entries that match the filters"

        def write(typed: str | None) -> None:
            if typed:
                path = export_target(self.service, typed)
                self._request(EXPORT_LOGS, job_id, export_logs, self.service, job_id, query, path)

        self.app.push_screen(
            PathDialog(
                "Export logs",
                f"Write {what} in the provisioning log of {summary.name}, as CSV if the file name ends "
                "in .csv, else as Graph JSON, to:",
                default_export_path(self.service, f"{summary.job.template_id}-logs.json"),
                ok="Export",
            ),
            write,
        )

    @on(EscrowsPane.RetryRequested)
    @on(EscrowsPane.DismissRequested)
    def _change_escrows(self, request: EscrowsPane.RetryRequested | EscrowsPane.DismissRequested) -> None:
        request.stop()
        self.change_escrows(request, self.query_one(EscrowsPane))

    @work(thread=True, exit_on_error=False, group="service")
    def change_escrows(
        self, request: EscrowsPane.RetryRequested | EscrowsPane.DismissRequested, pane: EscrowsPane
    ) -> None:
        job_id = request.summary.job.id or ""
        retry = isinstance(request, EscrowsPane.RetryRequested)
        try:
            if retry:
                count = self.service.retry_escrows(job_id, request.keys)
            else:
                count = self.service.dismiss_escrows(job_id, request.keys or [])
        except Exception as error:  # noqa: BLE001 - a message, and the app keeps running
            self.post_message(JobActionFailed("Retry escrows" if retry else "Dismiss escrows", error))
            return
        pane.post_message(EscrowsPane.Changed(request, count))

    @on(SettingsPane.SaveRequested)
    def _save_settings(self, message: SettingsPane.SaveRequested) -> None:
        summary = self.current
        if summary is None:
            return
        job_id = summary.job.id or ""
        current = summary.job.schedule.interval if summary.job.schedule else None

        def save() -> None:
            from ...models import parse_duration

            interval = message.interval
            if interval:
                with suppress(ValueError):  # the service says what is wrong with it
                    interval = None if parse_duration(interval) == current else interval
            # One call: checked as a whole, so a bad value saves nothing.
            self.service.update_job(job_id, interval=interval, settings=message.settings, secrets=message.secrets)

        self._request(SAVE_SETTINGS, job_id, save, success=f"Saved the settings of {summary.name}")

    @on(SettingsPane.TestRequested)
    def _test_connection(self, message: SettingsPane.TestRequested) -> None:
        summary = self.current
        if summary is None:
            return
        self.notify(f"Testing the connection of {summary.name}…")
        self._request(
            "Test connection",
            summary.job.id,
            self.service.validate_credentials,
            summary.job.id,
            message.secrets or None,
            success=f"{summary.name}: connection OK",
        )

    # --- job actions' service calls ------------------------------------------------------------------

    @on(JobActionRequested)
    def _job_action_requested(self, request: JobActionRequested) -> None:
        request.stop()
        self.run_job_action(request)

    @work(thread=True, exit_on_error=False, group="service")
    def run_job_action(self, request: JobActionRequested) -> None:
        try:
            result = request.call()
        except Exception as error:  # noqa: BLE001 - never a traceback: a message, and the app keeps running
            self.post_message(JobActionFailed(request.action, error))
            return
        self.post_message(JobActionDone(request, result))

    @on(JobActionFailed)
    def _job_action_failed(self, failed: JobActionFailed) -> None:
        self.app.show_error(failed.action, failed.error)

    @on(JobActionDone)
    def _job_action_done(self, done: JobActionDone) -> None:
        request, result = done.request, done.result
        if request.success:
            self.notify(request.success)
        if request.action in (RUN_NOW, ALLOW_DELETES) and isinstance(result, CycleRan):
            self._cycle_toast(request.job_name, result)
        elif request.action == REVIEW_DELETES and isinstance(result, list):
            self._confirm_allow_deletes(request.job_id or "", request.job_name, result)
        elif request.action == SIMULATE_CHANGES:
            self.notify(f"{result}. The next cycles pick the changes up.", title="Simulated a day at work")
        elif request.action == IMPORT_SCHEMA and isinstance(result, SchemaFile):
            self._confirm_import(request.job_id or "", request.job_name, result)
        elif request.action in (ASSIGN, UNASSIGN):
            self.load_detail(request.job_id or "")
        elif request.action == EXPORT_LOGS and isinstance(result, Exported):
            self.notify(f"{result.count} log entries written to {result.path}")
        elif request.action == SAVE_SETTINGS:
            pane = self.query_one(SettingsPane)
            pane.clear_secret_inputs()
            pane.forget()
            self.load_detail(request.job_id or "")
