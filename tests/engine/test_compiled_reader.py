"""What a mapping's expressions read of an object, told once per shape of object."""

from __future__ import annotations

from synctui.engine.compiled import AttributeReader


def test_absent_names_are_those_no_key_is_ignoring_case() -> None:
    reader = AttributeReader(["mail", "Department", "jobTitle"])
    assert reader.absent({"id": "u1", "DEPARTMENT": "Sales"}) == {"mail", "jobtitle"}
    assert reader.absent({"mail": None, "department": "Sales", "JobTitle": "Rep"}) == set()
    assert reader.absent({}) == {"mail", "department", "jobtitle"}


def test_the_answer_for_a_shape_is_the_same_each_time() -> None:
    reader = AttributeReader(["mail"])
    first = reader.absent({"id": "u1"})
    assert reader.absent({"id": "u2"}) is first  # the same shape: answered from what was told
    assert reader.absent({"id": "u3", "Mail": "x"}) == set()
