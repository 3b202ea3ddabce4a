"""Scoping filters: each operator's truth table with null, empty and multi-valued attributes."""

from __future__ import annotations

import pytest

from synctui.expressions import (
    ClauseOutcome,
    ExpressionError,
    compile_scope,
    filter_operators,
    validate_scope,
)
from synctui.models import Filter, FilterClause, FilterGroup, FilterOperand

NULL = object()  # the attribute is absent


def clause(attribute: str, operator: str, *values: str) -> FilterClause:
    return FilterClause(
        source_operand_name=attribute, operator_name=operator, target_operand=FilterOperand(values=list(values))
    )


def passes(operator: str, value, *values: str) -> bool:
    scope = Filter(groups=[FilterGroup(name="g", clauses=[clause("attr", operator, *values)])])
    obj = {} if value is NULL else {"attr": value}
    return compile_scope(scope).in_scope(obj)


# operator, clause values, then (attribute value → expected) pairs
TRUTH_TABLES = [
    (
        "EQUALS",
        ["Sales"],
        [
            ("Sales", True),
            ("sales", False),
            ("Sales ", False),
            ("", False),
            (NULL, False),
            (["Sales", "Sales"], True),
            (["Sales", "HR"], False),
            ([], False),
        ],
    ),
    (
        "NOT EQUALS",
        ["Sales"],
        [
            ("HR", True),
            ("Sales", False),
            ("sales", True),
            ("", False),
            (NULL, False),
            (["HR", "IT"], True),
            (["HR", "Sales"], False),
        ],
    ),
    (
        "REGEX MATCH",
        ["([1-9][0-9])"],
        [
            ("42", True),
            ("7", False),
            ("x105", True),
            ("", False),
            (NULL, False),
            (["10", "99"], True),
            (["10", "1"], False),
        ],
    ),
    ("REGEX MATCH", [".*\\@domain.com"], [("jo@domain.com", True), ("jo@other.com", False)]),
    ("REGEX MATCH", ["^sales$"], [("Sales", False), ("sales", True)]),  # case-sensitive
    ("REGEX MATCH", ["(?<n>[a-z]+)-\\k<n>"], [("ab-ab", True), ("ab-cd", False)]),  # .NET named groups
    (
        "NOT REGEX MATCH",
        [".*\\@domain.com"],
        [("jo@other.com", True), ("jo@domain.com", False), ("", False), (NULL, False)],
    ),
    (
        "IS TRUE",
        [],
        [("True", True), ("true", True), ("TRUE", True), ("False", False), ("1", False), ("", False), (NULL, False)],
    ),
    ("IS FALSE", [], [("False", True), ("false", True), ("True", False), ("0", False), ("", False), (NULL, False)]),
    ("IS NULL", [], [(NULL, True), ("", True), ([], True), ("x", False), (["x"], False), (["x", ""], False)]),
    ("IS NOT NULL", [], [("x", True), (["x", "y"], True), (NULL, False), ("", False), ([], False), (["x", ""], False)]),
    (
        "&",
        ["Sales;Marketing"],
        [("Sales", True), ("Marketing", True), ("HR", False), ("sales", False), ("", False), (NULL, False)],
    ),
    ("!&", ["Sales;Marketing"], [("HR", True), ("Sales", False), ("", False), (NULL, False)]),
    ("ENDS_WITH", ["@contoso.com"], [("jo@contoso.com", True), ("jo@CONTOSO.com", False), ("", False), (NULL, False)]),
    (
        "Includes",
        ["Eng"],
        [("Engineering", True), ("Reverse Engineering", True), ("engineering", False), ("", False), (NULL, False)],
    ),
    (
        "Greater_Than",
        ["1000000"],
        [
            ("1000001", True),
            ("1000000", False),
            ("-5", False),
            ("12.5", False),
            ("abc", False),
            ("", False),
            (NULL, False),
            (["2000000", "3000000"], True),
        ],
    ),
    ("Greater_Than_OR_EQUALS", ["1000000"], [("1000000", True), ("999999", False), ("", False), (NULL, False)]),
]


@pytest.mark.parametrize(
    "operator, values, table", TRUTH_TABLES, ids=[f"{op} {values}" for op, values, _ in TRUTH_TABLES]
)
def test_operator_truth_tables(operator, values, table):
    for attribute_value, expected in table:
        assert passes(operator, attribute_value, *values) is expected, (operator, attribute_value)


def test_booleans_and_numbers_from_raw_objects_are_read_as_text():
    assert passes("IS TRUE", True) and passes("IS FALSE", False) and passes("EQUALS", 5, "5")


@pytest.mark.parametrize("spelling", ["NOT_EQUALS", "not equals", "Not  Equals"])
def test_operator_names_ignore_case_spaces_and_underscores(spelling):
    assert passes(spelling, "HR", "Sales")


