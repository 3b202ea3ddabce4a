"""Property: whatever sequence of edits the source goes through, after a cycle the target is what
the mappings say it should be (the `jsonfile` template's mappings, written out as an oracle)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synctui.connectors.base import Modification
from synctui.connectors.jsonfile import jsonfile_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition
from synctui.templates import get_template

from .harness import Harness, person

FLOWED = ("displayName", "givenName", "surname", "mail", "mailNickname", "department", "jobTitle", "employeeId")

user_number = st.integers(min_value=0, max_value=11)
edit = st.one_of(
    st.tuples(st.just("create"), user_number, st.booleans()),
    st.tuples(st.just("rename"), user_number, st.sampled_from(["Ann", "Bo", "Cy"])),
    st.tuples(st.just("move"), user_number, st.sampled_from(["Sales", "Legal", "R&D"])),
    st.tuples(st.just("enable"), user_number, st.booleans()),
    st.tuples(st.just("delete"), user_number, st.none()),
    st.tuples(st.just("manager"), user_number, st.one_of(st.none(), user_number)),
    st.tuples(st.just("member"), user_number, st.booleans()),
)


def _apply(harness: Harness, action: str, n: int, value: Any) -> None:
    source, user_id = harness.source, f"u{n}"
    exists = source.get("User", user_id) is not None
    if action == "create":
        if not exists:
            attributes = {k: v for k, v in person(n, accountEnabled=value).items() if k not in ("id", "objectId")}
            harness.source._insert("User", user_id, attributes)  # a fixed id, so edits can refer to it
        return
    if not exists:
        return
    if action == "rename":
        source.update("User", user_id, Modification(replace={"displayName": f"{value} {n}"}))
    elif action == "move":
        source.update("User", user_id, Modification(replace={"department": value}))
    elif action == "enable":
        source.update("User", user_id, Modification(replace={"accountEnabled": value}))
    elif action == "delete":
        source.delete("User", user_id)
        for other in source.read_all("User"):  # as a directory does: no dangling manager
            if other.get("manager") == user_id:
                source.update("User", other["id"], Modification(replace={"manager": None}))
        source.update("Group", "g1", Modification(remove={"members": [user_id]}))
    elif action == "manager":
        manager = f"u{value}" if value is not None and source.get("User", f"u{value}") else None
        source.update("User", user_id, Modification(replace={"manager": manager if manager != user_id else None}))
    elif action == "member":
        change = Modification(add={"members": [user_id]}) if value else Modification(remove={"members": [user_id]})
        source.update("Group", "g1", change)


def _check(harness: Harness) -> None:
    targets = list(harness.target.read_all("User"))
    upns = [t["userPrincipalName"] for t in targets]
    assert len(upns) == len(set(upns)), "a user exists twice in the target"
    by_upn = {t["userPrincipalName"]: t for t in targets}
    sources = {u["id"]: u for u in harness.source.read_all("User")}
    source_upns = {u["userPrincipalName"] for u in sources.values()}
    assert set(by_upn) <= source_upns, "a user deleted in the source is still in the target"
    target_id = {
        uid: by_upn[u["userPrincipalName"]]["id"] for uid, u in sources.items() if u["userPrincipalName"] in by_upn
    }
    for uid, user in sources.items():
        target = by_upn.get(user["userPrincipalName"])
        if target is None:
            assert not user["accountEnabled"], f"{uid} is active but missing"
            continue
        assert target["accountEnabled"] is user["accountEnabled"]
        for name in FLOWED:
            if user.get(name) is not None:
                assert target.get(name) == user[name], f"{uid}.{name} is stale"
        assert target.get("manager") == target_id.get(user.get("manager")), f"{uid}.manager is wrong"
    group = {g["displayName"]: g for g in harness.target.read_all("Group")}["Sales"]
    members = harness.source.get("Group", "g1")["members"]
    assert sorted(group.get("members") or []) == sorted(target_id[m] for m in members if m in target_id)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(edit, max_size=8), min_size=1, max_size=5))
def test_the_target_follows_any_sequence_of_source_edits(batches: list[list[tuple[str, int, Any]]]) -> None:
    users = [person(n, manager="u0" if n else None) for n in range(4)]
    group = {"id": "g1", "objectId": "g1", "displayName": "Sales", "mailNickname": "sales", "members": ["u0", "u1"]}
    schema = get_template("jsonfile").schema_
    harness = Harness(
        MemoryDirectory(tenant_definition(), {"User": users, "Group": [group]}),
        MemoryDirectory(jsonfile_definition(), seed=3),
        schema,
    )
    harness.run()
    _check(harness)
    for batch in batches:
        for action, n, value in batch:
            _apply(harness, action, n, value)
        harness.run()
        _check(harness)
    assert harness.run().execution.count_exports == 0  # and then it is steady
