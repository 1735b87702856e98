"""Read input workbooks (.xlsx) into records, and write annotated copies. The only module
that imports openpyxl.

Reading is tolerant: sheets and headers are matched whatever their case, spacing or trailing
``*``, and in any column order; blank rows are skipped; merged cells give their value to every
row they cover; formulas give their last calculated value; unknown columns are kept as extras.
Everything unusual becomes a Finding. A file that cannot be opened at all raises
InputFileError naming it. Hostile files are refused before they are parsed: zip bombs by the
sizes in the zip directory, XML entity tricks by defusedxml (which openpyxl uses when present).
"""

from __future__ import annotations

import difflib
import re
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import InvalidFileException

from .errors import InputFileError, OutputError
from .findings import ERROR, WARNING, Finding, Findings
from .model import AWARD, ORGANISATION, SUGGESTION, Origin, Record, SheetCells
from .partners import SUGGESTION_FIELDS, SUGGESTION_SHEET
from .schema import FieldSpec, Schema, header_key, normalise
from .text import strip_illegal

#: Extra columns with these header prefixes are notes: kept, shown in Excel, not reported.
NOTE_PREFIXES = ("gtr ", "note", "researchfish:")
#: Sheets the tool writes itself and that hold no entries.
OWN_SHEETS = {"instructions", "lists", "findings", "summary", "read me", "readme"}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SCAN_ROWS = 10
#: Entries read from one sheet at most, which bounds the memory a hostile file can take.
MAX_ROWS_PER_SHEET = 250_000
#: Refuse workbooks whose contents would expand beyond these sizes (zip bombs).
MAX_UNCOMPRESSED = 1024 * 2**20
MAX_RATIO = 500
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_READ_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError, ValueError,
                ParseError, zipfile.LargeZipFile, NotImplementedError, RuntimeError, zlib.error)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)


def sheet_kinds(schema: Schema) -> dict[str, str]:
    """Map normalised sheet names (and aliases) to ``award``, ``organisation``, ``suggestion``
    or a section key."""
    kinds = {normalise(schema.award_sheet): AWARD}
    kinds.update({normalise(a): AWARD for a in schema.award_sheet_aliases})
    kinds[normalise(schema.organisation_sheet)] = ORGANISATION
    kinds.update({normalise(a): ORGANISATION for a in schema.organisation_sheet_aliases})
    kinds[normalise(SUGGESTION_SHEET)] = SUGGESTION
    for section in schema.sections:
        for name in (section.sheet, section.title, *section.aliases):
            kinds.setdefault(normalise(name), section.key)
    return kinds


def _columns(schema: Schema, kind: str) -> tuple[FieldSpec, ...]:
    if kind == AWARD:
        return schema.award_fields
    if kind == ORGANISATION:
        return schema.organisation_fields
    if kind == SUGGESTION:
        return SUGGESTION_FIELDS
    return schema.columns(schema.section(kind))


