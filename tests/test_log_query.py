"""Provisioning log queries: Entra's log filters (date range, identity, action, status) and search
over every entry the store keeps, a page at a time; `synctui logs` with the same filters, as JSON
or CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from synctui.store import JobStateStore
from synctui.store.log_query import LogQuery, logs_csv, parse_moment

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def entry(number: int, *, action: str = "create", status: str = "success", name: str = "") -> dict[str, object]:
    when = START + timedelta(minutes=number)
    return {
        "id": f"entry-{number}",
        "activityDateTime": when.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "provisioningAction": action,
        "statusInfo": {"status": status, "errorCode": None, "reason": None},
        "sourceIdentity": {"id": f"src-{number}", "displayName": name or f"Person {number}", "identityType": "User"},
        "targetIdentity": {"id": f"tgt-{number}", "displayName": name or f"Person {number}", "identityType": "User"},
        "modifiedProperties": [{"displayName": "mail", "oldValue": None, "newValue": f"p{number}@x.example"}],
    }


def store_with(tmp_path: Path, entries: list[dict[str, object]]) -> JobStateStore:
    """A job state file written as a cycle writes it, read back by a store that has not opened it."""
    path = tmp_path / "job.json"
    writer = JobStateStore(path)
    writer.checkpoint(logs=entries)
    writer.close()
    return JobStateStore(path)


def test_pages_reach_every_entry_and_say_how_many_there_are(tmp_path: Path) -> None:
    store = store_with(tmp_path, [entry(n) for n in range(615)])
    first = store.log_page(LogQuery(), 0, 500)
    assert (len(first.entries), first.matched, first.total) == (500, 615, 615)
    assert first.entries[0]["id"] == "entry-614"  # newest first
    rest = store.log_page(LogQuery(), 500, 500)
    assert [e["id"] for e in rest.entries] == [f"entry-{n}" for n in range(114, -1, -1)]


def test_filters_apply_to_all_entries_not_only_the_newest(tmp_path: Path) -> None:
    entries = [entry(n) for n in range(600)]
    entries[3] = entry(3, action="delete", status="failure", name="Zoë Old")  # older than the newest 500
    entries[550] = entry(550, action="delete", status="success", name="Zoë New")
    store = store_with(tmp_path, entries)
    deletes = store.log_page(LogQuery(action="delete"), 0, 500)
    assert [e["id"] for e in deletes.entries] == ["entry-550", "entry-3"]
    assert (deletes.matched, deletes.total) == (2, 600)
    assert [e["id"] for e in store.log_page(LogQuery(status="failure")).entries] == ["entry-3"]
    assert store.log_page(LogQuery(identity="zoë")).matched == 2  # by name, any case
    assert [e["id"] for e in store.log_page(LogQuery(identity="TGT-3")).entries] == ["entry-3"]  # by id
    assert store.log_page(LogQuery(text="p3@x.example")).matched == 1  # search: any value
    window = LogQuery(since=START + timedelta(minutes=10), until=START + timedelta(minutes=20))
    assert [e["id"] for e in store.log_page(window).entries] == [f"entry-{n}" for n in range(19, 9, -1)]
    one_page = store.log_page(LogQuery(identity="person"), 10, 5)
    assert [e["id"] for e in one_page.entries] == [f"entry-{n}" for n in (589, 588, 587, 586, 585)]
    assert one_page.matched == 598


def test_the_same_answers_from_a_file_and_from_memory_whatever_is_searched(tmp_path: Path) -> None:
    """From the file, only the lines that may match are parsed: a search for text JSON escapes
    (quotes, backslashes) or for a value's case must find what parsing everything finds."""
    entries = [entry(n) for n in range(40)]
    entries[7] = entry(7, name='Zoë "the" Admin \\ root', action="update", status="failure")
    on_file = store_with(tmp_path, entries)
    in_memory = JobStateStore(None)
    in_memory.checkpoint(logs=entries)
    queries = [
        LogQuery(text='"the"'),
        LogQuery(text="\\ ROOT"),
        LogQuery(text="ZOË"),
        LogQuery(identity="zoë", action="update", status="failure"),
        LogQuery(identity="SRC-7"),
        LogQuery(text="p1"),
        LogQuery(text="true"),
        LogQuery(action="create", since=START + timedelta(minutes=30)),
    ]
    for query in queries:
        from_file, from_memory = on_file.log_page(query), in_memory.log_page(query)
        assert from_file == from_memory, query
        assert from_file.total == 40
    assert [e["id"] for e in on_file.log_page(LogQuery(text='"the"')).entries] == ["entry-7"]
    assert on_file.log_page(LogQuery(text="p1")).matched == 11  # p1@, p10@ … p19@


