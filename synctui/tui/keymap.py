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

from textual.app import App
from textual.binding import Binding
from textual.keys import _character_to_key

PREFERENCE = "keymap"
EXAMPLE = '{"jobs.start": "S", "jobs.delete": "ctrl+d", "logs.follow": "F,t"}'


@cache
def known_bindings() -> dict[str, Binding]:
    """Every binding with an id in the dashboard, by id. Imports each tui module once, so that
    screens imported lazily (provision, preview…) are counted too."""
    bindings: dict[str, Binding] = {}
    for _, declared in _declaring_classes():
        for binding in declared:
            bindings.setdefault(binding.id or "", binding)
    return bindings


@cache
def binding_contexts() -> list[tuple[str, ...]]:
    """The ids of bindings that are active together: those one screen, dialog or widget declares,
    with the app's, which apply everywhere."""
    declared = _declaring_classes()
    everywhere = tuple(b.id or "" for cls, bindings in declared if issubclass(cls, App) for b in bindings)
    return [
        tuple(dict.fromkeys((*(b.id or "" for b in bindings), *everywhere)))
        for cls, bindings in declared
        if not issubclass(cls, App)
    ]


@cache
def _declaring_classes() -> list[tuple[type, tuple[Binding, ...]]]:
    """Each dashboard class that declares bindings with an id, with them."""
    package = importlib.import_module(__package__ or "synctui.tui")
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    found = []
    for cls in _subclasses(importlib.import_module("textual.dom").DOMNode):
        if cls.__module__.startswith(package.__name__):
            declared = tuple(b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id)
            if declared:
                found.append((cls, declared))
    return found


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
    clash = _clash(keymap)
    return ({}, clash) if clash else (keymap, None)


def _clash(keymap: dict[str, str]) -> str | None:
    """A key the keymap gives a binding that another binding active with it has too: Textual would
    run one of the two and silently drop the other. (Defaults that share a key do so on purpose: `?`
    opens the help and closes it.)"""
    bindings = known_bindings()
    for context in binding_contexts():
        holders: dict[str, str] = {}
        for binding_id in sorted(context, key=lambda name: name in keymap):  # the remapped ones last
            for key in (keymap.get(binding_id) or bindings[binding_id].key).split(","):
                holder = holders.setdefault(_key_name(key.strip()), binding_id)
                if holder != binding_id and binding_id in keymap:
                    return (
                        f"{key.strip()!r} is the key of {holder} already, where {binding_id} applies too; "
                        f"give {binding_id} another key"
                    )
    return None


def _key_name(key: str) -> str:
    """A key as Textual names it: `?` is `question_mark`, as the default bindings write it."""
    return _character_to_key(key) if len(key) == 1 else key
