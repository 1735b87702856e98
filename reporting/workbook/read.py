"""Read input workbooks in the tool's layout into records, tolerantly.

Sheets and headers are matched whatever their case, spacing or trailing ``*``, and in any
column order; blank rows are skipped; merged cells give their value to every row they cover;
formulas give their last calculated value; text too long for a cell is joined back from its
"(continued)" columns; unknown columns are kept as extras. Everything unusual becomes a Finding.
A file that cannot be opened at all raises InputFileError naming it. No third-party imports.
"""

from __future__ import annotations

import difflib
import itertools
from pathlib import Path
from typing import Any

from .. import imported
from ..findings import ERROR, WARNING, Finding, Findings
from ..model import Origin, Record, SheetCells
from ..printed import CONTINUED_CUE, CONTINUES
from ..schema import FieldSpec, Schema, header_key, normalise
from .guard import Package, check_file
from .layout import (
    HEADER_SCAN_ROWS,
    MAX_ROWS_PER_SHEET,
    NOTE_PREFIXES,
    OWN_SHEETS,
    column_letter,
    continued_of,
    fields_of,
    sheet_kinds,
)
from .sheetxml import SheetXml, scan_sheet
from .values import Workbook, open_workbook

__all__ = ["read_workbook"]

#: A merged range larger than this is left alone (and one like it costs nothing to read).
MAX_MERGED_CELLS = 100_000
#: All merged cells of a sheet, at most (a hostile file can merge whole columns many times).
MAX_MERGED_TOTAL = 1_000_000


class _Reader:
    """Reads one workbook's sheets, collecting records and findings."""

    def __init__(self, package: Package, book: Workbook, schema: Schema) -> None:
        self.package = package
        self.book = book
        self.file = str(package.path)
        self.schema = schema
        self.findings = Findings()

    def add(self, code: str, severity: str, variant: str = "", **details: Any) -> None:
        """A finding in this workbook: `details` are where it is and the words of its message."""
        self.findings.add(Finding.of(code, severity, variant, file=self.file, **details))


def read_workbook(path: Path | str, schema: Schema) -> tuple[list[Record], Findings]:
    """Read every recognised sheet of one workbook into records, with findings about layout."""
    path = Path(path)
    package = check_file(path)
    reader = _Reader(package, open_workbook(path, package.spaced_text), schema)
    kinds = sheet_kinds(schema)
    records: list[Record] = []
    known = 0
    for name in reader.book.sheet_names:
        kind = kinds.get(normalise(name))
        if kind is None:
            if normalise(name) not in OWN_SHEETS:
                _unknown_sheet(name, reader)
            continue
        known += 1
        records.extend(_read_sheet(name, kind, reader))
    if not known:
        reader.add("no-sheets", ERROR)
    _mark_imported(records, reader)
    return records, reader.findings


def _mark_imported(records: list[Record], reader: _Reader) -> None:
    """Give each entry an import wrote the fingerprints of its values as imported: found where
    it was written (sheet, row and Entry ID alike), else, for a row a person moved, by its sheet
    and an Entry ID no other imported row has (imported.py)."""
    name = next((n for n in reader.book.sheet_names if normalise(n) == normalise(imported.SHEET)), None)
    if name is None:
        return
    by_id: dict[tuple[str, str], list[dict[str, str]]] = {}
    by_row: dict[tuple[str, int], tuple[str, dict[str, str]]] = {}
    for number, row in reader.book.rows(name):
        if number == 1 or len(row) < 4 or not isinstance(row[0], str):
            continue
        sheet, at, entry_id, marks = row[0], row[1], str(row[2] or "").strip(), imported.decode(row[3])
        if isinstance(at, int):
            by_row[(sheet, at)] = (entry_id, marks)
        if entry_id:
            by_id.setdefault((sheet, entry_id), []).append(marks)
    for record in records:
        sheet = record.origin.sheet or ""
        entry_id = str(record.raw.get("entry_id") or "").strip()
        written = by_row.get((sheet, record.origin.row or 0))
        if written is not None and written[0] == entry_id:
            record.imported = written[1]
        elif entry_id and len(by_id.get((sheet, entry_id), ())) == 1:
            record.imported = by_id[(sheet, entry_id)][0]


def _filled(row: tuple) -> bool:
    return any(v is not None and (not isinstance(v, str) or v.strip()) for v in row)


