"""Write every .xlsx the tool produces: input workbooks and Excel returns.

The only module that imports XlsxWriter. XlsxWriter was chosen over openpyxl for writing
because `write_string` never turns text into a formula (user text starting with =, +, - or @
stays text), it is faster on large sheets, and its zip entries carry a fixed timestamp, so the
same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, Iterable

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from .fieldtypes import EXCEL_CELL_LIMIT, Cell, as_text
from .model import Award, Entry, Organisation
from .returns import NOT_RECORDED, ReturnView
from .schema import FieldSpec, Schema, Section

#: Fixed document date so that rebuilding the same data gives identical files.
FIXED_DATE = dt.datetime(2000, 1, 1)
LISTS_SHEET = "Lists"
MAX_URL = 2079
MAX_LINKS_PER_SHEET = 65530
MAX_ROWS = 1_048_576

_WIDTHS = {
    "long_text": 60, "text": 40, "year": 10, "years": 16, "month_year": 11, "money": 14,
    "yes_no": 11, "url": 40, "doi": 26, "identifier": 18, "names": 32, "orcid": 21, "currency": 10,
}
_TEXT_COLUMNS = {"identifier", "doi", "names", "orcid"}


class _Formats:
    """The cell formats of one workbook, created once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"valign": "top", "font_size": 10}
        self.cell = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.text = book.add_format({**base, "num_format": "@"})
        self.month = book.add_format({**base, "num_format": "mm/yyyy", "align": "left"})
        self.money = book.add_format({**base, "num_format": "#,##0.00"})
        self.year = book.add_format({**base, "num_format": "0", "align": "left"})
        self.link = book.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.missing = book.add_format({**base, "font_color": "#7F7F7F", "italic": True})
        header = {"bold": True, "text_wrap": True, "valign": "top", "font_size": 10, "border": 1,
                  "border_color": "#8EA9DB"}
        self.required = book.add_format({**header, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
        self.optional = book.add_format({**header, "bg_color": "#DDEBF7"})
        self.extra = book.add_format({**header, "bg_color": "#F2F2F2", "italic": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True, "font_size": 10})
        self.para = book.add_format({"text_wrap": True, "valign": "top", "font_size": 10})
        self.number = book.add_format({"font_size": 10})
        self.total = book.add_format({"bold": True, "font_size": 10, "top": 1})
        self._styles = {"text": self.cell, "wrap": self.wrap, "identifier": self.text, "month": self.month,
                        "money": self.money, "year": self.year, "number": self.cell}

    def style(self, name: str):
        """The cell format of a field type's style (see fieldtypes.Cell)."""
        return self._styles.get(name, self.cell)


def _new_book(buffer: io.BytesIO, title: str) -> tuple[xlsxwriter.Workbook, _Formats]:
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title[:255], "created": FIXED_DATE, "author": "funder-report"})
    return book, _Formats(book)


def column_width(spec: FieldSpec) -> float:
    """A sensible width for a column of this field."""
    return spec.kind.column_width(spec)


def _column_format(spec: FieldSpec, fmt: _Formats):
    return fmt.style(spec.kind.style)


def _comment(spec: FieldSpec) -> str:
    need = "Required." if spec.required else "Optional."
    return " ".join(p for p in (spec.label + ":", spec.help, spec.kind.hint, need) if p)


def field_cell(spec: FieldSpec, values: dict[str, Any], raw: dict[str, Any] | None = None) -> Cell | None:
    """A field of an entry (or award, or organisation) as a cell: its typed value, else the
    value as it was entered (kept as it is: nothing is lost), else None."""
    if spec.key in values and values[spec.key] not in (None, "", []):
        return spec.kind.cell(values[spec.key], spec, values)
    value = (raw or {}).get(spec.key)
    if value is None or value == "":
        return None
    return Cell(value if isinstance(value, (int, float, str, dt.date)) else as_text(value), spec.kind.style)


def _write_cell(sheet, row: int, col: int, cell: Cell | None, fmt: _Formats,
                links: list[int] | None = None) -> None:
    """Write one cell; text is always written as text, never as a formula."""
    if cell is None or cell.value is None or cell.value == "":
        return
    value, style = cell.value, fmt.style(cell.style)
    if isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No", style)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, style)
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.write_datetime(row, col, value, style if cell.style == "month" else fmt.cell)
    elif (links is not None and cell.link and len(cell.link) <= MAX_URL and links[0] < MAX_LINKS_PER_SHEET):
        links[0] += 1
        sheet.write_url(row, col, cell.link, fmt.link, string=str(value))
    else:
        sheet.write_string(row, col, str(value), style)


