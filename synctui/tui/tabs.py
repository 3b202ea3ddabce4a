"""The tabs of the job detail, in order. A new tab is a module that declares a `DetailTab` and one
line here; the jobs screen builds, fills, focuses and cycles through them from this list, and `:`
opens each by its title."""

from __future__ import annotations

from typing import Any

from .actions import SCREEN_VIEWS
from .detail_tab import DetailTab
from .widgets import assignments_pane, escrows_pane, logs_pane, schema_editor
from .widgets.panes import SETTINGS_TAB, STATUS_TAB

TABS: tuple[DetailTab[Any], ...] = (
    STATUS_TAB,
    logs_pane.TAB,
    escrows_pane.TAB,
    schema_editor.TAB,
    assignments_pane.TAB,
    SETTINGS_TAB,
)
TAB_BY_ID = {tab.id: tab for tab in TABS}
TAB_BY_VIEW = {tab.view: tab for tab in TABS}

VIEWS = ["jobs", *(tab.view for tab in TABS), *SCREEN_VIEWS]
"""What `:` goes to, in the order completion prefers them: the jobs table, the detail tabs, the screens."""
