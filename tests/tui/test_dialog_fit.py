"""Every dialog fits 80×24 and 120×40: its buttons in view, nothing cut. (The snapshots in
test_snapshots.py show each; these check what can be checked without looking.)"""

from __future__ import annotations

import pytest
from rich.console import Console
from textual.widgets import Button

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.log_entry import modified_table
from synctui.tui.dialogs.restart import SCOPES

from .conftest import SIZE, SMALL, screen_text, settle
from .test_snapshots import DIALOGS


async def test_restart_dialog_shows_every_scope_whole_at_120_columns(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        for name, description, _ in SCOPES:
            assert name in text and description in text


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
@pytest.mark.parametrize("dialog", list(DIALOGS))
async def test_every_dialogs_buttons_are_in_view(ran: SyncService, dialog: str, size: tuple[int, int]) -> None:
    app = SyncApp(ran)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await DIALOGS[dialog](pilot)
        await settle(pilot)
        screen = app.screen
        assert screen.id != "_default" and type(screen).__name__ != "JobsScreen", "the dialog did not open"
        boxes = screen.query("#dialog-box")
        frame = boxes.first().content_region if boxes else screen.region  # inside a dialog's border, or the screen
        assert frame.width and frame.right <= size[0] and frame.bottom <= size[1]
        for button in screen.query(Button):
            if button.display and button.parent is not None and button.parent.display:
                assert button.region.height and frame.contains_region(button.region), (dialog, str(button.label))


def test_old_and_new_keep_their_width_beside_a_long_attribute_name() -> None:
    console = Console(width=76, record=True)
    urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
    console.print(modified_table([{"displayName": urn, "oldValue": "E-1234", "newValue": "E-5678"}]))
    text = console.export_text()
    assert "E-1234" in text and "E-5678" in text and "Old" in text and "New" in text
