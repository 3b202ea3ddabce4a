"""Write a large tenant directory for the benchmarks, and change one as a day at work would.

    python benchmarks/generate_tenant.py 100000 benchmarks/out/tenant.json [--seed 7]

N users in the sample company's shape (2% of the accounts disabled) and N/50 team groups of
about 50 members each. Benchmarks import `build_tenant` and `churn`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

# The generator lives with the sample data it makes; benchmarks run as scripts from anywhere.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sample_data.generate import (  # noqa: E402
    DEPARTMENTS_BY_NAME,
    OFFICES,
    PeopleFactory,
    build_people,
    dump_json,
    team_groups,
    tenant_document,
    tenant_user,
)

DISABLED_RATIO = 0.02
NEW_HIRES_FROM, NEW_HIRES_UNTIL = date(2025, 3, 3), date(2025, 6, 30)


def build_tenant(users: int, seed: int = 0) -> dict:
    """A tenant document, `{"users": [...], "groups": [...]}`, with `users` users."""
    people = build_people(users, seed, disabled_ratio=DISABLED_RATIO)
    return tenant_document(people, team_groups(people, seed + 1))


def churn(
    directory: dict,
    changed: float = 0.01,
    disabled: float = 0.005,
    deleted: float = 0.002,
    added: float = 0.005,
    seed: int = 0,
) -> dict[str, int]:
    """Change a tenant document in place: each ratio is a share of its users. Changed users get
    a new title, mobile or office; disabled ones lose their account; deleted ones disappear
    from the users, their groups and as managers (their reports move up a level); added ones
    join under an existing manager and in one of the groups. Returns the counts."""
    rng = random.Random(seed)
    users: list[dict] = directory["users"]
    count = len(users)
    sizes = {"changed": round(count * changed), "disabled": round(count * disabled), "deleted": round(count * deleted)}
    # The CEO stays: everyone else reports to them, directly or not.
    candidates = [user for user in users if user.get("manager")]
    chosen = rng.sample(candidates, k=min(sum(sizes.values()), len(candidates)))
    to_change = chosen[: sizes["changed"]]
    to_disable = chosen[sizes["changed"]: sizes["changed"] + sizes["disabled"]]
    to_delete = chosen[sizes["changed"] + sizes["disabled"]:]

    for user in to_change:
        _change(user, rng)
    for user in to_disable:
        user["accountEnabled"] = False
    _delete(directory, {user["id"]: user.get("manager") for user in to_delete})
    additions = _add(directory, round(count * added), rng)
    return {"changed": len(to_change), "disabled": len(to_disable), "deleted": len(to_delete), "added": additions}


def _change(user: dict, rng: random.Random) -> None:
    kind = rng.choice(("title", "mobile", "office"))
    if kind == "title":
        title = user["jobTitle"]
        user["jobTitle"] = title.removeprefix("Senior ") if title.startswith("Senior ") else f"Senior {title}"
    elif kind == "mobile":
        office = next((office for office in OFFICES if office.city == user.get("city")), OFFICES[0])
        user["mobile"] = f"{office.mobile_prefix}{rng.randrange(100, 1000):03d}"
    else:
        office = rng.choice([office for office in OFFICES if office.city != user.get("city")])
        user.update(
            physicalDeliveryOfficeName=office.name, streetAddress=office.street, city=office.city, state=office.state,
            postalCode=office.postal_code, country=office.country, preferredLanguage=office.language,
        )


def _delete(directory: dict, managers_of_deleted: dict[str, str | None]) -> None:
    def surviving_manager(manager: str | None) -> str | None:
        while manager in managers_of_deleted:
            manager = managers_of_deleted[manager]
        return manager

    directory["users"] = [user for user in directory["users"] if user["id"] not in managers_of_deleted]
    for user in directory["users"]:
        if user.get("manager") in managers_of_deleted:
            user["manager"] = surviving_manager(user["manager"])
    for group in directory["groups"]:
        group["members"] = [member for member in group["members"] if member not in managers_of_deleted]


def _add(directory: dict, count: int, rng: random.Random) -> int:
    users = directory["users"]
    managed = {user["manager"] for user in users if user.get("manager")}
    managers = [user for user in users if user["id"] in managed and user["department"] in DEPARTMENTS_BY_NAME]
    if not managers:
        return 0
    factory = PeopleFactory(
        rng,
        first_employee_number=max(int(user["employeeId"][1:]) for user in users) + 1,
        taken_nicknames={user["mailNickname"] for user in users},
    )
    for _ in range(count):
        manager = rng.choice(managers)
        person = factory.person(manager["department"], hired_after=NEW_HIRES_FROM, hired_before=NEW_HIRES_UNTIL)
        person.job_title = rng.choice(DEPARTMENTS_BY_NAME[manager["department"]].titles)
        user = tenant_user(person)
        user["manager"] = manager["id"]
        users.append(user)
        if directory["groups"]:
            rng.choice(directory["groups"])["members"].append(user["id"])
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("users", type=int, help="how many users")
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    document = build_tenant(arguments.users, arguments.seed)
    built = time.perf_counter()
    data = dump_json(document)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(data)
    written = time.perf_counter()
    print(
        f"{arguments.out}: {len(document['users'])} users, {len(document['groups'])} groups, "
        f"{len(data) / 1e6:.1f} MB; built in {built - started:.2f} s, written in {written - built:.2f} s"
    )


if __name__ == "__main__":
    main()
