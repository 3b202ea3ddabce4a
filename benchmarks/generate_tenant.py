"""Write a large tenant directory for the benchmarks, and change one as a day at work would.

    python benchmarks/generate_tenant.py 100000 benchmarks/out/tenant.json [--seed 7]

N users in the sample company's shape (2% of the accounts disabled) and N/50 team groups of
about 50 members each. Benchmarks import `build_tenant` and `churn`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from synctui.demo import churn as _churn
from synctui.demo.company import build_people, dump_json, team_groups, tenant_document

DISABLED_RATIO = 0.02


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
    """The benchmark's day of changes (see `synctui.demo.churn`); returns the counts."""
    counts = _churn.churn(directory, changed, disabled, deleted, added, seed=seed)
    return {"changed": counts.changed, "disabled": counts.disabled, "deleted": counts.deleted, "added": counts.added}


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
