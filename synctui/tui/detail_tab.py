"""What a tab of the job detail is: its id, title, what takes the focus, what it loads and how it
shows it. Each tab's module declares one (`TAB = DetailTab(...)`); `tabs.py` lists them in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from textual.widget import Widget

from ..service import SyncService
from .messages import JobDetail

PaneT = TypeVar("PaneT", bound=Widget)


@dataclass(frozen=True)
class TabView:
    """What a tab is shown with: the selected job's detail, the time, the running cycle's progress,
    and what the tab's own `load` read."""

    detail: JobDetail
    now: datetime
    progress: tuple[int, int] | None
    loaded: Any = None


@dataclass(frozen=True)
class DetailTab(Generic[PaneT]):
    id: str
    """The TabPane's id, `tab-<view>`."""
    title: str
    """The tab's label; lower-cased, the name `:` opens it by."""
    focus: str
    """The selector of what takes the focus when the tab is opened from the keyboard (`:`, `l`)."""
    pane: Callable[[SyncService], PaneT]
    """Builds the tab's content."""
    show: Callable[[PaneT, TabView], None]
    """Fills the pane; called on the UI thread when the tab is on view and the detail is newer."""
    load: Callable[[SyncService, str], Any] | None = None
    """What the tab reads beyond the shared JobDetail, given the job id; runs in the detail's worker."""
    tick: Callable[[PaneT, datetime], None] | None = None
    """For a tab that shows relative times ("35s ago"): moves them on to the time given, without
    reading anything; the jobs screen calls it on a timer while the tab is on view."""

    @property
    def view(self) -> str:
        return self.title.lower()
