"""Objects written through a directory are kept as their text (see `ObjectTable`): read back,
modified, found, and written whole, they are what they would be as dicts, byte for byte."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from synctui.connectors._objects import LAID_OUT_AT_ONCE, ObjectTable, laid_out
from synctui.connectors.base import Modification
from synctui.connectors.jsonfile import JsonFileDirectory, jsonfile_definition

USER = jsonfile_definition().objects[0]


def _table_with_both() -> ObjectTable:
    """Two objects as read from a file (dicts), then one written through the table (text)."""
    table = ObjectTable(
        USER,
        {
            "a": {"id": "a", "displayName": "Ada", "otherMails": ["ada@x.example"]},
            "b": {"id": "b", "displayName": "Bob ✓", "accountEnabled": False},
        },
    )
    table.insert("c", {"displayName": "Cy", "otherMails": ["cy@x.example", "c@x.example"], "extra": [1.5, None]})
    return table


def test_objects_written_are_kept_as_the_text_the_file_holds_and_read_back_as_written() -> None:
    table = _table_with_both()
    assert type(table._objects["c"]) is bytes  # the object itself is not kept
    written = {"id": "c", "displayName": "Cy", "otherMails": ["cy@x.example", "c@x.example"], "extra": [1.5, None]}
    assert table.get("c") == written
    assert table.shared()["c"] == written
    assert [obj["id"] for obj in table.iter_copies()] == ["a", "b", "c"]
    # What a reader gets is its own: changing it changes nothing stored.
    table.get("c")["otherMails"].append("changed")  # type: ignore[index]
    assert table.get("c") == written


def test_a_modified_object_is_kept_as_text_and_found_by_its_new_values() -> None:
    table = _table_with_both()
    assert [obj["id"] for obj in table.find("displayName", "cy")] == ["c"]
    table.modify("c", Modification(replace={"displayName": "Cyrus"}, add={"otherMails": ["z@x.example"]}))
    table.modify("a", Modification(replace={"displayName": "Ada L."}, remove={"otherMails": ["ada@x.example"]}))
    assert type(table._objects["a"]) is bytes
    assert table.get("c")["otherMails"] == ["cy@x.example", "c@x.example", "z@x.example"]  # type: ignore[index]
    assert table.get("a") == {"id": "a", "displayName": "Ada L.", "otherMails": []}
    assert table.find("displayName", "cy") == []
    assert [obj["id"] for obj in table.find("displayName", "CYRUS")] == ["c"]
    assert [obj["id"] for obj in table.find("displayName", "ada l.")] == ["a"]


def test_an_index_built_after_objects_were_written_reads_their_text() -> None:
    table = _table_with_both()
    table.insert("d", {"displayName": "Cy"})
    assert sorted(obj["id"] for obj in table.find("displayName", "cy")) == ["c", "d"]
    table.remove("c")
    assert [obj["id"] for obj in table.find("displayName", "cy")] == ["d"]
    assert table.get("c") is None


def test_the_file_written_is_orjsons_indented_document_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    # A file as another writer left it: a key the directory does not know, before and after.
    path.write_bytes(
        orjson.dumps(
            {
                "note": {"kept": [1, 2]},
                "User": [{"id": f"u{n}", "displayName": f"User {n}"} for n in range(LAID_OUT_AT_ONCE + 5)],
                "Group": [],
                "last": "x",
            }
        )
    )
    directory = JsonFileDirectory(path)
    # Objects as read (dicts) and written (text) mixed, across more than one piece of the write.
    directory.update("User", "u3", Modification(replace={"jobTitle": "Engineer"}))
    directory.update("User", f"u{LAID_OUT_AT_ONCE + 1}", Modification(replace={"department": "R&D ✓"}))
    new_id = directory.create("User", {"displayName": "New", "otherMails": ["n@x.example"]})
    directory.delete("User", "u0")
    directory.flush()
    expected = orjson.loads(path.read_bytes())
    assert path.read_bytes() == orjson.dumps(expected, option=orjson.OPT_INDENT_2) + b"\n"
    assert list(expected) == ["note", "User", "Group", "last"]
    assert expected["note"] == {"kept": [1, 2]} and expected["Group"] == []
    users = expected["User"]
    assert [user["id"] for user in users] == [f"u{n}" for n in range(1, LAID_OUT_AT_ONCE + 5)] + [new_id]
    assert users[2] == {"id": "u3", "displayName": "User 3", "jobTitle": "Engineer"}
    # A second flush after more changes writes the same way (the document keeps only its other keys).
    directory.create("Group", {"displayName": "G"})
    directory.flush()
    again = orjson.loads(path.read_bytes())
    assert path.read_bytes() == orjson.dumps(again, option=orjson.OPT_INDENT_2) + b"\n"
    assert again["note"] == {"kept": [1, 2]} and again["User"] == users and len(again["Group"]) == 1
    assert JsonFileDirectory(path).get("User", new_id) == {
        "id": new_id,
        "displayName": "New",
        "otherMails": ["n@x.example"],
    }


def test_a_new_file_holds_every_collection_even_when_empty(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory = JsonFileDirectory(path)
    user_id = directory.create("User", {"displayName": "Ada"})
    directory.flush()
    assert (
        path.read_bytes()
        == orjson.dumps({"User": [{"id": user_id, "displayName": "Ada"}], "Group": []}, option=orjson.OPT_INDENT_2)
        + b"\n"
    )


def test_the_index_of_an_attribute_follows_values_held_by_one_object_or_several() -> None:
    table = ObjectTable(USER, {"a": {"id": "a", "mail": "x@e"}, "b": {"id": "b", "mail": "X@E"}})
    assert [obj["id"] for obj in table.find("mail", "x@e")] == ["a", "b"]  # built with a value twice
    table.insert("c", {"mail": "y@e", "otherMails": ["m@e", "M@e", "x@e"]})
    table.insert("d", {"mail": "y@e"})
    assert [obj["id"] for obj in table.find("otherMails", "m@e")] == ["c"]
    assert [obj["id"] for obj in table.find("mail", "Y@E")] == ["c", "d"]
    table.modify("c", Modification(replace={"mail": "z@e"}, remove={"otherMails": ["m@e", "M@e"]}))
    assert [obj["id"] for obj in table.find("mail", "y@e")] == ["d"]
    assert [obj["id"] for obj in table.find("mail", "z@e")] == ["c"]
    assert table.find("otherMails", "m@e") == []
    table.modify("d", Modification(replace={"mail": "z@e"}))
    assert [obj["id"] for obj in table.find("mail", "z@e")] == ["c", "d"]
    table.remove("a")
    table.remove("b")
    assert table.find("mail", "x@e") == []
    assert [obj["id"] for obj in table.find("otherMails", "x@e")] == ["c"]
    table.remove("c")
    assert [obj["id"] for obj in table.find("mail", "z@e")] == ["d"]


@pytest.mark.parametrize(
    "replace",
    [
        {"manager": "m1"},  # a new key: last
        {"displayName": 'Ada ✓ "quoted"\nline', "jobTitle": None},  # in place, a value made null
        {"otherMails": []},  # a list, empty: one line
        {"otherMails": ["x@e"]},  # a list: many lines, parsed
        {"accountEnabled": True, "extensionCount": 7, "score": 1.25, "id2": ""},
        {"otherMails": None, "manager": "m2", "displayName": "B"},
    ],
)
def test_a_replaced_value_changes_the_objects_text_as_a_write_of_the_object_would(replace: dict) -> None:
    table = ObjectTable(USER)
    table.insert("a", {"displayName": "Ada", "jobTitle": "Eng", "otherMails": ["a@e", "b@e"], "accountEnabled": False})
    table.insert("b", {"displayName": "Bob", "otherMails": [], "jobTitle": "x"})
    for object_id in ("a", "b"):
        expected = table.get(object_id) | replace
        table.modify(object_id, Modification(replace=dict(replace)))
        assert table._objects[object_id] == laid_out(expected)
        assert table.get(object_id) == expected
