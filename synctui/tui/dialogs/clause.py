"""Add or edit one scoping clause: a source attribute, an operator from the service's catalogue
(`filter_operators`, narrowed to those for the attribute's type) and, for binary operators, the value.

The dialog checks that the clause is complete; whether the value suits the operator (a regex that
compiles, a whole number) is the service's to say when the schema is saved."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from ...models import (
    AttributeDefinition,
    FilterClause,
    FilterOperand,
    FilterOperatorSchema,
)
from ..format import enum_text
from .form import FormDialog


def is_unary(operator: FilterOperatorSchema) -> bool:
    return enum_text(operator.arity) == "Unary"


def operators_for(operators: list[FilterOperatorSchema], attribute_type: str | None) -> list[FilterOperatorSchema]:
    """The operators that apply to an attribute of `attribute_type`: none before an attribute is
    chosen, so that no operator is offered for a type it does not apply to."""
    if attribute_type is None:
        return []
    return [
        op
        for op in operators
        if not op.supported_attribute_types or attribute_type in {enum_text(t) for t in op.supported_attribute_types}
    ]


class ClauseDialog(FormDialog[FilterClause]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="clause.cancel", tooltip="Close without changing")
    ]

    def __init__(
        self,
        clause: FilterClause | None,
        attributes: list[AttributeDefinition],
        operators: list[FilterOperatorSchema],
        where: str,
    ) -> None:
        super().__init__(classes="dialog")
        self.clause = clause
        self.attributes = {a.name: a for a in attributes}
        self.operators = {op.name: op for op in operators}
        self.where = where

    def compose(self) -> ComposeResult:
        clause = self.clause
        attribute = clause.source_operand_name if clause and clause.source_operand_name in self.attributes else None
        values = clause.target_operand.values if clause and clause.target_operand else []
        with Vertical(id="dialog-box"):
            yield Label("Edit scoping clause" if clause else "Add scoping clause", id="dialog-title")
            yield Static(self.where, id="dialog-message", markup=False)
            with VerticalScroll():
                yield Label("Source attribute")
                yield Select(
                    [(f"{a.name} ({enum_text(a.type)})", a.name) for a in self.attributes.values()],
                    value=attribute if attribute else Select.NULL,
                    prompt="choose an attribute",
                    id="clause-attribute",
                )
                yield Label("Operator")
                yield Select(
                    self._operator_options(attribute),
                    prompt="choose an operator" if attribute else "choose an attribute first",
                    id="clause-operator",
                    disabled=attribute is None,
                )
                yield Label("Value", classes="clause-value")
                yield Input(
                    values[0] if values else "",
                    id="clause-value",
                    classes="clause-value",
                    placeholder="e.g. Sales, or a regex for REGEX MATCH",
                )
                note = ""
                if clause is not None and clause.operator_name not in self.operators:
                    note = f"✖ the operator {clause.operator_name!r} is unknown: choose one"
                yield Static(note, id="clause-error", classes="error-text", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self.clause is not None and self.clause.operator_name in self.allowed_operators():
            self.query_one("#clause-operator", Select).value = self.clause.operator_name
        self._show_value()
        self.query_one("#clause-attribute", Select).focus()

    def _attribute(self) -> str | None:
        select = self.query_one("#clause-attribute", Select)
        return None if select.is_blank() else str(select.value)

    def allowed_operators(self) -> list[str]:
        """The operators offered for the chosen attribute."""
        return [op.name for op in self._operators_for(self._attribute())]

    def _operators_for(self, attribute: str | None) -> list[FilterOperatorSchema]:
        definition = self.attributes.get(attribute or "")
        return operators_for(list(self.operators.values()), enum_text(definition.type) if definition else None)

    def _operator_options(self, attribute: str | None) -> list[tuple[str, str]]:
        return [
            (f"{op.name}{'  (no value)' if is_unary(op) else ''}", op.name) for op in self._operators_for(attribute)
        ]

    def _operator(self) -> FilterOperatorSchema | None:
        select = self.query_one("#clause-operator", Select)
        return None if select.is_blank() else self.operators.get(str(select.value))

    def _show_value(self) -> None:
        operator = self._operator()
        for widget in self.query(".clause-value"):
            widget.display = operator is None or not is_unary(operator)

    @on(Select.Changed, "#clause-attribute")
    def _attribute_changed(self) -> None:
        # Keep the operator if it applies to the new attribute's type; otherwise ask again.
        select = self.query_one("#clause-operator", Select)
        current: Any = select.value
        select.set_options(self._operator_options(self._attribute()))
        select.disabled = self._attribute() is None
        select.prompt = "choose an operator" if self._attribute() else "choose an attribute first"
        if current in self.allowed_operators():
            select.value = current
        self._show_value()

    @on(Select.Changed, "#clause-operator")
    def _operator_changed(self) -> None:
        self._show_value()

    def build(self) -> FilterClause | str:
        """The clause, or what is missing."""
        attribute = self._attribute()
        if attribute is None:
            return "choose a source attribute"
        operator = self._operator()
        if operator is None:
            return "choose an operator"
        if is_unary(operator):
            return FilterClause(source_operand_name=attribute, operator_name=operator.name, target_operand=None)
        value = self.query_one("#clause-value", Input).value
        if not value.strip():
            return f"{operator.name} compares with a value: enter it"
        return FilterClause(
            source_operand_name=attribute, operator_name=operator.name, target_operand=FilterOperand(values=[value])
        )

    def submit(self) -> None:
        result = self.build()
        if isinstance(result, str):
            self.query_one("#clause-error", Static).update(f"✖ {result}")
            return
        self.dismiss(result)
