"""How responsive the dashboard stays while a large cycle runs.

A temporary home (SYNCTUI_HOME) gets a tenant of N users from generate_tenant.py and two `jsonfile`
jobs reading it: the one measured, and a second one for the cursor to move to. The app runs under
Textual's Pilot with the scheduler running; the initial cycle of the first job is started from the
dashboard (Run now, `n`), as a user would. While it runs, a key is pressed every ~200 ms — down and
up in the jobs table (each loads the highlighted job's detail), then `]` and `[` across the tabs —
and each press is timed. Prints the key latencies (min, median, 95th percentile, max), the number
of presses and the cycle's duration. A script, not a test: it asserts nothing.

Two ways to time a press:

  handled (default)  from the key reaching the app (posted by the driver, as a terminal's input
                     thread does) to the screen and every widget on it having handled it and the
                     messages it caused (Pilot's own wait for the screen), then one loop turn.
  --pilot            `await pilot.press(key)` then `await pilot.pause()`. Both wait for the *process*
                     to look idle (Textual's wait_for_idle compares process CPU time, all threads, with
                     wall time), which never happens while the cycle thread computes: each wait then
                     runs to its 1 s cap, so this measures Pilot (about 3 s a press), not the app.

    python benchmarks/bench_dashboard.py [--users 100000] [--interval 0.2] [--size 120x40] [--pilot]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate_tenant import build_tenant

from synctui.demo.company import dump_json

KEYS = ["down", "up", "down", "up", "right_square_bracket", "right_square_bracket", "left_square_bracket",
        "left_square_bracket"]
"""Pressed in turn: the jobs table's cursor between the two jobs, then across the detail tabs."""
KEY_NAMES = {"right_square_bracket": "]", "left_square_bracket": "["}


@dataclass
class Result:
    users: int
    latencies: list[float] = field(default_factory=list)
    """Seconds from each key press to the app being idle again."""
    keys: list[str] = field(default_factory=list)
    """The key of each press, in the same order."""
    cycle_seconds: float = 0.0
    cycle_state: str = ""
    exported: int = 0

    def report(self) -> str:
        ms = sorted(seconds * 1000 for seconds in self.latencies)
        if not ms:
            return f"{self.users:,} users: no key pressed (the cycle took {self.cycle_seconds:.1f} s)"
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        return (f"{self.users:,} users: {len(ms)} key presses during the cycle; key latency ms: "
                f"min {ms[0]:.0f}, median {statistics.median(ms):.0f}, p95 {p95:.0f}, max {ms[-1]:.0f}; "
                f"cycle {self.cycle_seconds:.1f} s ({self.cycle_state}, {self.exported:,} exported)\n"
                f"  slowest presses: {self.slowest()}")

    def slowest(self, count: int = 5) -> str:
        presses = sorted(zip(self.latencies, self.keys), reverse=True)[:count]
        return ", ".join(f"{KEY_NAMES.get(key, key)} {seconds * 1000:.0f} ms" for seconds, key in presses)


def prepare(folder: Path, users: int) -> tuple[object, str]:
    """The service on a fresh home in `folder` with the tenant and the two jobs; the measured job's id."""
    from synctui.service import SyncService
    from synctui.store import Home

    started = time.perf_counter()
    document = build_tenant(users, seed=1)
    tenant = folder / "tenant.json"
    tenant.write_bytes(dump_json(document))
    print(f"  tenant: {len(document['users']):,} users, {len(document['groups']):,} groups, "
          f"{tenant.stat().st_size / 1e6:.0f} MB, generated in {time.perf_counter() - started:.1f} s")
    del document
    os.environ["SYNCTUI_HOME"] = str(folder / "home")
    # As `synctui` opens the dashboard: cycles in processes of their own; no demo jobs, so nothing
    # else runs meanwhile.
    service = SyncService(Home.locate(), seed=False, cycles_in_processes=True)
    jobs = []
    for name in ("Benchmark: tenant → JSON file", "Benchmark: second job"):
        target = folder / f"target-{len(jobs)}.json"
        job = service.create_job("jsonfile", name=name, secrets={"ConnectionString": str(target)},
                                 settings={"SourcePath": str(tenant),
                                           "QuarantineTooManyDeletesThreshold": str(max(500, users))})
        jobs.append(job.id or "")
    return service, jobs[0]


async def press_handled(pilot, key: str) -> None:
    """Post `key` as the terminal driver would, and return when the screen has handled it."""
    from textual import events

    event = events.Key(key, None)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)
    await pilot._wait_for_screen()  # every widget has processed what was queued, the key included
    await asyncio.sleep(0)


async def press_pilot(pilot, key: str) -> None:
    await pilot.press(key)
    await pilot.pause()


async def measure(service, job: str, users: int, interval: float, size: tuple[int, int], use_pilot: bool) -> Result:
    from textual.worker import WorkerCancelled

    from synctui.scheduler import Scheduler
    from synctui.tui.app import SyncApp
    from synctui.tui.widgets.jobs_table import JobsTable

    result = Result(users)
    scheduler = Scheduler(service)
    scheduler.start()
    app = SyncApp(service)
    try:
        async with app.run_test(size=size) as pilot:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            table = app.screen.query_one(JobsTable)
            table.move_cursor(row=[key.value for key in table.rows].index(job))
            table.focus()
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("n")  # Run now: the cycle runs in a worker thread
            while not service.is_running(job) and time.perf_counter() - started < 30:
                await asyncio.sleep(0.01)
            keys = itertools.cycle(KEYS)
            press = press_pilot if use_pilot else press_handled
            while service.is_running(job):
                key = next(keys)
                pressed = time.perf_counter()
                await press(pilot, key)
                result.latencies.append(time.perf_counter() - pressed)
                result.keys.append(key)
                while service.is_running(job) and time.perf_counter() - pressed < interval:
                    await asyncio.sleep(min(0.02, interval))
            result.cycle_seconds = time.perf_counter() - started
            with contextlib.suppress(WorkerCancelled):  # an exclusive detail load replaced by a newer one
                await app.workers.wait_for_complete()
    finally:
        scheduler.stop()
    last = service.get_job(job).status.last_execution
    if last is not None:
        result.cycle_state = str(getattr(last.state, "value", last.state))
        result.exported = last.count_exported
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000, help="users in the tenant (default 100000)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between key presses (default 0.2)")
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxLINES (default 120x40)")
    parser.add_argument("--pilot", action="store_true", help="time presses with pilot.press + pilot.pause")
    arguments = parser.parse_args(argv)
    size = tuple(int(part) for part in arguments.size.lower().split("x"))
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {arguments.users:,} users, a key every "
          f"{arguments.interval * 1000:.0f} ms, terminal {size[0]}×{size[1]}, timed "
          f"{'with pilot.press + pilot.pause' if arguments.pilot else 'to handled'}")
    folder = Path(tempfile.mkdtemp(prefix="synctui-bench-dashboard-"))
    try:
        service, job = prepare(folder, arguments.users)
        result = asyncio.run(measure(service, job, arguments.users, arguments.interval, size,  # type: ignore[arg-type]
                                     arguments.pilot))
        print(result.report())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
