"""The command line says exactly what happened and names the command that fixes a problem:
Test connection of both sides, NotConfigured jobs, restarts that cannot be undone, keymap clashes,
provision on demand's result."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from synctui.service import ServiceError, SyncService


def _job(cli, template: str) -> str:
    _, out, _ = cli("jobs", "list", "--json")
    return next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == template)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Test connection --------------------------------------------------------------------------------


def test_test_connection_checks_the_hr_file_a_csv_job_reads(cli, tmp_path: Path) -> None:
    job = _job(cli, "csvInbound")
    assert cli("jobs", "test-connection", job)[0] == 0
    missing = tmp_path / "gone.csv"
    assert cli("jobs", "update", job, "--setting", f"SourcePath={missing}")[0] == 0
    code, out, err = cli("jobs", "test-connection", job)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "the source failed" in err and f"{missing}: no such file" in err
    assert f"`synctui jobs update {job} --setting SourcePath=VALUE`" in err


def test_test_connection_checks_the_tenant_file_a_json_job_reads(cli, tmp_path: Path) -> None:
    job = _job(cli, "jsonfile")
    assert cli("jobs", "update", job, "--setting", f"SourcePath={tmp_path / 'gone.json'}")[0] == 0
    code, _, err = cli("jobs", "test-connection", job)
    assert code == 1 and "the source failed" in err and "SourcePath" in err


def test_test_connection_names_the_target_and_its_secrets_when_the_endpoint_is_unreachable(cli) -> None:
    job = _job(cli, "scim")
    address = f"http://127.0.0.1:{_closed_port()}/scim"
    assert cli("secrets", "put", job, f"BaseAddress={address}")[0] == 0
    assert cli("jobs", "update", job, "--setting", "ScimRequestTimeoutSeconds=2")[0] == 0
    code, _, err = cli("jobs", "test-connection", job)
    assert code == 1 and "the target failed" in err and "the source" not in err
    assert f"`synctui secrets put {job} BaseAddress=VALUE SecretToken=VALUE`" in err


def test_the_dashboards_test_connection_fails_for_a_missing_source(service: SyncService, tmp_path: Path) -> None:
    job = service.create_job("csvInbound", settings={"SourcePath": str(tmp_path / "gone.csv")})
    with pytest.raises(ServiceError, match=r"Test connection failed: the source failed: .*gone\.csv: no such file"):
        service.validate_credentials(job.id or "")
    with pytest.raises(ServiceError, match="the source failed"):
        service.validate_template_credentials("csvInbound", {}, {"SourcePath": str(tmp_path / "gone.csv")})


# --- errors name the command that fixes them ------------------------------------------------------


def test_errors_about_missing_values_name_the_job_and_the_exact_command(cli) -> None:
    code, out, err = cli("jobs", "create", "--template", "csvInbound")
    job = out.strip()
    assert code == 0 and job.startswith("csvInbound.")
    fix = f"`synctui jobs update {job} --setting SourcePath=VALUE`"
    assert err.count("\n") == 1 and "NotConfigured" in err and "setting SourcePath missing" in err and fix in err
    code, _, err = cli("jobs", "preview", job)
    assert code == 1 and fix in err and "JOB_ID" not in err
    code, _, err = cli("jobs", "start", job)
    assert code == 2 and fix in err
    code, _, err = cli("secrets", "put", job, "SourcePath=/tmp/hr.csv")
    assert code == 2 and "SourcePath is a setting" in err and f"synctui jobs update {job} --setting SourcePath" in err

    code, out, err = cli("jobs", "create", "--template", "scim")
    job = out.strip()
    assert f"`synctui secrets put {job} BaseAddress=VALUE`" in err and "NotConfigured" in err
    code, _, err = cli("jobs", "test-connection", job)
    assert code == 1 and f"`synctui secrets put {job} BaseAddress=VALUE`" in err and "JOB_ID" not in err


def test_a_configured_job_is_created_without_a_warning(cli, tmp_path: Path) -> None:
    code, _, err = cli(
        "jobs", "create", "--template", "jsonfile", "--secret", f"ConnectionString={tmp_path / 't.json'}"
    )
    assert code == 0 and err == ""


# --- restart ---------------------------------------------------------------------------------------


def test_a_bad_restart_scope_lists_every_scope(cli) -> None:
    code, _, err = cli("jobs", "restart", _job(cli, "jsonfile"), "--scope", "Everything")
    assert code == 2 and err.count("\n") == 1
    for scope in ("ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"):
        assert scope in err


def _schedule(cli, job: str) -> str:
    return str(json.loads(cli("jobs", "get", job)[1])["schedule"]["state"])


def test_a_full_restart_without_a_terminal_needs_yes(cli) -> None:
    job = _job(cli, "jsonfile")
    assert cli("jobs", "pause", job)[0] == 0
    code, _, err = cli("jobs", "restart", job, "--scope", "Full")  # pytest's stdin is no terminal
    assert code == 2 and err.count("\n") == 1 and "--yes" in err and "matched again" in err
    assert _schedule(cli, job) == "Paused"
    assert cli("jobs", "restart", job, "--scope", "Escrows")[0] == 0  # nothing to lose: no question
    assert cli("jobs", "pause", job)[0] == 0
    assert cli("jobs", "restart", job, "--scope", "Full", "--yes")[0] == 0
    assert _schedule(cli, job) == "Active"


def _restart_on_a_terminal(home: Path, job: str, answer: bytes) -> tuple[int, str]:
    """`synctui jobs restart JOB --scope Full` with its stdin and stderr on a terminal (a pty)."""
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "synctui.cli", "jobs", "restart", job, "--scope", "Full"]
    env = dict(os.environ, SYNCTUI_HOME=str(home))
    with subprocess.Popen(command, stdin=terminal, stdout=subprocess.DEVNULL, stderr=terminal, env=env) as process:
        os.close(terminal)
        said = b""
        while b"[y/N]" not in said:
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, said
            said += os.read(controller, 4096)
        os.write(controller, answer + b"\n")
        code = process.wait(60)
    os.close(controller)
    return code, said.decode()


def test_a_full_restart_on_a_terminal_asks_first(cli) -> None:
    job = _job(cli, "jsonfile")
    assert cli("jobs", "pause", job)[0] == 0
    code, said = _restart_on_a_terminal(cli.home, job, b"n")
    assert code == 1 and "forgets every source↔target link" in said
    assert _schedule(cli, job) == "Paused"
    code, _ = _restart_on_a_terminal(cli.home, job, b"y")
    assert code == 0 and _schedule(cli, job) == "Active"


# --- keymap ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keymap", "holder", "newcomer"),
    [
        ('{"jobs.start": "p"}', "jobs.pause", "jobs.start"),
        ('{"jobs.start": "ctrl+q"}', "app.quit", "jobs.start"),
        ('{"jobs.start": "S", "jobs.pause": "S"}', "jobs.start", "jobs.pause"),
    ],
)
def test_keymap_refuses_a_key_another_binding_of_the_same_view_has(cli, keymap, holder, newcomer) -> None:
    code, _, err = cli("keymap", keymap)
    assert code == 2 and err.count("\n") == 1 and holder in err and newcomer in err
    assert json.loads(cli("keymap")[1]) == {}


def test_keymap_may_swap_two_keys_and_reuse_a_key_of_another_view(cli) -> None:
    assert cli("keymap", '{"jobs.start": "p", "jobs.pause": "s"}')[0] == 0
    assert cli("keymap", '{"logs.follow": "s"}')[0] == 0  # the Logs pane has no s of its own


# --- provision on demand -----------------------------------------------------------------------------


def _first_user(home: Path) -> str:
    return str(json.loads((home / "tenant" / "directory.json").read_bytes())["users"][0]["id"])


def test_provision_prints_its_result_as_json_objects_and_says_no_change(cli) -> None:
    job = _job(cli, "jsonfile")
    assert cli("jobs", "run", job)[0] == 0
    code, out, err = cli("jobs", "provision", job, "--object", _first_user(cli.home))
    result = json.loads(out)
    assert code == 0 and result["key"]["details"]["errorCode"] == "RedundantExport"
    assert result["value"]["sourceIdentity"]["id"] == _first_user(cli.home)
    assert err.startswith("No change:") and err.count("\n") == 1


def test_provision_of_an_object_out_of_scope_says_not_effectively_entitled_once_with_its_meaning(
    cli, tmp_path: Path
) -> None:
    job = _job(cli, "jsonfile")
    schema = json.loads(cli("schema", "get", job)[1])
    schema["synchronizationRules"][0]["objectMappings"][0]["scope"] = {
        "groups": [
            {
                "clauses": [
                    {
                        "operatorName": "EQUALS",
                        "sourceOperandName": "department",
                        "targetOperand": {"values": ["Nowhere"]},
                    }
                ]
            }
        ]
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    assert cli("schema", "put", job, str(tmp_path / "schema.json"))[0] == 0
    code, out, err = cli("jobs", "provision", job, "--object", _first_user(cli.home))
    assert code == 0 and json.loads(out)["key"]["result"] == "Skipped"
    assert err.count("NotEffectivelyEntitled") == 1 and "did not pass a scoping filter" in err


def test_a_quarantine_for_too_many_deletes_names_the_command_that_allows_them(cli, tmp_path: Path) -> None:
    _, out, _ = cli(
        "jobs", "create", "--template", "jsonfile", "--secret", f"ConnectionString={tmp_path / 't.json'}",
        "--setting", "QuarantineTooManyDeletesThreshold=2",
    )  # fmt: skip
    job = out.strip()
    assert cli("jobs", "run", job)[0] == 0
    tenant = cli.home / "tenant" / "directory.json"
    document = json.loads(tenant.read_bytes())
    gone = {user["id"] for user in document["users"][-5:]}
    document["users"] = [user for user in document["users"] if user["id"] not in gone]
    for group in document["groups"]:
        group["members"] = [member for member in group["members"] if member not in gone]
    for user in document["users"]:
        if user.get("manager") in gone:
            user["manager"] = None
    tenant.write_text(json.dumps(document))
    cli("jobs", "run", job)
    quarantine = json.loads(cli("jobs", "get", job)[1])["status"]["quarantine"]
    assert quarantine["reason"] == "TooManyDeletes"
    assert f"`synctui jobs allow-deletes {job}`" in quarantine["error"]["message"]
