"""The app as its screens and widgets see it: the service, errors shown, and the dialogs' service
calls made off the UI thread (the mapping dialog's expressions checked, the assign dialog's searches).

`SyncApp` adds the screens, keys and theme. A screen or widget that uses these types its `app` with
`app = getters.app(ServiceApp)` (Textual's typed accessor): it cannot import `SyncApp`, which imports it.
"""

from __future__ import annotations

from textual import on, work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from ..service import InvalidRequest, ServiceError, StoreError, SyncService, shortened
from .dialogs.assign import AssignDialog
from .dialogs.error import ErrorDialog
from .dialogs.mapping import MappingDialog


class ServiceApp(App[int]):
    def __init__(self, service: SyncService) -> None:
        super().__init__()
        self.service = service

    @on(MappingDialog.ParseRequested)
    def _parse_requested(self, request: MappingDialog.ParseRequested) -> None:
        request.stop()
        self.parse_expression(request)

    @work(thread=True, exclusive=True, group="parse", exit_on_error=False)
    def parse_expression(self, request: MappingDialog.ParseRequested) -> None:
        try:
            response = self.service.parse_expression(request.expression, request.test)
        except Exception as error:  # noqa: BLE001 - shown in the dialog
            request.dialog.post_message(MappingDialog.Parsed(request, None, str(error)))
            return
        if not get_current_worker().is_cancelled:
            request.dialog.post_message(MappingDialog.Parsed(request, response, None))

    @on(AssignDialog.SearchRequested)
    def _search_requested(self, request: AssignDialog.SearchRequested) -> None:
        request.stop()
        self.search_source(request)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search_source(self, request: AssignDialog.SearchRequested) -> None:
        try:
            objects = self.service.source_objects(request.job_id, request.text)
        except Exception as error:  # noqa: BLE001 - shown in the dialog
            request.dialog.post_message(AssignDialog.Found(request, [], str(error)))
            return
        if not get_current_worker().is_cancelled:
            request.dialog.post_message(AssignDialog.Found(request, objects, None))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Toasts show their text as it is: it carries job names, attribute references such as
        `[mail]` and servers' replies, none of which is markup (and some of which would not parse)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def show_error(self, what: str, error: Exception) -> None:
        if isinstance(error, InvalidRequest) and error.problems:
            self.push_screen(ErrorDialog(f"{what} failed", str(error), shortened(error.problems)))
        elif isinstance(error, ServiceError | StoreError):
            self.notify(str(error), title=f"{what} failed", severity="error", timeout=8)
        else:
            self.notify(f"{type(error).__name__}: {error}", title=f"{what} failed", severity="error", timeout=8)
