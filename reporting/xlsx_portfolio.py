"""The portfolio's .xlsx files, from views: a build's portfolio summary (views.PortfolioView:
awards x sections) and the portfolio impact report (portfolio.PortfolioReport: an About sheet,
a sheet per group with each figure's table and native chart, and the Entries counted table the
view made). Books, formats and charts come from `xlsx_writer` (the only XlsxWriter user).
"""

from __future__ import annotations

import io

from .outputs import OutputKind
from .portfolio import PortfolioReport
from .views import PortfolioView
from .xlsx_writer import COLUMN_NAME, native_chart, new_book, print_setup

__all__ = ["PORTFOLIO_ENTRIES_SHEET", "write_portfolio_report", "write_portfolio_summary"]


def write_portfolio_summary(view: PortfolioView) -> bytes:
    """Awards x sections: how many entries each award's return holds in each section."""
    buffer = io.BytesIO()
    book, fmt = new_book(buffer, "Portfolio summary", OutputKind.PORTFOLIO_SUMMARY)
    sheet = book.add_worksheet("Portfolio")
    headers = ["Award Reference", "Title", *view.sections, "Total"]
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text, fmt.optional)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 50, fmt.wrap)
    sheet.set_column(2, len(headers) - 1, 14)
    totals = [0] * (len(view.sections) + 1)
    for row, (reference, title, counts) in enumerate(view.rows, start=1):
        sheet.write_string(row, 0, reference, fmt.cell)
        sheet.write_string(row, 1, title, fmt.wrap)
        numbers = [*counts, sum(counts)]
        for col, number in enumerate(numbers, start=2):
            sheet.write_number(row, col, number, fmt.number)
            totals[col - 2] += number
    last = len(view.rows) + 1
    sheet.write_string(last, 1, "Total", fmt.total)
    for col, number in enumerate(totals, start=2):
        sheet.write_number(last, col, number, fmt.total)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(len(view.rows), 1), len(headers) - 1)
    print_setup(sheet, landscape=True, header="Portfolio summary")
    sheet.repeat_rows(0)
    book.close()
    return buffer.getvalue()


# -- the portfolio impact report -------------------------------------------------------------

PORTFOLIO_ENTRIES_SHEET = "Entries counted"


def _sheet_names(names: list[str], taken: set[str]) -> list[str]:
    """Names Excel accepts (no []:*?/\\, at most 31 characters), each used once."""
    result = []
    for name in names:
        clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Group"
        candidate, number = clean[:31], 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{clean[:27]} ({number})"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def write_portfolio_report(view: PortfolioReport) -> bytes:
    """The portfolio report: an About sheet, a sheet per group (each figure's table, the data of
    its chart and the native chart), and Entries counted: every entry each group counts, with
    the category each figure counts it under, each figure linked to its column."""
    buffer = io.BytesIO()
    book, fmt = new_book(buffer, view.title, OutputKind.PORTFOLIO_REPORT)
    names = _sheet_names([g.name for g in view.groups], {"about", PORTFOLIO_ENTRIES_SHEET.casefold()})
    headers, rows = view.entries
    about = book.add_worksheet("About")
    about.write_string(0, 0, view.title, fmt.title)
    line = 1
    for text in [view.subtitle, *(f"{label}: {value}" for label, value in view.details), *view.notes, view.generated]:
        if text:
            about.write_string(line, 0, text, fmt.cell)
            line += 1
    line += 1
    about.write_string(line, 0, "Groups", fmt.bold)
    for number, (group, name) in enumerate(zip(view.groups, names), start=1):
        about.write_url(line + number, 0, f"internal:'{name}'!A1", fmt.link, group.name)
        about.write_string(line + number, 1, group.summary, fmt.cell)
    about.write_string(
        line + len(names) + 2,
        0,
        f"The sheet {PORTFOLIO_ENTRIES_SHEET} lists every entry counted, "
        "where it is in the workbooks read, and for each figure the category it is counted under.",
        fmt.cell,
    )
    about.set_column(0, 0, 40)
    about.set_column(1, 1, 60)
    for group, name in zip(view.groups, names):
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, group.name, fmt.title)
        sheet.write_string(1, 0, group.sentence, fmt.cell)
        sheet.set_column(0, 0, 42, fmt.wrap)
        sheet.set_column(1, 3, 14)
        sheet.set_column(5, 5, 30)
        sheet.set_column(6, 6, 12)
        row = 3
        for figure in group.figures:
            sheet.write_string(row, 0, figure.title, fmt.bold)
            column = COLUMN_NAME(headers.index(figure.title))
            sheet.write_url(
                row,
                1,
                f"internal:'{PORTFOLIO_ENTRIES_SHEET}'!{column}1",
                fmt.link,
                f"The entries counted (column {column} of {PORTFOLIO_ENTRIES_SHEET})",
            )
            for col, header in enumerate(figure.headers):
                sheet.write_string(row + 1, col, header, fmt.optional)
            for offset, values in enumerate(figure.rows, start=row + 2):
                for col, value in enumerate(values):
                    if isinstance(value, (int, float)):
                        sheet.write_number(offset, col, value, fmt.money if isinstance(value, float) else fmt.number)
                    else:
                        sheet.write_string(offset, col, str(value), fmt.wrap if col == 0 else fmt.cell)
            end = row + 2 + len(figure.rows)
            if figure.note:
                sheet.write_string(end, 0, figure.note, fmt.cell)
                end += 1
            if figure.chart is not None:
                chart = figure.chart
                sheet.write_string(row + 1, 5, "In the chart", fmt.optional)
                sheet.write_string(row + 1, 6, chart.counted, fmt.optional)
                for offset, (category, value) in enumerate(zip(chart.categories, chart.values), start=row + 2):
                    sheet.write_string(offset, 5, category, fmt.cell)
                    sheet.write_number(offset, 6, value, fmt.money if chart.decimals else fmt.number)
                native, height = native_chart(book, name, chart, row + 2, 5)
                sheet.insert_chart(row, 8, native, {"object_position": 1})
                end = max(end, row + height // 20 + 1)
            row = end + 2
        print_setup(sheet, landscape=True)
    listed = book.add_worksheet(PORTFOLIO_ENTRIES_SHEET)
    for col, header in enumerate(headers):
        listed.write_string(0, col, header, fmt.optional)
    for number, entry in enumerate(rows, start=1):
        for col, value in enumerate(entry):
            if value is None or value == "":
                continue
            if isinstance(value, float):
                listed.write_number(number, col, value, fmt.money)
            elif isinstance(value, int):
                listed.write_number(number, col, value, fmt.number)
            else:
                listed.write_string(number, col, value, fmt.cell)
    fixed = (16, 18, 22, 7, 16, 16, 50)
    for col in range(len(headers)):
        listed.set_column(col, col, fixed[col] if col < len(fixed) else 22)
    listed.set_row(0, 45, fmt.optional)
    listed.freeze_panes(1, 4)
    listed.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    print_setup(listed, landscape=True, pages_wide=4)
    book.close()
    return buffer.getvalue()
