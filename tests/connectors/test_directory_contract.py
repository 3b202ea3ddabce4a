"""What every writable directory does alike: memory, tenant file and JSON file target."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from synctui.connectors.base import (
    ConnectionFailure,
    Directory,
    Modification,
    ObjectError,
    ObjectNotFound,
    SharedReads,
)
from synctui.models import DirectoryDefinition

from .helpers import DirectoryFactory


def test_is_a_directory(make_directory: DirectoryFactory) -> None:
    assert isinstance(make_directory(), Directory)


# --- reading --------------------------------------------------------------------------------


def test_read_all_returns_every_object_with_its_id(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert [user["id"] for user in directory.read_all("User")] == ["u1", "u2", "u3"]
    assert [group["members"] for group in directory.read_all("Group")] == [["u1", "u2"]]


def test_object_types_are_named_case_insensitively(make_directory: DirectoryFactory) -> None:
    assert make_directory().get("user", "u1")["displayName"] == "Ada Lovelace"


def test_objects_read_are_copies(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    user = next(iter(directory.read_all("User")))
    user["displayName"] = "changed"
    user["proxyAddresses"].append("smtp:changed@contoso.example")
    directory.get("Group", "g1")["members"].clear()
    directory.find("User", "employeeId", "E1")[0]["department"] = "changed"

    again = directory.get("User", "u1")
    assert again["displayName"] == "Ada Lovelace"
    assert again["department"] == "Research"
    assert len(again["proxyAddresses"]) == 2
    assert directory.get("Group", "g1")["members"] == ["u1", "u2"]


def test_shared_reads_are_the_objects_as_kept_and_stay_as_they_were_read(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert isinstance(directory, SharedReads)
    users = directory.read_all_shared("User")
    assert users["u1"] == {key: value for key, value in directory.get("User", "u1").items() if key != "objectId"}
    assert all(user["id"] == user_id for user_id, user in users.items())
    (group,) = directory.read_all_shared("Group").values()
    directory.update(
        "User",
        "u1",
        Modification(replace={"displayName": "Changed"}, add={"proxyAddresses": ["smtp:new@contoso.example"]}),
    )
    directory.update("Group", "g1", Modification(remove={"members": ["u2"]}))
    directory.delete("User", "u2")
    assert users["u1"]["displayName"] == "Ada Lovelace"
    assert len(users["u1"]["proxyAddresses"]) == 2
    assert group["members"] == ["u1", "u2"]
    assert "u2" in users


def test_get_of_a_missing_id_is_none(make_directory: DirectoryFactory) -> None:
    assert make_directory().get("User", "nobody") is None


def test_an_unknown_object_type_is_a_connection_failure(make_directory: DirectoryFactory) -> None:
    with pytest.raises(ConnectionFailure, match="'Contact'") as caught:
        make_directory().read_all("Contact")
    assert caught.value.code == "SchemaAttributeNotFound"


# --- find -----------------------------------------------------------------------------------


def test_find_ignores_case_unless_the_attribute_is_case_exact(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert [u["id"] for u in directory.find("User", "userPrincipalName", "ADA.LOVELACE@contoso.example")] == ["u1"]
    assert [u["id"] for u in directory.find("User", "department", "RESEARCH")] == ["u1", "u2"]
    assert directory.find("User", "displayName", "émile zola")[0]["id"] == "u2"


def test_find_honours_case_exact(
    make_directory: DirectoryFactory, definition_for: Callable[[], DirectoryDefinition]
) -> None:
    definition = definition_for()
    definition.object("User").attribute("employeeId").case_exact = True
    directory = make_directory(definition)
    assert directory.find("User", "employeeId", "e1") == []
    assert [u["id"] for u in directory.find("User", "employeeId", "E1")] == ["u1"]
    assert [u["id"] for u in directory.find("User", "employeeId", "e2")] == ["u2"]


def test_find_matches_attribute_names_case_insensitively(make_directory: DirectoryFactory) -> None:
    assert [u["id"] for u in make_directory().find("User", "EmployeeID", "E3")] == ["u3"]


def test_find_looks_inside_multivalued_attributes(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert [u["id"] for u in directory.find("User", "proxyAddresses", "smtp:ada@contosopharma.example")] == ["u1"]
    assert [g["id"] for g in directory.find("Group", "members", "u2")] == ["g1"]


def test_find_by_typed_values_keeps_types_apart(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert [u["id"] for u in directory.find("User", "accountEnabled", False)] == ["u3"]
    assert directory.find("User", "accountEnabled", "False") == []
    assert directory.find("User", "accountEnabled", 0) == []


def test_find_of_nothing_finds_nothing(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert directory.find("User", "manager", None) == []
    assert directory.find("User", "favouriteColour", "blue") == []


def test_find_sees_every_write(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert directory.find("User", "department", "IT")  # the index exists from here on
    new_id = directory.create(
        "User", {"userPrincipalName": "new@contoso.example", "department": "IT", "accountEnabled": True}
    )
    directory.update("User", "u3", Modification(replace={"department": "Legal"}))
    assert [u["id"] for u in directory.find("User", "department", "it")] == [new_id]
    assert [u["id"] for u in directory.find("User", "department", "legal")] == ["u3"]

    directory.delete("User", new_id)
    assert directory.find("User", "department", "IT") == []
    directory.update("Group", "g1", Modification(add={"members": ["u3"]}, remove={"members": ["u1"]}))
    assert directory.find("Group", "members", "u1") == []
    assert [g["id"] for g in directory.find("Group", "members", "u3")] == ["g1"]


def test_find_is_not_changed_by_a_write_of_other_attributes(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    assert [u["id"] for u in directory.find("User", "department", "IT")]  # the index exists from here on
    held = [u["id"] for u in directory.find("User", "department", "IT")]
    for user_id in held:
        directory.update("User", user_id, Modification(replace={"jobTitle": "Engineer"}))
    assert [u["id"] for u in directory.find("User", "department", "it")] == held
    assert all(directory.get("User", user_id)["jobTitle"] == "Engineer" for user_id in held)


def test_find_by_the_anchor(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    anchor = directory.definition().object("User").anchor.name
    assert [u["id"] for u in directory.find("User", anchor, "u2")] == ["u2"]


# --- create ---------------------------------------------------------------------------------


def test_create_returns_a_new_id_and_stores_the_attributes(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    attributes = {
        "userPrincipalName": "new@contoso.example",
        "accountEnabled": True,
        "manager": "u1",
        "proxyAddresses": ["SMTP:new@contoso.example"],
    }
    first = directory.create("User", attributes)
    second = directory.create("User", {"userPrincipalName": "other@contoso.example"})
    attributes["proxyAddresses"].append("changed after the call")

    assert first != second and first not in {"u1", "u2", "u3"}
    created = directory.get("User", first)
    assert created["id"] == first
    assert created["manager"] == "u1"
    assert created["proxyAddresses"] == ["SMTP:new@contoso.example"]


def test_create_may_not_set_the_anchor(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    anchor = directory.definition().object("User").anchor.name
    with pytest.raises(ObjectError, match="anchor") as caught:
        directory.create("User", {anchor: "mine", "userPrincipalName": "x@contoso.example"})
    assert caught.value.retryable is False
    assert len(list(directory.read_all("User"))) == 3


@pytest.mark.parametrize(
    ("attribute", "value", "expected"),
    [
        ("accountEnabled", "True", "it must be true, false or null"),
        ("manager", 7, "it must be the id of a user (a string) or null"),
        ("proxyAddresses", "SMTP:x@contoso.example", "it must be a list of strings or null"),
        ("displayName", ["a", "b"], "it must be a string or null"),
        ("favouriteColour", {"nested": "object"}, "a list of those, or null"),
    ],
)
def test_create_rejects_a_value_of_the_wrong_type(
    make_directory: DirectoryFactory, attribute: str, value: object, expected: str
) -> None:
    directory = make_directory()
    with pytest.raises(ObjectError, match=re.escape(expected)) as caught:
        directory.create("User", {"userPrincipalName": "x@contoso.example", attribute: value})
    assert caught.value.code == "UnprocessableEntity"
    assert len(list(directory.read_all("User"))) == 3


def test_attributes_the_definition_does_not_name_are_kept(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    new_id = directory.create("User", {"userPrincipalName": "x@contoso.example", "favouriteColour": "blue"})
    directory.update("User", new_id, Modification(add={"nicknames": ["Ex"]}))
    assert directory.get("User", new_id)["favouriteColour"] == "blue"
    assert directory.get("User", new_id)["nicknames"] == ["Ex"]


# --- update ---------------------------------------------------------------------------------


def test_update_replaces_and_clears(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    directory.update("User", "u2", Modification(replace={"displayName": "Emile Zola", "manager": None}))
    user = directory.get("User", "u2")
    assert user["displayName"] == "Emile Zola"
    assert user["manager"] is None


def test_update_adds_and_removes_members(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    directory.update("Group", "g1", Modification(add={"members": ["u3", "u1"]}))
    assert directory.get("Group", "g1")["members"] == ["u1", "u2", "u3"]  # no duplicate u1
    directory.update("Group", "g1", Modification(remove={"members": ["u1", "not-a-member"]}))
    assert directory.get("Group", "g1")["members"] == ["u2", "u3"]


def test_adding_to_an_attribute_without_values_starts_a_list(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    directory.update("User", "u2", Modification(add={"proxyAddresses": ["SMTP:emile@contoso.example"]}))
    assert directory.get("User", "u2")["proxyAddresses"] == ["SMTP:emile@contoso.example"]
    directory.update("User", "u3", Modification(remove={"proxyAddresses": ["SMTP:none@contoso.example"]}))
    assert directory.get("User", "u3").get("proxyAddresses") is None


def test_a_rejected_update_changes_nothing(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    with pytest.raises(ObjectError, match="single-valued"):
        directory.update("User", "u1", Modification(replace={"displayName": "Changed"}, add={"department": ["x"]}))
    with pytest.raises(ObjectError, match="true, false"):
        directory.update("User", "u1", Modification(replace={"displayName": "Changed", "accountEnabled": "no"}))
    assert directory.get("User", "u1")["displayName"] == "Ada Lovelace"


def test_update_and_delete_of_a_missing_object_are_invalid_anchors(make_directory: DirectoryFactory) -> None:
    # ObjectNotFound, not any ObjectError: the engine takes a delete of what is gone as done.
    directory = make_directory()
    with pytest.raises(ObjectNotFound) as caught:
        directory.update("User", "gone", Modification(replace={"displayName": "x"}))
    assert caught.value.code == "InvalidAnchor"
    with pytest.raises(ObjectNotFound) as caught:
        directory.delete("Group", "gone")
    assert caught.value.code == "InvalidAnchor"


# --- delete ---------------------------------------------------------------------------------


def test_delete_removes_the_object(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    directory.delete("User", "u3")
    assert directory.get("User", "u3") is None
    assert [u["id"] for u in directory.read_all("User")] == ["u1", "u2"]
    with pytest.raises(ObjectError, match="does not exist"):
        directory.delete("User", "u3")


def test_writing_while_reading_all_is_allowed(make_directory: DirectoryFactory) -> None:
    directory = make_directory()
    seen = []
    for user in directory.read_all("User"):
        seen.append(user["id"])
        if user["id"] == "u1":
            directory.delete("User", "u2")
            directory.create("User", {"userPrincipalName": "late@contoso.example"})
    assert seen == ["u1", "u3"]
