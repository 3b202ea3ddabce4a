"""How fast synctui provisions a SCIM endpoint, against plain httpx loops.

Starts scim2-server (its threaded wsgiref server, in a subprocess so that server and client do
not share a GIL), then creates USERS users and GROUPS groups of MEMBERS members each:
  * through ScimDirectory with max_parallel=1 (one thread),
  * through ScimDirectory with max_parallel=4 (four threads),
  * through a bare sequential httpx.Client sending the same requests (the floor: no mapping,
    no trace, no error handling);
and then provisions the same company the way Entra does it, as a whole initial cycle:
  * `synctui`: a `scim` job's initial cycle from a tenant file (match query + POST per user,
    a manager PATCH per user, then query + POST + members PATCH per group),
  * the same sequence of requests from a plain sequential httpx script.
Each run gets a fresh, empty server. With --latency-ms, the server answers each request that
much later, as a SCIM service across a network would: what parallel requests are for. Prints
figures; asserts nothing.

    python benchmarks/bench_scim.py [--users 10000] [--groups 200] [--members 50] [--latency-ms 0]
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

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
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
        "schemas": [CORE_USER, ENTERPRISE],
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


LATENT_SERVER = """
import sys, time
import scim2_server.testserver.cli as cli
delay = float(sys.argv.pop(1)) / 1000
serve = cli.make_server

def make_server(host, port, application, **options):
    def late(environ, start_response):
        time.sleep(delay)
        return application(environ, start_response)
    return serve(host, port, late, **options)

cli.make_server = make_server
cli.main()
"""
"""scim2-server's command, answering every request `delay` milliseconds late."""


