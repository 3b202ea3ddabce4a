"""synchronizationTemplate (spec 1.19)."""

from pydantic import Field

from .base import GraphModel
from .schema import SynchronizationSchema


class SynchronizationMetadataEntry(GraphModel):
    key: str | None = None
    value: str | None = None


class SynchronizationTemplate(GraphModel):
    id: str = ""
    application_id: str = "00000000-0000-0000-0000-000000000000"
    default: bool = False
    description: str | None = None
    discoverable: bool = True
    factory_tag: str | None = None
    metadata: list[SynchronizationMetadataEntry] = []
    schema_: SynchronizationSchema | None = Field(default=None, alias="schema")
