"""The synctui dashboard: `run_dashboard(service)` starts the scheduler, runs the app, stops the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding

from ..service import InvalidRequest, ServiceError, SyncService
from .commands import JobCommands
from .dialogs.confirm import ConfirmDialog
from .dialogs.error import ErrorDialog
from .screens.jobs import JobsScreen


class SyncApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "synctui"
    COMMANDS = App.COMMANDS | {JobCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit (asks while a cycle runs)", priority=True),
        Binding("question_mark,f1", "toggle_help", "Keys", id="app.help", tooltip="Show or hide the keys of this screen"),
    ]

    def __init__(self, service: SyncService) -> None:
        super().__init__()
        self.service = service
        self.sub_title = str(getattr(service.home, "root", ""))
        try:
            theme = service.config.preference("theme")
        except Exception:  # noqa: BLE001 - a bad preference never stops the dashboard
            theme = None
        self._saved_theme = theme
        self._theme_ready = False

    def on_mount(self) -> None:
        if self._saved_theme and self._saved_theme in self.available_themes:
            self.theme = self._saved_theme
        self._theme_ready = True
        self.push_screen(JobsScreen(self.service))

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready and theme != self._saved_theme:
            self._saved_theme = theme
            self.save_theme(theme)

    @work(thread=True, exit_on_error=False, group="preferences")
    def save_theme(self, theme: str) -> None:
        try:
            self.service.config.set_preference("theme", theme)
        except Exception as error:  # noqa: BLE001
            self.call_from_thread(self.notify, f"could not save the theme: {error}", severity="warning")

    # --- service calls in thread workers -------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="service")
    def call_service(self, what: str, function: Callable[..., Any], *args: Any, success: str | None = None,
                     then: Callable[[Any], None] | None = None) -> None:
        """Run a blocking service call off the UI thread; errors become a toast or an error dialog."""
        try:
            result = function(*args)
        except Exception as error:  # noqa: BLE001 - never a traceback: a message, and the app keeps running
            self.call_from_thread(self.show_error, what, error)
            return
        if success:
            self.call_from_thread(self.notify, success)
        if then is not None:
            self.call_from_thread(then, result)

    def show_error(self, what: str, error: Exception) -> None:
        if isinstance(error, InvalidRequest) and error.problems:
            self.push_screen(ErrorDialog(f"{what} failed", str(error), error.problems))
        elif isinstance(error, ServiceError):
            self.notify(str(error), title=f"{what} failed", severity="error", timeout=8)
        else:
            self.notify(f"{type(error).__name__}: {error}", title=f"{what} failed", severity="error", timeout=8)

    # --- app actions ----------------------------------------------------------------------------

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    async def action_quit(self) -> None:
        running = [s.name for s in self._jobs_screen_summaries() if s.running]
        if not running and self._unsaved_schema():
            self.push_screen(ConfirmDialog("Quit with unsaved schema changes?",
                                           "The schema you edited is not saved; quitting discards the changes.",
                                           yes="Quit"), lambda yes: self.exit(0) if yes else None)
            return
        if not running:
            self.exit(0)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit(0)
        self.push_screen(ConfirmDialog(
            "Quit while a cycle runs?",
            f"A cycle is running for: {', '.join(running)}.\nQuitting pauses it at the next object; "
            "the next start continues from there.", yes="Quit"), answer)

    def _unsaved_schema(self) -> bool:
        from .widgets.schema_editor import SchemaEditor

        return any(editor.dirty for screen in self.screen_stack for editor in screen.query(SchemaEditor))

    def _jobs_screen_summaries(self) -> list[Any]:
        for screen in self.screen_stack:
            if isinstance(screen, JobsScreen):
                return list(screen.summaries.values())
        return []


def run_dashboard(service: SyncService) -> int:
    """Run the dashboard with the scheduler in-process; returns the exit code."""
    from ..scheduler import Scheduler

    scheduler = Scheduler(service)
    scheduler.start()
    try:
        result = SyncApp(service).run()
    finally:
        scheduler.stop()
    return int(result or 0)
