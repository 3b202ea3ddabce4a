"""Source digests (engine/source_digests.py): a cycle that looks at its source with the digests a
cycle before noted parses, checks and hashes only the objects whose text changed, and leaves what a
cycle that reads every object leaves."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import random
import tempfile
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.connectors import _document, document_pieces
from synctui.engine import CycleOptions, plan, source_digests
from synctui.engine.assignments import Application
from synctui.engine.source_digests import _parsed_note
from synctui.store import JobStateStore, state_files
from synctui.store.jobs import default_app_roles

from .harness import person
from .test_quiet_cycles import FileJob, _edit, _edit_tenant, _user_number, _what_is_left

APP = "sp-1"
ROLES = tuple(default_app_roles(APP))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every tenant file is read with digests; the ids of the objects whose text was parsed to read it."""
    monkeypatch.setattr(_document, "DIGESTED_BYTES", 0)
    ids: list[str] = []
    checked_items = document_pieces._checked_items

    def noted(texts: Any, *args: Any) -> Any:
        found = checked_items(texts, *args)
        ids.extend(found[0] if found is not None else [])
        return found

    monkeypatch.setattr(document_pieces, "_checked_items", noted)
    return ids


def _looked(job: FileJob) -> Any:
    """A cycle that looks at the source (the last one's quiet mark forgotten)."""
    if "quiet" in job.meta():
        job.forget_quiet_mark()
    return job.run()


def _note(job: FileJob) -> dict[str, Any]:
    note = job.state.source_digests()
    assert note is not None
    return {prefix: sorted(noted.ids_by_digest.values()) for prefix, noted in _parsed_note(note)[0].items()}


def _noted_job(folder: Path) -> FileJob:
    job = FileJob(folder)
    job.run()  # initial: reads whole, notes nothing
    assert job.state.source_digests() is None
    _looked(job)  # every object parsed and hashed, and noted
    assert _note(job) == {"User": ["u1", "u2", "u3", "u4"], "Group": ["g1"]}
    return job


def test_a_look_parses_only_the_objects_whose_text_changed(tmp_path: Path, parsed: list[str]) -> None:
    job = _noted_job(tmp_path)
    # u2's title changed to one as long, u1 moved to the end of the file, u5 added.
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Ops"))
    job.edit_tenant(lambda document: document["users"].append(document["users"].pop(0)))
    job.edit_tenant(lambda document: document["users"].append(person(5)))
    parsed.clear()
    result = _looked(job)
    assert sorted(parsed) == ["u2", "u5"]
    assert result.execution.count_imported == 6 and result.execution.count_imported_deltas == 2
    assert result.execution.count_exports == 2  # u2 updated, u5 created
    target = {user["mail"]: user for user in orjson.loads((tmp_path / "target.json").read_bytes())["User"]}
    assert target["user2@contoso.example"]["jobTitle"] == "Ops" and "user5@contoso.example" in target
    assert _note(job)["User"] == ["u1", "u2", "u3", "u4", "u5"]
    # The note holds the runs of the texts as they are now (see connectors/document_pieces.py), in order.
    note = _parsed_note(job.state.source_digests() or b"")[0]["User"]
    assert [object_id for _, ids in note.runs.values() for object_id in ids] == ["u2", "u3", "u4", "u1", "u5"]
    parsed.clear()
    result = _looked(job)
    assert parsed == [] and result.execution.count_imported_deltas == 0 and result.execution.count_exports == 0


def test_a_note_is_written_again_once_more_than_a_few_objects_are_not_in_it(tmp_path: Path, parsed: list[str]) -> None:
    job = FileJob(tmp_path)
    job.edit_tenant(lambda document: document["users"].extend(person(n) for n in range(5, 201)))
    job.run()
    _looked(job)
    note = job.state.source_digests()
    job.edit_tenant(lambda document: document["users"][9].update(jobTitle="Ops"))  # 1 in 200 users
    parsed.clear()
    assert _looked(job).execution.count_exports == 1 and parsed == ["u10"]
    assert job.state.source_digests() == note  # not written again for one user
    parsed.clear()
    assert _looked(job).execution.count_exports == 0 and parsed == ["u10"]  # hashed again, as noted
    job.edit_tenant(lambda document: [user.update(jobTitle="Ops") for user in document["users"][20:22]])
    parsed.clear()
    assert _looked(job).execution.count_exports == 2 and sorted(parsed) == ["u10", "u21", "u22"]
    assert job.state.source_digests() != note  # 3 in 200: written again, with them
    parsed.clear()
    _looked(job)
    assert parsed == []


