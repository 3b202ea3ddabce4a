"""The sample company, Contoso Pharmaceuticals: its tenant (users and groups with Graph property
names) and an export of part of its HR system.

The output depends only on the arguments, so the committed `sample_data/` files can be checked
by generating them again (`python sample_data/generate.py`). `benchmarks/generate_tenant.py`
builds large tenants from the same code, and a home without the repository's `sample_data/` is
seeded from it.

People form one tree: the CEO, a vice president per department, and below each vice president
a tree in which everyone has at most `SPAN_OF_CONTROL` reports. Titles follow from the tree:
people with reports are managers, directors or senior directors by the depth below them.
"""

from __future__ import annotations

import csv
import functools
import io
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson

COMPANY = "Contoso Pharmaceuticals"
DOMAIN = "contoso.example"
SECONDARY_DOMAIN = "contosopharma.example"
SPAN_OF_CONTROL = 8
SAMPLE_USERS = 300
SAMPLE_SEED = 2025


@dataclass(frozen=True)
class Department:
    name: str
    nickname: str
    weight: int
    """Share of the company's staff, relative to the other departments."""
    titles: tuple[str, ...]
    roles: tuple[str, ...] = ()
    """App roles everyone in the department is assigned."""


DEPARTMENTS = (
    Department(
        "Research & Development",
        "rnd",
        20,
        (
            "Research Scientist",
            "Senior Research Scientist",
            "Principal Scientist",
            "Lab Technician",
            "Bioinformatician",
        ),
        ("LabNotebook.User",),
    ),
    Department(
        "Clinical Operations",
        "clinops",
        12,
        ("Clinical Research Associate", "Clinical Trial Manager", "Clinical Data Manager", "Biostatistician"),
    ),
    Department("Regulatory Affairs", "regulatory", 5, ("Regulatory Affairs Specialist", "Regulatory Writer")),
    Department(
        "Manufacturing",
        "manufacturing",
        18,
        ("Process Engineer", "Production Operator", "Maintenance Technician", "Supply Planner"),
        ("MES.Operator",),
    ),
    Department(
        "Quality Assurance",
        "quality",
        8,
        ("QA Specialist", "QC Analyst", "Validation Engineer"),
        ("LabNotebook.Reviewer",),
    ),
    Department(
        "Sales",
        "sales",
        14,
        ("Medical Sales Representative", "Key Account Manager", "Sales Operations Analyst"),
        ("CRM.User",),
    ),
    Department(
        "Marketing",
        "marketing",
        6,
        ("Product Marketing Manager", "Brand Manager", "Digital Marketing Specialist"),
        ("CRM.User",),
    ),
    Department("Finance", "finance", 6, ("Financial Analyst", "Accountant", "Payroll Specialist"), ("ERP.User",)),
    Department("Human Resources", "hr", 4, ("HR Business Partner", "Recruiter", "HR Generalist"), ("HRIS.User",)),
    Department(
        "Information Technology",
        "it",
        5,
        ("Systems Engineer", "Service Desk Analyst", "Security Analyst", "Software Developer"),
        ("ServiceDesk.Agent",),
    ),
    Department("Legal", "legal", 2, ("Corporate Counsel", "Paralegal", "Compliance Officer")),
)
DEPARTMENTS_BY_NAME = {department.name: department for department in DEPARTMENTS}
EXECUTIVE_OFFICE = "Executive Office"


@dataclass(frozen=True)
class Office:
    name: str
    street: str
    city: str
    state: str | None
    postal_code: str
    country: str
    language: str
    phone_prefix: str
    """Office numbers are this and four digits, mobiles `mobile_prefix` and three: numbers in
    ranges that telephone regulators keep for fiction where they have one."""
    mobile_prefix: str


