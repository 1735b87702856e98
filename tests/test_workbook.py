"""The input-workbook reader (reporting/workbook): values keep their places in the sheet."""

from __future__ import annotations

import openpyxl

from reporting.loading import load
from reporting.workbook.values import open_workbook


def _offset_book(path):
    """An Engagement Activities table that starts at C3, with nothing to its left or above."""
    book = openpyxl.Workbook()
    book.active.title = "Award"
    book.active.append(["Title", "Award Reference"])
    book.active.append(["Offset award", "OF/1"])
    sheet = book.create_sheet("Engagement Activities")
    header = [
        "Description",
        "Form Of Engagement Activity",
        "Part Of Official Scheme?",
        "Geographic Reach",
        "Primary Audience",
        "Year(s) Of Engagement Activity",
        "Results and Impact",
    ]
    rows = [
        ["Open day", "A talk or presentation", "No", "Regionl", "Schools", "2019", "Many came."],
        ["Podcast", "A talk or presentation", "No", "National", "Schools", "2019", "Some listened."],
    ]
    for r, values in enumerate([header, *rows], start=3):
        for c, value in enumerate(values, start=3):
            sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def test_rows_keep_their_sheet_rows_and_columns_when_the_table_starts_off_a1(tmp_path):
    path = _offset_book(tmp_path / "offset.xlsx")
    rows = dict(open_workbook(path).rows("Engagement Activities"))
    assert sorted(rows) == [1, 2, 3, 4, 5]
    assert rows[3][:3] == (None, None, "Description") and rows[4][5] == "Regionl"
    first = list(open_workbook(path).rows("Engagement Activities", limit=2))
    assert [number for number, _ in first] == [1, 2] and not any(v for _, row in first for v in row)


def test_findings_name_the_real_cell_of_a_table_off_a1(tmp_path):
    dataset, findings, rows = load([_offset_book(tmp_path / "offset.xlsx")])
    assert rows == 3  # the award and two entries
    assert [(f.code, f.sheet, f.cell) for f in findings.errors] == [("not-in-list", "Engagement Activities", "F4")]
    assert sorted(e.values["description"] for e in dataset.entries) == ["Open day", "Podcast"]
