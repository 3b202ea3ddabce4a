"""A space whose rows a cycle took is folded from its file's text (`ConnectorSpace._fold_from_text`):
what it writes is what a space with its rows loaded writes, entry for entry and in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synctui.models.connector_space import SpaceEntry
from synctui.store import StoreError, connector_space
from synctui.store.connector_space import ConnectorSpace

from .test_space_rows import _as_stored, entries

keys = st.sampled_from(["User:a", "User:b", "User:c", "Group:d", 'User:é"\n\\'])
"""Few keys: entries are changed, removed and added again across checkpoints."""
writes = st.lists(
    st.tuples(st.booleans(), st.dictionaries(keys, st.one_of(st.none(), entries), min_size=1, max_size=8)),
    min_size=1,
    max_size=10,
)
"""Checkpoints of a cycle: whether the cycle takes the entries first, then what it changes (None removes)."""


def _on_disk(path: Path) -> list[tuple[str, SpaceEntry]]:
    return list(ConnectorSpace(path).entries().items())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=writes, fold_at_once=st.sampled_from([1, 3, 50]), fold_min=st.sampled_from([0, 300, 1 << 20]))
def test_a_space_folded_from_its_text_holds_what_one_with_its_rows_would(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    steps: list[tuple[bool, dict[str, SpaceEntry | None]]],
    fold_at_once: int,
    fold_min: int,
) -> None:
    monkeypatch.setattr(connector_space, "FOLD_AT_ONCE", fold_at_once)
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", fold_min)
    monkeypatch.setattr(connector_space, "ROW_CHUNK", 2)  # several pieces from a few entries
    monkeypatch.setattr(connector_space, "_WINDOW", 64)  # windows cut between lines, lines longer than one
    folder = tmp_path_factory.mktemp("space")
    taken, loaded = ConnectorSpace(folder / "taken.space.json"), ConnectorSpace(folder / "loaded.space.json")
    expected: dict[str, SpaceEntry] = {}
    for take, changes in steps:
        if take:
            taken.take_entries()
        taken.write(changes)
        loaded.entries()  # its rows loaded: written as before
        loaded.write(changes)
        for key, entry in changes.items():
            expected.pop(key, None) if entry is None else expected.update({key: _as_stored(entry)})
        assert _on_disk(taken.path) == _on_disk(loaded.path)  # type: ignore[arg-type]
        assert dict(_on_disk(taken.path)) == expected  # type: ignore[arg-type]


@pytest.fixture
def taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ConnectorSpace:
    """A space whose rows a cycle took, folded at every write."""
    monkeypatch.setattr(connector_space, "FOLD_AT_ONCE", 1)
    space = ConnectorSpace(tmp_path / "job.space.json")
    space.take_entries()
    return space


def _entry(name: str) -> SpaceEntry:
    entry = SpaceEntry("User", hash=name, display_name=name)
    entry.link(f"t-{name}", "User")
    return entry


def test_a_fold_from_the_text_changes_lines_in_place_drops_removed_ones_and_puts_new_ones_last(
    taken: ConnectorSpace,
) -> None:
    space, path = taken, taken.path
    space.write({f"User:{n}": _entry(str(n)) for n in range(6)})  # all new: the file's lines copied whole
    space.write({f"User:{n}": _entry(f"{n}b") for n in range(6, 9)})
    assert space._rows is None  # folded from the text, never loaded
    space.write({"User:1": _entry("1c"), "User:4": None, "User:9": _entry("9"), "User:2": None})
    space.write({"User:2": _entry("2d"), "User:0": _entry("0d")})  # removed, then added again: last
    assert [(key, entry.hash) for key, entry in ConnectorSpace(path).entries().items()] == [
        ("User:0", "0d"),
        ("User:1", "1c"),
        ("User:3", "3"),
        ("User:5", "5"),
        ("User:6", "6b"),
        ("User:7", "7b"),
        ("User:8", "8b"),
        ("User:9", "9"),
        ("User:2", "2d"),
    ]


def test_a_damaged_line_is_not_copied_over_the_space_is_loaded_and_names_it(taken: ConnectorSpace) -> None:
    space, path = taken, taken.path
    space.write({"User:a": _entry("a"), "User:b": _entry("b")})
    path.write_bytes(path.read_bytes().replace(b'\n"User:b":[', b'\n"User:b":{'))
    with pytest.raises(StoreError, match="connector space"):
        space.write({"User:a": _entry("a2")})


def test_an_entry_the_log_removed_and_added_again_goes_last_when_folded_from_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "job.space.json"
    space = ConnectorSpace(path)
    space.take_entries()
    monkeypatch.setattr(connector_space, "FOLD_AT_ONCE", 1)
    space.write({"User:a": _entry("a"), "User:b": _entry("b"), "User:c": _entry("c")})
    monkeypatch.setattr(connector_space, "FOLD_AT_ONCE", 100)
    monkeypatch.setattr(connector_space, "FOLD_MIN_BYTES", 1 << 20)
    space.write({"User:b": None})  # to the log
    space.write({"User:b": _entry("b2"), "User:a": _entry("a2")})
    space._fold()
    assert space._rows is None  # folded from the text, never loaded
    assert [(key, entry.hash) for key, entry in ConnectorSpace(path).entries().items()] == [
        ("User:a", "a2"),
        ("User:c", "c"),
        ("User:b", "b2"),
    ]
