"""References left unresolved by a cycle that settled (engine/quiet.py): the next cycle that looks
and finds no object to look at does not evaluate them again unless something they follow from
changed since, and leaves what a cycle that evaluates them leaves."""

from __future__ import annotations

import contextlib
import itertools
import random
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.connectors import _document
from synctui.engine import references
from synctui.engine.quiet import QuietCycles
from synctui.models.connector_space import EntryKey, ProvisioningState, SpaceEntry
from synctui.store.connector_space import ConnectorSpace

from .test_quiet_cycles import FileJob, _edit_tenant, _user_number, _what_is_left


@pytest.fixture
def evaluated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every tenant file is read with digests; the keys whose references each cycle evaluated."""
    monkeypatch.setattr(_document, "DIGESTED_BYTES", 0)
    keys: list[str] = []
    update = references.ReferenceResolution._update_references

    def noted(self: Any, mapping: Any, key: EntryKey, *args: Any) -> bool:
        keys.append(str(key))
        return update(self, mapping, key, *args)

    monkeypatch.setattr(references.ReferenceResolution, "_update_references", noted)
    return keys


def _retitle(job: FileJob, n: int, title: str) -> None:
    """Change a user in the tenant and provision the change on demand: the next cycle looks."""

    def change(document: dict[str, Any]) -> None:
        next(user for user in document["users"] if user["id"] == f"u{n}")["jobTitle"] = title

    job.edit_tenant(change)
    job.cycle().provision_one("User", f"u{n}")


def _settled_job(folder: Path) -> FileJob:
    """A job whose group points at a disabled user (u4), after a look that settled."""
    job = FileJob(folder)
    job.run()  # initial
    _retitle(job, 2, "Lead")
    job.run()  # looks: the group evaluated again, and the references noted
    assert "references" in job.meta()["quiet"]
    return job


def test_a_look_with_nothing_to_do_does_not_evaluate_references_left_unresolved(
    tmp_path: Path, evaluated: list[str]
) -> None:
    job = _settled_job(tmp_path)
    _retitle(job, 3, "Manager")
    evaluated.clear()
    result = job.run()
    assert job.looked and result.execution.count_imported_deltas == 0
    assert evaluated == []
    assert "references" in job.meta()["quiet"]  # noted again: the look after it skips them too
    _retitle(job, 1, "Head")
    evaluated.clear()
    job.run()
    assert job.looked and evaluated == []


def test_references_are_evaluated_again_once_an_object_they_point_to_is_provisioned(
    tmp_path: Path, evaluated: list[str]
) -> None:
    job = _settled_job(tmp_path)
    evaluated.clear()
    job.edit_tenant(lambda document: _edit_tenant(document, "enable", 4, True))
    job.cycle().provision_one("User", "u4")  # the group's member u4 provisioned on demand
    job.run()
    assert job.looked and "Group:g1" in evaluated
    target = job.state.load().entries[EntryKey("User:u4")].target_id
    group = job.state.load().entries[EntryKey("Group:g1")]
    assert target in group.refs["members"] and not group.refs_unresolved


def test_references_are_evaluated_when_the_last_cycle_noted_none(tmp_path: Path, evaluated: list[str]) -> None:
    job = _settled_job(tmp_path)
    meta = job.meta()
    del meta["quiet"]["references"]
    job.state.checkpoint(meta=meta)
    _retitle(job, 3, "Manager")
    evaluated.clear()
    job.run()
    assert evaluated == ["Group:g1"]


def test_references_are_evaluated_in_a_cycle_that_looks_at_some_object(tmp_path: Path, evaluated: list[str]) -> None:
    job = _settled_job(tmp_path)
    evaluated.clear()
    job.edit_tenant(lambda document: _edit_tenant(document, "rename", 3, "Bo"))  # not provisioned on demand
    job.run()
    assert "Group:g1" in evaluated


# --- the space's changes since a version ---------------------------------------------------------


def _entry(target_id: str | None, state: ProvisioningState = ProvisioningState.LINKED) -> SpaceEntry:
    entry = SpaceEntry("User")
    if target_id is not None:
        entry.link(target_id, "User")
        entry.state = state
    return entry


def test_the_space_tells_the_managed_targets_written_since_a_version(tmp_path: Path) -> None:
    path = tmp_path / "job.space.json"
    space = ConnectorSpace(path)
    space.write({f"User:u{n}": _entry(f"t{n}") for n in range(5000)})  # folded into the file at once
    folded = space.version()
    assert folded is not None
    space.write({"User:u1": _entry("t1", ProvisioningState.DISABLED), "User:new": _entry("t9")})
    space.write({"User:u2": _entry(None), "User:u1": _entry("x")})
    space.write({"User:u3": None})
    entries = ConnectorSpace(path).take_entries()
    assert entries.managed_targets_since(folded) == {
        "User:u1": "t1",
        "User:new": None,
        "User:u2": "t2",
        "User:u3": "t3",
    }
    assert entries.managed_targets_since(folded + 1) == {"User:u2": "t2", "User:u1": "t1", "User:u3": "t3"}
    assert entries.managed_targets_since(folded + 3) == {}
    assert entries.managed_targets_since(folded + 4) is None  # never reached
    assert entries.managed_targets_since(folded - 1) is None  # folded into the file since
    ConnectorSpace(path).write({f"User:u{n}": _entry(f"s{n}") for n in range(5000)})  # folded at once
    assert ConnectorSpace(path).take_entries().managed_targets_since(folded + 3) is None


# --- the same as evaluating them: a property over edits and provisioning on demand ---------------

_action = st.one_of(
    st.tuples(st.just("enable"), _user_number, st.booleans()),
    st.tuples(st.just("manager"), _user_number, st.one_of(st.none(), _user_number)),
    st.tuples(st.just("member"), _user_number, st.booleans()),
    st.tuples(st.just("rename"), _user_number, st.sampled_from(["Ann", "Bo"])),
    st.tuples(st.just("create"), _user_number, st.booleans()),
    st.tuples(st.just("delete"), _user_number, st.none()),
)


def _cycles_over_actions(folder: Path, batches: list[tuple[list[tuple[str, int, Any]], bool]]) -> list[Any]:
    """What each cycle of a job over the tenant, edited batch by batch, leaves; with a batch's
    flag, the users and group it edited are provisioned on demand before the cycle (which then
    mostly finds nothing to do)."""
    random.seed(20)
    activities = itertools.count()
    job = FileJob(folder)
    left = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(activities)))  # each cycle's id
        for batch, on_demand in [([], False), ([("rename", 2, "Ann")], True), *batches]:
            for edit in batch:
                job.edit_tenant(lambda document, edit=edit: _edit_tenant(document, *edit))
            edited = [("User", f"u{n}") for _, n, _ in batch] + [("Group", "g1")] * any(
                a == "member" for a, _, _ in batch
            )
            for object_type, object_id in edited if on_demand else ():
                with contextlib.suppress(LookupError):  # (no such user in the tenant now)
                    job.cycle().provision_one(object_type, object_id)
            left.append(_what_is_left(job, job.run(), folder))
    return left


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(_action, max_size=4), st.booleans()), min_size=1, max_size=5))
def test_skipping_references_left_as_they_were_leaves_what_evaluating_them_does(
    batches: list[tuple[list[tuple[str, int, Any]], bool]],
) -> None:
    as_left = QuietCycles._references_as_left

    def never(self: QuietCycles, due: list[str]) -> bool:
        as_left(self, due)  # (makes what the cycle notes)
        return False

    with tempfile.TemporaryDirectory() as evaluating, tempfile.TemporaryDirectory() as skipping:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_document, "DIGESTED_BYTES", 0)
            patch.setattr(QuietCycles, "_references_as_left", never)
            expected = _cycles_over_actions(Path(evaluating), batches)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_document, "DIGESTED_BYTES", 0)
            assert _cycles_over_actions(Path(skipping), batches) == expected
