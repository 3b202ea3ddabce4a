"""Reading one object of a JSON file without reading the whole file (provision on demand)."""

from __future__ import annotations

import errno
from pathlib import Path

import orjson
import pytest

from synctui import fileio
from synctui.connectors import _document
from synctui.connectors.base import ConnectionFailure, Modification, SingleReads, SourceDataError
from synctui.connectors.jsonfile import JsonFileDirectory
from synctui.connectors.tenant import TenantDirectory

from .helpers import groups, users, write_json


@pytest.fixture
def tenant_file(tmp_path: Path) -> Path:
    path = tmp_path / "directory.json"
    write_json(path, {"users": users(), "groups": groups()})
    return path


def test_one_object_reads_as_get_reads_it(tenant_file: Path, tmp_path: Path) -> None:
    target_file = tmp_path / "target.json"
    write_json(target_file, {"User": users(), "Group": groups()})
    for directory in (TenantDirectory(tenant_file), JsonFileDirectory(target_file)):
        assert isinstance(directory, SingleReads)
        for object_type, objects in (("User", users()), ("Group", groups())):
            for obj in objects:
                assert directory.read_one(object_type, obj["id"]) == type(directory)(directory.path).get(
                    object_type, obj["id"]
                )
        assert directory.read_one("User", "nobody") is None


def test_one_object_is_found_without_reading_the_rest_of_the_file(tmp_path: Path) -> None:
    # Another user's value is wrong: reading the whole file would stop at it.
    path = tmp_path / "directory.json"
    write_json(path, {"users": [*users(), {"id": "u4", "accountEnabled": "yes"}], "groups": groups()})
    directory = TenantDirectory(path)
    assert directory.read_one("User", "u2")["displayName"] == "Émile Zola"
    with pytest.raises(SourceDataError, match=r'users\[3\]: "accountEnabled" is "yes"'):
        directory.get("User", "u2")


def test_a_file_laid_out_otherwise_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_bytes(orjson.dumps({"users": users(), "groups": groups()}))
    assert TenantDirectory(path).read_one("User", "u2")["displayName"] == "Émile Zola"


def test_an_id_found_twice_is_left_to_reading_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    write_json(path, {"users": [*users(), {**users()[1], "displayName": "Twin"}], "groups": groups()})
    with pytest.raises(SourceDataError, match="is also the id of"):
        TenantDirectory(path).read_one("User", "u2")


def test_a_missing_file_reads_as_the_directory_says(tmp_path: Path) -> None:
    assert JsonFileDirectory(tmp_path / "target.json").read_one("User", "u1") is None
    with pytest.raises(SourceDataError, match="no such file"):
        TenantDirectory(tmp_path / "directory.json").read_one("User", "u1")


# --- one object changed on its own ------------------------------------------------------------


def _target(tmp_path: Path) -> JsonFileDirectory:
    path = tmp_path / "target.json"
    path.write_bytes(
        orjson.dumps({"User": users(), "Group": groups()}, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    )
    return JsonFileDirectory(path)


def _written_whole(document: dict) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def test_an_object_read_alone_is_written_in_place_as_a_whole_write_would(tmp_path: Path) -> None:
    directory = _target(tmp_path)
    directory.read_one("User", "u2")
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}, add={"proxyAddresses": ["SMTP:e@z"]}))
    directory.read_one("Group", "g1")
    directory.update("Group", "g1", Modification(remove={"members": ["u1"]}))
    directory.flush()
    expected = {"User": users(), "Group": groups()}
    expected["User"][1].update(jobTitle="Novelist", proxyAddresses=["SMTP:e@z"])
    expected["Group"][0]["members"] = ["u2"]
    assert directory.path.read_bytes() == _written_whole(expected)
    assert JsonFileDirectory(directory.path).get("User", "u2")["jobTitle"] == "Novelist"


def test_reading_more_than_one_object_takes_the_changes_along(tmp_path: Path) -> None:
    directory = _target(tmp_path)
    directory.read_one("User", "u2")
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}))
    assert directory.get("User", "u2")["jobTitle"] == "Novelist"  # reads the whole document
    new = directory.create("User", {"userPrincipalName": "new@contoso.example"})
    directory.flush()
    written = JsonFileDirectory(directory.path)
    assert written.get("User", "u2")["jobTitle"] == "Novelist" and written.get("User", new) is not None


def test_a_file_changed_meanwhile_is_written_whole_with_both_changes(tmp_path: Path) -> None:
    directory = _target(tmp_path)
    directory.read_one("User", "u2")
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}))
    elsewhere = JsonFileDirectory(directory.path)
    elsewhere.update("User", "u1", Modification(replace={"jobTitle": "Countess"}))
    elsewhere.flush()
    directory.flush()
    written = JsonFileDirectory(directory.path)
    assert written.get("User", "u2")["jobTitle"] == "Novelist"
    assert written.get("User", "u1")["jobTitle"] == "Countess"


