"""A footer that stays useful at 80 columns: the help and palette keys are pinned to the right, and
in a narrow terminal the screen's secondary keys give their room to the main ones (the help screen
and the palette still list them)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ..sizes import NARROW

PINNED = {"toggle_help", "app.toggle_help"}


class ResponsiveFooter(Footer):
    def __init__(self, *, secondary: Iterable[str] = ()) -> None:
        super().__init__(compact=True)
        self.secondary = frozenset(secondary)
        self._narrow = False

    def compose(self) -> ComposeResult:
        pinned = []
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                if widget.action in PINNED or widget.has_class("-command-palette"):
                    pinned.append(widget)
                    continue
                if self._narrow and widget.action in self.secondary:
                    continue
            yield widget
        if pinned:
            with HorizontalGroup(classes="footer-pinned"):
                yield from pinned

    def _shown_actions(self, screen: Screen[object]) -> dict[str, bool]:
        """What compose would show now: action → enabled (the palette key aside)."""
        shown: dict[str, bool] = {}
        for _, binding, enabled, _ in screen.active_bindings.values():
            if binding.show and not (self._narrow and binding.action in self.secondary):
                shown.setdefault(binding.action, enabled)
        return shown

    def bindings_changed(self, screen: Screen[object]) -> None:
        """When the same keys are shown and only which are enabled changed (moving between jobs),
        update those keys in place. Textual's Footer recomposes: it mounts every key again and lays
        the screen out anew, which a key press in the jobs table would wait for."""
        if self._bindings_ready and screen is self.screen and screen.app.app_focus:
            keys = {key.action: key for key in self.query(FooterKey) if not key.has_class("-command-palette")}
            wanted = self._shown_actions(screen)
            if set(keys) == set(wanted):
                for action, enabled in wanted.items():
                    keys[action].disabled = not enabled
                return
        super().bindings_changed(screen)

    async def on_resize(self, event: Resize) -> None:
        narrow = self.app.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            await self.recompose()
