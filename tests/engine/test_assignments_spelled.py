"""The assignments as the expressions read them, whatever their name's case: a mapping that spells
`[AppRoleAssignments]` reads the roles assigned, and a change of them is a change of the object;
a source key spelled so is never read in their place (as the exact key is not)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from synctui.engine import CycleOptions
from synctui.engine.assignments import Application
from synctui.expressions.parser import parse
from synctui.store.jobs import default_app_roles

from .test_quiet_cycles import FileJob

APP = "sp-1"
ROLES = (
    *default_app_roles(APP),
    {"id": "r2", "allowedMemberTypes": ["User"], "displayName": "Reader", "isEnabled": True, "value": "Reader"},
)


def _job(folder: Path, expression: str) -> FileJob:
    job = FileJob(folder, options=CycleOptions(application=Application(APP, ROLES, sync_all=True)))
    users = job.schema.synchronization_rules[0].object_mappings[0]
    flow = next(f for f in users.attribute_mappings if f.target_attribute_name == "jobTitle")
    flow.source = parse(expression)
    return job


def _title(folder: Path) -> Any:
    users = orjson.loads((folder / "target.json").read_bytes())["User"]
    return next(user.get("jobTitle") for user in users if user["mail"] == "user1@contoso.example")


def _assign(job: FileJob, role: int) -> None:
    def change(document: dict[str, Any]) -> None:
        document["appRoleAssignments"] = [
            {
                "id": "a1",
                "principalId": "u1",
                "principalType": "User",
                "resourceId": APP,
                "appRoleId": ROLES[role]["id"],
            }
        ]

    job.edit_tenant(change)


@pytest.mark.parametrize("spelling", ["appRoleAssignments", "AppRoleAssignments", "APPROLEASSIGNMENTS"])
def test_a_role_changed_flows_whatever_the_mapping_s_spelling(tmp_path: Path, spelling: str) -> None:
    job = _job(tmp_path, f"SingleAppRoleAssignment([{spelling}])")
    _assign(job, 0)
    job.run()
    before = _title(tmp_path)
    _assign(job, 1)
    job.forget_quiet_mark()
    job.run()
    assert _title(tmp_path) != before


def test_a_source_key_spelled_as_the_assignments_is_not_read_in_their_place(tmp_path: Path) -> None:
    job = _job(tmp_path, "[appRoleAssignments]")
    job.edit_tenant(
        lambda document: (
            document.__setitem__("appRoleAssignments", []),
            document["users"][0].update(AppRoleAssignments="A"),
        )
    )
    job.run()
    assert _title(tmp_path) is None  # no role assigned: nothing, not the source's "A"
    job.edit_tenant(lambda document: document["users"][0].update(AppRoleAssignments="B"))
    job.forget_quiet_mark()
    job.run()
    assert _title(tmp_path) is None
