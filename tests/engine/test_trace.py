"""An object's trace as the log entry it renders (synctui.engine.trace): every step in the order
recorded, the export's outcome, the created and modified values, and what `logged` notes."""

from __future__ import annotations

from datetime import UTC, datetime

from synctui.engine import compile_schema
from synctui.engine.trace import REDACTED, ObjectTrace, subject, succeeded
from synctui.templates import TEMPLATES

NOW = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)


def _trace() -> ObjectTrace:
    return ObjectTrace(detailed=False, job_id="job", cycle_id="cycle", now=NOW)


def _entry(trace: ObjectTrace) -> dict:
    return trace.entry(
        object_type="User",
        source_id="u1",
        display_name="Ada",
        target_type="User",
        source_system="Azure Active Directory",
        target_system="JSON file",
    )


def test_steps_render_in_the_order_recorded_with_what_describes_and_details_them() -> None:
    trace = _trace()
    trace.step("EntryImport", "import", "success", "Retrieved User 'Ada'", (dict, {"department": "Sales", "n": 3}))
    trace.step("EntrySynchronizationScoping", "scoping", "skipped", (str.upper, "in scope"))
    trace.step("EntryImportMatch", "matching", "success", lambda: "made when rendered", lambda: {"Matching": True})
    trace.exporting("update", "EntryExportUpdate", "update", (subject, "User", "Ada"), (dict, {"Sent": "jobTitle"}))
    trace.exported("JSON file", succeeded)

    entry = _entry(trace)

    assert [(s["name"], s["provisioningStepType"], s["status"]) for s in entry["provisioningSteps"]] == [
        ("EntryImport", "import", "success"),
        ("EntrySynchronizationScoping", "scoping", "skipped"),
        ("EntryImportMatch", "matching", "success"),
        ("EntryExportUpdate", "export", "success"),
    ]
    assert [s["description"] for s in entry["provisioningSteps"]] == [
        "Retrieved User 'Ada'",
        "IN SCOPE",
        "made when rendered",
        "User 'Ada' was updated in JSON file",
    ]
    assert [s["details"] for s in entry["provisioningSteps"]] == [
        {"department": "Sales", "n": "3"},
        {},
        {"Matching": "True"},
        {"Sent": "jobTitle", "Returned": "success"},
    ]
    assert (entry["provisioningAction"], entry["statusInfo"]["status"]) == ("update", "success")
    assert entry["activityDateTime"] == "2026-01-02T03:04:05.6000000Z"
    assert (entry["jobId"], entry["cycleId"]) == ("job", "cycle")


def test_a_failed_export_is_its_last_step_and_the_entry_a_failure() -> None:
    trace = _trace()
    trace.step("EntryImport", "import", "success", "Retrieved")
    trace.exporting("create", "EntryExportAdd", "create", "User 'Ada'", None)
    trace.failed("JSON file", "Conflict", "taken")

    entry = _entry(trace)

    assert [s["name"] for s in entry["provisioningSteps"]] == ["EntryImport", "EntryExportAdd"]
    export = entry["provisioningSteps"][-1]
    assert (export["status"], export["description"]) == ("failure", "Failed to create User 'Ada' in JSON file")
    assert export["details"] == {"Returned": "Conflict: taken"}
    assert entry["statusInfo"] == {"status": "failure", "errorCode": "Conflict", "reason": "taken"}


def test_created_values_come_first_then_each_modification_in_order() -> None:
    assert _entry(_trace())["modifiedProperties"] == []  # no step, no modification: nothing to show
    trace = _trace()
    trace.created({"displayName": "Ada", "password": "x"}, {"password"})
    trace.modify("manager", None, "m1")
    trace.modify("members", ["a"], ["a", "b"])
    trace.modify("secret", "old", "new", redacted=True)

    assert _entry(trace)["modifiedProperties"] == [
        {"displayName": "displayName", "oldValue": None, "newValue": "Ada"},
        {"displayName": "password", "oldValue": None, "newValue": REDACTED},
        {"displayName": "manager", "oldValue": None, "newValue": "m1"},
        {"displayName": "members", "oldValue": "a", "newValue": "a, b"},
        {"displayName": "secret", "oldValue": REDACTED, "newValue": REDACTED},
    ]


def test_logged_notes_what_the_entry_is_made_with() -> None:
    trace = _trace()
    mapping = compile_schema(TEMPLATES["jsonfile"].build_schema()).mappings[0]
    assert trace.logged(mapping, "u1", "Ada") is trace
    assert (trace.mapping, trace.source_id, trace.display) == (mapping, "u1", "Ada")
