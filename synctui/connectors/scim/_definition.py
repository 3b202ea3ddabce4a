"""The directoryDefinition of a SCIM endpoint: the target side of Entra's `scim` template, and
the attributes an endpoint adds to it through `/Schemas` (Graph's `discover`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ...models import (
    AttributeDefinition,
    AttributeType,
    DirectoryDefinition,
    DirectoryDefinitionDiscoverabilities,
    Mutability,
    ReferencedObject,
    format_flags,
)
from .._definitions import attribute, object_definition, reference
from ._paths import CORE_SCHEMA_PREFIX
from ._resources import ENTERPRISE_USER

SCIM_DIRECTORY_NAME = "SCIM endpoint"

_DISCOVERED = (
    DirectoryDefinitionDiscoverabilities.AttributeNames
    | DirectoryDefinitionDiscoverabilities.AttributeDataTypes
    | DirectoryDefinitionDiscoverabilities.AttributeReadOnly
    | DirectoryDefinitionDiscoverabilities.ReferenceAttributes
)


def scim_definition() -> DirectoryDefinition:
    """What Entra's `scim` template knows about any SCIM endpoint before discovery."""
    return DirectoryDefinition(
        name=SCIM_DIRECTORY_NAME,
        objects=[
            object_definition(
                "User",
                [
                    attribute("id", anchor=True, case_exact=True, mutability=Mutability.ReadOnly),
                    attribute("userName", required=True),
                    attribute("active", AttributeType.Boolean),
                    attribute("displayName"),
                    attribute("title"),
                    attribute("externalId"),
                    attribute("preferredLanguage"),
                    attribute("name.givenName"),
                    attribute("name.familyName"),
                    attribute("name.formatted"),
                    attribute('emails[type eq "work"].value'),
                    *(
                        attribute(f'addresses[type eq "work"].{part}')
                        for part in ("formatted", "streetAddress", "locality", "region", "postalCode", "country")
                    ),
                    *(attribute(f'phoneNumbers[type eq "{kind}"].value') for kind in ("work", "mobile", "fax")),
                    attribute(f"{ENTERPRISE_USER}:employeeNumber"),
                    attribute(f"{ENTERPRISE_USER}:department"),
                    reference(f"{ENTERPRISE_USER}:manager", "User"),
                ],
            ),
            object_definition(
                "Group",
                [
                    attribute("id", anchor=True, case_exact=True, mutability=Mutability.ReadOnly),
                    attribute("displayName", required=True),
                    attribute("externalId"),
                    reference("members", "User", multivalued=True),
                ],
            ),
        ],
    )


def with_discovered_attributes(
    definition: DirectoryDefinition,
    schemas: list[dict[str, Any]],
    schemas_by_object: dict[str, list[str]],
    discovered_at: datetime,
) -> DirectoryDefinition:
    """`definition` plus every attribute the endpoint declares that it lacks; nothing removed.

    `schemas` are the endpoint's Schema resources; `schemas_by_object` names, per object, the
    schema ids that describe it (its resource type's schema and extensions)."""
    schemas_by_id = {schema.get("id"): schema for schema in schemas}
    objects = []
    for obj in definition.objects:
        attributes = list(obj.attributes)
        known = {a.name.lower() for a in attributes}
        for schema_id in schemas_by_object.get(obj.name, []):
            schema = schemas_by_id.get(schema_id)
            if schema is None:
                continue
            for found in _schema_attributes(schema, object_names=[o.name for o in definition.objects]):
                if found.name.lower() not in known:
                    known.add(found.name.lower())
                    attributes.append(found)
        objects.append(obj.model_copy(update={"attributes": attributes}))
    return definition.model_copy(
        update={
            "objects": objects,
            "discoverabilities": format_flags(_DISCOVERED),
            "discovery_date_time": discovered_at,
        }
    )


def schemas_by_suffix(schemas: list[dict[str, Any]], object_names: list[str]) -> dict[str, list[str]]:
    """Which schemas describe which object, for an endpoint without `/ResourceTypes`: by the
    last segment of the schema URN (`…:core:2.0:User`, `…:enterprise:2.0:User` → User)."""
    found: dict[str, list[str]] = {}
    for schema in schemas:
        schema_id = str(schema.get("id", ""))
        for name in object_names:
            if schema_id.lower().endswith(f":{name.lower()}"):
                found.setdefault(name, []).append(schema_id)
    return found


