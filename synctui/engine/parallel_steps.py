"""Several objects' exports in flight at once, while the cycle itself runs on one thread at a time.

A target that takes parallel requests (a SCIM endpoint) spends most of an export waiting for the
reply. `ParallelSteps` runs a cycle's per-object steps on a few threads that share one lock: a step holds
it while it works on the cycle's state and lets go of it only while it waits for a directory
(`waiting()`). The engine's code needs no locking of its own, and at most `width` requests are
in flight. With a width of 1 everything runs on the caller's thread, as plain loops would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

# concurrent.futures (and the logging it loads, ~6 ms) is imported where threads are started: a
# target that takes one request at a time, and provision on demand, never need it.

Item = TypeVar("Item")

_NOTHING = nullcontext()


class ParallelSteps:
    def __init__(self, width: int) -> None:
        self.width = max(1, width)
        self._lock = threading.Lock()
        self._released = _LockReleased(self._lock)
        self._parallel = False
        self._running: set[Future[None]] = set()

    def run(self, items: Iterable[Item], step: Callable[[Item], None], before_each: Callable[[], bool]) -> bool:
        """Run `step` on each item in turn. `before_each()` runs before each item is started, holding
        the cycle as a step does; it returns False to start no more. Returns False if stopped so.
        A step's exception is raised here, once the steps under way have ended."""
        if self.width == 1:
            for item in items:
                if not before_each():
                    return False
                step(item)
            return True
        from concurrent.futures import ThreadPoolExecutor

        self._lock.acquire()
        self._parallel = True
        pool = ThreadPoolExecutor(self.width, thread_name_prefix="synctui-step")
        try:
            for item in items:
                if not before_each():
                    return False
                if len(self._running) >= self.width:
                    self._wait(all_done=False)
                self._running.add(pool.submit(self._hold, step, item))
            self._wait(all_done=True)
            return True
        finally:
            self._parallel = False
            self._lock.release()
            # Stopped, or a step failed: the steps under way end (they need the lock released
            # above), and the ones not started never start.
            pool.shutdown(wait=True, cancel_futures=True)
            self._running.clear()

    def drain(self) -> None:
        """Wait until no step is under way (from `before_each`): a checkpoint then sees no object
        half done, exactly as in a sequential run."""
        if self._parallel:
            self._wait(all_done=True)

    def waiting(self) -> AbstractContextManager[None]:
        """Around a call to a directory: other steps run meanwhile. (Called for every export,
        so it builds nothing: a single step at a time has nothing to let go of.)"""
        return self._released if self._parallel else _NOTHING

    def _hold(self, step: Callable[[Item], None], item: Item) -> None:
        with self._lock:
            step(item)

    def _wait(self, *, all_done: bool) -> None:
        """Until every step under way has ended (`all_done`), or at least one."""
        from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, wait

        with self.waiting():
            done, running = wait(self._running, return_when=ALL_COMPLETED if all_done else FIRST_COMPLETED)
        self._running = set(running)
        for future in done:
            future.result()


class _LockReleased:
    """The steps' shared lock, let go of while one step waits for a directory."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.release()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._lock.acquire()
