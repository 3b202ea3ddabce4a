""".NET date handling as the provisioning service does it: DateTime.Parse, custom format strings,
DateTimeStyles, VB DateAdd / DateDiff and AD FILETIME numbers. Invariant culture throughout; the
service runs in UTC, so "local time" is UTC here.

Naive datetimes are .NET's DateTimeKind.Unspecified; aware ones are UTC.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache, lru_cache

from .timed_regex import TimedPattern, compile_timed

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NUMBER = {name.lower(): number for number, name in enumerate(MONTHS, 1)}
_MONTH_NUMBER.update({name[:3].lower(): number for number, name in enumerate(MONTHS, 1)})

TWO_DIGIT_YEAR_MAX = 2029
"""GregorianCalendar.TwoDigitYearMax of the .NET Framework: `yy` 30–99 → 19xx, 00–29 → 20xx."""


def as_utc(value: datetime) -> datetime:
    """Unspecified times count as UTC (the service's local zone)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# --- DateTime.Parse (CDate and every place that accepts a date string) ---------------------

_TIME = r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?\s*(?P<ampm>[AaPp][Mm])?)?"
_ZONE = r"\s*(?P<zone>Z|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)?"
_DAY_NAME = r"(?:[A-Za-z]+,?\s+)?"


@cache
def _flexible_forms() -> list[re.Pattern[str]]:
    # Compiled on first use, not at every command's start: few jobs parse dates.
    return [
        # 2009-06-15T01:45:30-07:00, 2021-06-30+08:00, 2020-03-16-07:00, 2021-08-24, 2021/08/24 10:00
        re.compile(r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + _ZONE),
        # 8/25/2021 5:41:18 PM (the service's own output), 08/25/2021
        re.compile(r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})" + _TIME + _ZONE),
        # Mon, 15 Jun 2009 20:45:30 GMT / 15 June 2009
        re.compile(_DAY_NAME + r"(?P<d>\d{1,2})[\s-]+(?P<mon>[A-Za-z]{3,9})[\s-]+(?P<y>\d{4})" + _TIME + _ZONE),
        # June 15, 2009 1:45 PM
        re.compile(_DAY_NAME + r"(?P<mon>[A-Za-z]{3,9})\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})" + _TIME + _ZONE),
    ]


def parse_datetime(text: str) -> datetime:
    """Parse a date/time string the way DateTime.Parse does for the invariant culture; result in UTC."""
    stripped = text.strip()
    for form in _flexible_forms():
        match = form.fullmatch(stripped)
        if match:
            return _from_parts(match.groupdict(), text)
    raise ValueError(f"{text!r} is not a recognised date/time")


def _from_parts(parts: dict[str, str | None], text: str) -> datetime:
    number, name = parts.get("mo"), parts.get("mon")
    month = int(number) if number else _MONTH_NUMBER.get((name or "").lower())
    if month is None:
        raise ValueError(f"{text!r} is not a recognised date/time (unknown month)")
    hour = int(parts["H"] or 0)
    half = (parts["ampm"] or "").upper()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a valid time")
        hour = hour % 12 + (12 if half == "PM" else 0)
    fraction = parts["f"] or "0"
    year, day = parts["y"], parts["d"]
    assert year is not None and day is not None  # every form's pattern requires both
    try:
        value = datetime(
            int(year),
            month,
            int(day),
            hour,
            int(parts["M"] or 0),
            int(parts["S"] or 0),
            int(fraction[:6].ljust(6, "0")),
        )
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date/time") from None
    return value.replace(tzinfo=_zone(parts["zone"])).astimezone(UTC)


