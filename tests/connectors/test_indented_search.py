"""Provision on demand's search of an indented file just written (no index yet, see
connectors/_document.py `_in_indented_text`): an object is taken from the text only where the
layout shows it is an item of its collection and its id is once in the file; any other text is
read whole, and the whole read decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui.connectors.base import DirectoryDataError
from synctui.connectors.document_index import DocumentIndex
from synctui.connectors.jsonfile import JsonFileDirectory


def _read(path: Path, object_type: str, object_id: str) -> tuple[dict[str, Any] | None, bool]:
    """The object as a first read of this version of the file finds it, never through an index,
    and whether it was found in the text (the document not read)."""
    DocumentIndex.remove(path)
    directory = JsonFileDirectory(path)
    found = directory.read_one(object_type, object_id)
    return found, directory._document is None


def test_an_id_is_told_from_the_longer_ids_it_starts(tmp_path: Path) -> None:
    people = [{"id": object_id, "n": number} for number, object_id in enumerate(("u12", "u1", "u123", 'u1"', "u1\\"))]
    path = tmp_path / "target.json"
    path.write_bytes(orjson.dumps({"User": people, "Group": []}, option=orjson.OPT_INDENT_2))
    for person in people:
        assert _read(path, "User", person["id"]) == (person, True)


def test_an_id_twice_is_left_to_the_whole_read(tmp_path: Path) -> None:
    people = [{"id": "u1"}, {"id": "u2"}, {"id": "u1", "displayName": "Twin"}]
    path = tmp_path / "target.json"
    path.write_bytes(orjson.dumps({"User": people}, option=orjson.OPT_INDENT_2))
    with pytest.raises(DirectoryDataError, match="is also the id of"):
        JsonFileDirectory(path).read_one("User", "u1")
    # The same id as an item of another collection, or nested deeper: searched, and found once more.
    for document in (
        {"User": [{"id": "u1"}], "Group": [{"id": "u1"}]},
        {"Group": [{"id": "u1"}], "User": [{"id": "u2"}]},
    ):
        path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        found, _ = _read(path, "User", "u1")
        assert found == JsonFileDirectory(path).get("User", "u1")


@pytest.mark.parametrize(
    "document",
    [
        # the collection closes before the object, an item of a later top-level list
        {"User": [{"id": "u2"}], "other": [{"id": "u1"}]},
        # ... or of one before the collection
        {"other": [{"id": "u1"}], "User": [{"id": "u2"}]},
    ],
)
def test_an_object_outside_its_collection_is_not_taken_for_one_of_it(tmp_path: Path, document: dict) -> None:
    path = tmp_path / "target.json"
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    assert _read(path, "User", "u1")[0] is None


def _assignment(number: int) -> dict[str, str]:
    return {"id": f"a{number}", "principalId": "u1", "principalType": "User", "resourceId": "app", "appRoleId": "r"}


@pytest.mark.parametrize(
    "document",
    [
        # Users' own appRoleAssignments (deeper, before the user found): none at the top level.
        {"users": [{"id": f"u{n}", "appRoleAssignments": ["r"]} for n in range(4)], "groups": []},
        # The top-level key before the collection, right after it, or after the next.
        {"appRoleAssignments": [_assignment(1)], "users": [{"id": f"u{n}"} for n in range(4)], "groups": []},
        {"users": [{"id": f"u{n}"} for n in range(4)], "appRoleAssignments": [_assignment(1)], "groups": []},
        {"users": [{"id": f"u{n}"} for n in range(4)], "groups": [], "appRoleAssignments": [_assignment(1)]},
    ],
)
def test_after_an_object_found_the_top_level_assignments_are_as_the_whole_read_has_them(
    tmp_path: Path, document: dict
) -> None:
    from synctui.connectors.tenant import TenantDirectory

    path = tmp_path / "directory.json"
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    expected = document.get("appRoleAssignments", [])
    for person in document["users"]:
        DocumentIndex.remove(path)
        tenant = TenantDirectory(path)
        found = tenant.read_one("User", person["id"])
        assert found is not None and found["id"] == person["id"]
        assert tenant.app_role_assignments("app") == expected
        assert tenant._document is None  # both read from the text alone