@pytest.mark.parametrize(
    "note",
    [
        b"",
        b"not json",
        b'{"format": 1, "mappings": {"User": {"madeUnder": "x", "dig',
        b'{"format": 99, "mappings": {}}',
    ],
    ids=["empty", "garbage", "torn", "another format"],
)
def test_a_damaged_note_is_not_used_and_made_again(tmp_path: Path, parsed: list[str], note: bytes) -> None:
    job = _noted_job(tmp_path)
    job.state.note_source_digests(note)
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Ops"))
    parsed.clear()
    result = _looked(job)
    assert sorted(parsed) == ["g1", "u1", "u2", "u3", "u4"]  # every object read again
    assert result.execution.count_exports == 1
    assert _note(job) == {"User": ["u1", "u2", "u3", "u4"], "Group": ["g1"]}


def _note_of_parts(*listed_and_bodies: tuple[list[object], bytes]) -> bytes:
    """A note whose header lists the parts as given, with a true checksum of their bodies."""
    body = b"".join(part for _, part in listed_and_bodies)
    header = {
        "format": source_digests.NOTE_FORMAT,
        "mappings": [listed for listed, _ in listed_and_bodies],
        "sum": hashlib.sha256(body).hexdigest(),
    }
    return orjson.dumps(header) + b"\n" + body


@pytest.mark.parametrize(
    "note",
    [
        # An object listed with no bytes of digest; a run listed with no bytes.
        _note_of_parts((["User:", "x", 1, 0, 6, 5, 0, 2], b'["u1"]["f"][]')),
        _note_of_parts((["User:", "x", 1, 32, 6, 5, 0, 3], b"d" * 32 + b'["u1"]["f"][1]')),
    ],
    ids=["digests of no bytes", "runs of no bytes"],
)
def test_a_note_whose_header_does_not_add_up_is_not_used(tmp_path: Path, parsed: list[str], note: bytes) -> None:
    job = _noted_job(tmp_path)
    job.state.note_source_digests(note)
    parsed.clear()
    assert _looked(job).execution.count_imported_deltas == 0  # (the cycle runs, reading every object)
    assert sorted(parsed) == ["g1", "u1", "u2", "u3", "u4"]


@pytest.mark.parametrize("cut", [1, 30])
def test_a_note_cut_short_is_not_used(tmp_path: Path, parsed: list[str], cut: int) -> None:
    job = _noted_job(tmp_path)
    note = job.state.source_digests() or b""
    job.state.note_source_digests(note[:-cut])
    parsed.clear()
    assert _looked(job).execution.count_imported_deltas == 0
    assert sorted(parsed) == ["g1", "u1", "u2", "u3", "u4"]
    assert job.state.source_digests() == note  # made again


def test_a_changed_object_is_added_to_the_note_and_a_look_after_reads_it_from_there(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_digests, "GONE_SHARE", 1)
    job = _noted_job(tmp_path)
    note = job.state.source_digests() or b""
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Ops"))
    parsed.clear()
    assert _looked(job).execution.count_exports == 1 and parsed == ["u2"]
    added = job.state.source_digests() or b""
    assert added.startswith(note) and len(added) > len(note)  # a record added, the note kept
    assert _parsed_note(added)[1] == len(added)
    parsed.clear()
    assert _looked(job).execution.count_imported_deltas == 0 and parsed == []


def test_a_note_noting_too_many_texts_gone_is_written_whole_again(tmp_path: Path, parsed: list[str]) -> None:
    job = _noted_job(tmp_path)
    note = job.state.source_digests() or b""
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Ops"))  # 1 text gone in 4 users
    parsed.clear()
    assert _looked(job).execution.count_exports == 1 and parsed == ["u2"]
    whole = job.state.source_digests() or b""
    assert not whole.startswith(note) and _parsed_note(whole)[1] == len(whole)
    assert _note(job) == {"User": ["u1", "u2", "u3", "u4"], "Group": ["g1"]}


