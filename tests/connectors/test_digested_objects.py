"""A source's objects read with the digests of texts it gave before (`TextDigests`,
connectors/document_pieces.py): an item whose text has a known digest is not parsed, the others are
parsed and checked as a read in pieces does, and what the caller gets is what a whole read gets."""

from __future__ import annotations

import hashlib
from array import array
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from synctui.connectors import _document, document_pieces
from synctui.connectors.base import DigestedObjects, NotedRuns
from synctui.connectors.jsonfile import JsonFileDirectory
from synctui.connectors.tenant import TenantDirectory

INDENTED = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


@pytest.fixture(autouse=True)
def digested(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file is large enough to be read with digests; each call that parses items notes how many."""
    monkeypatch.setattr(_document, "DIGESTED_BYTES", 0)
    monkeypatch.setattr(document_pieces, "PIECE", 3)
    parsed: list[int] = []
    checked_items = document_pieces._checked_items

    def counted(texts: Any, *args: Any) -> Any:
        listed = list(texts)
        parsed.append(len(listed))
        return checked_items(listed, *args)

    monkeypatch.setattr(document_pieces, "_checked_items", counted)
    return parsed


@pytest.fixture(params=[INDENTED, orjson.OPT_APPEND_NEWLINE], ids=["indented", "compact"])
def layout(request: pytest.FixtureRequest) -> int:
    return request.param


def _user(number: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"u{number}", "displayName": f"Person {number}", "jobTitle": "Rep", "accountEnabled": True, **extra}


def _write(path: Path, users: list[dict[str, Any]], layout: int) -> Path:
    groups = [{"id": "g1", "displayName": "All", "members": [user["id"] for user in users]}]
    path.write_bytes(orjson.dumps({"users": users, "groups": groups}, option=layout))
    return path


def _read(
    path: Path, known: dict[str, dict[bytes, str]], runs: dict[str, NotedRuns] | None = None
) -> dict[str, DigestedObjects]:
    read = TenantDirectory(path).digested_objects(known, runs)
    assert read is not None
    return read


def _known(read: DigestedObjects) -> dict[bytes, str]:
    return {digest: object_id for object_id, digest in read.digests.items()}


def _whole(path: Path) -> dict[str, Any]:
    return {user["id"]: user for user in TenantDirectory(path).read_document()["users"]}


def test_known_texts_are_not_parsed_and_the_objects_are_those_of_a_whole_read(
    tmp_path: Path, layout: int, digested: list[int]
) -> None:
    path = _write(tmp_path / "tenant.json", [_user(n) for n in range(10)], layout)
    first = _read(path, {"User": {}, "Group": {}})
    assert sum(digested) == 11  # every item parsed: none known
    assert dict(first["User"].objects) == _whole(path)
    assert list(first["User"].digests) == [f"u{n}" for n in range(10)]
    assert len(set(first["User"].digests.values())) == 10

    # u3 edited in place (same length), u7 gone, u10 new, u0 moved to the end: only u3 and u10 parsed.
    users = [_user(n, jobTitle="Ops" if n == 3 else "Rep") for n in (*range(1, 7), 8, 9, 10, 0)]
    _write(path, users, layout)
    digested.clear()
    again = _read(path, {"User": _known(first["User"]), "Group": _known(first["Group"])})
    assert sum(digested) == 3  # u3, u10 and the group, whose members changed
    assert dict(again["User"].objects) == _whole(path)
    assert list(again["User"].objects) == [user["id"] for user in users]
    unchanged = {object_id for object_id, digest in again["User"].digests.items() if digest in _known(first["User"])}
    assert unchanged == {f"u{n}" for n in (0, 1, 2, 4, 5, 6, 8, 9)}


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("note", ["none", "of another file"])
def test_a_read_with_no_digest_known_hands_out_a_whole_reads_objects_and_digests_a_later_read_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digested: list[int], layout: int, large: bool, note: str
) -> None:
    """The first look of a job (no note, or one none of whose digests is of this file's texts)
    parses each item once and hands out what a whole read would; the next read, given the digests
    it made, parses none."""
    monkeypatch.setattr(_document, "PIECEWISE_BYTES", 0 if large else 10**9)
    path = _write(tmp_path / "tenant.json", [_user(n, note="x" * n) for n in range(8)], layout)
    other = _write(tmp_path / "other.json", [_user(n) for n in range(3)], layout)
    known = {"User": {} if note == "none" else _known(_read(other, {"User": {}})["User"]), "Group": {}}
    digested.clear()
    first = _read(path, known)
    assert sum(digested) == 9  # each item parsed once (8 users, 1 group)
    assert dict(first["User"].objects) == _whole(path)
    assert isinstance(first["User"].objects, document_pieces.ParsedObjects) is not large

    digested.clear()
    again = _read(path, {"User": _known(first["User"]), "Group": _known(first["Group"])})
    assert digested == []  # every text known: none parsed again
    assert again["User"].digests == first["User"].digests
    assert dict(again["User"].objects) == _whole(path)


@pytest.mark.parametrize("known_share", [0, 2])
def test_each_digest_is_of_the_text_its_objects_id_was_parsed_from(tmp_path: Path, known_share: int) -> None:
    """Texts of different lengths, in a compact file (each item's text is orjson's text of it):
    a digest paired with the id of the item before or after it would not be its text's."""
    users = [_user(n, note="x" * (7 * n % 5)) for n in range(9)]
    path = _write(tmp_path / "tenant.json", users, orjson.OPT_APPEND_NEWLINE)
    first = _read(path, {"User": {}})["User"].digests
    # Some known (every `known_share`-th), the others parsed: both ways pair each id with its text.
    known = {
        digest: object_id for n, (object_id, digest) in enumerate(first.items()) if known_share and n % known_share
    }
    digests = _read(path, {"User": known})["User"].digests
    for read in (first, digests):
        assert {object_id: digest[:32] for object_id, digest in read.items()} == {
            user["id"]: hashlib.sha256(orjson.dumps(user)).digest() for user in users
        }


@pytest.mark.parametrize("large", [False, True])
def test_objects_parsed_as_a_file_read_whole_would_be_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """A file small enough to be read whole keeps the objects parsed to prove it, and hands them
    out without reading them again; a larger one keeps none (it would hold them all)."""
    path = _write(tmp_path / "tenant.json", [_user(n) for n in range(5)], INDENTED)
    monkeypatch.setattr(_document, "PIECEWISE_BYTES", 0 if large else 10**9)
    read = _read(path, {"User": {}})["User"]
    texts_read: list[int] = []
    text = document_pieces.DocumentPieces.text

    def noted(pieces: Any, start: int, end: int) -> bytes:
        texts_read.append(start)
        return text(pieces, start, end)

    monkeypatch.setattr(document_pieces.DocumentPieces, "text", noted)
    assert dict(read.objects) == _whole(path)
    assert bool(texts_read) == large


def test_a_digest_covers_the_rules_the_text_was_checked_by(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "tenant.json", [_user(1)], layout)
    as_tenant = _read(path, {"User": {}})["User"].digests
    # The same text in a file of another directory, whose users follow other rules.
    other_path = tmp_path / "target.json"
    other_path.write_bytes(orjson.dumps({"User": [_user(1)]}, option=layout))
    other = JsonFileDirectory(other_path).digested_objects({"User": {}})
    assert other is not None and other["User"].digests["u1"] != as_tenant["u1"]


def test_a_known_text_twice_is_an_id_twice_and_no_read(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "tenant.json", [_user(1), _user(2)], layout)
    known = _known(_read(path, {"User": {}})["User"])
    _write(path, [_user(1), _user(2), _user(1)], layout)
    assert TenantDirectory(path).digested_objects({"User": known}) is None  # the whole read names the fault
    with pytest.raises(Exception, match="u1"):
        TenantDirectory(path).read_document()


def test_a_text_not_known_is_checked(tmp_path: Path, layout: int) -> None:
    path = _write(tmp_path / "tenant.json", [_user(1), _user(2)], layout)
    known = _known(_read(path, {"User": {}})["User"])
    _write(path, [_user(1), _user(2, accountEnabled="often")], layout)
    assert TenantDirectory(path).digested_objects({"User": known}) is None


def test_digests_only_for_a_first_read_of_a_file_large_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "tenant.json", [_user(1)], INDENTED)
    source = TenantDirectory(path)
    source.read_all_shared("User")
    assert source.digested_objects({"User": {}}) is None  # read already
    monkeypatch.setattr(_document, "DIGESTED_BYTES", 10**9)
    small = TenantDirectory(path)
    assert small.digested_objects({"User": {}}) is None
    assert dict(small.read_all_shared("User")) == _whole(path)  # read whole, as ever


# --- runs of texts --------------------------------------------------------------------------------


def _noted_runs(read: DigestedObjects) -> dict[bytes, tuple[list[bytes], list[str]]]:
    """The runs a read made, as a caller that noted them gives them back (see `NotedRuns`)."""
    digests, ids = list(read.digests.values()), list(read.digests)
    runs, first = {}, 0
    for run, texts in read.runs:
        runs[run] = (digests[first : first + texts], ids[first : first + texts])
        first += texts
    return runs


def test_a_run_as_it_was_stands_for_its_texts_digests(tmp_path: Path, layout: int, digested: list[int]) -> None:
    """Texts digested one by one only in the runs that changed; the digests and objects handed out
    are those of a read that digests every text."""
    users = [_user(n, note="x" * (n % 37)) for n in range(400)]
    path = _write(tmp_path / "tenant.json", users, layout)
    first = _read(path, {"User": {}, "Group": {}})["User"]
    assert sum(texts for _, texts in first.runs) == 400 and len(first.runs) > 4
    users[123]["jobTitle"] = "Lead"  # one text changed, one gone, one new
    del users[300]
    users.insert(50, _user(1000))
    _write(path, users, layout)
    sha256 = hashlib.sha256
    texts_digested: list[int] = []

    def counted(data: Any = b"") -> Any:
        texts_digested.append(len(data))
        return sha256(data)

    digested.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document_pieces.hashlib, "sha256", counted)
        again = _read(path, {"User": _known(first), "Group": {}}, {"User": _noted_runs(first)})["User"]
    assert sum(digested) == 3  # u123, u1000 and the group
    expected = _read(path, {"User": _known(first), "Group": {}})["User"]
    assert dict(again.digests) == dict(expected.digests) and again.runs == expected.runs
    assert dict(again.objects) == _whole(path)
    # Each run digested, and the texts of the runs around the three changes (each run at most RUN_ITEMS).
    assert len(texts_digested) <= len(again.runs) + 6 * document_pieces.RUN_ITEMS
    assert len(texts_digested) < len(again.runs) + 400 // 2


