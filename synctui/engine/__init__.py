"""What a cycle does: import → scope → match → flow → export, as plain code."""

from .compiled import CompiledSchema, compile_schema
from .cycle import Cycle, CycleResult
from .cycle_state import CycleOptions, StateStore
from .preview import DryRunDirectory, SnapshotState

__all__ = [
    "CompiledSchema",
    "Cycle",
    "CycleOptions",
    "CycleResult",
    "DryRunDirectory",
    "SnapshotState",
    "StateStore",
    "compile_schema",
]
