"""A target file that synctui wrote is read as its objects' texts (`JsonDocumentDirectory._written_objects`):
where each text lies, and the attribute indexes `find` built, are noted beside the file as it is
written (`WrittenTexts`). What a cycle reads, finds and writes back is what a whole parse gives,
byte for byte; a note that is missing, torn or of another version, and a file edited or replaced
since, are read whole and correctly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui.connectors._objects import ObjectTable, _values_in_texts, laid_out
from synctui.connectors.base import Modification, TargetDataError
from synctui.connectors.document_index import DocumentIndex, FileVersion, WrittenTexts
from synctui.connectors.jsonfile import JsonFileDirectory, jsonfile_definition

USER = jsonfile_definition().objects[0]


def _users(count: int) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    for number in range(count):
        user: dict[str, Any] = {"userPrincipalName": f"User{number}@Contoso.example", "displayName": f"User {number}"}
        if number % 3 == 0:
            user["otherMails"] = [f"u{number}@x.example", f"v{number}@x.example"]
        if number % 4 == 0:
            user["jobTitle"] = 'Head of "Ops"\n\\ ✓'  # escapes in the text
        if number % 5 == 0:
            user["accountEnabled"] = False
        users.append(user)
    return users


def _written(path: Path, count: int = 40, *, find: bool = True) -> list[str]:
    """A target file written by a directory, with the users it created; the matching attribute
    found once first (so its index is noted) when `find`."""
    directory = JsonFileDirectory(path)
    ids = [directory.create("User", user) for user in _users(count)]
    directory.create("Group", {"displayName": "Group A", "members": ids[:3]})
    if find:
        assert directory.find("User", "userPrincipalName", "nobody@contoso.example") == []
    directory.flush()
    directory.close()  # (the note is written as the directory is let go)
    return ids


def _parsed_whole(path: Path) -> JsonFileDirectory:
    """A directory over `path` that parses the file whole, as every read did before."""
    directory = JsonFileDirectory(path)
    directory.keeps_written_text = False
    return directory


def _kept_as_text(directory: JsonFileDirectory) -> bool:
    """Whether no object was parsed as read: each is its text, or its text's place in the file."""
    return all(
        type(stored) in (bytes, int) for table in directory._tables.values() for stored in table._objects.values()
    )


def _change(directory: JsonFileDirectory, ids: list[str]) -> None:
    """What an incremental cycle does to a target: reads, finds, updates, creates and deletes."""
    assert directory.get("User", ids[1])["displayName"] == "User 1"  # type: ignore[index]
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "USER7@contoso.EXAMPLE")] == [ids[7]]
    directory.update("User", ids[2], Modification(replace={"displayName": "Two", "manager": ids[1]}))
    directory.update("User", ids[3], Modification(add={"otherMails": ["w3@x.example"]}))
    directory.update("User", ids[4], Modification(replace={"userPrincipalName": "renamed@contoso.example"}))
    directory.delete("User", ids[5])
    new_id = directory.create("User", {"userPrincipalName": "new@contoso.example", "displayName": "New"})
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "NEW@contoso.example")] == [new_id]
    assert directory.find("User", "userPrincipalName", "user4@contoso.example") == []
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "renamed@contoso.example")] == [ids[4]]
    directory.flush()
    directory.close()


def _same_change_both_ways(tmp_path: Path, prepare: Any = None) -> tuple[bytes, bytes, JsonFileDirectory]:
    """The same changes made to two copies of a written file, one read as texts, one parsed
    whole: (the first's bytes, the second's, the directory that read texts)."""
    path = tmp_path / "by-text" / "target.json"
    path.parent.mkdir()
    ids = _written(path)
    if prepare is not None:
        prepare(path)
    return _changed_both_ways(path, tmp_path / "twin", ids)


def _changed_both_ways(path: Path, folder: Path, ids: list[str]) -> tuple[bytes, bytes, JsonFileDirectory]:
    """The same changes made to `path`, read as texts, and to a copy of it in `folder`, parsed
    whole: (the first's bytes, the second's, the directory that read texts)."""
    twin = folder / "target.json"
    twin.parent.mkdir()
    shutil.copy(path, twin)
    by_text = JsonFileDirectory(path)
    # The same new ids on both sides.
    by_text._new_id = _ids("n")  # type: ignore[method-assign]
    _change(by_text, ids)
    whole = _parsed_whole(twin)
    whole._new_id = _ids("n")  # type: ignore[method-assign]
    _change(whole, ids)
    return path.read_bytes(), twin.read_bytes(), by_text


