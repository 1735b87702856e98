"""Read input workbooks (.xlsx) into records. The only module that imports openpyxl.

Reading is tolerant: sheets and headers are matched whatever their case, spacing or trailing
``*``, and in any column order; blank rows are skipped; unknown columns are kept as extras and
reported; a file that cannot be opened raises InputFileError naming it.
"""

from __future__ import annotations

import difflib
import warnings
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .errors import InputFileError
from .findings import ERROR, WARNING, Finding, Findings
from .model import AWARD, Origin, Record
from .schema import FieldSpec, Schema, normalise

#: Sheets the tool writes itself and that hold no entries.
OWN_SHEETS = {"instructions", "lists", "findings", "summary", "read me", "readme"}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SCAN_ROWS = 10


def _header_key(text: Any) -> str:
    if text is None:
        return ""
    return normalise(str(text).strip().rstrip("*").strip())


def sheet_kinds(schema: Schema) -> dict[str, str]:
    """Map normalised sheet names (and aliases) to ``award`` or a section key."""
    kinds = {normalise(schema.award_sheet): AWARD}
    kinds.update({normalise(a): AWARD for a in schema.award_sheet_aliases})
    for section in schema.sections:
        for name in (section.sheet, section.title, *section.aliases):
            kinds.setdefault(normalise(name), section.key)
    return kinds


def _columns(schema: Schema, kind: str) -> tuple[FieldSpec, ...]:
    if kind == AWARD:
        return schema.award_fields
    return schema.columns(schema.section(kind))


def _label_map(specs: tuple[FieldSpec, ...]) -> dict[str, FieldSpec]:
    labels: dict[str, FieldSpec] = {}
    for spec in specs:
        labels.setdefault(normalise(spec.label), spec)
    for spec in specs:
        for alias in spec.aliases:
            labels.setdefault(normalise(alias), spec)
    return labels


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a workbook.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from None
    if head == _OLE2_MAGIC:
        raise InputFileError(
            f"{path}: is an old-style Excel 97-2003 file (.xls) or a password-protected workbook.",
            "Open it in Excel or LibreOffice, remove any password, and save it as an Excel "
            "Workbook (.xlsx).")
    if not head.startswith(b"PK"):
        raise InputFileError(
            f"{path}: is not an Excel workbook (.xlsx).",
            "Save the file from Excel or LibreOffice as an Excel Workbook (.xlsx).")


def read_workbook(path: Path | str, schema: Schema) -> tuple[list[Record], Findings]:
    """Read every recognised sheet of one workbook into records, with findings about layout."""
    path = Path(path)
    _check_file(path)
    name = str(path)
    findings = Findings()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation extensions and the like; not our concern.
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError, ValueError) as exc:
        raise InputFileError(
            f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}).",
            "The file may be damaged or not really an .xlsx. Open it in Excel or LibreOffice "
            "and save it again as an Excel Workbook (.xlsx).") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from None
    records: list[Record] = []
    kinds = sheet_kinds(schema)
    known = 0
    try:
        for sheet in book.worksheets:
            kind = kinds.get(normalise(sheet.title))
            if kind is None:
                if normalise(sheet.title) not in OWN_SHEETS:
                    _unknown_sheet(sheet, name, kinds, schema, findings)
                continue
            known += 1
            records.extend(_read_sheet(sheet, kind, name, schema, findings))
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError) as exc:
        raise InputFileError(
            f"{path}: is damaged and could not be read to the end ({type(exc).__name__}: {exc}).",
            "Open it in Excel or LibreOffice and save it again as an Excel Workbook (.xlsx).") from None
    finally:
        book.close()
    if not known:
        findings.add(Finding(
            "no-sheets", WARNING, "has no sheet this tool recognises, so nothing was read",
            "Start from a workbook made by `funder-report init`, or rename the sheets to the "
            "section names (e.g. Engagement Activities).", file=name))
    return records, findings