def _unknown_sheet(name: str, reader: _Reader) -> None:
    first = [row for _, row in reader.book.rows(name, HEADER_SCAN_ROWS)]
    if not any(_filled(row) for row in first) and not any(_filled(r) for _, r in reader.book.rows(name)):
        return
    schema = reader.schema
    # A renamed section sheet still has that section's headers: say which it looks like.
    headers = {header_key(v) for row in first for v in row if v is not None}
    best, best_hits = None, 0
    for section in schema.sections:
        hits = len(headers & set(schema.header_map(section.fields)))
        if hits > best_hits:
            best, best_hits = section, hits
    if best is not None and best_hits >= 2:
        reader.add("unknown-sheet", ERROR, "renamed", section=best.title, section_sheet=best.sheet, sheet=name)
        return
    names = [schema.award_sheet] + [s.sheet for s in schema.sections]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    reader.add("unknown-sheet", WARNING, "close" if close else "", close=close[0] if close else "", sheet=name)


def _find_header(rows: list[tuple[int, tuple]], labels: dict[str, FieldSpec]) -> tuple[int, tuple]:
    for number, row in rows:
        if any(header_key(v) in labels for v in row):
            return number, row
    return 0, ()


def _read_sheet(name: str, kind: str, reader: _Reader) -> list[Record]:
    specs = fields_of(reader.schema, kind)
    labels = reader.schema.header_map(specs)
    # Rows are read one at a time: only the first few are held, to find the header.
    # Every row is read, to the last a sheet can hold: the cap is on entries, not row numbers.
    stream = reader.book.rows(name)
    first = list(itertools.islice(stream, HEADER_SCAN_ROWS))
    rows = itertools.chain(first, stream)
    header_row, header = _find_header(first, labels)
    if not header_row:
        if any(_filled(row) for _, row in rows):
            reader.add("no-header", ERROR, examples=", ".join(s.label for s in specs[:3]), sheet=name)
        return []
    if reader.package.state(name) != "visible":
        reader.add("hidden-sheet", WARNING, sheet=name)
    columns, extras, continued = _map_header(header, header_row, specs, labels, name, reader)
    goes_on = next((i for i, v in enumerate(header) if isinstance(v, str) and v.strip() == CONTINUES), None)
    xml = scan_sheet(reader.package.path, reader.package.part(name))
    merged = _merged_cells(reader.book.merged(name), reader.book.extent(name), header_row, name, reader)
    letters = {index: column_letter(index) for index in list(columns) + list(extras)}
    column_letters = {spec.key: letters[index] for index, spec in columns.items()}
    formula_columns: dict[str, list[str]] = {}
    merge_values: dict[tuple[int, int], Any] = {}
    records: list[Record] = []
    for number, row in rows:
        if number <= header_row:
            continue
        if len(records) >= MAX_ROWS_PER_SHEET:
            reader.add("too-many-rows", ERROR, limit=MAX_ROWS_PER_SHEET, sheet=name, cell=f"A{number}")
            break
        if merged:
            row = _fill_merged(row, number, merged, merge_values)
        if not _filled(row):
            continue
        if goes_on is not None and goes_on < len(row) and row[goes_on] not in (None, "") and records:
            _continue(records[-1], row, columns, extras)
            continue
        raw, flagged = _row_values(row, number, columns, letters, xml, name, reader, formula_columns)
        for index in sorted(continued, key=lambda i: continued[i][1]):
            spec = continued[index][0]
            piece = row[index] if index < len(row) else None
            if isinstance(piece, str) and piece and isinstance(raw.get(spec.key), str):
                raw[spec.key] += piece
        kept = [i for i in extras if i < len(row) and row[i] not in (None, "")]
        records.append(
            Record(
                kind=kind,
                raw=raw,
                origin=Origin(reader.file, name, number),
                cells=SheetCells(column_letters, number),
                extra={extras[i]: row[i] for i in kept},
                flagged=flagged or frozenset(),
                extra_cells={extras[i]: f"{letters[i]}{number}" for i in kept},
            )
        )
    for label, refs in formula_columns.items():
        shown = ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")
        reader.add("formula", WARNING, count=len(refs), shown=shown, sheet=name, cell=refs[0], field=label)
    return records


def _continue(record: Record, row: tuple, columns: dict[int, FieldSpec], extras: dict[int, str]) -> None:
    """A row of an Excel return that continues the entry above (`printed`): its text joins the
    entry's, column by column."""
    for index, value in enumerate(row):
        if not isinstance(value, str) or not value or value == CONTINUED_CUE:
            continue
        if index in columns:
            key = columns[index].key
            before = record.raw.get(key)
            record.raw[key] = (before if isinstance(before, str) else "") + value
        elif index in extras:
            before = record.extra.get(extras[index])
            record.extra[extras[index]] = (before if isinstance(before, str) else "") + value


