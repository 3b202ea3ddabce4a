""".NET regular expressions as the regex package takes them: the two ways .NET names a group."""

from __future__ import annotations

import re

import pytest

from synctui.expressions.dotnet_regex import translate_pattern


@pytest.mark.parametrize(
    ("pattern", "translated"),
    [
        ("(?<area>\\d{3})-(?<line>\\d+)", "(?P<area>\\d{3})-(?P<line>\\d+)"),
        ("(?'area'\\d{3})-(?'line'\\d+)", "(?P<area>\\d{3})-(?P<line>\\d+)"),
        ("(?<=@)\\w+(?<!x)", "(?<=@)\\w+(?<!x)"),  # lookbehinds are not names
    ],
)
def test_named_groups_of_either_syntax_become_python_ones(pattern: str, translated: str) -> None:
    assert translate_pattern(pattern) == translated


@pytest.mark.parametrize(("pattern", "shown"), [("(?<area\\d", "(?<name>"), ("(?'area\\d", "(?'name'")])
def test_an_unterminated_group_name_is_refused_in_its_own_syntax(pattern: str, shown: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"unterminated group name {shown}")):
        translate_pattern(pattern)
