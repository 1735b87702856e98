"""Importers: turn files offices already have into records of the input-workbook layout.

Each importer returns an ImportResult: the records it read, how many it read per section,
and notes (findings) about anything it could not place or had to guess. The format is
detected from the content, not the file name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError
from ..findings import Finding
from ..model import AWARD, ORGANISATION, SUGGESTION, Record
from ..schema import Schema

MAX_IMPORT_BYTES = 200 * 1024 * 1024


@dataclass
class Tally:
    """What became of the rows of one part of a source (a sheet, an outcome list, a file).

    Every row read is counted once: as an entry written, as a row merged into an entry read
    earlier (the same outcome counted for another award), as an empty row (nothing in it but
    the source's own columns) or as unplaced (an error finding names it). For a sheet of award
    details, `entries` counts the awards it gives.
    """

    part: str
    section: str | None = None
    rows: int = 0
    entries: int = 0
    merged: int = 0
    empty: int = 0
    unplaced: int = 0
    #: Pairs of sheet rows that were one row the source cut in two (counted once in `rows`).
    joined: int = 0
    note: str = ""

    @property
    def balanced(self) -> bool:
        return self.rows == self.entries + self.merged + self.empty + self.unplaced


@dataclass
class ImportResult:
    """What an import read: records, per-section counts, and notes to check."""

    source: str
    format: str
    records: list[Record] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)
    unplaced: int = 0
    #: Records folded into another because they are one outcome counted for several awards.
    merged: int = 0
    #: Whose records these are ("GtR", "researchfish"): written to each entry's Imported From,
    #: which marks it as accepted by the funder. Empty for the tool's own workbooks.
    provenance: str = ""
    #: Per part of the source, what became of its rows (see Tally).
    tallies: list[Tally] = field(default_factory=list)

    def tally(self, part: str, section: str | None = None) -> Tally:
        """The tally of `part`, made when first asked for."""
        for tally in self.tallies:
            if tally.part == part:
                return tally
        tally = Tally(part, section)
        self.tallies.append(tally)
        return tally

    def mark_provenance(self) -> None:
        """Say on every entry where it came from (entries that already say are left alone)."""
        if not self.provenance:
            return
        for record in self.records:
            if record.kind not in (AWARD, ORGANISATION, SUGGESTION) and not record.raw.get("imported_from"):
                record.raw["imported_from"] = self.provenance


def merge_shared_entries(result: ImportResult) -> list[Record]:
    """One outcome counted for several awards arrives once per award: make it one entry.

    Records of a section with the same Entry ID and otherwise identical values become one
    record listing every award reference. Records sharing an Entry ID but differing are kept
    apart, and a note says so.
    """
    from ..findings import WARNING

    groups: dict[tuple[str, str], list[Record]] = {}
    for record in result.records:
        entry_id = record.raw.get("entry_id")
        if record.kind != "award" and entry_id:
            groups.setdefault((record.kind, str(entry_id)), []).append(record)
    drop: set[int] = set()
    for (_, entry_id), members in groups.items():
        if len(members) < 2:
            continue
        def content(record: Record) -> dict:
            return {k: v for k, v in record.raw.items() if k != "award_reference"}
        if any(content(m) != content(members[0]) for m in members[1:]):
            result.notes.append(Finding(
                "same-id-different-content", WARNING,
                f"{len(members)} records share Entry ID {entry_id} but differ; they are kept apart",
                "Check whether they are the same outcome.", file=result.source, sheet=members[0].origin.sheet,
                cell=", ".join(f"row {m.origin.row}" for m in members[:5])))
            continue
        references: list[str] = []
        for member in members:
            for ref in str(member.raw.get("award_reference", "")).split(";"):
                if ref.strip() and ref.strip() not in references:
                    references.append(ref.strip())
        members[0].raw["award_reference"] = "; ".join(references)
        drop.update(id(m) for m in members[1:])
    dropped = [r for r in result.records if id(r) in drop]
    if drop:
        result.merged = len(drop)
        result.records = [r for r in result.records if id(r) not in drop]
    return dropped


def _read_text(path: Path) -> str:
    data = path.read_bytes()
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
            result.tallies.append(Tally(section.title, section.key, rows=max(rows, entries), entries=entries,
                                        merged=max(rows - entries, 0)))
    if result.unplaced:
        result.tallies.append(Tally("records of no known section", None, rows=result.unplaced,
                                    unplaced=result.unplaced))


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

        headers, _ = read_tables(path, limit=0)  # refuses damaged or hostile files
        if looks_like_researchfish(headers, schema):
            return parse_researchfish(path, schema)
        records, layout = read_workbook(path, schema)
        result = ImportResult(source=str(path), format="input workbook (.xlsx)", records=records,
                              notes=list(layout))
        for record in records:
            if record.kind != "award":
                result.read[record.kind] = result.read.get(record.kind, 0) + 1
        return result
    text = _read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        from .gtr_api import parse_gtr_xml

        return parse_gtr_xml(path.read_bytes(), str(path), schema)
    if stripped.startswith(("{", "[")):
        from .gtr_api import parse_gtr_json

        return parse_gtr_json(text, str(path), schema)
    from .gtr_csv import looks_like_gtr_csv, parse_gtr_csv

    if looks_like_gtr_csv(text):
        return parse_gtr_csv(text, str(path), schema)
    if looks_like_gtr_page(text):
        return parse_gtr_page(text, str(path), schema)
    raise InputFileError(
        f"{path}: is not in a format this tool can import.",
        "Supported: GtR project pages saved as text, GtR project records (XML or JSON), GtR "
        "outcome-search CSV exports and researchfish portfolio exports (.xlsx).")
