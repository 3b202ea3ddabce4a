"""A job between two in-memory directories, an in-memory state store and a frozen clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from synctui.clock import FrozenClock
from synctui.connectors.memory import MemoryDirectory
from synctui.engine import Cycle, CycleOptions, CycleResult, compile_schema
from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand, SynchronizationSchema
from synctui.store import JobStateStore


def person(n: int, **extra: Any) -> dict[str, Any]:
    user = {
        "id": f"u{n}",
        "objectId": f"u{n}",
        "userPrincipalName": f"user{n}@contoso.example",
        "displayName": f"User {n}",
        "givenName": "User",
        "surname": str(n),
        "mail": f"user{n}@contoso.example",
        "mailNickname": f"user{n}",
        "department": "Sales",
        "jobTitle": "Rep",
        "employeeId": f"E{n:04d}",
        "accountEnabled": True,
    }
    user.update(extra)
    return user


class AnsweringTogether(MemoryDirectory):
    """A target taking two requests at once whose first two lookups of `attribute` answer only once
    both are asked, each as the target was when asked: two parallel exports (as SCIM endpoints
    take them) asking about the same value before either has written anything."""

    max_parallel = 2

    def __init__(self, attribute: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._attribute = attribute
        self._both_asked = threading.Barrier(2, timeout=5)
        self._counting = threading.Lock()
        self._lookups = 0

    def find(self, object_type: str, attribute: str, value: Any) -> list[dict[str, Any]]:
        answer = super().find(object_type, attribute, value)
        if attribute == self._attribute:
            with self._counting:
                self._lookups += 1
                among_first_two = self._lookups <= 2
            if among_first_two:
                self._both_asked.wait()
        return answer


@dataclass
class Harness:
    """A jsonfile-template job between two memory directories."""

    source: MemoryDirectory
    target: MemoryDirectory
    schema: SynchronizationSchema
    clock: FrozenClock = field(default_factory=FrozenClock)
    state: JobStateStore = field(default_factory=lambda: JobStateStore(None))
    options: CycleOptions = field(default_factory=CycleOptions)

    def cycle(self, **kwargs: Any) -> Cycle:
        return Cycle(
            job_id="job",
            schema=compile_schema(self.schema),
            source=self.source,
            target=self.target,
            state=self.state,
            clock=self.clock,
            options=self.options,
            **kwargs,
        )

    def run(self, **kwargs: Any) -> CycleResult:
        return self.cycle(**kwargs).run()

    def users(self) -> dict[str, dict[str, Any]]:
        return {u["userPrincipalName"]: u for u in self.target.read_all("User")}

    def groups(self) -> dict[str, dict[str, Any]]:
        return {g["displayName"]: g for g in self.target.read_all("Group")}

    def edit_user(self, user_id: str, **changes: Any) -> None:
        from synctui.connectors.base import Modification

        self.source.update("User", user_id, Modification(replace=changes))

    def scope_users_to_sales(self) -> None:
        """Give the User mapping the scoping filter `department EQUALS Sales` (a new schema
        version, so the next cycle looks at every object)."""
        clause = FilterClause(
            source_operand_name="department", operator_name="EQUALS", target_operand=FilterOperand(values=["Sales"])
        )
        self.schema.synchronization_rules[0].object_mappings[0].scope = Filter(
            groups=[FilterGroup(name="sales", clauses=[clause])]
        )
        self.schema.version = "2"
