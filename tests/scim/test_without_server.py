"""Attribute paths, filters and argument checks: the parts that need no server."""

from __future__ import annotations

import pytest

from synctui.connectors.scim import ScimDirectory, split_tenant_url
from synctui.connectors.scim._definition import scim_definition
from synctui.connectors.scim._paths import AttributePath, equality_filter
from synctui.connectors.scim._resources import RESOURCE_TYPES, ResourceCodec

from ._server import ENTERPRISE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("userName", AttributePath(None, "userName", None, None)),
        ("name.givenName", AttributePath(None, "name", None, "givenName")),
        ('addresses[type eq "work"].postalCode', AttributePath(None, "addresses", "work", "postalCode")),
        (f"{ENTERPRISE}:manager", AttributePath(ENTERPRISE, "manager", None, None)),
        (
            "urn:ietf:params:scim:schemas:extension:Acme:2.0:User:badge.color",
            AttributePath("urn:ietf:params:scim:schemas:extension:Acme:2.0:User", "badge", None, "color"),
        ),
        ("urn:ietf:params:scim:schemas:core:2.0:User:userName", AttributePath(None, "userName", None, None)),
    ],
)
def test_paths_parse(text: str, expected: AttributePath) -> None:
    assert AttributePath.parse(text) == expected


@pytest.mark.parametrize("text", ['emails[type eq "work"]', 'roles[primary eq "True"].value', "a b", "urn:x", ""])
def test_paths_entra_does_not_use_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a SCIM attribute path"):
        AttributePath.parse(text)


def test_filters_quote_strings_and_keep_numbers_and_booleans() -> None:
    assert equality_filter("userName", 'a"b\\c') == 'userName eq "a\\"b\\\\c"'
    assert equality_filter("active", False) == "active eq false"
    assert equality_filter("urn:x:2.0:User:level", 3) == "urn:x:2.0:User:level eq 3"
    with pytest.raises(ValueError):
        equality_filter("userName", None)


def test_nested_extension_sub_attributes_round_trip() -> None:
    codec = ResourceCodec(scim_definition().object("User"), manager_shape="string")
    acme = "urn:ietf:params:scim:schemas:extension:Acme:2.0:User"
    flat = {"userName": "a", f"{acme}:badge.color": "red", f"{ENTERPRISE}:manager": "m1"}

    resource = codec.to_resource(RESOURCE_TYPES["User"], flat)

    assert resource[acme] == {"badge": {"color": "red"}}
    assert resource[ENTERPRISE] == {"manager": "m1"}
    assert codec.to_flat(resource) == flat
    assert codec.to_flat({**resource, ENTERPRISE: {"manager": {"value": "m1", "$ref": "../Users/m1"}}}) == flat


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="request_style"):
        ScimDirectory("http://127.0.0.1:9/v2", request_style="AzureAdScimPatch2017")
    with pytest.raises(ValueError, match="without a query"):
        ScimDirectory("http://127.0.0.1:9/scim?aadOptscim062020")
    with pytest.raises(ValueError, match="no 'Contact' objects"):
        ScimDirectory("http://127.0.0.1:9/v2").get("Contact", "1")


@pytest.mark.parametrize(
    ("tenant_url", "expected"),
    [
        ("https://scim.example.com/scim", ("https://scim.example.com/scim", None)),
        ("https://scim.example.com/scim?aadOptscim062020", ("https://scim.example.com/scim", "aadOptscim062020")),
        ("https://scim.example.com/scim?AzureAdScimPatch2017", ("https://scim.example.com/scim", "legacy")),
    ],
)
def test_tenant_url_flags_become_a_request_style(tenant_url: str, expected: tuple) -> None:
    assert split_tenant_url(tenant_url) == expected


def test_a_tenant_url_with_another_query_is_refused() -> None:
    with pytest.raises(ValueError, match="no query other than Entra's flags"):
        split_tenant_url("https://scim.example.com/scim?tenant=1")