def _write_header(sheet, specs: Iterable[FieldSpec], fmt: _Formats, comments: bool,
                  extras: Iterable[str] = ()) -> int:
    specs = list(specs)
    for col, spec in enumerate(specs):
        sheet.write_string(0, col, spec.label, fmt.required if spec.required else fmt.optional)
        sheet.set_column(col, col, column_width(spec), _column_format(spec, fmt))
        if comments:
            sheet.write_comment(0, col, _comment(spec), {"x_scale": 2.2, "y_scale": 1.6})
    col = len(specs)
    for extra in extras:
        sheet.write_string(0, col, extra, fmt.extra)
        sheet.set_column(col, col, 30, fmt.wrap)
        col += 1
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)
    return col


# -- input workbooks -------------------------------------------------------------------------

def _lists_sheet(book: xlsxwriter.Workbook, schema: Schema, fmt: _Formats) -> dict[str, str]:
    """Write every vocabulary to a hidden sheet; return vocabulary key -> defined name."""
    sheet = book.add_worksheet(LISTS_SHEET)
    names: dict[str, str] = {}
    for col, (key, vocabulary) in enumerate(sorted(schema.vocabularies.items())):
        sheet.write_string(0, col, key, fmt.bold)
        for row, value in enumerate(vocabulary.values, start=1):
            sheet.write_string(row, col, value)
        letter = xl_col_to_name(col)
        name = f"list_{key}"
        book.define_name(name, f"={LISTS_SHEET}!${letter}$2:${letter}${len(vocabulary.values) + 1}")
        names[key] = name
        sheet.set_column(col, col, 30)
    sheet.hide()
    return names


def _validation(spec: FieldSpec, list_names: dict[str, str]) -> dict | None:
    """The Excel data validation (drop-down or range check) for a column, if any."""
    return spec.kind.validation(spec, list_names.get(spec.vocabulary.key) if spec.vocabulary else None)


def _instructions(book: xlsxwriter.Workbook, schema: Schema, fmt: _Formats) -> None:
    sheet = book.add_worksheet("Instructions")
    sheet.set_column(0, 0, 100)
    sheet.set_column(1, 1, 32)
    sheet.write_string(0, 0, "How to fill in this workbook", fmt.title)
    steps = [
        f"Put the award's details on the {schema.award_sheet} sheet: one row per award.",
        "Each researchfish section has its own sheet. Enter one row per entry; leave sheets "
        "you have nothing for empty.",
        "Column headers are the labels Gateway to Research uses. Hover over a header to see "
        "what to enter. Dark headers are required; light ones are optional.",
        "Where a cell has a drop-down, pick from it. For fields that take several values "
        "(e.g. Sectors), type them separated by ';'.",
        "Years are four digits (2019); several years are separated by commas (2018, 2019). "
        "Dates are month and year (07/2018). Amounts are plain numbers; the currency has its "
        "own column.",
        "Partners: the partner organisations an entry involved, separated by ';'. List each "
        f"organisation once on the {schema.organisation_sheet} sheet, with other names it goes by "
        "under Aliases. Visibility: Public, or Internal for entries that must not be published.",
        "Award Reference: leave blank when this workbook holds one award.",
        "Line breaks inside a cell (Alt+Enter) become paragraphs in the Word return.",
        "Check your entries with `funder-report validate`, then make the returns with "
        "`funder-report build`.",
    ]
    for row, step in enumerate(steps, start=2):
        text = f"{row - 1}. {step}"
        sheet.write_string(row, 0, text, fmt.para)
        sheet.set_row(row, _wrapped_height(text, 100))
    row = len(steps) + 3
    sheet.write_string(row, 0, "Section: what to report", fmt.optional)
    sheet.write_string(row, 1, "Sheet", fmt.optional)
    for offset, section in enumerate(schema.sections, start=1):
        note = section.help + ("" if section.gtr else " Not published on Gateway to Research.")
        sheet.write_rich_string(row + offset, 0, fmt.bold, section.title, fmt.para, f": {note}", fmt.para)
        sheet.write_string(row + offset, 1, section.sheet, fmt.para)
        sheet.set_row(row + offset, _wrapped_height(f"{section.title}: {note}", 100))


