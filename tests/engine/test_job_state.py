"""The job state files (synctui.store.job_state, connector_space, changes): what a checkpoint
writes where, what a reader sees, and what survives a crash."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.models.connector_space import ProvisioningState, SpaceEntry
from synctui.store import JobStateStore, StoreError, connector_space, in_flight, job_state, log_file
from synctui.store.log_query import LogQuery


def _entry(n: int, display_name: str | None = None) -> SpaceEntry:
    return SpaceEntry("User", ProvisioningState.LINKED, f"t{n}", hash=f"h{n}", display_name=display_name or f"User {n}")


def _entry_json(n: int) -> dict:
    """`_entry(n)` as the space file holds it."""
    return {"type": "User", "targetId": f"t{n}", "hash": f"h{n}", "displayName": f"User {n}", "key": f"User:{n}"}


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    (tmp_path / "jobs").mkdir()
    return tmp_path / "jobs" / "job.json"


def _space(state_file: Path) -> Path:
    return state_file.with_suffix(".space.json")


def _changes(state_file: Path) -> Path:
    return state_file.with_suffix(".space.changes")


def test_a_checkpoint_rewrites_the_job_file_and_appends_the_entries_it_changed(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.checkpoint(
        entries={"User:1": _entry(1), "User:2": _entry(2)},
        escrows={},
        meta={"cursor": {"activityId": "a"}},
        logs=[{"id": "log1"}],
    )
    store.checkpoint(entries={"User:1": None, "User:3": _entry(3)}, meta={"watermark": "w2"})
    job_file = orjson.loads(state_file.read_bytes())
    assert list(job_file["meta"].values()) == [{"watermark": "w2"}]  # it always says where the job is
    assert "connectorSpace" not in job_file and not _space(state_file).exists()
    assert len(_changes(state_file).read_bytes().splitlines()) == 2

    snapshot = JobStateStore(state_file).load()
    assert snapshot.entries == {"User:2": _entry(2), "User:3": _entry(3)}
    assert snapshot.meta == {"watermark": "w2"}
    assert [log["id"] for log in JobStateStore(state_file).logs()] == ["log1"]


def test_the_change_log_is_folded_into_the_space_once_it_outgrows_a_share_of_it(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", 0)
    store = JobStateStore(state_file)
    store.checkpoint(entries={f"User:{n}": _entry(n) for n in range(100)})
    assert _space(state_file).exists() and not _changes(state_file).exists()  # no file yet: folded at once
    store.checkpoint(entries={"User:0": None})  # small next to the file: appended
    assert _changes(state_file).exists()
    store.checkpoint(entries={f"User:{n}": _entry(n, "Renamed") for n in range(1, 50)})
    assert not _changes(state_file).exists()  # over a quarter of the file: folded
    entries = JobStateStore(state_file).load().entries
    assert len(entries) == 99 and entries["User:1"].display_name == "Renamed"


def test_closing_writes_nothing_and_a_reopened_store_goes_on_from_file_and_log(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.checkpoint(entries={"User:1": _entry(1)})
    store.load()  # the space in memory, with changes the file does not hold
    store.close()
    assert not _space(state_file).exists() and _changes(state_file).exists()
    reopened = JobStateStore(state_file)
    reopened.checkpoint(entries={"User:2": _entry(2)})
    assert set(JobStateStore(state_file).load().entries) == {"User:1", "User:2"}


def test_a_store_sees_what_another_wrote_once_reopened(state_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", 0)
    first, second = JobStateStore(state_file), JobStateStore(state_file)
    first.checkpoint(entries={f"User:{n}": _entry(n) for n in range(20)})  # folded into the file
    second.load()
    second.checkpoint(entries={"User:20": _entry(20)})
    first.close()  # holding older entries: writes nothing over the second's
    assert set(JobStateStore(state_file).load().entries) == {f"User:{n}" for n in range(21)}


def test_a_torn_last_line_is_a_checkpoint_that_never_happened(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.checkpoint(entries={"User:1": _entry(1)})
    with _changes(state_file).open("ab") as log:
        log.write(b'{"sequence": 2, "entries": {"User:2": {"targetId": "t2"')  # the process died while appending
    torn = _changes(state_file).read_bytes()

    reader = JobStateStore(state_file)
    assert set(reader.load().entries) == {"User:1"}
    assert _changes(state_file).read_bytes() == torn  # a reader leaves the file alone: another may write it

    reader.checkpoint(entries={"User:3": _entry(3)})
    assert set(JobStateStore(state_file).load().entries) == {"User:1", "User:3"}


def test_a_damaged_line_stops_the_store_with_the_fix(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.checkpoint(entries={"User:1": _entry(1)})
    store.checkpoint(entries={"User:2": _entry(2)})
    lines = _changes(state_file).read_bytes().splitlines()
    _changes(state_file).write_bytes(b"garbage\n" + lines[1] + b"\n")
    with pytest.raises(StoreError, match=r"job\.space\.changes is damaged at line 1; move it away"):
        JobStateStore(state_file).load()


def test_a_log_that_does_not_follow_the_space_is_refused(state_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", 0)
    monkeypatch.setattr(connector_space, "FOLD_SHARE", 0)
    store = JobStateStore(state_file)
    store.checkpoint(entries={"User:1": _entry(1)})  # folded: the file holds record 1
    older = _space(state_file).read_bytes()
    store.checkpoint(entries={"User:2": _entry(2)})  # folded: record 2
    monkeypatch.setattr(connector_space, "FOLD_SHARE", 1)
    store.checkpoint(entries={"User:3": _entry(3)})  # appended: record 3
    _space(state_file).write_bytes(older)  # an older copy put back: record 2 is missing
    with pytest.raises(StoreError, match=r"job\.space\.changes does not follow .*job\.space\.json"):
        JobStateStore(state_file).load()


def test_a_job_file_that_holds_its_connector_space_gives_it_a_file_of_its_own(state_file: Path) -> None:
    state_file.write_bytes(orjson.dumps({"connectorSpace": {"1": _entry_json(1)}, "meta": {"1": {"watermark": "w1"}}}))
    store = JobStateStore(state_file)
    assert store.load().entries == {"User:1": _entry(1)}
    assert "connectorSpace" not in orjson.loads(state_file.read_bytes())
    store.checkpoint(entries={"User:2": _entry(2)})
    assert set(JobStateStore(state_file).load().entries) == {"User:1", "User:2"}
    assert JobStateStore(state_file).load().meta == {"watermark": "w1"}


def test_the_store_keeps_at_most_its_log_limit(state_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(job_state, "LOG_LIMIT", 3)
    store = JobStateStore(state_file)
    store.checkpoint(logs=[{"id": str(n)} for n in range(2)])
    store.checkpoint(logs=[{"id": str(n)} for n in range(2, 5)])
    assert [log["id"] for log in JobStateStore(state_file).logs()] == ["4", "3", "2"]


def test_log_entries_are_added_to_the_file_without_parsing_the_ones_it_holds(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_state, "LOG_LIMIT", 3)
    monkeypatch.setattr(job_state, "PENDING_LIMIT", 0)  # every entry written into the log file itself
    JobStateStore(state_file).checkpoint(logs=[{"id": "a"}, {"id": "b"}])
    logs_file = state_file.with_suffix(".logs.json")
    # An entry the store would refuse to parse: adding to the file must not read it.
    logs_file.write_bytes(logs_file.read_bytes().replace(b'{"id":"a"}', b'{"id":"a","x":[1,}'))
    store = JobStateStore(state_file)

    store.checkpoint(logs=[{"id": "c"}])
    store.checkpoint(logs=[{"id": "d"}, {"id": "e"}])

    assert logs_file.read_bytes() == b'{"logs":{\n"3":{"id":"c"},\n"4":{"id":"d"},\n"5":{"id":"e"}\n}}\n'
    assert [log["id"] for log in JobStateStore(state_file).logs()] == ["e", "d", "c"]
    assert logs_file.with_name(logs_file.name + ".bak").read_bytes().count(b"\n") == 5  # the one it replaced


def test_adding_log_entries_keeps_the_newest_of_the_old_and_the_new(state_file: Path) -> None:
    raw = log_file.serialize({"logs": {str(n): {"n": n} for n in range(1, 4)}})
    new = [{"n": n} for n in range(4, 10)]
    for added, limit in ((1, 5), (2, 4), (3, 3), (6, 4), (0, 2)):
        pieces = log_file.appended(raw, new[:added], limit)
        assert pieces is not None
        expected = {str(n): {"n": n} for n in range(1, 4 + added)}
        assert b"".join(pieces) == log_file.serialize({"logs": dict(list(expected.items())[-limit:])})


def test_adding_log_entries_numbers_them_after_the_last_and_refuses_a_last_line_without_its_id() -> None:
    raw = log_file.serialize({"logs": {"7": {"n": 7}, "9": {"n": 9, "text": "a,\\nb"}}})
    pieces = log_file.appended(raw, [{"n": 10}], 2)
    assert pieces is not None
    assert b"".join(pieces) == log_file.serialize({"logs": {"9": {"n": 9, "text": "a,\\nb"}, "10": {"n": 10}}})
    for damaged in (raw.replace(b'"9":', b"9:"), raw.replace(b"\n}}\n", b",\n\n}}\n")):
        assert log_file.appended(damaged, [{"n": 10}], 2) is None


def _appended_as_before(raw: bytes, entries: list[dict], limit: int) -> bytes | None:
    """`log_file.appended` as it was before it walked the file from its end (it counted the
    separators of the whole file, then skipped the dropped ones from its start): the reference."""
    head, tail = b'{"logs":{\n', b"\n}}\n"
    if not (raw.startswith(head) and raw.endswith(tail)):
        return None
    body_start, body_end = len(head), len(raw) - len(tail)
    count = raw.count(b",\n", body_start, body_end) + 1 if body_end > body_start else 0
    last_start = raw.rfind(b",\n", body_start, body_end) + 2 if count > 1 else body_start
    try:
        last = int(raw[last_start + 1 : raw.index(b'"', last_start + 1, body_end)]) if count else 0
    except ValueError:
        return None
    new = [orjson.dumps(str(last + n)) + b":" + orjson.dumps(entry) for n, entry in enumerate(entries, 1)]
    dropped = max(0, count + len(new) - limit) if limit else 0
    kept = []
    if dropped < count:
        start = body_start
        for _ in range(dropped):
            start = raw.index(b",\n", start, body_end) + 2
        kept.append(raw[start:body_end])
    kept += new[max(0, dropped - count) :]
    return head + b",\n".join(kept) + tail


_LINE_TEXT = st.text(alphabet=',\n"{}:1a', max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), _LINE_TEXT, st.booleans()), max_size=8),
    st.sampled_from([b",\n", b"\n", b","]),
    st.integers(0, 6),
    st.integers(0, 9),
)
def test_adding_log_entries_gives_what_it_gave_before_for_any_file(
    lines: list[tuple[int, str, bool]], cut: bytes, added: int, limit: int
) -> None:
    # Lines with their quoted id or without, holding commas, line breaks and quotes of their own
    # (a hand-edited file): whatever the file, the newest entries are found as before.
    body = b",\n".join(
        (f'"{number}":' if quoted else f"{number}:").encode() + text.encode() for number, text, quoted in lines
    )
    for raw in (b'{"logs":{\n' + body + b"\n}}\n", b'{"logs":{\n' + body + cut + b"\n}}\n"):
        new = [{"n": n} for n in range(added)]
        pieces = log_file.appended(raw, new, limit)
        assert (None if pieces is None else b"".join(pieces)) == _appended_as_before(raw, new, limit)


def test_entries_that_push_out_every_old_one_are_written_without_reading_the_file(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_state, "LOG_LIMIT", 3)
    monkeypatch.setattr(job_state, "PENDING_LIMIT", 1)
    JobStateStore(state_file).checkpoint(logs=[{"id": "a"}, {"id": "b"}])  # into the file, as 1 and 2
    JobStateStore(state_file).checkpoint(logs=[{"id": "c"}])  # waits in the change log, as 3
    logs_file = state_file.with_suffix(".logs.json")
    raw = logs_file.read_bytes()

    def unread(path: Path, **_: object) -> bytes:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(job_state, "read_file", unread)
    JobStateStore(state_file).checkpoint(logs=[{"id": "d"}, {"id": "e"}])

    written = logs_file.read_bytes()
    assert written == b"".join(log_file.appended(raw, [{"id": "c"}, {"id": "d"}, {"id": "e"}], 3) or [])
    assert written == log_file.serialize({"logs": {"3": {"id": "c"}, "4": {"id": "d"}, "5": {"id": "e"}}})
    assert not state_file.with_suffix(".logs.changes").exists()
    assert logs_file.with_name(logs_file.name + ".bak").read_bytes() == raw


def test_replacing_every_entry_gives_what_adding_them_gives() -> None:
    raw = log_file.serialize({"logs": {str(n): {"n": n} for n in range(5, 9)}})
    new = [{"n": n, "text": "a,\nb"} for n in range(9, 16)]
    for added, limit in ((3, 3), (4, 3), (7, 1), (7, 7)):
        expected = log_file.appended(raw, new[:added], limit)
        assert expected is not None
        assert b"".join(log_file.replacing(new[:added], 8, limit)) == b"".join(expected)


def test_a_log_file_not_laid_out_for_adding_is_read_whole_and_its_damage_named(state_file: Path) -> None:
    logs_file = state_file.with_suffix(".logs.json")
    logs_file.write_bytes(b'{"logs": {"1": {"id": "a"}, "2": {"id": "b"}}}')
    JobStateStore(state_file).checkpoint(logs=[{"id": "c"}])
    assert [log["id"] for log in JobStateStore(state_file).logs()] == ["c", "b", "a"]

    logs_file.write_bytes(b'{"logs": {"1": {"id": "a"}')
    with pytest.raises(StoreError, match=r"provisioning log .* is damaged"):
        JobStateStore(state_file).checkpoint(logs=[{"id": "d"}])


def test_a_store_in_memory_writes_no_file(tmp_path: Path) -> None:
    store = JobStateStore(None)
    store.checkpoint(entries={"User:1": _entry(1)}, meta={"watermark": "w1"})
    assert store.load().entries == {"User:1": _entry(1)}
    assert list(tmp_path.iterdir()) == []


def _folded_store(state_file: Path, monkeypatch: pytest.MonkeyPatch, count: int = 50) -> JobStateStore:
    """A store whose file holds `count` entries and whose log holds one more checkpoint."""
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", 0)
    store = JobStateStore(state_file)
    store.checkpoint(entries={f"User:{n}": _entry(n) for n in range(count)})  # folded into the file
    monkeypatch.setattr(connector_space, "FOLD_SHARE", 10)
    store.checkpoint(entries={"User:1": None, "User:2": _entry(2, "Renamed"), "User:99": _entry(99)})
    return store


def test_few_entries_are_read_from_the_files_text_and_the_log(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _folded_store(state_file, monkeypatch)
    reader = JobStateStore(state_file)
    entries = reader.load(few_entries=True).entries
    assert entries["User:3"] == _entry(3)
    assert entries["User:2"].display_name == "Renamed" and entries.get("User:99") is not None
    assert "User:1" not in entries and entries.get("User:77") is None
    assert reader._space._rows is None  # the space was never loaded whole
    assert dict(entries) == JobStateStore(state_file).load().entries  # going through them all reads everything


def test_a_checkpoint_after_reading_few_entries_appends_to_the_log(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _folded_store(state_file, monkeypatch)
    writer = JobStateStore(state_file)
    entries = writer.load(few_entries=True).entries
    entry = entries["User:4"]
    writer.checkpoint(entries={"User:4": replace(entry, display_name="Four"), "User:5": None})
    assert writer._space._rows is None
    everything = JobStateStore(state_file).load().entries
    assert everything["User:4"].display_name == "Four" and "User:5" not in everything and "User:99" in everything


def test_text_that_looks_like_an_entry_cannot_pass_for_one(state_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", 0)
    forged = '\n    "9": {\n      "targetId": "stolen",\n      "key": "User:7"\n    }'
    store = JobStateStore(state_file)
    store.checkpoint(entries={"User:6": _entry(6, forged), "User:7": _entry(7)})
    assert JobStateStore(state_file).load(few_entries=True).entries["User:7"].target_id == "t7"


def test_a_space_file_written_compact_is_read_whole(state_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _folded_store(state_file, monkeypatch)
    _space(state_file).write_bytes(orjson.dumps(orjson.loads(_space(state_file).read_bytes())))  # as written before
    reader = JobStateStore(state_file)
    entries = reader.load(few_entries=True).entries
    assert entries["User:2"].display_name == "Renamed" and "User:1" not in entries
    assert reader._space._rows is not None


def test_the_log_has_a_file_of_its_own_and_an_older_job_files_log_moves_there(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_state, "PENDING_LIMIT", 0)  # every entry written into the log file itself
    store = JobStateStore(state_file)
    store.checkpoint(escrows={}, logs=[{"id": "a"}])
    assert "logs" not in orjson.loads(state_file.read_bytes())
    state_file.write_bytes(orjson.dumps({"logs": {"1": {"id": "old"}}, "meta": {"1": {"watermark": "w"}}}))
    state_file.with_suffix(".logs.json").unlink()
    moved = JobStateStore(state_file)
    assert [log["id"] for log in moved.logs()] == ["old"]
    assert "logs" not in orjson.loads(state_file.read_bytes()) and moved.load().meta == {"watermark": "w"}
    moved.checkpoint(logs=[{"id": "new"}])
    assert [log["id"] for log in JobStateStore(state_file).logs()] == ["new", "old"]


def test_an_in_flight_note_is_on_disk_before_its_export_is_sent(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.record_in_flight("User:1", {"matching": [["userPrincipalName", "a@contoso.example"]]})
    # Another process (the next run, after a kill -9) reads it without any sync.
    assert JobStateStore(state_file).load().in_flight == {
        "User:1": {"key": "User:1", "matching": [["userPrincipalName", "a@contoso.example"]]}
    }


def test_deferred_notes_wait_for_the_sync_before_the_targets_flush(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.record_in_flight("User:1", {"matching": [["userPrincipalName", "a@contoso.example"]]}, deferred=True)
    store.record_in_flight("User:1", {"references": True}, deferred=True)
    store.record_in_flight("User:2", {"references": True}, deferred=True)
    assert JobStateStore(state_file).load().in_flight == {}  # killed now: the target was not flushed either
    store.sync_in_flight()
    assert JobStateStore(state_file).load().in_flight == {
        "User:1": {"key": "User:1", "matching": [["userPrincipalName", "a@contoso.example"]], "references": True},
        "User:2": {"key": "User:2", "references": True},
    }
    store.checkpoint(entries={"User:1": _entry(1), "User:2": _entry(2)}, in_flight={})
    assert JobStateStore(state_file).load().in_flight == {}


@pytest.mark.parametrize("at_once", [1, 2, 3, 1024])
def test_deferred_notes_are_written_as_one_json_list_however_many_were_made_text_at_once(
    state_file: Path, monkeypatch: pytest.MonkeyPatch, at_once: int
) -> None:
    monkeypatch.setattr(in_flight, "NOTES_MADE_TEXT_AT_ONCE", at_once)
    store = JobStateStore(state_file)
    notes = [(f"User:{n}", {"matching": [["mail", f"é{n}@contoso.example"]]}) for n in range(4)]
    notes += [("User:1", {"references": True}), ("User:9", {"references": True})]
    for key, info in notes[:5]:
        store.record_in_flight(key, info, deferred=True)
    store.sync_in_flight()
    store.record_in_flight(*notes[5], deferred=True)
    store.sync_in_flight()
    assert state_file.with_suffix(".inflight").read_bytes() == (
        orjson.dumps([dict(info, key=key) for key, info in notes[:5]])
        + b"\n"
        + orjson.dumps([dict(notes[5][1], key=notes[5][0])])
        + b"\n"
    )
    store.record_in_flight("User:7", {"references": True}, deferred=True)
    store.checkpoint(in_flight={})  # the notes not yet synced are settled too: none is written later
    store.sync_in_flight()
    assert not state_file.with_suffix(".inflight").exists()


def test_a_torn_batch_of_deferred_notes_is_skipped(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.record_in_flight("User:1", {"references": True})
    store.record_in_flight("User:2", {"references": True}, deferred=True)
    store.sync_in_flight()
    journal = state_file.with_suffix(".inflight")
    journal.write_bytes(journal.read_bytes()[:-10])  # the process died while writing the batch
    assert JobStateStore(state_file).load().in_flight == {"User:1": {"key": "User:1", "references": True}}


def test_a_checkpoint_that_changes_much_of_the_space_folds_it_without_the_log(state_file: Path) -> None:
    store = JobStateStore(state_file)
    store.load()  # as a cycle does: the whole space in memory
    many = {f"User:{n}": _entry(n) for n in range(connector_space.FOLD_AT_ONCE)}
    store.checkpoint(entries=many, in_flight={})
    assert _space(state_file).exists() and not _changes(state_file).exists()
    store.checkpoint(entries={"User:0": None}, in_flight={})  # a few: appended to the log as usual
    assert len(_changes(state_file).read_bytes().splitlines()) == 1
    entries = JobStateStore(state_file).load().entries
    assert len(entries) == connector_space.FOLD_AT_ONCE - 1 and "User:0" not in entries


def test_a_reader_sees_the_newest_logs_and_new_ones_once_written(state_file: Path) -> None:
    writer = JobStateStore(state_file)
    writer.checkpoint(logs=[{"id": f"a{n}"} for n in range(5)])
    assert [entry["id"] for entry in JobStateStore(state_file).logs(3)] == ["a4", "a3", "a2"]
    read_again = JobStateStore(state_file).logs(3)  # a caller changing what it got changes nothing stored
    read_again[0]["id"] = "changed by a caller"
    assert [entry["id"] for entry in JobStateStore(state_file).logs(3)] == ["a4", "a3", "a2"]
    writer.checkpoint(logs=[{"id": "b0"}])
    assert [entry["id"] for entry in JobStateStore(state_file).logs(2)] == ["b0", "a4"]


def test_a_cycle_takes_the_entries_and_a_fold_writes_only_what_was_checkpointed(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector_space, "FOLD_AT_ONCE", 2)
    JobStateStore(state_file).checkpoint(entries={f"User:{n}": _entry(n) for n in range(4)}, in_flight={})
    store = JobStateStore(state_file)
    entries = store.load().entries
    entries["User:0"].display_name = "changed, never checkpointed"
    entries["User:1"].display_name = "changed and checkpointed"
    entries["User:2"].display_name = "changed and checkpointed"
    store.checkpoint(entries={"User:1": entries["User:1"], "User:2": entries["User:2"]}, in_flight={})  # folds at once
    assert not _changes(state_file).exists()
    on_disk = JobStateStore(state_file).load().entries
    assert on_disk["User:0"].display_name == "User 0"
    assert on_disk["User:1"].display_name == on_disk["User:2"].display_name == "changed and checkpointed"
    assert len(on_disk) == 4


@pytest.mark.parametrize("count", [1, 7, 1200])
def test_the_newest_logs_are_read_from_the_end_of_the_file_as_a_whole_read_gives_them(
    state_file: Path, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_state, "PENDING_LIMIT", 0)  # every entry written into the log file itself
    entries = [{"id": f"e{n}", "statusInfo": {"reason": f'line\nbreak {n}, "quoted" }}\n'}} for n in range(count)]
    JobStateStore(state_file).checkpoint(logs=entries)
    path = state_file.with_suffix(".logs.json")
    assert orjson.loads(path.read_bytes()) == {"logs": {str(n + 1): entries[n] for n in range(count)}}
    for limit in (1, 3, 500, 5000):
        newest = log_file.read_newest(path, limit)
        assert newest == entries[::-1][:limit]
        assert JobStateStore(state_file).logs(limit) == newest


def test_a_log_file_not_laid_out_for_it_is_read_whole_and_damage_is_reported(state_file: Path) -> None:
    path = state_file.with_suffix(".logs.json")
    path.write_bytes(log_file.serialize({"logs": {}}))
    assert orjson.loads(path.read_bytes()) == {"logs": {}} and log_file.read_newest(path, 10) == []
    path.write_bytes(orjson.dumps({"logs": {"1": {"id": "old"}, "2": {"id": "older layout"}}}))
    assert log_file.read_newest(path, 1) is None
    assert [entry["id"] for entry in JobStateStore(state_file).logs(1)] == ["older layout"]
    path.write_bytes(b'{"logs":{\n"1":{"id":"torn')
    assert log_file.read_newest(path, 1) is None
    with pytest.raises(StoreError, match="provisioning log"):
        JobStateStore(state_file).logs(1)


def test_the_space_file_holds_each_entry_as_it_always_did(state_file: Path) -> None:
    """An entry's state is its `targetId` and `deprovisioned` mark on disk, facts not known are
    left out and `key` comes last: files written before the entries were typed read the same."""
    linked = SpaceEntry(
        "User",
        ProvisioningState.LINKED,
        "t1",
        "User",
        True,
        "h1",
        "One",
        {"manager": "t2"},
        refs_pending=True,
        cycle="c1",
    )
    out_of_scope = SpaceEntry("User", ProvisioningState.OUT_OF_SCOPE, "t2", "User", False, "h2", "Two", {})
    never = SpaceEntry("User", in_scope=False, hash="h3", display_name="Three", cycle="c1")
    JobStateStore(state_file).checkpoint(entries={"User:1": linked, "User:2": out_of_scope, "User:3": never})
    (record,) = [orjson.loads(line) for line in _changes(state_file).read_bytes().splitlines()]
    assert [list(entry) for entry in record["entries"].values()] == [
        ["type", "targetId", "targetType", "inScope", "hash", "displayName", "refs", "refsPending", "cycle", "key"],
        ["type", "targetId", "targetType", "inScope", "hash", "displayName", "deprovisioned", "refs", "key"],
        ["type", "targetId", "inScope", "hash", "displayName", "cycle", "key"],
    ]
    assert (
        record["entries"]["User:2"]["deprovisioned"] == "outOfScope" and record["entries"]["User:3"]["targetId"] is None
    )
    assert JobStateStore(state_file).load().entries == {"User:1": linked, "User:2": out_of_scope, "User:3": never}


def test_an_entry_written_before_the_entries_were_typed_reads_as_its_state(state_file: Path) -> None:
    _space(state_file).write_bytes(
        orjson.dumps(
            {
                "connectorSpace": {
                    "1": {
                        "type": "User",
                        "targetId": "t1",
                        "deprovisioned": "disabled",
                        "refsUnresolved": True,
                        "pendingReason": "outOfScope",
                        "key": "User:1",
                    },
                    "2": {"type": "User", "targetId": "t2", "deprovisioned": "deleted", "key": "User:2"},
                    "3": {"type": "User", "targetId": None, "deprovisioned": "outOfScope", "key": "User:3"},
                }
            }
        )
    )
    entries = JobStateStore(state_file).load().entries
    assert entries["User:1"] == SpaceEntry("User", ProvisioningState.DISABLED, "t1", refs_unresolved=True)
    assert entries["User:2"].state == ProvisioningState.DELETED and entries["User:2"].managed_target is None
    assert entries["User:3"] == SpaceEntry("User")  # a mark without a link: never linked, or its link dropped


def _log_views(store: JobStateStore) -> list[object]:
    """What readers of the log see: every entry, the newest few, pages, a count, a search."""
    searched = store.log_page(LogQuery(text="7"), 0, 100)
    return [
        store.logs(),
        store.logs(2),
        store.logs(9),
        store.log_page(LogQuery(), 1, 3),
        (searched.entries, searched.matched, searched.total),
    ]


def test_a_few_log_entries_wait_in_a_change_log_and_every_reader_sees_what_the_log_file_alone_would_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_state, "LOG_LIMIT", 6)
    sizes = [1, 2, 1, 1, 4, 1, 1, 1, 9, 1, 2]  # 4 and 9 are too many to wait: they write the file
    views = {}
    for waiting in (0, 3):
        monkeypatch.setattr(job_state, "PENDING_LIMIT", waiting)
        (tmp_path / str(waiting)).mkdir()
        path = tmp_path / str(waiting) / "job.json"
        numbers = iter(range(100))
        views[waiting] = []
        for size in sizes:
            JobStateStore(path).checkpoint(logs=[{"id": f"e{next(numbers)}"} for _ in range(size)])
            views[waiting].append(_log_views(JobStateStore(path)))
        pending = path.with_suffix(".logs.changes")
        assert pending.exists() == bool(waiting)  # the last checkpoints' 1 + 2 entries wait
    assert views[3] == views[0]
    assert [entry["id"] for entry in views[3][-1][0]] == ["e23", "e22", "e21", "e20", "e19", "e18"]


def test_log_entries_written_into_the_file_before_a_crash_kept_their_change_log_are_not_counted_twice(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_state, "PENDING_LIMIT", 2)
    JobStateStore(state_file).checkpoint(logs=[{"id": "a"}])
    JobStateStore(state_file).checkpoint(logs=[{"id": "b"}])
    pending = state_file.with_suffix(".logs.changes")
    before_the_crash = pending.read_bytes()
    JobStateStore(state_file).checkpoint(logs=[{"id": "c"}])  # three: all written into the file
    assert not pending.exists()
    pending.write_bytes(before_the_crash + b'{"first": 4, "entr')  # the crash: not cleared, a torn line
    store = JobStateStore(state_file)
    assert [log["id"] for log in store.logs()] == ["c", "b", "a"]
    store.checkpoint(logs=[{"id": "d"}])
    assert [log["id"] for log in JobStateStore(state_file).logs()] == ["d", "c", "b", "a"]
    assert orjson.loads(state_file.with_suffix(".logs.json").read_bytes())["logs"] == {
        "1": {"id": "a"},
        "2": {"id": "b"},
        "3": {"id": "c"},
    }


def test_a_checkpoint_that_changes_no_escrow_or_meta_leaves_the_job_file_as_it_was(state_file: Path) -> None:
    store = JobStateStore(state_file)
    escrows = {"User:1": {"key": "User:1", "nextRetry": "2026-01-01T00:00:00Z"}}
    store.checkpoint(entries={"User:1": _entry(1)}, escrows=escrows, meta={"watermark": "w1"})
    written = state_file.stat()

    reopened = JobStateStore(state_file)
    reopened.checkpoint(
        entries={"User:2": _entry(2)}, escrows=dict(escrows), meta={"watermark": "w1"}, logs=[{"id": "l"}]
    )
    assert (state_file.stat().st_ino, state_file.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert JobStateStore(state_file).load().entries == {"User:1": _entry(1), "User:2": _entry(2)}

    # Other processes still see that the job changed: the jobs folder's time moves, as a rename would move it.
    os.utime(state_file.parent, ns=(0, 0))
    reopened.checkpoint(meta={"watermark": "w1"}, logs=[{"id": "m"}])
    assert state_file.parent.stat().st_mtime_ns != 0
    assert (state_file.stat().st_ino, state_file.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)

    reopened.checkpoint(escrows={}, meta={"watermark": "w1"})
    reopened.checkpoint(meta={"watermark": "w2"})
    snapshot = JobStateStore(state_file).load()
    assert (snapshot.escrows, snapshot.meta) == ({}, {"watermark": "w2"})
