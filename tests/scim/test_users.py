"""Users: create, read back flat, find, adopt, delete — against a real scim2-server."""

from __future__ import annotations

import httpx
import pytest

from synctui.connectors.base import Modification, ObjectNotFound
from synctui.connectors.scim import ScimDirectory

from ._server import CUSTOM_EXTENSION, ENTERPRISE, ScimServer, sent

ALICE = {
    "userName": "alice@contoso.com",
    "active": True,
    "displayName": "Alice Martin",
    "title": "Engineer",
    "externalId": "alice",
    "preferredLanguage": "fr-FR",
    "name.givenName": "Alice",
    "name.familyName": "Martin",
    "name.formatted": "Alice Martin",
    'emails[type eq "work"].value': "alice@contoso.com",
    'addresses[type eq "work"].formatted': "Building 4",
    'addresses[type eq "work"].streetAddress': "1 rue de Rivoli",
    'addresses[type eq "work"].locality': "Paris",
    'addresses[type eq "work"].region': "IDF",
    'addresses[type eq "work"].postalCode': "75001",
    'addresses[type eq "work"].country': "FR",
    'phoneNumbers[type eq "work"].value': "+33 1 00 00 00 01",
    'phoneNumbers[type eq "mobile"].value': "+33 6 00 00 00 01",
    'phoneNumbers[type eq "fax"].value': "+33 1 00 00 00 02",
    f"{ENTERPRISE}:employeeNumber": "1001",
    f"{ENTERPRISE}:department": "R&D",
}


def test_create_sends_nested_scim_and_reads_back_flat(directory: ScimDirectory, traces: list) -> None:
    user_id = directory.create("User", {**ALICE, "nickName": None})

    (body,) = sent(traces, "POST")
    assert body == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "alice@contoso.com",
        "active": True,
        "displayName": "Alice Martin",
        "title": "Engineer",
        "externalId": "alice",
        "preferredLanguage": "fr-FR",
        "name": {"givenName": "Alice", "familyName": "Martin", "formatted": "Alice Martin"},
        "emails": [{"type": "work", "value": "alice@contoso.com"}],
        "addresses": [
            {
                "type": "work",
                "formatted": "Building 4",
                "streetAddress": "1 rue de Rivoli",
                "locality": "Paris",
                "region": "IDF",
                "postalCode": "75001",
                "country": "FR",
            }
        ],
        "phoneNumbers": [
            {"type": "work", "value": "+33 1 00 00 00 01"},
            {"type": "mobile", "value": "+33 6 00 00 00 01"},
            {"type": "fax", "value": "+33 1 00 00 00 02"},
        ],
        ENTERPRISE: {"employeeNumber": "1001", "department": "R&D"},
        "meta": {"resourceType": "User"},
    }
    assert traces[-1]["status"] == 201
    assert directory.get("User", user_id) == {"id": user_id, **ALICE}


def test_find_by_user_name_email_path_and_external_id(directory: ScimDirectory, traces: list) -> None:
    user_id = directory.create("User", ALICE)
    directory.create("User", {"userName": "bob@contoso.com", "externalId": "bob"})
    traces.clear()

    assert [u["id"] for u in directory.find("User", "userName", "ALICE@contoso.com")] == [user_id]
    assert [u["id"] for u in directory.find("User", 'emails[type eq "work"].value', "alice@contoso.com")] == [user_id]
    assert directory.find("User", "externalId", "alice") == [{"id": user_id, **ALICE}]
    assert directory.find("User", "userName", "nobody@contoso.com") == []

    assert [t["path"] for t in traces] == [
        '/Users?filter=userName eq "ALICE@contoso.com"',
        '/Users?filter=emails[type eq "work"].value eq "alice@contoso.com"',
        '/Users?filter=externalId eq "alice"',
        '/Users?filter=userName eq "nobody@contoso.com"',
    ]


