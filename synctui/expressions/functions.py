"""Every function of the expression language, defined once: Graph parameter list + implementation.

The parser names arguments from these parameter lists, to_text writes them back, the compiler
builds evaluators from them and `function_catalogue()` publishes them. Parameter names follow
Graph's `schema/functions` response where it shows the function (Append, Join, Mid, Replace, Switch,
…) and the reference page's names otherwise. Null handling is in each docstring; a function that
gets a null where it transforms a value returns null, so the attribute is not flowed.
"""

from __future__ import annotations

import base64
import json
import operator
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..models import (
    AttributeMappingFunctionSchema,
    AttributeMappingParameterSchema,
    AttributeMappingSourceType,
    AttributeType,
)

# `dates` (its tables, parsers and calendar) is imported by the date functions that use it: few
# schemas call one, and every command that loads the engine paid for it (~2 ms of its start).
from . import casing, dotnet_regex
from .context import EvaluationContext
from .definitions import Arguments, Builder, Evaluator, Grouped, Kind, Parameter, Registry, evaluation_error
from .diacritics import normalize_diacritics
from .errors import ExpressionEvaluationError
from .tree import attribute_names
from .values import (
    IGNORE_FLOW,
    IGNORE_OBJECT,
    FlowSentinel,
    FlowSignal,
    as_bool,
    as_int,
    as_number,
    attribute_reader,
    is_null,
    is_null_or_empty,
    single,
    to_values,
)

REGISTRY = Registry()
function = REGISTRY.function
special = REGISTRY.special

String, Integer = AttributeType.String, AttributeType.Integer
Boolean, DateTime = AttributeType.Boolean, AttributeType.DateTime


def required(name: str, type: AttributeType = String) -> Parameter:
    return Parameter(name, type)


def optional(name: str, type: AttributeType = String) -> Parameter:
    return Parameter(name, type, required=False)


def repeating(name: str, minimum: int = 1) -> Parameter:
    return Parameter(name, String, required=minimum > 0, repeating=True, minimum=minimum)


