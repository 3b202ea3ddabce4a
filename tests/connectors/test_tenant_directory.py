"""The tenant file: its definition, its round trips through the file, and malformed files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from synctui.connectors import _document
from synctui.connectors.base import ConnectionFailure, Modification, SourceDataError
from synctui.connectors.tenant import TenantDirectory, tenant_definition
from synctui.models import AttributeType

from .helpers import REPOSITORY, groups, read_json, users, write_json


@pytest.fixture
def tenant_file(tmp_path: Path) -> Path:
    path = tmp_path / "tenant" / "directory.json"
    write_json(path, {"users": users(), "groups": groups()})
    return path


# --- definition -----------------------------------------------------------------------------


def test_definition_describes_entra() -> None:
    definition = tenant_definition()
    assert definition.name == "Azure Active Directory"
    assert definition.read_only is False
    user, group = definition.object("User"), definition.object("Group")
    assert user.anchor.name == group.anchor.name == "objectId"
    assert [a.name for a in user.attributes] == [
        "objectId",
        "userPrincipalName",
        "displayName",
        "givenName",
        "surname",
        "mail",
        "mailNickname",
        "department",
        "jobTitle",
        "employeeId",
        "accountEnabled",
        "manager",
        "preferredLanguage",
        "physicalDeliveryOfficeName",
        "streetAddress",
        "city",
        "state",
        "postalCode",
        "country",
        "telephoneNumber",
        "mobile",
        "facsimileTelephoneNumber",
        "companyName",
        "employeeType",
        "userType",
        "proxyAddresses",
        "appRoleAssignments",
        "IsSoftDeleted",
    ]
    assert user.attribute("accountEnabled").type is AttributeType.Boolean
    assert user.attribute("IsSoftDeleted").type is AttributeType.Boolean
    manager = user.attribute("manager")
    assert manager.type is AttributeType.Reference
    assert manager.referenced_objects[0].referenced_object_name == "User"
    assert user.attribute("proxyAddresses").multivalued and user.attribute("appRoleAssignments").multivalued
    assert {entry.key: entry.value for entry in user.metadata} == {
        "IsSoftDeletionSupported": "true",
        "PropertyNameAccountEnabled": "accountEnabled",
        "PropertyNameSoftDeleted": "IsSoftDeleted",
    }
    assert [a.name for a in group.attributes] == [
        "objectId",
        "displayName",
        "mailNickname",
        "description",
        "members",
        "mail",
        "securityEnabled",
    ]
    members = group.attribute("members")
    assert members.multivalued and members.type is AttributeType.Reference
    assert members.referenced_objects[0].referenced_object_name == "User"
    assert group.attribute("securityEnabled").type is AttributeType.Boolean


def test_definition_dumps_as_graph_json() -> None:
    graph = tenant_definition().to_graph()
    anchor = graph["objects"][0]["attributes"][0]
    assert anchor == {
        "name": "objectId",
        "type": "String",
        "anchor": True,
        "caseExact": False,
        "defaultValue": None,
        "flowNullValues": False,
        "multivalued": False,
        "mutability": "ReadWrite",
        "required": False,
        "referencedObjects": [],
        "metadata": [],
        "apiExpressions": [],
    }


# --- reading --------------------------------------------------------------------------------


def test_objects_carry_their_id_as_object_id(tenant_file: Path) -> None:
    user = TenantDirectory(tenant_file).get("User", "u2")
    assert user["id"] == user["objectId"] == "u2"


def test_the_sample_tenant_loads() -> None:
    directory = TenantDirectory(REPOSITORY / "sample_data" / "directory.json")
    directory_users = list(directory.read_all("User"))
    assert len(directory_users) == 300
    assert len(list(directory.read_all("Group"))) == 17


def test_the_file_is_read_once(tenant_file: Path) -> None:
    directory = TenantDirectory(tenant_file)
    directory.get("User", "u1")
    tenant_file.unlink()
    assert directory.get("User", "u1") is not None
    assert len(list(directory.read_all("Group"))) == 1


def test_test_connection(tenant_file: Path, tmp_path: Path) -> None:
    TenantDirectory(tenant_file).test_connection()
    with pytest.raises(ConnectionFailure, match="no such file"):
        TenantDirectory(tmp_path / "missing.json").test_connection()


# --- writing --------------------------------------------------------------------------------


def test_changes_round_trip_through_the_file(tenant_file: Path) -> None:
    directory = TenantDirectory(tenant_file)
    new_id = directory.create(
        "User", {"userPrincipalName": "new@contoso.example", "accountEnabled": True, "manager": "u1"}
    )
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}))
    directory.update("Group", "g1", Modification(add={"members": [new_id]}, remove={"members": ["u1"]}))
    directory.delete("User", "u3")
    directory.flush()

    reread = TenantDirectory(tenant_file)
    assert [u["id"] for u in reread.read_all("User")] == ["u1", "u2", new_id]
    assert reread.get("User", "u2")["jobTitle"] == "Novelist"
    assert reread.get("User", new_id)["manager"] == "u1"
    assert reread.get("Group", "g1")["members"] == ["u2", new_id]
    assert "objectId" not in read_json(tenant_file)["users"][0]  # the alias is not written


def test_new_ids_are_guids(tenant_file: Path) -> None:
    new_id = TenantDirectory(tenant_file).create("User", {"userPrincipalName": "x@contoso.example"})
    assert len(new_id) == 36 and new_id.count("-") == 4


def test_unknown_properties_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    first = {
        **users()[0],
        "onPremisesExtensionAttributes": {"extensionAttribute1": "blue"},
        "identities": [{"signInType": "userPrincipalName"}],
    }
    write_json(path, {"@odata.context": "local", "users": [first], "groups": [], "contacts": [{"id": "c1"}]})
    directory = TenantDirectory(path)
    assert directory.get("User", "u1")["onPremisesExtensionAttributes"] == {"extensionAttribute1": "blue"}
    directory.update("User", "u1", Modification(replace={"jobTitle": "Countess"}))
    directory.flush()

    document = read_json(path)
    assert document["@odata.context"] == "local"
    assert document["contacts"] == [{"id": "c1"}]
    assert document["users"][0]["identities"] == [{"signInType": "userPrincipalName"}]
    assert document["users"][0]["onPremisesExtensionAttributes"] == {"extensionAttribute1": "blue"}
    assert document["users"][0]["jobTitle"] == "Countess"


def test_a_missing_collection_is_empty_and_written_on_flush(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    write_json(path, {"users": users()})
    directory = TenantDirectory(path)
    assert list(directory.read_all("Group")) == []
    directory.create("Group", {"displayName": "New"})
    directory.flush()
    assert [g["displayName"] for g in read_json(path)["groups"]] == ["New"]


def test_the_file_changes_only_on_flush(tenant_file: Path) -> None:
    before = tenant_file.read_bytes()
    directory = TenantDirectory(tenant_file)
    directory.create("User", {"userPrincipalName": "x@contoso.example"})
    directory.delete("User", "u1")
    assert tenant_file.read_bytes() == before
    directory.flush()
    assert tenant_file.read_bytes() != before


def test_flush_without_changes_writes_nothing(tenant_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[Path] = []
    monkeypatch.setattr(_document, "atomic_write", lambda path, data: writes.append(path))
    directory = TenantDirectory(tenant_file)
    list(directory.read_all("User"))
    directory.flush()
    assert writes == []


def test_many_writes_cost_one_file_write(tenant_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[bytes] = []
    monkeypatch.setattr(_document, "atomic_write", lambda path, data: writes.append(data))
    directory = TenantDirectory(tenant_file)
    for number in range(2000):
        directory.create("User", {"userPrincipalName": f"user{number}@contoso.example", "accountEnabled": True})
    directory.flush()
    directory.flush()
    assert len(writes) == 1


def test_a_failed_flush_keeps_the_old_file_and_the_changes(tenant_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tenant_file.read_bytes()
    directory = TenantDirectory(tenant_file)
    directory.update("User", "u1", Modification(replace={"jobTitle": "Countess"}))

    def disk_full(source: Any, destination: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)  # inside atomic_write, after the temp file is written
    with pytest.raises(ConnectionFailure, match="No space left on device") as caught:
        directory.flush()
    assert caught.value.code == "FileNotWritable"
    assert tenant_file.read_bytes() == before
    assert sorted(p.name for p in tenant_file.parent.iterdir()) == ["directory.json"]  # no temp file left

    monkeypatch.undo()
    directory.flush()
    assert TenantDirectory(tenant_file).get("User", "u1")["jobTitle"] == "Countess"


def test_the_written_file_is_readable_by_its_owner_only(tenant_file: Path) -> None:
    directory = TenantDirectory(tenant_file)
    directory.delete("User", "u3")
    directory.flush()
    assert tenant_file.stat().st_mode & 0o777 == 0o600


# --- malformed files ------------------------------------------------------------------------


def _user(**changes: Any) -> dict[str, Any]:
    return {**users()[0], **changes}


MALFORMED = [
    pytest.param(b'{"users": [', "line 1, column 12: not valid JSON", id="truncated JSON"),
    pytest.param(b"", "line 1, column 1: not valid JSON", id="empty file"),
    pytest.param([], 'the top level must be an object like {"users": [...], "groups": [...]}', id="top-level list"),
    pytest.param({"users": {"u1": {}}}, '"users" must be a list of objects, not an object', id="users not a list"),
    pytest.param(
        {"users": [_user(), "u2"]}, 'users[1]: must be an object with an "id", not a string', id="user not an object"
    ),
    pytest.param(
        {"users": [_user(), _user(id=None)]},
        'users[1]: "id" is missing; every user needs a unique "id" (a non-empty string)',
        id="missing id",
    ),
    pytest.param({"users": [{"displayName": "x"}]}, 'users[0]: "id" is missing', id="no id key"),
    pytest.param({"users": [_user(id=42)]}, 'users[0]: "id" is 42; every user needs a unique "id"', id="numeric id"),
    pytest.param({"users": [_user(id="")]}, 'users[0]: "id" is ""', id="empty id"),
    pytest.param(
        {"users": [_user(), _user(id="u2"), _user()]},
        'users[2]: "id" "u1" is also the id of users[0]; every user needs a unique "id"',
        id="duplicate id",
    ),
    pytest.param(
        {"users": [_user(), _user(id="u2", manager=42)]},
        'users[1]: "manager" is 42; it must be the id of a user (a string) or null',
        id="numeric manager",
    ),
    pytest.param(
        {"users": [_user(accountEnabled="yes")]},
        'users[0]: "accountEnabled" is "yes"; it must be true, false or null',
        id="string boolean",
    ),
    pytest.param(
        {"users": [_user(proxyAddresses="SMTP:a@b")]},
        'users[0]: "proxyAddresses" is "SMTP:a@b"; it must be a list of strings or null',
        id="string list",
    ),
    pytest.param(
        {"users": [_user(employeeId=1001)]},
        'users[0]: "employeeId" is 1001; it must be a string or null',
        id="numeric string",
    ),
    pytest.param(
        {"users": [_user()], "groups": [{"id": "g1", "members": ["u1", 2]}]},
        'groups[0]: "members" is ["u1",2]; it must be a list of user ids (strings) or null',
        id="bad member",
    ),
    pytest.param(
        {"users": [_user()], "groups": [{"id": "g1", "members": "u1"}]},
        'groups[0]: "members" is "u1"',
        id="members not a list",
    ),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_a_malformed_file_is_a_source_data_error(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "tenant" / "directory.json"
    if isinstance(content, bytes):
        path.parent.mkdir()
        path.write_bytes(content)
    else:
        write_json(path, content)
    with pytest.raises(SourceDataError) as caught:
        list(TenantDirectory(path).read_all("User"))
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text
    assert caught.value.code == "SourceDataInvalid"


def test_every_read_reports_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_text("not json")
    directory = TenantDirectory(path)
    for read in (
        lambda: directory.read_all("User"),
        lambda: directory.get("User", "u1"),
        lambda: directory.find("User", "mail", "x"),
        lambda: directory.create("User", {}),
    ):
        with pytest.raises(SourceDataError):
            read()


def test_a_missing_file_is_a_source_data_error(tmp_path: Path) -> None:
    path = tmp_path / "tenant" / "directory.json"
    with pytest.raises(SourceDataError) as caught:
        TenantDirectory(path).read_all("User")
    assert str(caught.value) == (f'{path}: no such file; expected a JSON file like {{"users": [...], "groups": [...]}}')


def test_an_unreadable_file_is_a_connection_failure(tmp_path: Path) -> None:
    folder = tmp_path / "directory.json"
    folder.mkdir()  # a folder where the file should be: reading it fails as permissions would
    with pytest.raises(ConnectionFailure, match="cannot be read"):
        TenantDirectory(folder).read_all("User")
    with pytest.raises(ConnectionFailure, match="cannot be read"):
        TenantDirectory(folder).test_connection()


def _assignment(n: int, resource: str = "app") -> dict:
    return {"id": f"a{n}", "principalId": f"u{n}", "principalType": "User", "resourceId": resource, "appRoleId": "r"}


def test_assignments_are_read_from_the_text_alone_and_written_back(tmp_path) -> None:
    import orjson

    from synctui.connectors.tenant import TenantDirectory

    path = tmp_path / "directory.json"
    document = {"users": [{"id": "u1", "displayName": "One"}], "groups": [], "appRoleAssignments": [_assignment(1)]}
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    tenant = TenantDirectory(path)
    assert tenant.app_role_assignments("app") == [_assignment(1)]
    assert tenant.app_role_assignments("another") == []
    assert tenant._document is None  # found in the text: the document was not read
    tenant.add_app_role_assignment(_assignment(2))
    tenant.flush()
    assert TenantDirectory(path).app_role_assignments("app") == [_assignment(1), _assignment(2)]
    assert orjson.loads(path.read_bytes())["users"] == document["users"]
    tenant = TenantDirectory(path)
    assert tenant.remove_app_role_assignment("a1") == _assignment(1)
    assert tenant.remove_app_role_assignment("a1") is None
    tenant.flush()
    assert TenantDirectory(path).app_role_assignments("app") == [_assignment(2)]


@pytest.mark.parametrize(
    "text",
    [
        b'{"users": [], "groups": [], "appRoleAssignments": [{"id": "a1", "principalId": "u1", '
        b'"principalType": "User", "resourceId": "app", "appRoleId": "r"}]}',  # written by hand, on one line
        b'{\n  "users": [],\n  "appRoleAssignments": [\n    {"id": "a1", "principalId": "u1", "principalType": "User",'
        b' "resourceId": "app", "appRoleId": "r"}\n  ]\n}\n',
    ],
)
def test_assignments_in_any_layout(tmp_path, text: bytes) -> None:
    from synctui.connectors.tenant import TenantDirectory

    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert TenantDirectory(path).app_role_assignments("app") == [_assignment(1)]


def test_a_compact_file_without_assignments_says_so_from_its_text(tmp_path) -> None:
    import orjson

    from synctui.connectors.tenant import TenantDirectory

    path = tmp_path / "directory.json"
    # A user's own appRoleAssignments is no top-level key: the text cannot tell, the document is read.
    for people, read in (([{"id": "u1"}], False), ([{"id": "u1", "appRoleAssignments": ["r"]}], True)):
        path.write_bytes(orjson.dumps({"users": people, "groups": []}))
        tenant = TenantDirectory(path)
        assert tenant.app_role_assignments("app") == []
        assert (tenant._document is not None) is read


def test_an_indented_file_tells_its_assignments_from_its_text(tmp_path) -> None:
    import orjson

    from synctui.connectors.tenant import TenantDirectory

    path = tmp_path / "directory.json"
    # Users' own appRoleAssignments are deeper: none at the top level is none, without reading the document.
    people = [{"id": f"u{n}", "appRoleAssignments": ["r"]} for n in range(3)]
    path.write_bytes(orjson.dumps({"users": people, "groups": []}, option=orjson.OPT_INDENT_2))
    tenant = TenantDirectory(path)
    assert tenant.app_role_assignments("app") == []
    assert tenant._document is None
    # Ahead of the collections, between them or after: the one there is found, the document not read.
    for document in (
        {"appRoleAssignments": [_assignment(1)], "users": people, "groups": []},
        {"users": people, "appRoleAssignments": [_assignment(1)], "groups": []},
        {"users": people, "groups": [], "appRoleAssignments": [_assignment(1)]},
    ):
        path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        tenant = TenantDirectory(path)
        assert tenant.app_role_assignments("app") == [_assignment(1)]
        assert tenant._document is None
    # Twice (by hand): the text cannot tell which counts, the document is read and decides.
    text = orjson.dumps(
        {"users": people, "groups": [], "appRoleAssignments": [_assignment(1)]}, option=orjson.OPT_INDENT_2
    )
    path.write_bytes(text[:-2] + b',\n  "appRoleAssignments": [\n    ' + orjson.dumps(_assignment(2)) + b"\n  ]\n}")
    tenant = TenantDirectory(path)
    assert tenant.app_role_assignments("app") == [_assignment(2)]
    assert tenant._document is not None


@pytest.mark.parametrize(
    ("assignments", "problem"),
    [
        ({"a": 1}, '"appRoleAssignments" must be a list'),
        ([{"id": "a1", "principalId": "u1", "principalType": "User", "resourceId": "app"}], "appRoleId missing"),
        ([{**_assignment(1), "principalType": "Device"}], "must be .User. or .Group., not 'Device'"),
    ],
)
def test_bad_assignments_are_named(tmp_path, assignments, problem: str) -> None:
    import json

    from synctui.connectors.base import SourceDataError
    from synctui.connectors.tenant import TenantDirectory

    path = tmp_path / "directory.json"
    path.write_text(json.dumps({"users": [], "groups": [], "appRoleAssignments": assignments}, indent=2))
    with pytest.raises(SourceDataError, match=problem):
        TenantDirectory(path).app_role_assignments("app")
