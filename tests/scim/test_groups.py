"""Groups: created empty, members added and removed in batches, renamed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from synctui.connectors.base import Modification, ObjectError
from synctui.connectors.scim import ScimDirectory

from ._server import sent


@pytest.fixture
def users(directory: ScimDirectory) -> list[str]:
    return [directory.create("User", {"userName": f"member{n}"}) for n in range(5)]


def members_of(directory: ScimDirectory, group_id: str) -> set[str]:
    (group,) = [g for g in directory.read_all("Group") if g["id"] == group_id]
    return set(group.get("members", []))


def test_a_group_is_created_as_given_and_read_without_members(directory: ScimDirectory, traces: list) -> None:
    group_id = directory.create("Group", {"displayName": "Engineering", "externalId": "g-eng"})

    assert sent(traces, "POST") == [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineering",
            "externalId": "g-eng",
            "meta": {"resourceType": "Group"},
        }
    ]
    assert directory.get("Group", group_id) == {"id": group_id, "displayName": "Engineering", "externalId": "g-eng"}
    assert traces[-1]["path"] == f"/Groups/{group_id}?excludedAttributes=members"
    assert [g["id"] for g in directory.find("Group", "displayName", "Engineering")] == [group_id]
    assert traces[-1]["path"] == '/Groups?excludedAttributes=members&filter=displayName eq "Engineering"'


def test_members_are_added_and_removed_in_batches(
    connect: Callable[..., ScimDirectory], users: list[str], traces: list
) -> None:
    directory = connect(manager_shape="object", member_batch_size=2)
    group_id = directory.create("Group", {"displayName": "Engineering"})
    traces.clear()

    directory.update("Group", group_id, Modification(add={"members": users}))
    directory.update("Group", group_id, Modification(remove={"members": users[:3]}))

    assert [body["Operations"] for body in sent(traces, "PATCH")] == [
        [{"op": "add", "path": "members", "value": [{"value": users[0]}, {"value": users[1]}]}],
        [{"op": "add", "path": "members", "value": [{"value": users[2]}, {"value": users[3]}]}],
        [{"op": "add", "path": "members", "value": [{"value": users[4]}]}],
        [
            {"op": "remove", "path": f'members[value eq "{users[0]}"]'},
            {"op": "remove", "path": f'members[value eq "{users[1]}"]'},
        ],
        [{"op": "remove", "path": f'members[value eq "{users[2]}"]'}],
    ]
    assert {t["status"] for t in traces} == {204}
    assert members_of(directory, group_id) == set(users[3:])


def test_rename_and_membership_change_in_one_update(directory: ScimDirectory, users: list[str], traces: list) -> None:
    group_id = directory.create("Group", {"displayName": "Eng"})
    traces.clear()

    change = Modification(replace={"displayName": "Engineering"}, add={"members": users[:1]})
    directory.update("Group", group_id, change)

    assert [body["Operations"] for body in sent(traces, "PATCH")] == [
        [{"op": "replace", "value": {"displayName": "Engineering"}}],
        [{"op": "add", "path": "members", "value": [{"value": users[0]}]}],
    ]
    assert directory.get("Group", group_id)["displayName"] == "Engineering"
    assert members_of(directory, group_id) == {users[0]}


def test_legacy_rename_and_add(connect: Callable[..., ScimDirectory], users: list[str], traces: list) -> None:
    legacy = connect(request_style="legacy")
    group_id = legacy.create("Group", {"displayName": "Eng"})
    traces.clear()

    legacy.update("Group", group_id, Modification(replace={"displayName": "Engineering"}, add={"members": users[:2]}))

    assert [body["Operations"] for body in sent(traces, "PATCH")] == [
        [{"op": "Replace", "path": "displayName", "value": "Engineering"}],
        [{"op": "Add", "path": "members", "value": [{"value": users[0]}, {"value": users[1]}]}],
    ]
    assert members_of(legacy, group_id) == set(users[:2])


def test_legacy_member_removal_is_refused_by_scim2_server(
    connect: Callable[..., ScimDirectory], users: list[str], traces: list
) -> None:
    # Entra's legacy removal carries a `value` list; scim2-server only accepts a filtered path.
    legacy = connect(request_style="legacy")
    group_id = legacy.create("Group", {"displayName": "Eng"})
    legacy.update("Group", group_id, Modification(add={"members": users[:2]}))
    traces.clear()

    with pytest.raises(ObjectError) as error:
        legacy.update("Group", group_id, Modification(remove={"members": users[:2]}))

    assert sent(traces, "PATCH")[0]["Operations"] == [
        {"op": "Remove", "path": "members", "value": [{"value": users[0]}, {"value": users[1]}]}
    ]
    assert error.value.code == "InvalidValue"
    assert '"a remove operation carries no value, a filter in the path selects what to remove"' in error.value.message
    assert members_of(legacy, group_id) == set(users[:2])


def test_delete_a_group(directory: ScimDirectory) -> None:
    group_id = directory.create("Group", {"displayName": "Temp"})

    directory.delete("Group", group_id)

    assert directory.get("Group", group_id) is None
