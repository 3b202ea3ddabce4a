"""A day at work in a tenant document and an HR export: hires, leavers, renames, department moves,
manager and group-membership changes. Used by *Simulate changes* / `synctui demo churn` to give
incremental cycles something to do, and by the benchmarks for their incremental cycle."""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..connectors.base import DirectoryError
from ..connectors.csvfile import read_workers
from ..connectors.tenant import TenantDirectory
from ..errors import ServiceError
from ..fileio import atomic_write
from ..store import Home
from .company import (
    DEPARTMENTS_BY_NAME,
    LAST_NAMES,
    OFFICES,
    HrRow,
    PeopleFactory,
    TenantObject,
    dump_json,
    tenant_user,
)

NEW_HIRES_FROM, NEW_HIRES_UNTIL = date(2025, 3, 3), date(2025, 6, 30)


@dataclass
class Churn:
    """How many of each change one call made."""

    changed: int = 0
    renamed: int = 0
    moved: int = 0
    disabled: int = 0
    deleted: int = 0
    added: int = 0
    memberships: int = 0

    def __str__(self) -> str:
        parts = [f"{count} {name}" for name, count in vars(self).items() if count]
        return ", ".join(parts) or "no changes"


def simulate_home_day(home: Home, *, seed: int) -> str:
    """`simulate_day` on the home's tenant directory and HR file; a ServiceError, with nothing
    changed, if either is malformed."""
    try:
        return simulate_day(home.tenant_file, home.tenant_dir / "hr.csv", seed=seed)
    except DirectoryError as error:
        raise ServiceError(f"cannot simulate changes: {error.message}; nothing was changed") from None


def simulate_day(tenant_file: Path, hr_file: Path | None, *, seed: int) -> str:
    """Change the tenant file and the HR file (when there is one) as a day at work would; returns
    a one-line summary. Both files are read and checked as their directories read them, and both
    changes are made in memory before either file is written: a malformed file raises
    `SourceDataError` (naming the file and the line) and leaves both files as they were."""
    document = TenantDirectory(tenant_file).read_document()
    hr_rows: list[HrRow] | None = None
    if hr_file is not None and hr_file.exists():
        header, workers = read_workers(hr_file)
        hr_rows = [{column: worker.get(column) or "" for column in header} for worker in workers.values()]
    tenant_changes = churn(
        document,
        changed=0.02,
        disabled=0.005,
        deleted=0.005,
        added=0.01,
        renamed=0.005,
        moved=0.005,
        memberships=0.02,
        seed=seed,
    )
    summary = f"tenant: {tenant_changes}"
    writes = [(tenant_file, dump_json(document))]
    if hr_file is not None and hr_rows is not None:
        tenant_ids = [user.get("employeeId") or "" for user in document.get("users", [])]
        summary += f"; HR file: {churn_hr(hr_rows, seed=seed, taken_employee_ids=tenant_ids)}"
        writes.append((hr_file, _csv_bytes(header, hr_rows)))
    for path, payload in writes:
        atomic_write(path, payload)
    return summary


