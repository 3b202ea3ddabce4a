"""The Settings tab and the New-job form show the fields of the job's template only, each with its
meaning and default; the deletion check and the notification e-mail have fields of their own,
saved in Entra's SyncNotificationSettings shape; ctrl+s saves; a job created without its required
secrets says it is NotConfigured and what to set."""

from __future__ import annotations

import json
from datetime import timedelta

from textual.widgets import Checkbox, Input, Select

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.screens.new_job import NewJobScreen

from .conftest import SIZE, job_id, notifications, open_new_job, open_tab, screen_text, select, settle


def field_ids(app: SyncApp) -> set[str]:
    return {widget.id or "" for widget in app.screen.query("#settings-fields Input, #settings-fields Checkbox")}


async def test_settings_show_the_fields_of_the_jobs_template_only(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-settings")
        ids = field_ids(app)
        assert "secret-ConnectionString" in ids
        assert not {"secret-BaseAddress", "secret-SecretToken", "setting-ScimMaxParallelRequests"} & ids
        await select(pilot, service, "scim")
        await open_tab(pilot, "tab-settings")
        ids = field_ids(app)
        assert {"secret-BaseAddress", "secret-SecretToken", "setting-ScimMaxParallelRequests"} <= ids
        assert "secret-ConnectionString" not in ids
        helps = [str(help.render()) for help in app.screen.query("#settings-fields .field-help")]
        assert "requests in flight at once · a whole number from 1 to 64 · default 4" in helps
        assert app.screen.query_one("#setting-ScimMaxParallelRequests", Input).placeholder == "default 4"


async def test_ctrl_s_saves_the_settings(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "scim")
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "scim")
        await open_tab(pilot, "tab-settings")
        interval = app.screen.query_one("#setting-interval", Input)
        interval.focus()
        interval.value = "PT7M"
        app.screen.query_one("#setting-ScimMaxParallelRequests", Input).value = "8"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = service.get_job(job)
        assert saved.schedule.interval == timedelta(minutes=7)
        assert saved.setting("ScimMaxParallelRequests") == "8"
        assert any("Saved the settings" in n for n in notifications(app))


async def test_deletion_check_and_notifications_have_their_own_fields(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "jsonfile")
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-settings")
        screen = app.screen
        assert screen.query_one("#delete-check", Checkbox).value  # Entra's default: the check is on
        assert screen.query_one("#setting-QuarantineTooManyDeletesThreshold", Input).value == "500"
        screen.query_one("#setting-QuarantineTooManyDeletesThreshold", Input).value = "42"
        screen.query_one("#notify-email", Input).value = "ops@contoso.example"
        screen.query_one("#notify-failure", Checkbox).value = True
        await pilot.click("#settings-save")
        await settle(pilot)
        assert service.get_job(job).setting("QuarantineTooManyDeletesThreshold") == "42"
        assert json.loads(service.readable_secrets(job)["SyncNotificationSettings"]) == {
            "DeleteThresholdEnabled": True,
            "Enabled": True,
            "Recipients": "ops@contoso.example",
        }
        screen.query_one("#delete-check", Checkbox).value = False
        await pilot.pause()
        assert screen.query_one("#setting-QuarantineTooManyDeletesThreshold", Input).disabled
        await pilot.click("#settings-save")
        await settle(pilot)
        assert json.loads(service.readable_secrets(job)["SyncNotificationSettings"])["DeleteThresholdEnabled"] is False
        # shown again as saved, from the job
        await select(pilot, service, "scim")
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-settings")
        assert not screen.query_one("#delete-check", Checkbox).value
        assert screen.query_one("#notify-email", Input).value == "ops@contoso.example"
        assert screen.query_one("#notify-failure", Checkbox).value


async def test_a_bad_notification_address_is_refused_and_nothing_saved(app: SyncApp, service: SyncService) -> None:
    before = service.home.config_file.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await open_tab(pilot, "tab-settings")
        app.screen.query_one("#notify-email", Input).value = "ops at contoso"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("'ops at contoso' is not an e-mail address" in n for n in notifications(app, "error"))
    assert service.home.config_file.read_bytes() == before


async def test_new_job_form_shows_the_chosen_templates_fields(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_new_job(pilot, "scim")
        ids = {w.id for w in screen.query("#new-fields Input, #new-fields Checkbox")}
        assert {"secret-BaseAddress", "secret-SecretToken", "setting-ScimRequestStyle", "notify-email"} <= ids
        assert "secret-ConnectionString" not in ids
        assert "the SCIM endpoint's base URL" in screen_text(app)
        screen.query_one("#new-template", Select).value = "csvInbound"
        await settle(pilot)
        ids = {w.id for w in screen.query("#new-fields Input, #new-fields Checkbox")}
        assert "setting-SourcePath" in ids and "secret-BaseAddress" not in ids


async def test_a_job_created_without_its_required_secret_says_it_is_not_configured(
    app: SyncApp, service: SyncService
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_new_job(pilot, "jsonfile")
        screen.query_one("#new-name", Input).value = "No target yet"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewJobScreen)
        warnings = notifications(app, "warning")
        assert any("No target yet is NotConfigured until secret ConnectionString is set" in n for n in warnings)
        assert not any("credentials test failed" in n for n in warnings)  # no test of what cannot connect
    created = next(s for s in service.job_summaries() if s.name == "No target yet")
    assert created.job.status.code.value == "NotConfigured"


async def test_a_change_made_elsewhere_shows_unless_something_is_typed(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "scim")
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "scim")
        await open_tab(pilot, "tab-settings")
        service.update_job(job, settings={"ScimMaxParallelRequests": "12"})  # as `synctui jobs update` would
        await settle(pilot)
        assert app.screen.query_one("#setting-ScimMaxParallelRequests", Input).value == "12"
        app.screen.query_one("#setting-ScimRequestTimeoutSeconds", Input).value = "30"  # the user is typing
        service.update_job(job, settings={"ScimMaxParallelRequests": "16"})
        await settle(pilot)
        assert app.screen.query_one("#setting-ScimRequestTimeoutSeconds", Input).value == "30"
        assert app.screen.query_one("#setting-ScimMaxParallelRequests", Input).value == "12"
