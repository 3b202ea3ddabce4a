"""Compiling and evaluating: what CompiledExpression promises to the engine."""

from __future__ import annotations

import pytest

from synctui.expressions import (
    EvaluationContext,
    ExpressionEvaluationError,
    ExpressionSyntaxError,
    compile_source,
    parse,
)
from synctui.models import AttributeMappingSource

from .support import evaluate, fixed_context


def test_attributes_lists_every_source_attribute_read():
    compiled = compile_source(
        parse('Replace([telephoneNumber], , "(?<d>\\\\d+)", "d", , [mobile], ) = IIF(IsPresent([x]), [y], Now())')
    )
    assert compiled.attributes == frozenset({"telephoneNumber", "mobile", "x", "y"})
    assert compile_source(parse('"constant"')).attributes == frozenset()


def test_redacted_marks_expressions_using_redact():
    assert compile_source(parse("Redact(RandomString(6,3,0,0,3))")).redacted
    assert compile_source(parse('Join("", Redact([a]), "x")')).redacted
    assert not compile_source(parse("[userPrincipalName]")).redacted


def test_compiles_trees_read_from_graph_json():
    tree = AttributeMappingSource.model_validate(
        {
            "type": "Function",
            "name": "Append",
            "expression": "ignored",
            "parameters": [
                {"key": "source", "value": {"type": "Attribute", "name": "mailNickname"}},
                {"key": "suffix", "value": {"type": "Constant", "name": "@northwind.example"}},
            ],
        }
    )
    assert compile_source(tree).evaluate({"mailNickname": "jo"}) == "jo@northwind.example"


@pytest.mark.parametrize(
    "tree, message",
    [
        ({"type": "Function", "name": "Frobnicate", "parameters": []}, "unknown function 'Frobnicate'"),
        (
            {"type": "Function", "name": "Mid", "parameters": [{"key": "source", "value": {"name": "a"}}]},
            "Mid: missing required argument start",
        ),
        (
            {
                "type": "Function",
                "name": "Append",
                "parameters": [
                    {"key": "source", "value": {"name": "a"}},
                    {"key": "suffix", "value": {"name": "b"}},
                    {"key": "suffix", "value": {"name": "c"}},
                ],
            },
            "Append: parameter suffix is given more than once",
        ),
        (
            {
                "type": "Function",
                "name": "Append",
                "parameters": [{"key": "source", "value": {"name": "a"}}, {"key": "tail", "value": {"name": "b"}}],
            },
            "Append has no parameter 'tail' (parameters: source, suffix)",
        ),
        (
            {
                "type": "Function",
                "name": "Switch",
                "parameters": [
                    {"key": "source", "value": {"name": "a"}},
                    {"key": "switchValue", "value": {"name": "b"}},
                ],
            },
            "Switch needs key, value pairs",
        ),
        ({"type": "Attribute", "name": ""}, "an Attribute node has no name"),
    ],
)
def test_compile_reports_bad_trees(tree, message):
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_source(AttributeMappingSource.model_validate(tree))
    assert message in str(caught.value)
    assert caught.value.column is None


def test_select_unique_value_must_be_the_outermost_function():
    compile_source(parse("SelectUniqueValue([a], [b])"))
    with pytest.raises(ExpressionSyntaxError, match="SelectUniqueValue must be the outermost function"):
        compile_source(parse("ToLower(SelectUniqueValue([a], [b]))"))


def test_attribute_lookup_is_exact_first_then_case_insensitive():
    assert evaluate("[Department]", {"department": "Sales"}) == "Sales"
    assert evaluate("[department]", {"Department": "Upper", "department": "lower"}) == "lower"
    assert evaluate("[DEPARTMENT]", {"other": "x"}) is None


def test_values_leave_as_strings():
    assert evaluate("IsPresent([a])", {"a": "x"}) == "True"
    assert evaluate('InStr("abc", "c")') == "3"
    assert evaluate("Now()") == "8/25/2021 5:41:18 PM"
    assert evaluate('Split("a,b", ",")') == ["a", "b"]
    assert evaluate("[missing]") is None


def test_iif_evaluates_only_the_chosen_branch():
    asked: list[str] = []
    context = {"is_unique": lambda value: asked.append(value) or True}
    # SelectUniqueValue is only legal at the top, so laziness is shown with a failing branch instead
    assert evaluate('IIF([a] = "x", "ok", CDate("not a date"))', {"a": "x"}, **context) == "ok"
    assert evaluate('Switch([a], CDate("bad"), "x", "ok")', {"a": "x"}) == "ok"
    assert evaluate('Coalesce([a], CDate("bad"))', {"a": "x"}) == "x"
    assert asked == []


