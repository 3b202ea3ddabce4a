"""Deletes and disables of objects already gone from the target, and of exports a crash left
unrecorded: done once, never escrowed for a missing anchor."""

from __future__ import annotations

from typing import Any

import pytest

from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition
from synctui.models import SynchronizationTaskExecutionResult as Result

from .harness import Harness, person


def _crash_at_the_checkpoint(harness: Harness) -> None:
    """Run a cycle that exports and dies before its state records what it exported."""
    record = harness.state.checkpoint

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("killed")

    harness.state.checkpoint = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="killed"):
        harness.run()
    harness.state.checkpoint = record  # type: ignore[method-assign]


def test_a_delete_of_an_object_already_gone_is_done_not_escrowed(harness: Harness) -> None:
    harness.run()
    harness.target.delete("User", harness.users()["user2@contoso.example"]["id"])  # someone deleted it there
    harness.source.delete("User", "u2")

    result = harness.run()

    assert result.execution.state == Result.Succeeded and result.escrows_outstanding == 0
    assert harness.state.load().escrows == {} and "User:u2" not in harness.state.load().entries
    entry = next(e for e in harness.state.logs() if e["sourceIdentity"]["id"] == "u2")  # the newest
    assert entry["provisioningAction"] == "delete" and entry["statusInfo"]["status"] == "success"
    assert entry["statusInfo"]["reason"] == "The User was already gone from target; its link is dropped"
    assert harness.run().execution.count_exports == 0


def test_a_delete_sent_before_a_crash_leaves_no_escrow_when_the_object_comes_back(harness: Harness) -> None:
    harness.run()
    harness.source.delete("User", "u2")
    _crash_at_the_checkpoint(harness)
    assert "user2@contoso.example" not in harness.users()  # deleted, but the state still links it
    # Restored in the source, with the id it had.
    harness.source = MemoryDirectory(
        tenant_definition(),
        {"User": [*harness.source.read_all("User"), person(2)], "Group": harness.source.read_all("Group")},
    )

    result = harness.run()

    assert result.execution.state == Result.Succeeded and harness.state.load().escrows == {}
    restored = harness.users()["user2@contoso.example"]
    assert harness.state.load().entries["User:u2"].target_id == restored["id"]
    assert harness.run().execution.count_exports == 0


def test_a_delete_sent_before_a_crash_is_done_when_sent_again(harness: Harness) -> None:
    harness.run()
    harness.source.delete("User", "u2")
    _crash_at_the_checkpoint(harness)

    result = harness.run()

    assert result.execution.state == Result.Succeeded and harness.state.load().escrows == {}
    assert "User:u2" not in harness.state.load().entries
    assert harness.run().execution.count_exports == 0


def test_a_disable_sent_before_a_crash_leaves_no_wrong_link(harness: Harness) -> None:
    harness.run()
    harness.edit_user("u2", accountEnabled=False)
    _crash_at_the_checkpoint(harness)
    disabled = harness.users()["user2@contoso.example"]
    assert disabled["accountEnabled"] is False
    harness.target.delete("User", disabled["id"])  # and then someone deleted it there

    result = harness.run()

    assert result.execution.state == Result.Succeeded and harness.state.load().escrows == {}
    assert harness.state.load().entries["User:u2"].target_id is None
    harness.edit_user("u2", accountEnabled=True)
    harness.run()
    assert harness.users()["user2@contoso.example"]["accountEnabled"] is True  # provisioned anew
    assert harness.state.load().escrows == {}
