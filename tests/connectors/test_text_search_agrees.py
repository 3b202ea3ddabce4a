"""Provision on demand reads one object, and the tenant's assignments, from the file's text
(connectors/_document.py) or through the file's index (document_index.py) instead of parsing the
whole document. The whole read (orjson) is the reference: what the text answers is what the whole
read answers, or the text defers to it. JSON allows a key or a string to be spelled in more than
one way (`"us\\u0065rs"` is `"users"`), and a file can be written by other writers than orjson;
these tests spell small tenants so, in the layouts the searches know and others."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.connectors import json_checks
from synctui.connectors.base import DirectoryDataError
from synctui.connectors.document_index import DocumentIndex, FileVersion
from synctui.connectors.tenant import TenantDirectory


def _assignment(number: int, principal: str = "u1") -> dict[str, str]:
    return {
        "id": f"a{number}",
        "principalId": principal,
        "principalType": "User",
        "resourceId": "app",
        "appRoleId": "r",
    }


def _read(path: Path, object_type: str, object_id: str, *, alone: bool) -> Any:
    """(object, assignments) as a new directory reads them: the object alone (`read_one`, as
    provision on demand does) or from the whole document; "refused" when it refuses the file."""
    tenant = TenantDirectory(path)
    try:
        found = tenant.read_one(object_type, object_id) if alone else tenant.get(object_type, object_id)
        return found, tenant.app_role_assignments("app")
    except DirectoryDataError:
        return "refused"


def _each_read(path: Path, object_type: str, object_id: str) -> list[Any]:
    """What provision on demand reads from a file version read for the first time (its text
    searched), then again (its index built), then what the whole read has."""
    DocumentIndex.remove(path)
    return [
        _read(path, object_type, object_id, alone=True),
        _read(path, object_type, object_id, alone=True),
        _read(path, object_type, object_id, alone=False),
    ]


# --- spellings of small tenants, in several layouts ---------------------------------------------

# Stand-ins for keys a Python dict cannot hold twice, replaced in the text by a spelling with escapes.
_RESPELLED_KEYS = {
    '"USERS_AGAIN"': b'"us\\u0065rs"',
    '"ID_AGAIN"': b'"\\u0069d"',
    '"ASSIGNMENTS_AGAIN"': b'"appRole\\u0041ssignments"',
}
# A stand-in replaced by text a Python dict cannot hold: the users' key a second time, spelled as
# orjson writes it (the whole read keeps the last one's value).
_VERBATIM = {'"USERS_TWICE"': b'"users"'}


_IDS = ["u1", "u2", "u12", "g1"]


@st.composite
def _tenants(draw: st.DrawFn) -> tuple[bytes, str, str]:
    """(file text, object type, object id to read)."""

    def user(object_id: str) -> dict[str, Any]:
        obj: dict[str, Any] = {"id": object_id, "displayName": draw(st.sampled_from(["Ann", "Bo/b", "Zoë"]))}
        if draw(st.integers(0, 5)) == 0:
            obj["ID_AGAIN"] = draw(st.sampled_from(_IDS))
        if draw(st.integers(0, 5)) == 0:
            obj["users"] = [{"id": draw(st.sampled_from(_IDS))}]  # a nested key named as the collection
        return obj

    members = {
        "users": [
            user(object_id)
            for object_id in draw(st.lists(st.sampled_from(_IDS[:3]), min_size=1, max_size=3, unique=True))
        ],
        "groups": [{"id": "g1", "displayName": "G"}, *([{"id": "u12"}] if draw(st.booleans()) else [])]
        if draw(st.booleans())
        else [],
    }
    extras: dict[str, Any] = {}
    for key, value in (
        ("appRoleAssignments", [_assignment(1)]),
        ("ASSIGNMENTS_AGAIN", [_assignment(2, "u2")]),
        ("USERS_AGAIN", [{"id": "u2", "displayName": "Again"}]),
        ("USERS_TWICE", [{"id": "u1", "displayName": "Twice"}]),
        ("notes", {"users": [{"id": "u1"}], "id": "u2"}),
    ):
        if draw(st.integers(0, 3)) == 0:
            extras[key] = value
    keys = list(members) + list(extras)
    order = draw(st.permutations(keys))
    document = {key: members.get(key, extras.get(key)) for key in order}
    writer = draw(st.sampled_from(["orjson", "orjson", "orjson indented", "orjson indented", "json", "json indented"]))
    if writer.startswith("orjson"):
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2 if writer.endswith("indented") else 0)
    else:
        # `, ` and `: ` (or an indent of 2); every character that is not ASCII escaped, or not.
        ascii_only = draw(st.booleans())
        text = json.dumps(document, indent=2 if writer.endswith("indented") else None, ensure_ascii=ascii_only).encode()
    for stand_in, spelling in {**_RESPELLED_KEYS, **_VERBATIM}.items():
        text = text.replace(stand_in.encode(), spelling)
    if writer.endswith("indented") and draw(st.booleans()):
        # A hand edit: a collection closed on its last item's line, the next one's key after it
        # (`{"id": "a"}], "groups": [`), the layout otherwise as an indent of 2 leaves it.
        closings = [found.span() for found in re.finditer(rb'\n    \}\n  \],\n  (?="users"|"groups")', text)]
        if closings:
            start, end = draw(st.sampled_from(closings))
            text = text[:start] + b"}], " + text[end:]
    # An id spelled with escapes, at one of its places (or none: a file whose ids are all as
    # orjson spells them is indexed); `/` as `\/`.
    respelled = draw(st.sampled_from(_IDS))
    places = text.split(orjson.dumps(respelled))
    if len(places) > 1 and draw(st.integers(0, 2)) == 0:
        at = draw(st.integers(1, len(places) - 1))
        spelling = b'"' + b"".join(b"\\u%04x" % ord(char) for char in respelled) + b'"'
        text = orjson.dumps(respelled).join(places[:at]) + spelling + orjson.dumps(respelled).join(places[at:])
    if draw(st.booleans()):
        text = text.replace(b"Bo/b", b"Bo\\/b")
    if draw(st.integers(0, 3)) == 0:  # a space before a key's `:`, as a hand edit leaves it
        key = orjson.dumps(draw(st.sampled_from(order)))
        text = text.replace(key + b":", key + b" :", 1)
    present = [obj["id"] for obj in members["users"] + members["groups"]]
    object_id = draw(st.sampled_from(present)) if present and draw(st.integers(0, 3)) else draw(st.sampled_from(_IDS))
    return text, draw(st.sampled_from(["User", "Group"])), object_id


@settings(max_examples=300)
@given(_tenants())
def test_the_text_and_the_index_answer_as_the_whole_read(tenant: tuple[bytes, str, str]) -> None:
    """(A number orjson refuses, `1e400`, before the object is not generated: the whole read refuses
    such a file, and the search leaves it to a cycle's, see `JsonDocumentDirectory._find_in_text`.
    Nor a hand edit that moves a top-level key that is no collection onto a line of another
    value's: the search of such a value, `_value_from_text`, trusts an indented file's lines.)"""
    text, object_type, object_id = tenant
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.json"
        path.write_bytes(text)
        searched, indexed, whole = _each_read(path, object_type, object_id)
        # A file the whole read refuses for a fault elsewhere (another object's id twice) may give
        # the object read: a cycle reports the fault (the tests below cover the object's own).
        if whole != "refused":
            assert searched == whole
            assert indexed == whole


# --- each disagreement found, fixed ----------------------------------------------------------------


def _users(count: int) -> list[dict[str, Any]]:
    return [{"id": f"u{number}", "displayName": f"Person {number}"} for number in range(count)]


def _as_read(obj: dict[str, Any]) -> dict[str, Any]:
    """An object as the tenant gives it: with Entra's anchor, `objectId`."""
    return {**obj, "objectId": obj["id"]}


