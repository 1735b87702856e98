"""Importers: turn files offices already have into records of the input-workbook layout.

Each importer returns an ImportResult (importers/result.py): the records it read, what became
of every row of the source (tallies), and notes (findings) about anything it could not place or
had to guess. The format is detected from the content, not the file name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..model import AWARD, ORGANISATION, SUGGESTION, Record
from ..schema import Schema
from ..text import shorten
from .kinds import refuse, refuse_html
from .result import ImportResult, Tally, combine, merge_shared_entries
from .trees import element_to_tree, load_json, load_xml

__all__ = ["ImportResult", "Tally", "combine", "combine_imports", "import_file", "merge_shared_entries", "wants_import"]

MAX_IMPORT_BYTES = 200 * 1024 * 1024


def _read_text(path: Path) -> str:
    """A text file's text: UTF-8, UTF-16 or UTF-32 with a byte-order mark (Notepad's "Unicode"
    saves UTF-16), UTF-8 without one, else Windows-1252."""
    data = path.read_bytes()
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise InputFileError(
                    f"{path}: says it is {encoding.upper()} text but is not.", "Save it again as UTF-8 text."
                ) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"{path}: is not readable text (neither UTF-8 nor Windows-1252).")


def import_file(path: Path | str, schema: Schema) -> ImportResult:
    """Detect the format of `path` and import it."""
    result = _import(Path(path), schema)
    result.mark_provenance()
    if not result.tallies:
        _tally_by_section(result, schema)
    return result


def wants_import(path: Path | str, schema: Schema) -> bool:
    """True for a file `import` reads (a GtR page, record or export, a researchfish export, a
    publication list), False for an input workbook, or a workbook neither reads (checking it
    says what is wrong). Only the workbook's headers are read, unless a sheet is headed like a
    publication list (an input workbook's Publications sheet is)."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if not (head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0")):
        return True
    from ..inputs import INSTRUCTIONS_SHEET, LISTS_SHEET
    from ..workbook import read_tables, read_workbook
    from ..workbook.guard import check_file
    from ..workbook.layout import normalise, sheet_kinds
    from .pub_table import looks_like_publication_table
    from .researchfish import looks_like_researchfish

    sheets = {normalise(name) for name, _, _ in check_file(path).sheets}
    if {normalise(INSTRUCTIONS_SHEET), normalise(LISTS_SHEET), normalise(schema.award_sheet)} <= sheets:
        return False  # the layout this tool writes (init, import): no need to read further
    tables, _ = read_tables(path, limit=0)
    if looks_like_researchfish(tables, schema):
        return True
    listed = [table for table in tables if looks_like_publication_table(table)]
    kinds = sheet_kinds(schema)
    if not listed or any(normalise(table.sheet) in kinds for table in listed):
        return False  # an input workbook's own Publications sheet is headed like a list
    records, _ = read_workbook(path, schema)
    return not _has_outcomes(records)


def _has_outcomes(records: list[Record]) -> bool:
    """True when a workbook read as an input workbook holds an outcome (not only its awards,
    organisations and suggestions): `import` and `wants_import` decide by it alike."""
    return any(r.kind not in (AWARD, ORGANISATION, SUGGESTION) for r in records)


def combine_imports(results: list[ImportResult]) -> ImportResult:
    """Several imports as one (`combine`), each work of the publication lists among them once:
    a work a later file lists again is folded into the first and counted as merged."""
    from .publications import fold

    combined = combine(results)
    if len(results) > 1:
        before = combined.merged
        fold(combined)
        folded = combined.merged - before
        tally = next((t for t in combined.tallies if t.section == "publications" and t.entries >= folded), None)
        if tally is not None:
            tally.entries -= folded
            tally.merged += folded
    return combined


def _tally_by_section(result: ImportResult, schema: Schema) -> None:
    """Tallies for a source read as one list per section (GtR pages, records and CSV files):
    rows read per section, entries made of them, and the rows merged into another award's."""
    kept: dict[str, int] = {}
    for record in result.records:
        if record.kind not in (AWARD, ORGANISATION, SUGGESTION):
            kept[record.kind] = kept.get(record.kind, 0) + 1
    for section in schema.sections:
        rows = result.read.get(section.key, 0)
        if rows or kept.get(section.key):
            entries = kept.get(section.key, 0)
            result.tallies.append(
                Tally(
                    section.title, section.key, rows=max(rows, entries), entries=entries, merged=max(rows - entries, 0)
                )
            )
    if result.unplaced:
        result.tallies.append(
            Tally("records of no known section", None, rows=result.unplaced, unplaced=result.unplaced)
        )


def _import_xml(data: bytes, source: str, schema: Schema) -> ImportResult:
    """XML: an ORCID record or works list, else a GtR project record (or a refusal)."""
    from .gtr_api import parse_gtr_xml

    element = load_xml(data, source)
    if "orcid.org" in element.tag:
        from .pub_orcid import parse_orcid

        return parse_orcid(element_to_tree(element, attributes=True) or {}, source, xml=True)
    return parse_gtr_xml(element, source, schema)


def _import_json(root: Any, source: str, schema: Schema) -> ImportResult:
    """JSON: a publication list (ORCID, CSL-JSON, Crossref, Europe PMC, EPrints), else GtR's."""
    from .gtr_api import parse_gtr_json
    from .pub_orcid import is_orcid, parse_orcid

    if is_orcid(root):
        return parse_orcid(root, source)
    from .pub_json import read_publication_json

    publications = read_publication_json(root, source)
    if publications is not None:
        return publications
    return parse_gtr_json(root, source, schema)


def _import(path: Path, schema: Schema) -> ImportResult:
    from .gtr_page import looks_like_gtr_page, parse_gtr_page

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise InputFileError(f"{path}: is larger than {MAX_IMPORT_BYTES // 2**20} MB; refusing to import it.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
        from ..workbook import read_tables, read_workbook
        from .researchfish import looks_like_researchfish, parse_researchfish

        tables, layout_notes = read_tables(path)  # refuses damaged or hostile files
        if looks_like_researchfish(tables, schema):
            return parse_researchfish(path, schema, tables, layout_notes)
        headers = tables
        records, layout = read_workbook(path, schema)
        if not _has_outcomes(records):
            from .pub_table import looks_like_publication_table, parse_publication_table

            listed = next((t for t in tables if looks_like_publication_table(t)), None)
            if listed is not None:
                return parse_publication_table(listed, str(path), "publication list (.xlsx)")
            sheets = ", ".join(t.sheet for t in headers[:8]) + (", ..." if len(headers) > 8 else "")
            raise refuse(
                str(path),
                f"a workbook with no outcome this tool can read (sheets: {sheets})",
                "It reads its own input workbooks (funder-report init) and researchfish exports, "
                "whose rows start with the award's reference.",
            )
        result = ImportResult(source=str(path), format="input workbook (.xlsx)", records=records, notes=list(layout))
        for record in records:
            if record.kind != "award":
                result.read[record.kind] = result.read.get(record.kind, 0) + 1
        return result
    text = _read_text(path)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:15].lower().startswith(("<!doctype html", "<html")):
        raise refuse_html(str(path))
    if stripped.startswith("<"):
        return _import_xml(path.read_bytes(), str(path), schema)
    if stripped.startswith(("{", "[")):
        return _import_json(load_json(text, str(path)), str(path), schema)
    from .pub_bibtex import looks_like_bibtex, parse_bibtex_list

    if looks_like_bibtex(text):
        return parse_bibtex_list(text, str(path))
    from .pub_ris import looks_like_ris, parse_ris

    if looks_like_ris(text):
        return parse_ris(text, str(path))
    from .gtr_csv import first_line, looks_like_gtr_csv, parse_gtr_csv
    from .rf_csv import looks_like_researchfish_csv, parse_researchfish_csv

    if looks_like_gtr_csv(text):
        return parse_gtr_csv(text, str(path), schema)
    if looks_like_researchfish_csv(text, str(path), schema):
        return parse_researchfish_csv(text, str(path), schema)
    if looks_like_gtr_page(text):
        return parse_gtr_page(text, str(path), schema)
    from .pub_table import looks_like_publication_table, parse_publication_table
    from .rf_csv import csv_table

    table, stray = csv_table(text, str(path))
    if looks_like_publication_table(table):
        result = parse_publication_table(table, str(path), "publication list (CSV)")
        result.notes.extend(stray)
        return result
    first = first_line(text).strip()
    if "," in first or ";" in first or "\t" in first:
        raise refuse(
            str(path),
            f"a table (CSV) headed {shorten(first, 120)!r}, which has neither GtR's "
            "Project Reference nor researchfish's award columns first",
        )
    raise refuse(str(path), "text that is not a GtR project page")
