"""What a cycle leaves undone so that its cost follows the changes: state writes, log entries and
progress reports, reads of the directories, and the interpreter it shares with the dashboard."""

from __future__ import annotations

import gc
import hashlib
from typing import Any

import orjson
import pytest

from synctui.connectors.base import Modification
from synctui.connectors.memory import MemoryDirectory
from synctui.engine import Cycle, compile_schema, cycle_state
from synctui.engine.gc_pause import gc_paused
from synctui.engine.values import fingerprint
from synctui.store import JobStateStore

from .harness import Harness, person


class _Checkpoints:
    """Records what each checkpoint of a state store is given."""

    def __init__(self, state: JobStateStore) -> None:
        self.calls: list[dict[str, Any]] = []
        original = state.checkpoint

        def checkpoint(**kwargs: Any) -> None:
            self.calls.append(kwargs)
            original(**kwargs)

        state.checkpoint = checkpoint  # type: ignore[method-assign]

    def entries_written(self) -> set[str]:
        return {key for call in self.calls for key in (call.get("entries") or {})}


def test_a_steady_cycle_writes_no_entry_not_even_for_a_reference_it_cannot_resolve(harness: Harness) -> None:
    harness.source.create("User", {k: v for k, v in person(5, manager="u4").items() if k not in ("id", "objectId")})
    harness.run()  # user 5's manager, user 4, is disabled: never provisioned, never resolved
    checkpoints = _Checkpoints(harness.state)
    result = harness.run()
    assert result.steady
    assert checkpoints.entries_written() == set()


def test_a_cycle_renders_no_more_log_entries_than_the_store_keeps(harness: Harness) -> None:
    harness.state.log_limit = 2
    checkpoints = _Checkpoints(harness.state)
    harness.run()
    logged = [entry for call in checkpoints.calls for entry in call.get("logs") or []]
    assert len(logged) == 2
    assert [entry["provisioningAction"] for entry in logged] == ["update", "update"]  # the last: references
    assert logged[-1]["sourceIdentity"]["id"] == "g1"


def test_progress_is_reported_in_steps_and_at_the_end(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(10, 40):
        harness.source.create("User", {k: v for k, v in person(n).items() if k not in ("id", "objectId")})
    monkeypatch.setattr(cycle_state, "PROGRESS_STEPS", 5)
    reports: list[tuple[int, int]] = []
    harness.run(on_progress=lambda done, total: reports.append((done, total)))
    total = reports[0][1]
    assert reports[0] == (0, total) and reports[-1] == (total, total)
    assert len(reports) <= 5 + 2


def test_garbage_collection_is_held_off_while_a_cycle_runs(harness: Harness) -> None:
    assert gc.isenabled()
    seen: list[bool] = []
    harness.run(on_progress=lambda done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_gc_pauses_nest_and_restore_what_they_found() -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class _OneObjectReads(MemoryDirectory):
    """A memory directory that counts the objects asked of it one at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_ones: list[tuple[str, str]] = []

    def read_one(self, object_type: str, object_id: str) -> dict[str, Any] | None:
        self.read_ones.append((object_type, object_id))
        return self.get(object_type, object_id)


def test_provision_on_demand_reads_one_object_of_each_directory(harness: Harness) -> None:
    harness.run()
    harness.edit_user("u2", jobTitle="Lead")
    source = _OneObjectReads(harness.source.definition(), {"User": harness.source.read_all("User")})
    target = _OneObjectReads(
        harness.target.definition(),
        {"User": harness.target.read_all("User"), "Group": harness.target.read_all("Group")},
    )
    cycle = Cycle(
        job_id="job",
        schema=compile_schema(harness.schema),
        source=source,
        target=target,
        state=harness.state,
        clock=harness.clock,
        detailed_logs=True,
    )
    entry = cycle.provision_one("User", "u2")
    assert entry["provisioningAction"] == "update"
    assert source.read_ones == [("User", "u2")]
    assert [object_type for object_type, _ in target.read_ones] == ["User"]
    assert source.calls[("read_all", "User")] == 0 and target.calls[("find", "User")] == 0


# --- references of objects linked to what the target already holds ----------------------------


def test_a_matched_group_loses_the_members_the_source_no_longer_has(harness: Harness) -> None:
    harness.run()
    users = harness.users()
    sales = harness.groups()["Sales"]
    # The links are lost (a crash before they were recorded), and the group meanwhile holds user 3.
    harness.state = JobStateStore(None)
    harness.target.update("Group", sales["id"], Modification(add={"members": [users["user3@contoso.example"]["id"]]}))
    harness.run()
    assert sorted(harness.groups()["Sales"]["members"]) == sorted(
        [users["user1@contoso.example"]["id"], users["user2@contoso.example"]["id"]]
    )
    assert harness.run().execution.count_exports == 0


def test_an_adopted_create_loses_the_members_the_source_no_longer_has(harness: Harness) -> None:
    harness.run()
    users = harness.users()
    sales = harness.groups()["Sales"]
    # A create sent but never recorded, found again through the in-flight journal.
    harness.state = JobStateStore(None)
    harness.state.record_in_flight("Group:g1", {"matching": [["displayName", "Sales"]]})
    harness.target.update("Group", sales["id"], Modification(add={"members": [users["user3@contoso.example"]["id"]]}))
    harness.run()
    assert sorted(harness.groups()["Sales"]["members"]) == sorted(
        [users["user1@contoso.example"]["id"], users["user2@contoso.example"]["id"]]
    )


def test_references_sent_but_never_recorded_are_set_from_what_the_target_holds(harness: Harness) -> None:
    harness.run()
    # User 3 joins the group; the run exports it, then dies before its state is written.
    harness.source.update("Group", "g1", Modification(add={"members": ["u3"]}))
    record = harness.state.checkpoint

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("killed")

    harness.state.checkpoint = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="killed"):
        harness.run()
    harness.state.checkpoint = record  # type: ignore[method-assign]
    users = harness.users()
    assert users["user3@contoso.example"]["id"] in harness.groups()["Sales"]["members"]
    # User 3 leaves again: the group is as the state last recorded it, but not the target.
    harness.source.update("Group", "g1", Modification(remove={"members": ["u3"]}))
    harness.run()
    assert sorted(harness.groups()["Sales"]["members"]) == sorted(
        [users["user1@contoso.example"]["id"], users["user2@contoso.example"]["id"]]
    )


def test_the_fingerprint_of_an_object_is_the_one_stored_before() -> None:
    # Connector spaces written by earlier versions hold these hashes: a different one would make
    # the next cycle look at every object again.
    obj = {"displayName": "Ada", "accountEnabled": True, "manager": None, "department": "Sales"}
    attributes = ("accountEnabled", "department", "displayName", "mail", "manager")
    expected = hashlib.blake2b(orjson.dumps([True, "Sales", "Ada", None, None]), digest_size=10).hexdigest()
    assert fingerprint(obj, attributes) == expected
    assert fingerprint({**obj, "department": "Legal"}, attributes) != expected


def test_a_fingerprint_reads_each_attribute_as_expressions_do() -> None:
    # By its name, else by the first key equal to it ignoring case; a name present (even as null) wins.
    attributes = ("department", "mail")
    spelled = fingerprint({"department": "Sales"}, attributes)
    assert fingerprint({"Department": "Sales"}, attributes) == spelled
    assert fingerprint({"DEPARTMENT": "Sales", "Department": "Legal"}, attributes) == spelled
    assert fingerprint({"Department": "Legal"}, attributes) != spelled
    assert fingerprint({"department": None, "Department": "Sales"}, attributes) == fingerprint({}, attributes)
