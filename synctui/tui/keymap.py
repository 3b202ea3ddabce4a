"""The user keymap: the `keymap` preference, `{binding id: "keys"}`, checked before the app applies it.

Every Binding of the dashboard has an id (`jobs.start`, `logs.follow`…); Textual's `App.set_keymap`
rebinds by id. A keymap is applied whole or not at all: half of one would leave the user guessing
which of their keys work.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from textual.binding import Binding

PREFERENCE = "keymap"
EXAMPLE = '{"jobs.start": "S", "jobs.delete": "ctrl+d", "logs.follow": "F,t"}'


@cache
def known_bindings() -> dict[str, Binding]:
    """Every binding with an id in the dashboard, by id. Imports each tui module once, so that
    screens imported lazily (provision, preview…) are counted too."""
    package = importlib.import_module(__package__ or "synctui.tui")
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    bindings: dict[str, Binding] = {}
    for cls in _subclasses(importlib.import_module("textual.dom").DOMNode):
        if not cls.__module__.startswith(package.__name__):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                bindings.setdefault(binding.id, binding)
    return bindings


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    stack = [cls]
    while stack:
        subclasses: list[type] = stack.pop().__subclasses__()
        found += subclasses
        stack += subclasses
    return found


def parse_keymap(value: Any, known: set[str] | frozenset[str]) -> tuple[dict[str, str], str | None]:
    """The keymap to apply and None, or {} and what is wrong with the preference."""
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return {}, f"it must be a JSON object of binding id → keys, not {type(value).__name__}"
    keymap: dict[str, str] = {}
    for binding_id, keys in value.items():
        if binding_id not in known:
            return {}, f"no binding has the id {binding_id!r} (the help screen, ?, lists the ids)"
        if not isinstance(keys, str) or not keys.strip():
            return {}, f'the keys of {binding_id!r} must be a non-empty string such as "ctrl+d"'
        parts = [part.strip() for part in keys.split(",")]
        if any(not part or " " in part for part in parts):
            return {}, f"{keys!r} ({binding_id}) is not a comma-separated list of keys"
        keymap[binding_id] = ",".join(parts)
    return keymap, None
