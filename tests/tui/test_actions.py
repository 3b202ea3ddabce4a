"""Pilot tests of the main actions, against the real service in a temporary home."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from typing import TypeVar

import pytest
from textual.widgets import Button, Checkbox, Input, ProgressBar, Select, Static

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.dialogs.error import ErrorDialog
from synctui.tui.dialogs.restart import RestartDialog
from synctui.tui.messages import (
    JobActionDone,
    JobActionFailed,
    JobActionRequested,
    JobsDirty,
    JobsLoaded,
    ProgressChanged,
)
from synctui.tui.screens.new_job import NewJobScreen
from synctui.tui.screens.preview import PreviewScreen
from synctui.tui.screens.provision import ProvisionScreen
from synctui.tui.widgets.jobs_table import JobsTable
from synctui.tui.widgets.panes import StatusPane

from .conftest import SIZE, job_id, notifications, select, settle

T = TypeVar("T")


def state(service: SyncService, job: str) -> str:
    return service.get_job(job).schedule.state.value


async def test_table_lists_every_job(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobsTable)
        assert table.row_count == 3
        assert {key.value for key in table.rows} == {s.job.id for s in service.job_summaries()}
        assert app.focused is table


async def test_start_and_pause(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "csvInbound")
        assert app.screen.check_action("pause", ()) is None  # nothing to pause
        await pilot.press("s")
        await settle(pilot)
        assert state(service, job) == "Active"
        assert app.screen.check_action("start", ()) is None  # no Start on an Active job
        await pilot.press("p")
        await settle(pilot)
        assert state(service, job) == "Paused"
        assert service.get_job(job).status.code.value == "Paused"


async def test_a_job_action_asks_and_a_worker_answers(app: SyncApp, service: SyncService) -> None:
    """The action never calls the service: it posts a request, the screen's worker posts the answer."""
    messages: list[object] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        job = await select(pilot, service, "csvInbound")
        name = service.job_summary(job).name
        messages.clear()
        await pilot.press("s")
        await settle(pilot)
        requests = [m for m in messages if isinstance(m, JobActionRequested)]
        answers = [m for m in messages if isinstance(m, JobActionDone)]
        assert len({id(m) for m in requests}) == 1 and len({id(m) for m in answers}) == 1
        assert requests[0].action == "Start" and requests[0].job_id == job
        assert answers[0].request is requests[0]
        assert messages.index(requests[0]) < messages.index(answers[0])
        assert state(service, job) == "Active"
        assert any(n.endswith(f"Started {name}") for n in notifications(app))
        assert not any(isinstance(m, JobActionFailed) for m in messages)


def _once(messages: Iterable[T]) -> list[T]:
    """Each message once: the hook sees a message at each node it bubbles to."""
    return list({id(message): message for message in messages}.values())


async def test_a_load_that_fails_is_answered_with_a_failure_message(app: SyncApp, service: SyncService) -> None:
    """The loading workers never call into the app from their thread: a failure comes back as a
    JobActionFailed, shown as a toast, and the app keeps running."""
    messages: list[object] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        job = job_id(service, "csvInbound")
        service.home.job_state_file(job).write_text("{damaged")
        messages.clear()
        await select(pilot, service, "csvInbound")
        failed = _once(m for m in messages if isinstance(m, JobActionFailed))
        assert [m.action for m in failed] == ["Loading the job"]
        assert "job state" in str(failed[0].error) and "is damaged" in str(failed[0].error)
        assert any(n.startswith("Loading the job failed: job state") for n in notifications(app, "error"))

        service.home.config_file.write_text("{damaged")
        messages.clear()
        app.screen.post_message(JobsDirty())
        await settle(pilot)
        failed = _once(m for m in messages if isinstance(m, JobActionFailed))
        assert [m.action for m in failed] == ["Loading jobs"]
        assert not any(isinstance(m, JobsLoaded) for m in messages)
        assert any(n.startswith("Loading jobs failed: configuration") for n in notifications(app, "error"))
        assert app.is_running