def test_an_object_read_alone_that_cannot_be_written_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = _target(tmp_path)
    before = directory.path.read_bytes()
    directory.read_one("User", "u2")
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}))

    def disk_full(path, data, **_):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_document, "atomic_write", disk_full)
    with pytest.raises(ConnectionFailure, match=r"cannot be written .No space left on device.; the file is unchanged"):
        directory.flush()
    assert directory.path.read_bytes() == before
    monkeypatch.undo()
    directory.flush()  # the change is still buffered: a later flush writes it
    assert JsonFileDirectory(directory.path).get("User", "u2")["jobTitle"] == "Novelist"


# --- a file written without whitespace ----------------------------------------------------------


def _compact(path: Path, document: dict) -> Path:
    path.write_bytes(orjson.dumps(document))
    return path


def test_one_object_of_a_compact_file_reads_as_get_reads_it(tmp_path: Path) -> None:
    path = _compact(tmp_path / "directory.json", {"users": users(), "groups": groups()})
    for object_type, objects in (("User", users()), ("Group", groups())):
        for obj in objects:
            assert TenantDirectory(path).read_one(object_type, obj["id"]) == TenantDirectory(path).get(
                object_type, obj["id"]
            )
    assert TenantDirectory(path).read_one("User", "nobody") is None
    assert TenantDirectory(path).read_one("User", "g1") is None  # a group's id is no user's


def test_one_object_of_a_compact_file_is_found_without_reading_the_rest(tmp_path: Path) -> None:
    # Another user's value is wrong: reading the whole file would stop at it.
    path = _compact(
        tmp_path / "directory.json", {"users": [*users(), {"id": "u4", "accountEnabled": "yes"}], "groups": groups()}
    )
    assert TenantDirectory(path).read_one("User", "u2")["displayName"] == "Émile Zola"
    assert TenantDirectory(path).read_one("Group", "g1")["members"] == groups()[0]["members"]


@pytest.mark.parametrize(
    "document",
    [
        # an object of another collection's item, a user's property, the second of a user's list
        {"users": users(), "groups": [{**groups()[0], "owner": {"id": "u9", "displayName": "Nested"}}]},
        {"users": [{**users()[0], "sponsor": {"id": "u9", "displayName": "Nested"}}], "groups": groups()},
        {"users": [{**users()[0], "x": [{"id": "a"}, {"id": "u9"}]}, *users()[1:]], "groups": groups()},
        {"users": [{**users()[0], "x": [{"id": "u9"}]}], "groups": groups()},
    ],
)
def test_an_id_nested_deeper_in_a_compact_file_is_no_object_of_the_collection(tmp_path: Path, document: dict) -> None:
    path = _compact(tmp_path / "directory.json", document)
    assert TenantDirectory(path).read_one("User", "u9") is None


def test_an_object_of_a_compact_file_is_written_back_compact_in_place(tmp_path: Path) -> None:
    path = _compact(tmp_path / "target.json", {"User": users(), "Group": groups()})
    directory = JsonFileDirectory(path)
    directory.read_one("User", "u2")
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}))
    directory.flush()
    expected = {"User": users(), "Group": groups()}
    expected["User"][1]["jobTitle"] = "Novelist"
    assert path.read_bytes() == orjson.dumps(expected)


# --- the whole file, written in pieces ------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"User": []},
        {"User": [], "Group": {}},
        {"User": users(), "Group": groups(), "other": {"nested": [1, {"deeper": [None, "a\nb"]}]}, "last": "x"},
        {"User": [{"id": f"u{n}", "list": [n, {"k": []}], "empty": {}} for n in range(7)], "Group": [[], {}, 3]},
        {"space": {str(n): {"key": f"User:u{n}", "refs": {"m": [n]}} for n in range(5)}, "log": {"1": {}}, "e": {}},
    ],
)
def test_a_document_written_in_pieces_is_the_text_orjson_writes_whole(
    document: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileio, "INDENTED_CHUNK", 2)  # lists of several chunks, and a last one short
    assert b"".join(fileio.indented_json(document, newline=True)) == _written_whole(document)
    assert b"".join(fileio.indented_json(document, newline=False)) == orjson.dumps(document, option=orjson.OPT_INDENT_2)


def test_a_flush_writes_the_file_as_a_whole_write_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileio, "INDENTED_CHUNK", 2)
    directory = _target(tmp_path)
    directory.update("User", "u2", Modification(replace={"jobTitle": "Novelist"}))
    new = directory.create("User", {"userPrincipalName": "new@contoso.example"})
    directory.flush()
    expected = {"User": users(), "Group": groups()}
    expected["User"][1]["jobTitle"] = "Novelist"
    expected["User"].append({"id": new, "userPrincipalName": "new@contoso.example"})
    assert directory.path.read_bytes() == _written_whole(expected)
