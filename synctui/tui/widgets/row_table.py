"""A table that draws only the rows in view: for hundreds of rows that change while you look."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class Column:
    label: str
    max_width: int = 40
    """Longer text is cut, with an ellipsis."""


Cell = str | tuple[str, str]
"""A cell's text, or its text and a Rich style such as "bold red"."""

Row = tuple[str, Sequence[Cell]]
"""A row's key and its cells, one per column."""


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class RowTable(ScrollView, can_focus=True):
    """A table of rows with a row cursor, drawn a line at a time as lines come into view.

    Textual's DataTable measures every cell of every row it is given, and renders each cell through
    Rich: a few hundred log entries held the keys far too long (benchmarks/README.md). Here new
    rows cost a pass over their text for the column widths, and a paint costs the rows on screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-table--header", "row-table--even-row", "row-table--cursor"}
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        & > .row-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .row-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .row-table--even-row { background: $surface-darken-1 40%; }
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class RowHighlighted(Message):
        """Another row is under the cursor: it moved, or new rows came."""

        def __init__(self, table: RowTable, key: str, row: int) -> None:
            super().__init__()
            self.table, self.key, self.row = table, key, row

        @property
        def control(self) -> RowTable:
            return self.table

    class RowSelected(RowHighlighted):
        """Enter was pressed on a row, or it was clicked."""

    def __init__(
        self,
        *columns: Column,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.columns = columns
        self._rows: list[Row] = []
        self._widths = self._column_widths()
        self._highlighted: str | None = None

    # --- what is shown ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def row_keys(self) -> list[str]:
        return [key for key, _ in self._rows]

    @property
    def cursor_key(self) -> str | None:
        return self._rows[self.cursor_row][0] if self._rows else None

    def set_rows(self, rows: Sequence[Row], cursor_key: str | None = None) -> None:
        """Show `rows` instead of the rows shown. The cursor goes to the row of `cursor_key` when it
        is among them, else it keeps its place."""
        self._rows = list(rows)
        self._widths = self._column_widths()
        self.virtual_size = Size(self._row_width, len(self._rows) + 1)
        found = (index for index, (key, _) in enumerate(self._rows) if key == cursor_key)
        self.cursor_row = next(found, self.cursor_row)  # validated to the new rows, then watched
        self.refresh()

    def _column_widths(self) -> list[int]:
        """Each column as wide as its longest text, label included, up to its maximum."""

        def width(index: int, column: Column) -> int:
            longest = max((cell_len(_text(cells[index])) for _, cells in self._rows), default=0)
            return min(column.max_width, max(cell_len(column.label), longest))

        return [width(index, column) for index, column in enumerate(self.columns)]

    @property
    def _row_width(self) -> int:
        return sum(width + 2 for width in self._widths)  # a space either side of each cell

    # --- cursor -------------------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, row: int) -> None:
        self.refresh()
        self._show_row(row)
        key = self.cursor_key
        if key is not None and key != self._highlighted:  # moved, or other rows came under it
            self._highlighted = key
            self.post_message(self.RowHighlighted(self, key, row))

    def _show_row(self, row: int) -> None:
        """Scroll so that `row` is in view, under the header."""
        height = self.scrollable_content_region.height - 1
        top = self.scroll_offset.y
        if height <= 0:
            return
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page()

    def action_page_down(self) -> None:
        self.cursor_row += self._page()

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def action_select(self) -> None:
        if (key := self.cursor_key) is not None:
            self.post_message(self.RowSelected(self, key, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1 and self.scroll_offset.y + offset.y - 1 < len(self._rows):
            self.cursor_row = self.scroll_offset.y + offset.y - 1
            self.action_select()

    # --- drawing ------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        style = self.rich_style
        index = scroll_y + y - 1
        if y == 0:  # the header stays on top, across the whole width
            style += self.get_component_rich_style("row-table--header")
            strip = self._strip([column.label for column in self.columns], style)
            return strip.crop_extend(scroll_x, scroll_x + self.size.width, style)
        if index >= len(self._rows):
            return Strip.blank(self.size.width, style)
        row_style = style
        if index % 2:
            row_style += self.get_component_rich_style("row-table--even-row")
        if index == self.cursor_row:
            row_style += self.get_component_rich_style("row-table--cursor")
        return self._strip(self._rows[index][1], row_style).crop_extend(scroll_x, scroll_x + self.size.width, style)

    def _strip(self, cells: Sequence[Cell], style: Style) -> Strip:
        segments = [
            Segment(f" {fit(_text(cell), width)} ", style + _style(cell))
            for cell, width in zip(cells, self._widths, strict=True)
        ]
        return Strip(segments, self._row_width)


def _text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell[0]


def _style(cell: Cell) -> Style:
    return Style.parse(cell[1]) if isinstance(cell, tuple) and cell[1] else Style.null()
