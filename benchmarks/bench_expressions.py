"""How many attribute-mapping evaluations per second the expression evaluator sustains.

Generates USERS realistic Entra users (names with diacritics, departments, UPNs, mail, phone
numbers, some attributes absent), compiles the User attribute mappings of the default `scim`
template once, and evaluates every mapping for every user, as a full sync would. Prints figures;
asserts nothing.

    python benchmarks/bench_expressions.py [--users 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from typing import Any

from synctui.expressions import CompiledExpression, compile_source, parse
from synctui.models import AttributeMappingSource

# Entra's default SCIM User mappings (spec/entra-scim-behaviour.md §1.1, second table), used when
# the template module is not importable.
DEFAULT_SCIM_USER_MAPPINGS = [
    "[userPrincipalName]",
    'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    "[displayName]",
    "[jobTitle]",
    "[mail]",
    "[preferredLanguage]",
    "[givenName]",
    "[surname]",
    'Join(" ", [givenName], [surname])',
    "[physicalDeliveryOfficeName]",
    "[streetAddress]",
    "[city]",
    "[state]",
    "[postalCode]",
    "[country]",
    "[telephoneNumber]",
    "[mobile]",
    "[facsimileTelephoneNumber]",
    "[mailNickname]",
    "[employeeId]",
    "[department]",
    "[manager]",
]

GIVEN_NAMES = [
    "Zoë",
    "José",
    "Łukasz",
    "Søren",
    "Chloé",
    "Björn",
    "Ana",
    "Mårten",
    "Çağla",
    "Noémie",
    "François",
    "Jürgen",
    "Siobhán",
    "Ştefan",
    "Dvořák",
    "Ines",
    "Olivia",
    "Liam",
    "Mei",
    "Aarav",
    "Kwame",
    "Yuki",
]
SURNAMES = [
    "Müller",
    "García",
    "Nowak",
    "Ærøe",
    "Østergård",
    "Dubois",
    "Smith",
    "O'Neil",
    "van der Berg",
    "Kowalczyk",
    "Nguyễn",
    "Silva",
    "Öztürk",
    "Haraldsdóttir",
    "Tanaka",
    "Mensah",
    "Patel",
    "Brontë",
]
DEPARTMENTS = ["Sales", "Engineering", "Finance", "Human Resources", "Marketing", "Legal", "Support", "Research"]
TITLES = ["Engineer", "Senior Engineer", "Account Executive", "Analyst", "Manager", "Director", "Consultant"]
CITIES = [
    ("Redmond", "WA", "98052", "US"),
    ("München", "BY", "80331", "DE"),
    ("Kraków", "MA", "30-001", "PL"),
    ("Lyon", "ARA", "69001", "FR"),
    ("São Paulo", "SP", "01000-000", "BR"),
    ("Århus", "82", "8000", "DK"),
]
LANGUAGES = ["en-US", "de-DE", "pl-PL", "fr-FR", "pt-BR", "da-DK"]


def scim_user_mappings() -> list[AttributeMappingSource]:
    try:
        from synctui.templates import get_template
    except ImportError:
        return [parse(text) for text in DEFAULT_SCIM_USER_MAPPINGS]
    schema = get_template("scim").schema_
    mapping = next(m for m in schema.synchronization_rules[0].object_mappings if m.source_object_name == "User")
    return [am.source for am in mapping.attribute_mappings if am.source is not None]


def generate_users(count: int, rng: random.Random) -> list[dict[str, Any]]:
    object_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]
    users = []
    for index in range(count):
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        nickname = f"{given}.{surname}".lower().replace(" ", "").replace("'", "") + str(index)
        city, state, postal, country = rng.choice(CITIES)
        user: dict[str, Any] = {
            "objectId": object_ids[index],
            "userPrincipalName": f"{nickname}@contoso.example",
            "mailNickname": nickname,
            "displayName": f"{given} {surname}",
            "givenName": given,
            "surname": surname,
            "IsSoftDeleted": "True" if rng.random() < 0.05 else "False",
            "accountEnabled": "True",
            "department": rng.choice(DEPARTMENTS),
            "jobTitle": rng.choice(TITLES),
            "employeeId": str(100000 + index),
            "city": city,
            "state": state,
            "postalCode": postal,
            "country": country,
            "preferredLanguage": rng.choice(LANGUAGES),
        }
        optional = {
            "mail": f"{nickname}@contoso.example",
            "mobile": f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}",
            "telephoneNumber": f"+1 425 555 {rng.randint(1000, 9999)}",
            "physicalDeliveryOfficeName": f"Building {rng.randint(1, 40)}",
            "streetAddress": f"{rng.randint(1, 999)} Main Street",
            "manager": rng.choice(object_ids),
        }
        user.update((key, value) for key, value in optional.items() if rng.random() < 0.8)  # ~20 % nulls
        users.append(user)
    return users


def run(compiled: list[CompiledExpression], users: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for user in users:
        for expression in compiled:
            expression.evaluate(user)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    sources = scim_user_mappings()
    started = time.perf_counter()
    compiled = [compile_source(source) for source in sources]
    compile_seconds = time.perf_counter() - started
    users = generate_users(args.users, random.Random(args.seed))

    run(compiled, users[:1000])  # warm up
    seconds = run(compiled, users)
    evaluations = len(users) * len(compiled)
    print(f"mappings: {len(compiled)} (scim template, User), compiled in {compile_seconds * 1000:.1f} ms")
    print(f"users: {len(users):,}; evaluations: {evaluations:,} in {seconds:.2f} s")
    print(
        f"{evaluations / seconds:,.0f} mapping evaluations/second "
        f"({len(users) / seconds:,.0f} users/second, {seconds / evaluations * 1e6:.2f} µs per evaluation)"
    )


if __name__ == "__main__":
    main()
