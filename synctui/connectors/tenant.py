"""The local "Azure Active Directory": users and groups in a JSON file with Graph property names,
`{"users": [...], "groups": [...], "appRoleAssignments": [...]}`. Outbound jobs read it (and the
assignments to their application, see connectors/assignments.py); the inbound HR job writes into it."""

from __future__ import annotations

import os
from typing import Any

from ..ids import new_guid
from ..models import AttributeType, DirectoryDefinition
from ._definitions import (
    SOFT_DELETION_METADATA,
    attribute,
    entra_group_attributes,
    entra_user_attributes,
    object_definition,
)
from ._document import NOT_IN_TEXT, JsonDocumentDirectory
from .assignments import ASSIGNMENTS_KEY, checked_assignments

TENANT_DIRECTORY_NAME = "Azure Active Directory"


def tenant_definition() -> DirectoryDefinition:
    """Entra's own description of itself as a provisioning source: anchor `objectId`, and
    `IsSoftDeleted`, which the engine computes rather than reads."""
    return DirectoryDefinition.of_own_values(
        name=TENANT_DIRECTORY_NAME,
        read_only=False,
        objects=[
            object_definition(
                "User",
                [
                    attribute("objectId", anchor=True),
                    *entra_user_attributes(),
                    attribute("IsSoftDeleted", AttributeType.Boolean),
                ],
                {**SOFT_DELETION_METADATA, "PropertyNameSoftDeleted": "IsSoftDeleted"},
            ),
            object_definition(
                "Group",
                [
                    attribute("objectId", anchor=True),
                    *entra_group_attributes(),
                    attribute("mail"),
                    attribute("securityEnabled", AttributeType.Boolean),
                ],
            ),
        ],
    )


class TenantDirectory(JsonDocumentDirectory):
    """The tenant file as a directory. Objects carry both `id` and `objectId` (Entra's anchor
    name). A missing or malformed file raises `SourceDataError`. One thread at a time."""

    def __init__(self, path: str | os.PathLike[str], definition: DirectoryDefinition | None = None) -> None:
        super().__init__(
            path,
            definition or tenant_definition(),
            collections={"User": "users", "Group": "groups"},
            missing_file_is_empty=False,
            new_id=new_guid,
        )

    # --- assignments (AssignmentSource) -------------------------------------------------------

    def app_role_assignments(self, resource_id: str) -> list[dict[str, Any]]:
        """The application's assignments; read from the file's text alone while nothing else of
        the document was read (provision on demand reads one object and the assignments)."""
        listed = NOT_IN_TEXT if self._document is not None else self._value_from_text(ASSIGNMENTS_KEY)
        assignments = (
            self._assignments()
            if listed is NOT_IN_TEXT
            else checked_assignments([] if listed is None else listed, self._data_error)
        )
        return [assignment for assignment in assignments if assignment["resourceId"] == resource_id]

    def add_app_role_assignment(self, assignment: dict[str, Any]) -> None:
        """Keep `assignment` (see `new_assignment`); written at the next flush."""
        self._set_assignments([*self._assignments(), assignment])

    def remove_app_role_assignment(self, assignment_id: str) -> dict[str, Any] | None:
        """Remove the assignment with that id (written at the next flush); None if there is none."""
        assignments = self._assignments()
        removed = next((item for item in assignments if item["id"] == assignment_id), None)
        if removed is not None:
            self._set_assignments([item for item in assignments if item is not removed])
        return removed

    def _assignments(self) -> list[dict[str, Any]]:
        return checked_assignments(self._loaded().get(ASSIGNMENTS_KEY, []), self._data_error)

    def _set_assignments(self, assignments: list[dict[str, Any]]) -> None:
        # The document keeps keys other than its collections as they are, and flush writes them.
        self._loaded()[ASSIGNMENTS_KEY] = assignments
        self._dirty = True

    def _loaded(self) -> dict[str, Any]:
        """The document, read once (as the object types are)."""
        if self._document is None:
            self._load()
        assert self._document is not None
        return self._document
