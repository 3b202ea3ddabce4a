"""`schema put` refuses what would wipe or break a job (no mappings, dropped directories, nesting
too deep to validate or store), says so in one short line, and changes nothing."""

from __future__ import annotations

import copy
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from synctui.expressions import MAX_DEPTH
from synctui.models import SynchronizationSchema
from synctui.schema_changes import describe_changes
from synctui.schema_validation import MAX_DOCUMENT_DEPTH
from synctui.service import InvalidRequest, SyncService

from .test_cli import _job_id, _snapshot


def _schema(cli) -> dict[str, Any]:
    _, out, _ = cli("schema", "get", _job_id(cli, "jsonfile"))
    return json.loads(out)


def _put(cli, monkeypatch: pytest.MonkeyPatch, document: Any) -> tuple[int, str, str]:
    """`schema put JOB -` with the document on stdin, as `echo … | synctui schema put JOB -`."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(document).encode())))
    return cli("schema", "put", _job_id(cli, "jsonfile"), "-")


def _refused(cli, monkeypatch: pytest.MonkeyPatch, document: Any) -> str:
    _job_id(cli, "jsonfile")  # seeds the home
    before = _snapshot(cli.home)
    code, out, err = _put(cli, monkeypatch, document)
    assert code == 2 and out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert _snapshot(cli.home) == before
    return err


def _nested_source(depth: int) -> dict[str, Any]:
    source: dict[str, Any] = {"type": "Attribute", "name": "displayName", "parameters": []}
    for _ in range(depth):
        source = {"type": "Function", "name": "ToUpper", "parameters": [{"key": "source", "value": source}]}
    return source


@pytest.mark.parametrize("document", [{}, {"foo": 1}], ids=["empty", "unknown-only"])
def test_a_schema_without_rules_is_refused(cli, monkeypatch, document) -> None:
    err = _refused(cli, monkeypatch, document)
    assert "synchronizationRules: the schema has no synchronization rule, so cycles would provision nothing" in err
    assert "the job's source directory 'Azure Active Directory' is missing" in err
    assert "the job's target directory 'JSON file' is missing" in err


def test_a_rule_without_object_mappings_is_refused(cli, monkeypatch) -> None:
    schema = _schema(cli)
    schema["synchronizationRules"][0]["objectMappings"] = []
    err = _refused(cli, monkeypatch, schema)
    assert "synchronizationRules[0].objectMappings: the rule has no object mapping" in err


def test_a_schema_that_drops_a_directory_of_the_job_is_refused(cli, monkeypatch) -> None:
    schema = _schema(cli)
    schema["directories"] = [d for d in schema["directories"] if d["name"] != "JSON file"]
    err = _refused(cli, monkeypatch, schema)
    assert "directories: the job's target directory 'JSON file' is missing; keep it" in err


def test_unknown_properties_are_kept(cli, monkeypatch) -> None:
    schema = _schema(cli)
    schema["foo"] = {"bar": [1, 2]}
    code, _, err = _put(cli, monkeypatch, schema)
    assert code == 0, err
    assert _schema(cli)["foo"] == {"bar": [1, 2]}


def test_a_source_nested_too_deep_is_the_depth_message(cli, monkeypatch) -> None:
    for depth in (MAX_DEPTH + 1, 150):
        schema = _schema(cli)
        schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"] = _nested_source(depth)
        err = _refused(cli, monkeypatch, schema)
        assert err == (
            "error: the schema has 1 problem(s): synchronizationRules[0].objectMappings[0]"
            f".attributeMappings[1].source: the expression is nested more than {MAX_DEPTH} levels deep\n"
        )


def test_the_deepest_source_allowed_is_stored_written_out_and_run(cli, monkeypatch) -> None:
    schema = _schema(cli)
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"] = _nested_source(MAX_DEPTH)
    code, _, err = _put(cli, monkeypatch, schema)
    assert code == 0, err
    source = _schema(cli)["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"]
    for _ in range(MAX_DEPTH):
        source = source["parameters"][0]["value"]
    assert source["name"] == "displayName" and source["parameters"] == []
    code, out, err = cli("jobs", "run", _job_id(cli, "jsonfile"), "--json")
    assert code == 0 and json.loads(out)["state"] == "Succeeded", err


@pytest.mark.parametrize("place", ["unknown property", "scoping filter"])
def test_a_document_nested_too_deep_is_refused(cli, monkeypatch, place) -> None:
    schema = _schema(cli)
    deep: Any = "x"
    for _ in range(MAX_DOCUMENT_DEPTH):
        deep = [deep]
    if place == "unknown property":
        schema["foo"] = deep
        where = "foo[0][0][0][0][0][0][0][0][0][0][0]…"
    else:
        schema["synchronizationRules"][0]["objectMappings"][0]["scope"] = {
            "groups": [
                {
                    "clauses": [
                        {"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": deep}}
                    ]
                }
            ]
        }
        where = "synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[0].targetOperand.values[0]…"
    err = _refused(cli, monkeypatch, schema)
    assert f"{where}: the document is nested more than {MAX_DOCUMENT_DEPTH} levels deep" in err


def test_thousands_of_problems_print_the_first_and_a_count(cli, monkeypatch) -> None:
    schema = _schema(cli)
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"] = [
        {
            "targetAttributeName": f"nope{i}",
            "source": {"type": "Attribute", "name": "displayName"},
            "matchingPriority": 1 if i == 0 else 0,
        }
        for i in range(15_000)
    ]
    err = _refused(cli, monkeypatch, schema)
    assert err.startswith("error: the schema has 15000 problem(s): ")
    assert "'nope19'" in err and "'nope20'" not in err
    assert err.endswith("; … and 14,980 more\n") and len(err) < 5_000


# --- the service, as every entry point meets it ---------------------------------------------------


def _jsonfile(service: SyncService) -> str:
    return next(s.job.id for s in service.job_summaries() if s.job.template_id == "jsonfile")


def test_a_wiped_model_is_refused_too(service: SyncService) -> None:
    """The dashboard's schema editor saves a model, not a document: the same checks apply."""
    job = _jsonfile(service)
    version = service.get_schema(job).version
    with pytest.raises(InvalidRequest) as caught:
        service.put_schema(job, SynchronizationSchema())
    assert any("no synchronization rule" in p for p in caught.value.problems)
    assert service.get_schema(job).version == version


