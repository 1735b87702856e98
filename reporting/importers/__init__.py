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
from ..model import Record
from ..schema import Schema

MAX_IMPORT_BYTES = 200 * 1024 * 1024


@dataclass
class ImportResult:
    """What an import read: records, per-section counts, and notes to check."""

    source: str
    format: str
    records: list[Record] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)
    unplaced: int = 0


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
    from .gtr_page import looks_like_gtr_page, parse_gtr_page

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise InputFileError(f"{path}: is larger than {MAX_IMPORT_BYTES // 2**20} MB; refusing to import it.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            f"{path}: is a spreadsheet; import reads GtR project pages saved as text.",
            "A workbook in the input layout can be given to `funder-report build` directly.")
    text = _read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        from .gtr_api import parse_gtr_xml

        return parse_gtr_xml(path.read_bytes(), str(path), schema)
    if stripped.startswith(("{", "[")):
        from .gtr_api import parse_gtr_json

        return parse_gtr_json(text, str(path), schema)
    if looks_like_gtr_page(text):
        return parse_gtr_page(text, str(path), schema)
    raise InputFileError(
        f"{path}: is not in a format this tool can import.",
        "Supported: GtR project pages saved as text, GtR project records (XML or JSON), GtR "
        "outcome-search CSV exports and researchfish portfolio exports (.xlsx).")
