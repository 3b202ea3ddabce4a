"""Graph JSON in, the same Graph JSON out: the spec's examples and the seed page's example."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from synctui.models import (
    NEVER,
    ObjectFlowTypes,
    SynchronizationJob,
    SynchronizationJobRestartCriteria,
    SynchronizationJobRestartScope,
    SynchronizationSchema,
    SynchronizationStatus,
    format_duration,
    format_flags,
    parse_duration,
    parse_flags,
)

EXAMPLES = sorted((Path(__file__).parent / "graph_examples").glob("*.json"))
"""The JSON examples of the Graph spec (section 4) and of the original resource page (seed)."""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_exactly(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    model_type = SynchronizationJob if "templateId" in document else SynchronizationSchema
    assert model_type.model_validate(document).model_dump(mode="json") == document


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
