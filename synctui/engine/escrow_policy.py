"""Escrows: an object whose export failed is kept apart and retried on the next cycle, then less
and less often (at most once a day), and given up after 28 days, as Entra does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..expressions import ExpressionError
from ..models import format_datetime, parse_datetime
from ..models.connector_space import EntryKey, SpaceEntry
from .compiled import CompiledObjectMapping
from .cycle_state import CycleState
from .trace import ObjectTrace

ESCROW_MAX_AGE = timedelta(days=28)
ESCROW_MAX_BACKOFF = timedelta(hours=24)


class EscrowPolicy(CycleState):
    """Escrowing an object's failure, and when it is retried."""

    def _escrow(
        self,
        mapping: CompiledObjectMapping,
        key: EntryKey,
        display: str | None,
        error: Exception,
        trace: ObjectTrace,
        *,
        reference: bool = False,
    ) -> None:
        source_id = key.source_id
        code = getattr(error, "code", None) or (
            "ExpressionEvaluationFailed" if isinstance(error, ExpressionError) else "InvalidValue"
        )
        message = getattr(error, "message", None) or str(error)
        now = self.clock.now()
        previous = self.escrows.get(key)
        attempts = (previous or {}).get("attempts", 0) + 1
        first = parse_datetime(previous["firstFailure"]) if previous else now
        self.counters.add("escrowed_raw")
        if not reference:
            self.counters.add("escrowed")
        trace.failed(self.options.target_system, code, message)
        if now - first > ESCROW_MAX_AGE:
            self.escrows.pop(key, None)  # given up after 28 days, as Entra does
        else:
            # Retried on the next cycle, then less and less often, at most once a day.
            backoff = doubled(self.options.interval, attempts - 1, ESCROW_MAX_BACKOFF) if attempts > 1 else timedelta(0)
            self.escrows[key] = {
                "key": key,
                "objectType": mapping.source_type,
                "sourceId": source_id,
                "displayName": display,
                "error": {"code": code, "message": message},
                "attempts": attempts,
                "reference": reference,
                "firstFailure": format_datetime(first),
                "lastAttempt": format_datetime(now),
                "nextRetry": format_datetime(now + backoff),
            }
        entry = self.entries.get(key)
        obj = self._sources.get(mapping.source_type, {}).get(source_id)
        if obj is not None:
            entry = entry if entry is not None else SpaceEntry(mapping.source_type)
            entry.hash = self._fingerprint(mapping, obj)
            entry.display_name = display
            self.entries[key] = entry
            self._mark_changed(key, entry)

    def _escrow_due(self, key: str, now: datetime) -> bool:
        escrow = self.escrows.get(key)
        return escrow is not None and parse_datetime(escrow["nextRetry"]) <= now


def doubled(unit: timedelta, times: int, cap: timedelta) -> timedelta:
    """`unit` doubled `times` times, at most `cap` (a back-off). Twenty doublings take any interval
    of a second or more past a day, so more are not computed: after weeks of retries they would
    overflow a timedelta."""
    factor: int = 2 ** min(times, 20)  # typed: `int ** int` is Any to a type checker (a negative power is a float)
    return min(unit * factor, cap)
