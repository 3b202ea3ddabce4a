"""A job id is looked up in the configuration before anything else: an unknown or hostile one
(`<id>/../../synctui`, `../../elsewhere`, an absolute path) is `no job`, exit 2, and nothing on
disk changes — not the home, not the folder it is in. Paths are built from known ids only, and
refuse an id that is not a plain file name all the same."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from synctui.cli import main
from synctui.service import InvalidRequest, NotFound, SyncService
from synctui.store import Home, StoreError


def tree(folder: Path) -> dict[str, Any]:
    """Everything under `folder` (and itself): kind, mode, contents and modification times, byte for
    byte; but for the home's cache of validated models (store/model_cache.py), whose files are named
    by digests, never by ids, and which reading a job may write."""
    found: dict[str, Any] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        if "cache" in (path.name, path.parent.name):
            continue
        stat = path.lstat()
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_dir():
            found[key] = ("dir", stat.st_mode, stat.st_mtime_ns)
        else:
            found[key] = ("file", stat.st_mode, stat.st_mtime_ns, path.read_bytes())
    return found


@pytest.fixture
def job_id(service: SyncService) -> str:
    """The demo JSON job, with state files from a cycle (so that any write to them shows)."""
    job_id = next(job.id for job in service.list_jobs() if job.template_id == "jsonfile")
    assert job_id and service.run_cycle(job_id).state.value == "Succeeded"
    return job_id


def hostile_ids(job_id: str, tmp_path: Path) -> list[str]:
    return [
        f"{job_id}/../../synctui",
        "../synctui",
        "../../elsewhere",
        str(tmp_path / "absolute"),
        f"{job_id}/x",
        "..",
        ".",
        "no-such-job",
    ]


COMMANDS = [
    ["jobs", "get"],
    ["jobs", "start"],
    ["jobs", "pause"],
    ["jobs", "delete"],
    ["jobs", "restart"],
    ["jobs", "restart", "{id}", "--scope", "Full"],
    ["jobs", "run"],
    ["jobs", "preview"],
    ["jobs", "provision", "{id}", "--object", "u1"],
    ["jobs", "escrows"],
    ["jobs", "escrows", "{id}", "--retry"],
    ["jobs", "escrows", "{id}", "--dismiss", "User:u1"],
    ["schema", "get"],
    ["schema", "put", "{id}", "{schema}"],
    ["schema", "discover"],
    ["secrets", "put", "{id}", "ConnectionString=x"],
    ["logs"],
    ["logs", "{id}", "--requests"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(c for c in command if "{" not in c))
def test_every_command_refuses_an_unknown_or_hostile_id_and_changes_nothing(
    service: SyncService,
    job_id: str,
    tmp_path: Path,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(service.get_schema(job_id).model_dump(mode="json")))
    monkeypatch.setenv("SYNCTUI_HOME", str(service.home.root))
    before = tree(tmp_path)
    for hostile in hostile_ids(job_id, tmp_path):
        template = command if "{id}" in command else [*command, "{id}"]
        argv = [part.format(id=hostile, schema=schema) for part in template]
        assert main(argv) == 2, argv
        error = capsys.readouterr().err
        assert error == f"error: no job with id {hostile!r}; `synctui jobs list` shows the jobs\n"
        assert tree(tmp_path) == before, argv


def test_every_service_method_refuses_an_unknown_or_hostile_id(
    service: SyncService, job_id: str, tmp_path: Path
) -> None:
    """What the dashboard calls, beyond the commands."""
    calls = [
        lambda i: service.job_summary(i),
        lambda i: service.delete_job(i),
        lambda i: service.restart_job(i),
        lambda i: service.start_job(i),
        lambda i: service.pause_job(i),
        lambda i: service.update_job(i, name="x"),
        lambda i: service.update_job(i, interval="PT5M"),
        lambda i: service.update_job(i, settings={"A": "b"}),
        lambda i: service.put_secrets(i, {"A": "b"}),
        lambda i: service.secret_keys(i),
        lambda i: service.validate_credentials(i),
        lambda i: service.run_cycle(i),
        lambda i: service.preview(i),
        lambda i: service.provision_on_demand(i, "u1"),
        lambda i: service.logs(i, 10),
        lambda i: service.request_log(i),
        lambda i: service.escrows(i),
        lambda i: service.retry_escrows(i),
        lambda i: service.dismiss_escrows(i, ["User:u1"]),
        lambda i: service.cycle_history(i),
        lambda i: service.discover_directory(i),
    ]
    before = tree(tmp_path)
    for hostile in [*hostile_ids(job_id, tmp_path), "nul\0byte", ""]:
        for call in calls:
            with pytest.raises(NotFound, match="no job with id"):
                call(hostile)
    assert tree(tmp_path) == before


def test_paths_are_built_from_plain_file_names_only(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    assert home.job_state_file("jsonfile.abc") == tmp_path / "home" / "jobs" / "jsonfile.abc.json"
    for hostile in ["../synctui", "a/b", "/etc/passwd", "..", ".", "", "a\\b", "a\0b"]:
        with pytest.raises(StoreError, match="cannot name a file"):
            home.job_state_file(hostile)
        with pytest.raises(StoreError, match="cannot name a file"):
            home.request_log_file(hostile)


def test_a_hostile_id_in_the_configuration_itself_names_no_file(
    service: SyncService, job_id: str, tmp_path: Path
) -> None:
    """A hand-edited configuration whose job id is a path: the job is found, and its files refused."""
    config = json.loads(service.home.config_file.read_text())
    for record in config["jobs"].values():
        if record["id"] == job_id:
            record["id"] = record["job"]["id"] = "../../escaped"
    service.home.config_file.write_text(json.dumps(config))
    before = tree(tmp_path)
    with pytest.raises(StoreError, match=r"the job id '\.\./\.\./escaped' in .*synctui\.json cannot name a file"):
        service.restart_job("../../escaped")
    assert tree(tmp_path) == before


def test_restarting_a_job_that_is_not_configured_changes_nothing(service: SyncService, tmp_path: Path) -> None:
    job_id = next(job.id for job in service.list_jobs() if job.template_id == "scim")  # no token yet
    assert job_id
    before = tree(tmp_path)
    with pytest.raises(InvalidRequest, match=f"job {job_id} is not configured"):
        service.restart_job(job_id, "Full")
    assert tree(tmp_path) == before
