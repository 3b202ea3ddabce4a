"""Names and messages come from users and servers: the dashboard shows them as text, never as markup."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.mapping import MappingDialog
from synctui.tui.screens.preview import PreviewScreen

from .conftest import SIZE, select, settle

NAME = "Payroll [/] [red]sync[/red] [link=file:///etc/passwd]x"


async def test_a_name_that_looks_like_markup_is_shown_as_typed(app: SyncApp, service: SyncService, tmp_path) -> None:
    for job in service.list_jobs():
        service.delete_job(job.id)
    service.create_job("jsonfile", name=NAME, secrets={"ConnectionString": str(tmp_path / "target.json")})
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("n")  # run now: its toasts name the job
        await settle(pilot)
        assert any(NAME in str(n.message) for n in app._notifications)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert NAME in app.export_screenshot().replace("\xa0", " ").replace("&#160;", " ")
        assert app.is_running


async def test_an_expression_result_with_brackets_is_shown_as_text(app: SyncApp, service: SyncService) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = MappingDialog(None, ["mail"], ["displayName"])
        await app.push_screen(dialog)
        await pilot.pause()
        dialog.query_one("#mapping-type", Select).value = "Expression"
        dialog.query_one("#mapping-expression", Input).value = 'Append("[/] [b]", [mail])'
        dialog.query_one("#expression-test", Input).value = "mail=[red]a@b"
        await settle(pilot)
        assert "[/] [b][red]a@b" in str(dialog.query_one("#expression-result", Static).render())
        assert app.is_running


async def test_a_store_error_is_shown_as_its_message(app: SyncApp) -> None:
    from synctui.service import StoreError

    async with app.run_test(size=SIZE) as pilot:
        app.show_error("Save settings", StoreError("configuration /x/synctui.json is damaged; restore it"))
        await pilot.pause()
        shown = [n for n in app._notifications if n.severity == "error"]
        assert shown[-1].message == "configuration /x/synctui.json is damaged; restore it"
        assert shown[-1].title == "Save settings failed"
