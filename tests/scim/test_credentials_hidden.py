"""Credentials a SCIM job holds never show: not the user-info of its base address, not its token,
in errors, in statuses (as `jobs get` and `jobs list` print them and synctui.json keeps them)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from synctui.cli import main
from synctui.connectors.base import ConnectionFailure
from synctui.connectors.scim import ScimDirectory, split_tenant_url


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_user_info_in_the_base_address_shows_in_no_error_or_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SYNCTUI_HOME", str(home))
    address = f"http://admin:pw@127.0.0.1:{_closed_port()}/scim"
    main(["jobs", "create", "--template", "scim", "--secret", f"BaseAddress={address}"])
    job_id = capsys.readouterr().out.strip()

    assert main(["jobs", "run", job_id]) == 1
    run = capsys.readouterr()
    main(["jobs", "get", job_id])
    got = capsys.readouterr().out
    main(["jobs", "list", "--json"])
    listed = capsys.readouterr().out

    assert f"cannot reach the SCIM endpoint http://***@127.0.0.1:{address.rsplit(':', 1)[1]}" in run.out
    status = json.loads(got)["status"]
    assert status["lastExecution"]["error"]["message"].startswith("cannot reach the SCIM endpoint http://***@")
    stored = json.loads((home / "synctui.json").read_text())
    job_records = json.dumps(stored["jobs"])  # the secrets themselves are kept apart, with the principals
    for shown in (run.out + run.err, got, listed, job_records):
        assert "pw" not in shown and "admin" not in shown


def test_a_token_an_http_header_cannot_carry_is_refused_without_being_echoed() -> None:
    with pytest.raises(ConnectionFailure) as error:
        ScimDirectory("http://127.0.0.1:9/v2", "t0ken\r\nX-Injected: leaked")

    assert error.value.code == "InvalidCredentials"
    assert error.value.message == (
        "the SCIM endpoint's bearer token holds a line break, a control character or a non-ASCII character, "
        "which an HTTP header cannot carry; set the token again"
    )


def test_base_addresses_refused_for_their_query_hide_their_user_info() -> None:
    with pytest.raises(ValueError) as direct:
        ScimDirectory("http://admin:pw@127.0.0.1:9/scim?aadOptscim062020")
    with pytest.raises(ValueError) as tenant_url:
        split_tenant_url("http://admin:pw@127.0.0.1:9/scim?page=2")

    for error in (direct, tenant_url):
        assert "http://***@127.0.0.1:9/scim?" in str(error.value) and "pw" not in str(error.value)
