"""The input workbook's layout, as a view the Excel writer renders: an Instructions sheet, the
Award and Organisations sheets, one sheet per section (GtR labels, help on every header,
drop-downs on controlled fields), and a hidden Lists sheet holding every vocabulary.

An imported workbook is the same layout with its awards, organisations and entries filled in.
No I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Award, Entry, Organisation
from .schema import Schema
from .sheets import Table, list_name, record_table, section_table

__all__ = ["IMPORT_LOG_SHEET", "InputBook", "Instructions", "LISTS_SHEET", "input_book"]

LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
#: An imported workbook's record of what the import found, so it can be read again later.
IMPORT_LOG_SHEET = "Import Log"
IMPORT_LOG_HEADERS = ("Severity", "Code", "Where", "Field", "Value", "What was found", "What to do")


@dataclass(frozen=True)
class Instructions:
    """The first sheet: how to fill in the workbook, and what each section is for."""

    title: str
    steps: tuple[str, ...]
    #: (section title, what to report, sheet name)
    sections: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class InputBook:
    """An input workbook: instructions, tables (Award, Organisations, sections) and lists."""

    title: str
    instructions: Instructions
    tables: tuple[Table, ...]
    #: (defined name, vocabulary key, values) of every list, on the hidden Lists sheet.
    lists: tuple[tuple[str, str, tuple[str, ...]], ...]
    #: An import's findings and value mappings, one row each (IMPORT_LOG_HEADERS), with the
    #: line that says where they came from; none for a blank workbook.
    log: tuple[tuple[str, ...], ...] = ()
    log_title: str = ""
    #: (sheet, row, Entry ID, fingerprints) of each imported entry, on the hidden
    #: imported.SHEET (imported.HEADERS); none for a blank workbook.
    imported: tuple[tuple[str, int, str, str], ...] = ()


def _instructions(schema: Schema) -> Instructions:
    steps = (
        f"Put the award's details on the {schema.award_sheet} sheet: one row per award.",
        "Each researchfish section has its own sheet. Enter one row per entry; leave sheets "
        "you have nothing for empty.",
        "Column headers are the labels Gateway to Research uses. Hover over a header to see "
        "what to enter. Dark headers are required; light ones are optional.",
        "Where a cell has a drop-down, pick from it. For fields that take several values "
        "(e.g. Sectors), type them separated by ';'.",
        "Years are four digits (2019); several years are separated by commas (2018, 2019). "
        "Dates are month and year (07/2018). Amounts are plain numbers; the currency has its "
        "own column.",
        "Partners: the partner organisations an entry involved, separated by ';'. List each "
        f"organisation once on the {schema.organisation_sheet} sheet, with other names it goes by "
        "under Aliases. Visibility: Public, or Internal for entries that must not be published.",
        "Award Reference: leave blank when this workbook holds one award.",
        "Long texts: leave an empty line (Alt+Enter twice) between paragraphs. A line that ends "
        'a sentence or starts a list item ("- ") also starts a new paragraph in the Word return; '
        "other line breaks are joined up.",
        'Check your entries with "funder-report validate", then make the returns with "funder-report build".',
    )
    sections = tuple(
        (s.title, s.help + ("" if s.gtr else " Not published on Gateway to Research."), s.sheet)
        for s in schema.sections
    )
    return Instructions("How to fill in this workbook", steps, sections)


def input_book(
    schema: Schema,
    awards: Iterable[Award] = (),
    entries: Iterable[Entry] = (),
    organisations: Iterable[Organisation] = (),
    title: str = "Research outcomes",
    log: Iterable[tuple[str, ...]] = (),
    log_title: str = "",
) -> InputBook:
    """The input workbook's view: blank, or holding awards, entries and partner organisations."""
    by_section: dict[str, list[Entry]] = {}
    for entry in entries:
        by_section.setdefault(entry.section.key, []).append(entry)
    tables = (
        record_table(schema.award_sheet, schema.award_fields, (a.values for a in awards)),
        record_table(schema.organisation_sheet, schema.organisation_fields, (o.values for o in organisations)),
        *(section_table(schema, s, by_section.get(s.key, []), returned=False) for s in schema.sections),
    )
    lists = tuple((list_name(key), key, vocabulary.values) for key, vocabulary in sorted(schema.vocabularies.items()))
    imported = tuple(
        (table.name, number, *mark)
        for table in tables
        for number, mark in enumerate(table.imported, start=2)
        if mark is not None
    )
    return InputBook(title, _instructions(schema), tables, lists, tuple(log), log_title, imported)
