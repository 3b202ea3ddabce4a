"""The Graph endpoint's speed: GET job latency and rate, and bulkUpload end to end (payload to tenant).

A home is seeded in a temporary folder and served by `GraphServer` on 127.0.0.1 (uvicorn on a
thread, as `synctui serve --graph` runs it); the client is httpx with one keep-alive connection,
in the same process (so client and server share the two cores, as a local script would).

  GET job       --requests sequential `GET …/jobs/{jobId}`: requests per second, p50, p95, p99, and
                the CPU time per request (client and server: the part other work on the machine
                does not stretch), with the load average it ran under
  bulkUpload    --payloads BulkRequests of 50 new workers each are posted to a started apiInbound
                job (a 429 is waited out as its Retry-After says), then the job's cycle provisions
                them to the tenant: operations per second from the first POST to the last user in
                the tenant file, and the upload and cycle parts of it

    python benchmarks/bench_graph.py [--requests 2000] [--payloads 20]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from synctui.bootstrap import open_service
from synctui.graph import GraphAddress, GraphServer
from synctui.service import SyncService
from synctui.store import Home

TOKEN = "bench-token"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _principal_of(service: SyncService, job_id: str) -> str:
    return next(principal.id for principal, ids in service.application_instances() if job_id in ids)


def bench_get_job(client: httpx.Client, service: SyncService, requests: int) -> None:
    job_id = service.list_jobs()[0].id or ""
    url = f"servicePrincipals/{_principal_of(service, job_id)}/synchronization/jobs/{job_id}"
    for _ in range(50):  # warm up: imports, the connection, caches
        client.get(url).raise_for_status()
    latencies = []
    cpu_began = time.process_time()
    began = time.perf_counter()
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url).raise_for_status()
        latencies.append((time.perf_counter() - start) * 1000)
    elapsed = time.perf_counter() - began
    cpu = (time.process_time() - cpu_began) * 1000 / requests
    cuts = statistics.quantiles(latencies, n=100)
    print(f"GET job        {requests} requests: {requests / elapsed:,.0f} req/s")
    print(f"               p50 {cuts[49]:.2f} ms · p95 {cuts[94]:.2f} ms · p99 {cuts[98]:.2f} ms")
    # CPU time is what the machine's other work does not stretch: client and server, per request.
    print(f"               CPU {cpu:.2f} ms per request (client + server); load average {os.getloadavg()[0]:.1f}")


def _payload(start: int) -> bytes:
    operations = []
    for number in range(start, start + 50):
        worker = f"B{number:06d}"
        data = {
            "schemas": [CORE, ENTERPRISE],
            "externalId": worker,
            "userName": f"worker.{number}@contoso.example",
            "name": {"givenName": "Worker", "familyName": str(number)},
            "displayName": f"Worker {number}",
            "active": True,
            "title": "Analyst",
            "emails": [{"type": "work", "value": f"worker.{number}@contoso.example"}],
            ENTERPRISE: {"employeeNumber": worker, "department": "Finance"},
        }
        operations.append({"method": "POST", "bulkId": worker, "path": "/Users", "data": data})
    request = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": operations}
    return json.dumps(request).encode()


def bench_bulk_upload(client: httpx.Client, service: SyncService, payloads: int) -> None:
    job_id = service.create_job("apiInbound", name="bench").id or ""
    service.start_job(job_id)
    url = f"servicePrincipals/{_principal_of(service, job_id)}/synchronization/jobs/{job_id}/bulkUpload"
    bodies = [_payload(index * 50) for index in range(payloads)]
    waited = 0
    began = time.perf_counter()
    for body in bodies:
        while True:
            response = client.post(url, content=body, headers={"Content-Type": "application/scim+json"})
            if response.status_code != 429:
                break
            waited += 1
            time.sleep(float(response.headers["Retry-After"]))
        response.raise_for_status()
    uploaded = time.perf_counter()
    execution = service.run_cycle(job_id)
    ended = time.perf_counter()
    operations = payloads * 50
    tenant = json.loads(service.home.tenant_file.read_text(encoding="utf-8"))["users"]
    arrived = sum(1 for user in tenant if str(user.get("employeeId", "")).startswith("B"))
    print(
        f"bulkUpload     {payloads} requests × 50 = {operations} operations: "
        f"{operations / (ended - began):,.0f} operations/s end to end ({arrived} users in the tenant)"
    )
    print(
        f"               upload {uploaded - began:.2f} s ({payloads / (uploaded - began):,.0f} req/s, "
        f"{waited} × 429 waited out) · cycle {ended - uploaded:.2f} s ({execution.state.value}, "
        f"exported {execution.count_exported})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--payloads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        service = open_service(Home(Path(folder) / "home"))
        server = GraphServer(service, TOKEN, GraphAddress("127.0.0.1", 0)).start()
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            with httpx.Client(base_url=server.url + "/", headers=headers, timeout=60) as client:
                bench_get_job(client, service, args.requests)
                bench_bulk_upload(client, service, args.payloads)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
