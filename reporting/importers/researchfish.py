"""Import researchfish portfolio exports (.xlsx) of any year and layout.

A funder's export has one sheet per section (named differently from year to year: `Funding`
or `FurtherFunding`, `Dissemination` or `Engagement`, `1B Pubs`...), often an `Awards` sheet,
and sometimes sheets of its own (an `Intro` of formulas, a scratch `Sheet1`, a funder's extra
questions such as `NPRI`). Every outcome row starts with the award's columns, then the outcome's
identifiers, then its fields, then researchfish's bookkeeping.

What is read where is data (`[imports.researchfish]` and the fields' labels, aliases and `parts`
in schema.toml); this module applies it:

- a sheet is recognised by its name and, failing that, by its `Outcome Type` or its columns;
  a sheet of award rows with answers to no known section becomes Additional Funder Questions;
  a sheet without an award column and without outcome columns is a summary, left out and named;
- the award's columns (title, funder, organisation, PI, dates, amount) fill the Award sheet;
- the outcome's identifiers give its Entry ID, the same for every award it counts for, so one
  outcome counted for several awards becomes one entry listing them all;
- month and year in separate columns, names in several columns and 0/1 columns per year or per
  list value are joined into their field;
- every other column is kept, as a `researchfish: ...` column, except researchfish's own
  bookkeeping (named in one finding).

Every row ends in an entry, in an entry it repeats (merged), as an empty row (nothing but the
export's own columns) or in a finding: the tallies say how many of each, per sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..fieldtypes import as_text
from ..findings import ERROR, WARNING, Finding, Findings
from ..model import AWARD, Origin, Record
from ..schema import FieldSpec, Schema, Section, header_key
from ..text import plural
from ..workbook import Table, read_tables
from .result import ImportResult, Tally, merge_shared_entries
from .rf_layout import (
    EXTRA_PREFIX,
    MIN_COLUMN_HITS,
    ROW_ID,
    SHEET_CODE,
    YES,
    Config,
    Layout,
    best_shift,
    cell,
    compact,
    join_parts,
    looks_like_researchfish,
    read_layout,
    same,
    shape,
)

__all__ = ["EXTRA_PREFIX", "looks_like_researchfish", "parse_researchfish"]


class _Import:
    """One export being imported: awards gathered from every sheet, records, tallies, notes."""

    def __init__(self, path: Path, schema: Schema) -> None:
        self.path = path
        self.file = str(path)
        self.schema = schema
        self.config = Config(schema)
        self.result = ImportResult(
            source=self.file, format="researchfish portfolio export (.xlsx)", provenance="researchfish"
        )
        self.awards: dict[str, dict[str, Any]] = {}
        self.award_origin: dict[str, Origin] = {}
        self.left_out: dict[str, list[str]] = {}

    # -- values --------------------------------------------------------------------------

    def note(self, code: str, severity: str, variant: str = "", **details: Any) -> None:
        """A finding about this export: `details` are where it is and the words of its message."""
        self.result.notes.append(Finding.of(code, severity, variant, file=self.file, **details))

    # -- sheets --------------------------------------------------------------------------

    def run(self, tables: list[Table]) -> ImportResult:
        # Award sheets first, so their details win over the copies on outcome sheets.
        kinds = [(table, *self.classify(table)) for table in tables]
        for table, kind, section in sorted(kinds, key=lambda k: k[1] != "award"):
            tally = Tally(part=table.sheet, section=section.key if section else None)
            self.result.tallies.append(tally)
            if kind == "award":
                tally.note = "award details"
                self.read_awards(table, tally)
            elif kind == "outcomes" and section is not None:
                self.read_outcomes(table, section, tally)
            else:
                self.leave_out(table, tally)
        for reference, values in self.awards.items():
            self.result.records.insert(
                0, Record(kind=AWARD, raw={"award_reference": reference, **values}, origin=self.award_origin[reference])
            )
        self.result.records.sort(key=lambda r: r.kind != AWARD)
        if self.left_out:
            named = "; ".join(f"{sheet}: {', '.join(columns)}" for sheet, columns in self.left_out.items())
            self.note("bookkeeping-columns", WARNING, named=named)
        merged = merge_shared_entries(self.result)
        for record in merged:
            tally = self.result.tally(record.origin.sheet)
            tally.entries -= 1
            tally.merged += 1
        return self.result

    def classify(self, table: Table) -> tuple[str, Section | None]:
        """("award" | "outcomes" | "other", section) for one sheet."""
        config = self.config
        keys = [header_key(h) for h in table.header]
        has_award = any(k in config.award_refs for k in keys)
        if (
            compact(SHEET_CODE.sub("", table.sheet.strip())) in config.award_sheets
            and has_award
            and not any(k in config.ids for k in keys)
        ):
            return "award", None
        section = config.section_named(table.sheet) or self.by_outcome_type(table, keys) or self.by_columns(keys)
        if has_award:
            return "outcomes", section or self.schema.section("additional_questions")
        return "other", section

    def by_outcome_type(self, table: Table, keys: list[str]) -> Section | None:
        at = next((i for i, k in enumerate(keys) if k in self.config.outcome_type), None)
        if at is None:
            return None
        for _, row in table.rows:
            value = self.config.clean(row[at] if at < len(row) else None)
            if value is not None:
                return self.config.section_named(as_text(value))
        return None

    def by_columns(self, keys: list[str]) -> Section | None:
        """The section whose field labels the columns match best (at least three, no tie)."""
        wanted = set(keys) - self.config.bookkeeping - set(self.config.award_labels) - self.config.ids
        scores = sorted(
            ((len(wanted & set(self.schema.header_map(s.fields))), s.key) for s in self.schema.sections), reverse=True
        )
        (best, key), (second, _) = scores[0], scores[1]
        return self.schema.section(key) if best >= MIN_COLUMN_HITS and best > second else None

    def leave_out(self, table: Table, tally: Tally) -> None:
        """A sheet with no award column: a summary or working sheet, or outcomes that cannot be
        placed (an error when the export has more than one award)."""
        rows = len(table.rows)
        tally.rows = rows
        if tally.section is not None and rows:
            if len(self.awards) == 1:
                self.read_outcomes(table, self.schema.section(tally.section), tally, award=next(iter(self.awards)))
                return
            tally.unplaced = rows
            self.note(
                "unplaced-sheet", ERROR, section=self.schema.section(tally.section).title, rows=rows, sheet=table.sheet
            )
            return
        tally.section = None
        tally.empty = rows
        tally.note = "no outcomes: left out"
        if rows:
            self.note("left-out-sheet", WARNING, rows=rows, sheet=table.sheet)

    # -- awards --------------------------------------------------------------------------

    def read_awards(self, table: Table, tally: Tally) -> None:
        layout = self.layout(table, None)
        tally.rows = len(table.rows)
        for number, row in table.rows:
            reference = self.award_of(layout, row)
            if reference:
                self.award_origin.setdefault(reference, Origin(self.file, table.sheet, number))
                tally.entries += 1
            else:
                tally.empty += 1

    def award_of(self, layout: Layout, row: tuple) -> str:
        """The award reference of a row, recording the award's details on the way."""
        values: dict[str, Any] = {}
        for column in layout.of("award"):
            value = self.config.clean(cell(row, column.index))
            if value is not None and column.spec is not None:
                values.setdefault(column.spec.key, value)
        for key, (spec, indexes) in layout.joined.items():
            if spec in self.schema.award_fields:
                joined = join_parts(spec, [self.config.clean(cell(row, i)) for i in indexes])
                if joined:
                    values.setdefault(key, joined)
        reference = as_text(values.pop("award_reference", "") or "").strip()
        if reference:
            known = self.awards.setdefault(reference, {})
            for key, value in values.items():
                known.setdefault(key, value)
        return reference

    # -- outcomes ------------------------------------------------------------------------

    def read_outcomes(self, table: Table, section: Section, tally: Tally, award: str = "") -> None:
        layout = self.layout(table, section)
        questions = section.key == "additional_questions"
        if questions:
            tally.note = "a funder's own questions"
        for number, row in self.rejoin(table, layout, tally):
            tally.rows += 1
            reference = self.award_of(layout, row) or award
            record = self.record(table, section, layout, number, row)
            if record is None:
                tally.empty += 1
                continue
            if not reference:
                tally.unplaced += 1
                self.note(
                    "unplaced-row",
                    ERROR,
                    sheet=table.sheet,
                    cell=f"A{number}",
                    value=" | ".join(as_text(v) for v in row if v not in (None, ""))[:200],
                )
                continue
            self.award_origin.setdefault(reference, Origin(self.file, table.sheet, number))
            if questions:
                record.raw["question_set"] = table.sheet
            record.raw["award_reference"] = reference
            self.result.records.append(record)
            self.result.read[section.key] = self.result.read.get(section.key, 0) + 1
            tally.entries += 1

    def rejoin(self, table: Table, layout: Layout, tally: Tally) -> list[tuple[int, tuple]]:
        """The sheet's rows, with rows the export cut in two put back together.

        Some exports break a row where a cell (an award title) holds a line break: the first
        part has only the award's columns; the second starts with the rest of that cell, and
        its outcome columns are shifted. The shift is the one that best fits the second part's
        values to what the sheet's whole rows hold in each column (text, number or date); the
        outcome's columns are taken from it, the award's from the first part, and a finding
        names both rows.
        """
        award_end = min((c.index for c in layout.columns if c.role in ("row", "entry")), default=0)
        if not award_end:
            return table.rows
        awards = {c.index for c in layout.of("award")}
        shapes: dict[int, set[str]] = {}
        for _, row in table.rows[:500]:
            if any(v is not None and self.config.clean(v) is not None for v in row[award_end:]):
                for index, value in enumerate(row):
                    if value is not None and self.config.clean(value) is not None:
                        shapes.setdefault(index, set()).add(shape(value))
        rows: list[tuple[int, tuple]] = []
        pending: tuple[int, tuple] | None = None
        cut: list[str] = []
        for number, row in table.rows:
            filled = [i for i, v in enumerate(row) if v is not None and self.config.clean(v) is not None]
            if pending is not None:
                first_number, first = pending
                pending = None
                shift = best_shift(row, filled, shapes, award_end, len(table.header))
                if shift is not None:
                    width = max(len(table.header), len(row) + shift)
                    joined = tuple(
                        first[i]
                        if i < award_end and i < len(first)
                        else cell(row, i - shift)
                        if i >= award_end
                        else None
                        for i in range(width)
                    )
                    rows.append((first_number, joined))
                    tally.joined += 1
                    cut.append(f"{first_number}-{number}")
                    continue
                rows.append((first_number, first))
            if filled and max(filled) < award_end and awards & set(filled):
                pending = (number, row)  # only the award's columns: maybe the first part of a cut row
                continue
            rows.append((number, row))
        if pending is not None:
            rows.append(pending)
        if cut:
            self.note(
                "split-row",
                WARNING,
                rows=plural(len(cut), "row"),
                pairs=", ".join(cut),
                sheet=table.sheet,
                cell=f"A{cut[0].split('-')[0]}",
            )
        return rows

    def record(self, table: Table, section: Section, layout: Layout, number: int, row: tuple) -> Record | None:
        """One outcome row as a record, or None when it holds nothing but the export's columns."""
        raw: dict[str, Any] = {}
        cells: dict[str, str] = {}
        extra: dict[str, Any] = {}
        extra_cells: dict[str, str] = {}
        for column in layout.of("field", "duplicate"):
            spec = column.spec
            assert spec is not None
            if column.role == "field":
                cells[spec.key] = f"{table.column(column.index)}{number}"
            value = self.value(spec, cell(row, column.index))
            if value is None:
                continue
            if spec.key not in raw:
                raw[spec.key] = value
            elif same(raw[spec.key], value):
                continue
            else:  # a second column of the same field that says something else: kept
                extra[EXTRA_PREFIX + column.header] = value
                extra_cells[EXTRA_PREFIX + column.header] = f"{table.column(column.index)}{number}"
        for key, (spec, indexes) in layout.joined.items():
            if spec in self.schema.award_fields:
                continue
            joined = join_parts(spec, [self.value(spec, cell(row, i)) for i in indexes])
            if joined:
                raw[key] = joined
                cells.setdefault(key, f"{table.column(indexes[-1])}{number}")
        self.flags(section, layout, row, raw)
        for column in layout.of("extra"):
            value = self.config.clean(cell(row, column.index))
            if value is not None:
                extra[EXTRA_PREFIX + column.header] = value
                extra_cells[EXTRA_PREFIX + column.header] = f"{table.column(column.index)}{number}"
        if not raw and not extra:
            return None
        entry_id = raw.get("entry_id") or self.entry_id(layout, row)
        if entry_id:
            raw["entry_id"] = entry_id
        return Record(
            kind=section.key,
            raw=raw,
            origin=Origin(self.file, table.sheet, number),
            cells=cells,
            extra=extra,
            extra_cells=extra_cells,
        )

    def value(self, spec: FieldSpec, value: Any) -> Any:
        value = self.config.clean(value)
        if isinstance(value, str) and spec.kind.dated and value.strip().casefold() in self.config.ongoing:
            return None  # "Still Active": no end yet
        return value

    def flags(self, section: Section, layout: Layout, row: tuple, raw: dict[str, Any]) -> None:
        """Fields given as one 0/1 column per value (per year, per impact type) when they have
        no value of their own."""
        chosen: dict[str, list[str]] = {}
        for column in layout.of("flag", "year"):
            assert column.spec is not None
            if as_text(self.config.clean(cell(row, column.index)) or "").strip().casefold() in YES:
                chosen.setdefault(column.spec.key, []).append(column.header)
        for key, headers in chosen.items():
            if raw.get(key) in (None, ""):
                raw[key] = section.field(key).kind.joiner.join(headers)

    def entry_id(self, layout: Layout, row: tuple) -> str:
        """The outcome's own identifier (the same for every award it counts for), else one
        derived from the row's id, else the row's id."""
        for column in sorted(layout.of("entry"), key=lambda c: c.rank):
            value = self.config.clean(cell(row, column.index))
            if value is not None:
                return as_text(value).strip()
        for column in layout.of("row"):
            value = self.config.clean(cell(row, column.index))
            if value is not None:
                text = as_text(value).strip()
                match = ROW_ID.match(text)
                return match.group(1) + (match.group(2) or "") if match else text
        return ""

    def layout(self, table: Table, section: Section | None) -> Layout:
        layout, left_out = read_layout(self.config, table, section)
        if left_out:
            self.left_out[table.sheet] = left_out
        return layout


def parse_researchfish(
    path: Path, schema: Schema, tables: list[Table] | None = None, layout: Findings | None = None
) -> ImportResult:
    """Import a researchfish portfolio export: awards, then one record per outcome row."""
    if tables is None:
        tables, layout = read_tables(path)
    job = _Import(Path(path), schema)
    job.result.notes.extend(layout or [])
    return job.run(tables)
