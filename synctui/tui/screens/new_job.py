"""New job: template, name, secrets (write-only), settings, interval; create, then test the connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from ...models import SynchronizationJob
from ...service import ServiceError, SyncService
from ..format import enum_text
from ..messages import JobActionFailed
from ..widgets.footer import ResponsiveFooter
from ..widgets.setting_fields import SettingFields

if TYPE_CHECKING:
    from ...template_settings import TemplateSettings


class NewJobScreen(Screen["str | None"]):
    BINDING_GROUP_TITLE = "New job"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="new_job.cancel", tooltip="Back without creating"),
        Binding("ctrl+s", "create", "Create", id="new_job.create", tooltip="Create the job"),
    ]

    class TemplatesLoaded(Message):
        def __init__(self, templates: list[Any], declared: Mapping[str, TemplateSettings]) -> None:
            super().__init__()
            self.templates, self.declared = templates, declared

    class ConnectionTested(Message):
        """The connection test's outcome: None when the connection works, else what is wrong."""

        def __init__(self, problem: str | None) -> None:
            super().__init__()
            self.problem = problem

    class Created(Message):
        """The job exists; `notes` are the toasts to show (created, tested, started)."""

        def __init__(self, job_id: str, notes: list[tuple[str, SeverityLevel]]) -> None:
            super().__init__()
            self.job_id, self.notes = job_id, notes

    class Failed(Message):
        """Creating the job failed: nothing was created."""

        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    def __init__(self, service: SyncService) -> None:
        super().__init__()
        self.service = service
        self.busy = False
        self.templates: dict[str, Any] = {}
        self.declared: Mapping[str, TemplateSettings] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="new-job-body"):
            yield Label("New synchronization job", classes="title")
            yield Label("Template")
            yield Select([], prompt="choose a template", id="new-template")
            yield Static("", id="new-template-description", classes="dim")
            yield Label("Name")
            yield Input(placeholder="e.g. Tenant → HR app", id="new-name")
            yield Label("Interval (ISO 8601 duration)")
            yield Input("PT40M", id="new-interval")
            yield SettingFields(id="new-fields")  # the chosen template's, once it is chosen
            yield Checkbox("Test the connection after creating", value=True, id="new-test")
            yield Checkbox("Start the job after creating", value=False, id="new-start")
        with Vertical(id="new-job-bar"):  # docked: what went wrong stays in view, whatever the scroll
            yield Static("", id="new-error", classes="error-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create (ctrl+s)", id="new-create", variant="primary")
                yield Button("Test connection", id="new-test-connection")
                yield Button("Cancel", id="new-cancel")
        yield ResponsiveFooter()

    def on_mount(self) -> None:
        self.load_templates()
        self.query_one("#new-template", Select).focus()

    @work(thread=True, exit_on_error=False)
    def load_templates(self) -> None:
        try:
            templates = self.service.list_templates()
            declared = self.service.declared_settings()
        except Exception as error:  # noqa: BLE001 - a toast; the form stays
            self.post_message(JobActionFailed("Loading templates", error))
            return
        self.post_message(self.TemplatesLoaded(templates, declared))

    @on(JobActionFailed)
    def _templates_failed(self, message: JobActionFailed) -> None:
        self.app.notify(str(message.error), title=f"{message.action} failed", severity="error")

    @on(TemplatesLoaded)
    def _templates_loaded(self, message: TemplatesLoaded) -> None:
        self.templates = {t.id: t for t in message.templates}
        self.declared = message.declared
        select = self.query_one("#new-template", Select)
        select.set_options([(f"{t.id} — {t.description or ''}", t.id) for t in message.templates])

    @on(Select.Changed, "#new-template")
    def _template_changed(self, event: Select.Changed) -> None:
        template = self.templates.get(str(event.value))
        self.query_one("#new-template-description", Static).update(template.description or "" if template else "")
        declared = self.declared.get(str(event.value))
        if declared is not None:
            self.query_one(SettingFields).fill(declared, {}, (), declared.with_initial_secrets({}))

    def _error(self, message: str) -> None:
        self.query_one("#new-error", Static).update(f"✖ {message}")

    def _form(self) -> tuple[str, dict[str, str], dict[str, str]] | None:
        """The template, secrets and settings typed so far, or None (with the problem shown)."""
        if self.query_one("#new-template", Select).is_blank():
            self._error("choose a template")
            return None
        settings, secrets = self.query_one(SettingFields).changes()
        typed = {name: value for name, value in settings.items() if value is not None}
        return str(self.query_one("#new-template", Select).value), secrets, typed

    @on(Button.Pressed, "#new-test-connection")
    def action_test_connection(self) -> None:
        form = self._form()
        if form is not None:
            self.query_one("#new-error", Static).update("Testing the connection…")
            self.test_connection(*form)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def test_connection(self, template: str, secrets: dict[str, str], settings: dict[str, str]) -> None:
        try:
            self.service.validate_template_credentials(template, secrets, settings)
        except Exception as error:  # noqa: BLE001 - shown on the form
            self.post_message(self.ConnectionTested(str(error)))
            return
        self.post_message(self.ConnectionTested(None))

    @on(ConnectionTested)
    def _connection_tested(self, message: ConnectionTested) -> None:
        if message.problem is None:
            self.query_one("#new-error", Static).update("✔ connection OK")
        else:
            self._error(message.problem)

    @on(Input.Submitted)
    @on(Button.Pressed, "#new-create")
    def action_create(self) -> None:
        if self.busy:
            return
        form = self._form()
        if form is None:
            return
        template, secrets, settings = form
        name = self.query_one("#new-name", Input).value.strip()
        if not name:
            self._error("enter a name for the job")
            return
        interval = self.query_one("#new-interval", Input).value.strip() or None
        self.busy = True
        self.query_one("#new-error", Static).update("Creating…")
        self.create(
            str(template),
            name,
            secrets,
            settings,
            interval,
            self.query_one("#new-test", Checkbox).value,
            self.query_one("#new-start", Checkbox).value,
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def create(
        self,
        template: str,
        name: str,
        secrets: dict[str, str],
        settings: dict[str, str],
        interval: str | None,
        test: bool,
        start: bool,
    ) -> None:
        try:
            job = self.service.create_job(template, name=name, secrets=secrets, settings=settings, interval=interval)
        except Exception as error:  # noqa: BLE001 - shown on the form; nothing was created
            self.post_message(self.Failed(error))
            return
        job_id = job.id or ""
        notes: list[tuple[str, SeverityLevel]] = [(f"Created {name}", "information")]
        unset = self._unconfigured(job, template, secrets, settings)
        if unset:
            notes.append((f"{name} is NotConfigured until {unset} set: in its Settings tab", "warning"))
        elif test:
            notes.append(_follow_up(self.service.validate_credentials, job_id, f"{name}: connection OK", f"{name}: "))
        if start:
            notes.append(_follow_up(self.service.start_job, job_id, f"Started {name}", f"{name} not started: "))
        self.post_message(self.Created(job_id, notes))

    def _unconfigured(
        self, job: SynchronizationJob, template: str, secrets: dict[str, str], settings: dict[str, str]
    ) -> str:
        """What the new job still needs ("secret BaseAddress is") when it is NotConfigured; else ""."""
        if job.status is None or enum_text(job.status.code) != "NotConfigured" or template not in self.declared:
            return ""
        declared = self.declared[template]
        missing = [f"secret {name}" for name in declared.required(secret=True) if name not in secrets]
        missing += [f"setting {name}" for name in declared.required(secret=False) if name not in settings]
        if not missing:
            return ""
        return " and ".join(missing) + (" are" if len(missing) > 1 else " is")

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.busy = False
        error = message.error
        problems = getattr(error, "problems", [])
        self._error(str(error) + ("".join(f"\n  • {p}" for p in problems) if problems else ""))

    @on(Created)
    def _created(self, message: Created) -> None:
        for note, severity in message.notes:
            self.app.notify(note, severity=severity)
        self.dismiss(message.job_id)

    @on(Button.Pressed, "#new-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _follow_up(step: Callable[[str], object], job_id: str, done: str, failed: str) -> tuple[str, SeverityLevel]:
    """The toast of a step after the job is created: a failure is a warning, the job exists anyway."""
    try:
        step(job_id)
    except ServiceError as error:
        return f"{failed}{error}", "warning"
    return done, "information"
