"""Graph JSON in, the same Graph JSON out: the spec's examples, the seed page's and the Graph
documentation's, in Graph's casing."""

from __future__ import annotations

import copy
import functools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from synctui.models import (
    NEVER,
    AttributeDefinition,
    AttributeMappingFunctionSchema,
    AttributeType,
    DirectoryDefinition,
    FilterOperatorSchema,
    GraphModel,
    Mutability,
    ObjectFlowTypes,
    ObjectMapping,
    ParseExpressionRequest,
    ParseExpressionResponse,
    QuarantineReason,
    StringKeyStringValuePair,
    SynchronizationJob,
    SynchronizationJobRestartCriteria,
    SynchronizationJobRestartScope,
    SynchronizationSchema,
    SynchronizationStatus,
    SynchronizationTemplate,
    format_duration,
    format_flags,
    parse_duration,
    parse_flags,
)
from synctui.models.on_demand import ProvisionOnDemandRequest
from synctui.schema_validation import validate_schema

EXAMPLES = Path(__file__).parent / "graph_examples"
"""Graph JSON from the documentation: the spec's section 4, the original resource page (seed) and
the v1.0 API pages' examples (`docs-*`, microsoftgraph/microsoft-graph-docs-contrib). Two of those
are not JSON as printed and are stored fixed: the job list's trailing comma is dropped, and the
parseExpression request's unquoted keys are quoted."""

MODELS: dict[str, tuple[type[GraphModel], bool]] = {
    "seed-job": (SynchronizationJob, False),
    "spec-4.1-job": (SynchronizationJob, False),
    "spec-4.2-schema": (SynchronizationSchema, False),
    "docs-job-get": (SynchronizationJob, False),
    "docs-job-list": (SynchronizationJob, True),
    "docs-schema-get": (SynchronizationSchema, False),
    "docs-directory-discover": (DirectoryDefinition, False),
    "docs-templates-list": (SynchronizationTemplate, True),
    "docs-functions": (AttributeMappingFunctionSchema, True),
    "docs-filter-operators": (FilterOperatorSchema, True),
    "docs-provision-on-demand-request": (ProvisionOnDemandRequest, False),
    "docs-provision-on-demand-request-ad": (ProvisionOnDemandRequest, False),
    "docs-provision-on-demand-response": (StringKeyStringValuePair, False),
    "docs-parse-expression-request": (ParseExpressionRequest, False),
    "docs-parse-expression-response": (ParseExpressionResponse, False),
}
"""Each example file's resource, and whether it is a collection (`{"value": [...]}`)."""

WRITTEN_IN_GRAPHS_FORM: dict[str, list[tuple[tuple[str | int, ...], Any]]] = {
    # The dates shown as "" read as null; the enum shown as "" reads as absent.
    "docs-job-get": [
        (("status", "quarantine", "currentBegan"), None),
        (("status", "quarantine", "nextAttempt"), None),
        (("status", "quarantine", "seriesBegan"), None),
        (("status", "quarantine", "reason"), ABSENT := object()),
    ],
    # Enum members are written in Graph's casing.
    "docs-schema-get": [(("directories", 0, "objects", 0, "attributes", 0, "type"), "String")],
}
"""Where the JSON written back differs from the example read, and how."""


def _load(stem: str) -> Any:
    return json.loads((EXAMPLES / f"{stem}.json").read_text(encoding="utf-8"))


def _written(model_type: type[GraphModel], collection: bool, document: Any) -> Any:
    if not collection:
        return model_type.model_validate(document).model_dump(mode="json")
    return {
        **document,
        "value": [model_type.model_validate(item).model_dump(mode="json") for item in document["value"]],
    }


def test_every_example_file_is_tested() -> None:
    assert sorted(path.stem for path in EXAMPLES.glob("*.json")) == sorted(MODELS)


@pytest.mark.parametrize("stem", sorted(MODELS))
def test_graphs_own_json_loads_and_is_written_back(stem: str) -> None:
    model_type, collection = MODELS[stem]
    document = _load(stem)
    expected = copy.deepcopy(document)
    for path, value in WRITTEN_IN_GRAPHS_FORM.get(stem, []):
        *parents, last = path
        holder = functools.reduce(lambda node, key: node[key], parents, expected)
        if value is ABSENT:
            del holder[last]
        else:
            holder[last] = value

    assert _written(model_type, collection, document) == expected


