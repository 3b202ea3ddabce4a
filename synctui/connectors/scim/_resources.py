"""Flat directory objects ⇄ SCIM resources.

The engine sees an object as one flat dict keyed by Entra's attribute paths; the endpoint sees
nested JSON: complex attributes as objects, `emails[type eq "work"].value` as an element of the
`emails` list, extension attributes inside an object under their schema URN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from ...models import AttributeType, ObjectDefinition
from ..base import DirectoryObject
from ._paths import AttributePath

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

ManagerShape = Literal["string", "object"]


@dataclass(frozen=True)
class ResourceType:
    name: str
    endpoint: str
    schemas: tuple[str, ...]
    """What Entra puts in `schemas` on create: never the URN of a custom extension."""
    excluded_attributes: str | None = None
    """What Entra asks the endpoint to leave out of every read of one object."""


RESOURCE_TYPES = {
    "User": ResourceType("User", "/Users", (CORE_USER, ENTERPRISE_USER)),
    # Entra never reads membership back, and big groups would make every lookup slow.
    "Group": ResourceType("Group", "/Groups", (CORE_GROUP,), excluded_attributes="members"),
}


def resource_type(object_type: str) -> ResourceType:
    try:
        return RESOURCE_TYPES[object_type]
    except KeyError:
        known = ", ".join(RESOURCE_TYPES)
        raise ValueError(f"a SCIM endpoint has no {object_type!r} objects; it has {known}") from None


class ResourceCodec:
    """Translates the objects of one type. Reference attributes (per the object definition)
    travel as `{"value": id}` objects: members always, the manager when `manager_shape` is
    "object" (the reported Entra wire sends the manager as a plain id string)."""

    def __init__(self, definition: ObjectDefinition, manager_shape: ManagerShape) -> None:
        self._references = {
            attribute.name.lower(): attribute.multivalued
            for attribute in definition.attributes
            if attribute.type == AttributeType.Reference
        }
        """Lower-cased name of each reference attribute → whether it is multi-valued."""
        self._manager_shape = manager_shape

    def encode(self, path: str, value: Any) -> Any:
        """A flat value as it goes on the wire, in a resource body or a PATCH operation."""
        multivalued = self._references.get(path.lower())
        if multivalued is None:
            return value
        if multivalued:
            return [{"value": item} for item in value]
        return {"value": value} if self._manager_shape == "object" else value

    def to_resource(self, resource_type: ResourceType, flat: DirectoryObject) -> dict[str, Any]:
        """The body of a create: only the attributes that have a value."""
        resource: dict[str, Any] = {"schemas": list(resource_type.schemas)}
        for name, value in flat.items():
            if value is None or name == "id":
                continue
            path = AttributePath.parse(name)
            holder = resource if path.schema is None else resource.setdefault(path.schema, {})
            encoded = self.encode(name, value)
            if path.type is not None:
                elements = holder.setdefault(path.attribute, [])
                element = next((e for e in elements if e.get("type") == path.type), None)
                if element is None:
                    element = {"type": path.type}
                    elements.append(element)
                element[path.sub_attribute] = encoded
            elif path.sub_attribute is not None:
                holder.setdefault(path.attribute, {})[path.sub_attribute] = encoded
            else:
                holder[path.attribute] = encoded
        resource["meta"] = {"resourceType": resource_type.name}
        return resource

    def to_flat(self, resource: dict[str, Any]) -> DirectoryObject:
        """A resource read from the endpoint as a flat object; empty values are left out."""
        flat: DirectoryObject = {}
        for key, value in resource.items():
            if key in ("schemas", "meta"):
                continue
            if key.startswith("urn:") and isinstance(value, dict):
                for attribute, inner in value.items():
                    flat.update(self._flatten(f"{key}:{attribute}", inner))
            else:
                flat.update(self._flatten(key, value))
        return flat

    def _flatten(self, path: str, value: Any) -> Iterator[tuple[str, Any]]:
        if value is None or value == [] or value == {}:
            return
        is_reference = path.lower() in self._references
        if isinstance(value, dict):
            if is_reference:
                yield path, value.get("value")
            else:
                yield from ((f"{path}.{sub}", inner) for sub, inner in value.items() if inner is not None)
        elif isinstance(value, list):
            yield from self._flatten_list(path, value, is_reference)
        else:
            yield path, value

    @staticmethod
    def _flatten_list(path: str, values: list[Any], is_reference: bool) -> Iterator[tuple[str, Any]]:
        if is_reference or not all(isinstance(item, dict) for item in values):
            yield path, [item.get("value") if isinstance(item, dict) else item for item in values]
            return
        seen: set[str] = set()
        for element in values:
            element_type = element.get("type")
            if element_type is None or element_type in seen:
                # Entra addresses one element per type; untyped and repeated ones have no path.
                continue
            seen.add(element_type)
            for sub, inner in element.items():
                if sub != "type" and inner is not None:
                    yield f'{path}[type eq "{element_type}"].{sub}', inner
