"""Expression text → Graph attributeMappingSource tree (grammar: spec/expression-language.md §2).

    expression := operand [ OP operand ]                 OP: = <> >= > <= <
    operand    := call | keyword | [attribute] | "string" | number | &Hhex | ( expression )
    call       := NAME ws* "(" [ argument ( "," argument )* ] ")"
    argument   := ws* [ expression ] ws*                 an argument may be empty

Parentheses around an operand are our addition: they are only needed to write a comparison whose
operand is itself a comparison, which to_text can then express.
"""

from __future__ import annotations

from ..models import AttributeMappingSource
from .definitions import FunctionDefinition, Kind, SignatureError, Slot, bind_positional
from .errors import ExpressionSyntaxError
from .functions import REGISTRY
from .syntax import (
    COMPARE_KEYWORDS,
    MAX_DEPTH,
    MAX_LENGTH,
    attribute_node,
    closing_bracket,
    constant_node,
    function_node,
)

_OPERATORS = ("<>", ">=", "<=", "=", ">", "<")  # two-character operators first
_EXPECTED_VALUE = 'expected a function call, [attribute], "string" or number'
_COMPARE_KEYWORDS = {keyword.lower(): keyword for keyword in COMPARE_KEYWORDS}


def parse(text: str) -> AttributeMappingSource:
    """Parse expression text into the tree Graph's parseExpression returns; ExpressionSyntaxError if invalid."""
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(
            f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}", MAX_LENGTH + 1
        )
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    # --- helpers ---

    def error(self, message: str, position: int | None = None) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, (self.position if position is None else position) + 1)

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def skip_space(self) -> None:
        text, position = self.text, self.position
        while position < len(text) and text[position].isspace():
            position += 1
        self.position = position

    def found(self) -> str:
        char = self.peek()
        return f"found {char!r}" if char else "but the expression ended"

    # --- grammar ---

    def parse(self) -> AttributeMappingSource:
        self.skip_space()
        if not self.peek():
            raise self.error("expected an expression")
        node = self.expression(0)
        self.skip_space()
        if self.peek():
            raise self.error(f"unexpected {self.peek()!r} after the end of the expression")
        return node

    def expression(self, depth: int) -> AttributeMappingSource:
        if depth > MAX_DEPTH:
            raise self.error(f"the expression is nested more than {MAX_DEPTH} levels deep")
        left = self.operand(depth)
        self.skip_space()
        operator = next((op for op in _OPERATORS if self.text.startswith(op, self.position)), None)
        if operator is None:
            return left
        self.position += len(operator)
        self.skip_space()
        right = self.operand(depth)
        return function_node(REGISTRY.find(operator), [("left", left), ("right", right)])  # type: ignore[arg-type]

    def operand(self, depth: int) -> AttributeMappingSource:
        char = self.peek()
        if char == "[":
            return self.attribute()
        if char == '"':
            return self.string()
        if char == "-" or char.isdigit():
            return self.number()
        if char == "&":
            return self.hex_number()
        if char == "(":
            start = self.position
            self.position += 1
            self.skip_space()
            inner = self.expression(depth + 1)
            self.skip_space()
            if self.peek() != ")":
                raise self.error(f"expected ')' to close the '(' at column {start + 1}, {self.found()}")
            self.position += 1
            return inner
        if char.isascii() and char.isalpha():
            return self.name(depth)
        raise self.error(f"{_EXPECTED_VALUE}, {self.found()}")

    def attribute(self) -> AttributeMappingSource:
        start = self.position
        end = closing_bracket(self.text, start)
        if end < 0:
            raise self.error("unterminated attribute name: expected ']'", start)
        name = self.text[start + 1 : end]
        if not name.strip():
            raise self.error("empty attribute name '[]'", start)
        self.position = end + 1
        return attribute_node(name)

    def string(self) -> AttributeMappingSource:
        start = self.position
        text = self.text
        index = start + 1
        chars: list[str] = []
        while index < len(text):
            char = text[index]
            if char == '"':
                self.position = index + 1
                return constant_node("".join(chars))
            if char == "\\" and index + 1 < len(text):
                following = text[index + 1]
                # \" and \\ are escapes; any other backslash is kept as written (regexes like "\d")
                chars.append(following if following in '"\\' else char + following)
                index += 2
                continue
            chars.append(char)
            index += 1
        raise self.error("unterminated string: expected a closing '\"'", start)

    def number(self) -> AttributeMappingSource:
        start = self.position
        index = start + 1 if self.peek() == "-" else start
        end = index
        while end < len(self.text) and self.text[end].isdigit():
            end += 1
        if end == index:
            raise self.error("expected digits after '-'", index)
        self.position = end
        return constant_node(self.text[start:end])

    def hex_number(self) -> AttributeMappingSource:
        start = self.position
        if self.text[start + 1 : start + 2] not in ("H", "h"):
            raise self.error(f"{_EXPECTED_VALUE}; a hex number is written &H followed by hex digits", start)
        end = start + 2
        while end < len(self.text) and self.text[end] in "0123456789abcdefABCDEF":
            end += 1
        if end == start + 2:
            raise self.error("expected hex digits after '&H'", end)
        self.position = end
        return constant_node(self.text[start:end])

    def name(self, depth: int) -> AttributeMappingSource:
        start = self.position
        end = start
        while end < len(self.text) and self.text[end].isascii() and self.text[end].isalnum():
            end += 1
        word = self.text[start:end]
        self.position = end
        self.skip_space()
        definition = REGISTRY.find(word)
        if self.peek() == "(":
            if definition is None or definition.kind is Kind.OPERATOR:
                raise self.error(f"unknown function {word!r}", start)
            return self.call(definition, start, depth)
        self.position = end
        if word.lower() in _COMPARE_KEYWORDS:
            return constant_node(_COMPARE_KEYWORDS[word.lower()])
        if definition is not None and definition.kind is Kind.KEYWORD:
            return function_node(definition, [])
        if definition is not None:
            raise self.error(f"expected '(' after the function name {definition.name}, {self.found()}")
        raise self.error(f"unknown function or keyword {word!r}", start)

    def call(self, definition: FunctionDefinition, name_start: int, depth: int) -> AttributeMappingSource:
        self.position += 1  # '('
        slots: list[Slot] = []
        columns: list[int] = []
        self.skip_space()
        if self.peek() == ")":
            self.position += 1
        else:
            while True:
                self.skip_space()
                columns.append(self.position)
                slots.append(None if self.peek() in (",", ")") else self.expression(depth + 1))
                self.skip_space()
                char = self.peek()
                self.position += 1
                if char == ")":
                    break
                if char != ",":
                    self.position -= 1
                    raise self.error(f"expected ')' or ',', {self.found()}")
        try:
            pairs = bind_positional(definition, slots)
        except SignatureError as problem:
            position = columns[problem.slot] if problem.slot is not None else name_start
            raise self.error(problem.message, position) from None
        return function_node(definition, pairs)
