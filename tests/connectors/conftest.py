"""Fixtures shared by the directory tests: a small company, and each writable directory holding it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from synctui.connectors.jsonfile import JsonFileDirectory, jsonfile_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import TenantDirectory, tenant_definition
from synctui.models import DirectoryDefinition

from .helpers import DirectoryFactory, groups, users, write_json


def _memory(tmp_path: Path) -> DirectoryFactory:
    def make(definition: DirectoryDefinition | None = None) -> MemoryDirectory:
        return MemoryDirectory(definition or tenant_definition(), {"User": users(), "Group": groups()})

    return make


def _tenant(tmp_path: Path) -> DirectoryFactory:
    def make(definition: DirectoryDefinition | None = None) -> TenantDirectory:
        path = tmp_path / "tenant" / "directory.json"
        write_json(path, {"users": users(), "groups": groups()})
        return TenantDirectory(path, definition)

    return make


def _jsonfile(tmp_path: Path) -> DirectoryFactory:
    def make(definition: DirectoryDefinition | None = None) -> JsonFileDirectory:
        path = tmp_path / "target.json"
        write_json(path, {"User": users(), "Group": groups()})
        return JsonFileDirectory(path, definition or jsonfile_definition())

    return make


@pytest.fixture(params=[_memory, _tenant, _jsonfile], ids=["memory", "tenant", "jsonfile"])
def make_directory(request: pytest.FixtureRequest, tmp_path: Path) -> DirectoryFactory:
    """Each writable directory in turn, holding `users()` and `groups()`."""
    return request.param(tmp_path)


@pytest.fixture
def definition_for(make_directory: DirectoryFactory) -> Callable[[], DirectoryDefinition]:
    """A fresh copy of the default definition of the directory under test."""
    return lambda: make_directory().definition().model_copy(deep=True)
