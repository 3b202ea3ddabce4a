"""Importing a schema (`i`) shows what it changes and saves only after Yes; a refused file shows why
and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.dialogs.error import ErrorDialog

from .conftest import SIZE, notifications, select, settle


def _without_job_title(service: SyncService, job: str, path: Path) -> Path:
    schema = service.get_schema(job).model_dump(mode="json")
    users = schema["synchronizationRules"][0]["objectMappings"][0]
    users["attributeMappings"] = [m for m in users["attributeMappings"] if m["targetAttributeName"] != "jobTitle"]
    path.write_text(json.dumps(schema))
    return path


def _mapped(service: SyncService, job: str) -> list[str]:
    users = service.get_schema(job).synchronization_rules[0].object_mappings[0]
    return [m.target_attribute_name for m in users.attribute_mappings]


async def _import(pilot, path: Path) -> None:
    await pilot.press("i")
    await pilot.pause()
    pilot.app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


def _message(app: SyncApp) -> str:
    return str(app.screen.query_one("#dialog-message").render())


async def test_import_shows_the_changes_and_saves_after_yes(app: SyncApp, service: SyncService, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        version = service.get_schema(job).version
        await _import(pilot, _without_job_title(service, job, tmp_path / "schema.json"))
        assert isinstance(app.screen, ConfirmDialog)
        assert "• User → User: mappings removed: jobTitle" in _message(app)
        assert service.get_schema(job).version == version  # asked first: nothing saved yet
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
    assert service.get_schema(job).version != version
    assert "jobTitle" not in _mapped(service, job)


async def test_cancel_changes_nothing(app: SyncApp, service: SyncService, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        before = service.get_schema(job).model_dump(mode="json")
        await _import(pilot, _without_job_title(service, job, tmp_path / "schema.json"))
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
    assert service.get_schema(job).model_dump(mode="json") == before


async def test_a_file_with_no_mappings_shows_why_and_changes_nothing(
    app: SyncApp, service: SyncService, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text('{"foo": 1}')
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        before = service.get_schema(job).model_dump(mode="json")
        await _import(pilot, empty)
        assert isinstance(app.screen, ErrorDialog)
        problems = [str(p.render()) for p in app.screen.query(".problem")]
        assert any("no synchronization rule" in p for p in problems)
        assert any("target directory 'JSON file' is missing" in p for p in problems)
    assert service.get_schema(job).model_dump(mode="json") == before


async def test_a_file_that_is_not_json_is_a_message(app: SyncApp, service: SyncService, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        version = service.get_schema(job).version
        await _import(pilot, broken)
        assert not isinstance(app.screen, ConfirmDialog | ErrorDialog)
        assert any("is not valid JSON" in n for n in notifications(app, "error"))
    assert service.get_schema(job).version == version


async def test_thousands_of_problems_show_the_first_and_a_count(
    app: SyncApp, service: SyncService, tmp_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        schema = service.get_schema(job).model_dump(mode="json")
        schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"] = [
            {"targetAttributeName": f"nope{i}", "matchingPriority": 1 if i == 0 else 0} for i in range(15_000)
        ]
        path = tmp_path / "many.json"
        path.write_text(json.dumps(schema))
        await _import(pilot, path)
        assert isinstance(app.screen, ErrorDialog)
        problems = [str(p.render()) for p in app.screen.query(".problem")]
        assert len(problems) == 21 and problems[-1] == "• … and 14,980 more"
