"""Write every .xlsx the tool produces, from views: input workbooks (inputs.InputBook), and the
books, formats, cells, print set-up and native charts `xlsx_return` (Excel returns and
profiles) and `xlsx_portfolio` (the portfolio summary and report) write theirs with.

The only module that imports XlsxWriter, and it knows nothing of fields, entries or the
schema: it writes tables of cells (sheets.Table) and the summary of a return. XlsxWriter was
chosen over openpyxl for writing because `write_string` never turns text into a formula (user
text starting with =, +, - or @ stays text), it is faster on large sheets, and its zip entries
carry a fixed timestamp, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from . import imported as imported_values
from .inputs import IMPORT_LOG_HEADERS, IMPORT_LOG_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET, InputBook, Instructions
from .outputs import MARK, OutputKind
from .printed import row_height
from .sheets import Cell, Table
from .views import ChartView

#: Fixed document date so that rebuilding the same data gives identical files.
FIXED_DATE = dt.datetime(2000, 1, 1)
MAX_URL = 2079
MAX_LINKS_PER_SHEET = 65530
MAX_ROWS = 1_048_576


class Formats:
    """The cell formats of one workbook, created once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"valign": "top", "font_size": 10}
        self.cell = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.text = book.add_format({**base, "num_format": "@"})
        self.month = book.add_format({**base, "num_format": "mm/yyyy", "align": "left"})
        self.day = book.add_format({**base, "num_format": "dd/mm/yyyy", "align": "left"})
        self.money = book.add_format({**base, "num_format": "#,##0.00"})
        #: Whole pounds without pence (an amount with pence keeps them: `money`).
        self.pounds = book.add_format({**base, "num_format": "#,##0"})
        self.year = book.add_format({**base, "num_format": "0", "align": "left"})
        self.link = book.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.missing = book.add_format({**base, "font_color": "#7F7F7F", "italic": True})
        header = {
            "bold": True,
            "text_wrap": True,
            "valign": "top",
            "font_size": 10,
            "border": 1,
            "border_color": "#8EA9DB",
        }
        self.required = book.add_format({**header, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
        self.optional = book.add_format({**header, "bg_color": "#DDEBF7"})
        self.extra = book.add_format({**header, "bg_color": "#F2F2F2", "italic": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True, "font_size": 10})
        self.para = book.add_format({"text_wrap": True, "valign": "top", "font_size": 10})
        self.number = book.add_format({"font_size": 10, "num_format": "#,##0"})
        self.total = book.add_format({"bold": True, "font_size": 10, "top": 1, "num_format": "#,##0"})
        #: A return's column headers: plain, not the input workbook's required/optional colours.
        self.heading = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "font_size": 10, "bottom": 1, "bg_color": "#F2F2F2"}
        )
        self._styles = {
            "text": self.cell,
            "wrap": self.wrap,
            "identifier": self.text,
            "month": self.month,
            "day": self.day,
            "money": self.money,
            "year": self.year,
            "number": self.cell,
            "missing": self.missing,
        }

    def style(self, name: str) -> Any:
        """The cell format of a cell style (see fieldtypes.Cell)."""
        return self._styles.get(name, self.cell)


def new_book(buffer: io.BytesIO, title: str, kind: OutputKind | None = None) -> tuple[xlsxwriter.Workbook, Formats]:
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": title[:255], "created": FIXED_DATE, "author": "funder-report"})
    if kind is not None:
        book.set_custom_property(MARK, kind.value)
    return book, Formats(book)


def write_cell(
    sheet: Any, row: int, col: int, cell: Cell | None, fmt: Formats, links: list[int] | None, wrap: bool = False
) -> None:
    """Write one cell; text is always written as text, never as a formula."""
    if cell is None or cell.value is None or cell.value == "":
        return
    value, style = cell.value, fmt.style(cell.style)
    if wrap and cell.style == "text":
        style = fmt.wrap
    if isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No", style)
    elif isinstance(value, (int, float, Decimal)):
        if cell.style == "money" and value == int(value):
            style = fmt.pounds  # "£53,886", not "53,886.00": pence only where they matter
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, style)
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.write_datetime(row, col, value, style if cell.style in ("month", "day") else fmt.cell)
    elif links is not None and cell.link and len(cell.link) <= MAX_URL and links[0] < MAX_LINKS_PER_SHEET:
        links[0] += 1
        sheet.write_url(row, col, cell.link, fmt.link, string=str(value))
    else:
        sheet.write_string(row, col, str(value), style)


def _write_table(book: xlsxwriter.Workbook, table: Table, fmt: Formats, links: bool, help_: bool) -> Any:
    """A sheet holding a table: the header (frozen), then one row per entry."""
    sheet = book.add_worksheet(table.name)
    for col, column in enumerate(table.columns):
        header = fmt.extra if column.extra else fmt.required if column.required else fmt.optional
        sheet.write_string(0, col, column.label, header)
        sheet.set_column(col, col, column.width, fmt.style(column.style))
        if help_ and column.comment:
            sheet.write_comment(0, col, column.comment, {"x_scale": 2.2, "y_scale": 1.6})
        if help_ and column.validation:
            sheet.data_validation(1, col, MAX_ROWS - 1, col, dict(column.validation))
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)
    counter = [0] if links else None
    for row, cells in enumerate(table.rows, start=1):
        for col, cell in enumerate(cells):
            write_cell(sheet, row, col, cell, fmt, counter)
    return sheet


# -- input workbooks -------------------------------------------------------------------------


