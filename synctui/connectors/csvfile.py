"""An HR export as a read-only source: one CSV row per worker, keyed by `EmployeeId`."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..models import AttributeDefinition, AttributeType, DirectoryDefinition
from ._definitions import attribute, read_only_users, reference
from ._objects import ObjectTable
from ._read_only import ReadOnlySource
from .base import ConnectionFailure, DirectoryObject, SourceDataError

HR_CSV_DIRECTORY_NAME = "HR CSV"
ANCHOR_COLUMN = "EmployeeId"
DATE_COLUMNS = ("HireDate", "TerminationDate")


def hr_csv_definition(extra_columns: Iterable[str] = ()) -> DirectoryDefinition:
    """The HR worker, with the columns synctui knows, plus `extra_columns` as strings."""
    known: list[AttributeDefinition] = [
        attribute(ANCHOR_COLUMN, anchor=True, required=True),
        attribute("FirstName"),
        attribute("LastName"),
        attribute("PreferredName"),
        attribute("Email"),
        attribute("Department"),
        attribute("JobTitle"),
        reference("ManagerEmployeeId", "User"),
        attribute("Status"),
        *(attribute(column, AttributeType.DateTime) for column in DATE_COLUMNS),
        attribute("City"),
        attribute("Country"),
        attribute("Mobile"),
        attribute("Company"),
    ]
    return read_only_users(HR_CSV_DIRECTORY_NAME, known, extra_columns)


class CsvDirectory(ReadOnlySource):
    """The workers of an HR CSV file (UTF-8, with or without a BOM; header row first). Every
    column is an attribute; an empty cell is None. The file is read once, on first use, and a
    malformed one raises `SourceDataError` naming the line. Read-only. One thread at a time."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._definition: DirectoryDefinition | None = None
        self._table: ObjectTable | None = None

    def definition(self) -> DirectoryDefinition:
        """The known columns plus those the file's header adds (so this reads the file)."""
        self._objects("User")
        assert self._definition is not None
        return self._definition

    def test_connection(self) -> None:
        try:
            with self.path.open("rb"):
                pass
        except FileNotFoundError:
            raise ConnectionFailure("FileNotFound", f"{self.path}: no such file") from None
        except OSError as error:
            raise ConnectionFailure("FileNotReadable", f"{self.path}: cannot be read ({error.strerror})") from None

    def _read_only_reason(self) -> str:
        return f"{self.path}: an HR CSV file is a read-only source"

    def _objects(self, object_type: str) -> ObjectTable:
        if self._table is None:
            header, workers = read_workers(self.path)
            self._definition = hr_csv_definition(header)
            self._table = ObjectTable(self._definition.objects[0], workers)
        if self._table.definition.name.lower() != object_type.lower():
            raise ConnectionFailure(
                "SchemaAttributeNotFound", f"{self.path}: has no object type {object_type!r} (it has User)"
            )
        return self._table


def read_workers(path: Path) -> tuple[list[str], dict[str, DirectoryObject]]:
    """The header and the workers by EmployeeId (an empty cell is None), or `SourceDataError`
    naming the line at fault."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceDataError(f"{path}: no such file") from None
    except OSError as error:
        raise ConnectionFailure("FileNotReadable", f"{path}: cannot be read ({error.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceDataError(
            f"{path}: line {line}: byte 0x{data[error.start]:02x} is not UTF-8; "
            'save the file as UTF-8 (in Excel: "CSV UTF-8")'
        ) from None

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = _header(path, next(reader, []))
        workers: dict[str, DirectoryObject] = {}
        lines: dict[str, int] = {}
        for row in reader:
            if not row:
                continue  # a blank line
            where = f"{path}: line {reader.line_num}"
            if len(row) != len(header):
                raise SourceDataError(
                    f"{where}: expected {len(header)} fields, as in the header, but found {len(row)}; "
                    "put values that contain commas in double quotes"
                )
            worker = {column: value.strip() or None for column, value in zip(header, row, strict=True)}
            employee_id = worker[ANCHOR_COLUMN]
            if employee_id is None:
                raise SourceDataError(f"{where}: {ANCHOR_COLUMN} is empty; every worker needs a unique {ANCHOR_COLUMN}")
            if employee_id in workers:
                raise SourceDataError(
                    f'{where}: {ANCHOR_COLUMN} "{employee_id}" is also on line {lines[employee_id]}; '
                    f"every worker needs a unique {ANCHOR_COLUMN}"
                )
            for column in DATE_COLUMNS:
                _check_date(where, column, worker.get(column))
            workers[employee_id] = {"id": employee_id, **worker}
            lines[employee_id] = reader.line_num
    except csv.Error as error:
        raise SourceDataError(
            f"{path}: line {reader.line_num}: {error}; check the double quotes on that line and the lines just above it"
        ) from None
    return header, workers


def _header(path: Path, row: list[str]) -> list[str]:
    where = f"{path}: line 1"
    header = [name.strip() for name in row]
    if not any(header):
        raise SourceDataError(
            f"{where}: no header row; the first line must name the columns, e.g. "
            f"{ANCHOR_COLUMN},FirstName,LastName,Email,Status"
        )
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise SourceDataError(f"{where}: column {position} has no name; name it or remove it")
        if name in seen:
            raise SourceDataError(f'{where}: column "{name}" appears twice; rename or remove one of them')
        seen.add(name)
    if ANCHOR_COLUMN not in seen:
        raise SourceDataError(
            f'{where}: no "{ANCHOR_COLUMN}" column (the columns are {", ".join(header)}); '
            f"add it: it identifies each worker"
        )
    return header


def _check_date(where: str, column: str, value: str | None) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        raise SourceDataError(f'{where}: {column} "{value}" is not a date like 2024-03-31 (YYYY-MM-DD)') from None
