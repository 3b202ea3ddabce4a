"""Provision on demand's search of a compact file just written (no index yet, see
connectors/_document.py `_in_compact_text`): an object is taken from the text only once the text
before it is proven to be its collection's items, valid JSON, in the document's top level; any
other text is read whole (and its fault reported) as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui.connectors import _document
from synctui.connectors.base import TargetDataError
from synctui.connectors.document_index import DocumentIndex, FileVersion
from synctui.connectors.jsonfile import JsonFileDirectory


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of a few items, so that a small file is checked in many of them."""
    monkeypatch.setattr(_document, "_PIECE", 100)


def _people(count: int) -> list[dict[str, Any]]:
    # Lists of objects whose first key is "id", as a cut between pieces would find them.
    return [
        {
            "id": f"u{number}",
            "displayName": f'Person {number} }},{{"id":',
            "sponsors": [{"id": f"s{number}a"}, {"id": f"s{number}b"}] if number % 4 == 1 else [],
        }
        for number in range(count)
    ]


def _searched(path: Path, object_type: str, object_id: str) -> dict[str, Any] | None:
    """The object as a first read of this version of the file finds it: by a search of its text
    (asserted), never through an index."""
    DocumentIndex.remove(path)
    directory = JsonFileDirectory(path)
    found = directory.read_one(object_type, object_id)
    assert directory._document is None  # found in the text: the document was not read
    return found


def test_each_object_is_found_in_a_compact_text_as_the_whole_read_finds_it(tmp_path: Path) -> None:
    document = {"Group": [{"id": "g1", "displayName": "G"}], "User": _people(30), "after": [1, {"id": "x"}]}
    path = tmp_path / "target.json"
    path.write_bytes(orjson.dumps(document))
    whole = JsonFileDirectory(path)
    for user in document["User"]:
        assert _searched(path, "User", user["id"]) == whole.get("User", user["id"]) == user
    assert _searched(path, "Group", "g1") == whole.get("Group", "g1")


