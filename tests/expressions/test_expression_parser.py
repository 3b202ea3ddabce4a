"""Parsing: grammar of spec §2, Graph tree shapes, canonical text and syntax errors."""

from __future__ import annotations

import pytest

from synctui.expressions import ExpressionSyntaxError, parse, to_text
from synctui.models import AttributeMappingSource


def tree(text: str) -> dict:
    return parse(text).to_graph()


def keys(text: str) -> list[str]:
    return [pair["key"] for pair in tree(text)["parameters"]]


# --- shapes Graph documents ---------------------------------------------------------------


def test_graph_parse_expression_sample_tree():
    """The response of Graph's parseExpression sample, key for key."""
    assert tree('Replace([preferredLanguage], "-", , , "_", ,  )') == {
        "type": "Function",
        "name": "Replace",
        "expression": 'Replace([preferredLanguage], "-", , , "_", , )',
        "parameters": [
            {
                "key": "source",
                "value": {
                    "type": "Attribute",
                    "name": "preferredLanguage",
                    "expression": "[preferredLanguage]",
                    "parameters": [],
                },
            },
            {"key": "Find", "value": {"type": "Constant", "name": "-", "expression": '"-"', "parameters": []}},
            {"key": "Replacement", "value": {"type": "Constant", "name": "_", "expression": '"_"', "parameters": []}},
        ],
    }


def test_attribute_mapping_source_sample_mid():
    """attributeMappingSource sample: bare numbers become Constants written "1" on their own, bare in the call."""
    assert tree("Mid([userPrincipalName], 1, 8)") == {
        "type": "Function",
        "name": "Mid",
        "expression": "Mid([userPrincipalName], 1, 8)",
        "parameters": [
            {
                "key": "source",
                "value": {
                    "type": "Attribute",
                    "name": "userPrincipalName",
                    "expression": "[userPrincipalName]",
                    "parameters": [],
                },
            },
            {"key": "start", "value": {"type": "Constant", "name": "1", "expression": '"1"', "parameters": []}},
            {"key": "length", "value": {"type": "Constant", "name": "8", "expression": '"8"', "parameters": []}},
        ],
    }


def test_switch_with_empty_default_keeps_switch_values_in_order():
    """Shape Graph returns for the default `active` mapping: the omitted defaultValue is absent."""
    text = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'
    assert keys(text) == ["source", "switchValue", "switchValue", "switchValue", "switchValue"]
    assert [pair["value"]["name"] for pair in tree(text)["parameters"][1:]] == ["False", "True", "True", "False"]
    assert parse(text).expression == text


def test_schema_sample_append_tree():
    assert tree('Append(ToLower([mailNickname]), "@northwind.example")')["parameters"][1] == {
        "key": "suffix",
        "value": {
            "type": "Constant",
            "name": "@northwind.example",
            "expression": '"@northwind.example"',
            "parameters": [],
        },
    }


@pytest.mark.parametrize(
    "text, kind, name",
    [
        ("[mail]", "Attribute", "mail"),
        (
            "[extension_9d98ed114c4840d298fad781915f27e4_costCenter]",
            "Attribute",
            "extension_9d98ed114c4840d298fad781915f27e4_costCenter",
        ),
        ("[passwordProfile.password]", "Attribute", "passwordProfile.password"),
        ('"Employee"', "Constant", "Employee"),
        ("42", "Constant", "42"),
        ("-10", "Constant", "-10"),
        ("129699324000000000", "Constant", "129699324000000000"),
        ("&HF7", "Constant", "&HF7"),
        ("vbTextCompare", "Constant", "vbTextCompare"),
        ("IgnoreAttributeFlow", "Function", "IgnoreAttributeFlow"),
        ("IgnoreObjectFlow", "Function", "IgnoreObjectFlow"),
        ("Now()", "Function", "Now"),
    ],
)
def test_top_level_values(text, kind, name):
    node = tree(text)
    assert (node["type"], node["name"], node["parameters"]) == (kind, name, [])


