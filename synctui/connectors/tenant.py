"""The local "Azure Active Directory": users and groups in a JSON file with Graph property names,
`{"users": [...], "groups": [...]}`. Outbound jobs read it; the inbound HR job writes into it."""

from __future__ import annotations

import os

from ..ids import new_guid
from ..models import AttributeType, DirectoryDefinition
from ._definitions import (
    SOFT_DELETION_METADATA,
    attribute,
    entra_group_attributes,
    entra_user_attributes,
    object_definition,
)
from ._document import JsonDocumentDirectory

TENANT_DIRECTORY_NAME = "Azure Active Directory"


def tenant_definition() -> DirectoryDefinition:
    """Entra's own description of itself as a provisioning source: anchor `objectId`, and
    `IsSoftDeleted`, which the engine computes rather than reads."""
    return DirectoryDefinition(
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