def _unknown_sheet(sheet, file: str, kinds: dict[str, str], schema: Schema, findings: Findings) -> None:
    sheet.reset_dimensions()
    has_data = any(any(v not in (None, "") for v in row) for row in sheet.iter_rows(values_only=True))
    if not has_data:
        return
    names = [schema.award_sheet] + [s.sheet for s in schema.sections]
    close = difflib.get_close_matches(sheet.title, names, n=1, cutoff=0.6)
    hint = (f'Did you mean "{close[0]}"? Rename the sheet to that. ' if close else
            "Rename it to a section name (e.g. Engagement Activities) if it holds entries. ")
    findings.add(Finding(
        "unknown-sheet", WARNING,
        "is not a sheet this tool knows, so its rows are not in the return",
        hint + "Sheets: " + ", ".join(names[:4]) + ", …", file=file, sheet=sheet.title))


def _read_sheet(sheet, kind: str, file: str, schema: Schema, findings: Findings) -> list[Record]:
    sheet.reset_dimensions()  # some writers store a wrong size; read to the real end
    specs = _columns(schema, kind)
    labels = _label_map(specs)
    rows = sheet.iter_rows(values_only=True)
    header_row = 0
    header: tuple = ()
    for number, row in enumerate(rows, start=1):
        if any(_header_key(v) in labels for v in row):
            header_row, header = number, row
            break
        if number >= _HEADER_SCAN_ROWS:
            break
    if not header_row:
        if any(any(v not in (None, "") for v in row) for row in sheet.iter_rows(values_only=True)):
            findings.add(Finding(
                "no-header", ERROR, "has data but no header row this tool recognises",
                "Put the column names (e.g. " + ", ".join(s.label for s in specs[:3]) +
                ") in the first row.", file=file, sheet=sheet.title))
        return []
    columns: dict[int, FieldSpec] = {}
    extras: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, value in enumerate(header):
        letter = get_column_letter(index + 1)
        key = _header_key(value)
        if not key:
            continue
        spec = labels.get(key)
        if spec is None:
            extras[index] = str(value).strip()
            close = difflib.get_close_matches(str(value).strip(), [s.label for s in specs], n=1, cutoff=0.75)
            findings.add(Finding(
                "unknown-column", WARNING,
                f'column "{str(value).strip()}" is not a field of this sheet; it is kept but not checked',
                (f'Did you mean "{close[0]}"? Rename the header to that.' if close else
                 "Rename it to a field name if it should be checked, or leave it as a note column."),
                file=file, sheet=sheet.title, cell=f"{letter}{header_row}"))
        elif spec.key in seen:
            extras[index] = str(value).strip()
            findings.add(Finding(
                "duplicate-column", WARNING,
                f'"{spec.label}" appears twice; column {seen[spec.key]} is used and this one is kept aside',
                "Delete or rename one of the two columns.",
                file=file, sheet=sheet.title, cell=f"{letter}{header_row}", field=spec.label))
        else:
            columns[index] = spec
            seen[spec.key] = letter
    for spec in specs:
        if spec.required and spec.key not in seen:
            findings.add(Finding(
                "missing-column", ERROR, f'has no "{spec.label}" column, which is required',
                f'Add a column headed "{spec.label}" (a workbook from `funder-report init` has it).',
                file=file, sheet=sheet.title, field=spec.label))
    letters = {index: get_column_letter(index + 1) for index in list(columns) + list(extras)}
    records: list[Record] = []
    for number, row in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True),
                                 start=header_row + 1):
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
            continue
        raw: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for index, spec in columns.items():
            cells[spec.key] = f"{letters[index]}{number}"
            if index < len(row):
                raw[spec.key] = row[index]
        extra = {extras[i]: row[i] for i in extras if i < len(row) and row[i] not in (None, "")}
        records.append(Record(kind=kind, raw=raw, origin=Origin(file, sheet.title, number),
                              cells=cells, extra=extra))
    return records
