"""The JSON checks that build nothing (connectors/json_checks.py) judge text as orjson, which
reads the whole file, does: a proof made with them never passes text the whole read refuses."""

from __future__ import annotations

import orjson
import pytest

from synctui.connectors.json_checks import item_ids, valid_json

TEXTS = [
    b'[{"a":1}]',
    b'[{"a":"Pe\xc3\xb1a \xe2\x82\xac \xf0\x9f\x98\x80"}]',
    b'[{"a":"\xff"}]',  # not UTF-8
    b'[{"a":"\xed\xa0\x80"}]',  # a surrogate written in UTF-8
    b'[{"a":"\xc0\xaf"}]',  # an overlong sequence
    b'[{"a":"\xf4\x90\x80\x80"}]',  # past U+10FFFF
    b'[{"a":"x\x01"}]',  # a control character in a string
    b'[{"a":"\\q"}]',
    b'[{"a":"\\ud800"}]',
    b'[{"a":"\\u12"}]',
    b'[{"a":01}]',
    b'[{"a":1.}]',
    b'[{"a":-}]',
    b'[{"a":1,}]',
    b"[1,2,]",
    b'[{"a" 1}]',
    b'[{"a":tru}]',
    b'[{"a":NaN}]',
    b"[{1:2}]",
    b'[{"a":1}{"b":2}]',
    b"[1] x",
    b"[1,",
    b"[\t1\r\n]",
    b'{"a":1,"a":2}',
    b"[123456789012345678901234567890]",
    b"[" * 300 + b"]" * 300,
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_is_valid_json_as_orjson_judges_it(text: bytes) -> None:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        assert not valid_json(text)
    else:
        assert valid_json(text)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        (b'[{"id":"a","x":[{"id":"n"}]},{"y":1,"id":"b"}]', ["a", "b"]),
        (b"[]", []),
        (b'[{"id":"a"},5]', None),  # an item that is no object
        (b'[{"id":"a"},{"x":"b"}]', None),  # an object without an id
        (b'[{"id":"a"},{"id":5}]', None),  # an id that is no string
        (b'[{"id":"a","x":"\xff"}]', None),  # not UTF-8 in what is not built
        (b'[{"id":"a","x":[1,,2]}]', None),
        (b'{"id":"a"}', None),
    ],
)
def test_the_ids_of_a_list_of_objects(text: bytes, ids: list[str] | None) -> None:
    assert item_ids(text) == ids