def test_csv_has_a_row_per_entry_and_no_formulas(tmp_path: Path) -> None:
    entries = [entry(1, name='=HYPERLINK("http://evil")'), entry(2, name='Zoë, "the" admin')]
    rows = list(csv.reader(io.StringIO(logs_csv(entries))))
    assert rows[0][:3] == ["Date", "Action", "Status"] and rows[0][-1] == "Modified properties"
    assert len(rows) == 3
    assert rows[1][rows[0].index("Source name")] == '\'=HYPERLINK("http://evil")'
    assert rows[2][rows[0].index("Source name")] == 'Zoë, "the" admin'
    assert rows[2][-1] == "mail:  → p2@x.example"


def test_moments_as_a_user_writes_them() -> None:
    assert parse_moment("P7D", START) == START - timedelta(days=7)
    assert parse_moment("2025-03-01", START) == datetime(2025, 3, 1, tzinfo=UTC)
    assert parse_moment("2025-03-01T10:00:00Z", START) == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_cli_logs_filters_counts_and_formats(cli) -> None:
    code, out, _ = cli("jobs", "list", "--json")
    job = next(j["id"] for j in json.loads(out)["value"] if j["templateId"] == "jsonfile")
    assert cli("jobs", "run", job)[0] == 0
    code, out, err = cli("logs", job, "--json")
    every = json.loads(out)["value"]
    total = len(every)
    assert code == 0 and total > 500 and err.strip() == f"{total} entries; {total} shown, newest first"

    groups = [e for e in every if e["sourceIdentity"]["identityType"] == "Group" and "finance" in json.dumps(e).lower()]
    code, out, err = cli("logs", job, "--format", "csv", "--search", "FINANCE", "--identity", "sg-", "--limit", "2")
    rows = list(csv.DictReader(io.StringIO(out)))
    matching = [e for e in groups if "sg-" in e["sourceIdentity"]["displayName"].lower()]
    assert code == 0 and [r["Id"] for r in rows] == [e["id"] for e in matching[:2]]
    assert err.strip() == f"{len(matching)} of {total} entries match; 2 shown, newest first"

    code, out, _ = cli("logs", job, "--json", "--action", "update", "--status", "success", "--since", "2000-01-01")
    updates = json.loads(out)["value"]
    assert updates and all(e["provisioningAction"] == "update" for e in updates)
    assert updates == [
        e for e in every if e["provisioningAction"] == "update" and e["statusInfo"]["status"] == "success"
    ]
    code, out, err = cli("logs", job, "--until", "P1D")  # written before yesterday: none
    assert code == 0 and out == "" and err.strip() == f"0 of {total} entries match; 0 shown, newest first"

    code, out, err = cli("logs", job, "--since", "yesterday")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: --since 'yesterday' is not a date: write 2025-03-01, 2025-03-01T09:00:00Z, "
        "or a duration back from now such as PT1H or P7D"
    )


def test_an_empty_or_missing_log_counts_none(tmp_path: Path) -> None:
    from synctui.store import log_file

    empty = tmp_path / "empty.logs.json"
    empty.write_bytes(log_file.serialize({"logs": {}}))
    assert log_file.count_entries(empty) == 0 and log_file.read_matching(empty, lambda line: True) == ([], 0)
    assert log_file.count_entries(tmp_path / "missing.logs.json") == 0
    page = JobStateStore(tmp_path / "job.json").log_page(LogQuery(), 0, 500)
    assert (page.entries, page.matched, page.total) == ([], 0, 0)


def test_the_request_log_is_not_csv(cli) -> None:
    code, out, _ = cli("jobs", "list", "--json")
    job = next(j["id"] for j in json.loads(out)["value"] if j["templateId"] == "scim")
    code, out, err = cli("logs", job, "--requests", "--format", "csv")
    assert code == 2 and out == ""
    assert err.strip() == "error: --requests prints as text or --format json; --format csv is for the provisioning log"
