"""What a job's status says after the cycles, restarts and quarantines that lead there: one state
machine (engine/status.py) for the code, the schedule and the next run; `jobs run` and `jobs list`
report what happened (issue 15, items 1–5 and 10). A real home, the CLI in this process, a frozen clock."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from synctui.clock import FrozenClock
from synctui.models import SynchronizationScheduleState as Schedule
from synctui.models import SynchronizationStatusCode as Code
from synctui.models import parse_datetime
from synctui.service import InvalidRequest, SyncService
from synctui.tui.format import in_sync_long

UNWRITABLE = "/proc/forbidden/target.json"


def _job(service: SyncService, tmp_path: Path, **kwargs) -> str:
    secrets = kwargs.pop("secrets", {"ConnectionString": str(tmp_path / "target.json")})
    return service.create_job("jsonfile", name="status test", secrets=secrets, **kwargs).id


def _disable_users(tenant_file: Path, count: int) -> list[str]:
    """Disable `count` enabled users of the tenant; returns their userPrincipalNames."""
    tenant = json.loads(tenant_file.read_text())
    users = [user for user in tenant["users"] if user.get("accountEnabled")][:count]
    for user in users:
        user["accountEnabled"] = False
    tenant_file.write_text(json.dumps(tenant))
    return [user["userPrincipalName"] for user in users]


def _enabled(target: Path) -> dict[str, bool]:
    return {user["userPrincipalName"]: user["accountEnabled"] for user in json.loads(target.read_text())["User"]}


# --- 1. a cycle that ends in quarantine says so, and `jobs run` exits 1 -----------------------------


def _held_back(cli) -> str:
    """A job whose second cycle held 20 disables back at a deletion threshold of 5."""
    code, job_id, _ = cli(
        "jobs",
        "create",
        "--template",
        "jsonfile",
        "--secret",
        f"ConnectionString={cli.home / 'target.json'}",
        "--setting",
        "QuarantineTooManyDeletesThreshold=5",
    )
    job_id = job_id.strip()
    assert code == 0 and cli("jobs", "start", job_id)[0] == 0
    assert cli("jobs", "run", job_id)[0] == 0
    _disable_users(cli.home / "tenant" / "directory.json", 20)
    return job_id


def test_jobs_run_reports_a_held_back_cycle_as_quarantine_and_exits_1(cli) -> None:
    job_id = _held_back(cli)
    code, out, err = cli("jobs", "run", job_id)
    assert code == 1 and err == ""
    summary, error, quarantine = out.splitlines()
    assert summary.startswith("Quarantine (TooManyDeletes): imported ")
    assert "exported 0/0" in summary and summary.endswith(" s")  # the duration carries its unit
    assert error.startswith(
        "  TooManyDeletes: 20 disables/deletes were held back: more than the accidental-deletion threshold of 5"
    )
    assert f"`synctui jobs allow-deletes {job_id}`" in error  # what to do
    assert quarantine.startswith("  The job is in quarantine (TooManyDeletes); next attempt: ")
    code, out, _ = cli("jobs", "list")
    [line] = [line for line in out.splitlines() if line.startswith(job_id)]
    assert "[Quarantine]" in line and "last=TooManyDeletes" in line and "Succeeded" not in line


def test_jobs_run_json_also_exits_1_in_quarantine(cli) -> None:
    job_id = _held_back(cli)
    code, out, _ = cli("jobs", "run", job_id, "--json")
    assert code == 1 and json.loads(out)["state"] == "Succeeded"  # Graph's execution, as it is


# --- 2. a cycle resumed after a failure is timed from its own start -----------------------------------


def test_a_cycle_finished_after_a_failed_attempt_is_timed_from_its_own_start(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    job_id = _job(service, tmp_path, secrets={"ConnectionString": UNWRITABLE})
    service.start_job(job_id)
    assert service.run_cycle(job_id).state.value == "Failed"  # leaves its cursor for the next attempt
    service.put_secrets(job_id, {"ConnectionString": str(tmp_path / "target.json")})
    clock.advance(timedelta(hours=1))
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Succeeded"
    assert execution.time_began == clock.now()  # not the failed attempt's, an hour before
    assert service.cycle_history(job_id)[-1]["seconds"] == 0


# --- 3. escrows: when a cycle really retries them ----------------------------------------------------


def _escrowed_once(service: SyncService, tmp_path: Path) -> str:
    """A job whose second cycle escrowed one user (due again at once: its first retry has no back-off)."""
    from synctui.expressions import parse

    job_id = _job(service, tmp_path, interval="PT40M")
    service.start_job(job_id)
    schema = service.get_schema(job_id)
    users = schema.synchronization_rules[0].object_mappings[0]
    title = next(m for m in users.attribute_mappings if m.target_attribute_name == "jobTitle")
    title.source = parse('FormatDateTime([jobTitle], , "yyyy-MM-dd", "yyyy")')
    service.put_schema(job_id, schema)
    tenant = json.loads(service.home.tenant_file.read_text())
    for user in tenant["users"]:
        user["jobTitle"] = "2021-05-17"
    service.home.tenant_file.write_text(json.dumps(tenant))
    service.run_cycle(job_id)
    tenant["users"][0]["jobTitle"] = "not a date"
    service.home.tenant_file.write_text(json.dumps(tenant))
    service.run_cycle(job_id)
    return job_id


def test_an_escrow_due_now_is_retried_by_the_next_cycle_not_before(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    job_id = _escrowed_once(service, tmp_path)
    ended = clock.now()
    clock.advance(timedelta(minutes=5))
    [escrow] = service.escrows(job_id)
    assert parse_datetime(escrow["nextRetry"]) < clock.now()  # its back-off is over…
    assert parse_datetime(escrow["retryAt"]) == ended + timedelta(minutes=40)  # …but the next cycle is not
    service.pause_job(job_id)
    assert "retryAt" not in service.escrows(job_id)[0]  # no cycle is scheduled


def test_jobs_escrows_says_when_the_retry_happens(cli, tmp_path: Path) -> None:
    from synctui.bootstrap import open_service
    from synctui.store import Home

    job_id = _escrowed_once(open_service(Home(cli.home)), tmp_path)
    code, out, _ = cli("jobs", "escrows", job_id)
    assert code == 0 and "back-off ends " in out and "retried by the cycle at " in out


# --- 4. in-sync counts by object type -----------------------------------------------------------------


def test_in_sync_counts_are_keyed_by_object_type_not_mapping_name(service: SyncService) -> None:
    # The HR job's one mapping is "Provision HR workers to Azure Active Directory".
    job_id = next(s.job.id for s in service.job_summaries() if s.job.template_id == "csvInbound")
    service.run_cycle(job_id)
    job = service.get_job(job_id)
    [count] = job.status.synchronized_entry_count_by_type
    assert count.key == "User to User" and count.value > 0  # Graph's key: source to target type
    assert in_sync_long(job) == f"{count.value} User"


# --- 5. one state machine: code, schedule and next run agree -----------------------------------------


def test_a_job_never_started_and_run_once_is_not_shown_as_never_run(service: SyncService, tmp_path: Path) -> None:
    job_id = _job(service, tmp_path)
    service.run_cycle(job_id)
    summary = service.job_summary(job_id)
    assert summary.job.schedule.state == Schedule.Disabled
    assert summary.job.status.code == Code.Paused  # it ran, it runs on no schedule: not NotRun
    assert summary.next_run is None
    service.start_job(job_id)
    assert service.get_job(job_id).status.code == Code.Active


def test_quarantine_on_a_disabled_schedule_has_no_next_attempt_and_recovers_as_paused(
    service: SyncService, tmp_path: Path, clock: FrozenClock
) -> None:
    job_id = _job(service, tmp_path, secrets={"ConnectionString": UNWRITABLE})
    service.run_cycle(job_id)  # never started: the schedule stays Disabled
    summary = service.job_summary(job_id)
    assert summary.job.status.code == Code.Quarantine and summary.job.schedule.state == Schedule.Disabled
    assert summary.next_run is None  # the scheduler never runs it: no "next attempt in 40m"
    assert job_id not in service.due_jobs(clock.now() + timedelta(days=2))
    service.put_secrets(job_id, {"ConnectionString": str(tmp_path / "target.json")})
    service.run_cycle(job_id)
    job = service.get_job(job_id)
    assert job.status.quarantine is None and job.schedule.state == Schedule.Disabled
    assert job.status.code == Code.Paused  # not Active beside a Disabled schedule


def test_the_next_run_is_the_schedulers(service: SyncService, tmp_path: Path, clock: FrozenClock) -> None:
    job_id = _job(service, tmp_path, interval="PT40M")
    service.start_job(job_id)
    assert service.job_summary(job_id).next_run <= clock.now()  # never ran: due at once
    service.run_cycle(job_id)
    assert service.job_summary(job_id).next_run == clock.now() + timedelta(minutes=40)
    service.update_job(job_id, expiration=clock.now() + timedelta(minutes=10))
    assert service.job_summary(job_id).next_run is None  # the schedule expires first


# --- 10. allow deletes runs the held-back cycle now -----------------------------------------------------


def test_a_restart_makes_the_job_due_at_once(service: SyncService, tmp_path: Path, clock: FrozenClock) -> None:
    job_id = _job(service, tmp_path, interval="PT40M")
    service.start_job(job_id)
    service.run_cycle(job_id)
    assert job_id not in service.due_jobs(clock.now())
    service.restart_job(job_id, "Watermark")
    assert job_id in service.due_jobs(clock.now())  # as in Entra: not one interval later
    service.run_cycle(job_id)
    assert job_id not in service.due_jobs(clock.now())


def test_allow_deletes_lists_the_held_deletes_and_runs_the_cycle_now(cli) -> None:
    job_id = _held_back(cli)
    assert cli("jobs", "run", job_id)[0] == 1
    code, out, err = cli("jobs", "allow-deletes", job_id, "--yes")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Allowing the deletes disables or deletes 20 target object(s):"
    assert sum(line.startswith("  disable  User ") for line in lines) == 20
    assert lines[-1].startswith("Succeeded: ") and "exported 20/20" in lines[-1]
    assert sum(not enabled for enabled in _enabled(cli.home / "target.json").values()) >= 20
    code, _, err = cli("jobs", "allow-deletes", job_id, "--yes")
    assert code == 2 and "holds no deletes back" in err


def test_allow_deletes_without_a_terminal_needs_yes(cli) -> None:
    job_id = _held_back(cli)
    cli("jobs", "run", job_id)
    before = (cli.home / "target.json").read_bytes()
    code, _, err = cli("jobs", "allow-deletes", job_id)  # stdin is not a terminal in tests
    assert code == 2 and "--yes" in err
    assert (cli.home / "target.json").read_bytes() == before


def test_allow_deletes_is_refused_for_a_job_that_holds_none(service: SyncService, tmp_path: Path) -> None:
    job_id = _job(service, tmp_path)
    service.run_cycle(job_id)
    with pytest.raises(InvalidRequest, match="holds no deletes back"):
        service.allow_deletes(job_id)


def test_a_code_stored_by_an_older_synctui_is_shown_as_the_rules_make_it(service: SyncService, tmp_path: Path) -> None:
    job_id = _job(service, tmp_path)
    service.run_cycle(job_id)
    config = json.loads(service.home.config_file.read_text())
    record = next(job for job in config["jobs"].values() if job["id"] == job_id)
    record["job"]["status"]["code"] = "Active"  # beside a Disabled schedule, as older versions left it
    service.home.config_file.write_text(json.dumps(config))
    assert service.get_job(job_id).status.code == Code.Paused
    assert service.job_summary(job_id).job.status.code == Code.Paused