def test_a_damaged_stored_schema_stays_replaceable(service: SyncService) -> None:
    job = _jsonfile(service)
    good = service.get_schema(job).model_dump(mode="json")
    service.config.save_schema(job, {"synchronizationRules": "damaged"})
    assert service.put_schema(job, good).synchronization_rules


def test_schema_changes_describe_an_import_and_save_nothing(service: SyncService) -> None:
    job = _jsonfile(service)
    current = service.get_schema(job).model_dump(mode="json")
    assert service.schema_changes(job, current) == []
    new = copy.deepcopy(current)
    users, groups = new["synchronizationRules"][0]["objectMappings"]
    users["attributeMappings"] = [m for m in users["attributeMappings"] if m["targetAttributeName"] != "jobTitle"]
    given = next(m for m in users["attributeMappings"] if m["targetAttributeName"] == "givenName")
    given["source"] = {"type": "Constant", "name": "Ada", "parameters": []}
    users["attributeMappings"].append(
        {"targetAttributeName": "nickName", "source": {"type": "Attribute", "name": "mailNickname"}}
    )
    users["scope"] = {
        "groups": [
            {
                "name": "Sales",
                "clauses": [
                    {
                        "sourceOperandName": "department",
                        "operatorName": "EQUALS",
                        "targetOperand": {"values": ["Sales"]},
                    }
                ],
            }
        ]
    }
    groups["enabled"] = False
    for mapping in groups["attributeMappings"]:  # the same tree without its text is no change
        if mapping.get("source"):
            mapping["source"].pop("expression", None)
    target = next(d for d in new["directories"] if d["name"] == "JSON file")
    target["objects"][0]["attributes"].append({"name": "nickName", "type": "String"})
    new["directories"].append({"name": "Spare", "objects": []})
    version = service.get_schema(job).version
    assert service.schema_changes(job, new) == [
        "User → User: mappings added: nickName; mappings removed: jobTitle; mappings changed: givenName; "
        "scoping filter changed",
        "Group → Group: disabled",
        "directory added: Spare",
        "directory JSON file: User attributes added: nickName",
    ]
    assert service.get_schema(job).version == version


def test_describe_changes_counts_long_name_lists() -> None:
    before = SynchronizationSchema.model_validate({"directories": [{"name": "D", "objects": [{"name": "User"}]}]})
    after = SynchronizationSchema.model_validate(
        {
            "directories": [
                {"name": "D", "objects": [{"name": "User", "attributes": [{"name": f"a{i}"} for i in range(8)]}]}
            ]
        }
    )
    assert describe_changes(before, after) == ["directory D: User attributes added: a0, a1, a2, a3, a4 and 3 more"]


def test_schema_changes_refuses_what_put_schema_refuses(service: SyncService) -> None:
    with pytest.raises(InvalidRequest, match="problem"):
        service.schema_changes(_jsonfile(service), {"foo": 1})


def test_the_first_problems_and_a_count(tmp_path: Path) -> None:
    from synctui.service import shortened

    assert shortened(["a", "b"], 2) == ["a", "b"]
    assert shortened([str(i) for i in range(15_000)], 2) == ["0", "1", "… and 14,998 more"]


def test_an_object_mapping_without_attribute_mappings_is_refused(cli, monkeypatch) -> None:
    schema = _schema(cli)
    schema["synchronizationRules"][0]["objectMappings"][1]["attributeMappings"] = []
    err = _refused(cli, monkeypatch, schema)
    assert (
        "synchronizationRules[0].objectMappings[1].attributeMappings: the object mapping has no attribute mapping, "
        "so it would provision nothing"
    ) in err


def test_an_object_mapping_without_a_matching_attribute_is_refused(cli, monkeypatch) -> None:
    schema = _schema(cli)
    users = schema["synchronizationRules"][0]["objectMappings"][0]
    for mapping in users["attributeMappings"]:
        mapping["matchingPriority"] = 0
    err = _refused(cli, monkeypatch, schema)
    assert "objectMappings[0].attributeMappings: no attribute mapping matches objects (matchingPriority above 0)" in err
    users["enabled"] = False  # a disabled mapping does not run: nothing to match
    code, _, err = _put(cli, monkeypatch, schema)
    assert code == 0, err


def test_graphs_partial_schema_from_the_docs_loads_and_is_refused_naming_what_is_missing(cli, monkeypatch) -> None:
    # The get-schema example of Graph's documentation: partial object mappings, rules without
    # directory names, a lower-case attribute type. It reads; a job cannot run it.
    document = json.loads((Path(__file__).parent / "models" / "graph_examples" / "docs-schema-get.json").read_text())
    err = _refused(cli, monkeypatch, document)
    assert "synchronizationRules[1].sourceDirectoryName: the rule names no source directory" in err
    assert "not a valid synchronizationSchema" not in err
