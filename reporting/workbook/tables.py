"""Every sheet of a workbook in another tool's layout (a researchfish export) as a Table: its
header row and the non-blank rows below it, for an importer to map. No third-party imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..findings import WARNING, Finding, Findings
from .guard import check_file
from .layout import HEADER_SCAN_ROWS, MAX_ROWS_PER_SHEET, column_letter
from .sheetxml import scan_sheet
from .values import open_workbook

__all__ = ["Table", "read_tables"]


@dataclass
class Table:
    """One sheet of a workbook as it stands: its header row and the non-blank rows below it.

    Cells keep their values as read (text, numbers, dates); Excel error values are None,
    reported as findings.
    """

    sheet: str
    header_row: int = 0
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    hidden: bool = False

    def column(self, index: int) -> str:
        """The column letter of a 0-based index (for cell references in findings)."""
        return column_letter(index)


def _header_index(rows: list[tuple]) -> int:
    """The first row (0-based) of at least two texts, mostly texts: a header. -1 if none."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
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
    package = check_file(path)
    book = open_workbook(path, package.spaced_text)
    findings = Findings()
    tables = []
    for name in book.sheet_names:
        table = Table(name, hidden=package.state(name) != "visible")
        wanted = None if limit is None else HEADER_SCAN_ROWS + limit
        rows = list(book.rows(name, min(wanted or MAX_ROWS_PER_SHEET, MAX_ROWS_PER_SHEET) + HEADER_SCAN_ROWS))
        found = _header_index([row for _, row in rows])
        if found < 0:
            tables.append(table)
            continue
        table.header_row, header = rows[found]
        table.header = ["" if v is None else " ".join(str(v).split()) for v in header]
        errors = scan_sheet(path, package.part(name)).errors if limit != 0 else {}
        for number, row in rows[found + 1 :]:
            if limit is not None and len(table.rows) >= limit:
                break
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                continue
            cells = list(row)
            for index in range(len(cells) if errors else 0):
                ref = f"{column_letter(index)}{number}"
                if ref in errors:
                    findings.add(
                        Finding.of(
                            "error-cell",
                            WARNING,
                            "import",
                            error=errors[ref],
                            file=str(path),
                            sheet=name,
                            cell=ref,
                            value=errors[ref],
                        )
                    )
                    cells[index] = None
            table.rows.append((number, tuple(cells)))
        if len(rows) > MAX_ROWS_PER_SHEET:
            findings.add(
                Finding.of("too-many-rows", WARNING, "import", limit=MAX_ROWS_PER_SHEET, file=str(path), sheet=name)
            )
        tables.append(table)
    return tables, findings
