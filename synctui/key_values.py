"""`NAME=VALUE`: how a setting, a secret or a test value is written on the command line and in
the dashboard's fields."""

from __future__ import annotations


def split_pair(text: str) -> tuple[str, str] | None:
    """'NAME=VALUE' → (NAME without surrounding spaces, VALUE as written); None if `text` has no
    '=' or no name before it. The first '=' splits: a value may hold more."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        return None
    return name.strip(), value