def test_comparisons():
    cases = {
        '[a] = "USA"': ({"a": "USA"}, "True"),
        '[a] = "usa"': ({"a": "USA"}, "False"),  # case-sensitive, like Switch
        "[a] = 1": ({"a": "01"}, "True"),  # numbers compare as numbers
        "[a] > 9": ({"a": "10"}, "True"),
        '[a] > "9"': ({"a": "10"}, "True"),
        '[a] > "b"': ({"a": "a"}, "False"),  # otherwise ordinal string comparison
        "[a] <> [b]": ({"a": "x"}, "False"),  # a null side makes any comparison false
        '[a] = ""': ({"a": ""}, "True"),
        '[IsSoftDeleted] = "True"': ({"IsSoftDeleted": "True"}, "True"),
        'IsPresent([a]) = "true"': ({"a": "x"}, "True"),  # booleans compare as booleans
        'InStr([a], "@contoso.com") = 0': ({"a": "x@fabrikam.com"}, "True"),
    }
    for text, (obj, expected) in cases.items():
        assert evaluate(text, obj) == expected, text


def test_iif_with_null_condition_attribute_is_false_unless_strict():
    text = 'IIF([country] = "", "Other", [country])'
    assert evaluate(text, {}) is None  # null = "" is false → valueIfFalse → [country] → null
    assert evaluate(text, {"country": ""}) == "Other"
    for obj in ({}, {"country": ""}):
        with pytest.raises(
            ExpressionEvaluationError, match=r"IIF: the condition reads \[country\], which is null or empty"
        ):
            evaluate(text, obj, strict_iif=True)
    assert evaluate(text, {"country": "NZ"}, strict_iif=True) == "NZ"


@pytest.mark.parametrize(
    "text, obj, message",
    [
        ('IIF([a], "y", "n")', {"a": "maybe"}, "IIF: the condition 'maybe' is neither True/False nor a number"),
        ("Mid([a], [b], 2)", {"a": "abc", "b": "one"}, "Mid: start 'one' is not a whole number"),
        ('[a] = "x"', {"a": ["x", "y"]}, "the comparison =: a multi-valued value cannot be compared"),
        ('Switch([a], "d", "k", "v")', {"a": ["x", "y"]}, "Switch: source is multi-valued"),
        ('Replace([a], , "(", , "", , )', {}, None),  # caught at parse time instead
        ('Replace([a], , [pattern], , "", , )', {"a": "x", "pattern": "("}, "Replace: invalid regular expression '('"),
        ('Replace([a], , "\\\\p{L}", , "", , )', {}, None),
        ('Item([a], "first")', {"a": ["x"]}, "Item: index 'first' is not a whole number"),
        ('CBool("perhaps")', {}, "CBool: the value 'perhaps' is neither True/False nor a number"),
        ('InStr("abc", "b", 0)', {}, "InStr: start must be 1 or more, got 0"),
        (
            'InStr("abc", "b", 1, "vbSomething")',
            {},
            "InStr: compareType 'vbSomething' is not vbBinaryCompare or vbTextCompare",
        ),
    ],
)
def test_evaluation_errors_are_one_line_and_name_the_function(text, obj, message):
    if message is None:
        with pytest.raises(ExpressionSyntaxError):
            compile_source(parse(text))
        return
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(text, obj)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_default_context_uses_the_system_clock_and_real_randomness():
    compiled = compile_source(parse("Now()"))
    assert compiled.evaluate({}).endswith(("AM", "PM"))
    guid = compile_source(parse("Guid()"))
    assert guid.evaluate({}) != guid.evaluate({})


def test_context_is_optional_and_reusable():
    context = fixed_context()
    compiled = compile_source(parse('DateAdd("d", 1, Now())'))
    assert compiled.evaluate({}, context) == compiled.evaluate({}, context) == "8/26/2021 5:41:18 PM"
    assert isinstance(EvaluationContext(), EvaluationContext)


@pytest.mark.parametrize(
    ("obj", "value"),
    [
        ({"department": "Sales"}, "Sales"),
        ({"Department": "Sales"}, "Sales"),  # another spelling: found ignoring case
        ({"DEPARTMENT": "x", "department": "y"}, "y"),  # the exact spelling first
        ({}, None),
        ({"department": None}, None),
        ({"department": ""}, ""),
        ({"department": ["a", "b"]}, ["a", "b"]),
        ({"department": True}, "True"),
        ({"department": 5}, "5"),
    ],
)
def test_an_attribute_alone_reads_what_its_reader_reads(obj, value):
    # A string under the exact name is taken without the evaluator's calls; anything else the
    # reader finds (another spelling, a list, a Boolean) is still what evaluating gives.
    compiled = compile_source(parse("[department]"))
    assert compiled.attribute == "department"
    assert compiled.evaluate(obj) == value


def test_only_an_attribute_alone_names_its_attribute():
    assert compile_source(parse('Append([department], "x")')).attribute is None
    assert compile_source(parse('"department"')).attribute is None