def _csv_bytes(header: list[str], rows: list[HrRow]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def churn(
    directory: dict[str, Any],
    changed: float = 0.01,
    disabled: float = 0.005,
    deleted: float = 0.002,
    added: float = 0.005,
    *,
    renamed: float = 0.0,
    moved: float = 0.0,
    memberships: float = 0.0,
    seed: int = 0,
) -> Churn:
    """Change a tenant document in place; each ratio is a share of its users (at least one of each
    kind asked for, so a small sample company changes too). Changed users get a new title, mobile
    or office; renamed ones a new surname; moved ones a new department and manager; disabled ones
    lose their account; deleted ones disappear from the users, their groups and as managers (their
    reports move up a level); added ones join under an existing manager and in one of the groups."""
    rng = random.Random(seed)
    users: list[TenantObject] = directory["users"]

    def share(ratio: float) -> int:
        return max(1, round(len(users) * ratio)) if ratio else 0

    sizes = {
        "changed": share(changed),
        "renamed": share(renamed),
        "moved": share(moved),
        "disabled": share(disabled),
        "deleted": share(deleted),
    }
    # The CEO stays: everyone else reports to them, directly or not.
    candidates = [user for user in users if user.get("manager") and user.get("accountEnabled", True)]
    chosen = rng.sample(candidates, k=min(sum(sizes.values()), len(candidates)))
    picked: dict[str, list[TenantObject]] = {}
    for kind, size in sizes.items():
        picked[kind], chosen = chosen[:size], chosen[size:]
    for user in picked["changed"]:
        _change(user, rng)
    for user in picked["renamed"]:
        _rename(user, rng)
    for user in picked["moved"]:
        _move(user, users, rng)
    for user in picked["disabled"]:
        user["accountEnabled"] = False
    _delete(directory, {user["id"]: user.get("manager") for user in picked["deleted"]})
    result = Churn(**{kind: len(group) for kind, group in picked.items()})
    result.added = _add(directory, share(added), rng)
    result.memberships = _shuffle_memberships(directory, share(memberships), rng)
    return result


def churn_hr(rows: list[HrRow], *, seed: int = 0, taken_employee_ids: Iterable[str] = ()) -> Churn:
    """Change HR rows in place: one hire, one leaver, one department move. The hire's employee id is
    one neither the rows nor `taken_employee_ids` (the tenant's, whose own hires take new ids too)
    use: the HR job matches on it, and would take another person's account over."""
    rng = random.Random(seed)
    result = Churn()
    active = [row for row in rows if row.get("Status") == "Active" and row.get("ManagerEmployeeId")]
    if active:
        leaver = rng.choice(active)
        leaver["Status"], leaver["TerminationDate"] = "Terminated", NEW_HIRES_UNTIL.isoformat()
        result.disabled = 1
        mover = rng.choice([row for row in active if row is not leaver] or active)
        mover["Department"] = rng.choice([d for d in DEPARTMENTS_BY_NAME if d != mover.get("Department")])
        result.moved = 1
    if rows:
        ids = [*(row.get("EmployeeId", "") for row in rows), *taken_employee_ids]
        numbers = [int(employee_id[1:]) for employee_id in ids if employee_id[1:].isdigit()]
        template = rng.choice(rows)
        factory = PeopleFactory(rng, first_employee_number=max(numbers, default=900000) + 1)
        person = factory.person(
            template.get("Department") or "Finance", hired_after=NEW_HIRES_FROM, hired_before=NEW_HIRES_UNTIL
        )
        rows.append(
            {
                **{column: "" for column in template},
                "EmployeeId": person.employee_id,
                "FirstName": person.given_name,
                "LastName": person.surname,
                "Department": person.department,
                "JobTitle": template.get("JobTitle", ""),
                "ManagerEmployeeId": template.get("ManagerEmployeeId", ""),
                "Status": "Active",
                "HireDate": person.hire_date.isoformat(),
                "City": person.office.city,
                "Country": person.office.country,
                "Company": template.get("Company", ""),
            }
        )
        result.added = 1
    return result


def _change(user: TenantObject, rng: random.Random) -> None:
    kind = rng.choice(("title", "mobile", "office"))
    if kind == "title":
        title = user.get("jobTitle") or "Specialist"
        user["jobTitle"] = title.removeprefix("Senior ") if title.startswith("Senior ") else f"Senior {title}"
    elif kind == "mobile":
        office = next((office for office in OFFICES if office.city == user.get("city")), OFFICES[0])
        user["mobile"] = f"{office.mobile_prefix}{rng.randrange(100, 1000):03d}"
    else:
        office = rng.choice([office for office in OFFICES if office.city != user.get("city")])
        user.update(
            physicalDeliveryOfficeName=office.name,
            streetAddress=office.street,
            city=office.city,
            state=office.state,
            postalCode=office.postal_code,
            country=office.country,
            preferredLanguage=office.language,
        )


def _rename(user: TenantObject, rng: random.Random) -> None:
    surname = rng.choice([name for name in LAST_NAMES if name != user.get("surname")])
    user["surname"] = surname
    user["displayName"] = f"{user.get('givenName', '')} {surname}".strip()


def _move(user: TenantObject, users: list[TenantObject], rng: random.Random) -> None:
    departments = [name for name in DEPARTMENTS_BY_NAME if name != user.get("department")]
    department = rng.choice(departments)
    managers = [
        other
        for other in users
        if other.get("department") == department and other is not user and other.get("accountEnabled", True)
    ]
    user["department"] = department
    if managers:
        user["manager"] = rng.choice(managers)["id"]


def _delete(directory: dict[str, Any], managers_of_deleted: dict[str, str | None]) -> None:
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


def _add(directory: dict[str, Any], count: int, rng: random.Random) -> int:
    users = directory["users"]
    managed = {user["manager"] for user in users if user.get("manager")}
    managers = [user for user in users if user["id"] in managed and user.get("department") in DEPARTMENTS_BY_NAME]
    if not managers or not count:
        return 0
    factory = PeopleFactory(
        rng,
        first_employee_number=max(int(user["employeeId"][1:]) for user in users if user.get("employeeId")) + 1,
        taken_nicknames={user["mailNickname"] for user in users if user.get("mailNickname")},
    )
    taken_ids = {user["id"] for user in users}
    for _ in range(count):
        manager = rng.choice(managers)
        person = factory.person(manager["department"], hired_after=NEW_HIRES_FROM, hired_before=NEW_HIRES_UNTIL)
        person.job_title = rng.choice(DEPARTMENTS_BY_NAME[manager["department"]].titles)
        user = tenant_user(person)
        # The same seed run twice draws the same ids: a new hire must not take a colleague's.
        while user["id"] in taken_ids:
            user["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        taken_ids.add(user["id"])
        user["manager"] = manager["id"]
        users.append(user)
        if directory["groups"]:
            rng.choice(directory["groups"])["members"].append(user["id"])
    return count


def _shuffle_memberships(directory: dict[str, Any], count: int, rng: random.Random) -> int:
    groups = [group for group in directory["groups"] if group.get("members")]
    user_ids = [user["id"] for user in directory["users"]]
    changes = 0
    for _ in range(count if groups else 0):
        group = rng.choice(groups)
        if rng.random() < 0.5 and len(group["members"]) > 1:
            group["members"].remove(rng.choice(group["members"]))
        else:
            outsider = rng.choice(user_ids)
            if outsider in group["members"]:
                continue
            group["members"].append(outsider)
        changes += 1
    return changes
