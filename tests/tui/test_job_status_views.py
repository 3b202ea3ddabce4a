"""Pilot tests: the jobs table, the Status and Escrows tabs and the toasts say what the cycles did
(issue 15, items 1–5 and 10): a held-back cycle is a quarantine everywhere, no view promises a run
the schedule will not make, escrows say when a cycle retries them, Allow deletes lists the deletes
and runs the cycle at once."""

from __future__ import annotations

import json

from textual.widgets import Input, Static

from synctui.models import SynchronizationStatusCode as Code
from synctui.service import SyncService
from synctui.tui.app import SyncApp
from synctui.tui.dialogs.confirm import ConfirmDialog
from synctui.tui.widgets.escrows_pane import EscrowsPane
from synctui.tui.widgets.jobs_table import JobsTable

from .conftest import SIZE, job_id, notifications, open_tab, screen_text, select, settle

JSON_JOB = "Demo: tenant → JSON file"


def _hold_back_deletes(service: SyncService) -> str:
    """The demo JSON job, quarantined for TooManyDeletes: 20 disables held back at a threshold of 5."""
    job = job_id(service, "jsonfile")
    service.update_job(job, settings={"QuarantineTooManyDeletesThreshold": "5"})
    service.run_cycle(job)
    tenant = json.loads(service.home.tenant_file.read_text())
    for user in [user for user in tenant["users"] if user.get("accountEnabled")][:20]:
        user["accountEnabled"] = False
    service.home.tenant_file.write_text(json.dumps(tenant))
    return job


def _target_disabled(service: SyncService) -> int:
    target = next(service.home.root.rglob("demo-directory.json"))  # the demo JSON job's target
    return sum(not user["accountEnabled"] for user in json.loads(target.read_text())["User"])


async def test_run_now_on_a_held_back_cycle_says_quarantine_in_the_toast_table_and_status(
    app: SyncApp, service: SyncService
) -> None:
    _hold_back_deletes(service)
    async with app.run_test(size=SIZE) as pilot:
        job = await select(pilot, service, "jsonfile")
        await pilot.press("n")
        await settle(pilot)
        [toast] = [n for n in notifications(app, "error") if "cycle ended" in n]
        assert "Quarantine (TooManyDeletes): imported " in toast and "allow-deletes" in toast
        cells = app.screen.query_one(JobsTable).get_row(job)
        assert any(getattr(cell, "plain", cell) == "TooManyDeletes" for cell in cells)
        assert not any(str(getattr(cell, "plain", cell)).startswith("Succeeded") for cell in cells)
        text = screen_text(app)
        assert "QUARANTINE" in text and "Press a to review the held deletes" in text
        assert "Duration per cycle: last 0.0 s" in text  # with its unit


async def test_allow_deletes_lists_what_it_deletes_and_runs_the_cycle_now(app: SyncApp, service: SyncService) -> None:
    job = _hold_back_deletes(service)
    service.run_cycle(job)
    assert service.get_job(job).status.code == Code.Quarantine
    disabled_before = _target_disabled(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        message = str(dialog.query_one("#dialog-message", Static).render())
        assert "runs that cycle now" in message and "these 20 target objects" in message
        assert message.count("• disable User ") == 8 and "12 more" in message
        dialog.query_one("#confirm-text", Input).value = "Demo: tenant -> JSON file"
        await pilot.press("enter")
        await settle(pilot)
        # Run at once, not at the next interval: the 20 disables are in the target already.
        assert _target_disabled(service) == disabled_before + 20
        assert service.get_job(job).status.code == Code.Active
        assert any("Succeeded: " in n and "exported 20/20" in n for n in notifications(app, "information"))


async def test_a_quarantine_on_a_disabled_schedule_promises_no_next_attempt(app: SyncApp, service: SyncService) -> None:
    hr = job_id(service, "csvInbound")  # never started: its schedule is Disabled
    service.update_job(hr, settings={"SourcePath": str(service.home.root / "missing.csv")})
    service.run_cycle(hr)
    assert service.get_job(hr).status.code == Code.Quarantine
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "csvInbound")
        text = screen_text(app)
        assert "Next attempt  none — the schedule is Disabled: start the job (s)" in text
        assert "Next attempt  in " not in text


async def test_a_job_run_once_without_a_start_is_not_shown_as_never_run(app: SyncApp, service: SyncService) -> None:
    hr = job_id(service, "csvInbound")
    service.run_cycle(hr)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "csvInbound")
        cells = [getattr(cell, "plain", cell) for cell in app.screen.query_one(JobsTable).get_row(hr)]
        assert "‖ Paused" in cells and "○ NotRun" not in cells
        text = screen_text(app)
        assert "In sync" in text and " User" in text and "Azure Active Directory" not in text.split("In sync")[1][:40]


async def test_escrows_say_when_the_next_cycle_retries_them(escrowed: str, service: SyncService) -> None:
    app = SyncApp(service)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, service, "jsonfile")
        text = screen_text(app)
        assert "5 objects wait for a retry" in text and "countEscrowed" in text
        await open_tab(pilot, "tab-escrows")
        pane = app.screen.query_one(EscrowsPane)
        [retried] = {pane._retried(escrow) for escrow in pane.escrows.values()}
        assert retried == "next cycle, in 1m"  # the interval is a minute; their back-off is over already
        detail = str(app.screen.query_one("#escrow-detail", Static).render())
        assert "1 attempt since 2025-03-04 09:00:00 UTC; retried next cycle, in 1m" in detail