def _row_values(
    row: tuple,
    number: int,
    columns: dict[int, FieldSpec],
    letters: dict[int, str],
    xml: SheetXml,
    name: str,
    reader: _Reader,
    formula_columns: dict[str, list[str]],
) -> tuple[dict[str, Any], set[str]]:
    """The raw values of one row by field key, and the fields whose cell was already reported."""
    raw: dict[str, Any] = {}
    flagged: set[str] = set()
    for index, spec in columns.items():
        value = row[index] if index < len(row) else None
        ref = f"{letters[index]}{number}"
        if ref in xml.errors:
            reader.add(
                "error-cell",
                ERROR,
                error=xml.errors[ref],
                sheet=name,
                cell=ref,
                field=spec.label,
                value=xml.errors[ref],
            )
            flagged.add(spec.key)
            continue
        if ref in xml.formulas:
            formula, calculated = xml.formulas[ref]
            if not calculated or value is None:
                reader.add(
                    "formula-no-value", ERROR, formula=formula, sheet=name, cell=ref, field=spec.label, value=formula
                )
                flagged.add(spec.key)
                continue
            formula_columns.setdefault(spec.label, []).append(ref)
        if value is not None:
            raw[spec.key] = value
    return raw, flagged


def _map_header(
    header: tuple,
    header_row: int,
    specs: tuple[FieldSpec, ...],
    labels: dict[str, FieldSpec],
    title: str,
    reader: _Reader,
) -> tuple[dict[int, FieldSpec], dict[int, str], dict[int, tuple[FieldSpec, int]]]:
    columns: dict[int, FieldSpec] = {}
    extras: dict[int, str] = {}
    continued: dict[int, tuple[FieldSpec, int]] = {}
    seen: dict[str, str] = {}
    for index, value in enumerate(header):
        letter = column_letter(index)
        key = header_key(value)
        if not key:
            continue
        spec = labels.get(key)
        name = str(value).strip()
        if name == CONTINUES:
            continue  # the rows an Excel return continues long text in: joined back as they are read
        more = continued_of(name, labels) if spec is None else None
        if more:
            continued[index] = more  # text too long for one cell, carried on in "(continued N)" columns
            continue
        if spec is None:
            extras[index] = name
            if name.casefold().startswith(NOTE_PREFIXES):
                continue  # a deliberate notes column (imports write "GtR id" and the like)
            close = difflib.get_close_matches(name, [s.label for s in specs], n=1, cutoff=0.75)
            reader.add(
                "unknown-column",
                WARNING,
                "close" if close else "",
                name=name,
                close=close[0] if close else "",
                sheet=title,
                cell=f"{letter}{header_row}",
            )
        elif spec.key in seen:
            extras[index] = name
            reader.add(
                "duplicate-column",
                WARNING,
                label=spec.label,
                first=seen[spec.key],
                sheet=title,
                cell=f"{letter}{header_row}",
                field=spec.label,
            )
        else:
            columns[index] = spec
            seen[spec.key] = letter
    for spec in specs:
        if spec.required and spec.key not in seen:
            reader.add("missing-column", ERROR, label=spec.label, sheet=title, field=spec.label)
    return columns, extras, continued


def _merged_cells(
    ranges: list[tuple[int, int, int, int]], extent: tuple[int, int], header_row: int, title: str, reader: _Reader
) -> dict[tuple[int, int], tuple[int, int]]:
    """Map (row, column index) of every merged data cell to its range's top-left (row, column index).
    Only cells in use count (a merged whole column covers a million empty rows)."""
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for min_row, min_col, whole_max_row, whole_max_col in ranges:
        max_row, max_col = min(whole_max_row, max(extent[0], min_row)), min(whole_max_col, max(extent[1], min_col))
        size = (max_row - min_row + 1) * (max_col - min_col + 1)
        ref = f"{column_letter(min_col - 1)}{min_row}:{column_letter(whole_max_col - 1)}{whole_max_row}"
        top_left = f"{column_letter(min_col - 1)}{min_row}"
        if max_row <= header_row:
            continue
        if size > MAX_MERGED_CELLS or len(covered) + size > MAX_MERGED_TOTAL:
            reader.add("merged-cells", WARNING, "too-many", ref=ref, top_left=top_left, sheet=title, cell=top_left)
            continue
        for r in range(max(min_row, header_row + 1), max_row + 1):
            for c in range(min_col - 1, max_col):
                covered[(r, c)] = (min_row, min_col - 1)
        reader.add("merged-cells", WARNING, ref=ref, top_left=top_left, sheet=title, cell=top_left)
    return covered


def _fill_merged(
    row: tuple, number: int, merged: dict[tuple[int, int], tuple[int, int]], values: dict[tuple[int, int], Any]
) -> tuple:
    width = max(len(row), max((c for _, c in merged), default=-1) + 1)
    cells = list(row) + [None] * (width - len(row))
    for index in range(width):
        top_left = merged.get((number, index))
        if top_left is None:
            continue
        if top_left == (number, index):
            values[top_left] = cells[index]
        elif cells[index] is None:
            cells[index] = values.get(top_left)
    return tuple(cells)