@contextmanager
def scim_server(latency_ms: float = 0) -> Iterator[str]:
    """A fresh scim2-server on a free loopback port; yields its base address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", LATENT_SERVER, str(latency_ms), "--port", str(port)],
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


def tenant(workload: Workload) -> dict[str, list[dict[str, object]]]:
    """The workload as a tenant directory: managers one level up, groups of MEMBERS users."""
    users = [
        {
            "id": f"u{n}",
            "userPrincipalName": f"user{n:06}@contoso.com",
            "displayName": f"User {n}",
            "givenName": "User",
            "surname": str(n),
            "mail": f"user{n:06}@contoso.com",
            "mailNickname": f"user{n:06}",
            "department": f"Dept {n % 20}",
            "employeeId": str(n),
            "city": "Paris",
            "accountEnabled": True,
            "manager": f"u{n // 10}" if n >= 10 else None,
        }
        for n in range(workload.users)
    ]
    groups = [
        {
            "id": f"g{g}",
            "displayName": f"Group {g}",
            "mailNickname": f"group{g}",
            "members": [f"u{(g * workload.members + m) % workload.users}" for m in range(workload.members)],
        }
        for g in range(workload.groups)
    ]
    return {"users": users, "groups": groups}


def run_synctui_cycle(base_address: str, workload: Workload, parallel: int) -> tuple[float, int]:
    """Seconds and requests of a `scim` job's initial cycle, through the service as `jobs run`
    does, with up to `parallel` requests in flight."""
    import tempfile
    from pathlib import Path

    from synctui.bootstrap import open_service
    from synctui.store import Home

    with tempfile.TemporaryDirectory() as folder:
        service = open_service(Home(Path(folder)), seed=False)
        service.home.tenant_file.write_bytes(orjson.dumps(tenant(workload)))
        job = service.create_job(
            "scim",
            secrets={"BaseAddress": base_address, "SyncAll": "true"},  # every user of the workload in scope
            settings={"ScimManagerShape": "object", "ScimMaxParallelRequests": str(parallel)},
        )
        traced: list[dict[str, object]] = []  # list.append is atomic: requests come from several threads
        started = time.perf_counter()
        execution = service.run_cycle(job.id, trace=traced.append)
        elapsed = time.perf_counter() - started
        assert execution.state.value == "Succeeded", execution.error
    return elapsed, len(traced)


def run_plain_entra_sequence(base_address: str, workload: Workload) -> tuple[float, int]:
    """The initial cycle's requests, one after the other, from a bare httpx client."""
    headers = {"Content-Type": "application/scim+json"}
    directory = tenant(workload)
    requests = 0
    with httpx.Client(base_url=base_address, headers=headers) as client:
        started = time.perf_counter()
        ids: dict[str, str] = {}
        for user in directory["users"]:
            client.get("/Users", params={"filter": f'userName eq "{user["userPrincipalName"]}"'}).raise_for_status()
            body = {
                "schemas": [CORE_USER, ENTERPRISE],
                "userName": user["userPrincipalName"],
                "active": True,
                "displayName": user["displayName"],
                "externalId": user["mailNickname"],
                "name": {"givenName": "User", "familyName": user["surname"], "formatted": user["displayName"]},
                "emails": [{"type": "work", "value": user["mail"]}],
                "addresses": [{"type": "work", "locality": "Paris"}],
                ENTERPRISE: {"employeeNumber": user["employeeId"], "department": user["department"]},
            }
            ids[user["id"]] = client.post("/Users", content=orjson.dumps(body)).json()["id"]
            requests += 2
        for user in directory["users"]:
            if user["manager"]:
                patch = {
                    "schemas": [PATCH_OP],
                    "Operations": [
                        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": ids[user["manager"]]}}
                    ],
                }
                client.patch(f"/Users/{ids[user['id']]}", content=orjson.dumps(patch)).raise_for_status()
                requests += 1
        for group in directory["groups"]:
            client.get(
                "/Groups",
                params={"excludedAttributes": "members", "filter": f'displayName eq "{group["displayName"]}"'},
            ).raise_for_status()
            body = {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": group["displayName"],
                "externalId": group["id"],
            }
            group_id = client.post("/Groups", content=orjson.dumps(body)).json()["id"]
            patch = {
                "schemas": [PATCH_OP],
                "Operations": [
                    {"op": "add", "path": "members", "value": [{"value": ids[m]} for m in group["members"]]}
                ],
            }
            client.patch(f"/Groups/{group_id}", content=orjson.dumps(patch)).raise_for_status()
            requests += 3
        return time.perf_counter() - started, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=0, help="delay each reply by this much")
    args = parser.parse_args()
    workload = Workload(args.users, args.groups, args.members)

    runs: list[tuple[str, Callable[[str], Timing]]] = [
        ("ScimDirectory, max_parallel=1", lambda base: run_connector(base, workload, 1)),
        ("ScimDirectory, max_parallel=4", lambda base: run_connector(base, workload, 4)),
        ("plain httpx, sequential", lambda base: run_plain_httpx(base, workload)),
    ]
    print(
        f"{workload.users} users, {workload.groups} groups x {workload.members} members "
        f"= {workload.requests} requests, scim2-server (wsgiref, threaded) in a subprocess, "
        f"{args.latency_ms:g} ms latency per request"
    )
    print(f"{'':32}{'users s':>9}{'groups s':>10}{'total s':>9}{'req/s':>8}{'client CPU ms/req':>19}")
    for label, run in runs:
        with scim_server(args.latency_ms) as base_address:
            timing = run(base_address)
        total = timing.users + timing.groups
        print(
            f"{label:32}{timing.users:9.2f}{timing.groups:10.2f}{total:9.2f}{workload.requests / total:8.0f}"
            f"{1000 * timing.client_cpu / workload.requests:19.3f}"
        )
    print("\nA whole initial cycle, as Entra provisions (match, create, managers, groups and members):")
    print(f"{'':32}{'total s':>9}{'requests':>10}{'req/s':>8}")
    for label, cycle in (
        ("synctui, 1 request at a time", lambda base, load: run_synctui_cycle(base, load, 1)),
        ("synctui, 4 in parallel", lambda base, load: run_synctui_cycle(base, load, 4)),
        ("synctui, 8 in parallel", lambda base, load: run_synctui_cycle(base, load, 8)),
        ("plain httpx, same requests", run_plain_entra_sequence),
    ):
        with scim_server(args.latency_ms) as base_address:
            seconds, requests = cycle(base_address, workload)
        print(f"{label:32}{seconds:9.2f}{requests:10}{requests / seconds:8.0f}")


if __name__ == "__main__":
    main()