OFFICES = (
    Office(
        "Seattle HQ",
        "1200 Harbor Street",
        "Seattle",
        "WA",
        "98101",
        "United States",
        "en-US",
        "+1 206 555 ",
        "+1 425 555 0",
    ),
    Office(
        "Boston Research Center",
        "88 Fenway Park Drive",
        "Boston",
        "MA",
        "02215",
        "United States",
        "en-US",
        "+1 617 555 ",
        "+1 857 555 0",
    ),
    Office("Basel Campus", "Rheinweg 40", "Basel", None, "4058", "Switzerland", "de-CH", "+41 61 555 ", "+41 79 555 0"),
    Office(
        "Cambridge Science Park",
        "12 Milton Road",
        "Cambridge",
        "Cambridgeshire",
        "CB4 0FZ",
        "United Kingdom",
        "en-GB",
        "+44 1223 496 ",
        "+44 7700 900",
    ),
    Office(
        "Lyon Plant",
        "7 Rue de Gerland",
        "Lyon",
        "Auvergne-Rhône-Alpes",
        "69007",
        "France",
        "fr-FR",
        "+33 4 72 55 ",
        "+33 6 55 55 0",
    ),
    Office(
        "Barcelona Hub",
        "Carrer de Pallars 190",
        "Barcelona",
        "Catalonia",
        "08005",
        "Spain",
        "es-ES",
        "+34 93 555 ",
        "+34 655 555 ",
    ),
)

FIRST_NAMES = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Nancy",
    "Anthony",
    "Lisa",
    "Mark",
    "Margaret",
    "Steven",
    "Sandra",
    "Paul",
    "Ashley",
    "Andrew",
    "Emily",
    "Kevin",
    "Michelle",
    "Alexander",
    "Katherine",
    "Aisha",
    "Wei",
    "Priya",
    "Hiroshi",
    "Yuki",
    "Mohammed",
    "Fatima",
    "Raj",
    "Ananya",
    "Carlos",
    "Aleksandra",
    "Johannes",
    "Ingrid",
    "Pierre",
    "Giulia",
    "Marco",
    "Olga",
    "Tomasz",
    "Anna",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Patel",
    "Shah",
    "Nguyen",
    "Kim",
    "Chen",
    "Wang",
    "Tanaka",
    "Sato",
    "Kowalski",
    "Nowak",
    "Moreau",
    "Dubois",
    "Lindqvist",
    "O'Brien",
    "O'Connor",
    "McCarthy",
    "Rossi",
    "Ferrari",
    "Bianchi",
    "Silva",
)
ACCENTED_FIRST_NAMES = (
    "Lucía",
    "José",
    "María",
    "Sofía",
    "Andrés",
    "Zoë",
    "Chloé",
    "Renée",
    "François",
    "Hélène",
    "Jérôme",
    "Søren",
    "Björn",
    "Åsa",
    "Jürgen",
    "Małgorzata",
    "Łukasz",
    "Zoltán",
    "Dóra",
    "Inês",
    "Noémie",
    "Oğuz",
)
ACCENTED_LAST_NAMES = (
    "Müller",
    "Schröder",
    "Weiß",
    "Dvořák",
    "Novák",
    "Núñez",
    "Peña",
    "Ibáñez",
    "Muñoz",
    "Gómez",
    "Pérez",
    "Lefèvre",
    "Østergaard",
    "Jørgensen",
    "Söderberg",
    "Kovács",
    "Szabó",
    "Gonçalves",
    "Yılmaz",
    "Öztürk",
)
ACCENTED_NAME_RATIO = 0.1
"""How often a first name, and separately a last name, is one written with diacritics."""
PREFERRED_NAMES = {
    "Robert": "Bob",
    "William": "Bill",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Alexander": "Alex",
    "Aleksandra": "Ola",
    "Michael": "Mike",
    "Jennifer": "Jen",
    "Małgorzata": "Gosia",
    "Joseph": "Joe",
}
# Letters NFKD does not take apart into a base letter and an accent.
_ASCII_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "ı": "i", "đ": "d"}
)


@dataclass
class Person:
    """Everything the tenant and the HR export say about one employee."""

    id: str
    employee_id: str
    given_name: str
    surname: str
    nickname: str
    """The mailbox name, `first.last` in ASCII, numbered when taken: also the UPN and mail prefix."""
    department: str
    office: Office
    hire_date: date
    enabled: bool = True
    employee_type: str = "Employee"
    job_title: str = ""
    manager: Person | None = None
    phone: str | None = None
    mobile: str | None = None
    fax: str | None = None
    roles: list[str] = field(default_factory=list)
    reports: list[Person] = field(default_factory=list)

    @property
    def upn(self) -> str:
        return f"{self.nickname}@{DOMAIN}"