@pytest.mark.parametrize("torn", [b"[]", b'{"format":3,"mappings":[["User:"', b"\n"])
def test_a_record_a_crash_tore_is_ignored_and_the_note_made_whole_again(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch, torn: bytes
) -> None:
    monkeypatch.setattr(source_digests, "GONE_SHARE", 1)
    job = _noted_job(tmp_path)
    note = job.state.source_digests() or b""
    job.state.note_source_digests(note + torn)
    parsed.clear()
    assert _looked(job).execution.count_imported_deltas == 0 and parsed == []  # the note's records are used
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Ops"))
    parsed.clear()
    assert _looked(job).execution.count_exports == 1 and parsed == ["u2"]
    # Not added after the torn record, where no reader would find it: written whole.
    whole = job.state.source_digests() or b""
    assert torn not in whole[len(note) :] and _parsed_note(whole)[1] == len(whole)
    parsed.clear()
    assert _looked(job).execution.count_imported_deltas == 0 and parsed == []


def test_a_note_whose_bytes_changed_is_not_used(tmp_path: Path, parsed: list[str]) -> None:
    job = _noted_job(tmp_path)
    note = bytearray(job.state.source_digests() or b"")
    note[-3] ^= 1  # a fingerprint's character, as a crash may leave a block of a file written without fsync
    job.state.note_source_digests(bytes(note))
    parsed.clear()
    assert _looked(job).execution.count_imported_deltas == 0
    assert sorted(parsed) == ["g1", "u1", "u2", "u3", "u4"]


def test_the_note_is_a_file_of_the_job_state(tmp_path: Path) -> None:
    store = JobStateStore(tmp_path / "job.json")
    assert store.source_digests() is None
    store.note_source_digests(b"note")
    assert JobStateStore(tmp_path / "job.json").source_digests() == b"note"
    assert tmp_path / "job.digests" in state_files(tmp_path / "job.json")  # deleted with the job
    memory = JobStateStore(None)
    memory.note_source_digests(b"note")
    assert memory.source_digests() is None
    assert not memory.add_to_source_digests(b"+", 0)


def test_a_record_is_added_only_after_the_note_its_writer_read(tmp_path: Path) -> None:
    store = JobStateStore(tmp_path / "job.json")
    assert not store.add_to_source_digests(b"+1", 0)  # no note: nothing to add to
    assert store.source_digests() is None
    store.note_source_digests(b"note")
    assert store.add_to_source_digests(b"+1", 4)
    assert not store.add_to_source_digests(b"+2", 4)  # the note is not as it was read
    assert store.source_digests() == b"note+1"


def test_fingerprints_noted_under_other_settings_are_not_used(tmp_path: Path, parsed: list[str]) -> None:
    job = _noted_job(tmp_path)
    # The users' mapping no longer reads their title: every user's hash is made again (and differs
    # from its entry's), which a look whose note were used would not find.
    users = job.schema.synchronization_rules[0].object_mappings[0]
    users.attribute_mappings = [flow for flow in users.attribute_mappings if flow.target_attribute_name != "jobTitle"]
    parsed.clear()
    result = _looked(job)
    assert sorted(parsed) == []  # the texts are known all the same: only their fingerprints are not
    assert result.execution.count_imported_deltas == 4
    note = job.state.source_digests()
    assert _looked(job).execution.count_imported_deltas == 0
    assert job.state.source_digests() == note  # as noted: not written again


def test_a_change_of_assignments_makes_every_assigned_object_hashed_again(tmp_path: Path, parsed: list[str]) -> None:
    job = FileJob(tmp_path, options=CycleOptions(application=Application(APP, ROLES, sync_all=False)))
    assignment = {
        "id": "a1",
        "principalId": "g1",
        "principalType": "Group",
        "resourceId": APP,
        "appRoleId": ROLES[0]["id"],
    }
    job.edit_tenant(lambda document: document.update(appRoleAssignments=[assignment]))
    job.run()
    _looked(job)
    assert _looked(job).execution.count_imported_deltas == 0
    # u3 joins the group: its text is as it was, but its roles are not.
    job.edit_tenant(lambda document: document["groups"][0]["members"].append("u3"))
    parsed.clear()
    result = _looked(job)
    assert parsed == ["g1"]
    assert result.execution.count_exports == 3  # u3 created and its manager set, the group's members updated
    assert "user3@contoso.example" in {
        user["mail"] for user in orjson.loads((tmp_path / "target.json").read_bytes())["User"]
    }


