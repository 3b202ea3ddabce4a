"""PatchOp bodies in Entra's two dialects.

Each attribute an update changes is compared with the object as read from the target (shared
spec, entra-scim-behaviour.md §2.5 "Update user"): `add` where the target has no value, `replace`
where it has another one, `remove` where the new value is empty. A value for an element of a
multi-valued attribute that the target does not have at all (a work email on a user without
emails) is added as a new element, `{"op": "add", "path": "emails", "value": [{"type": "work",
"value": …}]}`: a filtered path selects nothing there, and a strict server (RFC 7644 §3.5.2)
answers `400 noTarget` to it, whatever the op.

`aadOptscim062020` (the tenant URL flag) is RFC 7644 as Entra reads it: lower-case ops, booleans
as booleans, every single-valued replacement merged into one path-less `replace`. `legacy` is
what Entra sends without the flag: capitalised ops, one per attribute, booleans as the strings
"True"/"False", and member removal with a `value` list instead of a filtered path.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

from ..base import Modification, iter_batches
from ._paths import AttributePath, string_literal
from ._resources import ResourceCodec

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

RequestStyle = Literal["aadOptscim062020", "legacy"]

Operation = dict[str, Any]


class PatchStyle(ABC):
    """What the two dialects share; subclasses say how they differ."""

    name: ClassVar[str]
    add: ClassVar[str]
    replace: ClassVar[str]
    remove: ClassVar[str]
    merges_replacements: ClassVar[bool]

    def scalar(self, value: Any) -> Any:
        """A value as this dialect writes it in an operation."""
        return value

    @abstractmethod
    def value_removals(self, path: str, values: list[Any]) -> list[Operation]:
        """Operations that take `values` out of a multi-valued attribute (a group's members)."""

    def patches(self, modification: Modification, codec: ResourceCodec, batch_size: int) -> Iterator[list[Operation]]:
        """The Operations of each PATCH request an update takes: the attribute changes in one
        request, then the values added to and removed from multi-valued attributes in batches
        of at most `batch_size` (a group is never sent whole)."""
        if modification.replace:
            yield self._replacements(modification, codec)
        for path, values in modification.add.items():
            for batch in iter_batches(values, batch_size):
                yield [{"op": self.add, "path": path, "value": codec.encode(path, batch)}]
        for path, values in modification.remove.items():
            for batch in iter_batches(values, batch_size):
                yield self.value_removals(path, batch)

    def _replacements(self, modification: Modification, codec: ResourceCodec) -> list[Operation]:
        operations: list[Operation] = []
        merged: dict[str, Any] = {}
        new_elements: dict[tuple[str | None, str, str], dict[str, Any]] = {}
        """(schema, attribute, type) → the element added for a type the target has none of."""
        for path, value in modification.replace.items():
            change = modification.change_of(path)
            if change == "remove":
                operations.append({"op": self.remove, "path": path})
                continue
            encoded = self.scalar(codec.encode(path, value))
            parsed = AttributePath.parse(path)
            if change == "add" and parsed.type is not None and not _has_element(modification.before or {}, path):
                element = new_elements.setdefault((parsed.schema, parsed.attribute, parsed.type), {})
                element[path[path.rindex("].") + 2 :]] = encoded
                continue
            if change == "add":
                operations.append({"op": self.add, "path": path, "value": encoded})
            elif self.merges_replacements and not isinstance(value, list) and not parsed.is_filtered:
                merged[path] = encoded
            else:
                operations.append({"op": self.replace, "path": path, "value": encoded})
        for (schema, attribute, element_type), element in new_elements.items():
            parent = attribute if schema is None else f"{schema}:{attribute}"
            operations.append({"op": self.add, "path": parent, "value": [{"type": element_type, **element}]})
        if merged:
            operations.append({"op": self.replace, "value": merged})
        return operations


class AadOptScim062020(PatchStyle):
    name = "aadOptscim062020"
    add, replace, remove = "add", "replace", "remove"
    merges_replacements = True

    def value_removals(self, path: str, values: list[Any]) -> list[Operation]:
        return [{"op": self.remove, "path": f"{path}[value eq {string_literal(str(value))}]"} for value in values]


class Legacy(PatchStyle):
    name = "legacy"
    add, replace, remove = "Add", "Replace", "Remove"
    merges_replacements = False

    def scalar(self, value: Any) -> Any:
        return str(value) if isinstance(value, bool) else value

    def value_removals(self, path: str, values: list[Any]) -> list[Operation]:
        return [{"op": self.remove, "path": path, "value": [{"value": value} for value in values]}]


def _has_element(before: Mapping[str, Any], path: str) -> bool:
    """Whether the target already has the element a filtered path selects (another of its
    sub-attributes has a value): then the path reaches it, and the value is added there."""
    element = path[: path.rindex("].") + 2]
    return any(name.startswith(element) for name in before)


STYLES: dict[str, PatchStyle] = {style.name: style for style in (AadOptScim062020(), Legacy())}


def patch_body(operations: list[Operation]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": operations}
