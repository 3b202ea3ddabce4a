"""parseExpression responses and the function catalogue, as Graph returns them."""

from __future__ import annotations

from synctui.expressions import function_catalogue, parse_expression

from .support import fixed_context


def test_graph_sample_request_and_response():
    response = parse_expression(
        'Replace([preferredLanguage], "-", , , "_", ,  )',
        {"preferredLanguage": "EN-US", "appRoleAssignments": ["Default Assignment"], "IsSoftDeleted": "false"},
    )
    document = response.to_graph()
    assert document["error"] is None
    assert document["parsingSucceeded"] is True
    assert document["evaluationSucceeded"] is True
    assert document["evaluationResult"] == ["EN_US"]
    assert document["parsedExpression"]["expression"] == 'Replace([preferredLanguage], "-", , , "_", , )'
    assert [p["key"] for p in document["parsedExpression"]["parameters"]] == ["source", "Find", "Replacement"]


def test_parse_only_without_test_input():
    response = parse_expression("[mail]")
    assert response.parsing_succeeded and not response.evaluation_succeeded
    assert response.evaluation_result is None and response.error is None
    assert response.parsed_expression.to_graph() == {
        "type": "Attribute",
        "name": "mail",
        "expression": "[mail]",
        "parameters": [],
    }


def test_parse_failure():
    response = parse_expression('Join(" ", [a] [b])')
    assert not response.parsing_succeeded and not response.evaluation_succeeded
    assert response.parsed_expression is None
    assert response.error.code == "InvalidExpression"
    assert response.error.message == "error at column 15: expected ')' or ',', found '['"


def test_compile_failure_is_a_parse_failure_with_the_tree():
    response = parse_expression("ToLower(SelectUniqueValue([a], [b]))", {"a": "x"})
    assert not response.parsing_succeeded
    assert response.parsed_expression.name == "ToLower"
    assert "outermost" in response.error.message


def test_evaluation_failure():
    response = parse_expression("CDate([hireDate])", {"hireDate": "someday"})
    assert response.parsing_succeeded and not response.evaluation_succeeded
    assert response.error.code == "ExpressionEvaluationFailed"
    assert response.error.message == "CDate: 'someday' is not a recognised date/time"


def test_results_are_lists_of_strings():
    assert parse_expression('Split([a], ",")', {"a": "x,y"}).evaluation_result == ["x", "y"]
    assert parse_expression("[missing]", {}).evaluation_result == []
    assert parse_expression("IsPresent([a])", {"a": True}).evaluation_result == ["True"]  # JSON booleans read as text
    assert parse_expression("Now()", {}, context=fixed_context()).evaluation_result == ["8/25/2021 5:41:18 PM"]


def test_ignored_flow_is_reported_beside_an_empty_result():
    response = parse_expression("IgnoreFlowIfNullOrEmpty([department])", {})
    assert response.evaluation_succeeded and response.evaluation_result == []
    assert response.error.code == "AttributeFlowIgnored"
    assert parse_expression("IgnoreObjectFlow", {}).error.code == "ObjectFlowIgnored"


def test_never_raises_for_bad_input():
    for expression in ["", "(", '"', "[", "&", "-", "Mid(", "x" * 10_001, None, 42]:
        response = parse_expression(expression, {"a": "b"})  # type: ignore[arg-type]
        assert not response.parsing_succeeded
        assert response.error.code == "InvalidExpression"


def test_function_catalogue_matches_graphs_published_entries():
    catalogue = {function.name: function.to_graph() for function in function_catalogue()}
    assert catalogue["Append"] == {
        "name": "Append",
        "parameters": [
            {"name": "source", "type": "String", "required": True, "allowMultipleOccurrences": False},
            {"name": "suffix", "type": "String", "required": True, "allowMultipleOccurrences": False},
        ],
    }
    assert catalogue["DefaultDomain"] == {"name": "DefaultDomain", "parameters": []}
    assert [p["name"] for p in catalogue["Replace"]["parameters"]] == [
        "source",
        "Find",
        "RegularExpression",
        "RegularExpressionGroupName",
        "Replacement",
        "ReplacementPropertyName",
        "Template",
    ]
    assert catalogue["Switch"]["parameters"][2] == {
        "name": "switchValue",
        "type": "String",
        "required": False,
        "allowMultipleOccurrences": True,
    }
    assert catalogue["Join"]["parameters"][1]["allowMultipleOccurrences"] is True
    assert catalogue["Mid"]["parameters"][1] == {
        "name": "start",
        "type": "Integer",
        "required": True,
        "allowMultipleOccurrences": False,
    }
    assert catalogue["Split"]["parameters"][1]["required"] is False
    assert catalogue["IsNothing"]["parameters"][0]["type"] == "Boolean"
    assert [p["name"] for p in catalogue["Prepend"]["parameters"]] == ["prefix", "source"]


def test_function_catalogue_covers_the_reference_and_nothing_else():
    names = {function.name for function in function_catalogue()}
    reference = {
        "Append",
        "AppRoleAssignmentsComplex",
        "BitAnd",
        "CBool",
        "CDate",
        "Coalesce",
        "ConvertToBase64",
        "ConvertToUTF8Hex",
        "Count",
        "CStr",
        "DateAdd",
        "DateDiff",
        "DateFromNum",
        "FormatDateTime",
        "Guid",
        "IgnoreFlowIfNullOrEmpty",
        "IIF",
        "InStr",
        "IsNull",
        "IsNullOrEmpty",
        "IsPresent",
        "IsString",
        "Item",
        "Join",
        "Left",
        "Mid",
        "NormalizeDiacritics",
        "Not",
        "Now",
        "NumFromDate",
        "PCase",
        "RandomString",
        "Redact",
        "RemoveDuplicates",
        "Replace",
        "SelectUniqueValue",
        "SingleAppRoleAssignment",
        "Split",
        "StripSpaces",
        "Switch",
        "ToLower",
        "ToUpper",
        "Word",
    }
    legacy = {"DefaultDomain", "AppRoleAssignments", "IsNothing", "Prepend", "AssertiveAppRoleAssignmentsComplex"}
    assert names == reference | legacy  # keywords and comparison operators are not functions
