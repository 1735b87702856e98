"""Copies of an input workbook with something added, made with openpyxl (the only module that
imports it; only openpyxl can edit an existing workbook): the annotated copy (problem cells
coloured and commented, a Findings sheet linking to them) and the copy with Partner Suggestions.

Inputs are only read. Every cell written from a person's text is text, never a formula: openpyxl
would make "=HYPERLINK(...)" a live formula, so each such cell is set to text after it is written.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from .. import imported as imported_values
from ..errors import InputFileError, OutputError
from ..findings import ERROR, WARNING, Finding
from ..model import ORGANISATION, SUGGESTION
from ..outputs import MARK, OutputKind
from ..partners import SUGGESTION_FIELDS, SUGGESTION_SHEET
from ..schema import Schema, header_key, normalise
from ..sheets import Table
from ..text import strip_illegal
from .guard import check_file, one_line
from .layout import sheet_kinds

__all__ = ["Fix", "annotate", "append_rows", "apply_fixes", "write_suggestions"]

_READ_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    EOFError,
    ValueError,
    ParseError,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    TypeError,
    AttributeError,
    SyntaxError,
    IndexError,
)  # lxml's XMLSyntaxError is a SyntaxError
#: The sheet of an annotated copy that lists the findings (a sheet of this name is kept, renamed).
FINDINGS_SHEET = "Findings"


#: Cells inside merged ranges a copy may hold: openpyxl makes an object for every one of them
#: (a merged whole column is a million), so ranges are cut to the cells in use, then dropped.
MERGED_CELL_CAP = 200_000
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"\s*/>')
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})\d+"')


def _open(path: Path) -> Any:
    """The whole workbook, for editing; a failure names the file."""
    check_file(path)
    try:
        with ExitStack() as stack:
            bounded = _bounded_merges(path)
            handle = io.BytesIO(bounded) if bounded is not None else stack.enter_context(path.open("rb"))
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore")  # extensions openpyxl drops; not our concern
            return load_workbook(handle)
    except _READ_ERRORS as exc:
        raise InputFileError(
            f"{path}: its values were read, but it cannot be copied to mark them up ({one_line(exc)}).",
            "A part of the file is damaged. Open it in Excel or LibreOffice and save it again as an "
            "Excel Workbook (.xlsx).",
        ) from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from None


def _bounded_merges(path: Path) -> bytes | None:
    """The workbook with its merged ranges cut to the cells in use (and, past MERGED_CELL_CAP
    cells in all, left out), when they would cover more; None when they would not. A merge is
    only formatting: the values are read elsewhere, unmerged."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [
                info
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            ]
            if sum(_merged_area(archive.read(info)) for info in sheets) <= MERGED_CELL_CAP:
                return None
            budget = [MERGED_CELL_CAP]
            data = io.BytesIO()
            with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
                for info in archive.infolist():
                    content = archive.read(info)
                    if info in sheets:
                        content = _cut_merges(content, budget)
                    new.writestr(info, content)
            return data.getvalue()
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError, EOFError):
        return None  # openpyxl's own failure is reported as for any damaged file


def _merged_area(sheet: bytes) -> int:
    return sum(
        (column_index_from_string(c1.decode()) - column_index_from_string(c0.decode()) + 1) * (int(r1) - int(r0) + 1)
        for c0, r0, c1, r1 in _MERGE.findall(sheet)
    )


def _cut_merges(sheet: bytes, budget: list[int]) -> bytes:
    last_row = max((int(r) for r in _ROW.findall(sheet)), default=1)
    last_column = max((column_index_from_string(c.decode()) for c in set(_CELL.findall(sheet))), default=1)

    def cut(match: re.Match) -> bytes:
        c0, r0 = column_index_from_string(match[1].decode()), int(match[2])
        c1 = min(column_index_from_string(match[3].decode()), max(last_column, c0))
        r1 = min(int(match[4]), max(last_row, r0))
        area = (c1 - c0 + 1) * (r1 - r0 + 1)
        if area <= 1 or area > budget[0]:
            return b""
        budget[0] -= area
        return f'<mergeCell ref="{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"/>'.encode()

    sheet = _MERGE.sub(cut, sheet)
    # The count attribute is advisory; an empty list is not allowed.
    return re.sub(rb"<mergeCells\b[^>]*>\s*</mergeCells>|<mergeCells\b[^>]*/>", b"", sheet)


