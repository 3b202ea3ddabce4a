"""Assignments of users and groups to applications, as Graph's `appRoleAssignment` resources: the
tenant file keeps them in a top-level `"appRoleAssignments"` list beside `"users"` and `"groups"`,

    {"id": "…", "principalId": "<user or group id>", "principalType": "User" | "Group",
     "principalDisplayName": "…", "resourceId": "<the job's service principal id>",
     "appRoleId": "<one of the application's appRoles>", "createdDateTime": "…"}

and a job that syncs only assigned users and groups reads those whose `resourceId` is its own.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

from .base import DirectoryDataError

ASSIGNMENTS_KEY = "appRoleAssignments"
"""The top-level key of the tenant file, and the source attribute computed from them."""
PRINCIPAL_TYPES = ("User", "Group")
_REQUIRED = ("id", "principalId", "principalType", "resourceId", "appRoleId")


def checked_assignments(items: Any, error: Callable[[str], DirectoryDataError]) -> list[dict[str, Any]]:
    """`items` if it is a list of assignments, each with the properties a job reads; else `error`
    naming the first fault."""
    if not isinstance(items, list):
        raise error(f'"{ASSIGNMENTS_KEY}" must be a list of appRoleAssignment objects')
    for position, item in enumerate(items):
        where = f"{ASSIGNMENTS_KEY}[{position}]"
        if not isinstance(item, dict):
            raise error(f"{where}: must be an object with {', '.join(_REQUIRED)}")
        missing = [name for name in _REQUIRED if not isinstance(item.get(name), str) or not item[name]]
        if missing:
            raise error(f"{where}: {', '.join(missing)} missing (each a non-empty string)")
        if item["principalType"] not in PRINCIPAL_TYPES:
            raise error(f'{where}: "principalType" must be "User" or "Group", not {item["principalType"]!r}')
    return items


def new_assignment(
    principal: dict[str, Any], principal_type: str, resource_id: str, app_role_id: str, created: str
) -> dict[str, Any]:
    """A new assignment of `principal` (a user or group as the tenant file holds it)."""
    return {
        "id": _assignment_id(),
        "principalId": str(principal["id"]),
        "principalType": principal_type,
        "principalDisplayName": principal.get("displayName"),
        "resourceId": resource_id,
        "appRoleId": app_role_id,
        "createdDateTime": created,
    }


def _assignment_id() -> str:
    # Graph's ids of appRoleAssignments are 43 characters of URL-safe base64, not GUIDs. One in 64
    # would begin with "-", and read as an option where a command line takes it
    # (`synctui assignments remove JOB ID`): synctui makes none.
    while True:
        made = base64.urlsafe_b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode().rstrip("=")
        if not made.startswith("-"):
            return made
