"""The index kept beside a JSON document file (connectors/document_index.py): one object found
with a seek, the index rebuilt when the file is not the one it was built from, kept up to date
by the in-place writes of provision on demand, and never trusted over the file's text."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui import fileio
from synctui.connectors import document_index
from synctui.connectors.base import Modification, TargetDataError
from synctui.connectors.document_index import DocumentIndex, FileVersion
from synctui.connectors.jsonfile import JsonFileDirectory
from synctui.connectors.tenant import TenantDirectory

from .helpers import groups, users

INDENTED = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def _people(count: int) -> list[dict[str, Any]]:
    # Ids JSON writes with escapes, ids of other scripts, and values that look like the layout.
    odd = ['quote"d', "back\\slash", "Ünïcode", "tab\there", "line\nbreak"]
    return [
        {
            "id": odd[number] if number < len(odd) else f"u{number}",
            "displayName": f"Person {number}" + ("\n    }," if number % 3 == 0 else ""),
            "proxyAddresses": [f"SMTP:p{number}@contoso.example"] * (number % 3),
        }
        for number in range(count)
    ]


@pytest.fixture(params=[INDENTED, orjson.OPT_APPEND_NEWLINE], ids=["indented", "compact"])
def layout(request: pytest.FixtureRequest) -> int:
    """How the file is written: as synctui writes its targets, or compact (the lean tenant file)."""
    return request.param


def _write(path: Path, document: dict[str, Any], layout: int = INDENTED) -> Path:
    path.write_bytes(orjson.dumps(document, option=layout))
    return path


def _index(path: Path) -> DocumentIndex | None:
    return DocumentIndex.load(path, FileVersion.of(path.stat()))


def _read_twice(path: Path, object_type: str, object_id: str) -> dict[str, Any] | None:
    """An object read as provision on demand reads it, twice: the second read indexes the file."""
    first = JsonFileDirectory(path).read_one(object_type, object_id)
    found = JsonFileDirectory(path).read_one(object_type, object_id)
    assert first == found
    assert _index(path) is not None
    return found


def _each_object_found_as_the_whole_read_finds_it(path: Path, document: dict[str, Any]) -> None:
    whole = JsonFileDirectory(path)
    for object_type in ("User", "Group"):
        for obj in document[object_type]:
            assert JsonFileDirectory(path).read_one(object_type, obj["id"]) == whole.get(object_type, obj["id"])


def test_each_object_found_through_the_index_equals_the_whole_reads(tmp_path: Path, layout: int) -> None:
    document = {"User": _people(12), "Group": groups(), "Other": {"nested": [1, {"id": "u1"}]}}
    path = _write(tmp_path / "target.json", document, layout)
    assert JsonFileDirectory(path).read_one("User", "u7") is not None
    assert _index(path) is None  # a version of the file read once is searched
    assert _read_twice(path, "User", "u7") is not None
    index = _index(path)
    assert index is not None and DocumentIndex.location(path) == tmp_path / ".target.json.index"
    data = path.read_bytes()
    for object_type in ("User", "Group"):
        for obj in document[object_type]:
            span = index.find(object_type, obj["id"])
            assert span is not None and orjson.loads(data[span[0] : span[1]]) == obj
    assert index.find("User", "g1") is None and index.find("User", "nobody") is None
    _each_object_found_as_the_whole_read_finds_it(path, document)


def test_a_stale_index_is_detected_and_rebuilt(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "target.json", {"User": _people(8), "Group": groups()}, layout)
    _read_twice(path, "User", "u6")
    # The file replaced: its objects moved (one fewer before u6), its size and inode are others.
    document = {"User": [person for person in _people(9) if person["id"] != "u5"], "Group": groups()}
    document["User"][-1]["displayName"] = "Moved"
    fileio.atomic_write(path, orjson.dumps(document, option=layout))
    assert _index(path) is None  # the one kept is of another version of the file
    assert JsonFileDirectory(path).read_one("User", "u8")["displayName"] == "Moved"
    assert _read_twice(path, "User", "u8")["displayName"] == "Moved"
    rebuilt = _index(path)
    assert rebuilt is not None and rebuilt.version == FileVersion.of(path.stat())
    _each_object_found_as_the_whole_read_finds_it(path, document)


def test_an_index_pointing_elsewhere_is_not_believed(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "target.json", {"User": _people(8), "Group": groups()}, layout)
    _read_twice(path, "User", "u5")
    # The file changed in place with its size and modification time kept (as a careless tool
    # might): the index looks current, but its ranges now hold other objects.
    stat = path.stat()
    swapped = path.read_bytes().replace(b'"u5"', b'"x9"').replace(b'"u6"', b'"u5"').replace(b'"x9"', b'"u6"')
    path.write_bytes(swapped)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _index(path) is not None
    assert JsonFileDirectory(path).read_one("User", "u5")["displayName"].startswith("Person 6")
    assert not DocumentIndex.location(path).exists()  # dropped: the next read builds it again


@pytest.mark.parametrize("cut", [0, 10, -1])
def test_a_torn_index_is_rebuilt(tmp_path: Path, cut: int) -> None:
    path = _write(tmp_path / "target.json", {"User": _people(6), "Group": groups()})
    _read_twice(path, "User", "u5")
    location = DocumentIndex.location(path)
    whole = location.read_bytes()
    location.write_bytes(whole[:cut])
    assert _index(path) is None
    assert JsonFileDirectory(path).read_one("User", "u5")["displayName"] == "Person 5"
    assert _read_twice(path, "User", "u5")["displayName"] == "Person 5"


def test_in_place_writes_keep_the_index_current(tmp_path: Path, layout: int) -> None:
    document = {"User": _people(10), "Group": groups()}
    path = _write(tmp_path / "target.json", document, layout)
    _read_twice(path, "Group", "g2")
    for object_type, object_id, change in (
        ("User", "u6", {"displayName": "A much longer name than before, to move what follows"}),
        ("User", 'quote"d', {"displayName": "S"}),
        ("Group", "g1", {"description": "grown " * 20}),
        ("User", "u9", {"displayName": "Last"}),
    ):
        directory = JsonFileDirectory(path)
        assert directory.read_one(object_type, object_id) is not None
        directory.update(object_type, object_id, Modification(replace=change))
        directory.flush()
        obj = next(obj for obj in document[object_type] if obj["id"] == object_id)
        obj.update(change)
        assert path.read_bytes() == orjson.dumps(document, option=layout)
        index = _index(path)
        assert index is not None and index.edits  # kept, not rebuilt
        data = path.read_bytes()
        for kind in ("User", "Group"):
            for each in document[kind]:
                span = index.find(kind, each["id"])
                assert span is not None and orjson.loads(data[span[0] : span[1]]) == each
    _each_object_found_as_the_whole_read_finds_it(path, document)


def test_a_crash_while_writing_in_place_leaves_the_old_file_and_its_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: int
) -> None:
    document = {"User": _people(10), "Group": groups()}
    path = _write(tmp_path / "target.json", document, layout)
    _read_twice(path, "User", "u6")
    before = path.read_bytes()
    directory = JsonFileDirectory(path)
    directory.read_one("User", "u6")
    directory.update("User", "u6", Modification(replace={"displayName": "Never written"}))
    copied: list[int] = []

    read = os.preadv

    def crash_after_the_first_copy(source: int, buffers: list[memoryview], offset: int) -> int:
        if copied:
            raise KeyboardInterrupt  # the process stops half-way through the new file
        copied.append(offset)
        return read(source, buffers, offset)

    monkeypatch.setattr(os, "preadv", crash_after_the_first_copy)
    with pytest.raises(KeyboardInterrupt):
        directory.flush()
    assert copied and path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir() if entry.name.endswith(".tmp")] == []
    _each_object_found_as_the_whole_read_finds_it(path, document)
    assert _index(path) is not None  # still the old file's


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts the open descriptors in /proc")
def test_the_version_replaced_by_an_in_place_write_is_closed(tmp_path: Path) -> None:
    document = {"User": _people(10), "Group": groups()}
    path = _write(tmp_path / "target.json", document)
    replaced = path.stat().st_ino
    open_before = len(os.listdir("/proc/self/fd"))
    directory = JsonFileDirectory(path)
    directory.read_one("User", "u6")
    directory.update("User", "u6", Modification(replace={"displayName": "Written"}))
    directory.flush()
    for thread in threading.enumerate():
        if thread.name == "synctui-close-replaced":
            thread.join()  # it closes the old version while the caller goes on
    assert path.stat().st_ino != replaced
    assert len(os.listdir("/proc/self/fd")) == open_before
    assert replaced not in _open_inodes()


def _open_inodes() -> set[int]:
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            inodes.add(os.stat(f"/proc/self/fd/{fd}").st_ino)
        except FileNotFoundError:  # the listing's own descriptor, closed since
            continue
    return inodes


def test_the_rest_of_the_file_is_copied_piece_by_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileio, "_COPY_CHUNK", 7)  # several pieces of each range
    document = {"User": _people(10), "Group": groups()}
    path = _write(tmp_path / "target.json", document)
    directory = JsonFileDirectory(path)
    directory.read_one("User", "u6")
    directory.update("User", "u6", Modification(replace={"displayName": "Written"}))
    directory.flush()
    document["User"][6]["displayName"] = "Written"
    assert path.read_bytes() == orjson.dumps(document, option=INDENTED)


def test_top_level_values_are_read_through_the_index(tmp_path: Path, layout: int) -> None:
    assignments = [{"id": "a1", "principalId": "u1", "principalType": "User", "resourceId": "app", "appRoleId": "r"}]
    document = {"users": users(), "groups": groups(), "appRoleAssignments": assignments}
    path = _write(tmp_path / "directory.json", document, layout)
    TenantDirectory(path).read_one("User", "u2")
    tenant = TenantDirectory(path)
    assert tenant.read_one("User", "u2") is not None
    assert _index(path) is not None
    assert [assignment["id"] for assignment in tenant.app_role_assignments("app")] == ["a1"]
    without = _write(tmp_path / "other.json", {"users": users(), "groups": groups(), "note": "a, b"}, layout)
    TenantDirectory(without).read_one("User", "u2")
    tenant = TenantDirectory(without)
    assert tenant.read_one("User", "u2") is not None
    assert tenant.app_role_assignments("app") == []
    assert _index(without) is not None and _index(without).value("note") is not None


@pytest.mark.parametrize(
    "text",
    [
        b'{"User":[{"name":"no id first","id":"u1"}]}',
        b'{"User":[{"id":"u1","x":[{"id":"u2"}]},{"id":"u2"}]}',  # an id nested in an item
        b'{"User":[{"id":"u1","x":[{"id":"u2"},{"id":"u3"}]},{"id":"u2"}]}',
        b'{"User":[{"id":"u1"}],"User":[]}',
        b'{\n  "User": [\n    {\n      "name": "no id first",\n      "id": "u1"\n    }\n  ]\n}\n',
        b'{\n  "User": [\n    {\n      "id": "u1"\n    }\n  ],\n  "User": []\n}\n',  # a key twice
    ],
)
def test_a_file_the_index_cannot_describe_is_searched(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "target.json"
    path.write_bytes(text)
    assert DocumentIndex.build(text, FileVersion.of(path.stat()), ["User", "Group"]) is None
    for _ in range(2):
        found = JsonFileDirectory(path).read_one("User", "u1")
        assert found is None or found["id"] == "u1"
    assert _index(path) is None


def test_a_file_changed_before_every_read_is_searched_and_never_indexed(tmp_path: Path) -> None:
    document = {"User": _people(6), "Group": groups()}
    for number in range(3):
        document["User"][5]["displayName"] = "x" * number
        fileio.atomic_write(_write(tmp_path / "target.json", document), orjson.dumps(document, option=INDENTED))
        assert JsonFileDirectory(tmp_path / "target.json").read_one("User", "u5") == document["User"][5]
        assert _index(tmp_path / "target.json") is None


@pytest.mark.parametrize(
    "document",
    [
        # an object of another collection's item, a user's property, a user's list, its first item
        {"User": users(), "Group": [{**groups()[0], "owner": {"id": "u9", "displayName": "Nested"}}]},
        {"User": [{**users()[0], "sponsor": {"id": "u9", "displayName": "Nested"}}], "Group": groups()},
        {"User": [{**users()[0], "x": [{"id": "a"}, {"id": "u9"}]}, *users()[1:]], "Group": groups()},
        {"User": [*users()[:1], {**users()[1], "x": [{"id": "u9"}]}], "Group": groups()},
        {"User": [*users()[:1], {**users()[1], "x": [{"y": 1}, {"id": "u9"}]}], "Group": groups()},
    ],
)
def test_an_id_nested_in_an_item_is_not_indexed_as_one(tmp_path: Path, document: dict, layout: int) -> None:
    path = _write(tmp_path / "target.json", document, layout)
    for _ in range(2):
        assert JsonFileDirectory(path).read_one("User", "u9") is None
    index = _index(path)
    assert index is None or index.find("User", "u9") is None
    _each_object_found_as_the_whole_read_finds_it(path, document)


def test_a_file_written_in_place_is_indexed_by_the_next_read(tmp_path: Path, layout: int) -> None:
    document = {"User": _people(6), "Group": groups()}
    path = _write(tmp_path / "target.json", document, layout)
    directory = JsonFileDirectory(path)
    directory.read_one("User", "u5")  # the first read of this version: searched
    directory.update("User", "u5", Modification(replace={"displayName": "Written"}))
    directory.flush()
    assert _index(path) is None
    document["User"][5]["displayName"] = "Written"
    assert JsonFileDirectory(path).read_one("User", "u5") == document["User"][5]
    assert _index(path) is not None  # a version synctui wrote is one seen before


def test_an_index_follows_so_many_rewrites_then_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_index, "MAX_EDITS", 2)
    document = {"User": _people(6), "Group": groups()}
    path = _write(tmp_path / "target.json", document)
    _read_twice(path, "User", "u5")
    for number in range(3):
        directory = JsonFileDirectory(path)
        directory.read_one("User", "u5")
        directory.update("User", "u5", Modification(replace={"displayName": "x" * number}))
        directory.flush()
        document["User"][5]["displayName"] = "x" * number
        index = _index(path)
        assert (index is not None and len(index.edits) == number + 1) if number < 2 else index is None
    assert _read_twice(path, "User", "u5") == document["User"][5]  # built again, without edits
    assert _index(path).edits == []


def test_a_file_with_an_id_twice_is_not_indexed(tmp_path: Path, layout: int) -> None:
    people = _people(6)
    path = _write(tmp_path / "target.json", {"User": [*people, {**people[5], "displayName": "Twin"}]}, layout)
    for _ in range(2):
        with pytest.raises(TargetDataError, match="is also the id of"):
            JsonFileDirectory(path).read_one("User", "u5")
    assert _index(path) is None


# --- versions of the file synctui wrote (document_index.Written) -------------------------------------


def _written_whole(path: Path, people: list[dict[str, Any]]) -> tuple[JsonFileDirectory, str]:
    """A target file written by a cycle's flush, every object created through the directory; the
    directory and the id of the first user."""
    directory = JsonFileDirectory(path)
    first = [
        directory.create("User", {key: value for key, value in person.items() if key != "id"}) for person in people
    ]
    directory.flush()
    return directory, first[0]


def _spoil(path: Path) -> bytes:
    """The file with its first user's `accountEnabled` (a Boolean) made a string, its length kept;
    the spoiled text, to write back where the test needs it."""
    data = path.read_bytes()
    spoiled = data.replace(b'"accountEnabled": false', b'"accountEnabled": "nah"', 1)
    assert spoiled != data and len(spoiled) == len(data)
    return spoiled


def _forge_written(path: Path, rules: str) -> None:
    """Note the file's current version as written by synctui under `rules` (what a cycle's flush notes)."""
    document_index.Written.note(path, FileVersion.of(path.stat()), rules)


def test_a_version_synctui_wrote_is_noted_with_its_rules(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory, _ = _written_whole(path, users())
    written = document_index.Written.of(path, FileVersion.of(path.stat()))
    assert written is not None and written.rules == directory._rules
    # Another definition of the same types (other attributes, other rules) has another digest.
    tenant = TenantDirectory(tmp_path / "tenant.json")
    assert tenant._rules != directory._rules


def test_a_version_synctui_wrote_is_read_without_checking_its_objects_again(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory, first = _written_whole(path, [{**users()[0], "accountEnabled": False}, *users()[1:]])
    rules = directory._rules
    # Only a version noted as written skips the checks: this one is not synctui's, yet noted so,
    # which shows that the note is what the read believes.
    path.write_bytes(_spoil(path))
    _forge_written(path, rules)
    assert JsonFileDirectory(path).get("User", first)["accountEnabled"] == "nah"


def test_a_version_changed_since_synctui_wrote_it_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    _, first = _written_whole(path, [{**users()[0], "accountEnabled": False}, *users()[1:]])
    before = path.stat()
    spoiled = _spoil(path)
    with path.open("r+b") as handle:  # edited in place: same inode, same size, a later time
        handle.write(spoiled)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1000))
    with pytest.raises(TargetDataError, match="accountEnabled"):
        JsonFileDirectory(path).get("User", first)


@pytest.mark.parametrize("cut", [0, 10, 40])
def test_a_torn_note_is_not_believed(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "target.json"
    directory, first = _written_whole(path, [{**users()[0], "accountEnabled": False}, *users()[1:]])
    rules = directory._rules
    path.write_bytes(_spoil(path))
    _forge_written(path, rules)
    note = DocumentIndex.location(path)
    note.write_bytes(note.read_bytes()[:cut])  # a crash left the note (written without fsync) torn
    with pytest.raises(TargetDataError, match="accountEnabled"):
        JsonFileDirectory(path).get("User", first)


def test_a_reader_with_other_rules_checks_a_file_synctui_wrote(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    _, first = _written_whole(path, [{**users()[0], "accountEnabled": False}, *users()[1:]])
    path.write_bytes(_spoil(path))
    _forge_written(path, "the rules of another directory")
    with pytest.raises(TargetDataError, match="accountEnabled"):
        JsonFileDirectory(path).get("User", first)


def test_objects_rewritten_in_place_keep_a_written_version_trusted_and_an_edited_one_not(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    directory, target_id = _written_whole(path, users())
    for reads in range(3):  # unindexed, then indexed (the second read builds it), then kept
        on_demand = JsonFileDirectory(path)
        assert on_demand.read_one("User", target_id) is not None
        on_demand.update("User", target_id, Modification(replace={"displayName": f"Renamed {reads}"}))
        on_demand.flush()
        written = document_index.Written.of(path, FileVersion.of(path.stat()))
        assert written is not None and written.rules == directory._rules, reads
    assert JsonFileDirectory(path).get("User", target_id)["displayName"] == "Renamed 2"
    # A file someone else wrote, then rewritten in place by synctui: not trusted (its other objects
    # were never checked).
    document = orjson.loads(path.read_bytes())
    _write(path, document)
    on_demand = JsonFileDirectory(path)
    on_demand.read_one("User", target_id)
    on_demand.update("User", target_id, Modification(replace={"displayName": "Again"}))
    on_demand.flush()
    assert document_index.Written.of(path, FileVersion.of(path.stat())) is None


def test_a_version_synctui_wrote_reads_whole_as_written(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    written, _ = _written_whole(path, users())
    reread = JsonFileDirectory(path)  # the file is mapped, not read (see `_parsed_file`)
    assert reread.read_document() == orjson.loads(path.read_bytes())
    assert list(reread.read_all("User")) == list(written.read_all("User"))


def test_an_empty_file_noted_as_written_is_no_json(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    rules = _written_whole(path, users())[0]._rules
    path.write_bytes(b"")
    _forge_written(path, rules)
    with pytest.raises(TargetDataError, match="not valid JSON"):
        JsonFileDirectory(path).read_document()