@pytest.mark.parametrize("indent", [0, orjson.OPT_INDENT_2])
@pytest.mark.parametrize(
    "spelling", [b'"appRole\\u0041ssignments"', b'"\\u0061ppRoleAssignments"', b'"appRoleAssignments" ']
)
def test_the_assignments_key_spelled_otherwise_is_found(tmp_path: Path, indent: int, spelling: bytes) -> None:
    """Spelled with an escape (which orjson reads as the same key), or a space before its `:`, the
    key is not what the text search looked for: it concluded that the tenant had no assignments."""
    document = {"users": _users(5), "groups": [], "appRoleAssignments": [_assignment(1)]}
    text = orjson.dumps(document, option=indent).replace(b'"appRoleAssignments"', spelling)
    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert _each_read(path, "User", "u3") == [(_as_read(_users(5)[3]), [_assignment(1)])] * 3


@pytest.mark.parametrize("indent", [0, orjson.OPT_INDENT_2])
@pytest.mark.parametrize(
    ("original", "spelling"),
    [
        (b'"u3"', b'"\\u00753"'),  # the id
        (b'"id"', b'"\\u0069d"'),  # the "id" key
    ],
)
def test_an_id_twice_one_spelled_otherwise_is_refused_as_the_whole_read_refuses_it(
    tmp_path: Path, indent: int, original: bytes, spelling: bytes
) -> None:
    document = {"users": [*_users(5), {"id": "u3", "displayName": "Twin"}], "groups": []}
    text = orjson.dumps(document, option=indent)
    last = text.rfind(original, 0, text.find(b"Twin"))
    path = tmp_path / "directory.json"
    path.write_bytes(text[:last] + spelling + text[last + len(original) :])
    assert _each_read(path, "User", "u3") == ["refused"] * 3


