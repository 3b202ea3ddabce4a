"""Provision on demand: one source object through the whole pipeline now, as Entra's
provisionOnDemand does, reading only that object of each directory.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from ..connectors.base import ConnectionFailure, ObjectError
from ..expressions import ExpressionError
from ..models.connector_space import EntryKey
from .cycle_state import Counters
from .gc_pause import gc_paused
from .object_flow import ObjectFlow
from .values import display_name


class OnDemand(ObjectFlow):
    """Provisioning one object now."""

    @gc_paused()
    def provision_one(self, source_type: str, source_id: str) -> dict[str, Any]:
        """Run one source object through the pipeline now, exporting for real, and return its
        provisioning log entry with every step (as Entra's provisionOnDemand shows them)."""
        mapping = self.schema.mapping_for(source_type)
        if mapping is None:
            raise ValueError(f"the schema has no enabled object mapping for {source_type!r} objects")
        self._load_state(few_entries=True)
        self.activity = str(uuid.uuid4())
        self.counters = Counters()
        self._one_object = True
        trace = self._trace()
        key = EntryKey.of(mapping.key_prefix, source_id)
        try:
            self.target.test_connection()
        except ConnectionFailure as failure:
            trace.step("TestConnection", "import", "failure", failure.message)
            trace.outcome("other", "failure", error_code=failure.code, reason=failure.message)
            return trace.entry(
                object_type=source_type,
                source_id=source_id,
                display_name=None,
                target_type=mapping.target_type,
                source_system=self.options.source_system,
                target_system=self.options.target_system,
            )
        obj = self._get(self.source, mapping.source_type, source_id)
        if obj is None and key not in self.entries:
            raise LookupError(f"no {source_type} with id {source_id!r} in {self.options.source_system}")
        self._read_assignments()
        self._sources[mapping.source_type] = {source_id: obj} if obj is not None else {}
        # A copy: the flow changes the entry in place.
        entry_before = dataclasses.replace(found) if (found := self.entries.get(key)) is not None else None
        reason = self._process(mapping, key, trace, log=False)
        if reason is not None:
            try:
                self._deprovision(mapping, key, self.entries[key], reason, trace)
            except (ObjectError, ExpressionError, ValueError) as error:
                self._escrow(mapping, key, display_name(obj or {}), error, trace)
        entry = self.entries.get(key)
        if entry is not None and entry.refs_pending and mapping.reference_flows:
            self._update_references(mapping, key, entry, mapping.reference_flows, trace)
        entry = self.entries.get(key)
        if (
            entry is not None
            and entry_before is not None
            and dataclasses.replace(entry, cycle=entry_before.cycle) == entry_before
        ):
            # Looked at and left as it was: written, it would only say when, and the space's new
            # version would make the next cycle look at every object again (see quiet.py).
            self._dirty.pop(key, None)
        self._log(trace, mapping, source_id, display_name(obj) if obj else entry.display_name if entry else None)
        return self._checkpoint()[-1]
