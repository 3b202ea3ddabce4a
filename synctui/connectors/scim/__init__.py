"""A SCIM 2.0 endpoint as a provisioning target, spoken to the way Microsoft Entra's
provisioning service speaks to it (see spec/entra-scim-behaviour.md)."""

from ._directory import ScimDirectory
from ._patch import RequestStyle
from ._resources import ManagerShape

__all__ = ["ManagerShape", "RequestStyle", "ScimDirectory"]