@pytest.mark.parametrize("indent", [0, orjson.OPT_INDENT_2])
def test_the_collection_key_again_spelled_otherwise_holds_the_collection(tmp_path: Path, indent: int) -> None:
    """orjson keeps a key's last value: `"us\\u0065rs"` after `"users"` replaces the users."""
    text = orjson.dumps({"users": _users(5), "groups": [], "later": [{"id": "u9"}]}, option=indent)
    path = tmp_path / "directory.json"
    path.write_bytes(text.replace(b'"later"', b'"us\\u0065rs"'))
    assert _each_read(path, "User", "u3") == [(None, [])] * 3
    assert _each_read(path, "User", "u9") == [(_as_read({"id": "u9"}), [])] * 3


@pytest.mark.parametrize("object_type", ["User", "Group"])
def test_a_collection_closed_on_an_items_line_is_not_read_by_its_lines(tmp_path: Path, object_type: str) -> None:
    """A hand edit that keeps orjson's indent but closes the users on an item's line: the lines
    of the group after it are those of a user, and the search and the index read it as one."""
    text = orjson.dumps({"users": _users(3), "groups": [{"id": "g1"}, {"id": "g2"}]}, option=orjson.OPT_INDENT_2)
    closing = text.index(b'\n    }\n  ],\n  "groups"')
    path = tmp_path / "directory.json"
    path.write_bytes(text[:closing] + b"}], " + text[closing + 14 :])
    expected = _as_read({"id": "g2"}) if object_type == "Group" else None
    assert _each_read(path, object_type, "g2") == [(expected, [])] * 3


@pytest.mark.parametrize("indent", [0, orjson.OPT_INDENT_2])
def test_the_collection_key_again_after_the_object_holds_the_collection(tmp_path: Path, indent: int) -> None:
    """Spelled as orjson writes it, the key again after the object passed the search, which took the first."""
    text = orjson.dumps({"users": _users(5), "groups": [], "later": [{"id": "u9"}]}, option=indent)
    path = tmp_path / "directory.json"
    path.write_bytes(text.replace(b'"later"', b'"users"'))
    assert _each_read(path, "User", "u3") == [(None, [])] * 3
    assert _each_read(path, "User", "u9") == [(_as_read({"id": "u9"}), [])] * 3


@pytest.mark.parametrize(
    "text",
    [
        b'{\n  "users": [\n    {\n      "id": "a",\n      "sub":\n    {\n      "id": "g1"\n    }\n    }\n  ]\n}',
        b'{\n  "users": [\n    {\n      "id": "a",\n      "x": 1}], "groups": [{"id": "g0"\n    },\n'
        b'    {\n      "id": "g1"\n    }\n  ]\n}',
        b'{\n  "users": [\n    {\n      "id": "a"\n    }\n  ], "groups": [\n    {\n      "id": "g1"\n    }\n  ]\n}',
    ],
    ids=["nested", "reopened-before-an-item", "closed-on-its-own-line"],
)
def test_an_object_whose_lines_are_a_users_is_no_user(tmp_path: Path, text: bytes) -> None:
    """Other hand edits that keep the lines of the object `g1` those of an item of the users."""
    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert _each_read(path, "User", "g1") == [(None, [])] * 3


def test_a_key_moved_into_another_values_lines_is_not_indexed(tmp_path: Path) -> None:
    """The lines of an indented file say where each top-level value runs: a hand edit that puts
    the users' key again inside the lines of another value hid it from the index."""
    text = orjson.dumps({"users": _users(1), "notes": {"a": 1, "b": {"c": 2}}}, option=orjson.OPT_INDENT_2)
    edited = text.replace(b'"a": 1,\n    "b"', b'"a": 1}, "users": [{"id": "u9"}], "b": {"x": 0,\n    "b"')
    path = tmp_path / "directory.json"
    path.write_bytes(edited)
    assert [user["id"] for user in orjson.loads(edited)["users"]] == ["u9"]
    assert _each_read(path, "User", "u0") == [(None, [])] * 3


