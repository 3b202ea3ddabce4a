"""The users that API-driven inbound provisioning staged: a read-only source, keyed by `externalId`.

`POST …/jobs/{jobId}/bulkUpload` (inbound_api.py) writes each operation's SCIM user into the job's
staging file, flattened to the attribute names of `staged_definition` (`name.givenName`,
`emails[type eq "work"].value`, `urn:…:enterprise:2.0:User:department`); a later payload for the
same `externalId` replaces the user. A cycle of the job reads them here, as it would read an HR
file: what changed since the last cycle flows to the tenant directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from ..models import AttributeDefinition, AttributeType, DirectoryDefinition
from ._definitions import attribute, read_only_users, reference
from ._objects import ObjectTable
from ._read_only import ReadOnlySource
from .base import ConnectionFailure, SourceDataError

STAGED_DIRECTORY_NAME = "API-driven inbound"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
TYPED_VALUES = {"emails": ("work", "home", "other"), "phoneNumbers": ("work", "mobile", "fax")}
"""SCIM's multi-valued attributes whose values are told apart by `type`: each type one attribute."""
ADDRESS_PARTS = ("formatted", "streetAddress", "locality", "region", "postalCode", "country")


def staged_definition(extra_attributes: Iterable[str] = ()) -> DirectoryDefinition:
    """The SCIM user an inbound payload carries (core and enterprise), plus `extra_attributes`
    (a custom extension's, added to the job's schema) as strings."""
    known: list[AttributeDefinition] = [
        attribute("externalId", anchor=True, required=True),
        attribute("userName"),
        attribute("active", AttributeType.Boolean),
        attribute("displayName"),
        attribute("nickName"),
        attribute("title"),
        attribute("userType"),
        attribute("preferredLanguage"),
        attribute("locale"),
        attribute("timezone"),
        *(
            attribute(f"name.{part}")
            for part in ("givenName", "familyName", "formatted", "middleName", "honorificPrefix", "honorificSuffix")
        ),
        *(attribute(f'{name}[type eq "{kind}"].value') for name, kinds in TYPED_VALUES.items() for kind in kinds),
        *(attribute(f'addresses[type eq "work"].{part}') for part in ADDRESS_PARTS),
        *(
            attribute(f"{ENTERPRISE_USER}:{name}")
            for name in ("employeeNumber", "costCenter", "organization", "division", "department")
        ),
        reference(f"{ENTERPRISE_USER}:manager", "User"),
    ]
    return read_only_users(STAGED_DIRECTORY_NAME, known, extra_attributes)


def read_staged(path: Path) -> dict[str, Any]:
    """The staging file: `{"users": {externalId: user}, "operations": [...]}`; empty if none yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {"users": {}, "operations": []}
    except OSError as error:
        raise ConnectionFailure("FileNotReadable", f"{path}: cannot be read ({error.strerror})") from None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise SourceDataError(
            f"{path}: the staged payloads are not valid JSON ({error}); delete the file and upload the payloads again"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("users"), dict):
        raise SourceDataError(f"{path}: not a staging file of synctui; delete it and upload the payloads again")
    return document


class StagedDirectory(ReadOnlySource):
    """The staged users of one API-driven inbound job. Read once, on first use. Read-only."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._definition: DirectoryDefinition | None = None
        self._table: ObjectTable | None = None

    def definition(self) -> DirectoryDefinition:
        """The known attributes plus the custom ones staged users hold (so this reads the file)."""
        self._objects()
        assert self._definition is not None
        return self._definition

    def test_connection(self) -> None:
        read_staged(self.path)

    def _read_only_reason(self) -> str:
        return "staged payloads are a read-only source; send new ones with bulkUpload"

    def _objects(self, object_type: str = "User") -> ObjectTable:
        if self._table is None:
            users = read_staged(self.path)["users"]
            extras = {name for user in users.values() for name in user if name != "id"}
            self._definition = staged_definition(sorted(extras))
            objects = {key: {**user, "id": key} for key, user in users.items()}
            self._table = ObjectTable(self._definition.objects[0], objects)
        if object_type.lower() != "user":
            raise ConnectionFailure(
                "SchemaAttributeNotFound", f"staged payloads hold users only, not {object_type!r} objects"
            )
        return self._table
