"""How responsive the dashboard stays while a large cycle runs.

A temporary home (SYNCTUI_HOME) gets a tenant of N users from generate_tenant.py and two `jsonfile`
jobs reading it: the one measured, and a second one for the cursor to move to. The app runs under
Textual's Pilot with the scheduler running; the initial cycle of the first job is started from the
dashboard (Run now, `n`), as a user would. While it runs, a key is pressed every ~200 ms — down and
up in the jobs table (each loads the highlighted job's detail), then `]` and `[` across the tabs —
and each press is timed. Prints the key latencies (min, median, 95th percentile, max), the number
of presses, the cycle's duration, and how long at a time the event loop was held meanwhile. A
script, not a test: it asserts nothing.

Two ways to time a press:

  handled (default)  from the key entering the app's queue (as the driver's input thread puts it
                     there) to the end of the first paint that began after it was handled, from
                     the focused widget up to the app (see Probe.press).
  --pilot            `await pilot.press(key)` then `await pilot.pause()`. Both wait for the *process*
                     to look idle (Textual's wait_for_idle compares process CPU time, all threads, with
                     wall time), which never happens while a cycle computes: each wait then runs to
                     its 1 s cap, so this measures Pilot (about 3 s a press), not the app.

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
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate_tenant import build_tenant

from synctui.demo.company import dump_json

KEYS = [
    "down",
    "up",
    "down",
    "up",
    "right_square_bracket",
    "right_square_bracket",
    "left_square_bracket",
    "left_square_bracket",
]
"""Pressed in turn: the jobs table's cursor between the two jobs, then across the detail tabs."""
KEY_NAMES = {"right_square_bracket": "]", "left_square_bracket": "["}


@dataclass
class Result:
    users: int
    latencies: list[float] = field(default_factory=list)
    """Seconds from each key press to its effect on screen."""
    keys: list[str] = field(default_factory=list)
    """The key of each press, in the same order."""
    stalls: list[float] = field(default_factory=list)
    """Seconds the event loop was held past each of its 5 ms sleeps during the cycle."""
    cycle_seconds: float = 0.0
    cycle_state: str = ""
    exported: int = 0

    def report(self) -> str:
        ms = sorted(seconds * 1000 for seconds in self.latencies)
        if not ms:
            return f"{self.users:,} users: no key pressed (the cycle took {self.cycle_seconds:.1f} s)"
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        return (
            f"{self.users:,} users: {len(ms)} key presses during the cycle; key latency ms: "
            f"min {ms[0]:.0f}, median {statistics.median(ms):.0f}, p95 {p95:.0f}, max {ms[-1]:.0f}; "
            f"cycle {self.cycle_seconds:.1f} s ({self.cycle_state}, {self.exported:,} exported)\n"
            f"  slowest presses: {self.slowest()}\n"
            f"  event loop held: {self.held()}"
        )

    def held(self) -> str:
        ms = sorted(seconds * 1000 for seconds in self.stalls)
        if not ms:
            return "not measured"
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        over = sum(1 for value in ms if value >= 100)
        return f"p99 {p99:.0f} ms, max {ms[-1]:.0f} ms, {over} times for 100 ms or more"

    def slowest(self, count: int = 5) -> str:
        presses = sorted(zip(self.latencies, self.keys, strict=False), reverse=True)[:count]
        return ", ".join(f"{KEY_NAMES.get(key, key)} {seconds * 1000:.0f} ms" for seconds, key in presses)


def prepare(folder: Path, users: int) -> tuple[object, str]:
    """The service on a fresh home in `folder` with the tenant and the two jobs; the measured job's id."""
    from synctui.bootstrap import open_service
    from synctui.store import Home

    started = time.perf_counter()
    document = build_tenant(users, seed=1)
    tenant = folder / "tenant.json"
    tenant.write_bytes(dump_json(document))
    print(
        f"  tenant: {len(document['users']):,} users, {len(document['groups']):,} groups, "
        f"{tenant.stat().st_size / 1e6:.0f} MB, generated in {time.perf_counter() - started:.1f} s"
    )
    del document
    os.environ["SYNCTUI_HOME"] = str(folder / "home")
    # As `synctui` opens the dashboard: cycles in processes of their own; no demo jobs, so nothing
    # else runs meanwhile.
    service = open_service(Home.locate(), seed=False, cycles_in_processes=True)
    jobs = []
    for name in ("Benchmark: tenant → JSON file", "Benchmark: second job"):
        target = folder / f"target-{len(jobs)}.json"
        job = service.create_job(
            "jsonfile",
            name=name,
            secrets={"ConnectionString": str(target)},
            settings={"SourcePath": str(tenant), "QuarantineTooManyDeletesThreshold": str(max(500, users))},
        )
        jobs.append(job.id or "")
    return service, jobs[0]