def test_an_indented_file_whose_ids_are_spelled_otherwise_is_not_indexed(tmp_path: Path) -> None:
    """The index finds an id by orjson's spelling: a twin spelled otherwise hid from its check."""
    text = orjson.dumps({"users": [*_users(3), {"id": "u1"}]}, option=orjson.OPT_INDENT_2)
    twin = text.rfind(b'"u1"')
    text = text[:twin] + b'"\\u0075\\u0031"' + text[twin + 4 :]
    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert DocumentIndex.build(text, FileVersion.of(path.stat()), ["users"]) is None
    escaped_alone = text.replace(b'"u1"', b'"u7"')
    assert DocumentIndex.build(escaped_alone, FileVersion.of(path.stat()), ["users"]) is None
    path.write_bytes(orjson.dumps({"users": [*_users(3), {"id": 'u"\\'}]}, option=orjson.OPT_INDENT_2))
    # Escapes as orjson writes them (`\"`, `\\`) are its spelling: that file is indexed.
    assert DocumentIndex.build(path.read_bytes(), FileVersion.of(path.stat()), ["users"]) is not None


def test_a_file_with_a_byte_order_mark_is_refused_as_the_whole_read_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_bytes(b"\xef\xbb\xbf" + orjson.dumps({"users": _users(3)}, option=orjson.OPT_INDENT_2))
    assert _each_read(path, "User", "u1") == ["refused"] * 3
    with pytest.raises(DirectoryDataError, match="byte order mark"):
        TenantDirectory(path).read_one("User", "u1")  # (not only once the assignments are read)


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_text_nested_deeper_than_the_checks_follow_is_left_to_the_whole_read(tmp_path: Path) -> None:
    """msgspec stops at Python's recursion limit (1,000 calls), orjson at 1,024 levels: between
    them the checks raised RecursionError out of provision on demand."""
    deep = b'{"users":[{"id":"u0","x":' + _nested(990) + b'},{"id":"u1"}],"groups":[]}'
    path = tmp_path / "directory.json"
    path.write_bytes(deep)
    assert orjson.loads(deep)["users"][1] == {"id": "u1"}
    assert _each_read(path, "User", "u1") == [(_as_read({"id": "u1"}), [])] * 3
    assert not json_checks.valid_json(_nested(1_000))
    assert json_checks.item_ids(b'[{"id":"u0","x":' + _nested(1_000) + b"}]") is None


@pytest.mark.parametrize("layout", ["compact", "indented"])
def test_an_object_nested_too_deep_for_the_document_is_refused(tmp_path: Path, layout: str) -> None:
    """Alone, the object's text is 1,023 levels deep, which orjson reads; in the document it is
    1,025, which orjson refuses."""
    value = _nested(1_022)
    if layout == "compact":
        text = b'{"users":[{"id":"u1","x":' + value + b"}]}"
    else:
        text = b'{\n  "users": [\n    {\n      "id": "u1",\n      "x": ' + value + b"\n    }\n  ]\n}"
    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert _each_read(path, "User", "u1") == ["refused"] * 3


@pytest.mark.parametrize(
    "value",
    [b"NaN", b"-Infinity", b'{"a":[' + _nested(1_000) + b"]}", b'"\\ud800"'],
    ids=["nan", "infinity", "deep", "surrogate"],
)
def test_a_compact_file_with_a_top_level_value_that_is_no_json_is_not_indexed(tmp_path: Path, value: bytes) -> None:
    """Python's `json`, which found where such a value ends, reads NaN and Infinity."""
    text = b'{"x":' + value + b',"users":[{"id":"u1"}]}'
    assert DocumentIndex.build(text, FileVersion(len(text), 0, 0), ["users"]) is None


@pytest.mark.parametrize("layout", ["compact", "indented"])
def test_a_top_level_key_that_is_no_json_string_is_refused_as_the_whole_read_refuses_it(
    tmp_path: Path, layout: str
) -> None:
    """Building the index of the file (its second read) raised orjson's error out of provision on demand."""
    document = {"KEY": 1, "users": _users(3)}
    text = orjson.dumps(document, option=0 if layout == "compact" else orjson.OPT_INDENT_2)
    path = tmp_path / "directory.json"
    path.write_bytes(text.replace(b'"KEY"', b'"\\ud800"'))
    assert _each_read(path, "User", "u1") == ["refused"] * 3


