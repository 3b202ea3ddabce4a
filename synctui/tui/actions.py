"""The dashboard's actions, each listed once: its binding id, key, footer label, help text, palette
entry, whether it needs a selected job and when it applies.

The screens' BINDINGS, the command palette, the help screen (which lists the active bindings),
`check_action`, the footer's narrow-terminal keys and the `:` views are all made from these lists:
an action added here has its key, its palette entry and its help text at once. Binding ids are what
a user keymap remaps (`synctui keymap`), so they never change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from ..service import JobSummary
from .format import enum_text


@dataclass(frozen=True)
class PaneKey:
    """The key of an action of a tab's pane while the pane has focus (see `pane_bindings`)."""

    tab: str
    action: str
    """The pane's `action_<name>`."""
    key: str
    id: str
    """The binding id (`escrows.retry`): what a keymap remaps."""
    label: str
    """The footer's label."""
    show: bool = True


@dataclass(frozen=True)
class Action:
    id: str
    """The binding id (`jobs.start`): what a keymap remaps."""
    action: str
    """What runs: the screen's `action_<name>`, with parameters if any (`tab('tab-logs')`)."""
    description: str
    """The footer's label."""
    tooltip: str
    """What it does, for the help screen (and the palette unless `palette_help` says otherwise)."""
    key: str | None = None
    """None: reached from the palette only."""
    show: bool = True
    """Shown in the footer."""
    secondary: bool = False
    """Gives its footer room to the others in a narrow terminal (the help screen and palette still list it)."""
    priority: bool = False
    palette: str | None = None
    """The palette's title for it; None: not in the palette."""
    palette_help: str | None = None
    needs_job: bool = False
    """Disabled (shown dimmed) while no job is selected."""
    applies: Callable[[JobSummary], bool | None] | None = None
    """With a job selected: True, None (shown disabled) or False (hidden); None here: always True."""
    view: str | None = None
    """The name `:` opens it by, for actions that open a screen."""
    pane_key: PaneKey | None = None
    """For an action of a tab's pane: its key there (the palette entry opens the tab first)."""

    @property
    def name(self) -> str:
        """The action's name without its parameters, as `check_action` is given it."""
        return self.action.partition("(")[0]

    def binding(self) -> Binding:
        assert self.key is not None
        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            id=self.id,
            tooltip=self.tooltip,
            priority=self.priority,
        )


def _state(summary: JobSummary) -> tuple[str, str]:
    job = summary.job
    return (enum_text(job.schedule.state) if job.schedule else "", enum_text(job.status.code) if job.status else "")


def _startable(summary: JobSummary) -> bool | None:
    state, code = _state(summary)
    return None if state == "Active" and code != "Quarantine" else True


def _pausable(summary: JobSummary) -> bool | None:
    return True if _state(summary)[0] == "Active" else None


def _idle(summary: JobSummary) -> bool | None:
    return None if summary.running else True


def _too_many_deletes(summary: JobSummary) -> bool | None:
    quarantine = summary.job.status.quarantine if summary.job.status else None
    return quarantine is not None and enum_text(quarantine.reason) == "TooManyDeletes"


def _in_tab(tab: str, action: str) -> str:
    """An action of a tab's pane, run from the jobs screen (the palette): opens the tab first."""
    return f"in_tab('{tab}', '{action}')"


def _pane_action(id: str, key: PaneKey, description: str, tooltip: str, palette: str) -> Action:
    """An action of a tab's pane: `key` while the pane has focus, and a palette entry of the jobs
    screen, with one help text for both."""
    return Action(id, _in_tab(key.tab, key.action), description, tooltip, palette=palette, needs_job=True, pane_key=key)


APP_ACTIONS: tuple[Action, ...] = (
    Action("app.quit", "quit", "Quit", "Quit (asks while a cycle runs)", key="ctrl+q", priority=True, secondary=True),
    Action(
        "app.help",
        "toggle_help",
        "Keys",
        "Show or hide the keys of this screen",
        key="question_mark,f1",
        palette="Keys and keymap",
        palette_help="The keys of this screen, their binding ids, and how to remap them",
    ),
    Action(
        "app.goto",
        "goto",
        "Go to",
        "Jump to a view: jobs, logs, escrows, schema…",
        key="colon",
        palette="Go to view…",
        palette_help="Jump to jobs, status, logs, escrows, schema, settings, new job, provision, preview",
    ),
)
"""Everywhere: the app's own keys."""

