"""Assignment scoping ("Sync only assigned users and groups") and the appRoleAssignments attribute."""

from __future__ import annotations

import json
from typing import Any

import pytest

from synctui.engine.assignments import Application
from synctui.expressions import parse
from synctui.models import AttributeMapping, Filter, FilterClause, FilterGroup, FilterOperand
from synctui.store.jobs import default_app_roles

from .harness import Harness

APP = "sp-1"
ROLES = (
    *default_app_roles(APP),
    {"id": "role-admin", "value": "Admin", "displayName": "Administrator"},
)
ACCESS = ROLES[0]["id"]


def assign(harness: Harness, principal_id: str, principal_type: str = "User", role: str = ACCESS) -> str:
    assignment_id = f"a-{principal_id}-{role}"
    harness.source.assignments.append(
        {
            "id": assignment_id,
            "principalId": principal_id,
            "principalType": principal_type,
            "resourceId": APP,
            "appRoleId": role,
        }
    )
    return assignment_id


def unassign(harness: Harness, assignment_id: str) -> None:
    harness.source.assignments[:] = [a for a in harness.source.assignments if a["id"] != assignment_id]


@pytest.fixture
def assigned_only(harness: Harness) -> Harness:
    harness.options.application = Application(APP, ROLES, sync_all=False)
    return harness


def provision(harness: Harness, source_type: str, source_id: str) -> dict[str, Any]:
    return harness.cycle(detailed_logs=True).provision_one(source_type, source_id)


def test_nothing_assigned_nothing_provisioned(assigned_only: Harness) -> None:
    result = assigned_only.run()
    assert assigned_only.users() == {} and assigned_only.groups() == {}
    assert result.execution.count_entitled == 0


def test_direct_and_group_members_in_scope_and_the_group_itself(assigned_only: Harness) -> None:
    assign(assigned_only, "u3")
    assign(assigned_only, "g1", "Group")  # members u1 and u2
    assigned_only.run()
    assert sorted(assigned_only.users()) == ["user1@contoso.example", "user2@contoso.example", "user3@contoso.example"]
    assert list(assigned_only.groups()) == ["Sales"]


def test_a_user_assigned_elsewhere_is_not_in_scope(assigned_only: Harness) -> None:
    assign(assigned_only, "u1")
    assigned_only.source.assignments[0]["resourceId"] = "another-application"
    assigned_only.run()
    assert assigned_only.users() == {}


def test_nested_groups_are_not_expanded(assigned_only: Harness) -> None:
    assigned_only.source.create("Group", {"displayName": "Outer", "members": ["g1", "u3"]})
    outer = next(g for g in assigned_only.source.read_all("Group") if g["displayName"] == "Outer")
    assign(assigned_only, outer["id"], "Group")
    assigned_only.run()
    assert list(assigned_only.users()) == ["user3@contoso.example"]  # not g1's members
    assert list(assigned_only.groups()) == ["Outer"]  # g1 itself is not assigned


def test_assigned_groups_are_provisioned_only_with_the_group_mapping(assigned_only: Harness) -> None:
    assigned_only.schema.synchronization_rules[0].object_mappings[1].enabled = False
    assign(assigned_only, "g1", "Group")
    assigned_only.run()
    assert sorted(assigned_only.users()) == ["user1@contoso.example", "user2@contoso.example"]
    assert assigned_only.groups() == {}


def test_scoping_filters_apply_on_top(assigned_only: Harness) -> None:
    mapping = assigned_only.schema.synchronization_rules[0].object_mappings[0]
    mapping.scope = Filter(
        groups=[
            FilterGroup(
                name="not user 2",
                clauses=[
                    FilterClause(
                        operator_name="NOT EQUALS",
                        source_operand_name="userPrincipalName",
                        target_operand=FilterOperand(values=["user2@contoso.example"]),
                    )
                ],
            )
        ]
    )
    assign(assigned_only, "g1", "Group")
    assigned_only.run()
    assert list(assigned_only.users()) == ["user1@contoso.example"]


def test_unassigning_disables_in_the_next_incremental_cycle(assigned_only: Harness) -> None:
    direct = assign(assigned_only, "u3")
    assigned_only.run()
    assert assigned_only.users()["user3@contoso.example"]["accountEnabled"] is True
    unassign(assigned_only, direct)
    result = assigned_only.run()
    assert not result.initial
    assert assigned_only.users()["user3@contoso.example"]["accountEnabled"] is False
    assign(assigned_only, "u3")
    assigned_only.run()
    assert assigned_only.users()["user3@contoso.example"]["accountEnabled"] is True


def test_leaving_an_assigned_group_disables(assigned_only: Harness) -> None:
    assign(assigned_only, "g1", "Group")
    assigned_only.run()
    group = assigned_only.source.get("Group", "g1")
    assert group is not None
    from synctui.connectors.base import Modification

    assigned_only.source.update("Group", "g1", Modification(replace={"members": ["u1"]}))
    assigned_only.run()
    users = assigned_only.users()
    assert users["user1@contoso.example"]["accountEnabled"] is True
    assert users["user2@contoso.example"]["accountEnabled"] is False


