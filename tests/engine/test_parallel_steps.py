"""A cycle against a target that takes parallel requests: several exports in flight at once, the
same outcome as one at a time, and pauses and failures that leave nothing half done."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest

from synctui.connectors.base import ConnectionFailure, Directory
from synctui.connectors.jsonfile import jsonfile_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition
from synctui.engine.parallel_steps import ParallelSteps
from synctui.templates import get_template

from .harness import AnsweringTogether, Harness, person

WIDTH = 4
USERS = 40


class ParallelTarget:
    """A memory directory that takes calls from `WIDTH` threads, as a SCIM endpoint does. With
    `meet`, the first `WIDTH` creates wait for each other, so a cycle that sends one at a time fails."""

    max_parallel = WIDTH

    def __init__(self, directory: MemoryDirectory, *, meet: bool = True) -> None:
        self.directory = directory
        self._meet = meet
        self._lock = threading.Lock()
        self._together = threading.Barrier(WIDTH, timeout=10)
        self._creates = itertools.count()
        self.in_flight = self.peak = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.directory, name)

    def create(self, object_type: str, attributes: dict[str, Any]) -> str:
        return self._call(
            lambda: self.directory.create(object_type, attributes), meet=self._meet and next(self._creates) < WIDTH
        )

    def update(self, object_type: str, object_id: str, modification: Any) -> None:
        return self._call(lambda: self.directory.update(object_type, object_id, modification))

    def find(self, object_type: str, attribute: str, value: Any) -> list[dict[str, Any]]:
        return self._call(lambda: self.directory.find(object_type, attribute, value))

    def _call(self, call: Callable[[], Any], *, meet: bool = False) -> Any:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if meet:
                self._together.wait()
            with self._lock:
                return call()
        finally:
            with self._lock:
                self.in_flight -= 1


def _harness(target: Directory) -> Harness:
    users = [person(n, manager=f"u{n // 5}" if n >= 5 else None) for n in range(USERS)]
    return _harness_of(users, target)


def _harness_of(users: list[dict[str, Any]], target: Directory) -> Harness:
    """The jsonfile template's job from `users` and a group of the first 25 of them."""
    groups = [
        {
            "id": "g1",
            "objectId": "g1",
            "displayName": "Sales",
            "mailNickname": "sales",
            "members": [u["id"] for u in users[:25]],
        }
    ]
    source = MemoryDirectory(tenant_definition(), {"User": users, "Group": groups})
    schema = get_template("jsonfile").schema_
    assert schema is not None
    return Harness(source, target, schema)  # type: ignore[arg-type]


def _memory_target() -> MemoryDirectory:
    return MemoryDirectory(jsonfile_definition(), seed=7)


def _as_written(harness: Harness) -> dict[str, dict[str, Any]]:
    """The target's users by name, with ids replaced by names (ids depend on the order of creates)."""
    users = harness.users()
    names = {u["id"]: upn for upn, u in users.items()}
    written = {
        upn: {k: v for k, v in u.items() if k != "id"} | {"manager": names.get(u.get("manager"))}
        for upn, u in users.items()
    }
    members = sorted(names[m] for m in harness.groups()["Sales"]["members"])
    return written | {"Sales": {"members": members}}


def test_exports_overlap_and_end_as_a_sequential_run_does() -> None:
    sequential = _harness(_memory_target())
    expected = sequential.run()
    target = ParallelTarget(_memory_target())
    parallel = _harness(target)
    result = parallel.run()
    assert result.failure is None and target.peak == WIDTH
    assert _as_written(parallel) == _as_written(sequential)
    assert result.execution.count_exports == expected.execution.count_exports
    assert parallel.run().execution.count_exports == 0  # and then all is in sync


def test_a_pause_stops_every_lane_and_start_goes_on_without_duplicates() -> None:
    target = ParallelTarget(_memory_target(), meet=False)  # lanes drain at every checkpoint
    harness = _harness(target)
    harness.options.checkpoint_seconds = 0  # a checkpoint between any two objects
    calls = itertools.count()
    paused = harness.run(should_stop=lambda: next(calls) >= 12)
    assert paused.paused and 0 < len(harness.users()) < USERS
    assert target.in_flight == 0
    harness.run()
    assert len(harness.users()) == USERS
    assert harness.run().execution.count_exports == 0


def test_a_lane_that_loses_the_target_fails_the_run_and_the_next_run_completes() -> None:
    memory = _memory_target()
    memory.fail_on(
        "User",
        "create",
        lambda attrs: attrs.get("mailNickname") == "user20",
        error=ConnectionFailure("Unreachable", "the endpoint went away"),
    )
    target = ParallelTarget(memory)
    harness = _harness(target)
    failed = harness.run()
    assert failed.failure is not None and failed.failure.code == "Unreachable"
    assert target.in_flight == 0
    memory.clear_faults()
    harness.run()
    harness.run()  # references wait for their objects
    written = harness.users()
    assert len(written) == USERS
    assert harness.run().execution.count_exports == 0


def test_one_lane_runs_on_the_callers_thread() -> None:
    threads = set()
    lanes = ParallelSteps(1)
    assert lanes.run(range(3), lambda _: threads.add(threading.current_thread()), lambda: True)
    assert threads == {threading.current_thread()}


def test_a_failing_step_is_raised_after_the_others_end() -> None:
    lanes = ParallelSteps(3)
    ended = []

    def step(n: int) -> None:
        with lanes.waiting():
            pass
        if n == 5:
            raise ValueError("step 5")
        ended.append(n)

    with pytest.raises(ValueError, match="step 5"):
        lanes.run(range(100), step, lambda: True)
    assert 5 not in ended and len(ended) < 99


def test_two_new_objects_matching_on_one_value_at_once_create_one_target_object() -> None:
    target = AnsweringTogether("userPrincipalName", jsonfile_definition(), seed=7)
    # The third meets the lookup of whichever of the two asked first, when the other is refused
    # without asking (which of the two steps takes the cycle first is the threads' choice).
    users = [person(1), person(2, userPrincipalName="user1@contoso.example"), person(3)]
    harness = _harness_of(users, target)
    result = harness.run()
    names = sorted(user["userPrincipalName"] for user in target.read_all("User"))
    assert names == ["user1@contoso.example", "user3@contoso.example"]
    [escrow] = harness.state.load().escrows.values()
    refused = escrow["sourceId"]
    assert refused in {"u1", "u2"} and escrow["error"]["code"] == "DuplicateSourceEntries"
    [kept] = {"u1", "u2"} - {refused}
    assert f"source object {kept} has the same matching value" in escrow["error"]["message"]
    assert result.execution.count_escrowed == 1
