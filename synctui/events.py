"""What the service tells its subscribers (the dashboard, a cycle's parent process), from the
thread the change happened on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobChanged:
    """A job's configuration, schedule or status changed."""

    job_id: str


@dataclass(frozen=True)
class JobRemoved:
    """A job was deleted."""

    job_id: str


@dataclass(frozen=True)
class CycleProgress:
    """A running cycle has looked at `completed` of the `total` objects it plans to."""

    job_id: str
    completed: int
    total: int


Event = JobChanged | JobRemoved | CycleProgress


class Publisher:
    """Calls each subscriber with every event, from the thread that publishes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[Event], None]] = []

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Returns the function that unsubscribes `callback`."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(event)
