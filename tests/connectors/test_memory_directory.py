"""The memory directory's test features: seeding, deterministic ids, the change log, faults, call counts."""

from __future__ import annotations

import pytest

from synctui.connectors.base import ConnectionFailure, Modification, ObjectError
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition

from .helpers import groups, users


@pytest.fixture
def directory() -> MemoryDirectory:
    return MemoryDirectory(tenant_definition(), {"User": users(), "Group": groups()})


# --- construction ---------------------------------------------------------------------------


def test_a_name_and_object_types_make_an_open_definition() -> None:
    directory = MemoryDirectory("App", object_types=["User", "Device"])
    definition = directory.definition()
    assert definition.name == "App"
    assert [obj.name for obj in definition.objects] == ["User", "Device"]
    assert [a.name for a in definition.object("Device").attributes] == ["id"]
    device = directory.create("Device", {"serialNumber": "SN-1", "ports": 4})
    assert directory.get("Device", device) == {"id": device, "serialNumber": "SN-1", "ports": 4}


def test_seeded_objects_keep_their_ids_given_as_id_or_as_the_anchor() -> None:
    directory = MemoryDirectory(
        tenant_definition(),
        {
            "User": [
                {"id": "u1", "objectId": "u1", "displayName": "Both"},
                {"objectId": "u2", "displayName": "Anchor only"},
                {"displayName": "Neither"},
            ]
        },
    )
    ids = [user["id"] for user in directory.read_all("User")]
    assert ids[:2] == ["u1", "u2"]
    assert directory.get("User", "u2")["objectId"] == "u2"


def test_seeding_the_same_id_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="two seeded User objects have the id 'u1'"):
        MemoryDirectory("App", {"User": [{"id": "u1"}, {"id": "u1"}]})


def test_ids_are_the_same_from_run_to_run() -> None:
    def new_ids(seed: int) -> list[str]:
        directory = MemoryDirectory("App", seed=seed)
        return [directory.create("User", {"n": n}) for n in range(3)]

    assert new_ids(1) == new_ids(1)
    assert new_ids(1) != new_ids(2)
    assert len(set(new_ids(1))) == 3


# --- faults ---------------------------------------------------------------------------------


def test_a_fault_on_create_chosen_by_a_predicate(directory: MemoryDirectory) -> None:
    conflict = ObjectError("EntryConflict", "userName taken")
    directory.fail_on("User", "create", lambda attributes: attributes.get("mailNickname") == "taken", conflict)
    with pytest.raises(ObjectError) as caught:
        directory.create("User", {"mailNickname": "taken"})
    assert caught.value is conflict
    directory.create("User", {"mailNickname": "free"})
    directory.create("Group", {"mailNickname": "taken"})  # another type
    assert len(list(directory.read_all("User"))) == 4


def test_a_fault_on_update_sees_the_stored_object(directory: MemoryDirectory) -> None:
    directory.fail_on("User", "update", lambda user: user.get("department") == "IT")
    with pytest.raises(ObjectError, match="injected failure of update on User") as caught:
        directory.update("User", "u3", Modification(replace={"jobTitle": "Admiral"}))
    assert caught.value.code == "InternalServerError"
    assert directory.get("User", "u3").get("jobTitle") is None
    directory.update("User", "u1", Modification(replace={"jobTitle": "Countess"}))


def test_a_fault_a_given_number_of_times(directory: MemoryDirectory) -> None:
    directory.fail_on("User", "delete", times=1)
    with pytest.raises(ObjectError):
        directory.delete("User", "u1")
    directory.delete("User", "u1")
    assert directory.get("User", "u1") is None


def test_whole_directory_faults_are_connection_failures_on_any_type(directory: MemoryDirectory) -> None:
    directory.fail_on(None, "read_all")
    directory.fail_on(None, "flush")
    with pytest.raises(ConnectionFailure):
        directory.read_all("Group")
    with pytest.raises(ConnectionFailure):
        directory.flush()
    directory.clear_faults()
    assert list(directory.read_all("Group"))
    directory.flush()


def test_a_fault_on_find_sees_the_query(directory: MemoryDirectory) -> None:
    directory.fail_on("User", "find", lambda query: query == {"userPrincipalName": "x"})
    with pytest.raises(ObjectError):
        directory.find("User", "userPrincipalName", "x")
    assert directory.find("User", "userPrincipalName", "y") == []


def test_fault_misuse_is_reported() -> None:
    directory = MemoryDirectory("App")
    with pytest.raises(ValueError, match="unknown operation 'upsert'"):
        directory.fail_on("User", "upsert")
    with pytest.raises(ValueError, match="flush concerns no single object"):
        directory.fail_on(None, "flush", lambda obj: True)


def test_calls_are_counted(directory: MemoryDirectory) -> None:
    directory.find("user", "mail", "x")
    directory.find("User", "mail", "y")
    directory.create("User", {})
    directory.flush()
    assert directory.calls[("find", "User")] == 2
    assert directory.calls[("create", "User")] == 1
    assert directory.calls[("flush", "")] == 1
    assert directory.calls[("update", "User")] == 0
