""".NET regular expressions and replacement patterns, run on the `regex` package under a time limit.

The service uses System.Text.RegularExpressions. Patterns are translated once (and cached):
named groups `(?<name>…)` / `(?'name'…)` → `(?P<name>…)`, back-references `\\k<name>` → `(?P=name)`,
`\\z` → `\\Z` and .NET's `\\Z` (end, or before a final newline) → `(?=\\n?\\Z)`. Constructs not
translated (`\\p{…}` categories, balancing groups, character-class subtraction) are reported, not guessed.
Every use of a pattern is bounded by timed_regex.MATCH_TIMEOUT_SECONDS.
Replacement patterns (`$1`, `${name}`, `$$`, `$&`, `` $` ``, `$'`, `$+`, `$_`) are compiled into a function.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from .timed_regex import PatternError, TimedPattern, compile_timed

if TYPE_CHECKING:
    from .timed_regex import Match

_GROUP_NAME_CLOSE = {"(?<": ">", "(?'": "'"}
""".NET's two ways of naming a group, (?<name>…) and (?'name'…), by what ends the name."""


def translate_pattern(pattern: str) -> str:
    out: list[str] = []
    index = 0
    in_class = False
    length = len(pattern)
    while index < length:
        char = pattern[index]
        if char == "\\":
            if index + 1 >= length:
                raise ValueError("the pattern ends with a single backslash")
            escaped = pattern[index + 1]
            if escaped in "pP" and index + 2 < length and pattern[index + 2] == "{":
                raise ValueError(f"Unicode category escapes (\\{escaped}{{…}}) are not supported")
            if not in_class and escaped == "k" and index + 2 < length and pattern[index + 2] in "<'":
                close = ">" if pattern[index + 2] == "<" else "'"
                end = pattern.find(close, index + 3)
                if end < 0:
                    raise ValueError("unterminated \\k<name> back-reference")
                out.append(f"(?P={pattern[index + 3 : end]})")
                index = end + 1
                continue
            if not in_class and escaped == "z":
                out.append(r"\Z")
            elif not in_class and escaped == "Z":
                out.append(r"(?=\n?\Z)")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            if char == "[" and out and out[-1] == "-":
                raise ValueError("character class subtraction ([a-z-[aeiou]]) is not supported")
            if char == "]":
                in_class = False
            out.append(char)
            index += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            index += 1
            # a ']' right after '[' or '[^' is a literal in both dialects
            if pattern.startswith("^]", index):
                out.append("^]")
                index += 2
            elif pattern.startswith("]", index):
                out.append("]")
                index += 1
            continue
        name_end = _GROUP_NAME_CLOSE.get(pattern[index : index + 3])
        lookbehind = name_end == ">" and pattern[index + 3 : index + 4] in ("=", "!")  # (?<= and (?<!
        if name_end is not None and not lookbehind:
            end = pattern.find(name_end, index + 3)
            if end < 0:
                raise ValueError(f"unterminated group name {pattern[index : index + 3]}name{name_end}")
            out.append(f"(?P<{_group_name(pattern[index + 3 : end])}>")
            index = end + 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _group_name(name: str) -> str:
    if "-" in name:
        raise ValueError(f"balancing groups (?<{name}>…) are not supported")
    return name


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> TimedPattern:
    """The compiled Python form of a .NET pattern; raises ValueError with the reason if it is invalid."""
    try:
        return compile_timed(translate_pattern(pattern), f"the regular expression {pattern!r}")
    except PatternError as error:
        raise ValueError(f"invalid regular expression {pattern!r}: {error}") from None


Replacer = Callable[["Match[str]"], str]


@lru_cache(maxsize=512)
def compile_replacement(replacement: str, regex: TimedPattern) -> Replacer:
    """A function producing what .NET's Regex.Replace inserts for one match."""
    parts: list[str | Replacer] = []
    literal: list[str] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        if char != "$" or index + 1 >= len(replacement):
            literal.append(char)
            index += 1
            continue
        part, consumed = _substitution(replacement, index + 1, regex)
        if part is None:
            literal.append("$")
            index += 1
            continue
        if isinstance(part, str):
            literal.append(part)
        else:
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(part)
        index = consumed
    if literal:
        parts.append("".join(literal))
    texts = [part for part in parts if isinstance(part, str)]
    if len(texts) == len(parts):
        text = "".join(texts)
        return lambda match: text
    return lambda match: "".join(part if isinstance(part, str) else part(match) for part in parts)


def _substitution(text: str, index: int, regex: TimedPattern) -> tuple[str | Replacer | None, int]:
    """The substitution starting after a '$' at `index`: (literal or function, index after it), or (None, _)."""
    char = text[index]
    if char == "$":
        return "$", index + 1
    if char == "&":
        return (lambda match: match.group()), index + 1
    if char == "`":
        return (lambda match: match.string[: match.start()]), index + 1
    if char == "'":
        return (lambda match: match.string[match.end() :]), index + 1
    if char == "_":
        return (lambda match: match.string), index + 1
    if char == "+":
        last = regex.groups
        return (lambda match: (match.group(last) or "") if last else ""), index + 1
    if char == "{":
        end = text.find("}", index)
        if end < 0:
            return None, index
        name = text[index + 1 : end]
        if name.isdigit() and int(name) <= regex.groups:
            group: int | str = int(name)
        elif name in regex.groupindex:
            group = name
        else:
            return None, index
        return (lambda match: match.group(group) or ""), end + 1
    if char.isdigit():
        # .NET takes the longest run of digits that still names an existing group
        end = index
        best = None
        while end < len(text) and text[end].isdigit():
            end += 1
            if int(text[index:end]) <= regex.groups:
                best = end
        if best is None:
            return None, index
        number = int(text[index:best])
        return (lambda match: match.group(number) or ""), best
    return None, index


def regex_replace(source: str, pattern: str, replacement: str) -> str:
    """Regex.Replace(source, pattern, replacement)."""
    regex = compile_pattern(pattern)
    return regex.sub(compile_replacement(replacement, regex), source)


def replace_group(source: str, pattern: str, group: str, replacement: str) -> str:
    """Within every match of `pattern`, replace the text the named `group` captured by `replacement`."""
    regex = compile_pattern(pattern)
    if group not in regex.groupindex:
        raise ValueError(f"the pattern {pattern!r} has no group named {group!r}")

    def rewrite(match: Match[str]) -> str:
        start, end = match.span(group)
        if start < 0:
            return match.group()
        offset = match.start()
        whole = match.group()
        return whole[: start - offset] + replacement + whole[end - offset :]

    return regex.sub(rewrite, source)


def extract_group(source: str, pattern: str, group: str) -> str | None:
    """The text the named `group` captured in the first match of `pattern`, or None."""
    regex = compile_pattern(pattern)
    if group not in regex.groupindex:
        raise ValueError(f"the pattern {pattern!r} has no group named {group!r}")
    match = regex.search(source)
    return match.group(group) if match else None