def test_each_top_level_value_of_an_indented_file_is_where_the_whole_read_has_it() -> None:
    document = {
        "note": "a, b\n  ]",
        "users": _users(3),
        "count": -1.5e3,
        "empty": [],
        "nothing": {},
        "settings": {"a": [1, {"b": None}], "c": "}"},
        "groups": [{"id": "g1", "members": ["u1"]}],
        "last": True,
    }
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    index = DocumentIndex.build(text, FileVersion(len(text), 0, 0), ["users", "groups"])
    assert index is not None
    assert {key: orjson.loads(text[start:end]) for key, (start, end) in index.values.items()} == document
    for broken in (
        text.replace(b'\n  "count"', b'\n  "count" '),  # not as orjson lays it out
        text.replace(b"\n  ],\n", b"\n  ]\n", 1),  # no comma between values
        text.replace(b'"last": true', b'"last": [\ntrue'),  # a list not closed at its key's depth
    ):
        assert DocumentIndex.build(broken, FileVersion(len(broken), 0, 0), ["users", "groups"]) is None


@pytest.mark.parametrize("items_proven", [False, True])
def test_text_before_an_indented_collections_first_item_is_not_indexed(items_proven: bool) -> None:
    """An item the search of `\\n    {` does not find (a number) would be left out of the collection."""
    text = orjson.dumps({"users": [5, *_users(2)]}, option=orjson.OPT_INDENT_2)
    assert DocumentIndex.build(text, FileVersion(len(text), 0, 0), ["users"], items_proven=items_proven) is None


@pytest.mark.parametrize("layout", ["compact", "indented"])
def test_a_top_level_value_nested_too_deep_for_the_document_is_refused(tmp_path: Path, layout: str) -> None:
    """Alone, the assignments' text is 1,024 levels deep, which orjson reads; in the document it is
    1,025, which orjson refuses."""
    document = {"users": _users(3), "appRoleAssignments": [{**_assignment(1), "x": "DEEP"}]}
    text = orjson.dumps(document, option=0 if layout == "compact" else orjson.OPT_INDENT_2)
    path = tmp_path / "directory.json"
    path.write_bytes(text.replace(b'"DEEP"', _nested(1_022)))
    assert _each_read(path, "User", "u1") == ["refused"] * 3


def test_a_file_written_by_pythons_json_with_escaped_names_is_still_searched(tmp_path: Path) -> None:
    """Only a key or an id spelled with escapes can hide what the whole read sees: names that
    Python's `json` writes with escapes (`"Zo\\u00eb"`) leave the search to find the object."""
    people = [{"id": f"u{number}", "displayName": f"Zoë Ålund/{number}"} for number in range(5)]
    document = {"users": people, "groups": [], "appRoleAssignments": [_assignment(1, "u3")]}
    path = tmp_path / "directory.json"
    path.write_bytes(json.dumps(document, indent=2).replace("/", "\\/").encode())
    assert b"\\u00eb" in path.read_bytes()
    tenant = TenantDirectory(path)
    assert tenant.read_one("User", "u3") == _as_read(people[3])
    assert tenant.app_role_assignments("app") == [_assignment(1, "u3")]
    assert tenant._document is None  # both read from the text alone


@pytest.mark.parametrize(
    "spelling",
    [
        b'"id":\n\n' + b" " * 40 + b'"\\u00753"',  # an id after more whitespace than is looked at
        b'"id" : "\\u00753"',
        b'"\\u0069d"  :"u3"',
    ],
)
def test_an_id_or_its_key_spelled_otherwise_after_whitespace_is_seen(tmp_path: Path, spelling: bytes) -> None:
    text = orjson.dumps({"users": [*_users(5), {"id": "TWIN"}]}).replace(b'"id":"TWIN"', spelling)
    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert _each_read(path, "User", "u3") == ["refused"] * 3


@pytest.mark.parametrize("layout", [0, orjson.OPT_INDENT_2])
def test_a_key_spelled_otherwise_after_many_escapes_orjson_writes_is_seen(tmp_path: Path, layout: int) -> None:
    """Past 1,000 escapes orjson writes too (`\\n`, `\\"`, `\\\\`), the look for the others jumps from
    one `\\u` or `\\/` to the next: an escaped backslash before a `u` (`\\\\u`) is not one."""
    people = [{**person, "note": 'line\nline "\\u0041"'} for person in _users(1_200)]
    document = {"users": people, "appRoleAssignments": [_assignment(1)]}
    text = orjson.dumps(document, option=layout).replace(b'"appRoleAssignments"', b'"appRole\\u0041ssignments"')
    path = tmp_path / "directory.json"
    path.write_bytes(text)
    assert _each_read(path, "User", "u1100") == [(_as_read(people[1_100]), [_assignment(1)])] * 3
