"""The Excel return (or profile) of a views.ReturnView: a Summary sheet (counts, notes and
native charts), then one sheet per section, printed without loss: text longer than a row
shows continues in the rows below (`printed`), title column and header row repeated on every
page, the award named at the top of each. Books, formats and charts come from `xlsx_writer`
(the only XlsxWriter user).
"""

from __future__ import annotations

import io
import math
from typing import Any

from .printed import CONTINUED_CUE, CONTINUES, MAX_ROW_HEIGHT, pieces, row_height
from .sheets import Cell, Table
from .views import ChartView, ReturnView
from .xlsx_writer import Formats, native_chart, new_book, print_setup, write_cell

__all__ = ["MAX_PAGES_WIDE", "WIDTH_PER_PAGE", "write_excel_return"]

#: Column widths (characters) one landscape A4 page prints at a readable scale, and the most
#: pages a sheet is spread across side by side.
WIDTH_PER_PAGE = 300
MAX_PAGES_WIDE = 4


def write_excel_return(view: ReturnView) -> bytes:
    """The Excel return (or profile): a Summary sheet, then one sheet per non-empty section."""
    buffer = io.BytesIO()
    book, fmt = new_book(buffer, view.title, view.kind)
    sheet = book.add_worksheet("Summary")
    sheet.write_string(0, 0, view.title, fmt.title)
    lines = [view.summary]
    if view.reference:
        lines.insert(0, f"Award Reference: {view.reference}")
    lines.extend(view.notes)
    for row, line in enumerate(lines, start=1):
        sheet.write_string(row, 0, line, fmt.cell)
    top = len(lines) + 2
    table = view.glance_by_year
    for col, text in enumerate(table.headers):
        sheet.write_string(top, col, text, fmt.optional)
    # Narrow year columns (four digits), so that an award of 20 years prints its table on a
    # landscape page at a readable size; "Entries", "To 2014" and "Undated" a little wider.
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, len(table.headers) - 1, 6 if len(table.headers) > 12 else 9)
    sheet.set_column(1, 1, 8)
    sheet.set_column(len(table.headers) - 1, len(table.headers) - 1, 9)
    for row, (title, numbers) in enumerate(table.rows, start=top + 1):
        sheet.write_string(row, 0, title, fmt.cell)
        for col, number in enumerate(numbers, start=1):
            if number or col == 1:  # blank, as in the Word return, where a year has none
                sheet.write_number(row, col, number, fmt.number)
    total_row = top + 1 + len(table.rows)
    sheet.write_string(total_row, 0, "Total", fmt.total)
    for col, number in enumerate(table.totals, start=1):
        sheet.write_number(total_row, col, number, fmt.total)
    sheet.write_string(total_row + 2, 0, view.summary_note, fmt.cell)
    _summary_charts(book, sheet, view.charts, total_row + 4, fmt)
    sheet.freeze_panes(top + 1, 1)
    print_setup(sheet, landscape=True, header=view.header)  # the table and its charts beside it
    for section in view.sections:
        _return_table(book, _used_columns(section.table), fmt, view.header)
    book.close()
    return buffer.getvalue()


def _used_columns(table: Table) -> Table:
    """The table without its columns that are empty in every row (a return shows what was reported)."""

    def filled(row: tuple[Cell | None, ...], index: int) -> bool:
        cell = row[index] if index < len(row) else None
        return cell is not None and cell.value is not None and cell.value != ""

    keep = [i for i in range(len(table.columns)) if any(filled(row, i) for row in table.rows)]
    if len(keep) == len(table.columns):
        return table
    return Table(
        table.name,
        tuple(table.columns[i] for i in keep),
        tuple(tuple(row[i] if i < len(row) else None for i in keep) for row in table.rows),
    )