def _instructions(book: xlsxwriter.Workbook, instructions: Instructions, fmt: Formats) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    sheet.set_column(0, 0, 100)
    sheet.set_column(1, 1, 32)
    sheet.write_string(0, 0, instructions.title, fmt.title)
    for row, step in enumerate(instructions.steps, start=2):
        text = f"{row - 1}. {step}"
        sheet.write_string(row, 0, text, fmt.para)
        sheet.set_row(row, row_height(text, 100))
    row = len(instructions.steps) + 3
    sheet.write_string(row, 0, "Section: what to report", fmt.optional)
    sheet.write_string(row, 1, "Sheet", fmt.optional)
    for offset, (title, note, name) in enumerate(instructions.sections, start=1):
        sheet.write_rich_string(row + offset, 0, fmt.bold, title, fmt.para, f": {note}", fmt.para)
        sheet.write_string(row + offset, 1, name, fmt.para)
        sheet.set_row(row + offset, row_height(f"{title}: {note}", 100))


def _import_log(book: xlsxwriter.Workbook, view: InputBook, fmt: Formats) -> None:
    """What an import found, kept with the workbook (the tool does not read this sheet)."""
    sheet = book.add_worksheet(IMPORT_LOG_SHEET)
    sheet.write_string(0, 0, view.log_title, fmt.bold)
    for col, (header, width) in enumerate(zip(IMPORT_LOG_HEADERS, (9, 22, 30, 24, 40, 60, 60))):
        sheet.write_string(2, col, header, fmt.optional)
        sheet.set_column(col, col, width, fmt.wrap if col >= 4 else fmt.cell)
    for row, values in enumerate(view.log, start=3):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    if not view.log:
        sheet.write_string(3, 0, "Nothing to report: every row was read as it was.")
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, max(2, len(view.log) + 2), len(IMPORT_LOG_HEADERS) - 1)


def _lists(book: xlsxwriter.Workbook, lists: Any, fmt: Formats) -> None:
    """Every vocabulary on a hidden sheet, each a defined name the drop-downs refer to."""
    sheet = book.add_worksheet(LISTS_SHEET)
    for col, (name, key, values) in enumerate(lists):
        sheet.write_string(0, col, key, fmt.bold)
        for row, value in enumerate(values, start=1):
            sheet.write_string(row, col, value)
        letter = xl_col_to_name(col)
        book.define_name(name, f"={LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}")
        sheet.set_column(col, col, 30)
    sheet.hide()


def write_input_workbook(view: InputBook) -> bytes:
    """An input workbook (see inputs.py), as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    book, fmt = new_book(buffer, view.title)
    _instructions(book, view.instructions, fmt)
    if view.log_title:
        _import_log(book, view, fmt)
    for table in view.tables:
        _write_table(book, table, fmt, links=False, help_=True)
    _lists(book, view.lists, fmt)
    if view.imported:
        sheet = book.add_worksheet(imported_values.SHEET)
        for col, header in enumerate(imported_values.HEADERS):
            sheet.write_string(0, col, header, fmt.bold)
        for row, (name, number, entry_id, marks) in enumerate(view.imported, start=1):
            sheet.write_string(row, 0, name)
            sheet.write_number(row, 1, number)
            sheet.write_string(row, 2, entry_id)
            sheet.write_string(row, 3, marks)
        sheet.hide()
    book.worksheets()[0].activate()
    book.close()
    return buffer.getvalue()


# -- Excel returns ---------------------------------------------------------------------------


def print_setup(sheet: Any, landscape: bool, pages_wide: int = 1, header: str = "") -> None:
    """A4, `pages_wide` pages wide (as many pages down as it takes), `header` (what the
    document is about) at the top of each page, the sheet's name and page numbers in the
    footer."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(pages_wide, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&L&8&A&R&8Page &P of &N")
    if header:  # Excel's header codes start with &: a literal & is doubled
        sheet.set_header("&L&8" + header.replace("&", "&&")[:200])


def native_chart(book: xlsxwriter.Workbook, sheet_name: str, chart: ChartView, first: int, column: int) -> Any:
    """A bar chart of the `chart` data written at rows first.. of columns `column` (categories)
    and `column` + 1 (values), titled, with both axes titled."""
    last = first + len(chart.categories) - 1
    code = "#,##0" + ("." + "0" * chart.decimals if chart.decimals else "")
    native: Any = book.add_chart({"type": "bar" if chart.horizontal else "column"})
    native.add_series(
        {
            "name": chart.title,
            "categories": [sheet_name, first, column, last, column],
            "values": [sheet_name, first, column + 1, last, column + 1],
            "fill": {"color": "#2E74B5"},
            "data_labels": {"value": True, "num_format": code},
            "gap": 60,
        }
    )
    native.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
    native.set_legend({"none": True})
    category_axis = {"name": chart.axis, "name_font": {"size": 9, "bold": False}, "num_font": {"size": 8}}
    value_axis = {
        "name": chart.counted,
        "name_font": {"size": 9, "bold": False},
        "num_font": {"size": 8},
        "num_format": "#,##0",
    }
    if chart.horizontal:
        native.set_y_axis({**category_axis, "reverse": True})
        native.set_x_axis(value_axis)
    else:
        native.set_x_axis(category_axis)
        native.set_y_axis(value_axis)
    height = max(280, 22 * len(chart.categories) + 110)
    native.set_size({"width": 640, "height": height})
    return native, height


COLUMN_NAME = xl_col_to_name
