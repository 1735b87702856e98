"""The input workbook's layout as the reader knows it: which sheet holds what, which columns are
notes, how far the reader looks for a header and how many rows it reads. No I/O."""

from __future__ import annotations

import functools

from ..model import AWARD, ORGANISATION, SUGGESTION
from ..partners import SUGGESTION_FIELDS, SUGGESTION_SHEET
from ..schema import FieldSpec, Schema, normalise
from ..sheets import continued_of

__all__ = [
    "HEADER_SCAN_ROWS",
    "MAX_ROWS_PER_SHEET",
    "NOTE_PREFIXES",
    "OWN_SHEETS",
    "column_letter",
    "continued_of",
    "fields_of",
    "sheet_kinds",
]

#: Extra columns with these header prefixes are notes: kept, shown in Excel, not reported.
NOTE_PREFIXES = ("gtr ", "note", "researchfish:")
#: Sheets the tool writes itself and that hold no entries.
OWN_SHEETS = {"instructions", "lists", "findings", "summary", "read me", "readme", "import log", "imported values"}
#: How many rows from the top a header may be found in.
HEADER_SCAN_ROWS = 10
#: Entries read from one sheet at most, which bounds the memory a hostile file can take.
MAX_ROWS_PER_SHEET = 250_000


@functools.lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """The Excel column letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


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


def fields_of(schema: Schema, kind: str) -> tuple[FieldSpec, ...]:
    """The fields (columns) of a sheet of this kind."""
    if kind == AWARD:
        return schema.award_fields
    if kind == ORGANISATION:
        return schema.organisation_fields
    if kind == SUGGESTION:
        return SUGGESTION_FIELDS
    return schema.columns(schema.section(kind))