def _return_table(book: Any, table: Table, fmt: Formats, header: str = "") -> None:
    """A section of an Excel return: plain bold headers, long texts wrapped in rows sized to
    them, and printed landscape, one page wide, the header row (and, over several pages wide,
    the title column) on every page, the award named at the top of each."""
    sheet = book.add_worksheet(table.name)
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column.label, fmt.heading)
        style = fmt.wrap if column.style in ("wrap", "text") else fmt.style(column.style)
        sheet.set_column(col, col, column.width, style)
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, max(row_height(c.label, c.width) for c in table.columns) if table.columns else 15)
    counter = [0]
    row = 1
    for cells in table.rows:
        row += _entry_rows(sheet, row, cells, table, fmt, counter)
    last = row - 1
    if last > len(table.rows):  # some text went on in rows below: say which row each continues
        sheet.write_string(0, len(table.columns), CONTINUES, fmt.heading)
        sheet.set_column(len(table.columns), len(table.columns), 8, None, {"hidden": True})
    sheet.autofilter(0, 0, max(last, 1), max(len(table.columns) - 1, 0))
    # One page wide while the text stays readable (about half size); a wider sheet (a
    # researchfish export's 30 columns) prints over a few pages side by side instead.
    total = sum(column.width for column in table.columns)
    pages_wide = max(1, min(MAX_PAGES_WIDE, math.ceil(total / WIDTH_PER_PAGE)))
    print_setup(sheet, landscape=True, pages_wide=pages_wide, header=header)
    sheet.repeat_rows(0)
    if pages_wide > 1 and table.columns:
        sheet.repeat_columns(0)  # the title column beside the Impact and URL pages


def _entry_rows(
    sheet: Any, row: int, cells: tuple[Cell | None, ...], table: Table, fmt: Formats, links: list[int]
) -> int:
    """Write one entry at `row`; text longer than a row shows goes on in the rows below, the
    first column saying "(continued)" and the hidden last column the entry's row. The rows used."""
    columns = table.columns
    texts = {  # each text cell, in the pieces a row shows (one piece for most)
        col: pieces(cell.value, columns[col].width)
        for col, cell in enumerate(cells[: len(columns)])
        if cell is not None and isinstance(cell.value, str)
    }
    split = {col for col, parts in texts.items() if len(parts) > 1}
    depth = max((len(parts) for parts in texts.values()), default=1)
    for offset in range(depth):
        for col, cell in enumerate(cells):
            if col in split:
                if offset < len(texts[col]):
                    sheet.write_string(row + offset, col, texts[col][offset], fmt.wrap)
            elif offset == 0:
                write_cell(sheet, row, col, cell, fmt, links, wrap=True)
        shown = [(col, parts[offset]) for col, parts in texts.items() if offset < len(parts)]
        height = max((row_height(text, columns[col].width) for col, text in shown if text), default=15.0)
        if offset:
            if 0 not in split or offset >= len(texts[0]):
                sheet.write_string(row + offset, 0, CONTINUED_CUE, fmt.missing)
            sheet.write_number(row + offset, len(columns), row + 1, fmt.cell)  # the entry's row, as Excel numbers it
        sheet.set_row(row + offset, min(max(height, 15.0), MAX_ROW_HEIGHT))
    return depth


def _summary_charts(book: Any, sheet: Any, charts: tuple[ChartView, ...], row: int, fmt: Formats) -> None:
    """Each chart's data as a small table, with a native Excel bar chart beside it."""
    for chart in charts:
        sheet.write_string(row, 0, chart.title, fmt.bold)
        sheet.write_string(row, 1, chart.counted, fmt.bold)
        first = row + 1
        for offset, (category, value) in enumerate(zip(chart.categories, chart.values)):
            sheet.write_string(first + offset, 0, category, fmt.cell)
            sheet.write_number(first + offset, 1, value, fmt.number)
        native, height = native_chart(book, "Summary", chart, first, 0)
        sheet.insert_chart(row, 3, native, {"object_position": 1})
        row = max(first + len(chart.categories) + 2, row + height // 20 + 2)
