"""Shared helpers: a fixed clock, seeded randomness, and one-line evaluation."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from synctui.expressions import EvaluationContext, compile_source, parse

# The DateDiff examples on the reference page were computed at "8/25/2021 5:41:18 PM" (their Now()).
FIXED_NOW = datetime(2021, 8, 25, 17, 41, 18, tzinfo=UTC)


def fixed_context(**overrides: Any) -> EvaluationContext:
    options: dict[str, Any] = {
        "now": lambda: FIXED_NOW,
        "random": random.Random(20240806),
        "default_domain": "contoso.onmicrosoft.com",
    }
    options.update(overrides)
    return EvaluationContext(**options)


def evaluate(text: str, obj: dict[str, Any] | None = None, **context: Any) -> Any:
    return compile_source(parse(text)).evaluate(obj or {}, fixed_context(**context))
