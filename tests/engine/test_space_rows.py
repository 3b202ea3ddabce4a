"""The connector space kept as rows (synctui.store.connector_space): what a store reads back is
what was written, in the layout written now and in the one it replaced; the facts a cycle reads
from the rows without making entries (`EntrySummaries`) are what the entries say; and a cycle
gives the same results whether its entries offer those facts or not."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synctui.connectors.jsonfile import jsonfile_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition
from synctui.models.connector_space import EntrySummaries, ProvisioningState, SpaceEntry
from synctui.store import JobStateStore, StoreError, connector_space
from synctui.store.connector_space import LoadedEntries, _entry_to_json, _row_of, _row_of_entry
from synctui.store.job_state import StateSnapshot
from synctui.templates import get_template

from .harness import Harness, person
from .test_property import _apply, edit

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
entries = st.builds(
    SpaceEntry,
    st.sampled_from(["User", "Group"]),
    st.sampled_from(list(ProvisioningState)),
    st.one_of(st.none(), text.filter(bool)),
    st.one_of(st.none(), st.just("User")),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), text),
    st.one_of(st.none(), text),
    st.one_of(st.none(), st.dictionaries(st.sampled_from(["manager", "members"]), st.one_of(text, st.lists(text)))),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.sampled_from(["c1", "c2"])),
).map(lambda entry: dataclasses.replace(entry, target_id=None) if entry.state is ProvisioningState.UNLINKED else entry)
"""Entries as the engine makes them: an unlinked one has no target (see `SpaceEntry.unlink`)."""
spaces = st.dictionaries(st.from_regex(r"(User|Group):[^\x00]{1,8}", fullmatch=True), entries, max_size=12)


def _as_stored(entry: SpaceEntry) -> SpaceEntry:
    """`entry` as a store gives it back: a state without a link is no state (see `_entry_from_row`)."""
    return entry if entry.target_id else SpaceEntry(**{**_fields(entry), "state": ProvisioningState.UNLINKED})


def _fields(entry: SpaceEntry) -> dict[str, Any]:
    return {field.name: getattr(entry, field.name) for field in dataclasses.fields(entry)}


def _summaries_of_made(made: Mapping[str, SpaceEntry], order: list[str]) -> dict[str, Any]:
    """What `EntrySummaries` must tell, from entries made (`order`: theirs, where two share a target)."""
    made = {key: made[key] for key in order}
    return {
        "hash_and_cycle": {key: (entry.hash, entry.cycle) for key, entry in made.items()},
        "due": sorted(key for key, entry in made.items() if entry.refs_pending or entry.refs_unresolved),
        "managed": {key: entry.managed_target for key, entry in made.items()},
        "linked": Counter(entry.object_type for entry in made.values() if entry.state is ProvisioningState.LINKED),
        "owners": {(entry.target_type, entry.target_id): key for key, entry in made.items() if entry.target_id},
    }


def _summaries(loaded: LoadedEntries, keys: list[str]) -> dict[str, Any]:
    return {
        "hash_and_cycle": dict(zip(keys, loaded.hashes_and_cycles(keys), strict=True)),
        "due": sorted(loaded.keys_with_references_due()),
        "managed": {key: loaded.managed_target(key) for key in keys},
        "linked": loaded.linked_by_type(),
        "owners": loaded.owners(),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=spaces, second=spaces, made=st.sets(st.integers(min_value=0, max_value=11)))
def test_what_a_store_reads_back_is_what_was_written_and_the_rows_tell_what_the_entries_do(
    tmp_path_factory: pytest.TempPathFactory,
    first: dict[str, SpaceEntry],
    second: dict[str, SpaceEntry],
    made: set[int],
) -> None:
    state_file = tmp_path_factory.mktemp("jobs") / "job.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connector_space, "FOLD_AT_ONCE", 1)
        JobStateStore(state_file).checkpoint(entries=first)  # into the file
    # The second write removes some of the first's entries, and goes to the change log.
    removed = list(first)[::3]
    JobStateStore(state_file).checkpoint(entries={**dict.fromkeys(removed), **second})
    on_disk = {key: _as_stored(entry) for key, entry in first.items() if key not in removed}
    on_disk.update({key: _as_stored(entry) for key, entry in second.items()})
    keys = sorted({*first, *second, "User:absent"})

    loaded = JobStateStore(state_file).load().entries
    assert isinstance(loaded, LoadedEntries)
    # Some entries made (as a cycle asks for them), one replaced: the facts follow what the entries are.
    expected = dict(on_disk)
    for position, key in enumerate(sorted(loaded)):
        if position in made:
            assert loaded[key] == on_disk[key]
    if loaded:
        replaced = sorted(loaded)[-1]
        loaded[replaced] = expected[replaced] = SpaceEntry(
            "Group", ProvisioningState.DISABLED, "t9", refs_unresolved=True, cycle="c3"
        )
    assert _summaries(loaded, keys) == {
        **_summaries_of_made(expected, list(loaded)),
        "hash_and_cycle": {key: (e.hash, e.cycle) if (e := expected.get(key)) else None for key in keys},
        "managed": {key: e.managed_target if (e := expected.get(key)) else None for key in keys},
    }
    assert dict(loaded) == expected

    # Read a few at a time, from the file's text and its log, they are what a whole read gives.
    few = JobStateStore(state_file).load(few_entries=True).entries
    assert {key: few.get(key) for key in keys} == {key: on_disk.get(key) for key in keys}


@given(entry=entries, key=st.sampled_from(["User:1", "Group:g"]))
def test_a_row_made_from_an_entry_is_the_row_of_the_entry_as_the_log_holds_it(entry: SpaceEntry, key: str) -> None:
    assert _row_of_entry(entry) == _row_of(_entry_to_json(entry, key))


def _old_layout(entries: dict[str, SpaceEntry], sequence: int) -> bytes:
    """A space file as written before the rows: a TinyDB table of one document per entry,
    indented, the space first, then the sequence number folded in."""
    table = {str(n): _entry_to_json(entry, key) for n, (key, entry) in enumerate(entries.items(), start=1)}
    document = {"connectorSpace": table, "changeLog": {"1": {"sequence": sequence}}}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=spaces, later=spaces)
def test_a_space_file_laid_out_as_before_the_rows_reads_the_same_and_is_rewritten_as_rows(
    tmp_path_factory: pytest.TempPathFactory, old: dict[str, SpaceEntry], later: dict[str, SpaceEntry]
) -> None:
    state_file = tmp_path_factory.mktemp("jobs") / "job.json"
    space = state_file.with_suffix(".space.json")
    space.write_bytes(_old_layout(old, sequence=4))
    expected = {key: _as_stored(entry) for key, entry in old.items()}
    keys = sorted({*old, *later, "User:absent"})

    assert dict(JobStateStore(state_file).load().entries) == expected
    few = JobStateStore(state_file).load(few_entries=True).entries
    assert {key: few.get(key) for key in keys} == {key: expected.get(key) for key in keys}

    # A checkpoint goes to the log after the old file's last record; a fold writes rows.
    store = JobStateStore(state_file)
    store.checkpoint(entries=later)
    assert (orjson.loads(space.read_bytes()) if space.exists() else {}).get("connectorSpace") is not None
    expected.update({key: _as_stored(entry) for key, entry in later.items()})
    store._space._fold()
    assert list(orjson.loads(space.read_bytes())) == ["connectorSpaceRows"]
    assert orjson.loads(space.read_bytes())["connectorSpaceRows"]["1"]["sequence"] == (5 if later else 4)
    assert dict(JobStateStore(state_file).load().entries) == expected
    few = JobStateStore(state_file).load(few_entries=True).entries
    assert {key: few.get(key) for key in keys} == {key: expected.get(key) for key in keys}


def test_the_file_holds_one_entry_a_line_after_a_header_of_its_fields(tmp_path: Path) -> None:
    state_file = tmp_path / "job.json"
    entry = SpaceEntry("User", ProvisioningState.LINKED, "t1", "User", True, "h1", 'Line\nbreak "quoted"', {})
    JobStateStore(state_file).checkpoint(entries={"User:1": entry, "User:2": SpaceEntry("User")})
    JobStateStore(state_file)._space._fold()
    lines = state_file.with_suffix(".space.json").read_bytes().splitlines()
    assert lines[0] == (
        b'{"connectorSpaceRows":{"1":{"sequence":1,"fields":["type","targetId","targetType","inScope","hash",'
        b'"displayName","deprovisioned","refs","refsPending","refsUnresolved","cycle"],"entries":{'
    )
    assert lines[1:] == [
        b'"User:1":["User","t1","User",true,"h1","Line\\nbreak \\"quoted\\"",null,{},null,null,null],',
        b'"User:2":["User",null,null,null,null,null,null,null,null,null,null]',
        b"}}}}",
    ]


def _write_rows(state_file: Path, fields: list[str], rows: dict[str, list[Any]]) -> None:
    document = {"connectorSpaceRows": {"1": {"sequence": 0, "fields": fields, "entries": rows}}}
    state_file.with_suffix(".space.json").write_bytes(orjson.dumps(document))


def test_rows_of_fields_in_another_order_are_read_by_name_and_unknown_fields_are_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "job.json"
    fields = [*reversed(connector_space.FIELDS)]
    values = ["User", "t1", "User", True, "h1", "One", "disabled", {}, None, True, "c"]
    row = dict(zip(connector_space.FIELDS, values, strict=True))
    _write_rows(state_file, fields, {"User:1": [row[name] for name in fields]})
    assert JobStateStore(state_file).load().entries == {
        "User:1": SpaceEntry("User", ProvisioningState.DISABLED, "t1", "User", True, "h1", "One", {}, False, True, "c")
    }
    _write_rows(state_file, [*fields, "colour"], {"User:1": [*(row[name] for name in fields), "red"]})
    with pytest.raises(StoreError, match="fields this version of synctui does not know \\(colour\\)"):
        JobStateStore(state_file).load()


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ({"User:1": ["User", "t1", None, None, None, None, "gone", None, None, None, None]}, "marked deprovisioned"),
        ({"User:1": ["User", "t1"]}, "damaged \\(an entry is not a row of 11 values\\)"),
        ({"User:1": {"type": "User"}}, "damaged \\(an entry is not a row of values\\)"),
    ],
)
def test_a_damaged_row_stops_the_load_with_the_fix(tmp_path: Path, rows: dict[str, Any], problem: str) -> None:
    state_file = tmp_path / "job.json"
    _write_rows(state_file, list(connector_space.FIELDS), rows)
    with pytest.raises(StoreError, match=problem):
        JobStateStore(state_file).load()


class MadeEntriesStore(JobStateStore):
    """A store handing a cycle its entries all made, in a plain dict: the path the engine takes
    for entries that do not offer `EntrySummaries`."""

    def load(self, *, few_entries: bool = False) -> StateSnapshot:
        snapshot = super().load(few_entries=few_entries)
        if not few_entries:
            snapshot.entries = dict(snapshot.entries)
        return snapshot


def _harness(state: JobStateStore) -> Harness:
    users = [person(n, manager="u0" if n else None) for n in range(4)]
    group = {"id": "g1", "objectId": "g1", "displayName": "Sales", "mailNickname": "sales", "members": ["u0", "u1"]}
    return Harness(
        MemoryDirectory(tenant_definition(), {"User": users, "Group": [group]}),
        MemoryDirectory(jsonfile_definition(), seed=3),
        get_template("jsonfile").schema_,
        state=state,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(edit, max_size=8), min_size=1, max_size=4))
def test_a_cycle_over_rows_gives_what_a_cycle_over_made_entries_gives(
    tmp_path_factory: pytest.TempPathFactory, batches: list[list[tuple[str, int, Any]]]
) -> None:
    folder = tmp_path_factory.mktemp("jobs")
    patch = pytest.MonkeyPatch()
    patch.setattr(connector_space, "FOLD_MIN_BYTES", 0)  # the log folded into the file now and then
    patch.setattr(connector_space, "FOLD_SHARE", 0.5)
    try:
        _same_cycles(folder, batches)
    finally:
        patch.undo()


def _same_cycles(folder: Path, batches: list[list[tuple[str, int, Any]]]) -> None:
    rows, made = _harness(JobStateStore(folder / "rows.json")), _harness(MadeEntriesStore(folder / "made.json"))
    assert isinstance(rows.state.load().entries, EntrySummaries)
    assert not isinstance(made.state.load().entries, EntrySummaries)
    for batch in [[], *batches, []]:
        for harness in (rows, made):
            for action, n, value in batch:
                _apply(harness, action, n, value)
        results = [harness.run() for harness in (rows, made)]
        assert results[0].execution.model_dump(exclude={"activity_identifier"}) == results[1].execution.model_dump(
            exclude={"activity_identifier"}
        )
        assert results[0].entry_counts == results[1].entry_counts
        assert rows.users() == made.users() and rows.groups() == made.groups()
        assert {key: _fields(e) | {"cycle": None} for key, e in rows.state.load().entries.items()} == {
            key: _fields(e) | {"cycle": None} for key, e in made.state.load().entries.items()
        }


def test_a_crash_between_writing_the_rows_and_clearing_the_log_loses_and_repeats_nothing(tmp_path: Path) -> None:
    state_file = tmp_path / "job.json"
    log = state_file.with_suffix(".space.changes")
    store = JobStateStore(state_file)
    store.checkpoint(entries={"User:1": SpaceEntry("User", hash="h1"), "User:2": SpaceEntry("User", hash="h2")})
    store.checkpoint(entries={"User:1": None})
    before_the_clear = log.read_bytes()
    store._space._fold()  # the file holds records 1 and 2 now; the crash came before the log was cleared
    log.write_bytes(before_the_clear)
    JobStateStore(state_file).checkpoint(entries={"User:3": SpaceEntry("User", hash="h3")})  # record 3, after them

    expected = {"User:2": SpaceEntry("User", hash="h2"), "User:3": SpaceEntry("User", hash="h3")}
    assert dict(JobStateStore(state_file).load().entries) == expected
    few = JobStateStore(state_file).load(few_entries=True).entries
    assert {key: few.get(key) for key in ("User:1", "User:2", "User:3")} == {"User:1": None, **expected}


def test_a_few_entries_are_read_from_the_change_log_parsing_only_the_records_that_name_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "job.space.json"
    writer = connector_space.ConnectorSpace(path)
    first, second = SpaceEntry("User", hash="h1", cycle="c1"), SpaceEntry("User", hash="h2", cycle="c2")
    writer.write({"User:a": first, 'User:"b"': first})
    writer.write({'User:"b"': second})
    writer.write({"User:c": second, 'User:"b"': None})
    parsed: list[int] = []
    parse = connector_space.ChangeLog.parse
    monkeypatch.setattr(
        connector_space.ChangeLog, "parse", lambda self, n, line: parsed.append(n) or parse(self, n, line)
    )

    reader = connector_space.ConnectorSpace(path)
    assert reader.lookup(["User:a"]) == {"User:a": first}
    assert parsed == [1]
    assert reader.lookup(['User:"b"', "User:absent"]) == {'User:"b"': None, "User:absent": None}
    assert parsed == [1, 1, 2, 3]
    assert reader.version() == 3 == writer.version()
    assert reader.entries() == {"User:a": first, "User:c": second}

    # A torn last record is no record; a line that is not a record as `write` begins one is parsed.
    log = path.with_name("job.space.changes")
    with log.open("ab") as handle:
        handle.write(b'{"sequence":4,"entries":{"User:a":nul')
    assert connector_space.ConnectorSpace(path).lookup(["User:a"]) == {"User:a": first}
    log.write_bytes(b'{"entries":{},"sequence":1}\nnot json\n')
    with pytest.raises(StoreError, match="changes is damaged at line 2"):
        connector_space.ConnectorSpace(path).lookup(["User:a"])


def test_the_summaries_of_rows_and_made_entries_follow_the_space_s_order() -> None:
    """Entries naming one target (stale ones): the last in the space's order owns it, whether a
    row or an entry made; the keys with references due come in the space's order."""

    def row(target: str, state: ProvisioningState = ProvisioningState.LINKED, **fields: Any) -> list[Any]:
        return connector_space._row_of_entry(SpaceEntry("User", state, target, "User", **fields))

    rows = {
        "User:a": row("t1", refs_pending=True),
        "User:b": row("t2"),
        "User:c": row("t1"),
        "User:d": row("t3"),
        "User:e": row("t4", ProvisioningState.DISABLED),
        "User:f": [None, "t5", None, None, None, None, None, None, True, None, None],  # as first laid out: no type
    }
    # Rows alone: the later row owns a target two name.
    assert LoadedEntries(dict(rows), None).owners()[("User", "t1")] == "User:c"
    loaded = LoadedEntries(rows, None)
    loaded["User:b"] = SpaceEntry("User", ProvisioningState.LINKED, "t1", "User", refs_unresolved=True)
    loaded["User:d"] = SpaceEntry("User", ProvisioningState.LINKED, "t1", "User")
    assert loaded.owners() == {("User", "t1"): "User:d", ("User", "t4"): "User:e", (None, "t5"): "User:f"}
    assert loaded.keys_with_references_due() == ["User:a", "User:b", "User:f"]
    assert loaded.linked_by_type() == Counter({"User": 5})


