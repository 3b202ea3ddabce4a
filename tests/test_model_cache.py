"""Models validated in one process and kept for the next (store/model_cache.py): what the next
process gets is what validating would give, and anything else than the cache's own files in its
own folder is validated again."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from synctui.models import SynchronizationJob, SynchronizationSchema
from synctui.service import SyncService
from synctui.store import ConfigStore, Home, model_cache
from synctui.store.jobs import JobRepository


def _job_id(service: SyncService) -> str:
    return next(job.id or "" for job in service.list_jobs() if job.template_id == "jsonfile")


def _next_process(home: Home) -> JobRepository:
    """The jobs as another process reads them: nothing validated in memory yet."""
    return JobRepository(ConfigStore(home.config_file))


def _validating_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("validated again")

    for model in (SynchronizationJob, SynchronizationSchema):
        monkeypatch.setattr(model, "model_validate", refused)


def test_the_next_process_gets_the_models_validating_would_give(
    service: SyncService, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = _job_id(service)
    first = _next_process(home)
    record, schema = first.get(job_id), first.schema(job_id)
    assert list((home.root / "cache").glob("*.pickle"))
    _validating_fails(monkeypatch)
    again = _next_process(home)
    kept_record, kept_schema = again.get(job_id), again.schema(job_id)
    assert kept_record.job.model_dump(mode="json") == record.job.model_dump(mode="json")
    assert kept_schema.model_dump(mode="json") == schema.model_dump(mode="json")
    assert kept_schema is not again.schema(job_id)  # each read its own object, free to change


def test_a_changed_document_is_validated_again(service: SyncService, home: Home) -> None:
    job_id = _job_id(service)
    _next_process(home).schema(job_id)
    schema = service.get_schema(job_id)
    schema.synchronization_rules[0].object_mappings[0].name = "Renamed"
    service.put_schema(job_id, schema)
    assert _next_process(home).schema(job_id).synchronization_rules[0].object_mappings[0].name == "Renamed"


def test_a_damaged_cache_file_is_validated_again(service: SyncService, home: Home) -> None:
    job_id = _job_id(service)
    expected = _next_process(home).schema(job_id).model_dump(mode="json")
    for path in (home.root / "cache").glob("*.pickle"):
        path.write_bytes(path.read_bytes()[:100])
    assert _next_process(home).schema(job_id).model_dump(mode="json") == expected


def test_a_folder_others_may_write_is_not_used(
    service: SyncService, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = _job_id(service)
    _next_process(home).schema(job_id)
    os.chmod(home.root / "cache", 0o777)
    _validating_fails(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        _next_process(home).schema(job_id)


def test_the_folder_keeps_the_newest_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_cache, "KEPT", 3)
    kept = model_cache.ValidatedModels(tmp_path / "cache")
    for number in range(5):
        assert kept.get(dict, {"n": number}, lambda number=number: {"n": number}) == {"n": number}
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 3
    assert kept.get(dict, {"n": 4}, lambda: {"validated": "again"}) == {"n": 4}  # the newest is kept
    assert kept.get(dict, {"n": 0}, lambda: {"validated": "again"}) == {"validated": "again"}


def test_a_model_that_cannot_be_pickled_is_validated_each_time(tmp_path: Path) -> None:
    kept = model_cache.ValidatedModels(tmp_path / "cache")
    unpicklable = {"lock": threading.Lock()}
    assert kept.get(dict, {"n": 1}, lambda: unpicklable) is unpicklable
    assert kept.get(dict, {"n": 1}, lambda: {"validated": "again"}) == {"validated": "again"}
    assert [path.name for path in (tmp_path / "cache").iterdir() if path.suffix == ".tmp"] == []