def test_the_docs_quarantine_with_empty_values_reads_as_unset() -> None:
    job = SynchronizationJob.model_validate(_load("docs-job-get"))
    assert job.status is not None and job.status.quarantine is not None
    quarantine = job.status.quarantine
    assert quarantine.current_began is None
    assert quarantine.reason == QuarantineReason.Unknown and "reason" not in quarantine.model_fields_set
    assert quarantine.series_count == 2


def test_a_partial_schema_reads_and_the_schema_checks_say_what_is_missing() -> None:
    schema = SynchronizationSchema.model_validate(_load("docs-schema-get"))
    assert schema.directories[0].objects[0].attributes[0].type == AttributeType.String
    assert schema.synchronization_rules[1].source_directory_name == ""

    problems = validate_schema(schema)

    assert (
        "synchronizationRules[1].sourceDirectoryName: the rule names no source directory; "
        "give the name of one of the schema's directories" in problems
    )
    assert "synchronizationRules[0].objectMappings[1].sourceObjectName: the object mapping names no source object" in (
        problems
    )
    assert "directories[1].objects[0].name: the object has no name" in problems
    assert (
        "synchronizationRules[0].objectMappings[0].attributeMappings[1].targetAttributeName: "
        "the attribute mapping names no target attribute" in problems
    )


def test_enum_members_are_matched_without_regard_to_case() -> None:
    definition = AttributeDefinition.model_validate({"name": "x", "type": "boolean", "mutability": "readOnly"})
    assert (definition.type, definition.mutability) == (AttributeType.Boolean, Mutability.ReadOnly)
    assert definition.model_dump(mode="json") == {"name": "x", "type": "Boolean", "mutability": "ReadOnly"}
    mapping = ObjectMapping.model_validate({"flowTypes": "add, update"})
    assert mapping.model_dump(mode="json") == {"flowTypes": "Add, Update"}
    with pytest.raises(ValueError, match="Input should be 'String'"):
        AttributeDefinition.model_validate({"name": "x", "type": "Text"})


def test_seven_digit_fractions_and_never_dates_survive() -> None:
    document = {
        "code": "Active",
        "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
        "lastExecution": {"timeBegan": "2017-07-19T14:55:58.5434447Z", "state": "Succeeded"},
    }
    status = SynchronizationStatus.model_validate(document)
    assert status.steady_state_first_achieved_time == NEVER
    assert status.model_dump(mode="json") == document


def test_unknown_properties_are_kept() -> None:
    document = {
        "id": "x",
        "templateId": "scim",
        "@odata.type": "#microsoft.graph.synchronizationJob",
        "futureThing": [1],
    }
    assert SynchronizationJob.model_validate(document).model_dump(mode="json") == document


def test_a_job_built_in_python_dumps_every_property() -> None:
    dumped = SynchronizationStatus().model_dump(mode="json")
    assert dumped["steadyStateLastAchievedTime"] == "0001-01-01T00:00:00Z"
    assert dumped["synchronizedEntryCountByType"] == [] and dumped["quarantine"] is None


def test_empty_dates_from_the_docs_become_null() -> None:
    status = SynchronizationStatus.model_validate({"quarantine": {"currentBegan": "", "reason": "Unknown"}})
    assert status.quarantine.current_began is None


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("PT40M", 2400),
        ("PT1S", 1),
        ("P1DT2H", 93600),
        ("PT1.5S", 1.5),
        ("P10675199DT2H48M5.4775807S", 922337203685.4775807),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["40", "PT", "P", "1 hour", "PT-5M", "P1M"])
def test_bad_durations_are_rejected_with_a_hint(text: str) -> None:
    with pytest.raises(ValueError, match="PT40M"):
        parse_duration(text)


def test_duration_formatting() -> None:
    assert format_duration(timedelta(minutes=40)) == "PT40M"
    assert format_duration(timedelta(days=1, seconds=1)) == "P1DT1S"


def test_flags_enums_travel_as_one_string() -> None:
    flags = parse_flags("Add, Update, Delete", ObjectFlowTypes)
    assert format_flags(flags) == "Add, Update, Delete"
    full = parse_flags("Full", SynchronizationJobRestartScope)
    assert SynchronizationJobRestartScope.Watermark in full and SynchronizationJobRestartScope.ForceDeletes not in full
    criteria = SynchronizationJobRestartCriteria.model_validate({"resetScope": "Watermark, Escrows, QuarantineState"})
    assert criteria.model_dump(mode="json") == {"resetScope": "Watermark, Escrows, QuarantineState"}
    with pytest.raises(ValueError, match="unknown SynchronizationJobRestartScope value 'Everything'"):
        SynchronizationJobRestartCriteria.model_validate({"resetScope": "Everything"})