async def test_run_now_runs_a_cycle_in_a_worker(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        await pilot.press("n")
        await settle(pilot)
        assert service.get_job(job).status.last_execution is not None
        assert service.logs(job, 5)
        await settle(pilot)
        assert app.screen.detail.summary.job.status.last_execution is not None


async def test_delete_asks_for_the_job_name(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "csvInbound")
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Demo: HR CSV → tenant" in str(dialog.query_one("#dialog-title", Static).render())
        assert "cannot be undone" in str(dialog.query_one("#dialog-message", Static).render())
        field = dialog.query_one("#confirm-text", Input)
        yes = dialog.query_one("#yes", Button)
        assert app.focused is field and yes.disabled
        await pilot.press("enter", "y")  # nothing typed: enter only warns; y is a letter of the name
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and field.value == "y" and yes.disabled
        field.value = "Demo: HR CSV"  # not the whole name
        await pilot.pause()
        assert yes.disabled
        await pilot.press("escape")
        await settle(pilot)
        assert job in {j.id for j in service.list_jobs()}
        await pilot.press("d")
        await pilot.pause()
        app.screen.query_one("#confirm-text", Input).value = "demo: hr csv -> tenant"  # -> for →, any case
        await pilot.pause()
        assert not app.screen.query_one("#yes", Button).disabled
        await pilot.press("enter")
        await settle(pilot)
        assert job not in {j.id for j in service.list_jobs()}
        assert job not in {key.value for key in app.screen.query_one(JobsTable).rows}


async def test_restart_scope_dialog_confirms_dangerous_scopes(app: SyncApp, service: SyncService) -> None:
    calls: list[tuple[str, str | None]] = []
    original = service.restart_job

    def spy(job: str, reset_scope: str | None = None) -> None:
        calls.append((job, reset_scope))
        original(job, reset_scope)

    service.restart_job = spy  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        for dangerous in ("#scope-ConnectorDataStore", "#scope-ForceDeletes"):  # Full: below
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, RestartDialog)
            await pilot.click(dangerous)
            await pilot.click("#ok")
            await pilot.pause()
            confirm = app.screen
            assert isinstance(confirm, ConfirmDialog)
            message = str(confirm.query_one("#dialog-message", Static).render())
            assert "Demo: tenant → JSON file" in message
            assert "forgets every link" in message or "delete or disable" in message
            assert confirm.query_one("#yes", Button).disabled  # until the name is typed
            await pilot.press("escape")
            await settle(pilot)
        assert calls == []
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#scope-Full")
        await pilot.click("#ok")
        await pilot.pause()
        app.screen.query_one("#confirm-text", Input).value = "Demo: tenant -> JSON file"
        await pilot.press("enter")
        await settle(pilot)
        assert calls == [(job, "Full")]
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#ok")  # the default scopes are safe: no confirm
        await settle(pilot)
        assert calls[-1] == (job, "Escrows, Watermark, QuarantineState")


async def test_filter_as_you_type(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobsTable)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"csv")
        await pilot.pause()
        assert [key.value for key in table.rows] == [job_id(service, "csvInbound")]
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 3


async def test_provision_on_demand(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ProvisionScreen)
        app.screen.query_one("#provision-search", Input).value = "Mohammed Anderson"
        await settle(pilot)  # the search runs in a worker
        await pilot.press("enter")
        await settle(pilot)
        key, entry = app.screen.result
        assert key["result"] == "Success"
        assert [s["provisioningStepType"] for s in entry["provisioningSteps"]][:1] == ["import"]
        shot = app.export_screenshot()
        assert "Result: Success" in shot.replace("\xa0", " ") or "Success" in shot
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ProvisionScreen)


async def test_provision_on_demand_offers_the_jobs_own_source(app: SyncApp, service: SyncService) -> None:
    # The HR job's source is its CSV file: its workers, by their EmployeeId, not the tenant's users.
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "csvInbound")
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProvisionScreen)
        assert screen.objects and all(obj.id.startswith("E") for obj in screen.objects)
        worker = screen.objects[3]
        screen.query_one("#provision-search", Input).value = worker.display_name
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        key, entry = screen.result
        assert key["result"] == "Success", key
        assert entry["sourceIdentity"]["id"] == worker.id


