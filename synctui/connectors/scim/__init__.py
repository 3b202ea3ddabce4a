"""A SCIM 2.0 endpoint as a provisioning target, spoken to the way Microsoft Entra's
provisioning service speaks to it (see spec/entra-scim-behaviour.md)."""

from ._definition import scim_definition
from ._directory import ScimDirectory, split_tenant_url
from ._http import credentials_of, mask
from ._patch import RequestStyle
from ._resources import ManagerShape

__all__ = [
    "ManagerShape",
    "RequestStyle",
    "ScimDirectory",
    "credentials_of",
    "mask",
    "scim_definition",
    "split_tenant_url",
]