def _date(value: Any, what: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    from . import dates

    text = single(value, what)
    return None if text is None else dates.parse_datetime(text)


# --- text ----------------------------------------------------------------------------------


@function("Append", required("source"), required("suffix"), per_value="source")
def append(source: Any, suffix: Any) -> str | None:
    """source + suffix; null source → null, null suffix → source."""
    text = single(source, "source")
    return None if text is None else text + (single(suffix, "suffix") or "")


@function("Prepend", required("prefix"), required("source"), per_value="source")
def prepend(prefix: Any, source: Any) -> str | None:
    """prefix + source (legacy Graph function, the mirror of Append)."""
    text = single(source, "source")
    return None if text is None else (single(prefix, "prefix") or "") + text


@function("Join", required("separator"), repeating("source"))
def join(separator: Any, sources: list[Any]) -> str | None:
    """Values joined by separator; multi-valued sources give all their values; null and "" are skipped
    (documented: Join(", ", "", [surname], [givenName]) = "Doe, John"). All sources null → null."""
    if all(is_null(source) for source in sources):
        return None
    glue = single(separator, "separator") or ""
    return glue.join(text for source in sources for text in to_values(source) if text)


@function("Left", required("String"), required("NumChars", Integer), per_value="String")
def left(string: Any, count: Any) -> str:
    """The first NumChars characters. Documented: 0 → "", negative → the whole string, null → ""."""
    text = single(string, "String")
    if text is None:
        return ""
    number = as_int(count, "NumChars")
    return text if number < 0 else text[:number]


@function("Mid", required("source"), required("start", Integer), required("length", Integer), per_value="source")
def mid(source: Any, start: Any, length: Any) -> str | None:
    """Substring from the 1-based start, at most length characters; null → null."""
    text = single(source, "source")
    if text is None:
        return None
    first, count = as_int(start, "start"), as_int(length, "length")
    if first < 1:
        raise ValueError(f"start must be 1 or more, got {first}")
    if count < 0:
        raise ValueError(f"length must not be negative, got {count}")
    return text[first - 1 : first - 1 + count]


@function("Word", required("String"), required("WordNumber", Integer), required("Delimiters"), per_value="String")
def word(string: Any, number: Any, delimiters: Any) -> str:
    """The WordNumber-th (1-based) run of characters between any of the Delimiters; "" when there is none."""
    text = single(string, "String")
    position = as_int(number, "WordNumber")
    if text is None or position < 1:
        return ""
    words = _splitter(single(delimiters, "Delimiters") or "")(text)
    return words[position - 1] if position <= len(words) else ""


@lru_cache(maxsize=64)
def _splitter(delimiters: str) -> Callable[[str], list[str]]:
    if not delimiters:
        return lambda text: [text] if text else []
    pattern = re.compile("[" + re.escape(delimiters) + "]+")
    return lambda text: [part for part in pattern.split(text) if part]


@function("InStr", required("value1"), required("value2"), optional("start", Integer), optional("compareType"))
def instr(value1: Any, value2: Any, start: Any, compare_type: Any) -> int:
    """VB InStr: 1-based position of value2 in value1 from start, 0 if absent. Null/empty value1 → 0;
    empty value2 → start. compareType vbBinaryCompare (default, case-sensitive) or vbTextCompare."""
    haystack, needle = single(value1, "value1"), single(value2, "value2")
    begin = 1 if start is None else as_int(start, "start")
    if begin < 1:
        raise ValueError(f"start must be 1 or more, got {begin}")
    if not haystack or begin > len(haystack):
        return 0
    if not needle:
        return begin
    if _text_compare(compare_type):
        haystack, needle = casing.to_lower(haystack), casing.to_lower(needle)
    return haystack.find(needle, begin - 1) + 1


def _text_compare(compare_type: Any) -> bool:
    name = single(compare_type, "compareType")
    if name is None or name in ("vbBinaryCompare", "0"):
        return False
    if name in ("vbTextCompare", "1"):
        return True
    raise ValueError(f"compareType {name!r} is not vbBinaryCompare or vbTextCompare")


@function("StripSpaces", required("source"), per_value="source")
def strip_spaces(source: Any) -> str | None:
    """Removes every U+0020 space (and only those)."""
    text = single(source, "source")
    return None if text is None else text.replace(" ", "")


@function("NormalizeDiacritics", required("source"), per_value="source")
def normalize(source: Any) -> str | None:
    text = single(source, "source")
    return None if text is None else normalize_diacritics(text)


@function("ToLower", required("source"), optional("culture"), per_value="source")
def to_lower(source: Any, culture: Any) -> str | None:
    """Lower case in the given culture (RFC 4646 name), invariant by default."""
    text = single(source, "source")
    return None if text is None else casing.to_lower(text, single(culture, "culture"))


@function("ToUpper", required("source"), optional("culture"), per_value="source")
def to_upper(source: Any, culture: Any) -> str | None:
    text = single(source, "source")
    return None if text is None else casing.to_upper(text, single(culture, "culture"))


@function("PCase", required("source"), optional("wordSeparators"), per_value="source")
def pcase(source: Any, separators: Any) -> str | None:
    text = single(source, "source")
    return None if text is None else casing.proper_case(text, single(separators, "wordSeparators"))


@function("ConvertToBase64", required("source"), per_value="source")
def to_base64(source: Any) -> str | None:
    """Base64 of the UTF-16LE bytes ("Unicode base64")."""
    text = single(source, "source")
    return None if text is None else base64.b64encode(text.encode("utf-16-le")).decode("ascii")


@function("ConvertToUTF8Hex", required("source"), per_value="source")
def to_utf8_hex(source: Any) -> str | None:
    """The UTF-8 bytes as upper-case hex without separators."""
    text = single(source, "source")
    return None if text is None else text.encode("utf-8").hex().upper()


@function("CStr", required("value"))
def cstr(value: Any) -> str | None:
    """A number, boolean or reference as its string; null → null."""
    return single(value, "value")


@function("Redact", required("source"), marks_redacted=True)
def redact(source: Any) -> Any:
    """The value flows unchanged; CompiledExpression.redacted tells logs to show "[Redact]"."""
    return source


# --- multi-valued --------------------------------------------------------------------------


@function("Split", required("source"), optional("delimiter"))
def split(source: Any, delimiter: Any) -> list[str] | None:
    """Split on the delimiter string, values kept as they are (no trimming: "a, b" on "," → "a", " b").
    Without a delimiter, split on each white-space character (.NET's String.Split())."""
    if is_null(source):
        return None
    separator = single(delimiter, "delimiter")
    parts: list[str] = []
    for text in to_values(source):
        parts.extend(text.split(separator) if separator else re.split(r"\s", text))
    return parts


@function("Count", required("attribute"))
def count(attribute: Any) -> int:
    """Number of values: null → 0, a single value → 1."""
    if type(attribute) is list:
        return len(attribute)
    return 0 if attribute is None else 1


@function("Item", required("attribute"), required("index", Integer))
def item(attribute: Any, index: Any) -> str | None:
    """The index-th value, 1-based; out of range (including 0) → null."""
    values = to_values(attribute)
    position = as_int(index, "index")
    return values[position - 1] if 1 <= position <= len(values) else None


@function("RemoveDuplicates", required("attribute"))
def remove_duplicates(attribute: Any) -> Any:
    """Each value once, first occurrence order kept (ordinal comparison)."""
    if type(attribute) is list:
        return list(dict.fromkeys(attribute))
    return attribute


# --- app roles -----------------------------------------------------------------------------
# The engine passes [appRoleAssignments] as a list of strings: each is either a role name
# ("Default Assignment", as in Graph's parseExpression sample) or a JSON object with
# id / value / displayName. Complex results are JSON strings the SCIM exporter decodes.


def _roles(source: Any) -> list[dict[str, Any]]:
    roles = []
    for text in to_values(source):
        role = None
        if text.lstrip().startswith("{"):
            try:
                role = json.loads(text)
            except json.JSONDecodeError:
                role = None
        if not isinstance(role, dict):
            role = {"displayName": text, "value": text}
        roles.append(role)
    return roles


def _role_value(role: Mapping[str, Any]) -> str:
    return str(role.get("value") or role.get("displayName") or role.get("id") or "")


def _complex_roles(source: Any) -> list[str] | None:
    roles = _roles(source)
    if not roles:
        return None
    return [
        json.dumps(
            {
                "primary": False,
                "type": "WindowsAzureActiveDirectoryRole",
                "display": role.get("displayName") or _role_value(role),
                "value": _role_value(role),
            },
            separators=(",", ":"),
        )
        for role in roles
    ]


@function("AppRoleAssignments", required("source"))
def app_role_assignments(source: Any) -> list[str] | None:
    """The user's role values for this application (legacy Graph function)."""
    roles = _roles(source)
    return [_role_value(role) for role in roles] or None


@function("SingleAppRoleAssignment", required("source"))
def single_app_role_assignment(source: Any) -> str | None:
    """One role value. Entra's choice among several is unpredictable; this takes the first."""
    roles = _roles(source)
    return _role_value(roles[0]) if roles else None


@function("AppRoleAssignmentsComplex", required("source"))
def app_role_assignments_complex(source: Any) -> list[str] | None:
    """Every role as a SCIM `roles` entry (JSON text: primary, type, display, value); exported with PATCH add."""
    return _complex_roles(source)


@function("AssertiveAppRoleAssignmentsComplex", required("source"))
def assertive_app_role_assignments_complex(source: Any) -> list[str] | None:
    """Same entries as AppRoleAssignmentsComplex; the exporter replaces the target's roles with them."""
    return _complex_roles(source)


@function("DefaultDomain", with_context=True)
def default_domain(context: EvaluationContext) -> str:
    if not context.default_domain:
        raise ValueError("no default domain is configured for the tenant")
    return context.default_domain


# --- tests and logic -----------------------------------------------------------------------


@function("IsNull", required("Expression"))
def is_null_function(value: Any) -> bool:
    """True only when the value is absent (an empty string is a value)."""
    return is_null(value)


@function("IsNothing", required("source", Boolean))
def is_nothing(value: Any) -> bool:
    """Legacy Graph name of IsNull."""
    return is_null(value)


@function("IsNullOrEmpty", required("Expression"))
def is_null_or_empty_function(value: Any) -> bool:
    return is_null_or_empty(value)


@function("IsPresent", required("Expression"))
def is_present(value: Any) -> bool:
    return not is_null_or_empty(value)


@function("IsString", required("Expression"))
def is_string(value: Any) -> bool:
    """True when the value can be read as one string: not null and not multi-valued."""
    return value is not None and type(value) is not list


@function("CBool", required("Expression"))
def cbool(value: Any) -> bool:
    """True/False (any case) or a number, non-zero being True; null and "" are False."""
    return as_bool(value, "the value")


@function("Not", required("source", Boolean))
def not_function(value: Any) -> bool:
    """True → False; anything else (False, null, other text) → True."""
    if type(value) is bool:
        return not value
    text = single(value, "source")
    return not (text is not None and text.strip().lower() == "true")


@function("BitAnd", required("value1", Integer), required("value2", Integer))
def bit_and(value1: Any, value2: Any) -> int | None:
    if value1 is None or value2 is None:
        return None
    return as_int(value1, "value1") & as_int(value2, "value2")


@function("IgnoreFlowIfNullOrEmpty", required("Expression"))
def ignore_flow_if_null_or_empty(value: Any) -> Any:
    if is_null_or_empty(value):
        raise FlowSignal(IGNORE_FLOW)
    return value


def _signal(sentinel: FlowSentinel) -> Builder:
    def build(arguments: Arguments) -> Evaluator:
        def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
            raise FlowSignal(sentinel)

        return evaluate

    return build


special("IgnoreAttributeFlow", kind=Kind.KEYWORD)(_signal(IGNORE_FLOW))
special("IgnoreObjectFlow", kind=Kind.KEYWORD)(_signal(IGNORE_OBJECT))


@special("IIF", required("condition", Boolean), required("valueIfTrue"), required("valueIfFalse"))
def build_iif(arguments: Arguments) -> Evaluator:
    """Only the chosen branch is evaluated. With EvaluationContext.strict_iif, a condition that reads a
    null or empty attribute is an error, as the reference page says the check "fails"."""
    condition, if_true, if_false = arguments["condition"], arguments["valueIfTrue"], arguments["valueIfFalse"]
    readers = [(name, attribute_reader(name)) for name in sorted(attribute_names(arguments.sources["condition"][0]))]

    def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
        if context.strict_iif:
            for name, read in readers:
                if is_null_or_empty(read(obj)):
                    raise ExpressionEvaluationError(
                        f"IIF: the condition reads [{name}], which is null or empty; Entra fails such a condition "
                        f'— test for empty values with Switch([{name}], [{name}], "", …) instead'
                    )
        value = condition(obj, context)
        try:
            chosen = as_bool(value, "the condition")
        except ValueError as error:
            raise evaluation_error("IIF", error) from None
        return if_true(obj, context) if chosen else if_false(obj, context)

    return evaluate


def _switch_pairs(grouped: Grouped) -> str | None:
    count = len(grouped.get("switchValue", []))
    if count % 2:
        return f"Switch needs key, value pairs after source and defaultValue; got {count} arguments for them"
    return None


@special(
    "Switch", required("source"), optional("defaultValue"), repeating("switchValue", minimum=0), check=_switch_pairs
)
def build_switch(arguments: Arguments) -> Evaluator:
    """The value of the first key equal to source (case-sensitive); a key "" also matches a null source;
    otherwise defaultValue, or null without one. Only the chosen value is evaluated."""
    source, default = arguments["source"], arguments.get("defaultValue")
    readers = arguments.repeated
    pairs = list(zip(readers[0::2], readers[1::2], strict=True))
    key_nodes = arguments.sources.get("switchValue", [])[0::2]

    if all(node.type is AttributeMappingSourceType.Constant for node in key_nodes):
        table: dict[str, Evaluator] = {}
        for node, (_, value) in zip(key_nodes, pairs, strict=True):
            table.setdefault(node.name or "", value)  # the first matching key wins

        def evaluate_constant_keys(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
            key = _switch_key(source(obj, context), "source")
            chosen = table.get(key or "")
            if chosen is not None:
                return chosen(obj, context)
            return default(obj, context) if default is not None else None

        return evaluate_constant_keys

    def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
        key = _switch_key(source(obj, context), "source") or ""
        for read_key, read_value in pairs:
            if (_switch_key(read_key(obj, context), "a key") or "") == key:
                return read_value(obj, context)
        return default(obj, context) if default is not None else None

    return evaluate


def _switch_key(value: Any, what: str) -> str | None:
    try:
        return single(value, what)
    except ValueError as error:
        raise evaluation_error("Switch", error) from None


@special("Coalesce", repeating("source"))
def build_coalesce(arguments: Arguments) -> Evaluator:
    """The first source that is not null, evaluated in order. An empty string is a value and is returned
    (the reference says "isn't NULL"; a guide that expects "" to be skipped is a documented defect).
    The documented optional defaultValue is simply the last source: it behaves the same."""
    sources = arguments.repeated

    def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
        for read in sources:
            value = read(obj, context)
            if not is_null(value):
                return value
        return None

    return evaluate


@special("SelectUniqueValue", repeating("uniqueValueRule", minimum=2), top_level_only=True)
def build_select_unique_value(arguments: Arguments) -> Evaluator:
    """The first candidate the target does not use yet (EvaluationContext.is_unique). Rules are evaluated
    one at a time, and null/empty candidates skipped. When all are taken the object is escrowed:
    ExpressionEvaluationError."""
    rules = arguments.repeated

    def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
        taken: list[str] = []
        for read in rules:
            try:
                candidate = single(read(obj, context), "a uniqueValueRule")
            except ValueError as error:
                raise evaluation_error("SelectUniqueValue", error) from None
            if not candidate:
                continue
            if context.is_unique is None or context.is_unique(candidate):
                return candidate
            taken.append(candidate)
        listed = ", ".join(repr(value) for value in taken) or "none (every rule gave an empty value)"
        raise ExpressionEvaluationError(
            f"SelectUniqueValue: no unique value; every candidate already exists in the target: {listed}"
        )

    return evaluate


# --- Replace -------------------------------------------------------------------------------

_REPLACE_PARAMETERS = (
    required("source"),
    optional("Find"),
    optional("RegularExpression"),
    optional("RegularExpressionGroupName"),
    optional("Replacement"),
    optional("ReplacementPropertyName"),
    optional("Template"),
)


def _replace_mode(present: Mapping[str, Any]) -> str | None:
    """Which of the five documented behaviours the supplied parameters select (None: no valid mode)."""
    if "Find" in present and "RegularExpression" in present:
        return None
    if "Find" in present:
        if "Template" in present:
            return "template"
        return "literal" if "Replacement" in present else None
    if "RegularExpression" in present:
        if "RegularExpressionGroupName" in present:
            if "ReplacementPropertyName" in present:
                return "extract"
            return "group" if "Replacement" in present else None
        return "regex" if "Replacement" in present else None
    return None


def _check_replace(grouped: Grouped) -> str | None:
    if _replace_mode(grouped) is None:
        return (
            "Replace needs one of: Find with Replacement; Find with Template; RegularExpression with "
            "Replacement; RegularExpression, RegularExpressionGroupName and Replacement; or "
            "RegularExpression, RegularExpressionGroupName and ReplacementPropertyName"
        )
    pattern = grouped.get("RegularExpression", [None])[0]
    if pattern is not None and pattern.type is AttributeMappingSourceType.Constant:
        try:
            dotnet_regex.compile_pattern(pattern.name or "")
        except ValueError as error:
            return f"Replace: {error}"
    return None


@special("Replace", *_REPLACE_PARAMETERS, check=_check_replace)
def build_replace(arguments: Arguments) -> Evaluator:
    """Case-sensitive replacement; the supplied parameters choose the mode (reference page, Replace):
    Find+Replacement: every occurrence of Find in source; Find+Template: every Find in Template is
    replaced by source; RegularExpression+Replacement: .NET Regex.Replace ($1, ${name}); +GroupName:
    inside each match only the group's text is replaced; +GroupName+ReplacementPropertyName: source
    if it has a value, else the group extracted from that attribute. Null source → null (except the
    last mode). A multi-valued source is replaced value by value."""
    mode = _replace_mode(arguments.single)
    read = {name: arguments.get(name) for name in (p.name for p in _REPLACE_PARAMETERS)}

    def text(name: str, obj: Mapping[str, Any], context: EvaluationContext) -> str | None:
        reader = read[name]
        return None if reader is None else single(reader(obj, context), name)

    def replace_one(source: str | None, obj: Mapping[str, Any], context: EvaluationContext) -> Any:
        if mode == "extract":
            if source:
                return source
            other = text("ReplacementPropertyName", obj, context)
            if other is None:
                return None
            return dotnet_regex.extract_group(
                other,
                text("RegularExpression", obj, context) or "",
                text("RegularExpressionGroupName", obj, context) or "",
            )
        if source is None:
            return None
        if mode == "literal":
            find = text("Find", obj, context)
            return source.replace(find, text("Replacement", obj, context) or "") if find else source
        if mode == "template":
            find, template = text("Find", obj, context), text("Template", obj, context) or ""
            return template.replace(find, source) if find else template
        pattern = text("RegularExpression", obj, context) or ""
        replacement = text("Replacement", obj, context) or ""
        if mode == "group":
            return dotnet_regex.replace_group(
                source, pattern, text("RegularExpressionGroupName", obj, context) or "", replacement
            )
        return dotnet_regex.regex_replace(source, pattern, replacement)

    source_reader = arguments["source"]

    def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> Any:
        value = source_reader(obj, context)
        try:
            if type(value) is list:
                return [replace_one(single(item), obj, context) for item in value]
            return replace_one(single(value, "source"), obj, context)
        except (ValueError, TypeError) as error:
            raise evaluation_error("Replace", error) from None

    return evaluate


# --- dates ---------------------------------------------------------------------------------


@function("Now", with_context=True)
def now(context: EvaluationContext) -> datetime:
    """The current UTC time (rendered M/d/yyyy h:mm:ss tt)."""
    return context.now()


@function("CDate", required("expression"))
def cdate(value: Any) -> datetime | None:
    """Parse a date/time (offsets like 2021-06-30+08:00 allowed) into UTC; null → null."""
    from . import dates

    return None if value is None else dates.as_utc(_date(value, "expression"))  # type: ignore[arg-type]


@function("DateAdd", required("interval"), required("value", Integer), required("dateTime", DateTime))
def date_add(interval: Any, value: Any, date_time: Any) -> datetime | None:
    """VB DateAdd; intervals yyyy, q, m, y, d, w, ww, h, n, s; month arithmetic clamps the day."""
    from . import dates

    moment = _date(date_time, "dateTime")
    if moment is None:
        return None
    return dates.date_add(single(interval, "interval"), as_int(value, "value"), moment)


@function("DateDiff", required("interval"), required("date1", DateTime), required("date2", DateTime))
def date_diff(interval: Any, date1: Any, date2: Any) -> int | None:
    """VB DateDiff: intervals from date1 to date2 (see dates.date_diff); null → null."""
    from . import dates

    first, second = _date(date1, "date1"), _date(date2, "date2")
    if first is None or second is None:
        return None
    return dates.date_diff(single(interval, "interval"), first, second)


@function("DateFromNum", required("value", Integer))
def date_from_num(value: Any) -> datetime | None:
    """AD FILETIME (100-ns ticks since 1601-01-01 UTC) → DateTime."""
    from . import dates

    return None if value is None else dates.from_filetime(as_int(value, "value"))


@function("NumFromDate", required("value"))
def num_from_date(value: Any) -> int | None:
    """Date/time (ISO 8601 expected) → AD FILETIME number, e.g. for accountExpires."""
    from . import dates

    moment = _date(value, "value")
    return None if moment is None else dates.to_filetime(moment)


@function(
    "FormatDateTime",
    required("source"),
    optional("dateTimeStyles"),
    required("inputFormat"),
    required("outputFormat"),
    per_value="source",
    with_context=True,
    layouts={3: ("source", "inputFormat", "outputFormat")},
)
def format_date_time(
    context: EvaluationContext, source: Any, styles: Any, input_format: Any, output_format: Any
) -> str | None:
    """Parse source with the .NET custom format inputFormat (exact) and write it with outputFormat.
    A DateTime source (Now(), CDate(…)) is not parsed. The legacy 3-argument form has no dateTimeStyles."""
    from . import dates

    if source is None:
        return None
    pattern_out = single(output_format, "outputFormat") or ""
    if isinstance(source, datetime):
        return dates.format_custom(source, pattern_out)
    text = single(source, "source")
    if text is None:
        return None
    moment = dates.parse_exact(
        text,
        single(input_format, "inputFormat") or "",
        dates.parse_styles(single(styles, "dateTimeStyles")),
        context.now,
    )
    return dates.format_custom(moment, pattern_out)


# --- generated values ----------------------------------------------------------------------


@function("Guid", with_context=True)
def guid(context: EvaluationContext) -> str:
    """A new random (version 4) GUID, lower-case and hyphenated."""
    return str(uuid.UUID(int=context.random.getrandbits(128), version=4))


# The non-alphanumeric characters of Windows' password complexity rules.
SPECIAL_CHARACTERS = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
_CHARACTER_CLASSES = ("0123456789", SPECIAL_CHARACTERS, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@function(
    "RandomString",
    required("Length", Integer),
    required("MinimumNumbers", Integer),
    required("MinimumSpecialCharacters", Integer),
    required("MinimumCapital", Integer),
    required("MinimumLowerCase", Integer),
    optional("CharactersToAvoid"),
    with_context=True,
)
def random_string(
    context: EvaluationContext, length: Any, numbers: Any, specials: Any, capitals: Any, lowers: Any, avoid: Any
) -> str:
    """A random string of Length (≤ 256) with at least the given counts of digits, specials, capitals
    and lower-case letters, none of CharactersToAvoid."""
    total = as_int(length, "Length")
    names = ("MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase")
    minimums = [as_int(value, name) for value, name in zip((numbers, specials, capitals, lowers), names, strict=True)]
    if not 1 <= total <= 256:
        raise ValueError(f"Length must be between 1 and 256, got {total}")
    if any(minimum < 0 for minimum in minimums):
        raise ValueError("the minimum counts must not be negative")
    if sum(minimums) > total:
        raise ValueError(f"the minimum counts add up to {sum(minimums)}, more than Length {total}")
    excluded = set(single(avoid, "CharactersToAvoid") or "")
    pools = ["".join(char for char in pool if char not in excluded) for pool in _CHARACTER_CLASSES]
    for pool, minimum, name in zip(pools, minimums, names, strict=True):
        if minimum and not pool:
            raise ValueError(f"{name} is {minimum} but CharactersToAvoid excludes every such character")
    everything = "".join(pools)
    if not everything:
        raise ValueError("CharactersToAvoid excludes every character")
    rng = context.random
    chars = [rng.choice(pool) for pool, minimum in zip(pools, minimums, strict=True) for _ in range(minimum)]
    chars += [rng.choice(everything) for _ in range(total - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


# --- comparisons (inside IIF / CBool, or anywhere a value is expected) ---------------------


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Both sides as booleans, dates or numbers when both read as such, else as strings (ordinal)."""
    if type(left) is list or type(right) is list:
        raise ValueError("a multi-valued value cannot be compared")
    if type(left) is bool or type(right) is bool:
        flags = (_flag(left), _flag(right))
        if None not in flags:
            return flags
    if isinstance(left, datetime) or isinstance(right, datetime):
        from . import dates

        try:
            left_date, right_date = _date(left, "the left side"), _date(right, "the right side")
            if left_date is not None and right_date is not None:  # always, as neither side is null
                return dates.as_utc(left_date), dates.as_utc(right_date)
        except ValueError:
            pass
    numbers = (as_number(left), as_number(right))
    if None not in numbers:
        return numbers
    return single(left), single(right)


def _flag(value: Any) -> bool | None:
    if type(value) is bool:
        return value
    text = single(value)
    lowered = text.strip().lower() if text is not None else None
    return True if lowered == "true" else False if lowered == "false" else None


def _comparison(symbol: str, test: Callable[[Any, Any], bool]) -> None:
    @special(symbol, required("left"), required("right"), kind=Kind.OPERATOR)
    def build(arguments: Arguments) -> Evaluator:
        left, right = arguments["left"], arguments["right"]

        def evaluate(obj: Mapping[str, Any], context: EvaluationContext) -> bool:
            a, b = left(obj, context), right(obj, context)
            if a is None or b is None:
                return False  # a comparison with a null side is false (the IIF pitfall)
            try:
                return test(*_comparable(a, b))
            except (ValueError, TypeError) as error:
                raise evaluation_error(f"the comparison {symbol}", error) from None

        return evaluate


for _symbol, _test in (
    ("=", operator.eq),
    ("<>", operator.ne),
    (">", operator.gt),
    (">=", operator.ge),
    ("<", operator.lt),
    ("<=", operator.le),
):
    _comparison(_symbol, _test)


# --- the published catalogue ---------------------------------------------------------------


def function_catalogue() -> list[AttributeMappingFunctionSchema]:
    """Graph's `schema/functions`: the callable functions (not keywords or comparison operators)."""
    return [
        AttributeMappingFunctionSchema(
            name=definition.name,
            parameters=[
                AttributeMappingParameterSchema(
                    name=parameter.name,
                    type=parameter.type,
                    required=parameter.required,
                    allow_multiple_occurrences=parameter.repeating,
                )
                for parameter in definition.parameters
            ],
        )
        for definition in sorted(REGISTRY, key=lambda definition: definition.name.lower())
        if definition.kind is Kind.FUNCTION
    ]
