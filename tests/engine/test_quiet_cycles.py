"""Quiet cycles (engine/quiet.py): after a cycle that settled (ran to its end with nothing left
over), a cycle over the same source, connector space, schema and options ends as a look would,
without reading the source's objects or the space's entries; any change of those makes it look
again, and find what changed."""

from __future__ import annotations

import itertools
import random
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.clock import FrozenClock
from synctui.connectors import _document, document_pieces
from synctui.connectors.jsonfile import JsonFileDirectory
from synctui.connectors.tenant import TenantDirectory
from synctui.engine import Cycle, CycleOptions, CycleResult, compile_schema
from synctui.models.connector_space import SpaceEntry
from synctui.store import JobStateStore
from synctui.store.connector_space import ConnectorSpace
from synctui.templates import get_template

from .harness import person


@dataclass
class FileJob:
    """A jsonfile-template job over a tenant file, a target file and a state file, each cycle with
    directories of its own, as each `synctui jobs run` has."""

    folder: Path
    options: CycleOptions = field(default_factory=CycleOptions)
    schema: Any = field(default_factory=lambda: get_template("jsonfile").schema_)
    state: JobStateStore = field(init=False)
    last_source: TenantDirectory | None = None

    def __post_init__(self) -> None:
        self.state = JobStateStore(self.folder / "job.json")
        users = [person(1), person(2, manager="u1"), person(3, manager="u1"), person(4, accountEnabled=False)]
        groups = [{"id": "g1", "displayName": "Sales", "mailNickname": "sales", "members": ["u1", "u2", "u4"]}]
        self.write_tenant({"users": users, "groups": groups})

    @property
    def tenant(self) -> Path:
        return self.folder / "tenant.json"

    def write_tenant(self, document: dict[str, Any]) -> None:
        self.tenant.write_bytes(orjson.dumps(document))

    def edit_tenant(self, change: Callable[[dict[str, Any]], None]) -> None:
        document = orjson.loads(self.tenant.read_bytes())
        change(document)
        self.write_tenant(document)

    def cycle(self) -> Cycle:
        self.last_source = TenantDirectory(self.tenant)
        return Cycle(
            job_id="job",
            schema=compile_schema(self.schema),
            source=self.last_source,
            target=JsonFileDirectory(self.folder / "target.json"),
            state=self.state,
            clock=FrozenClock(),
            options=self.options,
        )

    def run(self) -> CycleResult:
        return self.cycle().run()

    def meta(self) -> dict[str, Any]:
        return dict(self.state.load(few_entries=True).meta)

    def forget_quiet_mark(self) -> None:
        """Make the next cycle look, as if the last one had not settled."""
        meta = self.meta()
        meta.pop("quiet")
        self.state.checkpoint(meta=meta)

    @property
    def looked(self) -> bool:
        """Whether the last cycle read the source's objects."""
        assert self.last_source is not None
        source = self.last_source
        return source._document is not None or source._pieces is not None  # read whole, or in pieces


@pytest.fixture
def job(tmp_path: Path) -> FileJob:
    job = FileJob(tmp_path)
    job.run()  # initial
    return job


def _summary(result: CycleResult) -> tuple[Any, ...]:
    execution = result.execution
    return (
        execution.state,
        execution.count_imported,
        execution.count_imported_deltas,
        execution.count_entitled,
        execution.count_exports,
        execution.count_escrowed,
        result.entry_counts,
        result.steady,
        result.escrows_outstanding,
    )


def test_after_a_cycle_that_settled_the_next_ends_as_a_look_would_without_looking(job: FileJob) -> None:
    target = (job.folder / "target.json").read_bytes()
    quiet = job.run()  # after the initial cycle, which exported everything and settled
    assert not job.looked
    assert quiet.execution.count_imported == 5 and sorted(quiet.entry_counts.values()) == [1, 3]
    job.forget_quiet_mark()
    looked = job.run()
    assert job.looked and looked.steady
    assert _summary(quiet) == _summary(looked)
    job.run()
    assert not job.looked
    assert (job.folder / "target.json").read_bytes() == target


def test_an_edited_source_is_looked_at_and_its_change_exported(job: FileJob) -> None:
    job.run()  # quiet
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Manager"))
    result = job.run()
    assert job.looked and result.execution.count_exports == 1
    assert (
        next(
            u
            for u in JsonFileDirectory(job.folder / "target.json").read_all("User")
            if u["mail"] == "user2@contoso.example"
        )["jobTitle"]
        == "Manager"
    )
    job.run()  # the cycle that exported the change settled: this one is quiet
    assert not job.looked


