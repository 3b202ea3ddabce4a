"""The synctui dashboard: `run_dashboard(service)` starts the scheduler, runs the app, stops the scheduler."""

from __future__ import annotations

import gc
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.events import Resize
from textual.screen import ModalScreen

from ..service import SyncService
from .actions import APP_ACTIONS, bindings
from .commands import JobCommands
from .dialogs.confirm import ConfirmDialog
from .dialogs.goto import GotoDialog
from .dialogs.help import HelpScreen, keys_of
from .keymap import PREFERENCE as KEYMAP
from .keymap import known_bindings, parse_keymap
from .screens.jobs import JobsScreen
from .service_app import ServiceApp
from .sizes import NARROW, SHORT
from .tabs import VIEWS


class SyncApp(ServiceApp):
    CSS_PATH = "app.tcss"
    TITLE = "synctui"
    BINDING_GROUP_TITLE = "Everywhere"
    COMMANDS = App.COMMANDS | {JobCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings(APP_ACTIONS)

    def __init__(self, service: SyncService, *, graph_url: str | None = None) -> None:
        super().__init__(service)
        self.home_text = str(getattr(service.home, "root", ""))
        self.graph_url = graph_url
        self.sub_title = f"{self.home_text} · Graph API on {graph_url}" if graph_url else self.home_text
        self._saved_theme = self._preference("theme")
        self._theme_ready = False
        self.keymap: dict[str, str] = {}
        self._clashes_reported: set[frozenset[str]] = set()

    def _preference(self, name: str) -> Any:
        """Read before the first screen, on the UI thread: the theme and the keys must be right from
        the first frame, and a preference is a small read of the configuration."""
        try:
            return self.service.preference(name)
        except Exception:  # noqa: BLE001 - a bad preference never stops the dashboard
            return None

    def on_mount(self) -> None:
        if self._saved_theme and self._saved_theme in self.available_themes:
            self.theme = self._saved_theme
        self._theme_ready = True
        self._apply_keymap(self._preference(KEYMAP))
        for warning in self.service.warnings:
            self.notify(warning, title="Home folder", severity="warning", timeout=12)
        self.push_screen(JobsScreen(self.service))
        # What start-up made (modules, the screen's widgets, the service: ~100,000 objects) lives as
        # long as the app. Frozen once it is on screen, it is left out of the collector's full
        # passes, which would walk it all each time: pauses a key press would wait for, several a cycle.
        self.call_after_refresh(gc.freeze)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what start-up made can go with the app (tests run many apps in a process)

    def _apply_keymap(self, value: Any) -> None:
        if value is None:
            return  # no keymap: nothing to check (finding every binding id imports every screen)
        keymap, problem = parse_keymap(value, frozenset(known_bindings()))
        if problem:
            self.notify(
                f"The keymap preference is ignored: {problem}. The default keys apply.",
                title="Keymap",
                severity="warning",
                timeout=12,
            )
        self.keymap = keymap
        self.set_keymap(keymap)

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """A remapped key that another binding of the same widget already has: say so, once."""
        ids = frozenset(b.id or b.action for b in clashed_bindings)
        if ids not in self._clashes_reported:
            self._clashes_reported.add(ids)
            self.notify(
                f"Keymap: {', '.join(sorted(ids))} lost their key to a remapped binding",
                title="Keymap",
                severity="warning",
                timeout=12,
            )

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self.set_class(event.size.height < SHORT, "-short")

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready and theme != self._saved_theme:
            self._saved_theme = theme
            self.save_theme(theme)

    @work(thread=True, exit_on_error=False, group="preferences")
    def save_theme(self, theme: str) -> None:
        try:
            self.service.set_preference("theme", theme)
        except Exception as error:  # noqa: BLE001 - the theme stays on for this session
            self.notify(f"could not save the theme: {error}", severity="warning")  # notify is thread-safe

    # --- app actions ----------------------------------------------------------------------------

    def action_toggle_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        title = getattr(self.screen, "BINDING_GROUP_TITLE", None) or self.screen.__class__.__name__
        self.push_screen(HelpScreen(title, keys_of(self.screen), self.keymap, self.home_text, self.graph_url))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "goto":
            # Not over a dialog: the answer it waits for would be lost.
            return not isinstance(self.screen, ModalScreen)
        return True

    def action_goto(self) -> None:
        def chosen(view: str | None) -> None:
            jobs = next((s for s in self.screen_stack if isinstance(s, JobsScreen)), None)
            if view is None or jobs is None:
                return
            while self.screen is not jobs:
                self.pop_screen()
            jobs.go_to(view)

        self.push_screen(GotoDialog(VIEWS), chosen)

    async def action_quit(self) -> None:
        running = [s.name for s in self._jobs_screen_summaries() if s.running]
        if not running and self._unsaved_schema():
            self.push_screen(
                ConfirmDialog(
                    "Quit with unsaved schema changes?",
                    "The schema you edited is not saved; quitting discards the changes.",
                    yes="Quit",
                ),
                lambda yes: self.exit(0) if yes else None,
            )
            return
        if not running:
            self.exit(0)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(
            ConfirmDialog(
                "Quit while a cycle runs?",
                f"A cycle is running for: {', '.join(running)}.\nQuitting pauses it at the next object; "
                "the next start continues from there.",
                yes="Quit",
            ),
            answer,
        )

    def _unsaved_schema(self) -> bool:
        from .widgets.schema_editor import SchemaEditor

        return any(editor.dirty for screen in self.screen_stack for editor in screen.query(SchemaEditor))

    def _jobs_screen_summaries(self) -> list[Any]:
        for screen in self.screen_stack:
            if isinstance(screen, JobsScreen):
                return list(screen.summaries.values())
        return []


def run_dashboard(service: SyncService, *, graph_url: str | None = None) -> int:
    """Run the dashboard with the scheduler in-process; returns the exit code. `graph_url`: where
    the Graph endpoint serving this home listens, shown in the header."""
    from ..scheduler import Scheduler

    scheduler = Scheduler(service)
    scheduler.start()
    try:
        result = SyncApp(service, graph_url=graph_url).run()
    finally:
        scheduler.stop()
    return int(result or 0)
