"""A footer that never cuts a key off: the help and palette keys are pinned to the right, and when
the screen's keys do not all fit beside them, its secondary keys give their room to the main ones,
the last first (the help screen and the palette still list them)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PINNED = {"toggle_help", "app.toggle_help"}
PINNED_WIDTH = 20
"""Cells the pinned keys take ("▏? Keys ^p palette"), with the margin between the two groups."""


class ResponsiveFooter(Footer):
    def __init__(self, *, secondary: Iterable[str] = ()) -> None:
        super().__init__(compact=True)
        self.secondary = frozenset(secondary)
        self._hidden: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        pinned = []
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                if widget.action in PINNED or widget.has_class("-command-palette"):
                    pinned.append(widget)
                    continue
                if widget.action in self._hidden:
                    continue
            yield widget
        if pinned:
            with HorizontalGroup(classes="footer-pinned"):
                yield from pinned

    def _to_hide(self, screen: Screen[object]) -> frozenset[str]:
        """The secondary keys to leave out so that the others fit, the last shown first."""
        widths: dict[str, int] = {}
        for _, binding, _, _ in screen.active_bindings.values():
            if binding.show and binding.action not in PINNED:
                # A compact footer key is " key description" and a space after it.
                width = len(self.app.get_key_display(binding)) + len(binding.description) + 2
                widths.setdefault(binding.action, width)
        room = self.app.size.width - PINNED_WIDTH
        needed = sum(widths.values())
        hidden = set()
        for action in reversed(widths):
            if needed <= room:
                break
            if action in self.secondary:
                hidden.add(action)
                needed -= widths[action]
        return frozenset(hidden)

    def _shown_actions(self, screen: Screen[object]) -> dict[str, bool]:
        """What compose would show now: action → enabled (the palette key aside)."""
        shown: dict[str, bool] = {}
        for _, binding, enabled, _ in screen.active_bindings.values():
            if binding.show and binding.action not in self._hidden:
                shown.setdefault(binding.action, enabled)
        return shown

    def bindings_changed(self, screen: Screen[object]) -> None:
        """When the same keys are shown and only which are enabled changed (moving between jobs),
        update those keys in place. Textual's Footer recomposes: it mounts every key again and lays
        the screen out anew, which a key press in the jobs table would wait for."""
        hidden = self._to_hide(screen)
        if hidden == self._hidden and self._bindings_ready and screen is self.screen and screen.app.app_focus:
            keys = {key.action: key for key in self.query(FooterKey) if not key.has_class("-command-palette")}
            wanted = self._shown_actions(screen)
            if set(keys) == set(wanted):
                for action, enabled in wanted.items():
                    keys[action].disabled = not enabled
                return
        self._hidden = hidden
        super().bindings_changed(screen)

    async def on_resize(self, event: Resize) -> None:
        hidden = self._to_hide(self.screen)
        if hidden != self._hidden:
            self._hidden = hidden
            await self.recompose()