def _zone(text: str | None) -> timezone:
    if not text or text in ("Z", "GMT", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"{text!r} is not a valid UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# --- .NET custom format strings ------------------------------------------------------------

_SPECIFIERS = frozenset("dfFghHKmMstyz")

_STANDARD_FORMATS = {
    # invariant culture patterns of the standard format strings
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "f": "dddd, dd MMMM yyyy HH:mm",
    "F": "dddd, dd MMMM yyyy HH:mm:ss",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "m": "MMMM dd",
    "M": "MMMM dd",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "U": "dddd, dd MMMM yyyy HH:mm:ss",
    "y": "yyyy MMMM",
    "Y": "yyyy MMMM",
}
_UNIVERSAL_STANDARD = frozenset("rRuU")  # these print the time converted to UTC


@dataclass(frozen=True)
class _Token:
    """One piece of a .NET date format: a specifier repeated `count` times, or literal text."""

    letter: str  # a specifier letter, or "" for literal text
    count: int = 0
    text: str = ""


@lru_cache(maxsize=256)
def _tokenize(pattern: str) -> tuple[_Token, ...]:
    if not pattern:
        raise ValueError("the date format is empty")
    if len(pattern) == 1:
        if pattern not in _STANDARD_FORMATS:
            raise ValueError(f"{pattern!r} is not a standard date format")
        pattern = _STANDARD_FORMATS[pattern]
    tokens: list[_Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in _SPECIFIERS:
            end = index
            while end < len(pattern) and pattern[end] == char:
                end += 1
            tokens.append(_Token(char, end - index))
            index = end
        elif char in "'\"":
            end = index + 1
            literal = []
            while end < len(pattern) and pattern[end] != char:
                if pattern[end] == "\\" and end + 1 < len(pattern):
                    end += 1
                literal.append(pattern[end])
                end += 1
            if end >= len(pattern):
                raise ValueError(f"the date format {pattern!r} has an unterminated quoted string")
            tokens.append(_Token("", text="".join(literal)))
            index = end + 1
        elif char == "\\":
            if index + 1 >= len(pattern):
                raise ValueError(f"the date format {pattern!r} ends with a backslash")
            tokens.append(_Token("", text=pattern[index + 1]))
            index += 2
        elif char == "%":
            if index + 1 >= len(pattern) or pattern[index + 1] not in _SPECIFIERS:
                raise ValueError(f"'%' in the date format {pattern!r} must be followed by a format letter")
            tokens.append(_Token(pattern[index + 1], 1))
            index += 2
        else:
            tokens.append(_Token("", text=char))  # ':' and '/' are the invariant separators themselves
            index += 1
    return tuple(tokens)


def format_custom(value: datetime, pattern: str) -> str:
    """DateTime.ToString(pattern, CultureInfo.InvariantCulture)."""
    if len(pattern) == 1 and pattern in _UNIVERSAL_STANDARD:
        value = as_utc(value)
    out: list[str] = []
    for token in _tokenize(pattern):
        if not token.letter:
            out.append(token.text)
            continue
        letter, count = token.letter, token.count
        if letter == "d":
            out.append(
                _pad(value.day, count)
                if count <= 2
                else DAYS[value.weekday()][:3]
                if count == 3
                else DAYS[value.weekday()]
            )
        elif letter == "M":
            out.append(
                _pad(value.month, count)
                if count <= 2
                else MONTHS[value.month - 1][:3]
                if count == 3
                else MONTHS[value.month - 1]
            )
        elif letter == "y":
            out.append(_pad(value.year % 100, count) if count <= 2 else _pad(value.year, count))
        elif letter == "h":
            out.append(_pad(value.hour % 12 or 12, min(count, 2)))
        elif letter == "H":
            out.append(_pad(value.hour, min(count, 2)))
        elif letter == "m":
            out.append(_pad(value.minute, min(count, 2)))
        elif letter == "s":
            out.append(_pad(value.second, min(count, 2)))
        elif letter in "fF":
            if count > 7:
                raise ValueError(f"the date format {pattern!r} has more than 7 fraction digits")
            digits = f"{value.microsecond:06d}0"[:count]
            if letter == "F":
                digits = digits.rstrip("0")
                if not digits and out and out[-1].endswith("."):
                    out[-1] = out[-1][:-1]  # .NET drops the '.' before an all-zero F fraction
            out.append(digits)
        elif letter == "t":
            half = "AM" if value.hour < 12 else "PM"
            out.append(half[:1] if count == 1 else half)
        elif letter == "g":
            out.append("A.D.")
        elif letter == "K":
            out.append("" if value.tzinfo is None else "Z" if value.utcoffset() == timedelta(0) else _offset(value, 3))
        elif letter == "z":
            out.append(_offset(value, min(count, 3)))
    return "".join(out)


def _pad(number: int, width: int) -> str:
    return str(number).zfill(width)


def _offset(value: datetime, count: int) -> str:
    offset = value.utcoffset() or timedelta(0)  # unspecified time: the (UTC) local zone
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    if count == 1:
        return f"{sign}{hours}"
    if count == 2:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


# --- DateTime.ParseExact -------------------------------------------------------------------

STYLE_NAMES = frozenset(
    {
        "None",
        "AllowLeadingWhite",
        "AllowTrailingWhite",
        "AllowInnerWhite",
        "AllowWhiteSpaces",
        "NoCurrentDateDefault",
        "AdjustToUniversal",
        "AssumeLocal",
        "AssumeUniversal",
        "RoundtripKind",
    }
)
DEFAULT_STYLES = frozenset({"RoundtripKind", "AllowLeadingWhite", "AllowTrailingWhite"})


def parse_styles(text: str | None) -> frozenset[str]:
    """A DateTimeStyles value written as names ("AdjustToUniversal, AllowWhiteSpaces"); empty → the default."""
    if not text or not text.strip():
        return DEFAULT_STYLES
    names: set[str] = set()
    for part in re.split(r"[,|]", text):
        name = part.strip().removeprefix("DateTimeStyles.")
        matched = next((known for known in STYLE_NAMES if known.lower() == name.lower()), None)
        if matched is None:
            raise ValueError(f"{name!r} is not a DateTimeStyles name (use e.g. {', '.join(sorted(DEFAULT_STYLES))})")
        names.add(matched)
    if "AllowWhiteSpaces" in names:
        names |= {"AllowLeadingWhite", "AllowTrailingWhite", "AllowInnerWhite"}
    return frozenset(names)


@dataclass(frozen=True)
class _ExactParser:
    """A user's .NET date format made into a regular expression that parses it exactly."""

    regex: TimedPattern  # from the user's format: nothing bounds its backtracking but the time limit
    groups: tuple[tuple[str, int], ...]  # (letter, count) of each capturing group, in order
    literal_utc: bool  # an unquoted 'Z' in the format: the text is UTC


@lru_cache(maxsize=256)
def _exact_parser(pattern: str, inner_white: bool) -> _ExactParser:
    parts: list[str] = []
    groups: list[tuple[str, int]] = []
    literal_utc = False

    def capture(regex: str, letter: str, count: int) -> None:
        parts.append(f"({regex})")
        groups.append((letter, count))

    for token in _tokenize(pattern):
        letter, count = token.letter, token.count
        if not letter:
            if token.text == "Z":
                literal_utc = True
            if inner_white and token.text.isspace():
                parts.append(r"\s*")
            else:
                parts.append(re.escape(token.text))
        elif letter in "dM" and count >= 3:
            names = DAYS if letter == "d" else MONTHS
            capture("|".join(name if count > 3 else name[:3] for name in names), letter, count)
        elif letter in "dMhHms":
            capture(r"\d{1,2}" if count == 1 else r"\d{2}", letter, count)
        elif letter == "y":
            capture({1: r"\d{1,2}", 2: r"\d{2}", 3: r"\d{3,4}"}.get(count, rf"\d{{{count}}}"), letter, count)
        elif letter == "f":
            capture(rf"\d{{{count}}}", letter, count)
        elif letter == "F":
            capture(rf"\d{{0,{count}}}", letter, count)
        elif letter == "t":
            capture("[AP]" if count == 1 else "[AP]M", letter, count)
        elif letter == "z":
            capture(r"Z|[+-]\d{1,2}(?::?\d{2})?", letter, count)
        elif letter == "K":
            capture(r"Z|[+-]\d{2}:?\d{2}|", letter, count)
        elif letter == "g":
            capture(r"A\.?D\.?", letter, count)
    return _ExactParser(
        compile_timed("".join(parts), f"the date format {pattern!r}", ignore_case=True), tuple(groups), literal_utc
    )


def parse_exact(text: str, pattern: str, styles: frozenset[str], today: Callable[[], datetime]) -> datetime:
    """DateTime.ParseExact(text, pattern, InvariantCulture, styles)."""
    if "AllowLeadingWhite" in styles:
        text = text.lstrip()
    if "AllowTrailingWhite" in styles:
        text = text.rstrip()
    parser = _exact_parser(pattern, "AllowInnerWhite" in styles)
    match = parser.regex.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} does not match the date format {pattern!r}")
    fields: dict[str, int] = {}
    zone: timezone | None = UTC if parser.literal_utc else None
    half = ""
    has_date = False
    for (letter, count), captured in zip(parser.groups, match.groups(), strict=True):
        if letter == "d" and count <= 2:
            fields["day"], has_date = int(captured), True
        elif letter == "M":
            fields["month"] = int(captured) if count <= 2 else _MONTH_NUMBER[captured.lower()]
            has_date = True
        elif letter == "y":
            year = int(captured)
            if count <= 2:
                year += 100 * ((TWO_DIGIT_YEAR_MAX // 100) - (1 if year > TWO_DIGIT_YEAR_MAX % 100 else 0))
            fields["year"], has_date = year, True
        elif letter in "hH":
            fields["hour"] = int(captured)
        elif letter == "m":
            fields["minute"] = int(captured)
        elif letter == "s":
            fields["second"] = int(captured)
        elif letter in "fF":
            fields["microsecond"] = int((captured or "0")[:6].ljust(6, "0"))
        elif letter == "t":
            half = captured[0].upper()
        elif letter in "zK" and captured:
            zone = _zone(captured)
    if half:
        hour = fields.get("hour", 0)
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: hour {hour} is not valid with AM/PM")
        fields["hour"] = hour % 12 + (12 if half == "P" else 0)
    if not has_date and "NoCurrentDateDefault" not in styles:
        current = today()
        fields = {"year": current.year, "month": current.month, "day": current.day, **fields}
    try:
        value = datetime(
            fields.get("year", 1),
            fields.get("month", 1),
            fields.get("day", 1),
            fields.get("hour", 0),
            fields.get("minute", 0),
            fields.get("second", 0),
            fields.get("microsecond", 0),
        )
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date/time for the format {pattern!r}") from None
    if zone is not None:
        # RoundtripKind keeps a 'Z' as UTC; an explicit offset is converted to (UTC) local time.
        return value.replace(tzinfo=zone).astimezone(UTC)
    if styles & {"AssumeUniversal", "AssumeLocal", "AdjustToUniversal"}:
        return value.replace(tzinfo=UTC)
    return value


# --- VB DateAdd / DateDiff -----------------------------------------------------------------

INTERVALS = ("yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s")
_FIXED_INTERVALS = {
    "y": timedelta(days=1),
    "d": timedelta(days=1),
    "w": timedelta(days=1),
    "ww": timedelta(weeks=1),
    "h": timedelta(hours=1),
    "n": timedelta(minutes=1),
    "s": timedelta(seconds=1),
}


def _interval(text: str | None) -> str:
    if text is None or text.lower() not in INTERVALS:
        raise ValueError(f"interval {text!r} is not one of yyyy, q, m, y, d, w, ww, h, n, s")
    return text.lower()


def date_add(interval: str | None, number: int, value: datetime) -> datetime:
    """Microsoft.VisualBasic DateAdd: calendar arithmetic for years/quarters/months, exact for the rest."""
    unit = _interval(interval)
    try:
        if unit in ("yyyy", "q", "m"):
            months = number * {"yyyy": 12, "q": 3, "m": 1}[unit]
            index = value.year * 12 + value.month - 1 + months
            year, month = divmod(index, 12)
            day = min(value.day, calendar.monthrange(year, month + 1)[1])  # Jan 31 + 1 month = Feb 28/29
            return value.replace(year=year, month=month + 1, day=day)
        return value + _FIXED_INTERVALS[unit] * number
    except (ValueError, OverflowError):
        raise ValueError("the result is outside the range of dates (years 1 to 9999)") from None


def date_diff(interval: str | None, first: datetime, second: datetime) -> int:
    """Microsoft.VisualBasic DateDiff(interval, first, second): positive when `second` is later."""
    unit = _interval(interval)
    first, second = as_utc(first), as_utc(second)
    if unit == "yyyy":
        return second.year - first.year
    if unit == "q":
        return (second.year - first.year) * 4 + (second.month - 1) // 3 - (first.month - 1) // 3
    if unit == "m":
        return (second.year - first.year) * 12 + second.month - first.month
    if unit == "ww":
        # calendar weeks: count the Sundays crossed, i.e. compare the Sunday that starts each week
        first = first - timedelta(days=(first.weekday() + 1) % 7)
        second = second - timedelta(days=(second.weekday() + 1) % 7)
        return _truncate((second.date() - first.date()).days / 7)
    span = second - first
    if unit == "w":
        return _truncate(span / timedelta(weeks=1))  # whole weeks (DateAdd's "w" adds days, DateDiff's counts weeks)
    return _truncate(span / _FIXED_INTERVALS[unit])


def _truncate(number: float) -> int:
    return int(number)  # int() truncates toward zero, like VB's Fix


# --- AD FILETIME (100-ns ticks since 1601-01-01 UTC) ----------------------------------------

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def from_filetime(ticks: int) -> datetime:
    try:
        return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        raise ValueError(f"{ticks} is outside the range of FILETIME dates") from None


def to_filetime(value: datetime) -> int:
    span = as_utc(value) - _FILETIME_EPOCH
    return (span.days * 86_400 + span.seconds) * 10_000_000 + span.microseconds * 10