def schemas_by_resource_type(resource_types: list[dict[str, Any]], object_names: list[str]) -> dict[str, list[str]]:
    """Which schemas describe which object, from the endpoint's ResourceType resources."""
    by_lower_name = {name.lower(): name for name in object_names}
    found: dict[str, list[str]] = {}
    for resource_type in resource_types:
        name = by_lower_name.get(str(resource_type.get("name", "")).lower())
        if name is None:
            continue
        ids = [resource_type.get("schema")] + [e.get("schema") for e in resource_type.get("schemaExtensions") or []]
        found[name] = [schema_id for schema_id in ids if schema_id]
    return found


def _schema_attributes(schema: dict[str, Any], object_names: list[str]) -> Iterator[AttributeDefinition]:
    """A schema's attributes under Entra's flat names. Core attributes keep their name, extension
    ones are prefixed with the schema URN; complex ones are flattened the way Entra addresses them."""
    schema_id = str(schema.get("id", ""))
    prefix = "" if schema_id.startswith(CORE_SCHEMA_PREFIX) else f"{schema_id}:"
    for declared in schema.get("attributes") or []:
        if declared.get("name"):
            yield from _flattened(f"{prefix}{declared['name']}", declared, object_names)


def _flattened(name: str, declared: dict[str, Any], object_names: list[str]) -> Iterator[AttributeDefinition]:
    multivalued = bool(declared.get("multiValued"))
    if declared.get("type") != "complex":
        yield _discovered_attribute(name, declared, object_names, multivalued=multivalued)
        return
    sub_attributes = {sub["name"]: sub for sub in declared.get("subAttributes") or []}
    if "$ref" in sub_attributes:
        # `manager`, `members`: a link to other resources, whose id travels in `value`.
        reference_types = sub_attributes["$ref"].get("referenceTypes") or []
        yield _discovered_attribute(
            name, declared, object_names, multivalued=multivalued, reference_types=reference_types
        )
    elif not multivalued:
        for sub in sub_attributes.values():
            yield _discovered_attribute(f"{name}.{sub['name']}", sub, object_names)
    elif canonical_types := (sub_attributes.get("type") or {}).get("canonicalValues"):
        # One attribute per type and sub-attribute; `primary` and `display` are bookkeeping
        # that Entra never maps. Multi-valued attributes without declared types (roles,
        # entitlements) have no element Entra can address, so they are not offered.
        for kind in canonical_types:
            for sub in sub_attributes.values():
                if sub["name"] not in ("type", "primary", "display"):
                    yield _discovered_attribute(f'{name}[type eq "{kind}"].{sub["name"]}', sub, object_names)


_TYPES = {
    "string": AttributeType.String,
    "boolean": AttributeType.Boolean,
    "integer": AttributeType.Integer,
    "dateTime": AttributeType.DateTime,
    "binary": AttributeType.Binary,
    # Graph has no decimal type; the value is sent as written.
    "decimal": AttributeType.String,
}
_MUTABILITIES = {
    "readWrite": Mutability.ReadWrite,
    "readOnly": Mutability.ReadOnly,
    "immutable": Mutability.Immutable,
    "writeOnly": Mutability.WriteOnly,
}


def _discovered_attribute(
    name: str,
    declared: dict[str, Any],
    object_names: list[str],
    *,
    multivalued: bool = False,
    reference_types: list[str] | None = None,
) -> AttributeDefinition:
    """An attribute from its SCIM declaration; a reference to known objects is a Reference."""
    if reference_types is None:
        reference_types = declared.get("referenceTypes") or []
    referenced = [target for target in reference_types if target in object_names]
    scim_type = declared.get("type", "string")
    return AttributeDefinition(
        name=name,
        type=AttributeType.Reference if referenced else _TYPES.get(scim_type, AttributeType.String),
        case_exact=bool(declared.get("caseExact")),
        multivalued=multivalued,
        required=bool(declared.get("required")),
        mutability=_MUTABILITIES.get(declared.get("mutability", "readWrite"), Mutability.ReadWrite),
        referenced_objects=[ReferencedObject(referenced_object_name=target) for target in referenced],
    )
