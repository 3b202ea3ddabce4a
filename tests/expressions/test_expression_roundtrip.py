"""Property: every tree survives text — parse(to_text(tree)) == tree — and canonical text is a fixed point."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from synctui.expressions import parse, to_text
from synctui.expressions.definitions import Kind, group_by_key
from synctui.expressions.functions import REGISTRY
from synctui.models import (
    AttributeMappingSource,
    StringKeyAttributeMappingSourceValuePair,
)

DEFINITIONS = list(REGISTRY)
CALLABLE = [d for d in DEFINITIONS if d.kind is Kind.FUNCTION and d.parameters]
ZERO_ARGUMENT = [d for d in DEFINITIONS if not d.parameters]  # Now(), Guid(), IgnoreAttributeFlow, …
OPERATORS = [d for d in DEFINITIONS if d.kind is Kind.OPERATOR]
VALID_PATTERNS = ["[a-z]+", r"(?<user>[^@]+)@(?<domain>.+)", r"\d{3}", "^$", r"\\+(?<isd>\d* )"]


def node(kind: str, name: str, pairs: list[tuple[str, AttributeMappingSource]] | None = None) -> AttributeMappingSource:
    """A node whose `expression` is canonical, as parse() produces it."""
    parameters = [StringKeyAttributeMappingSourceValuePair(key=key, value=value) for key, value in pairs or []]
    partial = AttributeMappingSource(type=kind, name=name, parameters=parameters)
    return partial.model_copy(update={"expression": to_text(partial)})


attribute_names = st.text(min_size=1, max_size=20).filter(lambda name: "]" not in name and name.strip())
attributes = attribute_names.map(lambda name: node("Attribute", name))
constants = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"-?[0-9]{1,12}|&H[0-9A-F]{1,4}", fullmatch=True),
    st.sampled_from(["vbTextCompare", "vbBinaryCompare", "True", '"', "\\", '\\\\"', ""]),
)
leaves = st.one_of(
    attributes,
    constants.map(lambda value: node("Constant", value)),
    st.sampled_from(ZERO_ARGUMENT).map(lambda d: node("Function", d.name)),
)


@st.composite
def calls(draw, children) -> AttributeMappingSource:
    definition = draw(st.sampled_from(CALLABLE))
    pairs: list[tuple[str, AttributeMappingSource]] = []
    for parameter in definition.parameters:
        if parameter.repeating:
            count = draw(st.integers(parameter.minimum, parameter.minimum + 3))
            if definition.name == "Switch":
                count -= count % 2
            pairs += [(parameter.name, draw(children)) for _ in range(count)]
        elif parameter.required or draw(st.booleans()):
            if parameter.name == "RegularExpression":
                value = node("Constant", draw(st.sampled_from(VALID_PATTERNS)))
            else:
                value = draw(children)
            pairs.append((parameter.name, value))
    if definition.check is not None:
        assume(definition.check(group_by_key(definition, pairs)) is None)
    return node("Function", definition.name, pairs)


@st.composite
def comparisons(draw, children) -> AttributeMappingSource:
    operator = draw(st.sampled_from(OPERATORS))
    return node("Function", operator.name, [("left", draw(children)), ("right", draw(children))])


trees = st.recursive(leaves, lambda children: st.one_of(calls(children), comparisons(children)), max_leaves=25)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(trees)
def test_every_tree_round_trips_through_text(tree):
    text = to_text(tree)
    assert parse(text) == tree
    assert to_text(parse(text)) == text


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=40))
def test_constants_round_trip_whatever_their_characters(value):
    tree = node("Constant", value)
    assert parse(to_text(tree)) == tree