def _ids(prefix: str) -> Any:
    numbers = iter(range(1000))
    return lambda: f"{prefix}{next(numbers)}"


def test_a_file_this_directory_wrote_is_read_as_texts_and_changed_as_a_whole_parse_would(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    _written(path)
    assert WrittenTexts.location(path).exists()
    directory = JsonFileDirectory(path)
    assert directory.get("User", "nobody") is None
    assert _kept_as_text(directory)
    # The noted index is taken, not built: it is there before the first `find`.
    assert "userPrincipalName" in directory._tables["User"]._indexes

    by_text, whole, _ = _same_change_both_ways(tmp_path)
    assert by_text == whole
    assert orjson.loads(by_text) == orjson.loads(whole)


def test_what_is_read_as_texts_is_what_a_whole_parse_reads(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    by_text, whole = JsonFileDirectory(path), _parsed_whole(path)
    for object_type in ("User", "Group"):
        assert list(by_text.read_all(object_type)) == list(whole.read_all(object_type))
        assert by_text.read_all_shared(object_type) == whole.read_all_shared(object_type)
    assert _kept_as_text(by_text) and not _kept_as_text(whole)
    assert by_text.find("User", "displayName", "user 9") == whole.find("User", "displayName", "USER 9") != []
    assert by_text.find("User", "otherMails", "V3@x.example") == whole.find("User", "otherMails", "v3@x.example") != []
    assert by_text.find("User", "accountEnabled", False) == whole.find("User", "accountEnabled", False)
    assert by_text.read_document() == whole.read_document()
    assert by_text.get("User", ids[0]) == whole.get("User", ids[0])


def test_the_next_cycle_reads_the_note_its_flush_left(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    first = JsonFileDirectory(path)
    _change(first, ids)
    noted = WrittenTexts.load(path, FileVersion.of(path.stat()))
    assert noted is not None
    assert noted.collections["User"][0] == [user["id"] for user in _parsed_whole(path).read_all("User")]
    assert "userPrincipalName" in noted.indexes["User"]
    second = JsonFileDirectory(path)
    assert second.get("User", ids[2]) == {**_parsed_whole(path).get("User", ids[2])}  # type: ignore[dict-item]
    assert [user["id"] for user in second.find("User", "userPrincipalName", "RENAMED@contoso.example")] == [ids[4]]


@pytest.mark.parametrize("damage", ["missing", "torn", "another version", "not adding up"])
def test_a_note_that_cannot_be_trusted_is_done_without(tmp_path: Path, damage: str) -> None:
    def prepare(path: Path) -> None:
        location = WrittenTexts.location(path)
        text = location.read_bytes()
        if damage == "missing":
            location.unlink()
        elif damage == "torn":
            location.write_bytes(text[: len(text) // 2])
        elif damage == "another version":
            note = orjson.loads(text)
            note["version"][1] += 1
            location.write_bytes(orjson.dumps(note))
        else:
            note = orjson.loads(text)
            note["collections"][0][2][3] += 1  # one text a byte longer than it is
            location.write_bytes(orjson.dumps(note))
        assert WrittenTexts.load(path, FileVersion.of(path.stat())) is None

    by_text, whole, directory = _same_change_both_ways(tmp_path, prepare)
    assert by_text == whole
    assert _kept_as_text(directory)  # found in the file's text instead (a version this directory wrote)


def test_a_file_replaced_since_is_read_whole_and_correctly(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    document = orjson.loads(path.read_bytes())
    document["User"][0]["displayName"] = "Edited by hand"
    document["User"][1]["userPrincipalName"] = "edited@contoso.example"
    replacement = tmp_path / "replacement.json"
    replacement.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    os.replace(replacement, path)
    directory = JsonFileDirectory(path)
    assert directory.get("User", ids[0])["displayName"] == "Edited by hand"  # type: ignore[index]
    assert not _kept_as_text(directory)  # parsed and checked: no note of this version trusted
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "EDITED@contoso.example")] == [ids[1]]
    assert directory.find("User", "userPrincipalName", "user1@contoso.example") == []


def test_a_file_edited_in_place_since_is_read_whole_and_correctly(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    text = path.read_bytes()
    with path.open("r+b") as handle:  # same inode, same size: only the time tells
        handle.write(text.replace(b'"User 0"', b'"Us3r 0"', 1))
    directory = JsonFileDirectory(path)
    assert directory.get("User", ids[0])["displayName"] == "Us3r 0"  # type: ignore[index]
    assert not _kept_as_text(directory)


def test_an_invalid_value_in_a_file_replaced_since_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    _written(path)
    document = orjson.loads(path.read_bytes())
    document["User"][0]["accountEnabled"] = "yes"
    replacement = tmp_path / "replacement.json"
    replacement.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    os.replace(replacement, path)
    with pytest.raises(Exception, match="accountEnabled"):
        JsonFileDirectory(path).get("User", "x")


def _on_demand(path: Path, object_id: str, replace: dict[str, Any]) -> None:
    """An object changed as provision on demand changes it: read alone, rewritten in place."""
    directory = JsonFileDirectory(path)
    assert directory.read_one("User", object_id) is not None
    directory.update("User", object_id, Modification(replace=replace))
    directory.flush()
    assert directory._document is None  # (written in place, the rest of the file not read)
    directory.close()


def test_objects_rewritten_by_provision_on_demand_are_read_with_the_note_of_the_version_before(
    tmp_path: Path,
) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    _on_demand(path, ids[6], {"displayName": "Six, a longer name", "userPrincipalName": "six@contoso.example"})
    _on_demand(path, ids[2], {"displayName": "2"})
    _on_demand(path, ids[6], {"jobTitle": "Sixth"})
    noted = WrittenTexts.load(path, FileVersion.of(path.stat()))
    assert noted is not None and noted.rewritten == {"User": [ids[6], ids[2], ids[6]]}
    directory = JsonFileDirectory(path)
    whole = _parsed_whole(path)
    assert directory.get("User", ids[6]) == whole.get("User", ids[6])
    assert directory.get("User", ids[6])["jobTitle"] == "Sixth"  # type: ignore[index]
    assert _kept_as_text(directory)
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "SIX@contoso.example")] == [ids[6]]
    assert directory.find("User", "userPrincipalName", "user6@contoso.example") == []
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "user2@contoso.example")] == [ids[2]]
    assert list(directory.read_all("User")) == list(whole.read_all("User"))
    assert list(directory.read_all("Group")) == list(whole.read_all("Group"))

    # A cycle over it writes what a whole parse writes.
    read_as_texts, parsed_whole, _ = _changed_both_ways(path, tmp_path / "twin", ids)
    assert read_as_texts == parsed_whole


def test_rewrites_that_do_not_follow_the_note_are_done_without(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    _on_demand(path, ids[6], {"displayName": "Six"})
    rewritten = WrittenTexts.rewritten_location(path)
    chain = orjson.loads(rewritten.read_bytes())
    for broken in (
        {**chain, "from": [1, 2, 3]},  # of another version than the note's
        {**chain, "rewritten": [["User", ids[6], 1, 2]]},  # not the length noted
        {**chain, "rewritten": [["User", "nobody", 1, 2]]},
    ):
        rewritten.write_bytes(orjson.dumps(broken))
        assert WrittenTexts.load(path, FileVersion.of(path.stat())) is None
        directory = JsonFileDirectory(path)
        assert directory.get("User", ids[6])["displayName"] == "Six"  # type: ignore[index]
        assert _kept_as_text(directory)  # found in the file's text instead
    rewritten.write_bytes(orjson.dumps(chain)[:10])  # torn
    assert WrittenTexts.load(path, FileVersion.of(path.stat())) is None


def test_objects_kept_as_dicts_leave_no_note_and_the_next_read_finds_their_texts(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    whole = _parsed_whole(path)
    whole.update("User", ids[0], Modification(replace={"displayName": "Zero"}))
    whole.flush()
    whole.close()  # its other objects are dicts as parsed: where their texts lie is not noted
    assert WrittenTexts.load(path, FileVersion.of(path.stat())) is None
    directory = JsonFileDirectory(path)
    assert directory.get("User", ids[0])["displayName"] == "Zero"  # type: ignore[index]
    assert _kept_as_text(directory)
    directory.update("User", ids[1], Modification(replace={"displayName": "One"}))
    directory.flush()
    directory.close()
    assert WrittenTexts.load(path, FileVersion.of(path.stat())) is not None
    assert _parsed_whole(path).get("User", ids[1])["displayName"] == "One"  # type: ignore[index]


def test_a_noted_index_with_shared_values_finds_every_holder(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory = JsonFileDirectory(path)
    first = directory.create("User", {"displayName": "Same"})
    second = directory.create("User", {"displayName": "same"})
    directory.create("User", {"displayName": "Other"})
    assert len(directory.find("User", "displayName", "SAME")) == 2
    directory.flush()
    directory.close()
    again = JsonFileDirectory(path)
    assert again.get("User", first) is not None
    assert "displayName" in again._tables["User"]._indexes
    assert sorted(user["id"] for user in again.find("User", "displayName", "same")) == sorted([first, second])
    again.delete("User", first)
    assert [user["id"] for user in again.find("User", "displayName", "same")] == [second]


def test_a_noted_index_of_another_case_rule_is_built_again(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory = JsonFileDirectory(path)
    user = directory.create("User", {"displayName": "Mixed Case"})
    assert directory.find("User", "displayName", "mixed case") != []
    directory.flush()
    directory.close()
    noted = WrittenTexts.load(path, FileVersion.of(path.stat()))
    assert noted is not None and "displayName" in noted.indexes["User"]
    table = ObjectTable(USER, {user: orjson.loads(path.read_bytes())["User"][0]})
    table._case_exact.add("displayName")  # as a definition whose attribute became caseExact reads it
    table.adopt_indexes(noted.indexes["User"], [])
    assert "displayName" not in table._indexes
    assert table.find("displayName", "mixed case") == []
    assert [found["id"] for found in table.find("displayName", "Mixed Case")] == [user]


def test_values_are_read_from_texts_as_parsing_reads_them() -> None:
    objects: list[dict[str, Any]] = [
        {"id": "a", "name": "plain"},
        {"id": "b", "name": 'esc "quoted" \\ ✓\nline'},
        {"id": "c"},
        {"id": "d", "name": ["x", "y"]},
        {"id": "e", "name": []},
        {"id": "f", "name": None},
        {"id": "g", "name": 12},
        {"id": "h", "name": True, "other": {"name": "nested"}},
        {"id": "i", "other": {"name": "nested only"}},
        {"id": "j", "name": {"k": 1}},
        {"id": "k", "name": {}},
        {"id": "l", "name": 1.5, "last": "x"},
    ]
    texts = [laid_out(obj) for obj in objects]
    assert _values_in_texts(texts, "name") == [obj.get("name") for obj in objects]
    assert _values_in_texts(texts, "id") == [obj["id"] for obj in objects]
    assert _values_in_texts([], "name") == []


def test_an_index_built_from_texts_finds_what_one_built_from_dicts_finds() -> None:
    objects = {str(number): user | {"id": str(number)} for number, user in enumerate(_users(30))}
    as_dicts = ObjectTable(USER, {key: dict(value) for key, value in objects.items()})
    as_texts = ObjectTable(USER, {key: laid_out(value) for key, value in objects.items()})  # type: ignore[misc]
    for attribute, value in [
        ("userPrincipalName", "user3@contoso.example"),
        ("otherMails", "V6@X.EXAMPLE"),
        ("accountEnabled", False),
        ("jobTitle", 'head of "ops"\n\\ ✓'),
    ]:
        assert as_texts.find(attribute, value) == as_dicts.find(attribute, value) != []


def test_the_index_beside_the_file_is_not_touched(tmp_path: Path) -> None:
    """The note is a file of its own: provision on demand's index (and its `written` mark) stays as it was."""
    path = tmp_path / "target.json"
    _written(path)
    before = DocumentIndex.location(path).read_bytes()
    JsonFileDirectory(path).get("User", "x")
    assert DocumentIndex.location(path).read_bytes() == before


def test_texts_left_in_the_file_are_read_as_asked_and_copied_by_the_write(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    before = _parsed_whole(path)
    directory = JsonFileDirectory(path)
    directory.update("User", ids[8], Modification(replace={"displayName": "Eight"}))
    stored = directory._tables["User"]._objects
    assert type(stored[ids[8]]) is bytes  # read, then changed
    assert [type(stored[object_id]) for object_id in ids[:3]] == [int, int, int]  # never read
    directory.flush()
    after = _parsed_whole(path)
    assert after.get("User", ids[8])["displayName"] == "Eight"  # type: ignore[index]
    assert [after.get("User", object_id) for object_id in ids if object_id != ids[8]] == [
        before.get("User", object_id) for object_id in ids if object_id != ids[8]
    ]
    # The old version stays open: a second write copies from it again, the same text.
    text = path.read_bytes()
    directory.update("User", ids[9], Modification(replace={"displayName": "Nine"}))
    directory.flush()
    assert path.read_bytes() == text.replace(b'"User 9"', b'"Nine"')
    directory.close()
    assert directory._texts_handle is None


def test_reading_every_object_reads_the_texts_left_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    _written(path)
    whole = _parsed_whole(path)
    directory = JsonFileDirectory(path)
    assert directory.read_all_shared("User") == whole.read_all_shared("User")
    directory = JsonFileDirectory(path)
    assert list(directory.read_all("Group")) == list(whole.read_all("Group"))
    directory = JsonFileDirectory(path)
    assert directory.find("User", "jobTitle", 'HEAD of "ops"\n\\ ✓') == whole.find(
        "User", "jobTitle", 'head of "ops"\n\\ ✓'
    )


def test_a_file_changed_in_place_while_its_texts_are_left_in_it_fails_the_write(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    directory = JsonFileDirectory(path)
    directory.update("User", ids[0], Modification(replace={"displayName": "Zero"}))
    text = path.read_bytes()
    with path.open("r+b") as handle:  # edited in place meanwhile (not replaced, as synctui writes)
        handle.write(text.replace(b'"User 1"', b'"Us3r 1"', 1))
    with pytest.raises(TargetDataError, match="changed while the cycle read it"):
        directory.flush()
    with pytest.raises(TargetDataError, match="changed while the cycle read it"):
        directory.get("User", ids[2])
    assert b'"Us3r 1"' in path.read_bytes()  # the edit is not overwritten


def test_the_note_is_of_the_last_version_written_and_only_when_nothing_changed_since(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory = JsonFileDirectory(path)
    directory.create("User", {"displayName": "One"})
    directory.flush()
    assert not WrittenTexts.location(path).exists()  # not at each flush: as the directory is let go
    directory.create("User", {"displayName": "Two"})
    directory.flush()
    directory.close()
    noted = WrittenTexts.load(path, FileVersion.of(path.stat()))
    assert noted is not None and len(noted.collections["User"][0]) == 2

    changed = JsonFileDirectory(tmp_path / "changed.json")
    changed.create("User", {"displayName": "One"})
    changed.flush()
    changed.create("User", {"displayName": "Two"})  # not flushed: the file is not what the tables hold
    changed.close()
    assert not WrittenTexts.location(tmp_path / "changed.json").exists()

    replaced = JsonFileDirectory(tmp_path / "replaced.json")
    replaced.create("User", {"displayName": "One"})
    replaced.flush()
    (tmp_path / "other.json").write_text('{"User": []}')
    os.replace(tmp_path / "other.json", tmp_path / "replaced.json")  # written again by someone else
    replaced.close()
    assert not WrittenTexts.location(tmp_path / "replaced.json").exists()


def test_a_noted_value_no_object_holds_any_more_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    ids = _written(path)
    location = WrittenTexts.location(path)
    note = orjson.loads(location.read_bytes())
    keys, holders = note["indexes"]["User"]["userPrincipalName"][1:]
    keys.append("stale@contoso.example")  # as if noted of an object whose value has changed since
    holders.append(ids[3])
    keys.append("gone@contoso.example")  # of an object deleted since
    holders.append([ids[4], "deleted"])
    location.write_bytes(orjson.dumps(note))
    directory = JsonFileDirectory(path)
    assert directory.find("User", "userPrincipalName", "stale@contoso.example") == []
    assert directory.find("User", "userPrincipalName", "gone@contoso.example") == []
    index = directory._tables["User"]._indexes["userPrincipalName"]
    assert "stale@contoso.example" not in index and "gone@contoso.example" not in index
    assert [user["id"] for user in directory.find("User", "userPrincipalName", "user3@contoso.example")] == [ids[3]]