def _wrapped_height(text: str, width: float) -> float:
    """Row height (points) that shows `text` wrapped in a column `width` characters wide.

    Spreadsheet programs do not always size rows to wrapped text on their own.
    """
    lines = sum(max(1, -(-len(part) // int(width * 1.05))) for part in text.split("\n"))
    return 14.0 * lines + 2


def write_input_workbook(schema: Schema, awards: list[Award] | None = None,
                         entries: list[Entry] | None = None, title: str = "Research outcomes",
                         organisations: list[Organisation] | None = None) -> bytes:
    """An input workbook in the tool's layout, empty or holding awards, entries and partners."""
    buffer = io.BytesIO()
    book, fmt = _new_book(buffer, title)
    _instructions(book, schema, fmt)
    award_sheet = book.add_worksheet(schema.award_sheet)
    _write_header(award_sheet, schema.award_fields, fmt, comments=True)
    for row, award in enumerate(awards or [], start=1):
        for col, spec in enumerate(schema.award_fields):
            _write_cell(award_sheet, row, col, field_cell(spec, award.values), fmt)
    partner_sheet = book.add_worksheet(schema.organisation_sheet)
    _write_header(partner_sheet, schema.organisation_fields, fmt, comments=True)
    for row, organisation in enumerate(organisations or [], start=1):
        for col, spec in enumerate(schema.organisation_fields):
            _write_cell(partner_sheet, row, col, field_cell(spec, organisation.values), fmt)
    by_section: dict[str, list[Entry]] = {}
    for entry in entries or []:
        by_section.setdefault(entry.section.key, []).append(entry)
    sheets = [(section, book.add_worksheet(section.sheet)) for section in schema.sections]
    list_names = _lists_sheet(book, schema, fmt)
    for col, spec in enumerate(schema.organisation_fields):
        rule = _validation(spec, list_names)
        if rule:
            partner_sheet.data_validation(1, col, MAX_ROWS - 1, col, rule)
    for section, sheet in sheets:
        rows = by_section.get(section.key, [])
        _, columns = _write_entries(sheet, schema, section, rows, fmt, comments=True, links=None)
        for col, spec in enumerate(columns):
            rule = _validation(spec, list_names)
            if rule:
                sheet.data_validation(1, col, MAX_ROWS - 1, col, rule)
    book.worksheets()[0].activate()
    book.close()
    return buffer.getvalue()


def split_cell_text(text: str, limit: int = EXCEL_CELL_LIMIT) -> list[str]:
    """Cut text longer than an Excel cell into cell-sized pieces, at a space where possible.

    The pieces join back (with nothing between them) to exactly the original text.
    """
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit) + 1 or limit
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def continuation_label(label: str, number: int) -> str:
    """Header of the n-th overflow column of a field (see workbook.py, which joins them)."""
    return f"{label} (continued)" if number == 1 else f"{label} (continued {number})"


def sheet_columns(schema: Schema, section: Section, entries: Iterable[Entry]) -> tuple[FieldSpec, ...]:
    """The columns of a section sheet: every field, except export-only ones no entry uses."""
    entries = list(entries)
    return tuple(spec for spec in schema.columns(section)
                 if not spec.export_only or any(e.value_or_raw(spec.key) not in (None, "") for e in entries))


def _write_entries(sheet, schema: Schema, section: Section, entries: list[Entry], fmt: _Formats,
                   comments: bool, links: list[int] | None) -> tuple[int, tuple[FieldSpec, ...]]:
    columns = sheet_columns(schema, section, entries)
    extras: list[str] = []
    for entry in entries:
        for header in entry.extra:
            if header not in extras:
                extras.append(header)
    # Text longer than a cell continues in extra columns, so nothing is cut off.
    overflow: dict[str, list[str]] = {}
    for entry in entries:
        for spec in columns:
            value = entry.value_or_raw(spec.key)
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                pieces = split_cell_text(value)
                overflow[(id(entry), spec.key)] = pieces
                for number in range(1, len(pieces)):
                    label = continuation_label(spec.label, number)
                    if label not in extras:
                        extras.append(label)
    last = _write_header(sheet, columns, fmt, comments, extras)
    for row, entry in enumerate(entries, start=1):
        for col, spec in enumerate(columns):
            pieces = overflow.get((id(entry), spec.key))
            if pieces:
                sheet.write_string(row, col, pieces[0], _column_format(spec, fmt))
                for number, piece in enumerate(pieces[1:], start=1):
                    target = len(columns) + extras.index(continuation_label(spec.label, number))
                    sheet.write_string(row, target, piece, fmt.wrap)
                continue
            value = entry.value_or_raw(spec.key)
            if (links is not None and value in (None, "") and (spec.required or spec.recommended)
                    and entry.accepted):
                sheet.write_string(row, col, NOT_RECORDED, fmt.missing)  # a return, not an input
                continue
            _write_cell(sheet, row, col, field_cell(spec, entry.values, entry.raw), fmt, links)
        for offset, header in enumerate(extras):
            if header in entry.extra:
                value = entry.extra[header]
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(row, len(columns) + offset, value, fmt.cell)
                elif isinstance(value, (dt.date, dt.datetime)):
                    sheet.write_datetime(row, len(columns) + offset, value, fmt.cell)
                else:
                    sheet.write_string(row, len(columns) + offset, str(value), fmt.wrap)
    return last, columns


# -- Excel returns ---------------------------------------------------------------------------

def write_excel_return(schema: Schema, view: ReturnView) -> bytes:
    """The Excel return (or profile): a Summary sheet, then one sheet per non-empty section."""
    buffer = io.BytesIO()
    book, fmt = _new_book(buffer, view.title)
    sheet = book.add_worksheet("Summary")
    sheet.write_string(0, 0, view.title, fmt.title)
    lines = [view.subtitle]
    if view.reference:
        lines.insert(0, f"Award Reference: {view.reference}")
    lines.extend(view.notes)
    for row, line in enumerate(lines, start=1):
        sheet.write_string(row, 0, line, fmt.cell)
    top = len(lines) + 2
    years = view.years
    headers = ["Section", "Entries", *[str(y) for y in years], "Undated"]
    for col, text in enumerate(headers):
        sheet.write_string(top, col, text, fmt.optional)
    sheet.set_column(0, 0, 50)
    sheet.set_column(1, len(headers) - 1, 9)
    totals = [0] * (len(headers) - 1)
    summary = view.summary_rows()
    for row, (title, count, per_year, undated) in enumerate(summary, start=top + 1):
        sheet.write_string(row, 0, title, fmt.cell)
        numbers = [count, *[per_year.get(y, 0) for y in years], undated]
        for col, number in enumerate(numbers, start=1):
            sheet.write_number(row, col, number, fmt.number)
            totals[col - 1] += number
    total_row = top + 1 + len(summary)
    sheet.write_string(total_row, 0, "Total", fmt.total)
    for col, number in enumerate(totals, start=1):
        sheet.write_number(total_row, col, number, fmt.total)
    sheet.write_string(total_row + 2, 0, "Entries spanning several years count in each year.", fmt.cell)
    _summary_charts(book, sheet, view, total_row + 4, fmt)
    sheet.freeze_panes(top + 1, 1)
    for section in view.sections:
        section_sheet = book.add_worksheet(section.section.sheet)
        last, _ = _write_entries(section_sheet, schema, section.section, section.entries, fmt,
                                 comments=False, links=[0])
        section_sheet.autofilter(0, 0, max(len(section.entries), 1), max(last - 1, 0))
    book.close()
    return buffer.getvalue()


def _summary_charts(book: xlsxwriter.Workbook, sheet, view: ReturnView, row: int, fmt: _Formats) -> None:
    """Each chart's data as a small table, with a native Excel bar chart beside it."""
    for chart in view.charts:
        sheet.write_string(row, 0, chart.title, fmt.bold)
        sheet.write_string(row, 1, "Entries", fmt.bold)
        first = row + 1
        for offset, (category, value) in enumerate(zip(chart.categories, chart.values)):
            sheet.write_string(first + offset, 0, category, fmt.cell)
            sheet.write_number(first + offset, 1, value, fmt.number)
        last = first + len(chart.categories) - 1
        native = book.add_chart({"type": "bar" if chart.horizontal else "column"})
        native.add_series({
            "name": chart.title,
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, 1, last, 1],
            "fill": {"color": "#2E74B5"},
            "data_labels": {"value": True},
            "gap": 60,
        })
        native.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
        native.set_legend({"none": True})
        if chart.horizontal:
            native.set_y_axis({"reverse": True, "num_font": {"size": 8}})
            native.set_x_axis({"num_font": {"size": 8}})
        else:
            native.set_x_axis({"num_font": {"size": 8}})
        native.set_size({"width": 620, "height": max(260, 22 * len(chart.categories) + 90)})
        sheet.insert_chart(row, 3, native, {"object_position": 1})
        row = max(last + 3, row + (max(260, 22 * len(chart.categories) + 90) // 20) + 2)


def write_portfolio_summary(schema: Schema, rows: list[tuple[Award, dict[str, int]]]) -> bytes:
    """Awards x sections: how many entries each award's return holds in each section."""
    buffer = io.BytesIO()
    book, fmt = _new_book(buffer, "Portfolio summary")
    sheet = book.add_worksheet("Portfolio")
    used = [s for s in schema.sections if any(counts.get(s.key) for _, counts in rows)]
    headers = ["Award Reference", "Title", *[s.title for s in used], "Total"]
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text, fmt.optional)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 50, fmt.wrap)
    sheet.set_column(2, len(headers) - 1, 14)
    totals = [0] * (len(used) + 1)
    for row, (award, counts) in enumerate(rows, start=1):
        sheet.write_string(row, 0, award.reference, fmt.cell)
        sheet.write_string(row, 1, award.title, fmt.wrap)
        numbers = [counts.get(s.key, 0) for s in used]
        numbers.append(sum(numbers))
        for col, number in enumerate(numbers, start=2):
            sheet.write_number(row, col, number, fmt.number)
            totals[col - 2] += number
    last = len(rows) + 1
    sheet.write_string(last, 1, "Total", fmt.total)
    for col, number in enumerate(totals, start=2):
        sheet.write_number(last, col, number, fmt.total)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    book.close()
    return buffer.getvalue()