def _check_file(path: Path) -> None:
    """Refuse, with a plain message, anything that is not a safe-to-open .xlsx."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a workbook.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from None
    if not head:
        raise InputFileError(f"{path}: is empty (0 bytes).", "Save the workbook again from Excel.")
    if head == _OLE2_MAGIC:
        raise InputFileError(
            f"{path}: is an old-style Excel 97-2003 file (.xls) or a password-protected workbook.",
            "Open it in Excel or LibreOffice, remove any password, and save it as an Excel "
            "Workbook (.xlsx).")
    if not head.startswith(b"PK"):
        raise InputFileError(
            f"{path}: is not an Excel workbook (.xlsx).",
            "Save the file from Excel or LibreOffice as an Excel Workbook (.xlsx).")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(
            f"{path}: is damaged or cut short and cannot be opened ({_one_line(exc)}).",
            "Open it in Excel or LibreOffice and save it again, or ask for a fresh copy.") from None
    total = sum(m.file_size for m in members)
    # Highly repetitive text compresses well, so the ratio only counts for big members.
    worst = max((m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 32 * 2**20),
                default=0)
    if total > MAX_UNCOMPRESSED or worst > MAX_RATIO:
        raise InputFileError(
            f"{path}: would expand to {total / 2**20:,.0f} MB when opened; refusing to read it.",
            "Real outcome workbooks are far smaller. Check where the file came from.")
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise InputFileError(
            f"{path}: is a zip file but not an Excel workbook (it has no xl/workbook.xml).",
            "Save the file from Excel or LibreOffice as an Excel Workbook (.xlsx).")
    names = {m.filename for m in members}
    # Excel never writes a DTD; one in a workbook is there to expand entities or reach files.
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/_rels/workbook.xml.rels" in names:
                rels = archive.read("xl/_rels/workbook.xml.rels")
                for target in re.findall(rb'Target="/?(?:xl/)?(worksheets/[^"]+)"', rels):
                    if "xl/" + target.decode() not in names:
                        raise InputFileError(
                            f"{path}: is damaged: the sheet part xl/{target.decode()} is missing.",
                            "Open it in Excel or LibreOffice and save it again, or ask for a fresh copy.")
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        if _DTD.search(stream.read(4096)):
                            raise InputFileError(
                                f"{path}: contains XML entity declarations ({member.filename}), "
                                "which Excel never writes; refusing to read it.",
                                "Check where the file came from; re-save it from Excel if it is genuine.")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputFileError(f"{path}: is damaged and cannot be opened ({_one_line(exc)}).",
                             "Open it in Excel or LibreOffice and save it again.") from None


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scan_xml(path: Path, member: str | None) -> tuple[list[str], bool]:
    """The merged ranges of a sheet, and whether it has any formula, from its raw XML."""
    if not member:
        return [], False
    merges: list[str] = []
    formulas = False
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            formulas = formulas or bool(_FORMULA.search(data))
            merges.extend(m.decode() for m in _MERGE.findall(data))
            tail = data[-200:]
            # A match inside the overlap is found twice; keep each range once.
    return list(dict.fromkeys(merges)), formulas


class _Reader:
    """Reads one workbook's sheets, collecting records and findings."""

    def __init__(self, path: Path, schema: Schema, stack: ExitStack) -> None:
        self.path = path
        self.file = str(path)
        self.schema = schema
        self.findings = Findings()
        self._stack = stack
        self._formula_book = None

    def add(self, code: str, severity: str, message: str, hint: str = "", **where: str) -> None:
        self.findings.add(Finding(code, severity, message, hint, file=self.file, **where))

    def formula_cells(self, title: str) -> dict[str, str]:
        """Coordinates of formula cells in a sheet -> their formula text."""
        if self._formula_book is None:
            self._formula_book = _open_book(self._stack, self.path, read_only=True, data_only=False)
        found: dict[str, str] = {}
        with closing(self._formula_book[title].iter_rows()) as rows:
            for row in rows:
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        found[cell.coordinate] = str(cell.value)
        return found


def _open_book(stack: ExitStack, path: Path, **options: Any):
    """Load a workbook from a file handle the stack closes, whatever happens while reading.

    (Given a path, openpyxl opens the file itself and leaves it open when parsing fails.)
    """
    try:
        handle = stack.enter_context(path.open("rb"))
        with warnings.catch_warnings():
            # openpyxl warns about data validation extensions and the like; not our concern.
            warnings.simplefilter("ignore")
            book = load_workbook(handle, **options)
    except (*_READ_ERRORS, TypeError, AttributeError) as exc:  # openpyxl's reaction to bad parts
        raise InputFileError(
            f"{path}: cannot be opened as an Excel workbook ({_one_line(exc)}).",
            "The file may be damaged or not really an .xlsx. Open it in Excel or LibreOffice "
            "and save it again as an Excel Workbook (.xlsx).") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from None
    if options.get("read_only"):
        stack.callback(book.close)
    return book


def read_workbook(path: Path | str, schema: Schema) -> tuple[list[Record], Findings]:
    """Read every recognised sheet of one workbook into records, with findings about layout."""
    path = Path(path)
    _check_file(path)
    records: list[Record] = []
    kinds = sheet_kinds(schema)
    known = 0
    with ExitStack() as stack:
        reader = _Reader(path, schema, stack)
        book = _open_book(stack, path, read_only=True, data_only=True)
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        try:
            for sheet in book.worksheets:
                kind = kinds.get(normalise(sheet.title))
                if kind is None:
                    if normalise(sheet.title) not in OWN_SHEETS:
                        _unknown_sheet(sheet, reader)
                    continue
                known += 1
                records.extend(_read_sheet(sheet, kind, reader))
        except _READ_ERRORS as exc:
            raise InputFileError(
                f"{path}: is damaged and could not be read to the end ({_one_line(exc)}).",
                "Open it in Excel or LibreOffice and save it again as an Excel Workbook (.xlsx).") from None
    if not known:
        reader.add("no-sheets", ERROR, "has no sheet this tool recognises, so nothing was read",
                   "Start from a workbook made by `funder-report init`, or rename the sheets to "
                   "the section names (e.g. Engagement Activities).")
    return records, reader.findings


