"""The JSON file target: its definition, a file that does not exist yet, and where it may be written."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctui.connectors.base import ConnectionFailure, Modification, TargetDataError
from synctui.connectors.jsonfile import JsonFileDirectory, jsonfile_definition
from synctui.models import AttributeType, Mutability

from .helpers import read_json, write_json


def test_definition_describes_the_json_file() -> None:
    definition = jsonfile_definition()
    assert definition.name == "JSON file"
    assert definition.read_only is False
    user, group = definition.object("User"), definition.object("Group")
    assert user.anchor.name == group.anchor.name == "id"
    assert user.anchor.case_exact and user.anchor.mutability is Mutability.Immutable
    assert [a.name for a in user.attributes] == [
        "id",
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
    ]
    assert user.attribute("accountEnabled").type is AttributeType.Boolean
    assert user.attribute("manager").referenced_objects[0].referenced_object_name == "User"
    assert {entry.key: entry.value for entry in user.metadata} == {
        "IsSoftDeletionSupported": "true",
        "PropertyNameAccountEnabled": "accountEnabled",
    }
    assert [a.name for a in group.attributes] == ["id", "displayName", "mailNickname", "description", "members"]
    assert group.attribute("members").multivalued


def test_a_missing_file_is_an_empty_directory_created_on_the_first_flush(tmp_path: Path) -> None:
    path = tmp_path / "out" / "apps" / "target.json"
    directory = JsonFileDirectory(path)
    directory.test_connection()
    assert list(directory.read_all("User")) == []
    directory.flush()
    assert not path.exists()  # nothing to write yet

    user_id = directory.create("User", {"userPrincipalName": "ada@contoso.example", "accountEnabled": True})
    group_id = directory.create("Group", {"displayName": "Research", "members": [user_id]})
    assert not path.exists()
    directory.flush()

    assert read_json(path) == {
        "User": [{"id": user_id, "userPrincipalName": "ada@contoso.example", "accountEnabled": True}],
        "Group": [{"id": group_id, "displayName": "Research", "members": [user_id]}],
    }
    assert len(user_id) == 32 and int(user_id, 16) >= 0  # uuid4 hex


def test_the_written_file_is_indented_for_people_to_read(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory = JsonFileDirectory(path)
    directory.create("User", {"displayName": "Ada"})
    directory.flush()
    assert path.read_text().startswith('{\n  "User": [\n    {\n')


def test_any_attribute_name_can_be_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory = JsonFileDirectory(path)
    user_id = directory.create("User", {"userName": "ada", 'emails[type eq "work"].value': "ada@contoso.example"})
    directory.update("User", user_id, Modification(replace={"active": False}, add={"roles": ["admin"]}))
    directory.flush()
    assert JsonFileDirectory(path).get("User", user_id) == {
        "id": user_id,
        "userName": "ada",
        'emails[type eq "work"].value': "ada@contoso.example",
        "active": False,
        "roles": ["admin"],
    }


def test_the_object_types_are_those_of_the_definition(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    write_json(path, {"User": [], "Device": [{"id": "d1"}]})
    definition = jsonfile_definition()
    definition.objects = [definition.object("User")]
    directory = JsonFileDirectory(path, definition)
    with pytest.raises(ConnectionFailure, match="'Group'"):
        directory.read_all("Group")
    directory.create("User", {"displayName": "Ada"})
    directory.flush()
    assert read_json(path)["Device"] == [{"id": "d1"}]  # kept as it was


def test_a_malformed_file_is_the_targets_data_error(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    write_json(path, {"User": [{"id": "a"}, {"id": "a"}]})
    with pytest.raises(TargetDataError, match=r'User\[1\]: "id" "a" is also the id of User\[0\]') as raised:
        JsonFileDirectory(path).read_all("User")
    assert raised.value.code == "TargetDataInvalid"  # the file is the target's, not the source's
    write_json(path, ["User"])
    with pytest.raises(TargetDataError, match=r'like \{"User": \[...\], "Group": \[...\]\}'):
        JsonFileDirectory(path).read_all("User")


def test_a_folder_that_cannot_be_created_is_a_connection_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    directory = JsonFileDirectory(blocker / "target.json")
    with pytest.raises(ConnectionFailure, match="is not a folder"):
        directory.test_connection()
    directory.create("User", {"displayName": "Ada"})
    with pytest.raises(ConnectionFailure, match="its folder cannot be created") as caught:
        directory.flush()
    assert caught.value.code == "FileNotWritable"


def test_a_folder_without_write_permission_is_a_connection_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != folder)  # tests may run as root
    with pytest.raises(ConnectionFailure, match=f"the folder {folder} is not writable"):
        JsonFileDirectory(folder / "deeper" / "target.json").test_connection()