JOB_ACTIONS: tuple[Action, ...] = (
    Action(
        "jobs.start",
        "start",
        "Start",
        "Start the job's schedule (lifts a quarantine)",
        key="s",
        palette="Start job",
        palette_help="Start the selected job's schedule",
        needs_job=True,
        applies=_startable,
    ),
    Action(
        "jobs.pause",
        "pause",
        "Pause",
        "Pause the job; a running cycle stops at the next object",
        key="p",
        palette="Pause job",
        palette_help="Pause the selected job",
        needs_job=True,
        applies=_pausable,
    ),
    Action(
        "jobs.restart",
        "restart",
        "Restart",
        "Restart with chosen reset scopes",
        key="r",
        palette="Restart job…",
        palette_help="Restart with reset scopes (Watermark, Escrows, Full, ForceDeletes…)",
        needs_job=True,
    ),
    Action(
        "jobs.run_now",
        "run_now",
        "Run now",
        "Run one cycle now",
        key="n",
        palette="Run now",
        palette_help="Run one cycle of the selected job now",
        needs_job=True,
        applies=_idle,
    ),
    Action(
        "jobs.delete",
        "delete",
        "Delete",
        "Delete the job (asks first)",
        key="d",
        palette="Delete job…",
        palette_help="Delete the selected job (asks first)",
        needs_job=True,
    ),
    Action(
        "jobs.refresh",
        "refresh",
        "Refresh",
        "Read the jobs and the selected job again (changes by the CLI or `synctui serve` also show within seconds)",
        key="ctrl+r",
        secondary=True,
        palette="Refresh",
        palette_help="Read the jobs, their status and the selected job's detail again",
    ),
    Action(
        "jobs.on_demand",
        "on_demand",
        "On demand",
        "Provision one object now",
        key="o",
        secondary=True,
        palette="Provision on demand…",
        palette_help="Provision one object of the selected job now",
        needs_job=True,
        applies=_idle,
        view="provision",
    ),
    Action(
        "jobs.preview",
        "preview",
        "Preview",
        "What a cycle would change now (dry run)",
        key="v",
        secondary=True,
        palette="Preview",
        needs_job=True,
        applies=_idle,
        view="preview",
    ),
    Action(
        "jobs.allow_deletes",
        "allow_deletes",
        "Allow deletes",
        "List the deletes a TooManyDeletes quarantine holds back; allowed, the cycle runs now",
        key="a",
        secondary=True,
        palette="Allow deletes…",
        needs_job=True,
        applies=_too_many_deletes,
    ),
    Action(
        "jobs.new",
        "new_job",
        "New job",
        "Create a job from a template",
        key="c",
        secondary=True,
        palette="New job…",
        view="new job",
    ),
    Action(
        "jobs.simulate_changes",
        "simulate_changes",
        "Simulate changes",
        "Change the tenant and HR file as a day at work would (hires, leavers, moves…)",
        key="m",
        show=False,
        palette="Simulate changes",
        palette_help="Hires, leavers, renames, moves and membership changes in the tenant",
    ),
    Action(
        "jobs.export_schema",
        "export_schema",
        "Export schema",
        "Write the job's schema as Graph JSON",
        key="e",
        show=False,
        palette="Export schema…",
        palette_help="Write the selected job's schema as Graph JSON",
        needs_job=True,
    ),
    Action(
        "jobs.import_schema",
        "import_schema",
        "Import schema",
        "Replace the job's schema from a Graph JSON file",
        key="i",
        show=False,
        palette="Import schema…",
        palette_help="Replace the selected job's schema from a Graph JSON file",
        needs_job=True,
    ),
    Action(
        "jobs.filter",
        "filter",
        "Filter",
        "Filter the jobs as you type",
        key="slash",
        secondary=True,
        palette="Filter jobs",
        palette_help="Filter the jobs table as you type",
    ),
    Action("jobs.logs", "tab('tab-logs')", "Logs", "Show the provisioning log", key="l", show=False),
    Action("jobs.next_tab", "next_tab", "Next tab", "Next tab", key="right_square_bracket", show=False),
    Action("jobs.previous_tab", "previous_tab", "Previous tab", "Previous tab", key="left_square_bracket", show=False),
    Action("jobs.back", "leave", "Back", "Clear the filter / back to the table", key="escape", show=False),
    _pane_action(
        "jobs.follow_logs",
        PaneKey("tab-logs", "toggle_follow", "f", "logs.follow", "Follow"),
        "Follow logs",
        "Follow: show new log entries at the top as cycles write them",
        "Follow logs (toggle)",
    ),
    _pane_action(
        "jobs.search_logs",
        PaneKey("tab-logs", "search", "slash", "logs.search", "Search"),
        "Search logs",
        "Search the provisioning log as you type",
        "Search logs",
    ),
    _pane_action(
        "jobs.more_logs",
        PaneKey("tab-logs", "more", "plus", "logs.more", "More"),
        "More logs",
        "Load the next page of older log entries",
        "Load older log entries",
    ),
    _pane_action(
        "jobs.export_logs",
        PaneKey("tab-logs", "export", "e", "logs.export", "Export…"),
        "Export logs",
        "Write every log entry that matches the filters to a JSON or CSV file",
        "Export logs…",
    ),
    _pane_action(
        "jobs.retry_escrows",
        PaneKey("tab-escrows", "retry", "r", "escrows.retry", "Retry"),
        "Retry escrows",
        "Retry the marked (or highlighted) escrows at the next cycle, without waiting for their back-off",
        "Retry selected escrows",
    ),
    _pane_action(
        "jobs.retry_all_escrows",
        PaneKey("tab-escrows", "retry_all", "R", "escrows.retry_all", "Retry all"),
        "Retry all escrows",
        "Retry every escrow of the job at the next cycle",
        "Retry all escrows",
    ),
    _pane_action(
        "jobs.dismiss_escrows",
        PaneKey("tab-escrows", "dismiss", "x,delete", "escrows.dismiss", "Dismiss…"),
        "Dismiss escrows",
        "Forget the marked (or highlighted) escrows (asks first)",
        "Dismiss selected escrows…",
    ),
    _pane_action(
        "jobs.assign",
        PaneKey("tab-assignments", "assign", "a", "assignments.add", "Assign…"),
        "Assign",
        "Assign a user or group of the job's source to its application",
        "Assign a user or group…",
    ),
    _pane_action(
        "jobs.unassign",
        PaneKey("tab-assignments", "unassign", "x,delete", "assignments.remove", "Remove…"),
        "Remove assignment",
        "Remove the highlighted assignment (asks first)",
        "Remove the highlighted assignment…",
    ),
    Action(
        "jobs.restore_default_mappings",
        _in_tab("tab-schema", "restore_defaults"),
        "Restore default mappings",
        "Replace the schema's attribute mappings and scoping filters with the template's (asks first; ctrl+s saves)",
        palette="Restore default mappings…",
        needs_job=True,
    ),
    _pane_action(
        "jobs.add_filter_group",
        PaneKey("tab-schema", "add_group", "f", "schema.add_group", "Add filter group", show=False),
        "Add filter group",
        "Add a group, with its first clause, to the highlighted object mapping",
        "Add scoping filter group…",
    ),
)
"""The jobs screen's actions; those with a key in the order the footer shows them."""