@dataclass
class Table:
    """One sheet of a workbook as it stands: its header row and the non-blank rows below it.

    For files in other tools' layouts (researchfish exports), which the importers map
    themselves. Cells keep their values as read (text, numbers, dates); Excel error values are
    None, reported as findings.
    """

    sheet: str
    header_row: int = 0
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    #: Rows before the header and blank-looking rows are not counted; rows of formulas are.
    hidden: bool = False

    def column(self, index: int) -> str:
        """The column letter of a 0-based index (for cell references in findings)."""
        return get_column_letter(index + 1)


def _header_index(rows: list[tuple]) -> int:
    """The first row (0-based) of at least two texts, mostly texts: a header. -1 if none."""
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        filled = [v for v in row if v not in (None, "")]
        texts = [v for v in filled if isinstance(v, str) and v.strip()]
        if len(texts) >= 2 and len(texts) * 2 >= len(filled):
            return index
    return -1


def read_tables(path: Path | str, limit: int | None = None) -> tuple[list[Table], Findings]:
    """Every sheet of a workbook as a Table, after the same hostile-file checks as any input.

    `limit` caps the rows read below each header (0: just the headers, to recognise a layout).
    """
    path = Path(path)
    _check_file(path)
    tables: list[Table] = []
    findings = Findings()
    with ExitStack() as stack:
        book = _open_book(stack, path, read_only=True, data_only=True)
        # openpyxl warns of cells it cannot read (a date out of range): they come back as errors.
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        try:
            for sheet in book.worksheets:
                sheet.reset_dimensions()
                tables.append(_table(sheet, str(path), findings, limit))
        except _READ_ERRORS as exc:
            raise InputFileError(
                f"{path}: is damaged and could not be read to the end ({_one_line(exc)}).",
                "Open it in Excel or LibreOffice and save it again as an Excel Workbook (.xlsx).") from None
    return tables, findings


def _table(sheet, file: str, findings: Findings, limit: int | None = None) -> Table:
    table = Table(sheet.title, hidden=getattr(sheet, "sheet_state", "visible") != "visible")
    head: list[tuple] = []
    with closing(sheet.iter_rows(values_only=True)) as rows:
        for number, row in enumerate(rows, start=1):
            if len(head) < _HEADER_SCAN_ROWS and not table.header_row:
                head.append(row)
                found = _header_index(head)
                if found >= 0:
                    table.header_row = found + 1
                    table.header = ["" if v is None else " ".join(str(v).split()) for v in head[found]]
                    head = []
                continue
            if not table.header_row:
                continue
            if limit is not None and len(table.rows) >= limit:
                break
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                continue
            if len(table.rows) >= MAX_ROWS_PER_SHEET:
                findings.add(Finding(
                    "too-many-rows", ERROR, f"has more than {MAX_ROWS_PER_SHEET:,} rows; the rest were not read",
                    "Split the file into several.", file=file, sheet=table.sheet, cell=f"A{number}"))
                break
            cells = []
            for index, value in enumerate(row):
                if isinstance(value, str):
                    if value in ERROR_CODES:
                        findings.add(Finding(
                            "error-cell", WARNING, f"shows the Excel error {value}; the cell is read as empty",
                            "Fix the formula that produces it in the source, if the value matters.",
                            file=file, sheet=table.sheet, cell=f"{get_column_letter(index + 1)}{number}",
                            value=value))
                        value = None
                    elif "_x" in value:
                        value = unescape(value)
                cells.append(value)
            table.rows.append((number, tuple(cells)))
    return table


def _find_header(rows, labels: dict[str, FieldSpec]) -> tuple[int, tuple]:
    for number, row in enumerate(rows, start=1):
        if any(header_key(v) in labels for v in row):
            return number, row
        if number >= _HEADER_SCAN_ROWS:
            break
    return 0, ()


def _has_data(sheet) -> bool:
    with closing(sheet.iter_rows(values_only=True)) as rows:
        return any(any(v not in (None, "") for v in row) for row in rows)