async def test_provision_on_demand_unknown_id_is_an_error_not_a_crash(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one("#provision-search", Input).value = "no-such-object"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert "✖" in str(app.screen.query_one("#provision-output", Static).render())
        assert any(n.severity == "error" for n in app._notifications)


async def test_preview_lists_creates(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        summary = str(app.screen.query_one("#preview-summary", Static).render())
        assert "create" in summary
        assert app.screen.query_one("#preview-table").row_count > 0
        assert service.get_job(job).status.last_execution is None  # a dry run writes nothing


async def test_a_preview_that_fails_is_answered_with_a_failure_message(app: SyncApp, service: SyncService) -> None:
    messages: list[object] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        job = await select(pilot, service, "scim")  # no BaseAddress: its directories cannot open
        messages.clear()
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        failed = _once(m for m in messages if isinstance(m, JobActionFailed))
        assert [m.action for m in failed] == ["Preview"]
        assert "✖ preview failed: the secret BaseAddress" in str(app.screen.query_one("#preview-summary").render())
        assert any(
            n.startswith("Preview failed: preview failed: the secret BaseAddress") and job in n
            for n in notifications(app, "error")
        )


async def test_new_job_validates_then_creates(app: SyncApp, service: SyncService) -> None:
    before = len(service.list_jobs())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewJobScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "choose a template" in str(screen.query_one("#new-error", Static).render())
        screen.query_one("#new-template", Select).value = "jsonfile"
        screen.query_one("#new-name", Input).value = "Test job"
        screen.query_one("#new-interval", Input).value = "every five minutes"
        screen.query_one("#new-test", Checkbox).value = False
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "interval" in str(screen.query_one("#new-error", Static).render())
        assert len(service.list_jobs()) == before  # nothing stored
        screen.query_one("#new-interval", Input).value = "PT10M"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewJobScreen)
        names = {s.name: s for s in service.job_summaries()}
        assert "Test job" in names
        assert names["Test job"].job.schedule.interval.total_seconds() == 600


async def test_secrets_are_never_displayed(app: SyncApp, service: SyncService) -> None:
    secret = "s3cr3t-V4LUE-never-shown"
    job = job_id(service, "scim")
    service.put_secrets(job, {"SecretToken": secret})
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "scim")
        app.screen.query_one("#detail").active = "tab-settings"
        await settle(pilot)
        assert secret not in app.export_screenshot()
        app.screen.query_one("#secret-BaseAddress", Input).value = "http://127.0.0.1:9/another-s3cr3t"
        await pilot.pause()
        assert "another-s3cr3t" not in app.export_screenshot()
        await pilot.click("#settings-save")
        await settle(pilot)
        assert "BaseAddress" in service.secret_keys(job)
        assert secret not in app.export_screenshot()
        states = {label.name: str(label.render()) for label in app.screen.query(".secret-state")}
        assert states["SecretToken"] == "set" and states["BaseAddress"] == "set"


async def test_service_error_is_a_notification_and_the_app_keeps_running(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "scim")  # NotConfigured: Start fails in the service
        await pilot.press("s")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "not configured" in errors[-1].message
        assert app.is_running
        await pilot.press("c")  # still responsive
        await settle(pilot)
        assert isinstance(app.screen, NewJobScreen)


async def test_invalid_schema_import_shows_problems_and_saves_nothing(
    app: SyncApp, service: SyncService, tmp_path
) -> None:
    job = job_id(service, "jsonfile")
    before = service.get_schema(job).version
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"synchronizationRules": [{"sourceDirectoryName": "nope", "targetDirectoryName": "nope", '
        '"objectMappings": []}], "directories": []}'
    )
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(bad)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.query(".problem")
        await pilot.press("escape")
    assert service.get_schema(job).version == before


async def test_export_schema_writes_graph_json(app: SyncApp, service: SyncService, tmp_path) -> None:
    import json

    target = tmp_path / "out.json"
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    data = json.loads(target.read_text())
    assert "synchronizationRules" in data and "directories" in data


async def test_live_updates_arrive_as_coalesced_messages(service: SyncService) -> None:
    messages: list[object] = []
    app = SyncApp(service)
    job = job_id(service, "csvInbound")
    events: list[object] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobsTable)
        row_before = table.cursor_row
        messages.clear()
        unsubscribe = service.subscribe(events.append)

        def burst() -> None:  # another thread, as the scheduler; the UI takes none of it meanwhile
            for _ in range(5):
                service.start_job(job)
                service.pause_job(job)
            service.start_job(job)

        thread = threading.Thread(target=burst)
        thread.start()
        thread.join()
        unsubscribe()
        await settle(pilot)
        await pilot.pause(0.1)
        await settle(pilot)
        # The hook sees a message at each node it bubbles to: count each message once.
        first = {id(m): i for i, m in reversed(list(enumerate(messages)))}
        dirty = sorted({first[id(m)] for m in messages if isinstance(m, JobsDirty)})
        loaded = sorted({first[id(m)] for m in messages if isinstance(m, JobsLoaded)})
        assert len(events) >= 11  # one event per change at least
        assert 1 <= len(dirty) < len(events)  # the burst coalesced: fewer reloads than events
        assert loaded and dirty[0] < loaded[-1]  # the summaries were reloaded after it
        row = [key.value for key in table.rows].index(job)
        assert str(table.get_cell_at((row, 3))).startswith("Active")  # the schedule column
        assert table.cursor_row == row_before  # refresh never moves the cursor


