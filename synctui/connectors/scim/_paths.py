"""Entra's SCIM attribute paths (`name.givenName`, `emails[type eq "work"].value`,
`urn:…:enterprise:2.0:User:manager`) and the `eq` filters built from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CORE_SCHEMA_PREFIX = "urn:ietf:params:scim:schemas:core:"

# The schema URN holds colons and dots of its own ("…:enterprise:2.0:User"), so it is taken
# greedily up to the last colon that still leaves a valid attribute name after it.
_PATH = re.compile(
    r"""
    (?:(?P<schema>urn:[^\[\]"]+):)?
    (?P<attribute>[A-Za-z$][\w$-]*)
    (?:\[type\ eq\ "(?P<type>[^"\\]*)"\])?
    (?:\.(?P<sub_attribute>[A-Za-z$][\w$-]*))?
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class AttributePath:
    """One flat attribute name, split into where its value sits in a SCIM resource."""

    schema: str | None
    """The extension URN whose object holds the attribute; None for the core schema."""
    attribute: str
    type: str | None
    """The `type` that selects one element of a multi-valued attribute (`emails[type eq "work"]`)."""
    sub_attribute: str | None

    @classmethod
    def parse(cls, text: str) -> AttributePath:
        match = _PATH.fullmatch(text)
        if match is None or (match["type"] is not None and match["sub_attribute"] is None):
            raise ValueError(
                f"{text!r} is not a SCIM attribute path Entra uses: expected forms like "
                '`title`, `name.givenName`, `emails[type eq "work"].value` or '
                "`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`"
            )
        schema = match["schema"]
        if schema is not None and schema.startswith(CORE_SCHEMA_PREFIX):
            schema = None  # a core attribute qualified with its own schema sits at the top level
        return cls(schema, match["attribute"], match["type"], match["sub_attribute"])

    @property
    def is_filtered(self) -> bool:
        return self.type is not None


def string_literal(value: str) -> str:
    """A filter string literal: double quotes, with backslash and double quote escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def equality_filter(attribute: str, value: Any) -> str:
    """`attribute eq value`, the only comparison Entra sends."""
    if isinstance(value, bool):
        literal = "true" if value else "false"
    elif isinstance(value, int):
        literal = str(value)
    elif isinstance(value, str):
        literal = string_literal(value)
    else:
        raise ValueError(f"cannot filter {attribute} on {value!r}: only strings, integers and booleans")
    return f"{attribute} eq {literal}"
