"""Checks of JSON text that build no Python objects, for proofs about a large document's text
(connectors/_document.py, document_index.py): msgspec checks JSON's grammar without building
the values it skips (`msgspec.Raw`, unknown fields of a `Struct`), ~10x as fast as orjson
builds them, and in no more memory than the text.

msgspec does not check that what it skips is UTF-8: text that is not all ASCII is decoded for
that. A number too large for a float (`1e400`) is valid JSON that orjson refuses: such text
passes here (finding one would take another look at every byte, costing as much as the check),
and a whole read with orjson reports it. Text nested deeper than msgspec follows (Python's
recursion limit, 1,000 calls, stops it before orjson's limit of 1,024 levels) is not proven
valid here: the caller's whole read decides."""

from __future__ import annotations

import msgspec


class _ItemId(msgspec.Struct):
    """An object with a string `"id"`; its other keys skipped (checked, not built)."""

    id: str


_ANY = msgspec.json.Decoder(msgspec.Raw)
_ITEM_IDS = msgspec.json.Decoder(list[_ItemId])


def valid_json(text: bytes) -> bool:
    """Whether `text` is one JSON value (RFC 8259, in UTF-8); False also when it is nested too
    deep to check."""
    try:
        _ANY.decode(text)
    except (msgspec.DecodeError, RecursionError):
        return False
    return _utf8(text)


def item_ids(text: bytes) -> list[str] | None:
    """The `"id"` of each item of the JSON list `text`; None unless it is a valid JSON list of
    objects, each with a string `"id"`."""
    try:
        items = _ITEM_IDS.decode(text)
    except (msgspec.DecodeError, RecursionError):  # (msgspec.ValidationError is a DecodeError)
        return None
    return [item.id for item in items] if _utf8(text) else None


def _utf8(text: bytes) -> bool:
    if text.isascii():
        return True
    try:
        text.decode()
    except UnicodeDecodeError:
        return False
    return True