class Probe:
    """The app seen from inside: when each key event is done being handled, when the screen is
    painted, and for how long at a time the event loop is held (by anything: a paint, a message
    handler, the garbage collector, a thread holding the GIL)."""

    STALL_TICK = 0.005

    def __init__(self, app) -> None:
        from textual import events
        from textual.message_pump import MessagePump

        self.app = app
        self.handled: dict[int, float] = {}
        self.paints: deque[tuple[float, float]] = deque(maxlen=64)
        self.stalls: list[float] = []
        dispatch = MessagePump._dispatch_message

        async def timed_dispatch(pump, message):
            try:
                return await dispatch(pump, message)
            finally:
                if isinstance(message, events.Key):
                    self.handled[id(message)] = time.perf_counter()

        MessagePump._dispatch_message = timed_dispatch
        screen = app.screen
        paint = screen._compositor_refresh

        def timed_paint() -> None:
            start = time.perf_counter()
            paint()
            self.paints.append((start, time.perf_counter()))

        screen._compositor_refresh = timed_paint

    async def watch_loop(self) -> None:
        """Record how much later than asked each short sleep wakes: the loop was held that long."""
        while True:
            asleep = time.perf_counter()
            await asyncio.sleep(self.STALL_TICK)
            self.stalls.append(max(0.0, time.perf_counter() - asleep - self.STALL_TICK))

    async def press(self, key: str) -> float:
        """Put `key` in the app's queue, as the terminal driver's thread does; return the seconds
        until its effect is on screen: the end of the first paint that began after the key was
        handled (it goes from the focused widget up to the app, a queue at a time; a binding's
        action runs on the way), or the moment it was handled if it changed nothing to paint.

        Later work the key started (a job's detail loaded by a worker thread) is not counted in
        its press: it holds the loop for the presses that follow, and `stalls` has it."""
        from textual import events

        app = self.app
        screen = app.screen
        pumps = [app, *screen.walk_children(with_self=True)]
        event = events.Key(key, None)
        event.set_sender(app)
        pressed = time.perf_counter()
        app.post_message(event)
        while id(event) not in self.handled or any(event in pump._message_queue.values for pump in pumps):
            await asyncio.sleep(0.001)
        handled = self.handled.pop(id(event))
        while True:
            painted = [end for start, end in self.paints if start >= handled]
            if painted:
                return painted[0] - pressed
            if not (
                screen._layout_required
                or screen._scroll_required
                or screen._repaint_required
                or screen._recompose_required
                or screen._dirty_widgets
            ):
                return handled - pressed
            await asyncio.sleep(0.001)


async def press_pilot(pilot, key: str) -> float:
    pressed = time.perf_counter()
    await pilot.press(key)
    await pilot.pause()
    return time.perf_counter() - pressed


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
            probe = Probe(app)
            started = time.perf_counter()
            await pilot.press("n")  # Run now: the cycle runs in a process of its own
            while not service.is_running(job) and time.perf_counter() - started < 30:
                await asyncio.sleep(0.01)
            keys = itertools.cycle(KEYS)
            watching = asyncio.create_task(probe.watch_loop())
            while service.is_running(job):
                key = next(keys)
                pressed = time.perf_counter()
                result.latencies.append(await (press_pilot(pilot, key) if use_pilot else probe.press(key)))
                result.keys.append(key)
                while service.is_running(job) and time.perf_counter() - pressed < interval:
                    await asyncio.sleep(min(0.02, interval))
            watching.cancel()
            result.cycle_seconds = time.perf_counter() - started
            result.stalls = probe.stalls
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
    print(
        f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {arguments.users:,} users, a key every "
        f"{arguments.interval * 1000:.0f} ms, terminal {size[0]}×{size[1]}, timed "
        f"{'with pilot.press + pilot.pause' if arguments.pilot else 'to handled'}"
    )
    folder = Path(tempfile.mkdtemp(prefix="synctui-bench-dashboard-"))
    try:
        service, job = prepare(folder, arguments.users)
        result = asyncio.run(
            measure(
                service,
                job,
                arguments.users,
                arguments.interval,
                size,  # type: ignore[arg-type]
                arguments.pilot,
            )
        )
        print(result.report())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