class PeopleFactory:
    """Makes people with unique ids, employee ids and mailbox names, from one random generator."""

    def __init__(
        self, rng: random.Random, first_employee_number: int = 100001, taken_nicknames: set[str] | None = None
    ) -> None:
        self.rng = rng
        self.next_employee_number = first_employee_number
        self.taken_nicknames = taken_nicknames if taken_nicknames is not None else set()
        self._last_number: dict[str, int] = {}
        """Per mailbox name: the number its last namesake got, where to look for a free one."""

    def person(
        self, department: str, *, hired_after: date = date(2010, 1, 1), hired_before: date = date(2024, 12, 31)
    ) -> Person:
        rng = self.rng
        given_name = rng.choice(ACCENTED_FIRST_NAMES if rng.random() < ACCENTED_NAME_RATIO else FIRST_NAMES)
        surname = rng.choice(ACCENTED_LAST_NAMES if rng.random() < ACCENTED_NAME_RATIO else LAST_NAMES)
        office = rng.choice(OFFICES)
        employee_id = f"E{self.next_employee_number}"
        self.next_employee_number += 1
        return Person(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            employee_id=employee_id,
            given_name=given_name,
            surname=surname,
            nickname=self._free_nickname(f"{_ascii(given_name)}.{_ascii(surname)}"),
            department=department,
            office=office,
            hire_date=hired_after + timedelta(days=rng.randrange((hired_before - hired_after).days)),
            employee_type="Contractor" if rng.random() < 0.08 else "Employee",
            phone=f"{office.phone_prefix}{rng.randrange(100, 200):04d}",
            mobile=f"{office.mobile_prefix}{rng.randrange(100, 1000):03d}" if rng.random() < 0.8 else None,
            fax=f"{office.phone_prefix}{rng.randrange(900, 1000):04d}" if rng.random() < 0.04 else None,
        )

    def _free_nickname(self, base: str) -> str:
        number = self._last_number.get(base, 1)
        nickname = base if number == 1 else f"{base}{number}"
        while nickname in self.taken_nicknames:
            number += 1
            nickname = f"{base}{number}"
        self._last_number[base] = number
        self.taken_nicknames.add(nickname)
        return nickname