async def test_progress_moves_the_bar_alone_and_a_burst_is_shown_once(
    app: SyncApp, service: SyncService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        shown: list[object] = []
        moved: list[object] = []
        show, show_progress = StatusPane.show, StatusPane.show_progress
        monkeypatch.setattr(StatusPane, "show", lambda pane, *args: shown.append(args) or show(pane, *args))
        monkeypatch.setattr(
            StatusPane, "show_progress", lambda pane, progress: moved.append(progress) or show_progress(pane, progress)
        )
        for done in range(1, 51):  # a cycle reports faster than the screen takes them
            app.screen.post_message(ProgressChanged(job, done, 50))
        app.screen.post_message(ProgressChanged("another-job", 1, 2))
        await settle(pilot)
        assert moved == [(50, 50)]  # the newest report of the burst, once
        assert shown == []  # the rest of the status tab stays as it was
        assert app.screen.query_one("#cycle-progress", ProgressBar).progress == 50
        await pilot.press("right_square_bracket")  # away from the status tab, a report marks it stale
        app.screen.post_message(ProgressChanged(job, 60, 100))
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert len(shown) == 1 and shown[0][2] == (60, 100)


async def test_start_up_objects_are_frozen_while_the_app_runs(app: SyncApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.get_freeze_count() > 10_000  # left out of the collector's full passes
    assert gc.get_freeze_count() == 0  # and handed back when the app ends


async def test_quit_while_running_asks(app: SyncApp, service: SyncService) -> None:
    import dataclasses

    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        screen = app.screen
        screen.summaries[job] = dataclasses.replace(screen.summaries[job], running=True)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running


async def test_schema_edit_toggle_save_and_unsaved_prompt(app: SyncApp, service: SyncService) -> None:
    from textual.widgets import Tree

    from synctui.tui.widgets.schema_editor import SchemaEditor
    from synctui.tui.widgets.schema_tree import MappingRef

    job = job_id(service, "jsonfile")
    version = service.get_schema(job).version
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        app.screen.query_one("#detail").active = "tab-schema"
        await settle(pilot)
        editor = app.screen.query_one(SchemaEditor)
        tree = editor.query_one(Tree)
        node = next(
            n
            for n in editor.query_one(Tree)._tree_nodes.values()
            if isinstance(n.data, MappingRef) and n.data.object_mapping == 0 and n.data.attribute_mapping is None
        )
        tree.move_cursor(node)
        await pilot.click("#schema-toggle")
        await pilot.pause()
        assert editor.dirty
        # leaving the job with unsaved edits asks first; No keeps them
        table = app.screen.query_one(JobsTable)
        table.move_cursor(row=[k.value for k in table.rows].index(job_id(service, "csvInbound")))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert editor.dirty and app.screen.selected == job
        await pilot.click("#schema-save")
        await settle(pilot)
        saved = service.get_schema(job)
        assert saved.version != version
        assert saved.synchronization_rules[0].object_mappings[0].enabled is False
        assert not editor.dirty


async def test_mapping_dialog_checks_the_expression_as_you_type(app: SyncApp, service: SyncService) -> None:
    from synctui.tui.dialogs.mapping import MappingDialog

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = MappingDialog(None, ["givenName", "surname"], ["displayName", "mail"])
        results: list[object] = []
        await app.push_screen(dialog, results.append)
        await pilot.pause()
        dialog.query_one("#mapping-type", Select).value = "Expression"
        dialog.query_one("#mapping-target", Select).value = "displayName"
        await pilot.pause()
        dialog.query_one("#mapping-expression", Input).value = 'Join(" ", [givenName], [surname]'
        await settle(pilot)
        assert "column" in str(dialog.query_one("#expression-result", Static).render())
        await pilot.click("#ok")
        await pilot.pause()
        assert results == [] and "fix the expression" in str(dialog.query_one("#mapping-error", Static).render())
        dialog.query_one("#mapping-expression", Input).value = 'Join(" ", [givenName], [surname])'
        dialog.query_one("#expression-test", Input).value = "givenName=Ann; surname=Lee"
        await settle(pilot)
        assert "Ann Lee" in str(dialog.query_one("#expression-result", Static).render())
        await pilot.click("#ok")
        await pilot.pause()
        assert results and results[0].target_attribute_name == "displayName"
        assert results[0].source.type.value == "Function"


async def test_the_mapping_dialog_asks_and_the_app_answers(app: SyncApp, service: SyncService) -> None:
    """The dialog holds no service: it posts ParseRequested, the app's worker posts Parsed back to it."""
    from synctui.tui.dialogs.mapping import MappingDialog

    messages: list[object] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        dialog = MappingDialog(None, ["givenName"], ["displayName"])
        await app.push_screen(dialog)
        await pilot.pause()
        dialog.query_one("#mapping-type", Select).value = "Expression"
        await settle(pilot)
        messages.clear()
        dialog.query_one("#mapping-expression", Input).value = "ToUpper([givenName])"
        await settle(pilot)
        requests = [m for m in messages if isinstance(m, MappingDialog.ParseRequested)]
        answers = [m for m in messages if isinstance(m, MappingDialog.Parsed)]
        assert requests and requests[-1].expression == "ToUpper([givenName])" and requests[-1].test is None
        assert answers and answers[-1].request is requests[-1] and answers[-1].error is None
        assert messages.index(requests[-1]) < messages.index(answers[-1])
        assert "✔ parses" in str(dialog.query_one("#expression-result", Static).render())


async def test_simulate_changes_edits_the_tenant(app: SyncApp, service: SyncService) -> None:
    before = service.home.tenant_file.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("m")
        await settle(pilot)
        assert service.home.tenant_file.read_bytes() != before
        assert any("Simulated a day at work" in (n.title or "") for n in app._notifications)


async def test_trace_requests_toggle_sets_the_job_setting(app: SyncApp, service: SyncService) -> None:
    job = job_id(service, "scim")
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "scim")
        app.screen.query_one("#detail").active = "tab-settings"
        await settle(pilot)
        app.screen.query_one("#setting-TraceRequests", Checkbox).value = True
        await pilot.click("#settings-save")
        await settle(pilot)
        assert service.get_job(job).setting("TraceRequests") == "true"
        app.screen.query_one("#setting-TraceRequests", Checkbox).value = False
        await pilot.click("#settings-save")
        await settle(pilot)
        assert service.get_job(job).setting("TraceRequests") is None


async def test_new_job_tests_the_connection_before_creating(app: SyncApp, service: SyncService, tmp_path) -> None:
    jobs_before = len(service.list_jobs())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewJobScreen)
        screen.query_one("#new-template", Select).value = "jsonfile"
        await settle(pilot)
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        screen.query_one("#secret-ConnectionString", Input).value = str(blocker / "x.json")
        screen.query_one("#new-test-connection", Button).press()
        await settle(pilot)
        assert "Test connection failed" in str(screen.query_one("#new-error", Static).render())
        screen.query_one("#secret-ConnectionString", Input).value = str(tmp_path / "ok.json")
        screen.query_one("#new-test-connection", Button).press()
        await settle(pilot)
        assert "connection OK" in str(screen.query_one("#new-error", Static).render())
    assert len(service.list_jobs()) == jobs_before
