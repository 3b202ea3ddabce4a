"""How long synctui's cycles take on a large tenant, against the floor of merely reading the
source and writing the target.

For each N and each tenant shape (`full`: 27 properties per user, indented; `lean`: 11, compact;
see generate_tenant.py): generate_tenant.py writes a tenant of N users and N/50 groups; a
`jsonfile` job with the template's default mappings then runs, each step a `synctui` command in its own process
(process start and imports included, as a user would run it):

  floor         read the tenant file and write a file of the same size (indented or compact, as
                the tenant is) with orjson, no sync logic
                (`floor, no GC`: the same with the garbage collector off, as a cycle runs)
  initial       the first cycle, into an empty target
  steady        a cycle with nothing changed: after a cycle that settled, it finds that nothing it
                depends on changed since (`after initial`, `quiet`: see synctui/engine/quiet.py);
                after a user's change was provisioned on demand, it looks at every object to
                find nothing left to do (`looking`)
  incremental   a cycle after 1% of the users changed, 0.5% were disabled, 0.2% deleted and 0.5% added
  on demand     `jobs provision` of one user, in sync / just changed in the tenant file (users
                near the file's start, and `late in file`: its last users); the first two reads
                after a cycle rewrote the files (`1st+2nd read`: a search, then the files'
                indexes built) apart

Each is run --repeat times; the table shows the best and the median, the ratio of the best to
the floor, objects (users + groups) per second, the peak resident memory of the process and the
size of the job's state files afterwards. Then bench_dashboard.py measures the dashboard's key
latency while it runs an initial cycle of the largest N. Prints figures; asserts nothing.

    python benchmarks/bench_cycle.py [--users 10000 100000] [--shape full lean] [--repeat 3] [--work DIR]
                                     [--no-dashboard]

The job's deletion threshold is raised to a tenth of the directory, so that the incremental
cycle's disables and deletes are exported rather than held back. Commands run with bytecode
cached in DIR/pycache, as an installed package would (PYTHONDONTWRITEBYTECODE is dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_dashboard
from generate_tenant import build_tenant, churn, tenant_bytes

FLOOR = (
    "import sys, orjson\n"
    "data = orjson.loads(open(sys.argv[1], 'rb').read())\n"
    "layout = orjson.OPT_INDENT_2 if sys.argv[3] == 'full' else 0\n"
    "open(sys.argv[2], 'wb').write(orjson.dumps(data, option=layout | orjson.OPT_APPEND_NEWLINE))\n"
)
FLOOR_NO_GC = "import gc\ngc.disable()\n" + FLOOR

LAUNCHER = (
    "import os, sys, time\n"
    "started = time.perf_counter()\n"
    "pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "seconds = time.perf_counter() - started\n"
    "cpu = usage.ru_utime + usage.ru_stime\n"
    "open(sys.argv[1], 'w').write(f'{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {cpu}')\n"
)
"""Runs a command and reports its wall time, peak memory, exit code and processor time (user and
system: on a machine others share, it wanders less than the wall time). A child's peak memory
counts what its parent held when it was forked: measured from this small process rather than
from the benchmark, which holds a whole tenant at times, it is the command's own."""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str
    cpu_seconds: float