def test_a_changed_entry_makes_the_next_cycle_look(job: FileJob) -> None:
    # As provision on demand or a restart would: an entry written between two cycles.
    job.state.checkpoint(entries={"User:u3": SpaceEntry("User")})  # the link to u3's target object forgotten
    result = job.run()
    # Looked at again (its hash was dropped) and matched to the same target object, which is in sync.
    assert job.looked and result.execution.count_entitled == 1 and result.execution.count_exports == 0


def test_provision_on_demand_of_an_object_in_sync_leaves_the_next_cycle_quiet(job: FileJob) -> None:
    version = job.state.space_version()
    answer = job.cycle().provision_one("User", "u2")
    assert answer["statusInfo"]["errorCode"] == "RedundantExport"
    assert job.state.space_version() == version  # its entry was left as it was, and not written
    assert job.state.logs(1)[0]["id"] == answer["id"]  # what it did is logged all the same
    job.run()
    assert not job.looked
    # An object whose entry it changes (here a new one) is written, and the next cycle looks.
    job.edit_tenant(lambda document: document["users"].append(person(5)))
    assert job.cycle().provision_one("User", "u5")["provisioningAction"] == "create"
    assert job.state.space_version() == version + 1


def test_an_escrow_or_other_options_make_the_next_cycle_look(job: FileJob) -> None:
    job.state.checkpoint(
        escrows={"User:u9": {"key": "User:u9", "nextRetry": "2000-01-01T00:00:00Z", "count": 1, "error": "x"}}
    )
    job.run()
    assert job.looked
    job.run()  # the escrow is still there: the cycle before did not settle
    assert job.looked
    job.state.checkpoint(escrows={})
    job.run()
    job.run()
    assert not job.looked
    job.options = CycleOptions(delete_threshold=3)
    job.run()
    assert job.looked


def test_a_cycle_that_held_deletes_back_notes_no_mark(job: FileJob) -> None:
    job.options = CycleOptions(delete_threshold=1)
    job.run()
    job.edit_tenant(lambda document: document.update(users=document["users"][:1]))
    assert job.run().staged_deletes == 2  # u2 and u3 (u4, disabled, was never provisioned)
    for _ in range(2):
        assert job.run().staged_deletes == 2
        assert job.looked


def test_a_resumed_cycle_notes_no_mark(job: FileJob) -> None:
    job.edit_tenant(lambda document: document["users"][1].update(jobTitle="Manager"))
    # A run stopped before its objects were done, as a pause or a crash leaves it.
    job.state.checkpoint(meta={**job.meta(), "cursor": {"activityId": "a1", "initial": False, "counters": {}}})
    job.run()
    assert job.looked and "quiet" not in job.meta()
    job.run()
    assert job.looked and "quiet" in job.meta()


# Edits of the tenant file: (action, user number, value).
_user_number = st.integers(min_value=1, max_value=7)
_edit = st.one_of(
    st.tuples(st.just("create"), _user_number, st.booleans()),
    st.tuples(st.just("rename"), _user_number, st.sampled_from(["Ann", "Bo"])),
    st.tuples(st.just("enable"), _user_number, st.booleans()),
    st.tuples(st.just("delete"), _user_number, st.none()),
    st.tuples(st.just("manager"), _user_number, st.one_of(st.none(), _user_number)),
    st.tuples(st.just("member"), _user_number, st.booleans()),
    # Another user's sign-in name: two source objects matching one target object, escrowed until it changes.
    st.tuples(st.just("clash"), _user_number, _user_number),
)


def _edit_tenant(document: dict[str, Any], action: str, n: int, value: Any) -> None:
    users = {user["id"]: user for user in document["users"]}
    user_id = f"u{n}"
    user = users.get(user_id)
    members: list[str] = document["groups"][0]["members"]
    if action == "create":
        if user is None:
            document["users"].append(person(n, accountEnabled=value))
    elif user is None:
        return
    elif action == "rename":
        user["displayName"] = f"{value} {n}"
    elif action == "enable":
        user["accountEnabled"] = value
    elif action == "delete":
        document["users"].remove(user)
        for other in document["users"]:  # as a directory does: no dangling manager or member
            if other.get("manager") == user_id:
                other["manager"] = None
        if user_id in members:
            members.remove(user_id)
    elif action == "manager":
        manager = f"u{value}" if value is not None and f"u{value}" in users and value != n else None
        user["manager"] = manager
    elif action == "clash":
        user["userPrincipalName"] = user["mail"] = f"user{value}@contoso.example"
    elif action == "member":
        if value and user_id not in members:
            members.append(user_id)
        elif not value and user_id in members:
            members.remove(user_id)