def build_people(count: int, seed: int, *, disabled_ratio: float) -> list[Person]:
    """`count` people in one reporting tree, CEO first; `disabled_ratio` of them (never the CEO
    or a vice president) have a disabled account."""
    rng = random.Random(seed)
    factory = PeopleFactory(rng)
    ceo = factory.person(EXECUTIVE_OFFICE, hired_after=date(2008, 1, 1), hired_before=date(2009, 12, 31))
    ceo.job_title = "Chief Executive Officer"
    people = [ceo]
    staff_count = max(count - 1, 0)
    total_weight = sum(department.weight for department in DEPARTMENTS)
    sizes = [staff_count * department.weight // total_weight for department in DEPARTMENTS]
    for position in range(staff_count - sum(sizes)):  # what rounding down left over, one each
        sizes[position % len(sizes)] += 1
    for department, size in zip(DEPARTMENTS, sizes, strict=True):
        members = [factory.person(department.name) for _ in range(size)]
        if not members:
            continue
        _arrange(members, department, rng)
        members[0].manager = ceo
        ceo.reports.append(members[0])
        people.extend(members)
    for leader in (ceo, *ceo.reports):
        leader.employee_type = "Employee"
    staff = [person for person in people if person.manager is not None and person.manager is not ceo]
    for person in rng.sample(staff, k=min(round(count * disabled_ratio), len(staff))):
        person.enabled = False
    return people


def _arrange(members: list[Person], department: Department, rng: random.Random) -> None:
    """Make `members[0]` the department's vice president and the rest a tree below them."""
    for position, person in enumerate(members[1:], start=1):
        boss = members[(position - 1) // SPAN_OF_CONTROL]
        person.manager = boss
        boss.reports.append(person)
    for person in members:
        person.job_title = _title(person, department, rng)
        person.roles = list(department.roles) + (["Expenses.Approver"] if person.reports else [])
    members[0].job_title = f"Vice President, {department.name}"


def _title(person: Person, department: Department, rng: random.Random) -> str:
    levels = _levels_below(person)
    if levels == 0:
        return rng.choice(department.titles)
    if levels == 1:
        return f"{department.name} Manager"
    if levels == 2:
        return f"Director, {department.name}"
    return f"Senior Director, {department.name}"


def _levels_below(person: Person) -> int:
    levels, layer = 0, person.reports
    while layer:
        levels += 1
        layer = [report for member in layer for report in member.reports]
    return levels


# --- the tenant --------------------------------------------------------------------------

TenantObject = dict[str, Any]
"""A user or group as the tenant directory's file holds it (Graph JSON)."""


def tenant_user(person: Person) -> TenantObject:
    office = person.office
    return {
        "id": person.id,
        "userPrincipalName": person.upn,
        "displayName": f"{person.given_name} {person.surname}",
        "givenName": person.given_name,
        "surname": person.surname,
        "mail": person.upn,
        "mailNickname": person.nickname,
        "department": person.department,
        "jobTitle": person.job_title,
        "employeeId": person.employee_id,
        "accountEnabled": person.enabled,
        "manager": person.manager.id if person.manager else None,
        "preferredLanguage": office.language,
        "physicalDeliveryOfficeName": office.name,
        "streetAddress": office.street,
        "city": office.city,
        "state": office.state,
        "postalCode": office.postal_code,
        "country": office.country,
        "telephoneNumber": person.phone,
        "mobile": person.mobile,
        "facsimileTelephoneNumber": person.fax,
        "companyName": COMPANY,
        "employeeType": person.employee_type,
        "userType": "Member",
        "proxyAddresses": [f"SMTP:{person.upn}", f"smtp:{person.nickname}@{SECONDARY_DOMAIN}"],
        "appRoleAssignments": list(person.roles),
    }


def tenant_group(
    rng: random.Random, name: str, nickname: str, description: str, members: list[Person], *, security: bool
) -> TenantObject:
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "displayName": name,
        "mailNickname": nickname,
        "description": description,
        # Security groups have no mailbox; Microsoft 365 groups do.
        "mail": None if security else f"{nickname}@{DOMAIN}",
        "securityEnabled": security,
        "members": [person.id for person in members],
    }


def company_groups(people: list[Person], seed: int) -> list[TenantObject]:
    """A group per department, All Staff, the leadership team and a few security groups."""
    rng = random.Random(seed)
    groups = [
        tenant_group(
            rng,
            department.name,
            f"dept-{department.nickname}",
            f"Everyone in {department.name}",
            [person for person in people if person.department == department.name],
            security=False,
        )
        for department in DEPARTMENTS
    ]
    ceo = people[0]
    lab_departments = {"Research & Development", "Quality Assurance", "Manufacturing"}
    groups += [
        tenant_group(rng, "All Staff", "allstaff", f"Everyone at {COMPANY}", people, security=False),
        tenant_group(
            rng, "Leadership Team", "leadership", "The CEO and the vice presidents", [ceo, *ceo.reports], security=False
        ),
        tenant_group(
            rng,
            "SG-Managers",
            "sg-managers",
            "People managers: approve expenses and time off",
            [person for person in people if person.reports],
            security=True,
        ),
        tenant_group(
            rng,
            "SG-VPN-Users",
            "sg-vpn-users",
            "Remote access to the corporate network",
            [person for person in people if rng.random() < 0.4],
            security=True,
        ),
        tenant_group(
            rng,
            "SG-Lab-Access",
            "sg-lab-access",
            "Badge access to the laboratories and the plant",
            [person for person in people if person.department in lab_departments],
            security=True,
        ),
        tenant_group(
            rng,
            "SG-Finance-Approvers",
            "sg-finance-approvers",
            "Approve purchase orders above 10,000",
            [person for person in people if person.department == "Finance" and person.reports],
            security=True,
        ),
    ]
    return groups


def team_groups(people: list[Person], seed: int, size: int = 50) -> list[TenantObject]:
    """Teams of about `size` colleagues each, for large tenants: `len(people) // size` groups."""
    rng = random.Random(seed)
    by_department = sorted(people, key=lambda person: person.department)
    count = max(len(people) // size, 1) if people else 0
    groups = []
    for number in range(count):
        members = by_department[number * len(people) // count : (number + 1) * len(people) // count]
        department = members[0].department
        groups.append(
            tenant_group(
                rng,
                f"{department} Team {number + 1}",
                f"team-{number + 1}",
                f"A project team in {department}",
                members,
                security=rng.random() < 0.3,
            )
        )
    return groups


def tenant_document(people: list[Person], groups: list[TenantObject]) -> dict[str, list[TenantObject]]:
    return {"users": [tenant_user(person) for person in people], "groups": groups}


def dump_json(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


# --- the HR export -----------------------------------------------------------------------

HrRow = dict[str, str]
"""One row of the HR export, by column."""

HR_COLUMNS = (
    "EmployeeId",
    "FirstName",
    "LastName",
    "PreferredName",
    "Email",
    "Department",
    "JobTitle",
    "ManagerEmployeeId",
    "Status",
    "HireDate",
    "TerminationDate",
    "City",
    "Country",
    "Mobile",
    "Company",
)
HR_DEPARTMENTS = ("Research & Development", "Human Resources", "Information Technology", "Finance", "Legal")
HR_NEW_HIRES = 12


def hr_rows(people: list[Person], seed: int, *, workers: int) -> list[HrRow]:
    """About `workers` HR rows: whole departments with their vice presidents and the CEO, so
    every manager is in the file, some terminated and on leave, a few promotions the tenant
    has not seen, and new hires who have no account yet."""
    rng = random.Random(seed)
    ceo = people[0]
    chosen = [ceo]
    for department in HR_DEPARTMENTS:
        members = [person for person in people if person.department == department]
        if len(chosen) + len(members) > workers - HR_NEW_HIRES:
            members = _subtree(members[0], workers - HR_NEW_HIRES - len(chosen)) if members else []
        chosen.extend(members)
    rows = [_hr_row(person, status="Active") for person in chosen]

    staff = [row for row in rows[1:] if not _is_manager(row, rows)]
    for row in rng.sample(staff, k=min(len(staff), max(len(rows) // 20, 1))):
        row["Status"] = "Terminated"
        row["TerminationDate"] = (date(2025, 1, 6) + timedelta(days=rng.randrange(50))).isoformat()
    active_staff = [row for row in staff if row["Status"] == "Active"]
    for row in rng.sample(active_staff, k=min(len(active_staff), max(len(rows) // 30, 1))):
        row["Status"] = "Leave"
    promotable = [row for row in active_staff if not row["JobTitle"].startswith(("Senior ", "Principal "))]
    for row in rng.sample(promotable, k=min(len(promotable), 3)):
        row["JobTitle"] = f"Senior {row['JobTitle']}"

    managers = [person for person in chosen if person.reports and person.department != EXECUTIVE_OFFICE]
    factory = PeopleFactory(rng, first_employee_number=900001, taken_nicknames={person.nickname for person in people})
    for _ in range(HR_NEW_HIRES if managers else 0):
        manager = rng.choice(managers)
        hire = factory.person(manager.department, hired_after=date(2025, 3, 3), hired_before=date(2025, 3, 31))
        hire.manager = manager
        hire.job_title = rng.choice(DEPARTMENTS_BY_NAME[manager.department].titles)
        row = _hr_row(hire, status="Active")
        row["Email"] = ""  # no mailbox until the account is provisioned
        rows.append(row)
    return rows


def _subtree(root: Person, limit: int) -> list[Person]:
    """`root` and the people below them, breadth first, at most `limit`: managers come with it."""
    members, position = [root], 0
    while position < len(members) and len(members) < limit:
        members.extend(members[position].reports[: limit - len(members)])
        position += 1
    return members[: max(limit, 0)]


def _is_manager(row: HrRow, rows: list[HrRow]) -> bool:
    return any(other["ManagerEmployeeId"] == row["EmployeeId"] for other in rows)


def _hr_row(person: Person, *, status: str) -> HrRow:
    return {
        "EmployeeId": person.employee_id,
        "FirstName": person.given_name,
        "LastName": person.surname,
        "PreferredName": PREFERRED_NAMES.get(person.given_name, ""),
        "Email": person.upn,
        "Department": person.department,
        "JobTitle": person.job_title,
        "ManagerEmployeeId": person.manager.employee_id if person.manager else "",
        "Status": status,
        "HireDate": person.hire_date.isoformat(),
        "TerminationDate": "",
        "City": person.office.city,
        "Country": person.office.country,
        "Mobile": person.mobile or "",
        "Company": COMPANY,
    }


def hr_csv(rows: list[HrRow]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=HR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


# --- the sample --------------------------------------------------------------------------


def sample_files(users: int = SAMPLE_USERS, seed: int = SAMPLE_SEED) -> dict[str, bytes]:
    """The sample files by name: what `main` writes, and what the tests compare with."""
    people = build_people(users, seed, disabled_ratio=0.03)
    return {
        "directory.json": dump_json(tenant_document(people, company_groups(people, seed + 1))),
        "hr.csv": hr_csv(hr_rows(people, seed + 2, workers=120)),
    }


@functools.cache  # names come from small pools: fold each once
def _ascii(name: str) -> str:
    """`name` as a mailbox name part: `Łukasz` → `lukasz`, `O'Brien` → `obrien`."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_LETTERS))
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()
