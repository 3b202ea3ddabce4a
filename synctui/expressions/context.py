"""What an evaluation may need from outside the object: the clock, the target, randomness."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EvaluationContext:
    """Everything an expression reads besides the source object.

    now             current UTC time for Now() and FormatDateTime defaults; inject a fixed clock in tests.
    is_unique       SelectUniqueValue asks it whether a candidate is still free in the target
                    (True = not used yet). None: there is no target to ask, the first candidate wins.
    random          source of Guid() and RandomString(); seed a `random.Random` in tests.
    default_domain  the tenant's default verified domain, for DefaultDomain().
    strict_iif      reproduce Entra's documented IIF pitfall: a condition that reads a null or empty
                    attribute fails (evaluation error) instead of being just false.
    """

    now: Callable[[], datetime] = _system_now
    is_unique: Callable[[str], bool] | None = None
    random: random.Random = field(default_factory=random.SystemRandom)
    default_domain: str | None = None
    strict_iif: bool = False


DEFAULT_CONTEXT = EvaluationContext()
