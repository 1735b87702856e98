"""Import GtR outcome-search CSV exports (gtr.ukri.org search -> export).

One file holds many projects: rows are grouped by Project Reference into awards. Each row's
section comes from its Outcome Type (or the file name, e.g. ``spinoutsearch-….csv``). The
shared project columns fill the award header; the section's own columns are matched by label
or alias like workbook headers. Files are UTF-8 with a byte-order mark, fields may run over
several lines, and text may be HTML-escaped once or twice (``&amp;pound;``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputFileError
from ..fieldtypes.base import TEXT_LIMIT
from ..findings import ERROR, WARNING, Finding
from ..model import AWARD, Origin, Record
from ..schema import Schema, Section, header_key
from ..text import clean_markup
from .result import ImportResult, merge_shared_entries

#: Project columns every GtR outcome CSV starts and ends with (schema document §1.2).
AWARD_COLUMNS = {
    "project reference": "award_reference",
    "funding orgname": "funder",
    "leadro name": "lead_research_organisation",
    "department": "department",
    "pi orcid id": "pi_orcid",
}
PERSON_COLUMNS = ("pi first name", "pi surname")
#: Identifier columns of the project and organisations, not of the outcome.
IGNORED_COLUMNS = {"projectcategory", "outcome type", "gtrprojecturl", "projectid", "fundingorgid", "leadroid", "piid"}
_OUTCOME_ID = re.compile(r"outcomeId=([^&#]+)")
#: Columns read from one file: an Excel sheet holds 16,384, and the section's own fields need room.
MAX_COLUMNS = 16_000
#: Column names listed in one finding before the rest are counted.
LISTED = 20


def csv_rows(text: str, source: str) -> Iterator[list[str]]:
    """The CSV's rows, with fields as long as a field may be (TEXT_LIMIT; csv's own limit is
    131,072 characters, less than a long description), restoring csv's limit afterwards."""
    previous = csv.field_size_limit(TEXT_LIMIT + 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        while True:
            try:
                yield next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputFileError(
                    f"{source}: row {reader.line_num} cannot be read ({exc}).", "Export the file again from GtR."
                ) from None
    finally:
        csv.field_size_limit(previous)


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown + (f" and {len(names) - LISTED:,} more" if len(names) > LISTED else "")


def first_line(text: str) -> str:
    """A text's first line, whatever its line endings (LF, CRLF, or CR as Excel for Mac saves)."""
    return re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"), maxsplit=1)[0]


def looks_like_gtr_csv(text: str) -> bool:
    """GtR's outcome-search export: Project Reference beside GtR's own project columns."""
    first = first_line(text)
    return (
        "," in first
        and "Project Reference" in first
        and any(name in first for name in ("Funding OrgName", "LeadRO Name", "GTRProjectUrl", "GTR Outcome URL"))
    )


def _section_from_name(name: str, schema: Schema) -> Section | None:
    stem = Path(name).name.lower()
    match = re.match(r"([a-z]+?)s?search", stem)
    if not match:
        return None
    wanted = match.group(1)
    for section in schema.sections:
        for api in section.api:
            if api.lower() == wanted or api.lower().rstrip("s") == wanted:
                return section
    return schema.section_for(wanted)


def parse_gtr_csv(text: str, source: str, schema: Schema) -> ImportResult:
    """Import a GtR outcome-search CSV: awards grouped by project, one record per row."""
    result = ImportResult(source=source, format="GtR outcome-search export (CSV)", provenance="GtR")
    text = text.lstrip("\ufeff")
    reader = csv_rows(text, source)
    header = next(reader, None)
    if header is None:
        return result
    if len(header) > MAX_COLUMNS:
        result.notes.append(
            Finding.of(
                "too-many-columns",
                WARNING,
                count=len(header),
                limit=MAX_COLUMNS,
                dropped=len(header) - MAX_COLUMNS,
                file=source,
                row=1,
            )
        )
        header = header[:MAX_COLUMNS]
    keys = [header_key(h) for h in header]
    default_section = _section_from_name(source, schema)
    awards: dict[str, dict[str, str]] = {}
    skipped: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {keys[i]: clean_markup(cell).strip() for i, cell in enumerate(row) if i < len(keys)}
        kind = values.get("outcome type")
        section = schema.section_for(kind) if kind else default_section
        if section is None:
            result.unplaced += 1
            result.notes.append(
                Finding.of(
                    "unknown-record",
                    ERROR,
                    "csv",
                    kind=kind or "?",
                    file=source,
                    row=number,
                    value=" | ".join(v for v in row if v)[:300],
                )
            )
            continue
        reference = values.get("project reference", "")
        award = awards.setdefault(reference, {"_row": str(number)})
        for column, key in AWARD_COLUMNS.items():
            if values.get(column) and key not in award:
                award[key] = values[column]
        person = " ".join(values.get(c, "") for c in PERSON_COLUMNS).strip()
        if person and "principal_investigator" not in award:
            award["principal_investigator"] = person
        labels = schema.header_map(
            section.fields + tuple(f for f in schema.common_fields if f.key != "award_reference")
        )
        raw: dict[str, str] = {}
        extra: dict[str, str] = {}
        for index, column in enumerate(keys):
            value = values.get(column, "")
            if column in AWARD_COLUMNS or column in PERSON_COLUMNS or column in IGNORED_COLUMNS:
                continue
            spec = labels.get(column)
            if spec is not None:
                if value:
                    raw[spec.key] = value
            elif value:
                extra[header[index].strip()] = value
                if column not in {"gtr outcome url"}:
                    skipped.add(header[index].strip())
        outcome_id = _OUTCOME_ID.search(values.get("gtr outcome url", ""))
        if outcome_id and "entry_id" not in raw:
            raw["entry_id"] = outcome_id.group(1)
        if reference:
            raw["award_reference"] = reference
        result.records.append(Record(kind=section.key, raw=raw, origin=Origin(source, "", number), extra=extra))
        result.read[section.key] = result.read.get(section.key, 0) + 1
    for award in awards.values():
        first = int(award.pop("_row"))
        result.records.insert(0, Record(kind=AWARD, raw=award, origin=Origin(source, "", first)))
    merge_shared_entries(result)
    dropped = [h.strip() for h, k in zip(header, keys) if k in IGNORED_COLUMNS and k != "outcome type"]
    if dropped:
        result.notes.append(Finding.of("project-columns", WARNING, columns=", ".join(dropped), file=source))
    if skipped:
        result.notes.append(Finding.of("kept-columns", WARNING, columns=_listed(sorted(skipped)), file=source))
    if text.count('"') % 2:
        # Quotes come in pairs (a quote inside a field is doubled): an odd count means the file
        # ends inside a quoted field, cut off part-way through its last row.
        result.notes.append(Finding.of("cut-off-file", ERROR, file=source, row=number))
    return result
