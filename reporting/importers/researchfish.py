"""Import researchfish portfolio exports (.xlsx): one sheet per section, many awards.

The export's sheets and columns are matched like any input workbook (sheet names and headers
by label or alias, the trailing required-marker ``*`` ignored); this module adds what is
particular to the export (schema document §1.2 and §3.3):

- there is no Award sheet: awards come from the ``Award Reference`` column of every sheet,
  with ``RO``, ``Award Title`` and ``Funder`` where the export has them;
- dates are split into month and year columns (``Fund Start Month*``, ``Fund Start Year*``);
- years can be one 0/1 column per year instead of a list;
- ``Active?`` holds "Still Active" or the year a collaboration ended;
- ``Other Authors`` continues ``Author``;
- one outcome counted for several awards is one row per award with the same ``Entry ID``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..fieldtypes import as_text
from ..findings import Finding
from ..model import AWARD, Origin, Record
from ..schema import Schema, header_key
from ..workbook import read_workbook
from . import ImportResult, merge_shared_entries

_YEAR_HEADER = re.compile(r"^\d{4}$")
_SPLIT_DATE = re.compile(r"^(?:fund\s+)?(start|end)\s+(month|year)$")
_AWARD_EXTRAS = {"ro": "lead_research_organisation", "research organisation": "lead_research_organisation",
                 "award title": "title", "funder": "funder", "lead funder": "funder"}
#: Columns this module reads itself; the reader's "unknown column" notes about them are dropped.
_CONSUMED = {"ro", "award title", "funder", "lead funder", "research organisation", "active?",
             "other authors", "fund start month", "fund start year", "fund end month",
             "fund end year", "start month", "start year", "end month", "end year"}


def looks_like_researchfish(records: list[Record]) -> bool:
    """A workbook without an Award sheet whose entries name their awards."""
    return (not any(r.kind == AWARD for r in records)
            and any(r.raw.get("award_reference") for r in records))


def _extra(record: Record, name: str) -> tuple[str | None, Any]:
    for header, value in record.extra.items():
        if header_key(header) == name:
            return header, value
    return None, None


def _take(record: Record, name: str) -> Any:
    header, value = _extra(record, name)
    if header is not None:
        del record.extra[header]
    return value


def _month_year(month: Any, year: Any) -> str | None:
    if year in (None, ""):
        return None
    year_text = as_text(year).strip().lstrip("'")
    month_text = as_text(month).strip() if month not in (None, "") else ""
    if not month_text:
        return year_text
    return f"{month_text} {year_text}" if not month_text.isdigit() else f"{int(month_text):02d}/{year_text}"


def _fix_record(record: Record, schema: Schema) -> None:
    section = schema.section(record.kind)
    keys = {f.key for f in section.fields}
    # Month and year in separate columns.
    for end in ("start", "end"):
        if end in keys and section.field(end).type == "month_year" and not record.raw.get(end):
            month = _take(record, f"fund {end} month")
            if month is None:
                month = _take(record, f"{end} month")
            year = _take(record, f"fund {end} year")
            if year is None:
                year = _take(record, f"{end} year")
            where = next((record.extra_cells[h] for h in record.extra_cells
                          if header_key(h) in (f"fund {end} year", f"{end} year")), None)
            value = _month_year(month, year)
            if value:
                record.raw[end] = value
            record.cells.setdefault(end, where or f"A{record.origin.row}")
    # One 0/1 column per year.
    for spec in section.fields:
        if spec.type == "years" and not record.raw.get(spec.key):
            years = [h for h, v in record.extra.items()
                     if _YEAR_HEADER.match(str(h).strip()) and str(v).strip() in ("1", "1.0", "True", "Yes")]
            if years:
                record.raw[spec.key] = ", ".join(sorted(str(y).strip() for y in years))
                record.cells.setdefault(spec.key, record.extra_cells.get(years[0], ""))
            for header in [h for h in record.extra if _YEAR_HEADER.match(str(h).strip())]:
                del record.extra[header]
    # "Active?": still active, or the year it ended.
    active = _take(record, "active?")
    if "end_year" in keys and active not in (None, "") and not record.raw.get("end_year"):
        text = as_text(active).strip()
        if re.fullmatch(r"\d{4}(\.0)?", text):
            record.raw["end_year"] = text[:4]
    # Author and Other Authors.
    others = _take(record, "other authors")
    if "author" in keys and others not in (None, ""):
        record.raw["author"] = ", ".join(p for p in (as_text(record.raw.get("author") or ""), as_text(others)) if p)


def parse_researchfish(path: Path, schema: Schema, records: list[Record] | None = None,
                       layout: list[Finding] | None = None) -> ImportResult:
    """Import a researchfish portfolio export: awards from references, entries from sheets."""
    if records is None:
        records, findings = read_workbook(path, schema)
        layout = list(findings)
    result = ImportResult(source=str(path), format="researchfish portfolio export (.xlsx)", provenance="researchfish")
    awards: dict[str, dict[str, Any]] = {}
    first_seen: dict[str, Origin] = {}
    for record in records:
        for header, value in list(record.extra.items()):
            key = _AWARD_EXTRAS.get(header_key(header))
            if key is None:
                continue
            for reference in str(record.raw.get("award_reference") or "").split(";"):
                reference = reference.strip()
                if reference and value not in (None, ""):
                    awards.setdefault(reference, {}).setdefault(key, value)
            del record.extra[header]
        _fix_record(record, schema)
        for reference in str(record.raw.get("award_reference") or "").split(";"):
            if reference.strip():
                awards.setdefault(reference.strip(), {})
                first_seen.setdefault(reference.strip(), record.origin)
        result.read[record.kind] = result.read.get(record.kind, 0) + 1
    for reference, values in awards.items():
        raw = {"award_reference": reference, **values}
        result.records.append(Record(kind=AWARD, raw=raw, origin=first_seen[reference]))
    result.records.extend(records)
    consumed = _CONSUMED | set(_AWARD_EXTRAS)
    for finding in layout or []:
        column = re.match(r'column "(.+?)" is not a field', finding.message)
        if column and (header_key(column.group(1)) in consumed or _YEAR_HEADER.match(column.group(1))):
            continue
        if finding.code == "missing-column" and finding.field in ("Start", "Year(s) Of Engagement Activity"):
            continue  # supplied from split month/year or 0/1 year columns, checked on validation
        result.notes.append(finding)
    merge_shared_entries(result)
    return result
