"""Command palette: every action of the registry (actions.py) that has a palette title, and "jump to job"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .actions import APP_ACTIONS, JOB_ACTIONS


class JobCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        from .screens.jobs import JobsScreen

        screen = self.screen
        if not isinstance(screen, JobsScreen):
            return []
        commands: list[tuple[str, Callable[[], Any], str]] = []
        for action in JOB_ACTIONS:
            if action.palette and screen.check_action(action.name, ()) is True:
                commands.append(
                    (action.palette, partial(screen.run_action, action.action), action.palette_help or action.tooltip)
                )
        for action in APP_ACTIONS:
            if action.palette:
                commands.append(
                    (action.palette, partial(self.app.run_action, action.action), action.palette_help or action.tooltip)
                )
        for job_id in screen.order:
            summary = screen.summaries.get(job_id)
            if summary is not None:
                commands.append(
                    (
                        f"Jump to job: {summary.name}",
                        partial(screen.select_job, job_id),
                        f"{summary.job.template_id} · {job_id}",
                    )
                )
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
