"""The type checks of objects read from a file (`first_invalid_object`): by shape, they find what
checking every object attribute by attribute finds."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from synctui.connectors._definitions import attribute, object_definition
from synctui.connectors._objects import ObjectTable, _problem, first_invalid_object
from synctui.models import AttributeType

DEFINITION = object_definition(
    "User",
    [
        attribute("id", anchor=True),
        attribute("displayName"),
        attribute("accountEnabled", AttributeType.Boolean),
        attribute("employeeNumber", AttributeType.Integer),
        attribute("proxyAddresses", multivalued=True),
    ],
)
NAMES = ["id", "displayName", "accountEnabled", "employeeNumber", "proxyAddresses", "unknown"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from(["a", "b"]),
    st.lists(st.one_of(st.sampled_from(["x", "y"]), st.integers(0, 1)), max_size=2),
)
VALID_VALUES = {
    "id": st.sampled_from(["u1", "u2"]),
    "displayName": st.sampled_from(["Ann", "Bo"]),
    "accountEnabled": st.booleans(),
    "employeeNumber": st.integers(0, 3),
    "proxyAddresses": st.lists(st.sampled_from(["smtp:a", "smtp:b"]), max_size=2),
    "unknown": VALUES,
}


@st.composite
def objects_of_a_file(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Objects as a file holds them: a few key sets, mostly valid values, a wrong one here and there
    (neighbours with the same keys and values of other types)."""
    key_sets = draw(st.lists(st.lists(st.sampled_from(NAMES), unique=True, max_size=5), min_size=1, max_size=3))
    objects = []
    for _ in range(draw(st.integers(0, 12))):
        keys = draw(st.sampled_from(key_sets))
        wrong = draw(st.sampled_from([None, None, None, *keys])) if keys else None
        objects.append({key: draw(VALUES if key == wrong else VALID_VALUES[key]) for key in keys})
    return objects


def _checked_one_by_one(objects: list[dict[str, Any]]) -> tuple[int, str, str] | None:
    for position, stored in enumerate(objects):
        for definition in DEFINITION.attributes:
            problem = _problem(definition, stored.get(definition.name))
            if problem is not None:
                return position, definition.name, problem
    return None


@given(objects_of_a_file())
def test_the_first_invalid_object_is_the_one_an_attribute_by_attribute_check_finds(
    objects: list[dict[str, Any]],
) -> None:
    assert first_invalid_object(DEFINITION, objects) == _checked_one_by_one(objects)


# --- the index `ObjectTable.find` builds on its first look-up of an attribute ------------------------

FOUND_BY = object_definition(
    "User",
    [
        attribute("id", anchor=True),
        attribute("mail"),
        attribute("employeeId", case_exact=True),
        attribute("proxyAddresses", multivalued=True),
    ],
)
SPELLINGS = st.sampled_from(["ann@x", "ANN@x", "Ann@X", "bo@x", "cy@x"])


def _key(value: Any, case_exact: bool) -> Any:
    return value if case_exact or not isinstance(value, str) else value.lower()


@given(
    st.lists(
        st.one_of(
            st.fixed_dictionaries({"mail": SPELLINGS, "employeeId": SPELLINGS}),  # each a string: the usual
            st.dictionaries(st.sampled_from(["mail", "employeeId"]), st.one_of(SPELLINGS, st.none(), st.just(7))),
        ),
        max_size=8,
    ),
    st.sampled_from(["mail", "employeeId"]),
)
def test_the_first_find_of_an_attribute_finds_what_looking_at_every_object_finds(
    objects: list[dict[str, Any]], name: str
) -> None:
    stored = {f"u{number}": {"id": f"u{number}", **obj} for number, obj in enumerate(objects)}
    case_exact = name == "employeeId"
    for wanted in ("ann@x", "Ann@X", "bo@x", "cy@x", 7):
        table = ObjectTable(FOUND_BY, {key: dict(obj) for key, obj in stored.items()})
        expected = [
            obj
            for obj in stored.values()
            if obj.get(name) is not None
            and type(obj.get(name)) is type(wanted)
            and _key(obj[name], case_exact) == _key(wanted, case_exact)
        ]
        assert table.find(name, wanted) == expected
