"""Edit one attribute mapping, with a live expression check and a Test panel: the dialog posts
`ParseRequested`, the app's worker answers with `Parsed` (service.parse_expression)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from ...key_values import split_pair
from ...models import AttributeMapping, AttributeMappingSource, AttributeMappingSourceType, ParseExpressionResponse
from ..format import enum_text
from .form import FormDialog

TYPES = [("Direct", "Direct"), ("Constant", "Constant"), ("Expression", "Expression")]
APPLY = [("Always", "Always"), ("Only during object creation", "ObjectAddOnly")]


def parse_test_values(text: str) -> dict[str, Any]:
    """'givenName=Ann; surname=Lee; proxyAddresses=a|b' → typed test input (| makes a list; true/false → bool)."""
    values: dict[str, Any] = {}
    for part in text.split(";"):
        pair = split_pair(part)
        if pair is None:
            continue
        name, value = pair[0], pair[1].strip()
        if "|" in value:
            values[name] = [v.strip() for v in value.split("|")]
        elif value.lower() in ("true", "false"):
            values[name] = value.lower() == "true"
        else:
            values[name] = value
    return values


def describe_parse(response: ParseExpressionResponse, tested: bool) -> tuple[str, bool]:
    if not response.parsing_succeeded:
        message = response.error.message if response.error else "the expression does not parse"
        return f"✖ {message}", False
    text = "✔ parses"
    if tested:
        if response.evaluation_succeeded:
            text += " — result: " + ", ".join(repr(v) for v in (response.evaluation_result or []))
        else:
            text += " — evaluation failed: " + ((response.error and response.error.message) or "?")
    return text, True


class MappingDialog(FormDialog[AttributeMapping]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="mapping.cancel", tooltip="Close without changing")
    ]

    class ParseRequested(Message):
        """Check this expression, and evaluate it with the `test` values if there are any."""

        def __init__(self, dialog: MappingDialog, expression: str, test: dict[str, Any] | None) -> None:
            super().__init__()
            self.dialog, self.expression, self.test = dialog, expression, test

        @property
        def control(self) -> MappingDialog:
            return self.dialog

    class Parsed(Message):
        """The service's answer to a ParseRequested: its response, or why there is none."""

        def __init__(
            self, request: MappingDialog.ParseRequested, response: ParseExpressionResponse | None, error: str | None
        ) -> None:
            super().__init__()
            self.request, self.response, self.error = request, response, error

    def __init__(self, mapping: AttributeMapping | None, sources: list[str], targets: list[str]) -> None:
        super().__init__(classes="dialog")
        self.mapping = mapping
        self.sources, self.targets = sources, targets
        self.last_parse: tuple[str, ParseExpressionResponse] | None = None
        self._kind_shown = ""
        """The mapping type the fields show: what a switch to Expression takes the source from."""

    def compose(self) -> ComposeResult:
        m = self.mapping
        kind = "Direct"
        source_attr: Any = Select.NULL
        constant = expression = ""
        if m is not None and m.source is not None:
            source_type = enum_text(m.source.type)
            if source_type == "Attribute":
                source_attr = m.source.name if m.source.name in self.sources else Select.NULL
            elif source_type == "Constant":
                kind, constant = "Constant", m.source.name or ""
            else:
                kind, expression = "Expression", m.source.expression or ""
        with Vertical(id="dialog-box", classes="wide"):
            yield Label("Edit attribute mapping" if m else "Add attribute mapping", id="dialog-title")
            with VerticalScroll():
                yield Label("Mapping type")
                yield Select(TYPES, value=kind, allow_blank=False, id="mapping-type")
                yield Label("Source attribute", classes="direct")
                yield Select([(s, s) for s in self.sources], value=source_attr, id="mapping-source", classes="direct")
                yield Label("Constant value", classes="constant")
                yield Input(constant, id="mapping-constant", classes="constant")
                yield Label("Expression", classes="expression")
                yield Input(
                    expression,
                    id="mapping-expression",
                    classes="expression",
                    placeholder='Join(" ", [givenName], [surname])',
                )
                yield Static("", id="expression-result", classes="expression", markup=False)
                yield Label("Test values (name=value; … — use | for several values)", classes="expression")
                yield Input("", id="expression-test", classes="expression", placeholder="givenName=Ann; surname=Lee")
                yield Label("Target attribute")
                target = m.target_attribute_name if m and m.target_attribute_name in self.targets else Select.NULL
                yield Select([(t, t) for t in self.targets], value=target, id="mapping-target")
                yield Label("Default value if null (optional)")
                yield Input(m.default_value or "" if m else "", id="mapping-default")
                yield Label("Matching precedence (0 = not a matching attribute)")
                yield Input(str(m.matching_priority if m else 0), id="mapping-priority", type="integer")
                yield Label("Apply this mapping")
                yield Select(
                    APPLY, value=enum_text(m.flow_type) if m else "Always", allow_blank=False, id="mapping-apply"
                )
                yield Static("", id="mapping-error", classes="error-text", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._show_kind()
        self._check()
        self.query_one("#mapping-type", Select).focus()

    def _kind(self) -> str:
        return str(self.query_one("#mapping-type", Select).value)

    def _show_kind(self) -> None:
        kind = self._kind()
        if kind == "Expression" and self._kind_shown and not self.query_one("#mapping-expression", Input).value:
            self.query_one("#mapping-expression", Input).value = self._source_as_expression(self._kind_shown)
        self._kind_shown = kind
        for cls, shown in (
            ("direct", kind == "Direct"),
            ("constant", kind == "Constant"),
            ("expression", kind == "Expression"),
        ):
            for widget in self.query(f".{cls}"):
                widget.display = shown

    def _source_as_expression(self, kind: str) -> str:
        """The source the fields of `kind` hold, written as an expression ("" if there is none)."""
        if kind == "Direct":
            source = self.query_one("#mapping-source", Select)
            return "" if source.is_blank() else f"[{source.value}]"
        constant = self.query_one("#mapping-constant", Input).value
        return '"' + constant.replace('"', '""') + '"'

    @on(Select.Changed, "#mapping-type")
    def _type_changed(self) -> None:
        self._show_kind()
        self._check()

    @on(Input.Changed, "#mapping-expression")
    @on(Input.Changed, "#expression-test")
    def _check(self) -> None:
        if self._kind() == "Expression":
            test_text = self.query_one("#expression-test", Input).value
            test = parse_test_values(test_text) if test_text.strip() else None
            self.post_message(self.ParseRequested(self, self.query_one("#mapping-expression", Input).value, test))

    @on(Parsed)
    def _parsed(self, message: Parsed) -> None:
        response = message.response
        if response is None:
            text, ok = message.error or "", False
        else:
            self.last_parse = (message.request.expression, response)
            text, ok = describe_parse(response, message.request.test is not None)
        result = self.query_one("#expression-result", Static)
        result.update(text)
        result.set_class(not ok, "error-text")
        result.set_class(ok, "ok-text")

    def _build_mapping(self) -> AttributeMapping | str:
        target = self.query_one("#mapping-target", Select).value
        if self.query_one("#mapping-target", Select).is_blank():
            return "choose a target attribute"
        kind = self._kind()
        if kind == "Direct":
            source_name = self.query_one("#mapping-source", Select).value
            if self.query_one("#mapping-source", Select).is_blank():
                return "choose a source attribute"
            source = AttributeMappingSource(
                type=AttributeMappingSourceType.Attribute, name=str(source_name), expression=f"[{source_name}]"
            )
        elif kind == "Constant":
            value = self.query_one("#mapping-constant", Input).value
            source = AttributeMappingSource(
                type=AttributeMappingSourceType.Constant, name=value, expression='"' + value.replace('"', '""') + '"'
            )
        else:
            expression = self.query_one("#mapping-expression", Input).value
            if not expression.strip():
                return "enter an expression"
            if self.last_parse is None or self.last_parse[0] != expression:
                return "the expression is still being checked; try again"
            response = self.last_parse[1]
            if not response.parsing_succeeded or response.parsed_expression is None:
                return "fix the expression first: " + (
                    (response.error and response.error.message) or "it does not parse"
                )
            source = response.parsed_expression
        priority_text = self.query_one("#mapping-priority", Input).value.strip() or "0"
        try:
            priority = int(priority_text)
        except ValueError:
            return "matching precedence must be a whole number"
        if priority < 0:
            return "matching precedence cannot be negative"
        base = (
            self.mapping.model_copy(deep=True) if self.mapping else AttributeMapping(target_attribute_name=str(target))
        )
        base.target_attribute_name = str(target)
        base.source = source
        base.default_value = self.query_one("#mapping-default", Input).value or None
        base.matching_priority = priority
        data = base.model_dump(mode="json")
        data["flowType"] = str(self.query_one("#mapping-apply", Select).value)
        return AttributeMapping.model_validate(data)

    def submit(self) -> None:
        result = self._build_mapping()
        if isinstance(result, str):
            self.query_one("#mapping-error", Static).update(f"✖ {result}")
            return
        self.dismiss(result)