def test_find_escapes_quotes_and_backslashes(directory: ScimDirectory, traces: list) -> None:
    tricky = 'o"brien\\admin'
    user_id = directory.create("User", {"userName": tricky})

    assert [u["userName"] for u in directory.find("User", "userName", tricky)] == [tricky]
    assert traces[-1]["path"] == '/Users?filter=userName eq "o\\"brien\\\\admin"'
    assert directory.find("User", "userName", 'o"brien') == []
    assert directory.get("User", user_id)["userName"] == tricky


def test_find_returns_every_match_for_the_engine_to_judge(directory: ScimDirectory) -> None:
    first = directory.create("User", {"userName": "one", "externalId": "shared"})
    second = directory.create("User", {"userName": "two", "externalId": "shared"})

    assert sorted(u["id"] for u in directory.find("User", "externalId", "shared")) == sorted([first, second])


def test_adopt_a_user_that_already_exists(server: ScimServer, directory: ScimDirectory) -> None:
    created = httpx.post(
        f"{server.base_address}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "legacy@contoso.com",
            "title": "Old",
        },
    )
    (found,) = directory.find("User", "userName", "legacy@contoso.com")
    assert found == {"id": created.json()["id"], "userName": "legacy@contoso.com", "title": "Old"}

    directory.update("User", found["id"], Modification(replace={"title": "New", "displayName": "Legacy"}))

    assert directory.get("User", found["id"])["title"] == "New"


def test_custom_extension_attributes_travel_under_their_urn(directory: ScimDirectory, traces: list) -> None:
    user_id = directory.create("User", {"userName": "carol", f"{CUSTOM_EXTENSION}:tag": "blue"})

    body = sent(traces, "POST")[0]
    assert body[CUSTOM_EXTENSION] == {"tag": "blue"}
    assert CUSTOM_EXTENSION not in body["schemas"]  # Entra never lists custom extensions

    directory.update("User", user_id, Modification(replace={f"{CUSTOM_EXTENSION}:level": 3}))
    assert sent(traces, "PATCH")[-1]["Operations"] == [{"op": "replace", "value": {f"{CUSTOM_EXTENSION}:level": 3}}]
    assert [u["id"] for u in directory.find("User", f"{CUSTOM_EXTENSION}:tag", "blue")] == [user_id]
    assert directory.get("User", user_id) == {
        "id": user_id,
        "userName": "carol",
        f"{CUSTOM_EXTENSION}:tag": "blue",
        f"{CUSTOM_EXTENSION}:level": 3,
    }


def test_delete_then_the_user_is_gone(directory: ScimDirectory, traces: list) -> None:
    user_id = directory.create("User", {"userName": "dave"})

    directory.delete("User", user_id)

    assert (traces[-1]["method"], traces[-1]["path"], traces[-1]["status"]) == ("DELETE", f"/Users/{user_id}", 204)
    assert directory.get("User", user_id) is None
    assert directory.find("User", "userName", "dave") == []


def test_a_vanished_user_is_an_invalid_anchor(directory: ScimDirectory) -> None:
    user_id = directory.create("User", {"userName": "erin"})
    directory.delete("User", user_id)

    # ObjectNotFound, not any ObjectError: the engine takes a delete of what is gone as done.
    with pytest.raises(ObjectNotFound) as update_error:
        directory.update("User", user_id, Modification(replace={"title": "x"}))
    with pytest.raises(ObjectNotFound) as delete_error:
        directory.delete("User", user_id)

    assert update_error.value.code == delete_error.value.code == "InvalidAnchor"
    assert f"User '{user_id}' not found" in update_error.value.message


def test_read_all_pages_through_every_user(directory: ScimDirectory, traces: list) -> None:
    ids = {directory.create("User", {"userName": f"user{n:03}"}) for n in range(230)}
    traces.clear()

    assert {user["id"] for user in directory.read_all("User")} == ids
    assert [t["path"] for t in traces] == [
        "/Users?startIndex=1&count=100",
        "/Users?startIndex=101&count=100",
        "/Users?startIndex=201&count=100",
    ]
