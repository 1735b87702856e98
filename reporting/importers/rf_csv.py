"""researchfish exports saved as CSV (one sheet of an export, or a funder's one-sheet extract,
saved from Excel: LF, CRLF or, from Excel for Mac, CR line endings). The rows become one Table,
named after the file, and are read exactly as that sheet of a workbook would be, rows the
export cut in two included."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from ..fieldtypes.base import TEXT_LIMIT
from ..findings import WARNING, Finding
from ..schema import Schema, header_key
from ..workbook import Table
from .researchfish import parse_researchfish
from .result import ImportResult
from .rf_layout import Config, award_end

__all__ = ["csv_table", "looks_like_researchfish_csv", "parse_researchfish_csv"]


#: The most lines one quoted value may run to; past this its opening quote is taken for a
#: stray one, and its lines are read as rows of their own.
MAX_LINES_PER_VALUE = 500
_LINE = re.compile(r"\r\n|\r|\n")


def _records(text: str, stray: list[int]) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each CSV record. A record ends at a line break outside quotes;
    one whose quote never closes within MAX_LINES_PER_VALUE lines is read line by line
    (its first line number goes to `stray`), so a stray quote costs its own row, not the rest
    of the file."""
    lines = _LINE.split(text)
    previous = csv.field_size_limit(TEXT_LIMIT + 1)
    try:
        start = 0
        while start < len(lines):
            quotes, end = 0, start
            while end < len(lines):
                quotes += lines[end].count('"')
                end += 1
                if quotes % 2 == 0 or end - start > MAX_LINES_PER_VALUE:
                    break
            if quotes % 2:
                stray.append(start + 1)
                end = start + 1
            at = start + 1
            block = "\n".join(lines[start:end])
            start = end
            reader = csv.reader(io.StringIO(block, newline=""))
            while True:  # one record, or (a quote inside an unquoted value) several
                line = at + reader.line_num
                row = next(reader, None)
                if row is None:
                    break
                yield line, row
    finally:
        csv.field_size_limit(previous)


def csv_table(text: str, source: str) -> tuple[Table, list[Finding]]:
    """A CSV file as one Table (named after the file) and the stray quotes found."""
    stray: list[int] = []
    records = _records(text.lstrip("\ufeff"), stray)
    _, header = next(records, (1, []))
    table = Table(Path(source).stem, header_row=1, header=[" ".join(h.split()) for h in header])
    for number, row in records:
        values = tuple(None if not value.strip() else value for value in row)
        if any(v is not None for v in values):
            table.rows.append((number, values))
    notes = [Finding.of("stray-quote", WARNING, file=source, row=line) for line in stray]
    return table, notes


def looks_like_researchfish_csv(text: str, source: str, schema: Schema) -> bool:
    """Whether a CSV file's header starts with the award's columns, then the outcome's."""
    _, header = next(_records(text.lstrip("\ufeff")[:65536], []), (1, []))
    return award_end(Config(schema), [header_key(" ".join(h.split())) for h in header]) >= 0


def parse_researchfish_csv(text: str, source: str, schema: Schema) -> ImportResult:
    """Import a researchfish export saved as CSV."""
    table, notes = csv_table(text, source)
    result = parse_researchfish(Path(source), schema, tables=[table])
    result.notes.extend(notes)
    result.format = "researchfish export (CSV)"
    return result