@dataclass
class Row:
    name: str
    runs: list[Run] = field(default_factory=list)
    objects: int | None = None
    """Objects the step goes through, for the rate (None: no rate)."""
    state_mb: float | None = None

    @property
    def best(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def best_cpu(self) -> float:
        return min(run.cpu_seconds for run in self.runs)

    @property
    def median_cpu(self) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(run.peak_mb for run in self.runs)


class Bench:
    """One tenant of N users and the commands run against it, in `folder`."""

    def __init__(self, folder: Path, users: int, repeat: int, shape: str) -> None:
        self.folder = folder
        self.users = users
        self.shape = shape
        self.lean = shape == "lean"
        self.repeat = repeat
        self.tenant = folder / "tenant.json"
        self.home = folder / "home"
        self.env = dict(os.environ, SYNCTUI_HOME=str(self.home), PYTHONPYCACHEPREFIX=str(folder.parent / "pycache"))
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.rows: list[Row] = []
        self.objects = 0
        self.job = ""
        """The job the steps after the initial cycle run: the last one created."""

    # --- steps ----------------------------------------------------------------------------------

    def generate(self) -> None:
        started = time.perf_counter()
        document = build_tenant(self.users, seed=1, lean=self.lean)
        self.objects = len(document["users"]) + len(document["groups"])
        self.tenant.write_bytes(tenant_bytes(document, lean=self.lean))
        print(
            f"  tenant: {len(document['users'])} users, {len(document['groups'])} groups, "
            f"{self.tenant.stat().st_size / 1e6:.0f} MB (generated in {time.perf_counter() - started:.0f} s)"
        )

    def floor(self) -> None:
        for name, code in (("floor", FLOOR), ("floor, no GC", FLOOR_NO_GC)):
            row = self._row(name, self.objects)
            for _ in range(self.repeat):
                row.runs.append(
                    self._command(
                        [sys.executable, "-c", code, str(self.tenant), str(self.folder / "floor.json"), self.shape]
                    )
                )
        (self.folder / "floor.json").unlink()

    def cycles(self) -> None:
        # Each initial cycle gets a job of its own, so that each starts from an empty target; the
        # last job goes on to the other steps.
        initial = self._row("initial", self.objects)
        after_initial = self._row("steady, after initial", self.objects)
        for attempt in range(self.repeat):
            self.job = self._create_job(self.folder / f"target-{attempt}.json")
            initial.runs.append(self._command(self._synctui("jobs", "run", self.job, "--json")))
            self._check(initial.runs[-1], exports=True)
            after_initial.runs.append(self._command(self._synctui("jobs", "run", self.job, "--json")))
            self._check(after_initial.runs[-1], exports=False)
        initial.state_mb = after_initial.state_mb = self._state_mb()

        # A cycle that must look at every object to find that nothing is left to do: one after a
        # user's change was provisioned on demand (the source is not what the last cycle read; see
        # synctui/engine/quiet.py).
        looking = self._row("steady, looking", self.objects)
        users = self._provisioned_users()
        for user_id in users[: self.repeat]:
            self._change_tenant(lambda document, user_id=user_id: _retitle(document, user_id))
            self._command(self._synctui("jobs", "provision", self.job, "--object", user_id))
            looking.runs.append(self._command(self._synctui("jobs", "run", self.job, "--json")))
            self._check(looking.runs[-1], exports=False)
        looking.state_mb = self._state_mb()

        # After a cycle that settled, with nothing changed since (see synctui/engine/quiet.py).
        steady = self._row("steady, quiet", self.objects)
        for _ in range(self.repeat):
            steady.runs.append(self._command(self._synctui("jobs", "run", self.job, "--json")))
            self._check(steady.runs[-1], exports=False)
        steady.state_mb = self._state_mb()

        incremental = self._row("incremental", None)
        for attempt in range(self.repeat):
            counts = self._change_tenant(
                lambda document, seed=100 + attempt: churn(document, seed=seed, lean=self.lean)
            )
            incremental.runs.append(self._command(self._synctui("jobs", "run", self.job, "--json")))
            self._check(incremental.runs[-1], exports=True)
        incremental.objects = self.objects
        incremental.state_mb = self._state_mb()
        print(f"  incremental changes: {counts}")

    def on_demand(self) -> None:
        users = self._provisioned_users()[self.repeat :]
        # The first read of a file's new version searches it, the second builds its index (see
        # connectors/document_index.py): reported apart from the reads that find the index built.
        first_reads = self._row("on demand, 1st+2nd read", None)
        for user_id in users[:2]:
            first_reads.runs.append(self._command(self._synctui("jobs", "provision", self.job, "--object", user_id)))
        in_sync = self._row("on demand, in sync", None)
        for user_id in users[2 : 2 + self.repeat]:
            in_sync.runs.append(self._command(self._synctui("jobs", "provision", self.job, "--object", user_id)))
        in_sync.state_mb = self._state_mb()
        # A file just rewritten has no index yet, and where it is compact, finding a user proves
        # what lies before the user in the file (see `_in_compact_text`): users from its start and
        # from its end are reported apart.
        early = users[2 + self.repeat : 2 + 2 * self.repeat]
        late = users[-self.repeat :]
        for name, chosen in (("on demand, changed", early), ("on demand, changed, late in file", late)):
            changed = self._row(name, None)
            for user_id in chosen:
                self._change_tenant(lambda document, user_id=user_id: _retitle(document, user_id))
                changed.runs.append(self._command(self._synctui("jobs", "provision", self.job, "--object", user_id)))
            changed.state_mb = self._state_mb()

    # --- helpers --------------------------------------------------------------------------------

    def _provisioned_users(self) -> list[str]:
        """Ids of users in the tenant now that a cycle provisions (enabled, with a manager)."""
        document = orjson.loads(self.tenant.read_bytes())
        return [user["id"] for user in document["users"] if user.get("accountEnabled") and user.get("manager")]

    def _row(self, name: str, objects: int | None) -> Row:
        row = Row(name, objects=objects)
        self.rows.append(row)
        return row

    def _synctui(self, *args: str) -> list[str]:
        script = Path(sys.executable).with_name("synctui")
        return [str(script), *args] if script.exists() else [sys.executable, "-m", "synctui.cli", *args]

    def _command(self, args: Sequence[str]) -> Run:
        """Run a command; its wall time (process start included) and peak resident memory."""
        with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile() as report:
            subprocess.run(
                [sys.executable, "-S", "-c", LAUNCHER, report.name, *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
            )
            seconds, peak_kb, returncode, cpu = report.read().split()
            out.seek(0)
            output = out.read().decode(errors="replace")
        if int(returncode):
            raise SystemExit(f"{' '.join(args)} failed ({returncode.decode()}):\n{output}")
        return Run(float(seconds), int(peak_kb) / 1024, output, float(cpu))

    def _create_job(self, target: Path) -> str:
        run = self._command(
            self._synctui(
                "jobs",
                "create",
                "--template",
                "jsonfile",
                "--secret",
                f"ConnectionString={target}",
                "--setting",
                f"SourcePath={self.tenant}",
                "--setting",
                f"QuarantineTooManyDeletesThreshold={max(500, self.users // 10)}",
            )
        )
        return run.output.strip().splitlines()[-1]

    def _check(self, run: Run, *, exports: bool) -> None:
        execution = orjson.loads(run.output)
        if execution["state"] not in ("Succeeded", "EntryLevelErrors") or bool(execution["countExports"]) != exports:
            raise SystemExit(f"unexpected cycle: {run.output}")
        if execution["countEscrowedRaw"]:
            print(f"  {execution['countEscrowedRaw']} objects escrowed, {execution['countExported']} exported")

    def _change_tenant(self, change: Callable[[dict], object]) -> object:
        document = orjson.loads(self.tenant.read_bytes())
        result = change(document)
        self.tenant.write_bytes(tenant_bytes(document, lean=self.lean))
        self.objects = len(document["users"]) + len(document["groups"])
        return result

    def _state_mb(self) -> float:
        """The job's state files: the job file, its connector space and the space's change log."""
        files = [self.home / "jobs" / f"{self.job}{suffix}" for suffix in (".json", ".space.json", ".space.changes")]
        return sum(path.stat().st_size for path in files if path.exists()) / 1e6


def _retitle(document: dict, user_id: str) -> None:
    user = next(user for user in document["users"] if user["id"] == user_id)
    user["jobTitle"] = f"Acting {user['jobTitle']}"


# --- report ---------------------------------------------------------------------------------------


def print_table(users: int, shape: str, rows: list[Row]) -> None:
    floor = next(row for row in rows if row.name == "floor").best
    print(f"\nN = {users:,} users, {shape} tenant")
    print("| step | best s | median s | × floor | objects/s | CPU s best / median | peak MB | state file MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        rate = f"{row.objects / row.best:,.0f}" if row.objects else ""
        state = f"{row.state_mb:.1f}" if row.state_mb is not None else ""
        print(
            f"| {row.name} | {row.best:.2f} | {row.median:.2f} | {row.best / floor:.1f} | {rate} | "
            f"{row.best_cpu:.2f} / {row.median_cpu:.2f} | {row.peak_mb:.0f} | {state} |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--shape", nargs="+", choices=("full", "lean"), default=["full", "lean"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--work", type=Path, help="folder for the tenants, homes and targets (default: a temporary one)"
    )
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard responsiveness run")
    arguments = parser.parse_args(argv)
    work = arguments.work or Path(tempfile.mkdtemp(prefix="synctui-bench-"))
    print(
        f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {datetime.now():%Y-%m-%d %H:%M}; work folder {work}"
    )
    largest = None
    for users in arguments.users:
        for shape in arguments.shape:
            folder = work / f"n{users}-{shape}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            print(f"\nN = {users:,}, {shape} tenant")
            bench = Bench(folder, users, arguments.repeat, shape)
            bench.generate()
            bench.floor()
            bench.cycles()
            bench.on_demand()
            print_table(users, shape, bench.rows)
            largest = bench
    if not arguments.no_dashboard and largest is not None:
        print(f"\nThe dashboard during an initial cycle of {largest.users:,} users (bench_dashboard.py):")
        folder = work / "dashboard"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        service, job = bench_dashboard.prepare(folder, largest.users)
        print(asyncio.run(bench_dashboard.measure(service, job, largest.users, 0.2, (120, 40), False)).report())


if __name__ == "__main__":
    main()
