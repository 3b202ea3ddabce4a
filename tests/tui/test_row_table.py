"""The row table of the Logs tab: what it draws, the cursor, selection, and rows replaced under it."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult

from synctui.tui.widgets.row_table import Column, Row, RowTable, fit

COLUMNS = (Column("Name", 12), Column("Kind"))


def rows(count: int, prefix: str = "row") -> list[Row]:
    return [(f"{prefix}{i}", (f"{prefix} {i}", ("User" if i % 2 else "Group", "green"))) for i in range(count)]


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[RowTable.RowHighlighted] = []

    def compose(self) -> ComposeResult:
        yield RowTable(*COLUMNS, id="table")

    def on_row_table_row_highlighted(self, message: RowTable.RowHighlighted) -> None:
        self.messages.append(message)

    def on_row_table_row_selected(self, message: RowTable.RowSelected) -> None:
        self.messages.append(message)


def line(table: RowTable, y: int) -> str:
    return table.render_line(y).text.strip()


def test_fit_pads_and_cuts_by_terminal_cells() -> None:
    assert fit("Ada", 5) == "Ada  "
    assert fit("Ada Lovelace", 5) == "Ada …"
    assert cell_len(fit("日本語のテキスト", 5)) == 5 and fit("日本語のテキスト", 5).endswith("…")


async def test_draws_the_header_and_the_rows_in_view_with_widths_from_their_text() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows([("a", ("Ada", "User")), ("b", ("Bartholomew Featherstonehaugh", ("Group", "red")))])
        await pilot.pause()
        assert line(table, 0) == "Name          Kind"
        assert line(table, 1) == "Ada           User"
        assert line(table, 2) == "Bartholomew…  Group"  # longer than the column's 12 cells
        assert line(table, 3) == ""
        assert table.row_count == 2 and table.row_keys == ["a", "b"]


async def test_the_cursor_moves_scrolls_into_view_and_enter_selects() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(rows(100))
        table.focus()
        await pilot.press("down", "down")
        assert table.cursor_row == 2 and table.cursor_key == "row2"
        await pilot.press("end")
        assert table.cursor_row == 99
        await pilot.pause()
        assert line(table, 7).startswith("row 99")  # the last line of the screen, under the header
        await pilot.press("pageup")
        assert table.cursor_row < 99
        await pilot.press("home", "enter")
        await pilot.pause()
        assert table.cursor_row == 0 and line(table, 1).startswith("row 0")
        selected = [m for m in app.messages if isinstance(m, RowTable.RowSelected)]
        assert [(m.key, m.row) for m in selected] == [("row0", 0)]
        assert any(type(m) is RowTable.RowHighlighted and m.key == "row99" for m in app.messages)


async def test_a_click_moves_the_cursor_and_selects() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(rows(5))
        await pilot.pause()
        await pilot.click(RowTable, offset=(2, 3))  # line 3: the header, then rows 0 and 1
        await pilot.pause()
        assert table.cursor_row == 2
        assert [m.key for m in app.messages if isinstance(m, RowTable.RowSelected)] == ["row2"]
        await pilot.click(RowTable, offset=(2, 0))  # the header selects nothing
        await pilot.pause()
        assert [m.key for m in app.messages if isinstance(m, RowTable.RowSelected)] == ["row2"]


async def test_new_rows_keep_the_cursor_on_its_row_or_its_place() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(rows(10))
        table.cursor_row = 3
        table.set_rows(rows(2, "new") + rows(10), cursor_key=table.cursor_key)
        assert table.cursor_key == "row3" and table.cursor_row == 5
        table.set_rows(rows(4, "other"), cursor_key=table.cursor_key)  # gone: the place, within the rows
        assert table.cursor_row == 3 and table.cursor_key == "other3"
        table.set_rows([])
        await pilot.press("enter", "down")
        await pilot.pause()
        assert table.cursor_row == 0 and table.cursor_key is None
        assert line(table, 0) == "Name  Kind" and line(table, 1) == ""
        assert not [m for m in app.messages if isinstance(m, RowTable.RowSelected)]