# --- arguments and parameter names --------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected_keys, canonical",
    [
        (
            'Replace([mail], "@contoso.com", , ,"", ,)',
            ["source", "Find", "Replacement"],
            'Replace([mail], "@contoso.com", , , "", , )',
        ),
        (
            'Replace([UserID],"<username>", , , , , "<username>@contoso.com")',
            ["source", "Find", "Template"],
            'Replace([UserID], "<username>", , , , , "<username>@contoso.com")',
        ),
        (
            'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
            ["source", "RegularExpression", "RegularExpressionGroupName", "ReplacementPropertyName"],
            'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber", , [mobile], )',
        ),
        (
            'FormatDateTime([x], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
            ["source", "inputFormat", "outputFormat"],
            'FormatDateTime([x], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
        ),
        # legacy three-argument form: same tree, written in the four-slot form
        (
            'FormatDateTime([x], "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
            ["source", "inputFormat", "outputFormat"],
            'FormatDateTime([x], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
        ),
        (
            'FormatDateTime([x], "AdjustToUniversal", "yyyy", "MM")',
            ["source", "dateTimeStyles", "inputFormat", "outputFormat"],
            'FormatDateTime([x], "AdjustToUniversal", "yyyy", "MM")',
        ),
        ("ToLower(Mid([lastName], 2, 64), )", ["source"], "ToLower(Mid([lastName], 2, 64), )"),
        ("ToLower([mail])", ["source"], "ToLower([mail], )"),
        ('Join(" ", [givenName], [surname])', ["separator", "source", "source"], 'Join(" ", [givenName], [surname])'),
        ("Coalesce([mail],[userPrincipalName])", ["source", "source"], "Coalesce([mail], [userPrincipalName])"),
        (
            'InStr("repEated","e",3,vbBinaryCompare)',
            ["value1", "value2", "start", "compareType"],
            'InStr("repEated", "e", 3, vbBinaryCompare)',
        ),
        ('Switch([Active], , "1", "True")', ["source", "switchValue", "switchValue"], 'Switch([Active], , 1, "True")'),
        (
            'IIF([country]="USA",[country],[department])',
            ["condition", "valueIfTrue", "valueIfFalse"],
            'IIF([country] = "USA", [country], [department])',
        ),
        (
            "RandomString(6,3,0,0,3)",
            ["Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase"],
            "RandomString(6, 3, 0, 0, 3, )",
        ),
        ('Mid([PreferredFirstName], "1", "1")', ["source", "start", "length"], "Mid([PreferredFirstName], 1, 1)"),
        ("BitAnd(&HF, &HF7)", ["value1", "value2"], "BitAnd(&HF, &HF7)"),
    ],
)
def test_parameter_names_and_canonical_text(text, expected_keys, canonical):
    node = parse(text)
    assert [pair.key for pair in node.parameters] == expected_keys
    assert node.expression == canonical == to_text(node)
    assert parse(canonical) == node


@pytest.mark.parametrize(
    "text",
    [
        'Append (\n  [userPrincipalName] ,\t".test"\n)',
        'SelectUniqueValue (\n    Join("@", [a], "contoso.com"),\n    Join("@", [b], "contoso.com")\n)',
        "  Mid( [x] ,1,2 )  ",
    ],
)
def test_whitespace_and_newlines_between_tokens(text):
    assert parse(text).type.value == "Function"


def test_function_names_are_found_in_any_case_and_written_canonically():
    assert parse('switch([companyName], "External", "Company A", "A")').name == "Switch"
    assert parse("iif([a] = 1, 2, 3)").expression == "IIF([a] = 1, 2, 3)"


# --- strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ('"Company name: \\"Contoso\\""', 'Company name: "Contoso"'),
        ('"back\\\\slash"', "back\\slash"),
        ('"\\\\+(?<isdCode>\\\\d* )"', "\\+(?<isdCode>\\d* )"),
        # an unknown escape is kept as written (the doc's single-backslash regex example works)
        ('"\\+(?<isdCode>49|44)"', "\\+(?<isdCode>49|44)"),
        ('""', ""),
        ('"ünïcødé ✓"', "ünïcødé ✓"),
    ],
)
def test_string_escapes(text, value):
    node = parse(text)
    assert node.name == value
    assert parse(node.expression) == node


# --- comparisons --------------------------------------------------------------------------


def test_comparison_is_a_function_node_named_by_its_operator():
    node = tree('IIF([StatusRehire]=1, "Rehire", "New")')["parameters"][0]["value"]
    assert node["type"] == "Function" and node["name"] == "="
    assert [pair["key"] for pair in node["parameters"]] == ["left", "right"]
    assert node["expression"] == "[StatusRehire] = 1"


@pytest.mark.parametrize("operator", ["=", "<>", ">", ">=", "<", "<="])
def test_every_comparison_operator(operator):
    node = parse(f"CBool([a]{operator}[b])").parameters[0].value
    assert node.name == operator
    assert node.expression == f"[a] {operator} [b]"


def test_comparison_at_top_level_and_of_calls():
    assert parse('DateDiff("d", Now(), CDate([x])) > 5').expression == 'DateDiff("d", Now(), CDate([x])) > 5'
    assert parse('InStr([emailAddress],"@contoso.com")=0').name == "="