@pytest.mark.parametrize(
    "text",
    [
        # the collection's key also a key of another collection's item; the file's "User" is empty
        b'{"Group":[{"id":"g1","User":[{"id":"u9"}]}],"User":[]}',
        b'{"Group":[{"id":"g1","x":{"User":[{"id":"u9"}]}}],"User":[]}',
        # an item's list of the same name
        b'{"User":[{"id":"u1","User":[{"id":"u9"}]}]}',
        # not in the top level's object at all
        b'{"x":[{"User":[{"id":"u9"}]}],"User":[]}',
    ],
)
def test_an_object_under_a_key_named_as_the_collection_is_not_taken_for_one_of_it(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "target.json"
    path.write_bytes(text)
    assert JsonFileDirectory(path).read_one("User", "u9") is None
    assert JsonFileDirectory(path).get("User", "u9") is None


@pytest.mark.parametrize(
    "fault",
    [
        b'"x":[1,,2],',  # before the collection
        b'"x":"\xff",',  # not UTF-8 before the collection
    ],
)
def test_a_fault_before_the_collection_is_reported_as_the_whole_read_reports_it(tmp_path: Path, fault: bytes) -> None:
    path = tmp_path / "target.json"
    path.write_bytes(b"{" + fault + orjson.dumps({"User": _people(3)})[1:])
    with pytest.raises(TargetDataError, match="not valid JSON"):
        JsonFileDirectory(path).read_one("User", "u2")


@pytest.mark.parametrize(
    "fault",
    [
        (b'"displayName":"Person 12', b'"displayName":01,"x":"Person 12'),
        (b'"displayName":"Person 12', b'"displayName":"\xc0\xaf","x":"Person 12'),
        (b'"displayName":"Person 12', b'"displayName":"tab\t","x":"Person 12'),
        (b'{"id":"s13a"}', b'{"id":"s13a",}'),
        (b'{"id":"u12"', b'{"id":"u12"}{"id":"u12b"'),
    ],
    ids=["number", "utf-8", "control", "comma", "two-values"],
)
def test_a_fault_among_the_items_before_an_object_is_reported_as_the_whole_read_reports_it(
    tmp_path: Path, fault: tuple[bytes, bytes]
) -> None:
    path = tmp_path / "target.json"
    text = orjson.dumps({"User": _people(30)})
    assert text.count(fault[0]) == 1
    path.write_bytes(text.replace(*fault))
    with pytest.raises(TargetDataError, match="not valid JSON"):
        JsonFileDirectory(path).read_one("User", "u25")
    # The text before an object is all that is proven: an object before the fault is found in it.
    assert _searched(path, "User", "u3") == _people(30)[3]


@pytest.mark.parametrize(
    "text",
    [
        b'{"Group":[{"id":"g1","User":[]}],"User":[{"id":"u1"},{"id":"u9"}]}',  # the first "User":[ nested
        b'{"User":[{"id":"u1","User":[]},{"id":"u9"}]}',  # the last one before the object nested
        b'{"x":"\\"User\\":[","User":[{"id":"u9"}]}',  # in a string
    ],
)
def test_the_collection_is_found_after_a_key_of_the_same_name_elsewhere(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "target.json"
    path.write_bytes(text)
    assert _searched(path, "User", "u9") == {"id": "u9"}


def test_an_id_is_told_from_the_longer_ids_it_starts(tmp_path: Path) -> None:
    people = [{"id": object_id} for object_id in ("u12", "u1", "u123", 'u1"', "u1\\")]
    path = tmp_path / "target.json"
    path.write_bytes(orjson.dumps({"User": people}))
    for person in people:
        assert _searched(path, "User", person["id"]) == person
    path.write_bytes(orjson.dumps({"User": [*people, {"id": "u1", "displayName": "Twin"}]}))
    with pytest.raises(TargetDataError, match="is also the id of"):
        JsonFileDirectory(path).read_one("User", "u1")


@pytest.mark.parametrize(
    "fault",
    [
        (b'"displayName":"Person 12"', b'"displayName":"\xc0\xaf"'),  # not UTF-8
        (b'"tags":[12]', b'"tags":[012]'),
        (b'"tags":[12]', b'"tags":[12,]'),
        (b'{"id":"u12",', b'{"id":5,"x":"u12",'),  # an id that is no string
    ],
    ids=["utf-8", "number", "comma", "id"],
)
def test_a_compact_file_with_a_fault_among_its_items_is_not_indexed(tmp_path: Path, fault: tuple[bytes, bytes]) -> None:
    path = tmp_path / "target.json"
    text = orjson.dumps({"User": [{"id": f"u{n}", "displayName": f"Person {n}", "tags": [n]} for n in range(30)]})
    path.write_bytes(text)
    index = DocumentIndex.build(text, FileVersion.of(path.stat()), ["User"])
    assert index is not None and index.find("User", "u29") is not None
    assert text.count(fault[0]) == 1
    faulty = text.replace(*fault)
    path.write_bytes(faulty)
    assert DocumentIndex.build(faulty, FileVersion.of(path.stat()), ["User"]) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (b'{"User":[{"id":"u1"},{"id":"u2","x":[1]}],"Group":[{"id":"g1"},{"id":"g9"}]}', True),
        (b'{"User":[],"Group":[{"id":"g9"}]}', True),
        (b'{"User":[{"id":"u1"}],"x":[1],"Group":[{"id":"g9"}]}', True),  # another key between
        (b'{"User":[{"id":"u1","x":[1,,2]}],"Group":[{"id":"g9"}]}', "not valid JSON"),
        (b'{"User":[{"id":"u1","x":"\xff"}],"Group":[{"id":"g9"}]}', "not valid JSON"),
        (b'{"User":[{"id":"u1","x":[1]],"Group":[{"id":"g9"}]}', "not valid JSON"),
        (b'{"User":[{"id":"u1","y":[{"id":"u2"}],"Group":[{"id":"g9"}]}],"Group":[]}', None),
        (b'{"User":[{"id":"u1","y":[],"Group":[{"id":"g9"}]}],"Group":[]}', None),
    ],
)
def test_a_collection_after_another_is_proven_from_that_ones_items(
    tmp_path: Path, text: bytes, found: bool | str | None
) -> None:
    path = tmp_path / "target.json"
    path.write_bytes(text)
    if found is True:
        assert _searched(path, "Group", "g9") == {"id": "g9"}
    elif found is None:
        assert JsonFileDirectory(path).read_one("Group", "g9") is None
    else:
        with pytest.raises(TargetDataError, match=found):
            JsonFileDirectory(path).read_one("Group", "g9")
