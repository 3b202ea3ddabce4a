"""The attribute-flow and object-action rules of spec sections 4–6, one by one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from synctui.connectors.base import Modification, ObjectError
from synctui.connectors.jsonfile import jsonfile_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import TenantDirectory, tenant_definition
from synctui.engine import CycleOptions
from synctui.expressions import parse
from synctui.models import (
    AttributeFlowBehavior,
    AttributeFlowType,
    Filter,
    FilterClause,
    FilterGroup,
    FilterOperand,
    ObjectDefinitionMetadataEntry,
)
from synctui.templates import get_template

from .harness import Harness, person


def _users_mapping(harness: Harness):
    return harness.schema.synchronization_rules[0].object_mappings[0]


def _flow(harness: Harness, target: str):
    return next(m for m in _users_mapping(harness).attribute_mappings if m.target_attribute_name == target)


def _over_tenant_file(folder: Path, users: list[dict[str, Any]]) -> Harness:
    """The jsonfile template's job over a tenant file of `users`: a file keeps the spelling its
    objects have."""
    tenant = folder / "tenant.json"
    tenant.write_bytes(orjson.dumps({"users": users, "groups": []}))
    schema = get_template("jsonfile").schema_
    assert schema is not None
    return Harness(TenantDirectory(tenant), MemoryDirectory(jsonfile_definition(), seed=7), schema)


def _bump(harness: Harness) -> None:
    harness.schema.version = str(int(harness.schema.version or "1") + 1)


def test_default_value_only_on_create(harness: Harness) -> None:
    _flow(harness, "jobTitle").default_value = "Staff"
    harness.edit_user("u1", jobTitle=None)
    harness.run()
    assert harness.users()["user1@contoso.example"]["jobTitle"] == "Staff"
    harness.target.update(
        "User", harness.users()["user1@contoso.example"]["id"], Modification(replace={"jobTitle": "Boss"})
    )
    harness.edit_user("u1", displayName="Changed")
    harness.run()
    assert harness.users()["user1@contoso.example"]["jobTitle"] == "Boss"  # the default never overwrites


def test_null_values_are_not_exported(harness: Harness) -> None:
    harness.run()
    harness.edit_user("u2", department=None)
    harness.run()
    assert harness.users()["user2@contoso.example"]["department"] == "Sales"


def test_object_add_only_flows_at_create_only(harness: Harness) -> None:
    _flow(harness, "mail").flow_type = AttributeFlowType.ObjectAddOnly
    harness.run()
    harness.edit_user("u1", mail="new@contoso.example")
    harness.run()
    assert harness.users()["user1@contoso.example"]["mail"] == "user1@contoso.example"


def test_attribute_add_only_fills_empty_attributes_only(harness: Harness) -> None:
    _flow(harness, "jobTitle").flow_type = AttributeFlowType.AttributeAddOnly
    harness.edit_user("u1", jobTitle=None)
    harness.run()
    harness.edit_user("u1", jobTitle="Lead")
    harness.edit_user("u2", jobTitle="Lead")
    harness.run()
    users = harness.users()
    assert users["user1@contoso.example"]["jobTitle"] == "Lead"  # was empty: filled
    assert users["user2@contoso.example"]["jobTitle"] == "Rep"  # had a value: kept


def test_flow_always_exports_even_unchanged_values(harness: Harness) -> None:
    harness.run()
    _flow(harness, "department").flow_behavior = AttributeFlowBehavior.FlowAlways
    _bump(harness)
    result = harness.run()
    assert result.execution.count_exports == 3  # each linked active user, though nothing differs


def test_object_mapping_without_add_creates_nothing(harness: Harness) -> None:
    _users_mapping(harness).flow_types = "Update, Delete"
    harness.run()
    assert harness.users() == {}


def test_object_mapping_without_delete_never_disables(harness: Harness) -> None:
    _users_mapping(harness).flow_types = "Add, Update"
    harness.run()
    harness.edit_user("u1", accountEnabled=False)
    harness.source.delete("User", "u2")
    harness.run()
    users = harness.users()
    assert users["user1@contoso.example"]["accountEnabled"] is True
    assert "user2@contoso.example" in users


def test_skip_out_of_scope_deletions_leaves_objects_that_leave_scope(harness: Harness) -> None:
    harness.options = CycleOptions(skip_out_of_scope_deletions=True)
    harness.run()
    _users_mapping(harness).scope = Filter(
        groups=[
            FilterGroup(
                name="sales",
                clauses=[
                    FilterClause(
                        source_operand_name="department",
                        operator_name="EQUALS",
                        target_operand=FilterOperand(values=["Sales"]),
                    )
                ],
            )
        ]
    )
    _bump(harness)
    harness.edit_user("u3", department="Legal")
    harness.edit_user("u2", accountEnabled=False)  # disabled in the source: still disabled
    harness.run()
    users = harness.users()
    assert users["user3@contoso.example"]["accountEnabled"] is True
    assert users["user2@contoso.example"]["accountEnabled"] is False


def test_input_filter_drops_objects_without_deprovisioning_them(harness: Harness) -> None:
    harness.run()
    _users_mapping(harness).scope = Filter(
        input_filter_groups=[
            FilterGroup(
                name="not legal",
                clauses=[
                    FilterClause(
                        source_operand_name="department",
                        operator_name="NOT EQUALS",
                        target_operand=FilterOperand(values=["Legal"]),
                    )
                ],
            )
        ]
    )
    _bump(harness)
    harness.edit_user("u3", department="Legal", displayName="Gone From Input")
    harness.source.create(
        "User",
        {
            "userPrincipalName": "new@contoso.example",
            "displayName": "New",
            "department": "Legal",
            "accountEnabled": True,
            "mailNickname": "new",
        },
    )
    harness.run()
    users = harness.users()
    assert users["user3@contoso.example"]["accountEnabled"] is True
    assert users["user3@contoso.example"]["displayName"] == "User 3"
    assert "new@contoso.example" not in users


def test_a_target_without_soft_delete_gets_deletes(harness: Harness) -> None:
    user_object = harness.schema.directory("JSON file").object("User")
    user_object.metadata = [ObjectDefinitionMetadataEntry(key="IsSoftDeletionSupported", value="false")]
    harness.run()
    harness.edit_user("u1", accountEnabled=False)
    harness.run()
    assert "user1@contoso.example" not in harness.users()


def test_duplicate_target_entries_are_escrowed(harness: Harness) -> None:
    for _ in range(2):
        harness.target.create("User", {"userPrincipalName": "user1@contoso.example", "displayName": "twin"})
    result = harness.run()
    escrows = harness.state.load().escrows
    assert result.execution.count_escrowed == 1
    assert escrows["User:u1"]["error"]["code"] == "DuplicateTargetEntries"


def test_matching_tries_priorities_in_order(harness: Harness) -> None:
    _flow(harness, "mail").matching_priority = 2
    existing = harness.target.create(
        "User", {"userPrincipalName": "other@contoso.example", "mail": "user1@contoso.example"}
    )
    harness.run()
    adopted = harness.target.get("User", existing)
    assert adopted["userPrincipalName"] == "user1@contoso.example"  # matched by mail, then updated
    assert len(harness.users()) == 3


def test_escrow_retries_back_off(harness: Harness) -> None:
    harness.options = CycleOptions(interval=timedelta(minutes=40))
    harness.target.fail_on(
        "User", "create", lambda attrs: attrs.get("mailNickname") == "user1", ObjectError("InternalServerError", "boom")
    )
    harness.run()
    first = harness.state.load().escrows["User:u1"]
    assert first["attempts"] == 1 and first["nextRetry"] == first["lastAttempt"]  # retried on the next cycle
    harness.clock.advance(timedelta(minutes=40))
    harness.run()
    second = harness.state.load().escrows["User:u1"]
    assert second["attempts"] == 2
    harness.clock.advance(timedelta(minutes=40))
    harness.run()  # not due yet: 80 minutes of back-off after the second failure
    assert harness.state.load().escrows["User:u1"]["attempts"] == 2
    harness.clock.advance(timedelta(minutes=41))
    harness.target.clear_faults()
    result = harness.run()
    assert "User:u1" not in harness.state.load().escrows
    assert "user1@contoso.example" in harness.users()
    assert result.escrows_outstanding == 0


def test_an_attribute_mapped_alone_flows_whatever_its_spelling_and_target_type(tmp_path: Path) -> None:
    # Most mappings are one attribute: its string is taken as it is, but only where that is what
    # evaluating and converting it gives. A tenant file keeps the spelling its objects have.
    users = [
        {"id": "u1", "userPrincipalName": "a@contoso.example", "Department": "Legal", "employeeType": "False"},
        {"id": "u2", "userPrincipalName": "b@contoso.example", "department": "Sales", "employeeType": "True"},
    ]
    harness = _over_tenant_file(tmp_path, users)
    _flow(harness, "accountEnabled").source = parse("[employeeType]")  # text into a Boolean attribute
    harness.run()
    created = harness.users()
    assert created["a@contoso.example"]["department"] == "Legal"  # read as [department]
    assert created["a@contoso.example"]["accountEnabled"] is False
    assert created["b@contoso.example"]["department"] == "Sales"
    assert created["b@contoso.example"]["accountEnabled"] is True


def test_a_change_to_an_attribute_spelled_in_another_case_flows(tmp_path: Path) -> None:
    # An object's hash must cover what the expressions read: [department] reads `Department`
    # when the object has no `department`, so a change of it is a change of the object.
    users = [{"id": "u1", "userPrincipalName": "a@contoso.example", "Department": "Legal", "accountEnabled": True}]
    harness = _over_tenant_file(tmp_path, users)
    harness.run()
    assert harness.users()["a@contoso.example"]["department"] == "Legal"
    users[0]["Department"] = "HR"
    harness.source = _over_tenant_file(tmp_path, users).source  # (the file written again, read afresh)
    harness.run()
    assert harness.users()["a@contoso.example"]["department"] == "HR"


def test_a_mapped_attribute_is_read_ignoring_case_and_null_when_no_key_is_its_name() -> None:
    """A mapping reads `[department]` from a key `Department`, and nothing from an object without
    the key in any case (told per shape of object, not by looking through each one's keys)."""
    plain = person(1)
    del plain["mail"]
    other_case = person(2, Department="Legal", MAIL="second@contoso.example")
    del other_case["department"], other_case["mail"]
    nulls = person(3, mail=None, department=None)
    source = MemoryDirectory(tenant_definition(), {"User": [plain, other_case, nulls], "Group": []})
    schema = get_template("jsonfile").schema_
    assert schema is not None
    harness = Harness(source, MemoryDirectory(jsonfile_definition(), seed=7), schema)
    harness.run()
    users = harness.users()
    assert "mail" not in users["user1@contoso.example"]
    assert users["user1@contoso.example"]["department"] == "Sales"
    assert users["user2@contoso.example"]["department"] == "Legal"
    assert users["user2@contoso.example"]["mail"] == "second@contoso.example"
    assert "mail" not in users["user3@contoso.example"]
    assert "department" not in users["user3@contoso.example"]


def test_an_object_disabled_under_another_spelling_of_account_enabled_is_not_active(tmp_path: Path) -> None:
    users = [
        {"id": "u1", "userPrincipalName": "a@contoso.example", "AccountEnabled": True},
        {"id": "u2", "userPrincipalName": "b@contoso.example", "AccountEnabled": False},
    ]
    harness = _over_tenant_file(tmp_path, users)
    harness.run()
    assert "a@contoso.example" in harness.users()
    assert "b@contoso.example" not in harness.users()  # disabled in the source: not provisioned