@settings(max_examples=40)
@given(st.lists(st.lists(_edit, max_size=6), min_size=1, max_size=4))
def test_whenever_a_cycle_notes_a_mark_a_look_would_find_nothing(batches: list[list[tuple[str, int, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        job = FileJob(Path(folder))
        for batch in [[], *batches]:
            job.edit_tenant(lambda document, batch=batch: [_edit_tenant(document, *edit) for edit in batch])
            job.run()
            if "quiet" not in job.meta():
                continue
            target, space = (job.folder / "target.json").read_bytes(), job.state.load().entries
            quiet = job.run()
            assert not job.looked
            job.forget_quiet_mark()
            looked = job.run()
            assert job.looked
            assert looked.execution.count_imported_deltas == 0 and looked.execution.count_exports == 0
            assert _summary(looked) == _summary(quiet)
            assert (job.folder / "target.json").read_bytes() == target
            assert dict(job.state.load().entries) == dict(space)


# --- what the marks are made of ------------------------------------------------------------------


def test_a_source_digest_is_of_the_bytes_the_cycle_then_reads(tmp_path: Path) -> None:
    path = tmp_path / "tenant.json"
    path.write_bytes(orjson.dumps({"users": [person(1)], "groups": []}))
    source = TenantDirectory(path)
    digest = source.content_digest()
    assert digest == TenantDirectory(path).content_digest()
    path.write_bytes(orjson.dumps({"users": [person(1, jobTitle="Boss")], "groups": []}))
    assert TenantDirectory(path).content_digest() != digest
    # The objects are those of the bytes digested, not of the file as it is by then.
    assert next(iter(source.read_all("User")))["jobTitle"] == "Rep"
    assert source.content_digest() is None  # once read, the file's bytes no longer tell what it holds
    assert JsonFileDirectory(tmp_path / "missing.json").content_digest() == "no file"


def test_the_space_version_changes_with_each_write_of_entries(tmp_path: Path) -> None:
    space = ConnectorSpace(tmp_path / "job.space.json")
    assert space.version() == 0
    space.write({"User:u1": SpaceEntry("User")})
    space.write({})
    assert space.version() == 1 == ConnectorSpace(tmp_path / "job.space.json").version()
    for _ in range(3):
        space.write({"User:u1": SpaceEntry("User", hash="h")})
    assert ConnectorSpace(tmp_path / "job.space.json").version() == 4
    assert ConnectorSpace(None).version() is None


# --- a source read in pieces (connectors/document_pieces.py) ----------------------------------------


def _cycles_over_edits(folder: Path, batches: list[list[tuple[str, int, Any]]]) -> list[tuple[Any, ...]]:
    """What each cycle of a job over the tenant edited batch by batch leaves: its counts, the target
    file, the connector space, the escrows and the log entries (the ids the target makes drawn alike)."""
    random.seed(19)
    activities = itertools.count()
    job = FileJob(folder)
    left = []
    for batch in [[], *batches]:
        job.edit_tenant(lambda document, batch=batch: [_edit_tenant(document, *edit) for edit in batch])
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(activities)))  # each cycle's id
            result = job.run()
        left.append(_what_is_left(job, result, folder))
    return left


def _what_is_left(job: FileJob, result: CycleResult, folder: Path) -> tuple[Any, ...]:
    """What a cycle left, compared between two ways of running it: its counts, the target file's
    bytes, the connector space, the escrows and the log entries (but their ids)."""
    logs = [{k: v for k, v in log.items() if k not in ("id", "activityIdentifier")} for log in job.state.logs()]
    return (
        _summary(result),
        (folder / "target.json").read_bytes(),
        dict(job.state.load().entries),
        job.state.escrows(),
        logs,
    )


@settings(max_examples=25)
@given(st.lists(st.lists(_edit, max_size=6), min_size=1, max_size=4))
def test_a_source_read_in_pieces_leaves_what_a_whole_read_does(batches: list[list[tuple[str, int, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as whole, tempfile.TemporaryDirectory() as in_pieces:
        expected = _cycles_over_edits(Path(whole), batches)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_document, "PIECEWISE_BYTES", 0)
            patch.setattr(document_pieces, "PIECE", 2)  # pieces of a few objects, and many of them
            assert _cycles_over_edits(Path(in_pieces), batches) == expected
