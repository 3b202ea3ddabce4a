"""Walking a Graph attributeMappingSource tree."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import AttributeMappingSource, AttributeMappingSourceType


def walk(source: AttributeMappingSource) -> Iterator[AttributeMappingSource]:
    """Every node of the tree, parents before children, left to right."""
    stack = [source]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(pair.value for pair in reversed(node.parameters))


def attribute_names(source: AttributeMappingSource) -> frozenset[str]:
    """The source attribute names the tree reads."""
    return frozenset(
        node.name for node in walk(source) if node.type is AttributeMappingSourceType.Attribute and node.name
    )
