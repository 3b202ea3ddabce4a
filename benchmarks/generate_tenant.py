"""Write a large tenant directory for the benchmarks, and change one as a day at work would.

    python benchmarks/generate_tenant.py 100000 benchmarks/out/tenant.json [--seed 7] [--lean]

N users in the sample company's shape (2% of the accounts disabled) and N/50 team groups of
about 50 members each. The full shape gives each user 27 Graph properties and is written indented
(123 MB at 100,000 users); `--lean` keeps the id and the 10 properties the `jsonfile` template
maps (the 11 of an ordinary directory: names, department, title, employee id, enabled, manager)
and writes compactly (40 MB at 100,000), so the engine's cost per object weighs more than the
bytes. Benchmarks import `build_tenant`, `tenant_bytes` and `churn`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import orjson

from synctui.demo import churn as _churn
from synctui.demo.company import build_people, dump_json, team_groups, tenant_document

DISABLED_RATIO = 0.02
LEAN_PROPERTIES = (
    "id",
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mailNickname",
    "department",
    "jobTitle",
    "employeeId",
    "accountEnabled",
    "manager",
)
"""A lean tenant's user: what an ordinary directory holds, and the jsonfile template maps."""


def build_tenant(users: int, seed: int = 0, *, lean: bool = False) -> dict:
    """A tenant document, `{"users": [...], "groups": [...]}`, with `users` users."""
    people = build_people(users, seed, disabled_ratio=DISABLED_RATIO)
    document = tenant_document(people, team_groups(people, seed + 1))
    if lean:
        document["users"] = [{name: user[name] for name in LEAN_PROPERTIES} for user in document["users"]]
    return document


def tenant_bytes(document: dict, *, lean: bool = False) -> bytes:
    """The tenant file's content: indented as the sample's, or compact for a lean tenant."""
    return orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE) if lean else dump_json(document)


def churn(
    directory: dict,
    changed: float = 0.01,
    disabled: float = 0.005,
    deleted: float = 0.002,
    added: float = 0.005,
    seed: int = 0,
    *,
    lean: bool = False,
) -> dict[str, int]:
    """The benchmark's day of changes (see `synctui.demo.churn`); returns the counts. A lean
    tenant's users keep its properties (the users added, and the offices changed, have more)."""
    counts = _churn.churn(directory, changed, disabled, deleted, added, seed=seed)
    if lean:
        directory["users"] = [
            {name: user[name] for name in LEAN_PROPERTIES if name in user} for user in directory["users"]
        ]
    return {"changed": counts.changed, "disabled": counts.disabled, "deleted": counts.deleted, "added": counts.added}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("users", type=int, help="how many users")
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lean", action="store_true", help="11 properties per user, written compactly")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    document = build_tenant(arguments.users, arguments.seed, lean=arguments.lean)
    built = time.perf_counter()
    data = tenant_bytes(document, lean=arguments.lean)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(data)
    written = time.perf_counter()
    print(
        f"{arguments.out}: {len(document['users'])} users, {len(document['groups'])} groups, "
        f"{len(data) / 1e6:.1f} MB; built in {built - started:.2f} s, written in {written - built:.2f} s"
    )


if __name__ == "__main__":
    main()
