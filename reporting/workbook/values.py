"""The cell values of a workbook's sheets, read with python-calamine. The only module that
imports it.

python-calamine (Rust's calamine) reads values many times faster than openpyxl, which stays for
writing annotated copies: reading 200 small input workbooks takes about a second instead of a
minute. Values come back as Python values: text, numbers (whole numbers as int), dates,
booleans; empty cells as None; each row padded to the sheet's width, from cell A1, so row and
column numbers are the workbook's own. Formulas give their last calculated value (sheetxml.py
says which cells are formulas and which show errors).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError

from ..errors import InputFileError
from .guard import one_line

__all__ = ["Workbook", "open_workbook"]

_FAILURES = (CalamineError, PasswordError, XmlError, ZipError, ValueError, OSError, RuntimeError, OverflowError)


#: Short texts (list values, years, references, Yes/No) repeat from row to row: one copy of
#: each is kept, which roughly halves the memory a large workbook takes once read.
_SHARE_UP_TO = 100


def _value(value: Any) -> Any:
    if value == "" or value is None:
        return None
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= _SHARE_UP_TO else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.timedelta):  # a time of day or a duration: shown as Excel would
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return value


class Workbook:
    """An open workbook: its sheet names, and each sheet's rows of values."""

    def __init__(self, path: Path, book: CalamineWorkbook, spaced_text: bool = False) -> None:
        self.path = path
        self._book = book
        self._spaced_text = spaced_text
        self._patched = False
        self.sheet_names: list[str] = list(book.sheet_names)

    def _sheet(self, sheet: str) -> Any:
        try:
            return self._book.get_sheet_by_name(sheet)
        except CalamineError as exc:
            # Excel 365's newer error values (#SPILL!, #CALC!...) make calamine refuse the whole
            # sheet. Which cells show which error is read from the sheet's XML (sheetxml.py), so
            # the values can be read from a copy where every error shows #N/A.
            if self._patched or "error value" not in str(exc):
                raise
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(_patched(self.path, True, self._spaced_text)))
            self._patched = True
            return self._book.get_sheet_by_name(sheet)

    def rows(self, sheet: str, limit: int | None = None) -> Iterator[tuple[int, tuple]]:
        """(1-based row number, values) of every row of `sheet`, up to `limit` rows."""
        try:
            data = self._sheet(sheet)
        except _FAILURES as exc:
            raise InputFileError(
                f"{self.path}: the sheet {sheet!r} cannot be read ({one_line(exc)}).",
                "Open it in Excel or LibreOffice and save it again as an Excel Workbook (.xlsx).",
            ) from None
        if data.start is None:
            return
        # Rows come one at a time (a large sheet is never held as Python objects at once). They
        # start at row 1 but, in python-calamine 0.x, at the first used column: put the empty
        # columns before it back, so that values keep their places (A, B, C...).
        first_column = data.start[1]
        for number, row in enumerate(data.iter_rows(), start=1):
            if limit is not None and number > limit:
                return
            pad = (None,) * first_column if first_column and len(row) == data.width else ()
            yield number, pad + tuple(map(_value, row))

    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """Merged ranges of `sheet`, as (first row, first column, last row, last column), 1-based."""
        try:
            ranges = self._sheet(sheet).merged_cell_ranges or []
        except _FAILURES:
            return []
        return [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]

    def extent(self, sheet: str) -> tuple[int, int]:
        """(last row, last column) in use on `sheet`, 1-based; (0, 0) when it is empty."""
        try:
            data = self._sheet(sheet)
        except _FAILURES:
            return 0, 0
        if data.start is None:
            return 0, 0
        return data.start[0] + data.height, data.start[1] + data.width


_ERROR_VALUE = re.compile(rb'(<c\b[^>]*\bt="e"[^>]*>(?:(?!</c>).)*?<v>)[^<]*(</v>)', re.S)


_BARE_TEXT = re.compile(rb"<((?:\w+:)?t)>")


def _patched(path: Path, errors: bool, spaces: bool) -> bytes:
    """A copy of the workbook that python-calamine reads as Excel would: with `errors`, every
    error cell's value #N/A (an error calamine knows); with `spaces`, every bare text element
    marked xml:space="preserve", so that the spaces at the ends of rich-text runs ("Rich " +
    "text") are kept."""
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info)
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            if errors and sheet:
                content = _ERROR_VALUE.sub(rb"\1#N/A\2", content)
            if spaces and (sheet or info.filename == "xl/sharedStrings.xml"):
                content = _BARE_TEXT.sub(rb'<\1 xml:space="preserve">', content)
            new.writestr(info, content)
    return data.getvalue()


def open_workbook(path: Path, spaced_text: bool = False) -> Workbook:
    """Open a workbook the gate (guard.py) has let through; a failure names the file.
    `spaced_text`: the gate found text runs whose end spaces only a patched copy keeps."""
    try:
        if spaced_text:
            book = CalamineWorkbook.from_filelike(io.BytesIO(_patched(path, False, True)))
            return Workbook(path, book, spaced_text)
        return Workbook(path, CalamineWorkbook.from_path(str(path)))
    except _FAILURES as exc:
        raise InputFileError(
            f"{path}: cannot be opened as an Excel workbook ({one_line(exc)}).",
            "The file may be damaged or not really an .xlsx. Open it in Excel or LibreOffice "
            "and save it again as an Excel Workbook (.xlsx).",
        ) from None