def _unknown_sheet(sheet, reader: _Reader) -> None:
    sheet.reset_dimensions()
    if not _has_data(sheet):
        return
    schema = reader.schema
    # A renamed section sheet still has that section's headers: say which it looks like.
    best, best_hits = None, 0
    with closing(sheet.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)) as rows:
        first_rows = list(rows)
    headers = {header_key(v) for row in first_rows for v in row if v is not None}
    for section in schema.sections:
        hits = len(headers & set(reader.schema.header_map(section.fields)))
        if hits > best_hits:
            best, best_hits = section, hits
    names = [schema.award_sheet] + [s.sheet for s in schema.sections]
    if best is not None and best_hits >= 2:
        reader.add("unknown-sheet", ERROR,
                   f"looks like the {best.title} sheet under another name, so its rows were not read",
                   f'Rename the sheet to "{best.sheet}" (or move its rows to that sheet).',
                   sheet=sheet.title)
        return
    close = difflib.get_close_matches(sheet.title, names, n=1, cutoff=0.6)
    hint = (f'Did you mean "{close[0]}"? Rename the sheet to that if it holds entries.' if close else
            "If it holds entries, rename it to a section name (e.g. Engagement Activities); "
            "a notes sheet can stay as it is.")
    reader.add("unknown-sheet", WARNING,
               "is not a sheet this tool knows, so its rows are not in the return", hint,
               sheet=sheet.title)


def _read_sheet(sheet, kind: str, reader: _Reader) -> list[Record]:
    sheet.reset_dimensions()  # some writers store a wrong size; read to the real end
    specs = _columns(reader.schema, kind)
    labels = reader.schema.header_map(specs)
    # Row generators are closed explicitly: a half-read sheet must not keep the file open.
    with closing(sheet.iter_rows(values_only=True)) as rows:
        header_row, header = _find_header(rows, labels)
    title = sheet.title
    if not header_row:
        if _has_data(sheet):
            reader.add("no-header", ERROR, "has data but no header row this tool recognises",
                       "Put the column names (e.g. " + ", ".join(s.label for s in specs[:3]) +
                       ") in the first row.", sheet=title)
        return []
    columns, extras, continued = _map_header(header, header_row, specs, labels, title, reader)
    continued_order = sorted(continued, key=lambda i: continued[i][1])
    merges, has_formulas = _scan_xml(reader.path, getattr(sheet, "_worksheet_path", None))
    merged = _merged_cells(merges, header_row, title, reader)
    formulas = reader.formula_cells(title) if has_formulas else {}
    formula_columns: dict[str, list[str]] = {}
    letters = {index: get_column_letter(index + 1) for index in list(columns) + list(extras)}
    merge_values: dict[str, Any] = {}
    merge_width = max((c for _, c in merged), default=-1) + 1
    records: list[Record] = []
    column_letters = {spec.key: letters[index] for index, spec in columns.items()}
    with closing(sheet.iter_rows(min_row=header_row + 1, values_only=True)) as rows:
        for number, row in enumerate(rows, start=header_row + 1):
            if len(records) >= MAX_ROWS_PER_SHEET:
                reader.add("too-many-rows", ERROR,
                           f"has more than {MAX_ROWS_PER_SHEET:,} entries; the rest were not read",
                           "Split the entries over several workbooks (a folder of workbooks is read as one).",
                           sheet=title, cell=f"A{number}")
                break
            if merged:
                row = _fill_merged(row, number, merged, merge_values, merge_width)
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                continue
            raw: dict[str, Any] = {}
            flagged: set[str] = set()
            for index, spec in columns.items():
                value = row[index] if index < len(row) else None
                ref = f"{letters[index]}{number}" if formulas else ""
                if value is None and ref not in formulas:
                    continue  # empty cells are simply absent from `raw`
                if ref in formulas:
                    if value is None:
                        reader.add("formula-no-value", ERROR,
                                   f"holds a formula ({formulas[ref]}) that has never been calculated",
                                   "Open the workbook in Excel or LibreOffice and save it, or type the value.",
                                   sheet=title, cell=ref, field=spec.label, value=formulas[ref])
                        flagged.add(spec.key)
                    else:
                        formula_columns.setdefault(spec.label, []).append(ref)
                if isinstance(value, str) and "_x" in value:
                    value = unescape(value)  # Excel writes control characters as _xHHHH_
                if isinstance(value, str) and value in ERROR_CODES:
                    reader.add("error-cell", ERROR, f"shows the Excel error {value}",
                               "Fix the formula that produces it, or type the value.",
                               sheet=title, cell=f"{letters[index]}{number}", field=spec.label, value=value)
                    flagged.add(spec.key)
                    continue
                raw[spec.key] = value
            for index in continued_order:
                spec = continued[index][0]
                piece = row[index] if index < len(row) else None
                if isinstance(piece, str) and piece and isinstance(raw.get(spec.key), str):
                    raw[spec.key] += unescape(piece) if "_x" in piece else piece
            kept = [i for i in extras if i < len(row) and row[i] not in (None, "")]
            records.append(Record(kind=kind, raw=raw, origin=Origin(reader.file, title, number),
                                  cells=SheetCells(column_letters, number),
                                  extra={extras[i]: row[i] for i in kept}, flagged=flagged or frozenset(),
                                  extra_cells={extras[i]: f"{letters[i]}{number}" for i in kept}))
    for label, refs in formula_columns.items():
        shown = ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")
        reader.add("formula", WARNING,
                   f"{len(refs)} cell(s) hold formulas ({shown}); their last calculated values are used",
                   "Check those values; replace formulas with typed values if they may change.",
                   sheet=title, cell=refs[0], field=label)
    return records


