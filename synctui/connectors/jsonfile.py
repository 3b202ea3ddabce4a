"""A JSON file as a provisioning target, `{"User": [...], "Group": [...]}`: the target of the
`jsonfile` template, for watching what a job would do to an application without one."""

from __future__ import annotations

import os
from pathlib import Path

from ..ids import new_guid_hex
from ..models import DirectoryDefinition
from ._definitions import (
    SOFT_DELETION_METADATA,
    entra_group_attributes,
    entra_user_attributes,
    id_anchor,
    object_definition,
)
from ._document import JsonDocumentDirectory
from .base import ConnectionFailure, TargetDataError

JSON_FILE_DIRECTORY_NAME = "JSON file"


def jsonfile_definition() -> DirectoryDefinition:
    return DirectoryDefinition.of_own_values(
        name=JSON_FILE_DIRECTORY_NAME,
        read_only=False,
        objects=[
            object_definition("User", [id_anchor(), *entra_user_attributes()], SOFT_DELETION_METADATA),
            object_definition("Group", [id_anchor(), *entra_group_attributes()]),
        ],
    )


class JsonFileDirectory(JsonDocumentDirectory):
    """A target file with one list per object type of the definition, each object with its
    generated `id`. Any attribute name can be written. A missing file is an empty directory,
    created on the first flush that has something to write. One thread at a time."""

    data_error = TargetDataError
    keeps_written_text = True

    def __init__(self, path: str | os.PathLike[str], definition: DirectoryDefinition | None = None) -> None:
        definition = definition or jsonfile_definition()
        super().__init__(
            path,
            definition,
            collections={object_definition.name: object_definition.name for object_definition in definition.objects},
            missing_file_is_empty=True,
            new_id=new_guid_hex,
        )

    def test_connection(self) -> None:
        """Check that the file, if there is one, can be read, and that it can be written."""
        folder = _nearest_existing(self.path.parent)
        if not folder.is_dir():
            raise ConnectionFailure("FileNotWritable", f"{self.path}: {folder} is not a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ConnectionFailure("FileNotWritable", f"{self.path}: the folder {folder} is not writable")
        super().test_connection()


def _nearest_existing(folder: Path) -> Path:
    """`folder`, or its closest ancestor that exists: the one a flush must create folders in."""
    folder = folder.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
