"""The dashboard's Settings tab and New-job form check values against the template's declaration:
a bad value is refused with the service's one line, and nothing is saved."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select, Static

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.screens.new_job import NewJobScreen

from .conftest import SIZE, job_id, select, settle


async def test_settings_tab_refuses_a_bad_value_and_saves_nothing(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "scim")
    before = service.home.config_file.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "scim")
        app.screen.query_one("#detail").active = "tab-settings"
        await settle(pilot)
        app.screen.query_one("#setting-interval", Input).value = "PT5M"
        app.screen.query_one("#setting-TraceRequests", Checkbox).value = True
        app.screen.query_one("#setting-ScimMaxParallelRequests", Input).value = "abc"
        await pilot.click("#settings-save")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and errors[-1].message == (
            "setting ScimMaxParallelRequests must be a whole number from 1 to 64, not 'abc'"
        )
        assert service.home.config_file.read_bytes() == before  # neither the interval nor the trace flag
        app.screen.query_one("#secret-BaseAddress", Input).value = "http://scim.example/v2"
        app.screen.query_one("#setting-ScimMaxParallelRequests", Input).value = ""
        await pilot.click("#settings-save")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert "sends the token unencrypted" in errors[-1].message
        assert service.home.config_file.read_bytes() == before
        assert "BaseAddress" not in service.secret_keys(job)


async def test_new_job_form_refuses_a_bad_setting_and_creates_nothing(app: SyncApp, service: SyncService) -> None:
    before = len(service.list_jobs())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewJobScreen)
        screen.query_one("#new-template", Select).value = "scim"
        screen.query_one("#new-name", Input).value = "SCIM app"
        screen.query_one("#new-test", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#setting-ScimManagerShape", Input).value = "bogus"
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = str(screen.query_one("#new-error", Static).render())
        assert "setting ScimManagerShape must be one of string, object, not 'bogus'" in shown
        screen.query_one("#setting-ScimManagerShape", Input).value = ""
        screen.query_one("#new-interval", Input).value = "P3000000D"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "an interval runs from PT1S to P365D" in str(screen.query_one("#new-error", Static).render())
        assert isinstance(app.screen, NewJobScreen)
    assert len(service.list_jobs()) == before