_CONTINUED = re.compile(r"^(.*?)\s*\(continued(?:\s+(\d+))?\)$", re.I)


def _map_header(header: tuple, header_row: int, specs, labels, title: str,
                reader: _Reader) -> tuple[dict[int, FieldSpec], dict[int, str], dict[int, tuple[FieldSpec, int]]]:
    columns: dict[int, FieldSpec] = {}
    extras: dict[int, str] = {}
    continued: dict[int, tuple[FieldSpec, int]] = {}
    seen: dict[str, str] = {}
    for index, value in enumerate(header):
        letter = get_column_letter(index + 1)
        key = header_key(value)
        if not key:
            continue
        spec = labels.get(key)
        name = str(value).strip()
        more = _CONTINUED.match(name) if spec is None else None
        if more and header_key(more.group(1)) in labels:
            # Text too long for one cell, carried on in "<Label> (continued N)" columns.
            continued[index] = (labels[header_key(more.group(1))], int(more.group(2) or 1))
            continue
        if spec is None:
            extras[index] = name
            if name.casefold().startswith(NOTE_PREFIXES):
                continue  # a deliberate notes column (imports write "GtR id" and the like)
            close = difflib.get_close_matches(name, [s.label for s in specs], n=1, cutoff=0.75)
            reader.add("unknown-column", WARNING,
                       f'column "{name}" is not a field of this sheet; it is kept but not checked',
                       (f'Did you mean "{close[0]}"? Rename the header to that.' if close else
                        "Rename it to a field name if it should be checked, or leave it as a note column."),
                       sheet=title, cell=f"{letter}{header_row}")
        elif spec.key in seen:
            extras[index] = name
            reader.add("duplicate-column", WARNING,
                       f'"{spec.label}" appears twice; column {seen[spec.key]} is used and this one is kept aside',
                       "Delete or rename one of the two columns.",
                       sheet=title, cell=f"{letter}{header_row}", field=spec.label)
        else:
            columns[index] = spec
            seen[spec.key] = letter
    for spec in specs:
        if spec.required and spec.key not in seen:
            reader.add("missing-column", ERROR, f'has no "{spec.label}" column, which is required',
                       f'Add a column headed "{spec.label}" (a workbook from `funder-report init` has it).',
                       sheet=title, field=spec.label)
    return columns, extras, continued


def _merged_cells(merges: list[str], header_row: int, title: str,
                  reader: _Reader) -> dict[tuple[int, int], str]:
    """Map (row, column index) of every merged data cell to its range's top-left reference."""
    covered: dict[tuple[int, int], str] = {}
    for ref in merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row <= header_row or (max_row - min_row + 1) * (max_col - min_col + 1) > 100_000:
            continue
        top_left = f"{get_column_letter(min_col)}{min_row}"
        for r in range(max(min_row, header_row + 1), max_row + 1):
            for c in range(min_col, max_col + 1):
                covered[(r, c - 1)] = top_left
        reader.add("merged-cells", WARNING,
                   f"cells {ref} are merged; the value of {top_left} is used for every row they cover",
                   "Unmerge them (Home > Merge & Center) and fill in each cell, so each entry is clear.",
                   sheet=title, cell=top_left)
    return covered


def _fill_merged(row: tuple, number: int, merged: dict[tuple[int, int], str],
                 values: dict[str, Any], width: int) -> tuple:
    cells = list(row) + [None] * max(0, width - len(row))
    for index in range(len(cells)):
        top_left = merged.get((number, index))
        if top_left is None:
            continue
        if top_left == f"{get_column_letter(index + 1)}{number}":
            values[top_left] = cells[index]
        elif cells[index] is None:
            cells[index] = values.get(top_left)
    return tuple(cells)


