"""Command palette: every jobs-screen action, and "jump to job"."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS = [
    ("start", "Start job", "Start the selected job's schedule"),
    ("pause", "Pause job", "Pause the selected job"),
    ("restart", "Restart job…", "Restart with reset scopes (Watermark, Escrows, Full, ForceDeletes…)"),
    ("run_now", "Run now", "Run one cycle of the selected job now"),
    ("delete", "Delete job…", "Delete the selected job (asks first)"),
    ("on_demand", "Provision on demand…", "Provision one object of the selected job now"),
    ("preview", "Preview", "What a cycle would change now (dry run)"),
    ("allow_deletes", "Allow deletes…", "Restart with ForceDeletes after a TooManyDeletes quarantine"),
    ("new_job", "New job…", "Create a job from a template"),
    ("export_schema", "Export schema…", "Write the selected job's schema as Graph JSON"),
    ("import_schema", "Import schema…", "Replace the selected job's schema from a Graph JSON file"),
    ("filter", "Filter jobs", "Filter the jobs table as you type"),
    ("simulate_changes", "Simulate changes", "Hires, leavers, renames, moves and membership changes in the tenant"),
    ("follow_logs", "Follow logs (toggle)", "Show new log entries at the top as cycles write them"),
    ("search_logs", "Search logs", "Search the provisioning log as you type"),
    ("export_logs", "Export logs…", "Write the shown log entries to a JSON file"),
    ("retry_escrows", "Retry selected escrows", "Retry the marked (or highlighted) escrows at the next cycle"),
    ("retry_all_escrows", "Retry all escrows", "Retry every escrow of the job at the next cycle"),
    ("dismiss_escrows", "Dismiss selected escrows…", "Forget the marked (or highlighted) escrows (asks first)"),
    ("add_filter_group", "Add scoping filter group…", "Add a group, with its first clause, to the highlighted object mapping"),
]
APP_ACTIONS = [
    ("goto", "Go to view…", "Jump to jobs, status, logs, escrows, schema, settings, new job, provision, preview"),
    ("toggle_help", "Keys and keymap", "The keys of this screen, their binding ids, and how to remap them"),
]


class JobCommands(Provider):
    def _commands(self) -> list[tuple[str, Any, str]]:
        from .screens.jobs import JobsScreen

        screen = self.screen
        if not isinstance(screen, JobsScreen):
            return []
        commands = []
        for action, title, help_text in ACTIONS:
            if screen.check_action(action, ()) is True:
                commands.append((title, partial(screen.run_action, action), help_text))
        for action, title, help_text in APP_ACTIONS:
            commands.append((title, partial(self.app.run_action, action), help_text))
        for job_id in screen.order:
            summary = screen.summaries.get(job_id)
            if summary is not None:
                commands.append((f"Jump to job: {summary.name}", partial(screen.select_job, job_id),
                                 f"{summary.job.template_id} · {job_id}"))
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
