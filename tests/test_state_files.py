"""The home's files are synctui's own: a symbolic link in place of one is refused, never followed;
a file that cannot be read or written, and a configuration of the wrong shape, stop with one line
naming the file and the fix; a home folder others may write to is said so (and made owner-only
when synctui made it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.cli import main
from synctui.fileio import atomic_write
from synctui.service import SyncService
from synctui.store import Home, RequestLog, StoreError


@pytest.fixture
def cli(service: SyncService, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`synctui` on the service's home: (exit code, stderr)."""
    monkeypatch.setenv("SYNCTUI_HOME", str(service.home.root))

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().err

    return run


@pytest.fixture
def job_id(service: SyncService) -> str:
    job_id = next(job.id for job in service.list_jobs() if job.template_id == "jsonfile")
    assert job_id
    return job_id


def one_line(error: str) -> str:
    assert error.startswith("error: ") and error.count("\n") == 1, error
    return error


# --- symbolic links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", [".lock", ".json", ".logs.json", ".logs.changes", ".space.json", ".space.changes", ".inflight"]
)
def test_a_state_file_that_is_a_link_is_refused_and_its_target_untouched(
    service: SyncService, job_id: str, cli, tmp_path: Path, suffix: str
) -> None:
    service.run_cycle(job_id)
    service.simulate_changes(seed=1)  # the next cycle has changes to append and log
    link = service.home.jobs_dir / f"{job_id}{suffix}"
    link.unlink(missing_ok=True)
    victim = tmp_path / "victim"
    victim.write_bytes(b'{"precious": true}\n')
    victim.chmod(0o644)
    link.symlink_to(victim)
    code, error = cli("jobs", "run", job_id)
    assert code == 1
    assert one_line(error).endswith(
        f"{link} is a symbolic link, which synctui does not follow (it could make "
        f"synctui write over the file it points to); remove the link (`rm {link}`)\n"
    )
    assert victim.read_bytes() == b'{"precious": true}\n' and victim.stat().st_mode & 0o777 == 0o644
    assert link.is_symlink()


@pytest.mark.parametrize(
    ("suffix", "argv"),
    [
        (".logs.json", ["logs", "{id}"]),
        (".logs.json", ["logs", "{id}", "--limit", "5"]),
        (".requests.jsonl", ["logs", "{id}", "--requests"]),
        (".json", ["jobs", "escrows", "{id}"]),
    ],
)
def test_reading_through_a_link_is_refused_too(
    service: SyncService, job_id: str, cli, tmp_path: Path, suffix: str, argv: list[str]
) -> None:
    """A link to a file the user may not show (another job's log, a secret) is not read either."""
    link = service.home.jobs_dir / f"{job_id}{suffix}"
    secret = tmp_path / "secret.json"
    secret.write_text('{"logs": {"1": {"secret": "s3cret"}}}')
    link.symlink_to(secret)
    code, error = cli(*(part.format(id=job_id) for part in argv))
    assert code == 1 and "is a symbolic link" in one_line(error) and "s3cret" not in error


def test_the_request_log_is_not_appended_through_a_link(tmp_path: Path) -> None:
    """(Only SCIM jobs trace their requests: the log is tried directly.)"""
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "job.requests.jsonl"
    link.symlink_to(victim)
    with pytest.raises(StoreError, match="is a symbolic link"):
        RequestLog(link).append({"method": "GET"})
    assert victim.read_bytes() == b"precious"


def test_an_atomic_write_replaces_a_link_and_leaves_its_target_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "state.json"
    link.symlink_to(victim)
    atomic_write(link, b"new")
    assert not link.is_symlink() and link.read_bytes() == b"new"
    assert victim.read_bytes() == b"precious"


# --- files that cannot be read or written -----------------------------------------------------


