from __future__ import annotations

from synctui.connectors.base import ObjectError
from synctui.engine import CycleOptions
from synctui.models import SynchronizationTaskExecutionResult as Result

from .harness import Harness, person


def test_initial_cycle_creates_active_users_and_groups_with_references(harness: Harness) -> None:
    result = harness.run()
    users = harness.users()
    assert sorted(users) == ["user1@contoso.example", "user2@contoso.example", "user3@contoso.example"]
    assert users["user2@contoso.example"]["manager"] == users["user1@contoso.example"]["id"]
    assert users["user1@contoso.example"]["accountEnabled"] is True
    sales = harness.groups()["Sales"]
    assert sorted(sales["members"]) == sorted(
        [users["user1@contoso.example"]["id"], users["user2@contoso.example"]["id"]]
    )
    execution = result.execution
    assert result.initial and execution.state == Result.Succeeded
    assert execution.count_imported == 5
    assert execution.count_entitled == 4  # three active users and the group; the disabled user is not entitled
    assert result.entry_counts == {"User to User": 3, "Group to Group": 1}  # keyed as Graph keys them


def test_second_cycle_with_no_changes_exports_nothing(harness: Harness) -> None:
    harness.run()
    result = harness.run()
    assert not result.initial
    assert result.execution.count_exports == 0
    assert result.execution.count_imported_deltas == 0
    assert result.steady


def test_incremental_edits_reach_the_target(harness: Harness) -> None:
    harness.run()
    harness.edit_user("u2", displayName="User Two", department="Marketing", manager="u3")
    harness.edit_user("u3", accountEnabled=False)
    harness.source.delete("User", "u1")
    from synctui.connectors.base import Modification

    harness.source.update("Group", "g1", Modification(remove={"members": ["u1"]}, add={"members": ["u3"]}))
    result = harness.run()
    users = harness.users()
    assert users["user2@contoso.example"]["displayName"] == "User Two"
    assert users["user2@contoso.example"]["department"] == "Marketing"
    assert users["user2@contoso.example"]["manager"] == users["user3@contoso.example"]["id"]
    assert users["user3@contoso.example"]["accountEnabled"] is False
    assert "user1@contoso.example" not in users
    assert result.execution.state == Result.Succeeded
    third = harness.run()
    assert third.execution.count_exports == 0


def test_matching_adopts_an_existing_target_user(harness: Harness) -> None:
    existing = harness.target.create("User", {"userPrincipalName": "USER1@contoso.example", "displayName": "Old"})
    harness.run()
    users = [u for u in harness.target.read_all("User") if u["userPrincipalName"].lower() == "user1@contoso.example"]
    assert len(users) == 1 and users[0]["id"] == existing
    assert users[0]["displayName"] == "User 1"


def _new(user: dict) -> dict:
    """A user as a new hire is added: the directory gives the id."""
    return {k: v for k, v in user.items() if k not in ("id", "objectId")}


def test_a_rehire_under_a_leavers_name_takes_the_leavers_target_over(harness: Harness) -> None:
    harness.run()
    kept = harness.users()["user2@contoso.example"]["id"]
    harness.source.delete("User", "u2")
    harness.source.create(
        "User", _new(person(9, userPrincipalName="user2@contoso.example", displayName="Rehired", manager="u3"))
    )
    result = harness.run()
    assert result.execution.state == Result.Succeeded and result.execution.count_escrowed_raw == 0
    rehired = harness.users()["user2@contoso.example"]
    assert rehired["id"] == kept and rehired["displayName"] == "Rehired"
    assert rehired["manager"] == harness.users()["user3@contoso.example"]["id"]
    assert harness.run().execution.count_exports == 0


def test_a_second_source_object_with_a_linked_objects_matching_value_is_refused(harness: Harness) -> None:
    harness.run()
    harness.source.create("User", _new(person(9, userPrincipalName="user1@contoso.example", displayName="Impostor")))
    result = harness.run()
    [escrow] = harness.state.load().escrows.values()
    assert escrow["sourceId"] != "u1" and escrow["error"]["code"] == "DuplicateSourceEntries"
    assert "linked to source object u1" in escrow["error"]["message"]
    assert result.execution.count_escrowed == 1
    assert harness.users()["user1@contoso.example"]["displayName"] == "User 1"


def test_a_failing_object_is_escrowed_and_retried(harness: Harness) -> None:
    harness.target.fail_on(
        "User",
        "create",
        lambda attrs: attrs.get("mailNickname") == "user3",
        ObjectError("EntryConflict", "conflict"),
        times=1,
    )
    first = harness.run()
    assert first.execution.state == Result.EntryLevelErrors
    assert first.execution.count_escrowed == 1
    assert "user3@contoso.example" not in harness.users()
    second = harness.run()
    assert second.execution.state == Result.Succeeded
    assert "user3@contoso.example" in harness.users()
    assert second.escrows_outstanding == 0


def test_too_many_deletes_are_staged_not_exported(harness: Harness) -> None:
    harness.options = CycleOptions(delete_threshold=1)
    harness.run()
    harness.source.delete("User", "u1")
    harness.source.delete("User", "u2")
    result = harness.run()
    assert result.staged_deletes == 2
    assert len(harness.users()) == 3
    harness.state.checkpoint(meta={**harness.state.load().meta, "forceDeletes": True})
    forced = harness.run()
    assert forced.staged_deletes == 0
    assert sorted(harness.users()) == ["user3@contoso.example"]


def test_pause_keeps_the_cursor_and_start_continues(harness: Harness) -> None:
    calls = iter([False, False, True])
    paused = harness.run(should_stop=lambda: next(calls, False))
    assert paused.paused
    created_before = len(harness.users())
    resumed = harness.run()
    assert not resumed.paused
    assert resumed.execution.activity_identifier == paused.execution.activity_identifier
    assert created_before < 3 and len(harness.users()) == 3
    assert harness.target.calls[("create", "User")] == 3  # nobody created twice


def test_out_of_scope_user_is_disabled(harness: Harness) -> None:
    harness.run()
    harness.scope_users_to_sales()
    harness.edit_user("u3", department="Legal")
    harness.run()
    assert harness.users()["user3@contoso.example"]["accountEnabled"] is False


def test_unreachable_target_fails_the_cycle_without_losing_state(harness: Harness) -> None:
    harness.target.fail_on(None, "find")
    from synctui.connectors.base import ConnectionFailure

    harness.target.clear_faults()
    harness.target.fail_on(None, "test_connection", error=ConnectionFailure("Unreachable", "down"))
    harness.target.fail_on("User", "find", error=ConnectionFailure("Unreachable", "down"))
    result = harness.run()
    assert result.execution.state == Result.Failed
    assert result.execution.error.code == "Unreachable"
    harness.target.clear_faults()
    again = harness.run()
    assert again.execution.state == Result.Succeeded
    assert len(harness.users()) == 3


def test_new_user_is_created_incrementally(harness: Harness) -> None:
    harness.run()
    harness.source.create("User", _new(person(9)))
    result = harness.run()
    assert "user9@contoso.example" in harness.users()
    assert result.execution.count_exported == 1
