"""Deleting a job removes the notes its directories keep beside their files (an index, where the
objects' texts lie: connectors/document_index.py), but not the files themselves, nor the notes
beside a file another job's source or target still is."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from synctui.connectors.base import Modification
from synctui.connectors.document_index import notes_beside
from synctui.connectors.tenant import TenantDirectory
from synctui.service import SyncService


def _jsonfile_job(service: SyncService, target: Path, source: Path | None = None) -> str:
    settings = {"SourcePath": str(source)} if source is not None else {}
    return service.create_job("jsonfile", secrets={"ConnectionString": str(target)}, settings=settings).id


def _with_every_note(service: SyncService, job_id: str) -> None:
    """A cycle (the target's index and where its objects lie), then a user changed and provisioned
    on demand (the target rewritten in place: the objects rewritten since)."""
    service.run_cycle(job_id)
    tenant = TenantDirectory(service.home.tenant_file)
    user = next(iter(tenant.read_all("User")))
    tenant.update("User", user["id"], Modification(replace={"jobTitle": "Acting"}))
    tenant.flush()
    service.provision_on_demand(job_id, user["id"])


def test_deleting_a_job_removes_the_notes_beside_its_target(service: SyncService, tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    job_id = _jsonfile_job(service, target)
    _with_every_note(service, job_id)
    assert all(note.exists() for note in notes_beside(target))
    source_notes = [note for note in notes_beside(service.home.tenant_file) if note.exists()]
    assert source_notes  # (the source searched for the user, on demand)
    service.delete_job(job_id)
    assert not any(note.exists() for note in notes_beside(target))
    assert target.exists()  # the target's objects stay
    # The demo jobs read the same tenant file: the notes beside it are theirs too.
    assert all(note.exists() for note in source_notes)


def test_notes_beside_a_file_another_job_uses_stay(service: SyncService, tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    job_id = _jsonfile_job(service, target)
    (tmp_path / "sub").mkdir()
    same_target = _jsonfile_job(service, tmp_path / "sub" / ".." / "target.json")  # (another spelling)
    reads_it = _jsonfile_job(service, tmp_path / "other.json", source=target)
    _with_every_note(service, job_id)
    service.delete_job(job_id)
    assert all(note.exists() for note in notes_beside(target))
    service.delete_job(same_target)
    assert all(note.exists() for note in notes_beside(target))  # still the source of another job
    service.delete_job(reads_it)
    assert not any(note.exists() for note in notes_beside(target))
    assert target.exists()


def test_deleting_a_job_that_is_not_configured_removes_nothing_beside_files(service: SyncService) -> None:
    job = service.create_job("jsonfile")  # no target file
    before = sorted(service.home.tenant_file.parent.iterdir())
    service.delete_job(job.id)
    assert sorted(service.home.tenant_file.parent.iterdir()) == before


def test_a_file_named_as_a_note_of_another_file_is_no_note(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path / "t.json")
    service.run_cycle(job_id)
    odd_name = tmp_path / ".t.json.index"  # a legal, if odd, name for another job's target
    other = _jsonfile_job(service, odd_name)
    service.run_cycle(other)
    service.delete_job(job_id)
    assert odd_name.exists()
    service.delete_job(other)
    # A data file with a note's name, no job's: removing it would lose what it holds.
    odd_name.write_text('{"users": []}')
    job_id = _jsonfile_job(service, tmp_path / "t.json")
    service.delete_job(job_id)
    assert odd_name.read_text() == '{"users": []}'


def test_a_job_is_deleted_whatever_the_paths_of_its_files_or_of_another_jobs(
    service: SyncService, tmp_path: Path
) -> None:
    at_root = _jsonfile_job(service, Path("/"))  # (a path without a name: nothing beside it)
    service.delete_job(at_root)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    looping = _jsonfile_job(service, tmp_path / "loop" / "t.json")  # (its path does not resolve)
    job_id = _jsonfile_job(service, tmp_path / "target.json")
    service.run_cycle(job_id)
    notes = [note for note in notes_beside(tmp_path / "target.json") if note.exists()]
    assert notes
    service.delete_job(job_id)
    assert all(note.exists() for note in notes)  # (kept: whether another job uses the file cannot be told)
    assert [job.id for job in service.list_jobs()].count(job_id) == 0
    service.delete_job(looping)


def test_notes_a_stopping_cycle_writes_while_delete_waits_go_too(
    service: SyncService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cycle still running when the job is deleted writes its target's notes as it ends (the
    # index at its flush, where the texts lie at close): the notes are named once it has stopped.
    target = tmp_path / "target.json"
    job_id = _jsonfile_job(service, target)
    claimed_stopping = type(service._cycles).claimed_stopping

    @contextlib.contextmanager
    def once_the_cycle_ends(cycles: object, job: str) -> Iterator[None]:
        _with_every_note(service, job)  # (the cycle delete waits for)
        with claimed_stopping(cycles, job):  # type: ignore[arg-type]
            yield

    monkeypatch.setattr(type(service._cycles), "claimed_stopping", once_the_cycle_ends)
    service.delete_job(job_id)
    assert not any(note.exists() for note in notes_beside(target))
    assert target.exists()
