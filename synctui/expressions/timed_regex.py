"""Regular expressions made from what users write, each use bounded by a time limit.

Patterns in mappings and scoping filters (and the date formats ParseExact turns into one) come
from the job's author. One with nested repetition, like `(a|a)+$`, can backtrack for hours on a
short value; a cycle evaluating it holds its CPU and answers neither a pause nor SIGTERM. Python's
`re` cannot stop a match; the `regex` package can (`timeout=`), and a match past the limit is
the object's RegexTimeout, as .NET's RegexMatchTimeoutException is under Entra.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import RegexTimeout

if TYPE_CHECKING:  # imported by compile_timed: most commands compile no user pattern (~15 ms of start-up)
    import regex

MATCH_TIMEOUT_SECONDS = 1.0
"""The longest one use of a user's pattern may take on one value: a search, or a whole Replace
of the value. Real attribute patterns take microseconds; a second keeps a stop request waiting at
most about that long for the object being evaluated. (.NET's Regex has a match timeout too.)
`regex` counts the process's processor time, not the clock's: on a busy machine a match that
times out takes longer than this by the clock, in proportion to the load."""


_Result = TypeVar("_Result")
if TYPE_CHECKING:
    Match = regex.Match


class PatternError(Exception):
    """What compile_timed raises for a pattern that is not valid; says why as `regex` does."""


class TimedPattern:
    """A compiled pattern whose search, fullmatch and sub raise RegexTimeout past the time limit.

    `shown` names it in that error, e.g. "the regular expression '(a|a)+$'"."""

    __slots__ = ("compiled", "shown", "groups", "groupindex")

    def __init__(self, compiled: regex.Pattern[str], shown: str) -> None:
        self.compiled = compiled
        self.shown = shown
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex

    def search(self, text: str) -> Match[str] | None:
        return self._bounded(self.compiled.search, text)

    def fullmatch(self, text: str) -> Match[str] | None:
        return self._bounded(self.compiled.fullmatch, text)

    def sub(self, replacement: Callable[[Match[str]], str], text: str) -> str:
        return self._bounded(self.compiled.sub, replacement, text)

    def _bounded(self, call: Callable[..., _Result], *args: Any) -> _Result:
        try:
            return call(*args, timeout=MATCH_TIMEOUT_SECONDS)
        except TimeoutError:
            raise RegexTimeout(
                f"{self.shown} used more than its time limit of {MATCH_TIMEOUT_SECONDS:g} s of "
                "processor time on one value; simplify the expression"
            ) from None


def compile_timed(pattern: str, shown: str, *, ignore_case: bool = False) -> TimedPattern:
    """Compile with `regex` in its `re`-compatible behaviour (V0); raises PatternError if invalid."""
    import regex

    try:
        compiled = regex.compile(pattern, regex.V0 | (regex.IGNORECASE if ignore_case else 0))
    except regex.error as error:
        raise PatternError(str(error)) from None
    return TimedPattern(compiled, shown)