@given(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=400), st.data())
def test_runs_cut_every_item_once_and_an_edit_moves_only_the_runs_next_to_it(lengths: list[int], data: Any) -> None:
    def runs(lengths: list[int]) -> list[tuple[int, int]]:
        starts = array("q", accumulate([0, *(length + 1 for length in lengths)]))[:-1]
        ends = array("q", (start + length for start, length in zip(starts, lengths, strict=True)))
        cut = document_pieces._runs(starts, ends)
        assert [item for first, upto in cut for item in range(first, upto)] == list(range(len(lengths)))
        assert all(0 < upto - first <= document_pieces.RUN_ITEMS for first, upto in cut)
        return cut

    at = data.draw(st.integers(min_value=0, max_value=len(lengths) - 1))
    edited = [*lengths[:at], data.draw(st.integers(min_value=1, max_value=300)), *lengths[at + 1 :]]
    before, after = runs(lengths), runs(edited)
    # The runs that ended before the edited item are as they were…
    ended = [(first, upto) for first, upto in before if upto <= at]
    assert after[: len(ended)] == ended
    # … and so are those after the first item past it whose length ends a run.
    ends_run = [n for n in range(at + 1, len(lengths)) if lengths[n] & document_pieces.RUN_BITS == 0]
    if ends_run:
        assert [run for run in before if run[0] > ends_run[0]] == [run for run in after if run[0] > ends_run[0]]
