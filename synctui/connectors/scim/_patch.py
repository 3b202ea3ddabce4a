"""PatchOp bodies in Entra's two dialects.

`aadOptscim062020` (the tenant URL flag) is RFC 7644 as Entra reads it: lower-case ops, booleans
as booleans, every single-valued replacement merged into one path-less `replace`. `legacy` is
what Entra sends without the flag: capitalised ops, one per attribute, booleans as the strings
"True"/"False", and member removal with a `value` list instead of a filtered path.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
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
            yield self._replacements(modification.replace, codec)
        for path, values in modification.add.items():
            for batch in iter_batches(values, batch_size):
                yield [{"op": self.add, "path": path, "value": codec.encode(path, batch)}]
        for path, values in modification.remove.items():
            for batch in iter_batches(values, batch_size):
                yield self.value_removals(path, batch)

    def _replacements(self, replace: dict[str, Any], codec: ResourceCodec) -> list[Operation]:
        operations: list[Operation] = []
        merged: dict[str, Any] = {}
        for path, value in replace.items():
            if value is None:
                operations.append({"op": self.remove, "path": path})
                continue
            encoded = self.scalar(codec.encode(path, value))
            if self.merges_replacements and not isinstance(value, list) and not AttributePath.parse(path).is_filtered:
                merged[path] = encoded
            else:
                operations.append({"op": self.replace, "path": path, "value": encoded})
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


STYLES: dict[str, PatchStyle] = {style.name: style for style in (AadOptScim062020(), Legacy())}


def patch_body(operations: list[Operation]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": operations}
