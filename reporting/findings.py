"""Findings: problems in the data, each with where it is, what is wrong and how to fix it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

ERROR = "error"
WARNING = "warning"
_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")

#: Every finding code, with what it means (the README's table is checked against this).
CODES: dict[str, str] = {
    "award-conflict": "the same award has different details in two workbooks",
    "bad-amount": "an amount of money is not a number",
    "bad-currency": "a currency is not a three-letter code",
    "bad-date": "a month/year date cannot be read",
    "bad-doi": "a DOI does not start 10.NNNN/",
    "bad-orcid": "an ORCID iD has the wrong form or fails its checksum",
    "bad-url": "a URL is not a full web address",
    "bad-year": "a year is not a four-digit year between 1900 and 2100",
    "bad-yes-no": "a yes/no field holds something else",
    "bookkeeping-columns": "import: researchfish's own bookkeeping columns were left out",
    "citation-not-split": "import: a publication line is not 'Author (Year) Title'",
    "citation-split": "import: where a title ends and a journal begins was guessed",
    "control-character": "invisible control characters were removed",
    "currency-mismatch": "the amount's currency and the Currency column differ",
    "cut-short-value": "a list value was cut short (GtR truncates long lists) and completed",
    "duplicate-column": "a column header appears twice",
    "duplicate-entry": "the same entry appears twice",
    "end-before-start": "an end date is before its start",
    "error-cell": "a cell shows an Excel error such as #REF!",
    "formula": "cells hold formulas; their calculated values are used",
    "formula-no-value": "a formula has never been calculated",
    "hidden-sheet": "a sheet with entries is hidden in Excel (its rows are read)",
    "future-year": "a year is after this one",
    "kept-columns": "import: columns no field reads were kept as notes",
    "left-out-sheet": "import: a sheet holds no outcomes (a summary or working sheet) and was left out",
    "legacy-value": "a value researchfish no longer offers",
    "long-title": "a title is unusually long",
    "merged-cells": "merged cells were given to every row they cover",
    "missing-award": "a workbook has no award details",
    "missing-column": "a required column is missing",
    "missing-recommended": "a field researchfish asks for is empty",
    "missing-value": "a required field is empty",
    "no-header": "a sheet has data but no header row",
    "no-sheets": "a workbook has no sheet the tool knows",
    "not-in-list": "a value is not in its drop-down list",
    "not-in-list-case": "a value differs from the list only in case or spacing",
    "not-recorded": "an entry the funder accepted lacks a field researchfish asks for today",
    "nothing-found": "import: a file holds no outcomes",
    "nothing-written": "import: rows were read but no entry was written",
    "older-wording": "an older wording was mapped to the current one",
    "placeholder": "placeholder text such as TBC",
    "possible-duplicate": "two entries are the same but have different Entry IDs",
    "project-columns": "import: project identifier columns were left out",
    "rows-unaccounted": "import: rows read are neither in the workbook nor named by a finding",
    "same-id-different-content": "import: records share an Entry ID but differ",
    "split-row": "import: the export cut a row in two at a line break; the parts were read as one",
    "stale-suggestion": "an accepted partner suggestion no longer matches its row",
    "too-many-rows": "a sheet has more entries than one workbook may hold",
    "too-long": "a text is longer than an Excel cell (warning) or than accepted (error)",
    "undated-entry": "an entry has no date, so it is not in the reporting period",
    "unknown-award": "an entry names an award that is not on the Award sheet",
    "unknown-column": "a column is not a field of its sheet (kept)",
    "unknown-partner": "a partner is not on the Organisations sheet",
    "unknown-record": "import: a record matches no section",
    "unknown-section": "import: a list belongs to no section (kept under Other Outputs)",
    "unplaced-row": "import: a row names no award, so it cannot be placed",
    "unplaced-sheet": "import: a sheet of outcomes has no award column, so its rows cannot be placed",
    "unknown-sheet": "a sheet is not one the tool knows",
    "unlabelled-text": "import: text before the first label was kept as a note",
    "untitled": "an entry the funder accepted has no title, so it is titled from its first words",
    "url-cut-short": "a URL ends with '...' and was probably cut short",
    "url-with-text": "a URL field holds words as well as web addresses",
    "which-award": "an entry does not say which of several awards it belongs to",
}


@dataclass(frozen=True)
class Finding:
    """One problem found in an input.

    `code` is a stable kebab-case identifier (e.g. ``not-in-list``); `message` says what is
    wrong in plain words and `hint` what to do about it. Location fields are empty where they
    do not apply (a whole-file problem has no cell). Where a problem is, is typed: `cell` is an
    Excel cell reference ("E14") and only that; a row of a sheet or CSV file is `row`, a line of
    a text file `line`, a place in structured data (GtR XML or JSON) `path`.
    """

    code: str
    severity: str
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: str = ""
    #: The value used instead of `value`, when the tool corrected it (e.g. an older wording).
    replacement: str = ""
    row: int = 0
    line: int = 0
    path: str = ""

    def __post_init__(self) -> None:
        if self.cell and not _CELL.match(self.cell):
            raise ValueError(f"not a cell reference: {self.cell!r} (use row, line or path)")

    @property
    def location(self) -> str:
        """Where the problem is, as people say it: ``Engagement Activities!E14``,
        ``Publications row 14``, ``line 65``, ``disseminationOutput[3]/form``."""
        if self.cell:
            return f"{self.sheet}!{self.cell}" if self.sheet else self.cell
        place = " ".join(filter(None, [self.sheet, f"row {self.row}" if self.row else "",
                                       f"line {self.line}" if self.line else ""]))
        return " ".join(filter(None, [place, self.path]))

    def describe(self) -> str:
        """The finding as one or two lines of plain text."""
        where = self.location
        parts = [f"{where}: " if where else ""]
        if self.field:
            parts.append(f"{self.field}: ")
        parts.append(self.message)
        if self.value and self.value not in self.message:
            parts.append(f' (found "{_short(self.value)}")')
        text = "".join(parts)
        if self.hint:
            text += f"\n    {self.hint}"
        return text

    def to_dict(self) -> dict[str, str]:
        """The finding as plain JSON-ready data."""
        data = asdict(self)
        data["location"] = self.location
        return data


def _short(value: str, limit: int = 80) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass
class Findings:
    """All findings of a run, in the order they were found."""

    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when nothing blocks a build (warnings are allowed)."""
        return not any(f.severity == ERROR for f in self.items)

    def summary(self) -> str:
        """One line: how many errors and warnings."""
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.items],
        }
