"""Upper/lower/proper case as .NET's TextInfo does it.

.NET maps case one character at a time (simple case mapping), so 'ß' stays 'ß' in upper case and
'İ' lowers to 'i' — Python's str.upper()/lower() use full mappings ('SS', 'i̇') and are only used for
characters whose full mapping is a single character. Turkish and Azeri cultures add the dotted/
dotless i rules; every other culture behaves like the invariant culture here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_CULTURE_NAME = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_TURKIC = frozenset({"tr", "az"})

_TURKIC_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_TURKIC_UPPER = str.maketrans({"i": "İ", "ı": "I"})


@cache
def _exceptions(mapping: str) -> tuple[dict[int, str], frozenset[str]]:
    """Characters whose Python (full) `mapping` ("lower" or "upper") is not a single character:
    they keep .NET's simple mapping instead, themselves, except İ whose simple lower case is i.
    All are in the Basic Multilingual Plane. Built on first use: walking the plane is not free."""
    exceptions = {code: chr(code) for code in range(0x10000) if len(getattr(chr(code), mapping)()) != 1}
    if mapping == "lower":
        exceptions[ord("İ")] = "i"
    return exceptions, frozenset(map(chr, exceptions))


def _language(culture: str | None) -> str:
    if culture is None or culture == "":
        return ""
    if not _CULTURE_NAME.fullmatch(culture):
        raise ValueError(f"culture {culture!r} is not an RFC 4646 culture name such as en-US or tr-TR")
    return culture.split("-", 1)[0].lower()


def to_lower(text: str, culture: str | None = None) -> str:
    if _language(culture) in _TURKIC:
        text = text.translate(_TURKIC_LOWER)
    if text.isascii():
        return text.lower()
    exceptions, special = _exceptions("lower")
    if special.isdisjoint(text):
        return text.lower()
    return "".join(exceptions.get(ord(char)) or char.lower() for char in text)


def to_upper(text: str, culture: str | None = None) -> str:
    if _language(culture) in _TURKIC:
        text = text.translate(_TURKIC_UPPER)
    if text.isascii():
        return text.upper()
    exceptions, special = _exceptions("upper")
    if special.isdisjoint(text):
        return text.upper()
    return "".join(exceptions.get(ord(char)) or char.upper() for char in text)


def _title_char(char: str) -> str:
    titled = char.title()
    return titled if len(titled) == 1 else to_upper(char)


# The Unicode categories TextInfo.ToTitleCase treats as word separators.
_SEPARATOR_CATEGORIES = frozenset(
    {
        "Zs",
        "Zl",
        "Zp",
        "Cc",
        "Cf",
        "Pc",
        "Pd",
        "Ps",
        "Pe",
        "Pi",
        "Pf",
        "Po",
        "Sm",
        "Sc",
        "Sk",
        "So",
    }
)


def proper_case(text: str, separators: str | None = None) -> str:
    """PCase: first letter of each word upper, the rest lower.

    Without `separators`, words are found as .NET's TextInfo.ToTitleCase finds them: a word starts at
    a letter and runs over letters, apostrophes and anything that is not a separator category, so
    "o'neil" → "O'neil" and "1st" → "1St" (a digit never starts a word). The text is lowered first:
    ToTitleCase alone keeps all-caps words, but the documented PCase("PABLO GONSALVES (SECOND)") is
    "Pablo Gonsalves (Second)".
    With `separators`, only those characters break words, and the first character of each word is
    upper-cased whatever it is.
    """
    lowered = to_lower(text)
    out: list[str] = []
    in_word = False
    if separators:
        for char in lowered:
            if char in separators:
                in_word = False
                out.append(char)
            else:
                out.append(char if in_word else _title_char(char))
                in_word = True
        return "".join(out)
    for char in lowered:
        if in_word:
            in_word = char.isalpha() or char == "'" or unicodedata.category(char) not in _SEPARATOR_CATEGORIES
            out.append(char)
        elif char.isalpha():
            out.append(_title_char(char))
            in_word = True
        else:
            out.append(char)
    return "".join(out)