@pytest.mark.parametrize("written", [1, connector_space.FOLD_AT_ONCE])
def test_every_write_that_changes_entries_changes_the_space_s_version(tmp_path: Path, written: int) -> None:
    # What a cycle noted of the space (quiet.py) holds while its version stands: a write of many
    # entries (folded into the file) by a process that had only looked entries up, as provision on
    # demand does, must change it too.
    def linked(target: str) -> SpaceEntry:
        entry = SpaceEntry("User")
        entry.link(target, "User")
        entry.state = ProvisioningState.LINKED
        return entry

    path = tmp_path / "job.space.json"
    connector_space.ConnectorSpace(path).write({f"User:u{n}": linked(f"t{n}") for n in range(10)})
    before = connector_space.ConnectorSpace(path).version()
    space = connector_space.ConnectorSpace(path)
    space.lookup(["User:u1"])
    space.write({f"User:m{n}": linked(f"m{n}") for n in range(written)})
    after = connector_space.ConnectorSpace(path)
    assert before is not None and after.version() == before + 1
    since = after.take_entries().managed_targets_since(before)
    if written < connector_space.FOLD_AT_ONCE:
        assert since == {f"User:m{n}": None for n in range(written)}  # (each new: no entry before)
    else:
        assert since is None  # folded into the file: no record tells what it wrote
