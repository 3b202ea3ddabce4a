"""What the service tells its subscribers (the dashboard, a cycle's parent process), from the
thread the change happened on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobChanged:
    job_id: str


@dataclass(frozen=True)
class JobRemoved:
    job_id: str


@dataclass(frozen=True)
class CycleProgress:
    job_id: str
    completed: int
    total: int


Event = JobChanged | JobRemoved | CycleProgress
