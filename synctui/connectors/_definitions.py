"""Builders for the `directoryDefinition`s the connectors describe themselves with, and the Entra
user and group vocabulary that the tenant and the JSON file directory share."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import (
    AttributeDefinition,
    AttributeType,
    DirectoryDefinition,
    DirectoryDefinitionDiscoverabilities,
    Mutability,
    ObjectDefinition,
    ObjectDefinitionMetadataEntry,
    ReferencedObject,
)


def attribute(
    name: str,
    attribute_type: AttributeType = AttributeType.String,
    *,
    anchor: bool = False,
    case_exact: bool = False,
    multivalued: bool = False,
    required: bool = False,
    mutability: Mutability = Mutability.ReadWrite,
    references: str | None = None,
) -> AttributeDefinition:
    return AttributeDefinition.of_own_values(
        name=name,
        type=attribute_type,
        anchor=anchor,
        case_exact=case_exact,
        multivalued=multivalued,
        required=required,
        mutability=mutability,
        referenced_objects=[ReferencedObject.of_own_values(referenced_object_name=references)] if references else [],
    )


def reference(name: str, to: str, *, multivalued: bool = False) -> AttributeDefinition:
    return attribute(name, AttributeType.Reference, multivalued=multivalued, references=to)


def id_anchor() -> AttributeDefinition:
    """An anchor named `id`, as most applications have: the id the directory gave the object."""
    return attribute("id", anchor=True, case_exact=True, mutability=Mutability.Immutable)


def object_definition(
    name: str, attributes: list[AttributeDefinition], metadata: dict[str, str] | None = None
) -> ObjectDefinition:
    return ObjectDefinition.of_own_values(
        name=name,
        attributes=attributes,
        metadata=[
            ObjectDefinitionMetadataEntry.of_own_values(key=key, value=value) for key, value in (metadata or {}).items()
        ],
    )


def read_only_users(name: str, known: list[AttributeDefinition], extra_names: Iterable[str]) -> DirectoryDefinition:
    """A read-only source of users (an HR file, staged payloads): the attributes synctui knows, then
    the other names the source holds, as strings."""
    names = {definition.name for definition in known}
    extras = [attribute(extra) for extra in extra_names if extra not in names]
    return DirectoryDefinition(
        name=name,
        read_only=True,
        discoverabilities=DirectoryDefinitionDiscoverabilities.AttributeNames,
        objects=[object_definition("User", known + extras)],
    )


def entra_user_attributes() -> list[AttributeDefinition]:
    """The user properties synctui reads and writes, by their Graph names (anchor not included)."""
    return [
        attribute("userPrincipalName", required=True),
        attribute("displayName"),
        attribute("givenName"),
        attribute("surname"),
        attribute("mail"),
        attribute("mailNickname"),
        attribute("department"),
        attribute("jobTitle"),
        attribute("employeeId"),
        attribute("accountEnabled", AttributeType.Boolean, required=True),
        reference("manager", "User"),
        attribute("preferredLanguage"),
        attribute("physicalDeliveryOfficeName"),
        attribute("streetAddress"),
        attribute("city"),
        attribute("state"),
        attribute("postalCode"),
        attribute("country"),
        attribute("telephoneNumber"),
        attribute("mobile"),
        attribute("facsimileTelephoneNumber"),
        attribute("companyName"),
        attribute("employeeType"),
        attribute("userType"),
        attribute("proxyAddresses", multivalued=True),
        attribute("appRoleAssignments", multivalued=True),
    ]


def entra_group_attributes() -> list[AttributeDefinition]:
    """The group properties every directory with Entra-shaped groups has (anchor not included)."""
    return [
        attribute("displayName", required=True),
        attribute("mailNickname"),
        attribute("description"),
        reference("members", "User", multivalued=True),
    ]


SOFT_DELETION_METADATA = {
    "IsSoftDeletionSupported": "true",
    "PropertyNameAccountEnabled": "accountEnabled",
}
"""Object metadata of a user type whose `accountEnabled` tells whether the account is disabled."""