def test_groups_are_or_and_clauses_are_and():
    scope = compile_scope(
        Filter(
            groups=[
                FilterGroup(
                    name="Enabled sales",
                    clauses=[clause("department", "EQUALS", "Sales"), clause("accountEnabled", "IS TRUE")],
                ),
                FilterGroup(name="Contractors", clauses=[clause("employeeType", "EQUALS", "Contractor")]),
            ]
        )
    )
    assert scope.in_scope({"department": "Sales", "accountEnabled": "True"})
    assert not scope.in_scope({"department": "Sales", "accountEnabled": "False"})
    assert scope.in_scope({"employeeType": "Contractor"})
    assert not scope.in_scope({})
    assert scope.attributes == frozenset({"department", "accountEnabled", "employeeType"})


def test_no_scope_or_no_groups_means_everything_is_in_scope():
    for scope in (compile_scope(None), compile_scope(Filter())):
        assert scope.in_scope({}) and scope.passes_input({}) and scope.passes_category({})
        assert scope.attributes == frozenset()


def test_input_and_category_groups_are_separate_tests():
    scope = compile_scope(
        Filter(
            input_filter_groups=[FilterGroup(name="i", clauses=[clause("country", "EQUALS", "NZ")])],
            category_filter_groups=[FilterGroup(name="c", clauses=[clause("userType", "EQUALS", "Member")])],
        )
    )
    user = {"country": "NZ", "userType": "Guest"}
    assert scope.in_scope(user)
    assert scope.passes_input(user)
    assert not scope.passes_category(user)
    assert scope.attributes == frozenset({"country", "userType"})


def test_attribute_names_are_case_insensitive_after_an_exact_match():
    assert compile_scope(Filter(groups=[FilterGroup(clauses=[clause("Department", "EQUALS", "Sales")])])).in_scope(
        {"department": "Sales"}
    )


def test_explain_lists_every_clause_with_its_result():
    scope = compile_scope(
        Filter(
            groups=[
                FilterGroup(
                    name="Sales staff that are enabled",
                    clauses=[clause("department", "EQUALS", "Sales"), clause("accountEnabled", "IS TRUE")],
                ),
                FilterGroup(name="Engineers", clauses=[clause("jobTitle", "Includes", "Engineer")]),
            ]
        )
    )
    assert scope.explain({"department": "Sales", "accountEnabled": "False"}) == [
        ClauseOutcome("Sales staff that are enabled", "department EQUALS Sales", True),
        ClauseOutcome("Sales staff that are enabled", "accountEnabled IS TRUE", False),
        ClauseOutcome("Engineers", "jobTitle Includes Engineer", False),
    ]


def test_validate_scope_names_each_bad_clause():
    scope = Filter(
        groups=[
            FilterGroup(
                name="bad",
                clauses=[
                    clause("a", "LIKE", "x"),
                    clause("b", "Greater_Than", "ten"),
                    clause("c", "EQUALS"),
                    clause("d", "IS NULL", "x"),
                    clause("e", "REGEX MATCH", "(unclosed"),
                    clause("f", "EQUALS", "x", "y"),
                    clause("g", "EQUALS", "fine"),
                ],
            )
        ],
        input_filter_groups=[FilterGroup(clauses=[FilterClause(source_operand_name="h", operator_name="IS TRUE")])],
    )
    problems = validate_scope(scope)
    assert len(problems) == 6
    assert problems[0].startswith("groups[1] 'bad' clause 1 (a LIKE x): unknown operator 'LIKE'")
    assert (
        "clause 2 (b Greater_Than ten): Greater_Than cannot use the value: 'ten' is not a whole number" in problems[1]
    )
    assert "clause 3 (c EQUALS): EQUALS takes exactly one value, but 0 are given" in problems[2]
    assert "clause 4 (d IS NULL x): IS NULL takes no value, but 1 is given" in problems[3]
    assert "clause 5" in problems[4] and "invalid regular expression" in problems[4]
    assert "clause 6 (f EQUALS x y): EQUALS takes exactly one value, but 2 are given" in problems[5]
    with pytest.raises(ExpressionError, match="invalid scoping filter: groups\\[1\\] 'bad' clause 1"):
        compile_scope(scope)


def test_filter_operators_lists_graph_and_portal_operators():
    operators = {operator.name: operator for operator in filter_operators()}
    assert list(operators)[:8] == [
        "EQUALS",
        "NOT EQUALS",
        "REGEX MATCH",
        "NOT REGEX MATCH",
        "IS TRUE",
        "IS FALSE",
        "IS NULL",
        "IS NOT NULL",
    ]
    assert set(operators) >= {"&", "!&", "ENDS_WITH", "Greater_Than", "Greater_Than_OR_EQUALS", "Includes"}
    assert operators["EQUALS"].to_graph() == {
        "name": "EQUALS",
        "arity": "Binary",
        "multivaluedComparisonType": "All",
        "supportedAttributeTypes": ["Integer", "String"],
    }
    assert operators["IS NULL"].to_graph()["supportedAttributeTypes"] == ["Integer", "String", "Binary", "Boolean"]
    assert operators["IS TRUE"].arity.value == "Unary"
