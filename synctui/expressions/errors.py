"""The exceptions of the expression language: one base class, one for bad text, one for bad data."""

from __future__ import annotations


class ExpressionError(Exception):
    """Base class of every error raised by `synctui.expressions`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExpressionSyntaxError(ExpressionError):
    """The expression cannot be parsed or compiled: bad text, unknown function, wrong arguments.

    `column` is 1-based and counts characters from the start of the text (a newline counts as one);
    it is None for problems found in a tree that came without text (e.g. from a stored schema).
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        self.reason = message
        self.column = column
        super().__init__(f"error at column {column}: {message}" if column is not None else message)


class ExpressionEvaluationError(ExpressionError):
    """Evaluating a compiled expression against one object failed (bad date, not a number, …)."""


class RegexTimeout(ExpressionEvaluationError):
    """A user's regular expression (or date format) ran past its time limit on one value."""

    def within(self, where: str) -> RegexTimeout:
        """The same error, saying where it happened (the mapping's target, the scoping clause)."""
        return RegexTimeout(f"{where}: {self.message}")