def _append_text(sheet: Any, values: list[Any]) -> None:
    """Append a row; every text in it stays text (never a formula or an error value)."""
    sheet.append([strip_illegal(v)[:32000] if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _save(book: Any, source: Path) -> bytes:
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (ValueError, TypeError) as exc:
        raise OutputError(f"Cannot write the copy of {source} ({exc}).") from None
    return buffer.getvalue()


_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")


def annotate(source: Path, findings: list[Finding], target: Path) -> bytes:
    """A copy of `source` with each problem cell highlighted and commented, plus a Findings sheet.

    The input file is only read. Returns the bytes of the annotated workbook. A sheet of the
    user's already called Findings is kept, renamed.
    """
    book = _open(source)
    if MARK in book.custom_doc_props.names:
        del book.custom_doc_props[MARK]
    book.custom_doc_props.append(
        StringProperty(name=MARK, value=OutputKind.ANNOTATED_COPY.value)
    )  # never read as an input
    if FINDINGS_SHEET in book.sheetnames:
        number = 2
        while f"{FINDINGS_SHEET} ({number})" in book.sheetnames:
            number += 1
        book[FINDINGS_SHEET].title = f"{FINDINGS_SHEET} ({number})"
    notes: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.sheet in book.sheetnames and finding.cell:
            notes.setdefault((finding.sheet, finding.cell), []).append(finding)
    for (sheet_name, ref), items in notes.items():
        cell = book[sheet_name][ref]
        worst = ERROR if any(f.severity == ERROR for f in items) else WARNING
        cell.fill = _ERROR_FILL if worst == ERROR else _WARNING_FILL
        text = "\n".join(
            f"{f.severity.upper()} ({f.code}): {f.message}" + (f" {f.hint}" if f.hint else "") for f in items
        )
        if cell.comment is not None:
            text = cell.comment.text + "\n---\n" + text
        comment = Comment(text[:32000], "funder-report")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    sheet = book.create_sheet(FINDINGS_SHEET, 0)
    headers = ["Severity", "Code", "Sheet", "Cell", "Field", "Value", "Problem", "How to fix"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for finding in findings:
        _append_text(
            sheet,
            [
                finding.severity,
                finding.code,
                finding.sheet,
                finding.cell or finding.location,
                finding.field,
                finding.value,
                finding.message,
                finding.hint,
            ],
        )
        if finding.sheet in book.sheetnames and finding.cell:
            link = sheet.cell(row=sheet.max_row, column=4)
            quoted = finding.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{finding.cell}", display=finding.cell)
            link.font = Font(color="0563C1", underline="single")
        fill = _ERROR_FILL if finding.severity == ERROR else _WARNING_FILL
        sheet.cell(row=sheet.max_row, column=1).fill = fill
    for letter, width in zip("ABCDEFGH", (10, 22, 28, 10, 28, 40, 60, 60)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.active = 0
    return _save(book, source)


def write_suggestions(
    source: Path, rows: list[dict[str, Any]], organisations: list[dict[str, Any]], schema: Schema
) -> bytes:
    """A copy of `source` with a Partner Suggestions sheet (Accept left blank for a person to
    fill in) and any organisations only named by entries added to the Organisations sheet.
    Suggestions already accepted in `source` are kept. The input file is only read."""
    book = _open(source)
    kinds = sheet_kinds(schema)
    headers = [spec.label for spec in SUGGESTION_FIELDS]
    kept: list[list[Any]] = []
    for sheet in list(book.worksheets):
        if kinds.get(normalise(sheet.title)) == SUGGESTION:
            for row in sheet.iter_rows(min_row=2, values_only=True):
                if row and str(row[0] or "").strip().casefold() in ("yes", "y", "true", "1"):
                    kept.append(list(row[: len(headers)]))
            book.remove(sheet)
    partner_sheet = next((s for s in book.worksheets if kinds.get(normalise(s.title)) == ORGANISATION), None)
    if partner_sheet is None:
        partner_sheet = book.create_sheet(schema.organisation_sheet, 1 if book.worksheets else 0)
        _append_text(partner_sheet, [spec.label for spec in schema.organisation_fields])
        for cell in partner_sheet[1]:
            cell.font = Font(bold=True)
    header = [header_key(c.value) for c in partner_sheet[1]]
    for values in organisations:
        line: list[Any] = [None] * max(len(header), 1)
        for spec in schema.organisation_fields:
            key = header_key(spec.label)
            if key in header and values.get(spec.key):
                value = values[spec.key]
                line[header.index(key)] = "; ".join(value) if isinstance(value, list) else value
        _append_text(partner_sheet, line)
    sheet = book.create_sheet(SUGGESTION_SHEET)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in kept:
        _append_text(sheet, list(row))
    for item in rows:
        _append_text(
            sheet,
            [None]
            + [str(item.get(spec.key, "")) if spec.key != "row" else item["row"] for spec in SUGGESTION_FIELDS[1:]],
        )
    choice = DataValidation(
        type="list",
        formula1='"Yes,No"',
        allow_blank=True,
        promptTitle="Accept?",
        prompt="Yes links the entry to the organisation.",
    )
    sheet.add_data_validation(choice)
    choice.add(f"A2:A{max(sheet.max_row, 2) + 500}")
    for letter, width in zip("ABCDEFG", (9, 26, 7, 50, 36, 22, 70)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return _save(book, source)


@dataclass(frozen=True)
class Fix:
    """One safe correction: in `sheet`!`cell`, the text `found` becomes `replacement`."""

    sheet: str
    cell: str
    found: str
    replacement: str


def apply_fixes(source: Path, fixes: list[Fix]) -> tuple[bytes, list[tuple[Fix, str, str]]]:
    """A copy of `source` with each fix applied to its cell (the whole value, or the one item
    of a list of values it names); (the copy, (fix, cell before, cell after) of each applied)."""
    book = _open(source)
    applied: list[tuple[Fix, str, str]] = []
    for fix in fixes:
        if fix.sheet not in book.sheetnames:
            continue
        cell = book[fix.sheet][fix.cell]
        before = cell.value
        text = before if isinstance(before, str) else fix.found if before is not None else None
        if text is None:
            continue
        if text.strip() == fix.found.strip() or not isinstance(before, str):
            after = fix.replacement
        else:
            parts = re.split(r"(\s*[;\n,]\s*)", text)  # keep the separators as they were
            after = "".join(fix.replacement if part.strip() == fix.found.strip() else part for part in parts)
        if after == text and isinstance(before, str):
            continue
        cell.value = after
        cell.data_type = "s"
        applied.append((fix, "" if before is None else str(before), after))
    return _save(book, source), applied


def append_rows(source: Path, table: Table, kinds: dict[str, str], kind: str) -> bytes:
    """A copy of `source` with `table`'s rows added below the last row of the sheet of `kind`
    (columns matched by header; a column the sheet lacks is added after its last), and their
    fingerprints on the Imported Values sheet. Every row already there is kept as it is."""
    book = _open(source)
    sheet = next((s for s in book.worksheets if kinds.get(normalise(s.title)) == kind), None)
    if sheet is None:
        sheet = book.create_sheet(table.name)
    at = {header_key(c.value): c.column for c in sheet[1] if c.value not in (None, "")}
    for column in table.columns:
        if header_key(column.label) not in at:
            at[header_key(column.label)] = max(at.values(), default=0) + 1
            sheet.cell(1, at[header_key(column.label)], column.label).font = Font(bold=True)
    last = max((c.row for row in sheet.iter_rows(min_row=2) for c in row if c.value not in (None, "")), default=1)
    marks = book[imported_values.SHEET] if imported_values.SHEET in book.sheetnames else None
    if marks is None and table.imported:
        marks = book.create_sheet(imported_values.SHEET)
        _append_text(marks, list(imported_values.HEADERS))
        marks.sheet_state = "hidden"
    for offset, row in enumerate(table.rows, start=1):
        for column, cell in zip(table.columns, row):
            if cell is not None and cell.value not in (None, ""):
                target = sheet.cell(last + offset, at[header_key(column.label)])
                target.value = strip_illegal(cell.value)[:32000] if isinstance(cell.value, str) else cell.value
                if isinstance(cell.value, str):
                    target.data_type = "s"  # text stays text, never a formula
        mark = table.imported[offset - 1] if table.imported else None
        if mark is not None and marks is not None:
            _append_text(marks, [sheet.title, last + offset, *mark])
    return _save(book, source)
