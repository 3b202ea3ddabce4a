"""Every log entry a cycle keeps carries Entra's steps and the old and new values it changed."""

from __future__ import annotations

from typing import Any

from synctui.connectors.base import ObjectError
from synctui.expressions.parser import parse

from .harness import Harness


def entry_of(harness: Harness, display_name: str, action: str | None = None) -> dict[str, Any]:
    """The newest log entry of an object (of one action, if given)."""
    return next(
        entry
        for entry in harness.state.logs()
        if entry["sourceIdentity"]["displayName"] == display_name
        and (action is None or entry["provisioningAction"] == action)
    )


def step(entry: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = [s for s in entry["provisioningSteps"] if s["provisioningStepType"] == kind]
    return found


def kinds(entry: dict[str, Any]) -> list[str]:
    return [s["provisioningStepType"] for s in entry["provisioningSteps"]]


def test_a_create_in_a_cycle_carries_import_scoping_matching_action_and_export(harness: Harness) -> None:
    harness.run()

    entry = entry_of(harness, "User 2", "create")
    assert kinds(entry) == ["import", "scoping", "matching", "processing", "export"]
    imported = step(entry, "import")
    assert imported["description"] == "Retrieved User 'User 2' from source"
    assert imported["details"]["userPrincipalName"] == "user2@contoso.example"
    assert imported["details"]["manager"] == "u1"
    scoping = step(entry, "scoping")
    assert scoping["status"] == "success"
    assert scoping["details"]["Active in source system"] == "True"
    assert scoping["details"]["IsInProvisioningScope"] == "True"
    matching = step(entry, "matching")
    assert matching["details"] == {"Matching userPrincipalName": "user2@contoso.example: 0 matches"}
    assert step(entry, "processing")["name"] == "EntrySynchronizationAdd"
    export = step(entry, "export")
    assert (export["name"], export["status"]) == ("EntryExportAdd", "success")
    assert export["details"]["Returned"] == f"id {entry['targetIdentity']['id']}"
    assert "userPrincipalName" in export["details"]["Attributes sent"]
    created = {p["displayName"]: (p["oldValue"], p["newValue"]) for p in entry["modifiedProperties"]}
    assert created["displayName"] == (None, "User 2")


def test_an_update_shows_old_and_new_values_and_what_was_sent(harness: Harness) -> None:
    harness.run()
    harness.edit_user("u3", jobTitle="Manager", department="Legal")
    harness.run()

    entry = entry_of(harness, "User 3", "update")
    assert kinds(entry) == ["import", "scoping", "matching", "processing", "export"]
    assert step(entry, "matching")["details"]["TargetAnchor"] == entry["targetIdentity"]["id"]
    assert step(entry, "processing")["name"] == "EntrySynchronizationUpdate"
    export = step(entry, "export")
    assert export["details"]["Sent replace"] == "department, jobTitle"
    changed = {p["displayName"]: (p["oldValue"], p["newValue"]) for p in entry["modifiedProperties"]}
    assert changed == {"department": ("Sales", "Legal"), "jobTitle": ("Rep", "Manager")}


def test_matching_an_existing_target_object_shows_the_value_and_the_match(harness: Harness) -> None:
    harness.target.create("User", {"userPrincipalName": "user1@contoso.example", "displayName": "Old name"})
    harness.run()

    entry = entry_of(harness, "User 1", "update")
    matching = step(entry, "matching")
    assert matching["description"] == "Matched an existing User by userPrincipalName"
    assert matching["details"] == {"Matching userPrincipalName": "user1@contoso.example: 1 match"}
    changed = {p["displayName"]: (p["oldValue"], p["newValue"]) for p in entry["modifiedProperties"]}
    assert changed["displayName"] == ("Old name", "User 1")


def test_a_failed_update_is_logged_as_update_failure_with_a_failed_export_step(harness: Harness) -> None:
    harness.run()
    harness.edit_user("u2", jobTitle="Lead")
    harness.target.fail_on(
        "User", "update", lambda obj: obj.get("mailNickname") == "user2", ObjectError("InvalidValue", "refused")
    )
    harness.run()

    entry = entry_of(harness, "User 2")
    assert entry["provisioningAction"] == "update"
    assert entry["statusInfo"] == {"status": "failure", "errorCode": "InvalidValue", "reason": "refused"}
    export = step(entry, "export")
    assert export["status"] == "failure"
    assert export["description"] == "Failed to update User 'User 2' in target"
    assert export["details"]["Returned"] == "InvalidValue: refused"
    assert [p["newValue"] for p in entry["modifiedProperties"]] == ["Lead"]


def test_a_failed_create_is_logged_as_create_failure(harness: Harness) -> None:
    harness.target.fail_on(
        "User", "create", lambda attrs: attrs.get("mailNickname") == "user3", ObjectError("EntryConflict", "conflict")
    )
    harness.run()

    entry = entry_of(harness, "User 3")
    assert (entry["provisioningAction"], entry["statusInfo"]["status"]) == ("create", "failure")
    assert step(entry, "export")["description"] == "Failed to create User 'User 3' in target"


def test_a_user_leaving_scope_is_disabled_with_the_clause_that_failed(harness: Harness) -> None:
    harness.run()
    harness.scope_users_to_sales()
    harness.edit_user("u3", department="Legal")
    harness.run()

    entry = entry_of(harness, "User 3", "disable")
    assert kinds(entry) == ["import", "scoping", "processing", "export"]
    scoping = step(entry, "scoping")
    assert scoping["status"] == "skipped"
    assert scoping["details"]["sales: department EQUALS Sales"] == "False"
    assert scoping["details"]["SkipReason"] == "NotEffectivelyEntitled"
    assert "it left the provisioning scope" in step(entry, "processing")["description"]
    assert step(entry, "export")["name"] == "EntryExportUpdateSoftDelete"
    assert [(p["displayName"], p["oldValue"], p["newValue"]) for p in entry["modifiedProperties"]] == [
        ("accountEnabled", "True", "False")
    ]


def test_a_delete_in_the_source_is_imported_as_a_delete_and_exported(harness: Harness) -> None:
    harness.run()
    harness.source.delete("User", "u3")
    harness.run()

    entry = entry_of(harness, "User 3", "delete")
    assert kinds(entry) == ["import", "processing", "export"]
    assert step(entry, "import")["name"] == "EntryImportDelete"
    assert step(entry, "export")["status"] == "success"


def test_staged_deletes_keep_their_import_step(harness: Harness) -> None:
    harness.run()
    harness.options.delete_threshold = 1
    harness.source.delete("User", "u1")
    harness.source.delete("User", "u2")
    harness.run()

    entry = entry_of(harness, "User 1", "stagedDelete")
    assert kinds(entry) == ["import", "processing"]
    assert step(entry, "processing")["status"] == "skipped"


def test_a_reference_update_shows_the_resolution_and_the_export(harness: Harness) -> None:
    harness.run()

    entry = next(
        e
        for e in harness.state.logs()
        if e["sourceIdentity"]["displayName"] == "Sales" and e["provisioningAction"] == "update"
    )
    assert kinds(entry) == ["import", "referenceResolution", "export"]
    assert step(entry, "export")["details"]["Sent add"] == "members"


def test_values_feeding_a_redact_mapping_are_not_shown_in_the_import_step(harness: Harness) -> None:
    mapping = harness.schema.synchronization_rules[0].object_mappings[0]
    flow = next(m for m in mapping.attribute_mappings if m.target_attribute_name == "employeeId")
    flow.source = parse("Redact([employeeId])")
    harness.run()

    entry = entry_of(harness, "User 1", "create")
    assert step(entry, "import")["details"]["employeeId"] == "[Redact]"
    assert {p["displayName"]: p["newValue"] for p in entry["modifiedProperties"]}["employeeId"] == "[Redact]"
