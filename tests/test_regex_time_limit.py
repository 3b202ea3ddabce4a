"""A user's pattern that backtracks without end, met by a user: `expression test` reports the time
limit, and a cycle evaluating such patterns stops on SIGTERM (how the dashboard pauses it)."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.cli import main
from synctui.cycle_process import PROGRESS_FLAG
from synctui.expressions import parse
from synctui.service import SyncService
from synctui.store import Home

from .processes import cycle_was_cut_short, jsonfile_job_over_a_small_tenant

CATASTROPHIC = "(a|a)+$"  # 2^n ways to fail on n a's and a "!": on 40, hours without a limit
REPLACE = f'Replace([mail], , "{CATASTROPHIC}", , "x", , )'
LIMIT_MESSAGE = (
    f"the regular expression {CATASTROPHIC!r} used more than its time limit of 1 s of processor time "
    "on one value; simplify the expression"
)


def test_expression_test_reports_the_time_limit_as_a_failed_evaluation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["expression", "test", REPLACE, "--input", json.dumps({"mail": "a" * 26 + "!"})]) == 1
    response = json.loads(capsys.readouterr().out)
    assert response["parsingSucceeded"] and not response["evaluationSucceeded"]
    assert response["error"] == {
        "code": "ExpressionEvaluationFailed",
        "message": LIMIT_MESSAGE,
        "target": None,
        "details": [],
        "innerError": None,
    }


USERS = 30  # each one second past the limit: a cycle that ignored SIGTERM would outlast the bound below


def _job_with_a_catastrophic_mapping(service: SyncService, tmp_path: Path) -> str:
    job_id = jsonfile_job_over_a_small_tenant(service, tmp_path, USERS, user={"mail": "a" * 40 + "!"})
    schema = service.get_schema(job_id)
    users = schema.synchronization_rules[0].object_mappings[0]
    next(m for m in users.attribute_mappings if m.target_attribute_name == "mail").source = parse(REPLACE)
    service.put_schema(job_id, schema)
    return job_id


def _next_line(process: subprocess.Popen[bytes], seconds: float) -> bytes:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], seconds)
    assert ready, f"the cycle printed nothing for {seconds} s"
    return process.stdout.readline()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM and select on pipes are POSIX")
def test_sigterm_stops_a_cycle_stuck_on_catastrophic_patterns(tmp_path: Path) -> None:
    home = tmp_path / "home"
    service = open_service(Home(home))
    job_id = _job_with_a_catastrophic_mapping(service, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "synctui.cli", "jobs", "run", job_id, PROGRESS_FLAG],
        env=dict(os.environ, SYNCTUI_HOME=str(home)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert json.loads(_next_line(process, 20))["progress"] == [0, USERS]
        # the first user is done (past the limit): the signal lands while the next one is evaluated
        assert json.loads(_next_line(process, 20))["progress"] == [1, USERS]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert cycle_was_cut_short(home / "jobs" / f"{job_id}.json")  # stopped mid-cycle, cursor saved
    escrows = service.escrows(job_id)
    assert 1 <= len(escrows) < USERS
    assert {e["error"]["message"] for e in escrows} == {f"the mapping to mail: {LIMIT_MESSAGE}"}
