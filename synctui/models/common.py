"""Small key/value pair types shared by many resources."""

from typing import Any

from .base import GraphModel


class KeyValuePair(GraphModel):
    name: str = ""
    value: str | None = None


class StringKeyStringValuePair(GraphModel):
    key: str | None = None
    value: str | None = None


class StringKeyLongValuePair(GraphModel):
    key: str | None = None
    value: int = 0


class StringKeyObjectValuePair(GraphModel):
    """Open type: clients send `value` as a string, or a list with `value@odata.type`."""

    key: str | None = None
    value: Any = None


class MetadataEntry(GraphModel):
    key: str | None = None
    value: str | None = None


class PublicErrorDetail(GraphModel):
    code: str | None = None
    message: str | None = None
    target: str | None = None


class PublicInnerError(GraphModel):
    code: str | None = None
    message: str | None = None
    target: str | None = None
    details: list[PublicErrorDetail] = []


class PublicError(GraphModel):
    code: str | None = None
    message: str | None = None
    target: str | None = None
    details: list[PublicErrorDetail] = []
    inner_error: PublicInnerError | None = None
