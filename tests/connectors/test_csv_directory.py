"""The HR CSV source: reading workers, its definition, and every kind of malformed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctui.connectors.base import ConnectionFailure, Directory, Modification, ObjectError, SourceDataError
from synctui.connectors.csvfile import CsvDirectory, hr_csv_definition
from synctui.models import AttributeType

from .helpers import REPOSITORY

HEADER = (
    "EmployeeId,FirstName,LastName,PreferredName,Email,Department,JobTitle,ManagerEmployeeId,Status,"
    "HireDate,TerminationDate,City,Country,Mobile,Company"
)
ROWS = [
    "E1,Ada,Lovelace,,Ada.Lovelace@contoso.example,Research,Countess,,Active,2015-03-01,,London,United Kingdom,,"
    "Contoso",
    'E2,Émile,Zola,Mimile,emile@contoso.example,Research,"Writer, Senior",E1,Leave,2016-05-02,,Paris,France,+33 6,'
    "Contoso",
    "E3,Grace,Hopper,,grace@contoso.example,IT,Admiral,E1,Terminated,2010-01-04,2025-01-31,Arlington,United States,,"
    "Contoso",
]


def write_csv(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def hr_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "hr.csv", HEADER, *ROWS)


def test_is_a_directory(hr_file: Path) -> None:
    assert isinstance(CsvDirectory(hr_file), Directory)


def test_workers_are_read_with_their_employee_id_as_id(hr_file: Path) -> None:
    workers = list(CsvDirectory(hr_file).read_all("User"))
    assert [worker["id"] for worker in workers] == ["E1", "E2", "E3"]
    emile = workers[1]
    assert emile["EmployeeId"] == "E2"
    assert emile["FirstName"] == "Émile"
    assert emile["JobTitle"] == "Writer, Senior"
    assert emile["ManagerEmployeeId"] == "E1"
    assert emile["Status"] == "Leave"
    assert workers[0]["PreferredName"] is None  # an empty cell is no value
    assert workers[0]["ManagerEmployeeId"] is None


def test_values_are_trimmed(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr.csv", "EmployeeId , FirstName", " E1 ,  Ada  ")
    assert CsvDirectory(path).get("User", "E1") == {"id": "E1", "EmployeeId": "E1", "FirstName": "Ada"}


def test_find_ignores_case(hr_file: Path) -> None:
    directory = CsvDirectory(hr_file)
    assert [w["id"] for w in directory.find("User", "Email", "ada.lovelace@CONTOSO.example")] == ["E1"]
    assert [w["id"] for w in directory.find("User", "ManagerEmployeeId", "e1")] == ["E2", "E3"]
    assert [w["id"] for w in directory.find("User", "employeeid", "e3")] == ["E3"]


def test_reads_are_copies(hr_file: Path) -> None:
    directory = CsvDirectory(hr_file)
    directory.get("User", "E1")["Status"] = "Terminated"
    assert directory.get("User", "E1")["Status"] == "Active"


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr.csv", HEADER, *ROWS, encoding="utf-8-sig")
    assert [w["id"] for w in CsvDirectory(path).read_all("User")] == ["E1", "E2", "E3"]


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr.csv", HEADER, ROWS[0], "", ROWS[1])
    assert len(list(CsvDirectory(path).read_all("User"))) == 2


def test_definition_describes_the_hr_worker() -> None:
    definition = hr_csv_definition()
    assert definition.name == "HR CSV"
    assert definition.read_only is True
    worker = definition.object("User")
    assert worker.anchor.name == "EmployeeId"
    assert [a.name for a in worker.attributes] == HEADER.split(",")
    manager = worker.attribute("ManagerEmployeeId")
    assert manager.type is AttributeType.Reference
    assert manager.referenced_objects[0].referenced_object_name == "User"
    assert worker.attribute("HireDate").type is AttributeType.DateTime


def test_other_columns_are_attributes_too(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr.csv", "EmployeeId,CostCenter,FirstName", "E1,CC-42,Ada")
    directory = CsvDirectory(path)
    assert directory.get("User", "E1")["CostCenter"] == "CC-42"
    names = [a.name for a in directory.definition().object("User").attributes]
    assert names == [*HEADER.split(","), "CostCenter"]


def test_it_is_read_only(hr_file: Path) -> None:
    directory = CsvDirectory(hr_file)
    for write in (
        lambda: directory.create("User", {"EmployeeId": "E9"}),
        lambda: directory.update("User", "E1", Modification(replace={"Status": "Leave"})),
        lambda: directory.delete("User", "E1"),
    ):
        with pytest.raises(ObjectError, match="read-only") as caught:
            write()
        assert caught.value.code == "NotPermitted" and caught.value.retryable is False
    directory.flush()


def test_only_workers(hr_file: Path) -> None:
    with pytest.raises(ConnectionFailure, match="has no object type 'Group'"):
        CsvDirectory(hr_file).read_all("Group")


def test_test_connection(hr_file: Path, tmp_path: Path) -> None:
    CsvDirectory(hr_file).test_connection()
    with pytest.raises(ConnectionFailure, match="no such file"):
        CsvDirectory(tmp_path / "missing.csv").test_connection()


def test_the_sample_hr_file_loads() -> None:
    directory = CsvDirectory(REPOSITORY / "sample_data" / "hr.csv")
    workers = list(directory.read_all("User"))
    assert len(workers) == 120
    ids = {worker["id"] for worker in workers}
    assert all(worker["ManagerEmployeeId"] in ids for worker in workers if worker["ManagerEmployeeId"])
    assert {worker["Status"] for worker in workers} == {"Active", "Leave", "Terminated"}


# --- malformed files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        pytest.param([], "line 1: no header row; the first line must name the columns", id="empty file"),
        pytest.param(["", "E1,Ada"], "line 1: no header row", id="blank first line"),
        pytest.param(
            ["FirstName,LastName", "Ada,Lovelace"],
            'line 1: no "EmployeeId" column (the columns are FirstName, LastName); add it',
            id="no EmployeeId",
        ),
        pytest.param(
            ["EmployeeId,Email,Email", "E1,a,b"], 'line 1: column "Email" appears twice', id="duplicate column"
        ),
        pytest.param(["EmployeeId,,Email", "E1,x,a"], "line 1: column 2 has no name", id="unnamed column"),
        pytest.param(
            ["EmployeeId,FirstName", "E1,Ada", "E2"],
            "line 3: expected 2 fields, as in the header, but found 1; put values that contain commas in double quotes",
            id="too few fields",
        ),
        pytest.param(
            ["EmployeeId,FirstName", "E1,Ada,Lovelace"],
            "line 2: expected 2 fields, as in the header, but found 3",
            id="too many fields",
        ),
        pytest.param(
            ["EmployeeId,FirstName", "E1,Ada", "E2,Grace", "e3,Emile", "E2,Again"],
            'line 5: EmployeeId "E2" is also on line 3; every worker needs a unique EmployeeId',
            id="duplicate EmployeeId",
        ),
        pytest.param(["EmployeeId,FirstName", " ,Ada"], "line 2: EmployeeId is empty", id="empty EmployeeId"),
        pytest.param(
            ["EmployeeId,HireDate", "E1,2015-03-01", "E2,03/12/2021"],
            'line 3: HireDate "03/12/2021" is not a date like 2024-03-31 (YYYY-MM-DD)',
            id="bad date",
        ),
        pytest.param(
            ["EmployeeId,FirstName", 'E1,"Ada', "E2,Grace"],
            "line 3: unexpected end of data; check the double quotes",
            id="unclosed quote",
        ),
    ],
)
def test_a_malformed_file_is_a_source_data_error(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("\n".join(lines))
    with pytest.raises(SourceDataError) as caught:
        CsvDirectory(path).read_all("User")
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_bytes(b"EmployeeId,FirstName\nE1,Ada\nE2,\xc9mile\n")  # Latin-1 É
    with pytest.raises(SourceDataError) as caught:
        CsvDirectory(path).read_all("User")
    assert str(caught.value) == (
        f'{path}: line 3: byte 0xc9 is not UTF-8; save the file as UTF-8 (in Excel: "CSV UTF-8")'
    )


def test_a_missing_file_is_a_source_data_error(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match=r"missing\.csv: no such file"):
        CsvDirectory(tmp_path / "missing.csv").read_all("User")