def bindings(actions: Iterable[Action]) -> list[BindingType]:
    return [action.binding() for action in actions if action.key is not None]


def pane_bindings(tab: str, *own: Binding) -> list[BindingType]:
    """The keys of a tab's pane: its `own`, then those of its actions here, with their help text."""
    keys: list[BindingType] = list(own)
    for action in JOB_ACTIONS:
        key = action.pane_key
        if key is not None and key.tab == tab:
            keys.append(Binding(key.key, key.action, key.label, show=key.show, id=key.id, tooltip=action.tooltip))
    return keys


def secondary(actions: Iterable[Action]) -> frozenset[str]:
    """The action names the footer drops in a narrow terminal."""
    return frozenset(action.name for action in actions if action.secondary)


_JOB_ACTIONS_BY_NAME = {action.name: action for action in reversed(JOB_ACTIONS)}
"""The first of each name: the pane actions share `in_tab`, and its rule."""


def job_action_applies(name: str, summary: JobSummary | None) -> bool | None:
    """`check_action` of the jobs screen: whether the action `name` applies to the selected job."""
    action = _JOB_ACTIONS_BY_NAME.get(name)
    if action is None or not action.needs_job:
        return True
    if summary is None:
        return None
    return action.applies(summary) if action.applies is not None else True


SCREEN_VIEWS: dict[str, Action] = {
    action.view: action for action in sorted(JOB_ACTIONS, key=lambda action: action.needs_job) if action.view
}
"""The screens `:` opens, by name (after the jobs table and the tabs): those that need no job first."""
