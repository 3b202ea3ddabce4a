"""A large source file read a piece at a time (connectors/document_pieces.py): the objects a cycle
gets are those a whole read gets, and a file with a fault fails as a whole read does."""

from __future__ import annotations

import os
import random
import weakref
from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui.connectors import _document, document_pieces
from synctui.connectors.base import SourceDataError
from synctui.connectors.document_pieces import PiecewiseObjects
from synctui.connectors.tenant import TenantDirectory
from synctui.fileio import atomic_write

INDENTED = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


@pytest.fixture(autouse=True)
def in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is large enough to be read in pieces, of a few objects each."""
    monkeypatch.setattr(_document, "PIECEWISE_BYTES", 0)
    monkeypatch.setattr(document_pieces, "PIECE", 3)


@pytest.fixture(params=[INDENTED, orjson.OPT_APPEND_NEWLINE], ids=["indented", "compact"])
def layout(request: pytest.FixtureRequest) -> int:
    return request.param


def _tenant(count: int) -> dict[str, Any]:
    # Ids JSON writes with escapes, and values that look like the layout.
    odd = ['quote"d', "back\\slash", "Ünïcode", "tab\there"]
    users = [
        {
            "id": odd[number] if number < len(odd) else f"u{number}",
            "displayName": f"Person {number}" + ('\n    },{"id":"x"' if number % 3 == 0 else ""),
            "accountEnabled": number % 4 != 0,
            "manager": None if number == 0 else "u5",
            "proxyAddresses": [f"SMTP:p{number}@contoso.example"] * (number % 3),
        }
        for number in range(count)
    ]
    groups = [{"id": "g1", "displayName": "All", "members": [user["id"] for user in users]}]
    assignments = [{"id": "a1", "principalId": "g1", "principalType": "Group", "resourceId": "r1", "appRoleId": "role"}]
    return {"users": users, "groups": groups, "appRoleAssignments": assignments}


def _write(path: Path, document: Any, layout: int) -> Path:
    path.write_bytes(orjson.dumps(document, option=layout))
    return path


def _whole(path: Path, object_type: str) -> dict[str, Any]:
    """The objects as a whole read holds them (their anchor under `id` only, as `read_all_shared` hands them out)."""
    document = TenantDirectory(path).read_document()
    return {obj["id"]: obj for obj in document[{"User": "users", "Group": "groups"}[object_type]]}


def test_the_objects_read_in_pieces_are_those_of_a_whole_read(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "tenant.json", _tenant(17), layout)
    source = TenantDirectory(path)
    for object_type in ("User", "Group"):
        whole = _whole(path, object_type)
        pieces = source.read_all_shared(object_type)
        assert isinstance(pieces, PiecewiseObjects)
        assert list(pieces) == list(whole) and len(pieces) == len(whole)
        assert dict(pieces.items()) == whole
        ids = list(whole)
        random.Random(1).shuffle(ids)
        assert [pieces.get(object_id) for object_id in ids] == [whole[object_id] for object_id in ids]
        assert [pieces[object_id] for object_id in whole] == list(whole.values())  # in order: a piece at a time
        assert "nobody" not in pieces and pieces.get("nobody") is None
    assert source.app_role_assignments("r1") == TenantDirectory(path).app_role_assignments("r1")
    assert source._document is None  # nothing parsed whole


def test_a_file_the_pieces_cannot_be_found_in_is_read_whole(tmp_path: Path) -> None:
    # Laid out neither as orjson compact nor with an indent of 2.
    path = tmp_path / "tenant.json"
    path.write_bytes(orjson.dumps(_tenant(5), option=orjson.OPT_INDENT_2).replace(b"\n", b"\n "))
    source = TenantDirectory(path)
    assert not isinstance(source.read_all_shared("User"), PiecewiseObjects)
    assert dict(source.read_all_shared("User")) == _whole(path, "User")


def _faults() -> list[Any]:
    def edited(change: Any) -> dict[str, Any]:
        document = _tenant(8)
        change(document)
        return document

    return [
        edited(lambda d: d["users"][6].update(id=d["users"][5]["id"])),  # an id twice
        edited(lambda d: d["users"][6].update(id="")),
        edited(lambda d: d["users"][6].update(id=7)),
        edited(lambda d: d["users"][6].pop("id")),
        edited(lambda d: d["users"][6].update(accountEnabled="yes")),  # a value of the wrong type
        edited(lambda d: d["users"].insert(6, ["not an object"])),
        edited(lambda d: d.update(groups={"id": "g1"})),  # not a list
        edited(lambda d: d.update(appRoleAssignments=[{"id": "a1"}])),
        ["not", "a", "document"],
    ]


@pytest.mark.parametrize("fault", range(len(_faults())))
def test_a_fault_in_the_file_fails_as_a_whole_read_does(
    tmp_path: Path, layout: int, monkeypatch: pytest.MonkeyPatch, fault: int
) -> None:
    path = _write(tmp_path / "tenant.json", _faults()[fault], layout)
    with pytest.raises(SourceDataError) as in_pieces:
        source = TenantDirectory(path)
        source.read_all_shared("User")
        source.read_all_shared("Group")
        source.app_role_assignments("r1")
    monkeypatch.setattr(_document, "PIECEWISE_BYTES", 1 << 62)
    with pytest.raises(SourceDataError) as whole:
        source = TenantDirectory(path)
        source.read_all_shared("User")
        source.read_all_shared("Group")
        source.app_role_assignments("r1")
    assert str(in_pieces.value) == str(whole.value)
    assert str(path) in str(in_pieces.value)


def test_a_file_cut_short_fails_with_the_line_and_column(tmp_path: Path, layout: int) -> None:
    path = tmp_path / "tenant.json"
    text = orjson.dumps(_tenant(8), option=layout)
    path.write_bytes(text[: len(text) // 2])
    with pytest.raises(SourceDataError, match="not valid JSON"):
        TenantDirectory(path).read_all_shared("User")


def test_a_file_replaced_while_a_cycle_reads_it_is_read_as_it_was(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "tenant.json", _tenant(8), layout)
    before = _whole(path, "User")
    pieces = TenantDirectory(path).read_all_shared("User")
    document = _tenant(8)
    document["users"][2]["displayName"] = "Someone else"
    atomic_write(path, [orjson.dumps(document, option=layout)])  # as synctui (and most editors) write
    assert dict(pieces.items()) == before and pieces.get("u6") == before["u6"]


def test_a_file_changed_in_place_while_a_cycle_reads_it_fails_the_cycle(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "tenant.json", _tenant(8), layout)
    pieces = TenantDirectory(path).read_all_shared("User")
    text = path.read_bytes().replace(b"Person 5", b"Person 9")
    with path.open("r+b") as handle:
        handle.write(text)
    os.utime(path, ns=(0, 0))  # a write in place within the time's granularity: the time told apart
    with pytest.raises(SourceDataError, match="changed while the cycle read it"):
        pieces.get("u5")


def test_a_small_file_is_parsed_whole(tmp_path: Path, layout: int, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "tenant.json", _tenant(8), layout)
    monkeypatch.setattr(_document, "PIECEWISE_BYTES", path.stat().st_size + 1)
    assert not isinstance(TenantDirectory(path).read_all_shared("User"), PiecewiseObjects)


def test_the_bytes_digested_are_those_read_in_pieces(tmp_path: Path, layout: int) -> None:
    """A cycle's quiet mark (engine/quiet.py) is of the bytes it reads: a file replaced between the
    digest and the read is read as digested, whole."""
    path = _write(tmp_path / "tenant.json", _tenant(8), layout)
    source = TenantDirectory(path)
    source.content_digest()
    digested = _whole(path, "User")
    document = _tenant(8)
    document["users"][2]["displayName"] = "Someone else"
    atomic_write(path, [orjson.dumps(document, option=layout)])
    assert dict(source.read_all_shared("User")) == digested
    same = TenantDirectory(path)
    same.content_digest()
    assert isinstance(same.read_all_shared("User"), PiecewiseObjects)
    assert same.content_digest() is None  # once read, the file's bytes no longer tell what it holds


def test_objects_handed_out_are_held_by_their_caller_alone(tmp_path: Path, layout: int) -> None:
    """A cycle lets its source's objects go before its last checkpoint: the directory keeps none."""
    path = _write(tmp_path / "tenant.json", _tenant(8), layout)
    source = TenantDirectory(path)
    pieces = source.read_all_shared("User")
    assert isinstance(pieces, PiecewiseObjects) and source.read_all_shared("User") is pieces
    held = weakref.ref(pieces)
    del pieces
    assert held() is None
    assert dict(source.read_all_shared("User")) == _whole(path, "User")  # asked again: read whole


def test_an_object_nested_in_an_item_as_an_item_starts_is_not_taken_for_one(tmp_path: Path, layout: int) -> None:
    document = _tenant(8)
    document["users"][4]["extra"] = [{"a": 1}, {"id": "u2", "b": [{"id": "u3"}]}]
    path = _write(tmp_path / "tenant.json", document, layout)
    assert dict(TenantDirectory(path).read_all_shared("User").items()) == _whole(path, "User")


def test_items_whose_id_is_not_their_first_key_are_read_whole(tmp_path: Path, layout: int) -> None:
    document = _tenant(8)
    document["users"][3] = {"displayName": "First", **document["users"][3]}
    path = _write(tmp_path / "tenant.json", document, layout)
    source = TenantDirectory(path)
    assert not isinstance(source.read_all_shared("User"), PiecewiseObjects)
    assert dict(source.read_all_shared("User")) == _whole(path, "User")
