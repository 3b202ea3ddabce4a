"""The command line against a real home folder: output, exit codes, and bad input changing nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from synctui.templates import TEMPLATES


def _snapshot(home: Path) -> dict[str, bytes]:
    """What the home stores; not its caches, which reading may write: the indexes kept beside JSON
    files (see connectors/document_index.py) and the models validated (store/model_cache.py)."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not (p.name.startswith(".") and p.name.endswith(".index")) and p.parent.name != "cache"
    }


def test_templates_and_jobs_lists_are_graph_collections(cli) -> None:
    code, out, _ = cli("templates", "list", "--json")
    assert code == 0 and [t["id"] for t in json.loads(out)["value"]] == list(TEMPLATES)
    code, out, _ = cli("jobs", "list", "--json")
    jobs = json.loads(out)["value"]
    assert code == 0 and len(jobs) == 3  # the demo jobs of a new home
    assert {job["templateId"] for job in jobs} == {"jsonfile", "scim", "csvInbound"}


def test_create_run_and_get_a_job(cli, tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    code, out, _ = cli(
        "jobs",
        "create",
        "--template",
        "jsonfile",
        "--name",
        "Mine",
        "--secret",
        f"ConnectionString={target}",
        "--interval",
        "PT30S",
    )
    job_id = out.strip()
    assert code == 0 and job_id.startswith("jsonfile.") and len(job_id.split(".")[1]) == 32
    code, out, _ = cli("jobs", "get", job_id)
    job = json.loads(out)
    assert job["schedule"] == {"expiration": None, "interval": "PT30S", "state": "Disabled"}
    assert job["status"]["code"] == "NotRun"
    code, out, _ = cli("jobs", "run", job_id, "--json")
    execution = json.loads(out)
    assert code == 0 and execution["state"] == "Succeeded" and execution["countExported"] > 100
    written = json.loads(target.read_text())
    assert len(written["User"]) > 100 and written["Group"]
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"
    code, out, _ = cli("logs", job_id, "--json", "--limit", "5")
    assert code == 0 and len(json.loads(out)["value"]) == 5


def test_secrets_are_never_printed(cli) -> None:
    code, out, _ = cli("jobs", "list", "--json")
    scim = next(j for j in json.loads(out)["value"] if j["templateId"] == "scim")
    assert scim["status"]["code"] == "NotConfigured"
    code, _, _ = cli("secrets", "put", scim["id"], "BaseAddress=http://127.0.0.1:9/scim", "SecretToken=s3cr3t-value")
    assert code == 0
    for argv in (("jobs", "get", scim["id"]), ("jobs", "list", "--json"), ("schema", "get", scim["id"])):
        _, out, err = cli(*argv)
        assert "s3cr3t-value" not in out + err
    _, out, _ = cli("jobs", "get", scim["id"])
    assert json.loads(out)["status"]["code"] == "NotRun"


@pytest.mark.parametrize(
    "argv,message",
    [
        (("jobs", "get", "nope"), "no job with id 'nope'"),
        (("jobs", "start", "nope"), "no job with id 'nope'"),
        (("templates", "get", "nope"), "unknown template 'nope'"),
        (("jobs", "create", "--template", "nope"), "unknown template 'nope'"),
        (("jobs", "create", "--template", "jsonfile", "--interval", "40 minutes"), "PT40M"),
        (("jobs", "create", "--template", "jsonfile", "--secret", "ConnectionString"), "must look like KEY=VALUE"),
        (("jobs", "frobnicate"), "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(cli, argv, message) -> None:
    cli("jobs", "list")  # seed the home
    before = _snapshot(cli.home)
    code, _out, err = cli(*argv)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert _snapshot(cli.home) == before


def _job_id(cli, template: str) -> str:
    _, out, _ = cli("jobs", "list", "--json")
    return next(j["id"] for j in json.loads(out)["value"] if j["templateId"] == template)


def test_unknown_reset_scope(cli) -> None:
    job_id = _job_id(cli, "jsonfile")
    before = _snapshot(cli.home)
    code, _, err = cli("jobs", "restart", job_id, "--scope", "Watermark, Everything")
    assert code == 2 and "unknown SynchronizationJobRestartScope value 'Everything'" in err
    assert _snapshot(cli.home) == before


@pytest.mark.parametrize(
    "content,message",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must hold a synchronizationSchema object"),
        (
            b'{"synchronizationRules": [{"sourceDirectoryName": "Nowhere", "targetDirectoryName": "JSON file"}], '
            b'"directories": []}',
            "no directory named 'Nowhere'",
        ),
        (b'{"synchronizationRules": "wrong"}', "synchronizationRules"),
    ],
)
def test_schema_put_rejects_bad_documents(cli, tmp_path: Path, content: bytes, message: str) -> None:
    job_id = _job_id(cli, "jsonfile")
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    before = _snapshot(cli.home)
    code, _, err = cli("schema", "put", job_id, str(bad))
    assert code == 2 and message in err and err.startswith("error: ")
    assert _snapshot(cli.home) == before


def test_schema_put_lists_every_problem_by_path(cli, tmp_path: Path) -> None:
    job_id = _job_id(cli, "jsonfile")
    _, out, _ = cli("schema", "get", job_id)
    schema = json.loads(out)
    mappings = schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
    mappings[0]["targetAttributeName"] = "noSuchAttribute"
    mappings[1]["source"] = {"type": "Function", "name": "Broken", "expression": "Append([mail], ", "parameters": []}
    mappings[2]["matchingPriority"] = 1
    schema["synchronizationRules"][0]["objectMappings"][0]["scope"] = {
        "groups": [
            {
                "name": "g",
                "clauses": [
                    {
                        "sourceOperandName": "department",
                        "operatorName": "SOUNDS LIKE",
                        "targetOperand": {"values": ["x"]},
                    }
                ],
            }
        ]
    }
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    code, _, err = cli("schema", "put", job_id, str(path))
    assert code == 2
    assert "attributeMappings[0].targetAttributeName" in err
    assert "attributeMappings[1].source" in err
    assert "matchingPriority" in err
    assert "SOUNDS LIKE" in err


def test_schema_put_accepts_a_valid_schema_and_bumps_the_version(cli, tmp_path: Path) -> None:
    job_id = _job_id(cli, "jsonfile")
    _, out, _ = cli("schema", "get", job_id)
    schema = json.loads(out)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    code, out, _ = cli("schema", "put", job_id, str(path))
    assert code == 0
    _, out, _ = cli("schema", "get", job_id)
    assert json.loads(out)["version"] != schema["version"]


def test_a_truncated_configuration_file_stops_with_the_fix(cli) -> None:
    cli("jobs", "list")
    config = cli.home / "synctui.json"
    config.write_bytes(config.read_bytes()[:40])
    before = _snapshot(cli.home)
    code, _, err = cli("jobs", "list")
    assert code == 1 and "synctui.json" in err and "damaged" in err and "cp " in err
    assert _snapshot(cli.home) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_home_that_is_not_writable(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv("SYNCTUI_HOME", str(locked / "home"))
    code, _, err = cli("jobs", "list")
    assert code == 1 and "home folder" in err


def test_a_home_that_is_a_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SYNCTUI_HOME", str(blocker / "home"))
    code, _, err = cli("jobs", "list")
    assert code == 1 and "cannot create the home folder" in err


def test_expression_test_prints_parse_expression_json(cli) -> None:
    code, out, _ = cli(
        "expression",
        "test",
        'Replace([preferredLanguage], "-", , , "_", , )',
        "--input",
        '{"preferredLanguage": "EN-US"}',
    )
    response = json.loads(out)
    assert code == 0 and response["evaluationResult"] == ["EN_US"] and response["parsingSucceeded"]
    code, out, _ = cli("expression", "test", "Append([mail], ")
    assert code == 2 and json.loads(out)["parsingSucceeded"] is False


def test_discover_is_for_scim_endpoints_only(cli) -> None:
    job_id = _job_id(cli, "jsonfile")
    code, _, err = cli("schema", "discover", job_id)
    assert code == 2 and "only SCIM endpoints are discovered" in err


def test_demo_churn_changes_the_tenant(cli) -> None:
    cli("jobs", "list")
    tenant = cli.home / "tenant" / "directory.json"
    before = tenant.read_bytes()
    code, out, _ = cli("demo", "churn", "--seed", "1")
    assert code == 0 and out.startswith("tenant: ") and tenant.read_bytes() != before


def test_keymap_is_checked_saved_and_cleared(cli) -> None:
    assert cli("keymap", '{"jobs.start": "S", "logs.follow": "F, t"}')[0] == 0
    code, out, _ = cli("keymap")
    assert code == 0 and json.loads(out) == {"jobs.start": "S", "logs.follow": "F,t"}
    for bad, problem in (
        ('{"jobs.nothing": "x"}', "no binding has the id 'jobs.nothing'"),
        ('{"jobs.start": ""}', "non-empty string"),
        ("{oops", "not valid JSON"),
        ("[1]", "JSON object"),
    ):
        code, _, err = cli("keymap", bad)
        assert code == 2 and problem in err and err.count("\n") == 1
    assert json.loads(cli("keymap")[1]) == {"jobs.start": "S", "logs.follow": "F,t"}  # a bad one changes nothing
    assert cli("keymap", "{}")[0] == 0 and json.loads(cli("keymap")[1]) == {}
