"""Messages that carry service events and worker results into the UI thread.

Service events arrive on scheduler/worker threads; the subscriber only posts these (post_message is
thread-safe). `JobsDirty` and `ProgressChanged` coalesce in the queue, so a burst of events becomes
one refresh (Toolong's `can_replace` pattern)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from ..service import JobSummary


class JobsDirty(Message):
    """Something about one or more jobs changed; reload the summaries."""

    def __init__(self, job_id: str | None = None, removed: bool = False) -> None:
        super().__init__()
        self.job_id = job_id
        self.removed = removed

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobsDirty)


class ProgressChanged(Message):
    def __init__(self, job_id: str, completed: int, total: int) -> None:
        super().__init__()
        self.job_id, self.completed, self.total = job_id, completed, total

    def can_replace(self, message: Message) -> bool:
        """A newer report of the same job makes this one moot: a cycle reports many times a second,
        faster than a busy screen can show them."""
        return isinstance(message, ProgressChanged) and message.job_id == self.job_id


class JobsLoaded(Message):
    def __init__(self, summaries: list[JobSummary], stamp: object = None) -> None:
        super().__init__()
        self.summaries = summaries
        self.stamp = stamp
        """The home's change stamp taken before the jobs were read (see `Home.change_stamp`)."""


@dataclass
class JobDetail:
    """The selected job as one worker read it: what several tabs show, and what each tab read for
    itself."""

    summary: JobSummary
    escrows: list[dict[str, Any]] = field(default_factory=list)
    secret_keys: frozenset[str] = frozenset()
    loaded: dict[str, Any] = field(default_factory=dict)
    """What each tab read for itself (its `DetailTab.load`), by tab id."""


class DetailLoaded(Message):
    def __init__(self, detail: JobDetail) -> None:
        super().__init__()
        self.detail = detail


class JobActionRequested(Message):
    """A job action (Start, Delete, Save settings, Export logs…) asks for its blocking call: the jobs
    screen's worker makes it and answers with `JobActionDone` or `JobActionFailed`."""

    def __init__(
        self,
        action: str,
        job_id: str | None,
        call: Callable[[], object],
        success: str | None = None,
        job_name: str = "",
    ) -> None:
        super().__init__()
        self.action = action
        """What the call is called in its toasts ("Start", "Save settings")."""
        self.job_id, self.call, self.success, self.job_name = job_id, call, success, job_name


class JobActionDone(Message):
    def __init__(self, request: JobActionRequested, result: object) -> None:
        super().__init__()
        self.request, self.result = request, result


class JobActionFailed(Message):
    """A service call a worker made failed (the jobs screen's, or a screen's own: Preview, Provision
    on demand, New job); `action` names it in the toast ("Preview failed")."""

    def __init__(self, action: str, error: Exception) -> None:
        super().__init__()
        self.action, self.error = action, error


def show_failure(where: Static, failed: JobActionFailed) -> None:
    """A failed call on the screen that made it (in `where`) and as a toast."""
    where.update(Text(f"✖ {failed.error}", style="bold red"))
    where.app.notify(str(failed.error), title=f"{failed.action} failed", severity="error")