# -- annotated copies ------------------------------------------------------------------------

_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")


def annotate(source: Path, findings: list[Finding], target: Path) -> bytes:
    """A copy of `source` with each problem cell highlighted and commented, plus a Findings sheet.

    The input file is only read. Returns the bytes of the annotated workbook.
    """
    import io

    _check_file(source)
    with ExitStack() as stack:
        book = _open_book(stack, source)
    if "Findings" in book.sheetnames:
        del book["Findings"]
    notes: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.sheet in book.sheetnames and finding.cell:
            notes.setdefault((finding.sheet, finding.cell), []).append(finding)
    for (sheet_name, ref), items in notes.items():
        cell = book[sheet_name][ref]
        worst = ERROR if any(f.severity == ERROR for f in items) else WARNING
        cell.fill = _ERROR_FILL if worst == ERROR else _WARNING_FILL
        text = "\n".join(f"{f.severity.upper()}: {f.message}" + (f" {f.hint}" if f.hint else "")
                         for f in items)
        if cell.comment is not None:
            text = cell.comment.text + "\n---\n" + text
        comment = Comment(text[:32000], "funder-report")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    sheet = book.create_sheet("Findings", 0)
    headers = ["Severity", "Sheet", "Cell", "Field", "Value", "Problem", "How to fix"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for finding in findings:
        row = [finding.severity, finding.sheet, finding.cell or finding.location, finding.field, finding.value,
               finding.message, finding.hint]
        sheet.append([_safe(v) for v in row])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # user text, never a formula or an error value
        if finding.sheet in book.sheetnames and finding.cell:
            link = sheet.cell(row=sheet.max_row, column=3)
            quoted = finding.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{finding.cell}",
                                       display=finding.cell)
            link.font = Font(color="0563C1", underline="single")
        fill = _ERROR_FILL if finding.severity == ERROR else _WARNING_FILL
        sheet.cell(row=sheet.max_row, column=1).fill = fill
    for letter, width in zip("ABCDEFG", (10, 28, 10, 28, 40, 60, 60)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.active = 0
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (ValueError, TypeError) as exc:
        raise OutputError(f"Cannot write the annotated copy of {source} ({exc}).") from None
    return buffer.getvalue()


def _safe(value: str) -> str:
    """Text that openpyxl can store (no control characters, within Excel's cell limit)."""
    return strip_illegal(value or "")[:32000]


# -- partner suggestions -----------------------------------------------------------------------

def write_suggestions(source: Path, rows: list[dict[str, Any]], organisations: list[dict[str, Any]],
                      schema: Schema) -> bytes:
    """A copy of `source` with a Partner Suggestions sheet (Accept left blank for a person to
    fill in) and any organisations only named by entries added to the Organisations sheet.
    Suggestions already accepted in `source` are kept. The input file is only read."""
    import io

    from openpyxl.worksheet.datavalidation import DataValidation

    _check_file(source)
    with ExitStack() as stack:
        book = _open_book(stack, source)
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
        partner_sheet.append([spec.label for spec in schema.organisation_fields])
        for cell in partner_sheet[1]:
            cell.font = Font(bold=True)
    header = [header_key(c.value) for c in partner_sheet[1]]
    for values in organisations:
        line = [None] * max(len(header), 1)
        for spec in schema.organisation_fields:
            key = header_key(spec.label)
            if key in header and values.get(spec.key):
                value = values[spec.key]
                line[header.index(key)] = "; ".join(value) if isinstance(value, list) else value
        partner_sheet.append(line)
    sheet = book.create_sheet(SUGGESTION_SHEET)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in kept:
        sheet.append([strip_illegal(str(v)) if isinstance(v, str) else v for v in row])
    for item in rows:
        sheet.append([None] + [_safe(str(item.get(spec.key, ""))) if spec.key != "row" else item["row"]
                               for spec in SUGGESTION_FIELDS[1:]])
        for cell in sheet[sheet.max_row][1:]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    choice = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True,
                            promptTitle="Accept?", prompt="Yes links the entry to the organisation.")
    sheet.add_data_validation(choice)
    choice.add(f"A2:A{max(sheet.max_row, 2) + 500}")
    for letter, width in zip("ABCDEFG", (9, 26, 7, 50, 36, 22, 70)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
