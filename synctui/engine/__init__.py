"""What a cycle does: import → scope → match → flow → export, as plain code."""

from .compiled import CompiledSchema, compile_schema
from .cycle import Cycle, CycleOptions, CycleResult, StateStore
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
