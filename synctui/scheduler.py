"""When cycles run: one background thread ticks a private `schedule.Scheduler`; cycles run on a
small worker pool, never two of one job at once.

Which jobs are due is the service's answer for the injected clock's "now" (interval since the last
cycle ended, quarantine retries, expiration), so changing a job's interval or state takes effect at
the next tick, and tests drive `tick()` with a frozen clock instead of sleeping. A run missed while
the program was closed is not replayed one by one: the job is simply due, once.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import schedule

from .clock import Clock
from .service import ServiceError, SyncService

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self, service: SyncService, *, clock: Clock | None = None, tick_seconds: int = 1, workers: int = 2
    ) -> None:
        self.service = service
        self.clock = clock or service.clock
        self._tick_seconds = tick_seconds
        self._schedule = schedule.Scheduler()
        self._schedule.every(tick_seconds).seconds.do(self._safe_tick)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="synctui-cycle")
        self._cycles: dict[str, Future[object]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._skipped: dict[str, str] = {}
        """Why each job left out of the last tick was: told once, not at every tick."""

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="synctui-scheduler", daemon=True)
        self._thread.start()
        self._safe_tick()  # don't make the user wait a tick for the first cycle

    def stop(self) -> None:
        """Stop ticking; running cycles stop at their next object and save their cursor, and cycles
        submitted but not started never start."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            # First: a tick under way could still submit a cycle that the stop below would miss,
            # and the pool would then wait for the whole of it.
            self._thread.join(timeout=10)
        self.service.stop_all()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def wait(self) -> None:
        while not self._stopping.wait(0.5):
            pass

    def tick(self) -> list[str]:
        """Submit every due job that is not running yet; returns the ids submitted."""
        submitted = []
        skipped: dict[str, str] = {}
        with self._lock:
            self._cycles = {job_id: f for job_id, f in self._cycles.items() if not f.done()}
            for job_id in self.service.due_jobs(self.clock.now(), skipped.__setitem__):
                if job_id in self._cycles or self._stopping.is_set():
                    continue
                self._cycles[job_id] = self._pool.submit(self._run, job_id)
                submitted.append(job_id)
            for job_id, why in skipped.items():
                if self._skipped.get(job_id) != why:
                    log.warning("job %s is not scheduled: %s", job_id, why)
            self._skipped = skipped
        return submitted

    def wait_for_cycles(self) -> None:
        """Block until the submitted cycles end (tests)."""
        with self._lock:
            futures = list(self._cycles.values())
        for future in futures:
            future.result()

    def _run(self, job_id: str) -> None:
        if self._stopping.is_set():  # submitted just before the stop: it would only be stopped again
            return
        try:
            self.service.run_cycle(job_id)
        except ServiceError as error:
            log.warning("job %s: %s", job_id, error)
        except Exception:
            log.exception("job %s: the cycle failed unexpectedly", job_id)

    def _safe_tick(self) -> None:
        try:
            self.tick()
        except Exception:
            log.exception("scheduler tick failed")

    def _loop(self) -> None:
        while not self._stopping.wait(self._tick_seconds / 2):
            self._schedule.run_pending()
