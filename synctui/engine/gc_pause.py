"""Automatic garbage collection held off while a cycle runs.

A cycle allocates millions of containers in bursts (parsing the source, target and state files)
and frees almost none of them before it ends. Each burst sets off collections that walk every
object still alive: parsing a 100 MB tenant file takes twice as long with them. What a cycle
allocates holds no reference cycles (JSON values, entries, traces), so nothing is lost by waiting.

Collection is process-wide: a count of the cycles running keeps it off until the last one ends
(the dashboard runs the cycles of several jobs at once). `gc_paused()` is a context manager and,
like any made by `contextmanager`, a decorator too.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_enabled_before = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _holders, _enabled_before
    with _lock:
        if _holders == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _enabled_before:
                # What was allocated meanwhile is all still in the youngest generation, and the
                # next collection would walk it: 0.3 s after a steady cycle of 100,000 users.
                # Moving it to the oldest generation instead (freeze, then unfreeze) leaves it to
                # the rare full collections, as if it had survived the young ones.
                gc.freeze()
                gc.unfreeze()
                gc.enable()
