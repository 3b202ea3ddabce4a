"""The command line of the Graph endpoint and of API-driven inbound provisioning."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "inbound-bulk-request.json"


def test_graph_token_is_made_once_and_rotated(cli) -> None:
    code, token, _ = cli("graph", "token")
    assert code == 0 and len(token.strip()) >= 40
    assert stat.S_IMODE(os.stat(cli.home / "graph-token").st_mode) == 0o600
    assert cli("graph", "token")[1] == token
    code, rotated, err = cli("graph", "token", "--rotate")
    assert code == 0 and rotated != token and "restart a running server" in err


def test_serve_refuses_a_remote_address_without_tls(cli) -> None:
    code, _, err = cli("serve", "--graph", "0.0.0.0:8770")
    assert code == 2 and "loopback only" in err and "--allow-remote" in err
    code, _, err = cli("serve", "--graph", "0.0.0.0:8770", "--allow-remote")
    assert code == 2 and "--tls-cert" in err
    code, _, err = cli("serve", "--tls-cert", "c.pem")
    assert code == 2 and "go with --graph" in err
    code, _, err = cli("serve", "--graph", "127.0.0.1:99999")
    assert code == 2 and "port must be a number" in err


def test_bulk_upload_stages_a_file_and_bulk_staged_lists_it(cli) -> None:
    code, job_id, _ = cli("jobs", "create", "--template", "apiInbound")
    job_id = job_id.strip()
    code, out, _ = cli("bulk", "upload", job_id, str(SAMPLE))
    assert code == 0 and "5 operation(s) staged" in out and f"synctui jobs start {job_id}" in out
    code, out, _ = cli("bulk", "staged", job_id, "--json")
    assert code == 0 and [op["externalId"] for op in json.loads(out)["value"]][-1] == "W9001"
    code, out, _ = cli("bulk", "staged", job_id)
    assert code == 0 and "waiting   W9001-hire  externalId=W9001" in out
    code, _, _ = cli("jobs", "start", job_id)
    code, out, _ = cli("jobs", "run", job_id)
    assert code == 0
    code, out, _ = cli("logs", job_id)
    assert "create" in out and "Amara Okafor" in out


def test_bulk_upload_refuses_a_malformed_file_with_its_reason(cli, tmp_path: Path) -> None:
    code, job_id, _ = cli("jobs", "create", "--template", "apiInbound")
    bad = tmp_path / "bad.json"
    payload = json.loads(SAMPLE.read_text(encoding="utf-8"))
    del payload["Operations"][1]["bulkId"]
    bad.write_text(json.dumps(payload), encoding="utf-8")
    code, _, err = cli("bulk", "upload", job_id.strip(), str(bad))
    assert code == 2 and "operation 2 has no bulkId" in err
    code, _, err = cli("bulk", "upload", job_id.strip(), str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
