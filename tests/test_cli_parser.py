"""The parser built for a command line's words (only the group it names has its commands) answers
every command line as the whole tree does: the same arguments, the same help, the same errors."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest

from synctui.cli import UsageError, _build_parser


def _paths(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of the whole tree: (), ("jobs",), ("jobs", "run"), ("logs",)…"""
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _paths(sub, (*path, name))


PATHS = list(_paths(_build_parser()))


def _command_lines() -> Iterator[list[str]]:
    for path in PATHS:
        yield [*path, "--help"]
        yield [*path]
        yield [*path, "job-1"]
        yield [*path, "job-1", "--json"]
        yield [*path, "job-1", "--object", "user-1", "--trace"]
        yield [*path, "job-1", "--format", "csv", "--limit", "0"]
        yield [*path, "--bogus"]
        yield [*path, "nothing-of-that-name"]
        yield ["--home", "/tmp/h", *path, "job-1", "--scope", "Full", "--yes"]
    yield ["--graph", "jobs", "list"]  # --graph takes "jobs" as its address
    yield ["--home", "jobs", "templates", "list"]
    yield ["jobs", "escrows", "job-1", "--retry", "--dismiss", "k"]
    yield ["assignments", "add", "job-1", "--user", "u", "--role", "r"]
    yield ["secrets", "put", "job-1", "a=b", "c=d"]
    yield ["expression", "test", 'Join(",", [a])', "--input", "{}"]
    yield ["serve", "--graph", "127.0.0.1:0", "--tls-cert", "c", "--tls-key", "k"]


def _plain(value: Any) -> Any:
    """A parsed value comparable across two parsers: a handler by its name (and the action a
    shared one runs), everything else as it is."""
    if callable(value):
        cells = tuple(cell.cell_contents for cell in value.__closure__ or () if isinstance(cell.cell_contents, str))
        return (value.__qualname__, cells)
    return value


def _outcome(words: list[str] | None, argv: list[str]) -> tuple[Any, ...]:
    parser = _build_parser(words)
    printed = io.StringIO()
    with redirect_stdout(printed), redirect_stderr(printed):
        try:
            args = parser.parse_args(argv)
        except UsageError as error:
            return ("usage", str(error))
        except SystemExit as exit:  # --help
            return ("exit", exit.code, printed.getvalue())
    return ("parsed", {name: _plain(value) for name, value in vars(args).items()})


@pytest.mark.parametrize("argv", list(_command_lines()), ids=" ".join)
def test_the_parser_of_a_command_lines_words_answers_as_the_whole_tree(argv: list[str]) -> None:
    assert _outcome(argv, argv) == _outcome(None, argv)


def test_every_group_and_command_is_in_the_tree() -> None:
    assert ("jobs", "run") in PATHS and ("jobs", "provision") in PATHS and ("logs",) in PATHS
    assert len(PATHS) > 40