def test_nested_comparison_needs_parentheses_and_round_trips():
    node = parse('([a] = [b]) = "True"')
    assert node.expression == '([a] = [b]) = "True"'
    assert parse(to_text(node)) == node


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column, message",
    [
        ('Mid([mail], 1, 2 "x")', 18, "expected ')' or ',', found '\"'"),
        ('Append([mail] ".x")', 15, "expected ')' or ','"),
        ("Mid([mail], 1, 2", 17, "expected ')' or ',', but the expression ended"),
        ("Foo([mail])", 1, "unknown function 'Foo'"),
        ("  Foo", 3, "unknown function or keyword 'Foo'"),
        ('Append([mail], "x', 16, "unterminated string"),
        ('Append([mail, "x")', 8, "unterminated attribute name: expected ']'"),
        ("Mid([mail], 1, 2, 3)", 19, "Mid takes at most 3 arguments"),
        ("Mid([mail], 1)", 1, "Mid: missing required argument length"),
        ("Mid([mail], , 2)", 13, "Mid: required argument start is empty"),
        ('Switch([a], "d", "k")', 1, "Switch needs key, value pairs"),
        ("SelectUniqueValue([a])", 1, "SelectUniqueValue needs at least 2 uniqueValueRule arguments, got 1"),
        ('Join(",", [a], , [b])', 16, "an argument for source cannot be empty"),
        ('Replace([a], "x", , , , , )', 1, "Replace needs one of"),
        ('Replace([a], , "(unclosed", , "", , )', 1, "invalid regular expression"),
        ("", 1, "expected an expression"),
        ("   ", 4, "expected an expression"),
        ("[a] [b]", 5, "unexpected '[' after the end of the expression"),
        ("Mid", 4, "expected '(' after the function name Mid"),
        ("Append([a], -)", 14, "expected digits after '-'"),
        ("BitAnd(&F, 1)", 8, "a hex number is written &H"),
        ("ToLower([a], ,)", None, None),  # valid: trailing empty arguments carry nothing
        ("Append(, [a])", 8, "Append: required argument source is empty"),
        ("[]", 1, "empty attribute name"),
        ("[a] = ", 7, 'expected a function call, [attribute], "string" or number'),
        ("[a] = [b] = [c]", 11, "unexpected '='"),
        ("(([a])", 7, "expected ')' to close the '(' at column 1"),
    ],
)
def test_syntax_errors_name_column_and_expectation(text, column, message):
    if message is None:
        parse(text)
        return
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert caught.value.column == column
    assert message in caught.value.message
    assert str(caught.value).startswith(f"error at column {column}: ")


def test_expected_message_format_of_the_brief():
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse('Join(" ", [a], [b] [c])')
    assert str(caught.value) == "error at column 20: expected ')' or ',', found '['"


def test_expressions_over_10000_characters_are_rejected():
    longest = 'Append("' + "x" * (10_000 - len('Append("", "y")')) + '", "y")'
    assert len(longest) == 10_000
    parse(longest)
    with pytest.raises(ExpressionSyntaxError, match="limit is 10,000") as caught:
        parse(longest.replace('"y"', '"yz"'))
    assert caught.value.column == 10_001


def test_deep_nesting_is_an_error_not_a_crash():
    text = "ToLower(" * 150 + "[a]" + ")" * 150
    with pytest.raises(ExpressionSyntaxError, match="nested more than 64 levels"):
        parse(text)


def test_to_text_rejects_trees_it_cannot_write():
    with pytest.raises(ExpressionSyntaxError, match="unknown function 'Nope'"):
        to_text(AttributeMappingSource(type="Function", name="Nope", parameters=[]))
    with pytest.raises(ExpressionSyntaxError, match="cannot be written"):
        to_text(AttributeMappingSource(type="Attribute", name="a]b"))


@pytest.mark.parametrize(
    "name",
    ['emails[type eq "work"].value', 'addresses[type eq "work"].locality', 'phoneNumbers[type eq "mo]bile"].value'],
)
def test_an_attribute_name_may_hold_a_bracketed_scim_filter(name):
    """API-driven inbound sources name typed SCIM values so; their brackets nest, quoted ones do not count."""
    node = tree(f'Join(" ", [{name}], [x])')["parameters"][1]["value"]
    assert node["type"] == "Attribute" and node["name"] == name
    assert to_text(parse(f"[{name}]")) == f"[{name}]"


def test_an_unclosed_bracket_inside_an_attribute_name_is_a_syntax_error():
    with pytest.raises(ExpressionSyntaxError, match="unterminated attribute name"):
        parse('[emails[type eq "work".value]')
