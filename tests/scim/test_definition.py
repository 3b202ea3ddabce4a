"""The directoryDefinition: what the `scim` template knows, and what `/Schemas` adds."""

from __future__ import annotations

from datetime import UTC, datetime

from synctui.clock import FrozenClock
from synctui.connectors.base import Modification
from synctui.connectors.scim import ScimDirectory
from synctui.models import AttributeType, DirectoryDefinition, Mutability

from ._server import CUSTOM_EXTENSION, ENTERPRISE, ScimServer, sent


def names(definition: DirectoryDefinition, object_name: str) -> list[str]:
    return [a.name for a in definition.object(object_name).attributes]


def test_definition_is_the_scim_template_target() -> None:
    definition = ScimDirectory("http://127.0.0.1:9/v2").definition()

    assert definition.name == "SCIM endpoint"
    assert definition.discoverabilities == "None"
    user, group = definition.object("User"), definition.object("Group")
    assert user.anchor.name == group.anchor.name == "id"
    assert user.attribute("userName").required
    assert user.attribute("active").type == AttributeType.Boolean
    manager = user.attribute(f"{ENTERPRISE}:manager")
    assert manager.type == AttributeType.Reference
    assert [r.referenced_object_name for r in manager.referenced_objects] == ["User"]
    members = group.attribute("members")
    assert (members.type, members.multivalued) == (AttributeType.Reference, True)
    assert names(definition, "Group") == ["id", "displayName", "externalId", "members"]
    assert 'phoneNumbers[type eq "fax"].value' in names(definition, "User")
    assert 'addresses[type eq "work"].country' in names(definition, "User")


def test_discover_adds_what_the_endpoint_declares(server: ScimServer, traces: list) -> None:
    now = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    directory = ScimDirectory(server.base_address, trace=traces.append, clock=FrozenClock(now))
    ours = directory.definition()

    discovered = directory.discover()

    assert [t["path"] for t in traces] == ["/Schemas", "/ResourceTypes"]
    assert discovered.discoverabilities == "AttributeNames, AttributeDataTypes, AttributeReadOnly, ReferenceAttributes"
    assert discovered.discovery_date_time == now
    user = discovered.object("User")
    assert names(discovered, "User")[: len(names(ours, "User"))] == names(ours, "User")  # ours first, untouched
    assert user.attribute(f"{ENTERPRISE}:manager") == ours.object("User").attribute(f"{ENTERPRISE}:manager")
    assert user.attribute("nickName").type == AttributeType.String
    assert user.attribute('emails[type eq "home"].value') is not None
    assert user.attribute('ims[type eq "skype"].value') is not None
    assert user.attribute('emails[type eq "work"].primary') is None
    assert user.attribute("password").mutability == Mutability.WriteOnly
    assert user.attribute(f"{ENTERPRISE}:costCenter") is not None
    assert user.attribute(f"{CUSTOM_EXTENSION}:level").type == AttributeType.Integer
    groups = user.attribute("groups")
    assert (groups.type, groups.multivalued, groups.mutability) == (AttributeType.Reference, True, Mutability.ReadOnly)
    assert [r.referenced_object_name for r in groups.referenced_objects] == ["Group"]
    assert user.attribute("roles") is None  # no type to address one role by
    assert names(discovered, "Group") == names(ours, "Group")
    assert directory.definition() == discovered
    assert discovered.to_graph()["discoveryDateTime"] == "2025-03-04T09:00:00Z"
    directory.close()


def test_discovered_attributes_can_be_written_and_read(server: ScimServer, traces: list) -> None:
    directory = ScimDirectory(server.base_address, trace=traces.append)
    directory.discover()

    user_id = directory.create(
        "User", {"userName": "alice", "nickName": "Al", 'emails[type eq "home"].value': "a@home"}
    )
    directory.update("User", user_id, Modification(replace={f"{ENTERPRISE}:costCenter": "CC1"}))

    assert sent(traces, "POST")[0]["emails"] == [{"type": "home", "value": "a@home"}]
    assert directory.get("User", user_id) == {
        "id": user_id,
        "userName": "alice",
        "nickName": "Al",
        'emails[type eq "home"].value': "a@home",
        f"{ENTERPRISE}:costCenter": "CC1",
    }
    directory.close()
