"""Assignment scoping, as Entra's "Sync only assigned users and groups": a user is in scope when it
is assigned to the job's application directly, or is a direct member of an assigned group (nested
groups are not expanded); a group when it is assigned itself. With `SyncAll` every object is.
Scoping filters apply on top, and an object that loses its assignment leaves scope as one that
stops passing a filter does (disabled or deleted; left alone with SkipOutOfScopeDeletions).

Either way, a user's `appRoleAssignments` source attribute is what it is assigned to this
application, directly and through its groups: a list of JSON texts `{"id", "value",
"displayName"}` of the roles, as `AppRoleAssignments`, `SingleAppRoleAssignment` and
`AppRoleAssignmentsComplex` read it (expressions/functions.py); a value the source file itself
holds under that name is not used. The source objects are not copied to carry it: the cycle puts
it into what the expressions see and into the hash that tells whether an object changed.

`scoping_details` and `skip_reason` give the scoping step's content and Entra's reason for an
object out of scope; the log entry's steps use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson

from ..connectors.assignments import PRINCIPAL_TYPES


@dataclass(frozen=True)
class Application:
    """The job's application instance as scoping sees it."""

    resource_id: str
    """Its service principal's id: the `resourceId` of its assignments."""
    app_roles: tuple[Mapping[str, Any], ...]
    """Its `appRoles` (Graph JSON: id, value, displayName…)."""
    sync_all: bool
    """The `SyncAll` secret: every user and group is in scope, assigned or not."""


class Assignments:
    """The application's assignments by principal, with each user's through its groups."""

    def __init__(
        self,
        application: Application,
        assignments: Iterable[Mapping[str, Any]],
        members_of: Callable[[str], Iterable[str]],
    ) -> None:
        """`members_of(group_id)`: the ids of the group's direct members (none if it is gone)."""
        self.application = application
        roles = {str(role.get("id")): role for role in application.app_roles}
        self._roles: dict[tuple[str, str], dict[str, None]] = {}
        for assignment in assignments:
            role = _role_text(assignment["appRoleId"], roles.get(assignment["appRoleId"]))
            principal_type, principal_id = assignment["principalType"], assignment["principalId"]
            self._add(principal_type, principal_id, role)
            if principal_type == "Group":
                for member in members_of(principal_id):
                    # A nested group's members are not added: its id is only ever asked for as a Group.
                    self._add("User", member, role)

    @property
    def scoped(self) -> bool:
        """Whether assignments decide scope (the job syncs only assigned users and groups)."""
        return not self.application.sync_all

    def roles(self, object_type: str, object_id: str) -> list[str]:
        """What the object's `appRoleAssignments` attribute holds: its roles, direct and through groups."""
        return list(self._roles.get((_principal_type(object_type), object_id), ()))

    @cached_property  # (the roles are all added as it is made)
    def listed(self) -> list[tuple[str, str, list[str]]]:
        """Every principal's roles, as `roles` tells them: what an object's roles follow from, in one value."""
        return [(*principal, list(roles)) for principal, roles in sorted(self._roles.items())]

    def is_assigned(self, object_type: str, object_id: str) -> bool:
        return (_principal_type(object_type), object_id) in self._roles

    def in_scope(self, object_type: str, object_id: str) -> bool:
        """Whether the object is in scope as far as assignments go."""
        return (
            not self.scoped
            or _principal_type(object_type) not in PRINCIPAL_TYPES
            or self.is_assigned(object_type, object_id)
        )

    def _add(self, principal_type: str, principal_id: str, role: str) -> None:
        self._roles.setdefault((principal_type, principal_id), {})[role] = None


def _principal_type(object_type: str) -> str:
    return object_type[:1].upper() + object_type[1:].lower()


def _role_text(role_id: str, role: Mapping[str, Any] | None) -> str:
    """A role as the app-role functions read it; an assignment to a role the application no
    longer has keeps its id (and still assigns)."""
    role = role or {}
    shown = {"id": role_id, "value": role.get("value"), "displayName": role.get("displayName")}
    return orjson.dumps(shown).decode()


# --- what the scoping step says -----------------------------------------------------------------


def scoping_details(
    object_type: str,
    display: str | None,
    *,
    active: bool,
    sync_all: bool,
    has_assignment: bool | None,
    assignment_in_scope: bool,
    passes_filters: bool,
    clauses: Iterable[tuple[str, Any]] = (),
) -> dict[str, Any]:
    """The scoping step's details, under the names Entra's on-demand view shows, with Entra's
    reason when the object is out of scope. `has_assignment` None: the source has no assignments;
    `assignment_in_scope`: assignments let it in (always, with SyncAll); `clauses`: each scoping
    filter clause, titled, with its result."""
    in_scope = assignment_in_scope and passes_filters
    details: dict[str, Any] = {"Active in source system": active}
    if has_assignment is not None:
        details["Assigned to application"] = has_assignment
    details["Scope sync all"] = sync_all
    details["IsInProvisioningScope"] = in_scope
    if not in_scope:
        details["SkipReason"] = "NotEffectivelyEntitled"
        details["Reason"] = skip_reason(
            object_type, display, assigned=assignment_in_scope, passes_filters=passes_filters
        )
    details.update(clauses)
    return details


def skip_reason(object_type: str, display: str | None, *, assigned: bool, passes_filters: bool) -> str:
    """Entra's reason for an object out of scope: the causes that apply, numbered, with their fix."""
    causes = []
    if not assigned:
        causes.append(
            "This object is not assigned to the application. If you did not expect the object to be "
            "skipped, assign the object to the application (synctui assignments add) or change the "
            "scope to sync all users and groups"
        )
    if not passes_filters:
        causes.append(
            "This object did not pass a scoping filter. If you did not expect the object to be skipped, "
            "review your scoping filters and ensure that the object passes your specified scoping criteria"
        )
    numbered = " ".join(f"{number}) {cause}." for number, cause in enumerate(causes, start=1))
    return f"The {object_type} '{display}' will be skipped due to the following reasons: {numbered}"
