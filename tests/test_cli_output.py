"""What the command line prints: safe to show on a terminal, quiet when its reader goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _job_id(cli, template: str) -> str:
    _, out, _ = cli("jobs", "list", "--json")
    return next(j["id"] for j in json.loads(out)["value"] if j["templateId"] == template)


@pytest.mark.parametrize("limit", ["-1", "0", "abc"])
def test_logs_limit_is_a_positive_number(cli, limit: str) -> None:
    code, _, err = cli("logs", _job_id(cli, "jsonfile"), "--limit", limit)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: argument --limit: must be a whole number of at least 1")


def test_names_with_terminal_escapes_are_printed_escaped(cli, tmp_path: Path) -> None:
    name = "evil\x1b[31mRED\x1b]0;title\x07\u202egnp.exe\nsecond line"
    code, _, _ = cli(
        "jobs",
        "create",
        "--template",
        "jsonfile",
        "--name",
        name,
        "--secret",
        f"ConnectionString={tmp_path / 'target.json'}",
    )
    assert code == 0
    _, out, _ = cli("jobs", "list")
    line = next(line for line in out.splitlines() if "evil" in line)
    assert "evil\\x1b[31mRED\\x1b]0;title\\x07\\u202egnp.exe\\nsecond line" in line
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in out.replace("\n", ""))


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    env = dict(os.environ, SYNCTUI_HOME=str(tmp_path / "home"))
    command = [sys.executable, "-m", "synctui.cli"]
    subprocess.run([*command, "jobs", "list"], env=env, check=True, capture_output=True)
    # The reading end is closed before the command writes: its first write meets a broken pipe.
    process = subprocess.Popen(
        [*command, "templates", "get", "scim"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert err == b"" and process.returncode == 141
