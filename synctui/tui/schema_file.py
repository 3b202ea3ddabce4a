"""A job's schema to and from a Graph JSON file: the file side of the jobs screen's Export schema
and Import schema, run in the jobs screen's worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..schema_validation import DocumentError, schema_document
from ..service import ServiceError, SyncService
from .export import write_json


def export_schema(service: SyncService, job_id: str, path: Path) -> None:
    schema = service.get_schema(job_id)
    write_json(path, schema.model_dump(mode="json", by_alias=True, exclude_none=True))


@dataclass(frozen=True)
class SchemaFile:
    path: str
    document: dict[str, Any]
    changes: list[str]
    """What importing the document would change."""


def read_schema(service: SyncService, job_id: str, path: str) -> SchemaFile:
    """The schema in the file and what importing it would change; the service's error if it would
    refuse it, so nothing is asked about a schema that cannot be saved."""
    try:
        document = schema_document(Path(path).expanduser().read_bytes(), path)
    except OSError as error:
        raise ServiceError(f"cannot read {path}: {error.strerror or error}") from None
    except DocumentError as error:
        raise ServiceError(str(error)) from None
    return SchemaFile(path, document, service.schema_changes(job_id, document))