def test_unassigning_with_skip_out_of_scope_deletions_leaves_the_object(assigned_only: Harness) -> None:
    assigned_only.options.skip_out_of_scope_deletions = True
    direct = assign(assigned_only, "u3")
    assigned_only.run()
    unassign(assigned_only, direct)
    assigned_only.run()
    assert assigned_only.users()["user3@contoso.example"]["accountEnabled"] is True


def test_an_unassigned_group_follows_the_rule_of_leaving_a_filter(assigned_only: Harness) -> None:
    # The group mapping has no IsSoftDeleted mapping: an object leaving scope is left as it is.
    group = assign(assigned_only, "g1", "Group")
    assigned_only.run()
    unassign(assigned_only, group)
    assigned_only.run()
    assert "Sales" in assigned_only.groups()
    latest = assigned_only.state.logs(None)[0]
    assert latest["sourceIdentity"]["id"] == "g1"
    assert latest["statusInfo"]["reason"] == "No mapping uses IsSoftDeleted: the target object is left as it is"


def test_sync_all_provisions_everyone_active(harness: Harness) -> None:
    harness.options.application = Application(APP, ROLES, sync_all=True)
    harness.run()
    assert sorted(harness.users()) == ["user1@contoso.example", "user2@contoso.example", "user3@contoso.example"]


def _map_roles(harness: Harness, expression: str) -> None:
    mapping = harness.schema.synchronization_rules[0].object_mappings[0]
    mapping.attribute_mappings.append(AttributeMapping(target_attribute_name="roles", source=parse(expression)))


@pytest.mark.parametrize("sync_all", [False, True])
def test_app_role_assignments_come_from_direct_and_group_assignments(harness: Harness, sync_all: bool) -> None:
    harness.options.application = Application(APP, ROLES, sync_all=sync_all)
    # Values the source holds under that name are no assignments: never used.
    harness.edit_user("u1", appRoleAssignments=["Free-standing"])
    harness.edit_user("u3", appRoleAssignments=["Free-standing"])
    _map_roles(harness, "AppRoleAssignments([appRoleAssignments])")
    assign(harness, "u1", role="role-admin")
    assign(harness, "g1", "Group")
    harness.run()
    users = harness.users()
    assert users["user1@contoso.example"]["roles"] == ["Admin", "msiam_access"]
    assert users["user2@contoso.example"]["roles"] == ["msiam_access"]
    if sync_all:
        assert "roles" not in users["user3@contoso.example"]


def test_complex_roles_carry_the_roles_display_names(assigned_only: Harness) -> None:
    _map_roles(assigned_only, "AppRoleAssignmentsComplex([appRoleAssignments])")
    assign(assigned_only, "u1", role="role-admin")
    assigned_only.run()
    roles = [json.loads(role) for role in assigned_only.users()["user1@contoso.example"]["roles"]]
    assert roles == [
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "display": "Administrator", "value": "Admin"}
    ]


def test_a_role_change_is_an_update(assigned_only: Harness) -> None:
    _map_roles(assigned_only, "SingleAppRoleAssignment([appRoleAssignments])")
    access = assign(assigned_only, "u1")
    assigned_only.run()
    assert assigned_only.users()["user1@contoso.example"]["roles"] == "msiam_access"
    unassign(assigned_only, access)
    assign(assigned_only, "u1", role="role-admin")
    assigned_only.run()
    assert assigned_only.users()["user1@contoso.example"]["roles"] == "Admin"


def test_on_demand_of_an_unassigned_user_is_skipped_with_entras_reason(assigned_only: Harness) -> None:
    entry = provision(assigned_only, "User", "u1")
    assert entry["statusInfo"]["status"] == "skipped"
    assert "not assigned to the application" in entry["statusInfo"]["reason"]
    scoping = next(step for step in entry["provisioningSteps"] if step["provisioningStepType"] == "scoping")
    assert scoping["status"] == "skipped"
    details = scoping["details"]
    assert details["Assigned to application"] == "False"
    assert details["Scope sync all"] == "False"
    assert details["SkipReason"] == "NotEffectivelyEntitled"
    assert details["Reason"].startswith(
        "The User 'User 1' will be skipped due to the following reasons: 1) This object"
    )
    assert assigned_only.users() == {}


def test_on_demand_of_a_group_member_provisions_it(assigned_only: Harness) -> None:
    assign(assigned_only, "g1", "Group")
    entry = provision(assigned_only, "User", "u2")
    assert entry["statusInfo"]["status"] == "success"
    scoping = next(step for step in entry["provisioningSteps"] if step["provisioningStepType"] == "scoping")
    assert scoping["details"]["Assigned to application"] == "True"
    assert list(assigned_only.users()) == ["user2@contoso.example"]