def run_without_privileges(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """`synctui` in a process of its own that file permissions apply to, even when the tests run as
    root (it then runs without the capabilities that let root ignore them)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root ignores file permissions, and setpriv is not here to drop that")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "synctui.cli", *argv],
        capture_output=True,
        text=True,
        env=dict(os.environ, SYNCTUI_HOME=str(home)),
        check=False,
    )


@pytest.mark.parametrize(
    ("suffix", "argv", "message"),
    [
        (
            ".logs.json",
            ["logs", "{id}"],
            "cannot read provisioning log {path}: Permission denied; make it yours to read "
            "and write (`chmod u+rw {path}`, or ask the user who owns it)",
        ),
        (".logs.json", ["logs", "{id}", "--limit", "3"], "cannot read provisioning log {path}: Permission denied"),
        (".requests.jsonl", ["logs", "{id}", "--requests"], "cannot read request log {path}: Permission denied"),
        (".lock", ["jobs", "run", "{id}"], "cannot write the job's lock {path}: Permission denied; make it yours"),
    ],
)
def test_a_file_without_permissions_is_one_line_naming_it_and_the_fix(
    service: SyncService, job_id: str, suffix: str, argv: list[str], message: str
) -> None:
    service.run_cycle(job_id)
    path = service.home.jobs_dir / f"{job_id}{suffix}"
    if not path.exists():  # (only SCIM jobs trace their requests)
        RequestLog(path).append({"method": "GET"})
    path.chmod(0)
    result = run_without_privileges(service.home.root, *(part.format(id=job_id) for part in argv))
    assert result.returncode == 1
    assert one_line(result.stderr).startswith("error: " + message.format(path=path))


# --- a configuration of the wrong shape ---------------------------------------------------------

DAMAGED = {
    "a job record that is a number": ({"jobs": {"1": 5}}, "not a TinyDB JSON document"),
    "a job record that is a list": ({"jobs": {"1": []}}, "not a TinyDB JSON document"),
    "a job without an id": (
        {"jobs": {"1": {"servicePrincipalId": "p", "job": {}}}},
        "jobs record 1: id is not a string",
    ),
    "a job id that is a number": (
        {"jobs": {"1": {"id": 5, "servicePrincipalId": "p", "job": {}}}},
        "jobs record 1: id is not a string",
    ),
    "a job that is a list": (
        {"jobs": {"1": {"id": "x", "servicePrincipalId": "p", "job": []}}},
        "jobs record 1: job is not an object",
    ),
    "a schema that is a list": (
        {"schemas": {"1": {"jobId": "x", "schema": []}}},
        "schemas record 1: schema is not an object",
    ),
    "secrets that are a number": (
        {"servicePrincipals": {"1": {"id": "p", "secrets": 5}}},
        "servicePrincipals record 1: secrets is not a list",
    ),
    "a secret without a value": (
        {"servicePrincipals": {"1": {"id": "p", "secrets": [{"key": "k"}]}}},
        "servicePrincipals record 1: secrets are not key/value pairs",
    ),
}


@pytest.mark.parametrize(("document", "problem"), DAMAGED.values(), ids=DAMAGED.keys())
def test_a_configuration_of_the_wrong_shape_is_damaged_and_nothing_is_written_over_it(
    service: SyncService, cli, document: dict, problem: str
) -> None:
    config = service.home.config_file
    config.write_text(json.dumps(document))
    before = config.read_bytes()
    for argv in (["jobs", "list"], ["jobs", "create", "--template", "jsonfile"]):
        code, error = cli(*argv)
        assert code == 1
        assert one_line(error) == (
            f"error: configuration {config} is damaged ({problem}); restore the last good "
            f"copy with `cp {config}.bak {config}`\n"
        )
        assert config.read_bytes() == before


def test_a_job_or_schema_graph_cannot_read_is_damaged_too(service: SyncService, job_id: str, cli) -> None:
    config = service.home.config_file
    document = json.loads(config.read_text())
    next(r for r in document["jobs"].values() if r["id"] == job_id)["job"]["schedule"] = 5
    next(r for r in document["schemas"].values() if r["jobId"] == job_id)["schema"]["synchronizationRules"] = 5
    config.write_text(json.dumps(document))
    code, error = cli("jobs", "get", job_id)
    assert code == 1
    assert one_line(error).startswith(f"error: configuration {config} is damaged (job {job_id}: schedule: ")
    code, error = cli("schema", "get", job_id)
    assert code == 1 and one_line(error).startswith(
        f"error: configuration {config} is damaged (the schema of job {job_id}: synchronizationRules: "
    )


# --- the home folder's permissions ---------------------------------------------------------------


def test_folders_synctui_made_are_made_owner_only_again(home: Home, clock) -> None:
    open_service(home, clock=clock)
    home.jobs_dir.chmod(0o777)
    home.tenant_dir.chmod(0o770)
    warnings = open_service(home, clock=clock).warnings
    assert warnings == [
        f"{home.jobs_dir} could be written by other users (mode 777); synctui made it owner-only (700)",
        f"{home.tenant_dir} could be written by other users (mode 770); synctui made it owner-only (700)",
    ]
    assert home.jobs_dir.stat().st_mode & 0o777 == 0o700 and home.tenant_dir.stat().st_mode & 0o777 == 0o700
    assert open_service(home, clock=clock).warnings == []


def test_the_default_home_is_synctuis_and_made_owner_only(tmp_path: Path, clock) -> None:
    home = Home.locate()
    assert home.root == tmp_path / "xdg" / "synctui"  # see conftest.py
    open_service(home, clock=clock)
    home.root.chmod(0o775)
    assert open_service(home, clock=clock).warnings == [
        f"{home.root} could be written by other users (mode 775); synctui made it owner-only (700)"
    ]
    assert home.root.stat().st_mode & 0o777 == 0o700


def test_a_chosen_home_others_may_write_to_is_warned_about_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It may be a folder the user shares on purpose (SYNCTUI_HOME=/srv/shared): only they change it."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("SYNCTUI_HOME", str(shared))
    assert main(["jobs", "list"]) == 0
    assert capsys.readouterr().err == (
        f"warning: {shared} can be written by other users (mode 777), who could replace "
        f"synctui's files in it; make it owner-only: `chmod 700 {shared}`\n"
    )
    assert shared.stat().st_mode & 0o777 == 0o777


def test_a_home_this_run_creates_is_owner_only_without_a_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNCTUI_HOME", str(tmp_path / "new" / "home"))
    old = os.umask(0)
    try:
        assert main(["jobs", "list"]) == 0
    finally:
        os.umask(old)
    assert capsys.readouterr().err == ""
    assert (tmp_path / "new" / "home").stat().st_mode & 0o777 == 0o700