# --- the proof: a look with digests leaves what a look without them leaves --------------------------

_action = st.one_of(
    _edit,
    st.tuples(st.just("assign"), _user_number, st.booleans()),
    st.tuples(st.just("assign the group"), st.just(0), st.booleans()),
    st.tuples(st.just("move"), _user_number, st.none()),
    st.tuples(st.just("provision"), _user_number, st.none()),
)


def _act(job: FileJob, action: str, n: int, value: Any) -> None:
    if action == "provision":
        with contextlib.suppress(LookupError):  # (no such user in the tenant now)
            job.cycle().provision_one("User", f"u{n}")
        return

    def change(document: dict[str, Any]) -> None:
        assignments = document["appRoleAssignments"]
        principal, principal_type = (f"u{n}", "User") if action == "assign" else ("g1", "Group")
        if action in ("assign", "assign the group"):
            assignments[:] = [a for a in assignments if a["principalId"] != principal]
            if value:
                assignments.append(
                    {
                        "id": f"a-{principal}",
                        "principalId": principal,
                        "principalType": principal_type,
                        "resourceId": APP,
                        "appRoleId": ROLES[0]["id"],
                    }
                )
        elif action == "move":
            user = next((user for user in document["users"] if user["id"] == f"u{n}"), None)
            if user is not None:
                document["users"].remove(user)
                document["users"].append(user)
        else:
            _edit_tenant(document, action, n, value)

    job.edit_tenant(change)


def _looks_over_actions(folder: Path, batches: list[list[tuple[str, int, Any]]], sync_all: bool) -> list[Any]:
    """What each look of a job over the tenant, acted on batch by batch, leaves: its counts, the
    target file, the connector space, the escrows and the log entries (the target's ids drawn alike)."""
    random.seed(19)
    activities = itertools.count()
    job = FileJob(folder, options=CycleOptions(application=Application(APP, ROLES, sync_all=sync_all)))
    job.edit_tenant(lambda document: _act_all(document))
    left = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(activities)))  # each cycle's id
        for batch in [[], [], *batches]:
            for action in batch:
                _act(job, *action)
            left.append(_what_is_left(job, _looked(job), folder))
    return left


def _act_all(document: dict[str, Any]) -> None:
    """The tenant's assignments as the proof starts: u1 and u2 assigned, the group not."""
    document["appRoleAssignments"] = [
        {
            "id": f"a-u{n}",
            "principalId": f"u{n}",
            "principalType": "User",
            "resourceId": APP,
            "appRoleId": ROLES[0]["id"],
        }
        for n in (1, 2)
    ]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(_action, max_size=6), min_size=1, max_size=4), st.booleans(), st.booleans(), st.booleans())
def test_a_look_with_digests_leaves_what_a_look_reading_every_object_does(
    batches: list[list[tuple[str, int, Any]]], sync_all: bool, large: bool, added: bool
) -> None:
    """`large`: the tenant file as large as one read in pieces anyway, whose objects parsed as it
    is read are not kept (each is parsed again where the cycle asks for it). `added`: the objects
    hashed by each look are added to the note, however many of its texts are gone."""
    with tempfile.TemporaryDirectory() as whole, tempfile.TemporaryDirectory() as digested:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_document, "DIGESTED_BYTES", 10**12)  # never: every object read and hashed
            expected = _looks_over_actions(Path(whole), batches, sync_all)
            assert not list(Path(whole).glob("*.digests"))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_document, "DIGESTED_BYTES", 0)
            patch.setattr(_document, "PIECEWISE_BYTES", 0 if large else _document.PIECEWISE_BYTES)
            patch.setattr(document_pieces, "PIECE", 2)
            patch.setattr(source_digests, "GONE_SHARE", 100 if added else source_digests.GONE_SHARE)
            patch.setattr(plan, "FACTS_AT_ONCE", 2)  # the entries' facts asked for a few at a time
            assert _looks_over_actions(Path(digested), batches, sync_all) == expected
            assert list(Path(digested).glob("*.digests"))
