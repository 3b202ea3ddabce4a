"""SelectUniqueValue asks the target, as Entra does: each candidate in order, the first no target
object holds (nor another object of the same cycle chose) is taken."""

from __future__ import annotations

from typing import Any

import pytest

from synctui.connectors.base import Modification
from synctui.connectors.csvfile import hr_csv_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition
from synctui.templates import get_template

from .harness import AnsweringTogether, Harness


def worker(employee_id: str, first: str, last: str, **extra: Any) -> dict[str, Any]:
    row = {"id": employee_id, "EmployeeId": employee_id, "FirstName": first, "LastName": last, "Status": "Active"}
    return {**row, **extra}


def tenant_user(object_id: str, principal_name: str, nickname: str) -> dict[str, Any]:
    return {
        "id": object_id,
        "objectId": object_id,
        "userPrincipalName": principal_name,
        "mailNickname": nickname,
        "displayName": principal_name,
        "employeeId": f"T-{object_id}",
        "accountEnabled": True,
    }


def hr_harness(workers: list[dict[str, Any]], tenant: list[dict[str, Any]], *, width: int = 1) -> Harness:
    """The csvInbound template's job between an HR source and a tenant target in memory."""
    target = MemoryDirectory(tenant_definition(), {"User": tenant}, object_types=("User",))
    target.max_parallel = width  # type: ignore[attr-defined]  # a target taking parallel exports, as SCIM does
    schema = get_template("csvInbound").schema_
    assert schema is not None
    return Harness(MemoryDirectory(hr_csv_definition(), {"User": workers}, object_types=("User",)), target, schema)


def principal_names(harness: Harness) -> dict[str, str]:
    return {user["employeeId"]: user["userPrincipalName"] for user in harness.target.read_all("User")}


def test_a_new_hire_named_like_someone_in_the_tenant_gets_the_next_free_name() -> None:
    harness = hr_harness(
        [worker("E1", "James", "Robinson")],
        [tenant_user("t1", "james.robinson@contoso.example", "james.robinson")],
    )
    harness.run()
    created = next(u for u in harness.target.read_all("User") if u.get("employeeId") == "E1")
    assert created["userPrincipalName"] == "j.robinson@contoso.example"
    assert created["mailNickname"] == "j.robinson"


def test_the_candidates_are_tried_in_order_and_compared_without_case() -> None:
    harness = hr_harness(
        [worker("E1", "James", "Robinson")],
        [
            tenant_user("t1", "James.Robinson@Contoso.example", "james.robinson"),
            tenant_user("t2", "J.ROBINSON@contoso.example", "j.robinson"),
        ],
    )
    harness.run()
    assert principal_names(harness)["E1"] == "james.robinson.e1@contoso.example"


@pytest.mark.parametrize("width", [1, 4])
def test_two_hires_with_one_name_in_one_cycle_get_different_names(width: int) -> None:
    harness = hr_harness([worker("E1", "Ann", "Lee"), worker("E2", "Ann", "Lee")], [], width=width)
    harness.run()
    names = principal_names(harness)
    assert sorted(names.values()) == ["a.lee@contoso.example", "ann.lee@contoso.example"]


def test_two_hires_asking_about_one_name_at_once_get_different_names() -> None:
    target = AnsweringTogether("userPrincipalName", tenant_definition(), {"User": []}, object_types=("User",))
    schema = get_template("csvInbound").schema_
    assert schema is not None
    source = MemoryDirectory(
        hr_csv_definition(), {"User": [worker("E1", "Ann", "Lee"), worker("E2", "Ann", "Lee")]}, object_types=("User",)
    )
    harness = Harness(source, target, schema)
    harness.run()
    assert sorted(principal_names(harness).values()) == ["a.lee@contoso.example", "ann.lee@contoso.example"]


def test_a_hire_whose_every_candidate_is_taken_is_escrowed_and_nothing_is_created() -> None:
    harness = hr_harness(
        [worker("E1", "Ann", "Lee")],
        [
            tenant_user("t1", "ann.lee@contoso.example", "x1"),
            tenant_user("t2", "a.lee@contoso.example", "x2"),
            tenant_user("t3", "ann.lee.e1@contoso.example", "x3"),
        ],
    )
    harness.run()
    assert "E1" not in principal_names(harness)
    escrow = next(iter(harness.state.escrows().values()))
    assert "SelectUniqueValue" in escrow["error"]["message"]
    assert "'ann.lee.e1@contoso.example'" in escrow["error"]["message"]


def test_a_linked_hire_keeps_its_name_on_later_cycles() -> None:
    harness = hr_harness([worker("E1", "Ann", "Lee")], [])
    harness.run()
    harness.source.update("User", "E1", Modification(replace={"JobTitle": "Lead"}))
    harness.run()
    assert principal_names(harness)["E1"] == "ann.lee@contoso.example"
