"""How fast ScimDirectory provisions a SCIM endpoint, against a plain httpx loop.

Starts scim2-server (its threaded wsgiref server, in a subprocess so that server and client do
not share a GIL), then creates USERS users and GROUPS groups of MEMBERS members each:
  * through ScimDirectory with max_parallel=1 (one thread),
  * through ScimDirectory with max_parallel=4 (four threads, as the engine will drive it),
  * through a bare sequential httpx.Client sending the same requests (the floor: no mapping,
    no trace, no error handling).
Each run gets a fresh, empty server. Prints figures; asserts nothing.

    python benchmarks/bench_scim.py [--users 10000] [--groups 200] [--members 50]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import orjson

from synctui.connectors.base import Modification
from synctui.connectors.scim import ScimDirectory

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def flat_user(n: int) -> dict[str, object]:
    return {
        "userName": f"user{n:06}@contoso.com",
        "active": True,
        "displayName": f"User {n}",
        "externalId": f"user{n:06}",
        "name.givenName": "User",
        "name.familyName": f"{n}",
        'emails[type eq "work"].value': f"user{n:06}@contoso.com",
        'addresses[type eq "work"].locality': "Paris",
        f"{ENTERPRISE}:employeeNumber": str(n),
        f"{ENTERPRISE}:department": f"Dept {n % 20}",
    }


def scim_user(n: int) -> dict[str, object]:
    """`flat_user(n)` as ScimDirectory sends it, written out by hand for the plain client."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": f"user{n:06}@contoso.com",
        "active": True,
        "displayName": f"User {n}",
        "externalId": f"user{n:06}",
        "name": {"givenName": "User", "familyName": f"{n}"},
        "emails": [{"type": "work", "value": f"user{n:06}@contoso.com"}],
        "addresses": [{"type": "work", "locality": "Paris"}],
        ENTERPRISE: {"employeeNumber": str(n), "department": f"Dept {n % 20}"},
        "meta": {"resourceType": "User"},
    }


@dataclass
class Timing:
    users: float
    """Seconds to create the users."""
    groups: float
    """Seconds to create the groups and add their members."""
    client_cpu: float
    """CPU seconds the client process spent (the server runs in another process)."""


@dataclass
class Workload:
    users: int
    groups: int
    members: int

    @property
    def requests(self) -> int:
        return self.users + 2 * self.groups  # a POST per user and group, a PATCH per group


@contextmanager
def scim_server() -> Iterator[str]:
    """A fresh scim2-server on a free loopback port; yields its base address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "scim2_server.testserver.cli", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # one access-log line per request
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # "Serving SCIM on …" once it listens
        yield f"http://127.0.0.1:{port}/v2"
    finally:
        process.terminate()
        process.wait()


def run_connector(base_address: str, workload: Workload, max_parallel: int) -> Timing:
    directory = ScimDirectory(base_address, max_parallel=max_parallel)
    with ThreadPoolExecutor(max_workers=max_parallel) as pool:
        cpu_started, started = time.process_time(), time.perf_counter()
        user_ids = list(pool.map(lambda n: directory.create("User", flat_user(n)), range(workload.users)))
        users_done = time.perf_counter()

        def make_group(g: int) -> None:
            group_id = directory.create("Group", {"displayName": f"Group {g}", "externalId": f"g{g}"})
            members = [user_ids[(g * workload.members + m) % len(user_ids)] for m in range(workload.members)]
            directory.update("Group", group_id, Modification(add={"members": members}))

        list(pool.map(make_group, range(workload.groups)))
        groups_done = time.perf_counter()
    directory.close()
    return Timing(users_done - started, groups_done - users_done, time.process_time() - cpu_started)


def run_plain_httpx(base_address: str, workload: Workload) -> Timing:
    headers = {"Content-Type": "application/scim+json"}
    with httpx.Client(base_url=base_address, headers=headers) as client:
        cpu_started, started = time.process_time(), time.perf_counter()
        user_ids = [
            client.post("/Users", content=orjson.dumps(scim_user(n))).json()["id"] for n in range(workload.users)
        ]
        users_done = time.perf_counter()
        for g in range(workload.groups):
            group = {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": f"Group {g}",
                "externalId": f"g{g}",
                "meta": {"resourceType": "Group"},
            }
            group_id = client.post("/Groups", content=orjson.dumps(group)).json()["id"]
            members = [user_ids[(g * workload.members + m) % len(user_ids)] for m in range(workload.members)]
            patch = {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": m} for m in members]}],
            }
            client.patch(f"/Groups/{group_id}", content=orjson.dumps(patch)).raise_for_status()
        groups_done = time.perf_counter()
    return Timing(users_done - started, groups_done - users_done, time.process_time() - cpu_started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--members", type=int, default=50)
    args = parser.parse_args()
    workload = Workload(args.users, args.groups, args.members)

    runs: list[tuple[str, Callable[[str], Timing]]] = [
        ("ScimDirectory, max_parallel=1", lambda base: run_connector(base, workload, 1)),
        ("ScimDirectory, max_parallel=4", lambda base: run_connector(base, workload, 4)),
        ("plain httpx, sequential", lambda base: run_plain_httpx(base, workload)),
    ]
    print(
        f"{workload.users} users, {workload.groups} groups x {workload.members} members "
        f"= {workload.requests} requests, scim2-server (wsgiref, threaded) in a subprocess"
    )
    print(f"{'':32}{'users s':>9}{'groups s':>10}{'total s':>9}{'req/s':>8}{'client CPU ms/req':>19}")
    for label, run in runs:
        with scim_server() as base_address:
            timing = run(base_address)
        total = timing.users + timing.groups
        print(
            f"{label:32}{timing.users:9.2f}{timing.groups:10.2f}{total:9.2f}{workload.requests / total:8.0f}"
            f"{1000 * timing.client_cpu / workload.requests:19.3f}"
        )


if __name__ == "__main__":
    main()
