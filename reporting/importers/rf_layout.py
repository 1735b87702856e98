"""How a researchfish export's sheets are read: the `[imports.researchfish]` data as header
keys, and what each column of a sheet is (award, field, identifier, part of a field, 0/1 flag,
bookkeeping, or a column kept as a note). Used by `researchfish`, which reads the rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..fieldtypes import as_text
from ..schema import FieldSpec, Schema, Section, Vocabulary, header_key, normalise
from ..workbook import Table

#: Columns the tool keeps without a field of their own are headed with this, so that reading
#: the workbook back knows them for notes rather than mistyped headers.
EXTRA_PREFIX = "researchfish: "
_YEAR_HEADER = re.compile(r"^(?:19|20)\d{2}$")
SHEET_CODE = re.compile(r"^\d+[a-z]?[\s._-]+", re.I)  # "1B Pubs", "1H Engagements"
#: A researchfish row id: the outcome's id (PHP uniqid: 14 hex digits, a dot, 8 digits), the
#: submission's timestamp (10 digits) and, for a collaboration, the collaborator's number.
ROW_ID = re.compile(r"^([0-9a-f]{14}\.\d{8})\d{10}(-\d+)?$")
YES = {"1", "1.0", "true", "yes", "y"}
NO = {"0", "0.0", "false", "no", "n"}
#: Columns that need this many matches with a section's fields for the sheet to be that section.
MIN_COLUMN_HITS = 3


class Config:
    """The `[imports.researchfish]` data and the schema's labels, as header keys."""

    def __init__(self, schema: Schema) -> None:
        data = schema.imports.get("researchfish", {})
        self.schema = schema
        self.entry_ids = [header_key(n) for n in data.get("entry_ids", ())]
        self.row_ids = [header_key(n) for n in data.get("row_ids", ())]
        entry_spec = next(f for f in schema.common_fields if f.key == "entry_id")
        self.entry_columns = {header_key(n) for n in (entry_spec.label, *entry_spec.aliases)}
        self.ids = set(self.entry_ids) | set(self.row_ids) | self.entry_columns
        self.outcome_type = {header_key(n) for n in data.get("outcome_type", ())}
        self.bookkeeping = {header_key(n) for n in data.get("bookkeeping", ())}
        self.prefixes = tuple(p.casefold() for p in data.get("bookkeeping_prefixes", ()))
        self.empty = {v.casefold() for v in data.get("empty", ())}
        self.ongoing = {v.casefold() for v in data.get("ongoing", ())}
        self.award_labels = schema.header_map(schema.award_fields)
        self.award_refs = {k for k, spec in self.award_labels.items() if spec.key == "award_reference"}
        self.award_sheets = {compact(n) for n in (schema.award_sheet, *schema.award_sheet_aliases)}
        self.outcome_labels = {k for s in schema.sections for k in schema.header_map(s.fields)}
        self.sections: dict[str, Section] = {}
        for section in schema.sections:
            for name in (section.sheet, section.title, *section.aliases, *section.api):
                self.sections.setdefault(compact(name), section)

    def is_bookkeeping(self, header: str) -> bool:
        return header_key(header) in self.bookkeeping or header.casefold().startswith(self.prefixes)

    def clean(self, value: Any) -> Any:
        """None for an empty cell and for the export's words for nothing ("N/A"...)."""
        if isinstance(value, str):
            text = value.strip()
            if not text or text.casefold() in self.empty:
                return None
        return value

    def all_flags(self, table: Table, index: int) -> bool:
        values = {
            as_text(cell(row, index)).strip().casefold()
            for _, row in table.rows
            if self.clean(cell(row, index)) is not None
        }
        return bool(values) and values <= YES | NO

    def section_named(self, name: str) -> Section | None:
        return self.sections.get(compact(SHEET_CODE.sub("", name.strip())))


def compact(name: str) -> str:
    """A sheet's name without case, spaces, punctuation or "and": "Software_TechnicalProducts"
    is "Software and Technical Products"."""
    return re.sub(r"\band\b|[^\w]|_", "", normalise(name))


def looks_like_researchfish(tables: list[Table], schema: Schema) -> bool:
    """True for a workbook with a sheet whose rows start with the award's columns, followed by
    the outcome's identifiers or fields (an export of any year, or a funder's own one-sheet
    extract). The tool's own workbooks carry an Award Reference too, but after the fields."""
    config = Config(schema)
    return any(0 <= award_end(config, [header_key(h) for h in table.header]) for table in tables)


def award_end(config: Config, keys: list[str]) -> int:
    """Where a researchfish sheet's award columns end (the first column of the outcome: an
    identifier, else a field that is not the award's, else an award column seen already, such
    as the outcome's own Title after the award's); -1 when the sheet does not start with an
    award reference before those."""
    refs = [i for i, k in enumerate(keys) if k in config.award_refs]
    if not refs:
        return -1
    ids = [i for i, k in enumerate(keys) if k in config.ids]
    if ids:
        return ids[0] if refs[0] < ids[0] else -1
    seen: set[str] = set()
    for index, key in enumerate(keys):
        spec = config.award_labels.get(key)
        if key and (spec is None or spec.key in seen) and key in config.outcome_labels:
            return index if refs[0] < index and len(seen) >= 2 else -1
        if spec is not None:
            seen.add(spec.key)
    return -1


@dataclass
class Column:
    """What one column of a sheet is: its role, and the field it feeds, if any."""

    index: int
    header: str
    role: str  # award, field, duplicate, entry, row, type, part, flag, year, bookkeeping, extra
    spec: FieldSpec | None = None
    rank: int = 0


@dataclass
class Layout:
    """How one sheet's columns are read."""

    columns: list[Column]
    #: Fields filled from several columns, with the columns (in order) that make them.
    joined: dict[str, tuple[FieldSpec, list[int]]]

    def of(self, *roles: str) -> list[Column]:
        return [c for c in self.columns if c.role in roles]


def read_layout(config: Config, table: Table, section: Section | None) -> tuple[Layout, list[str]]:
    """What each column of a sheet is, and the bookkeeping columns it leaves out."""
    schema = config.schema
    keys = [header_key(h) for h in table.header]
    first_id = next((i for i, k in enumerate(keys) if k in config.ids), None)
    if first_id is None:
        first_id = award_end(config, keys)
        first_id = first_id if first_id >= 0 else len(keys)
    specs = tuple(f for f in schema.columns(section) if f.key != "award_reference") if section else ()
    labels = schema.header_map(specs)
    joined, part_columns = _joins(keys, specs + schema.award_fields)
    flags = _flag_vocabularies(section) if section else {}
    years = next((f for f in (section.fields if section else ()) if f.kind.multiple and f.kind.dated), None)
    columns: list[Column] = []
    seen: set[str] = set()
    left_out: list[str] = []
    for index, (header, key) in enumerate(zip(table.header, keys)):
        if not key:
            if any(cell(row, index) not in (None, "") for _, row in table.rows):
                columns.append(Column(index, f"column {table.column(index)}", "extra"))
            continue
        column = Column(index, header, "extra")
        if index < first_id and key in config.award_labels:
            column.role, column.spec = "award", config.award_labels[key]
        elif key in config.outcome_type:
            column.role = "type"
        elif key in config.entry_ids:
            column.role, column.rank = "entry", config.entry_ids.index(key)
        elif key in config.row_ids:
            column.role = "row"
        elif key in labels:
            column.spec = labels[key]
            column.role = "duplicate" if column.spec.key in seen else "field"
            seen.add(column.spec.key)
        elif key in config.award_labels:
            column.role, column.spec = "award", config.award_labels[key]
        elif key in part_columns:
            column.role = "part"
        elif config.is_bookkeeping(header):
            column.role = "bookkeeping"
            left_out.append(header)
        elif years is not None and _YEAR_HEADER.match(header.strip()) and config.all_flags(table, index):
            column.role, column.spec = "year", years
        elif section is not None:
            spec = _flag_of(header, flags)
            if spec is not None and config.all_flags(table, index):
                column.role, column.spec = "flag", spec
        if column.role == "extra" and index < first_id:
            column.role = "bookkeeping"  # the award's own identifiers (region, ids...)
            left_out.append(header)
        columns.append(column)
    return Layout(columns, joined), left_out


def _joins(keys: list[str], specs: tuple[FieldSpec, ...]) -> tuple[dict[str, tuple[FieldSpec, list[int]]], set[str]]:
    """Fields made of several columns (`parts`), when the sheet has all of one group's
    columns; and the header keys those columns use."""
    joined: dict[str, tuple[FieldSpec, list[int]]] = {}
    used: set[str] = set()
    own = {header_key(s.label) for s in specs} | {header_key(a) for s in specs for a in s.aliases}
    for spec in specs:
        for group in spec.parts:
            wanted = [header_key(h) for h in group]
            if all(w in keys for w in wanted):
                joined[spec.key] = (spec, [keys.index(w) for w in wanted])
                used.update(w for w in wanted if w not in own)
                break
    return joined, used


def cell(row: tuple, index: int) -> Any:
    return row[index] if index < len(row) else None


def shape(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return "date"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return "text"


def best_shift(row: tuple, filled: list[int], shapes: dict[int, set[str]], award_end: int, width: int) -> int | None:
    """How far right a cut row's second part must move so that its values fall in columns that
    hold values of their kind; None when no shift makes most of them fit."""
    values = [i for i in filled if i > 0]
    if len(values) < 3:
        return None
    best, best_score = None, 0
    for shift in range(1, award_end + 1):
        score = sum(
            1
            for i in values
            if i + shift >= award_end and i + shift < width and shape(row[i]) in shapes.get(i + shift, ())
        )
        if score > best_score:
            best, best_score = shift, score
    placed = sum(1 for i in values if i + (best or 0) >= award_end)
    return best if best is not None and placed and best_score * 4 >= placed * 3 else None


def same(a: Any, b: Any) -> bool:
    """Whether two cells say the same thing (1 and Yes do)."""

    def norm(v: Any) -> str:
        text = normalise(as_text(v))
        return "yes" if text in YES else "no" if text in NO else text

    return norm(a) == norm(b)


def join_parts(spec: FieldSpec, values: list[Any]) -> str | None:
    """Values from a field's `parts` columns, as one (its type knows how: "07/2020" from 7 and
    2020, a name from its parts, an author list from Author and Other Authors)."""
    parts = [as_text(v).strip().lstrip("'").strip() if v not in (None, "") else "" for v in values]
    if not any(parts):
        return None
    continuation = header_key(spec.label) in {header_key(h) for g in spec.parts for h in g}
    return spec.kind.join(parts, continuation) or None


def _flag_vocabularies(section: Section) -> dict[str, tuple[FieldSpec, Vocabulary]]:
    return {
        spec.key: (spec, spec.vocabulary)
        for spec in section.fields
        if spec.kind.multiple and spec.vocabulary is not None
    }


def _flag_of(header: str, flags: dict[str, tuple[FieldSpec, Vocabulary]]) -> FieldSpec | None:
    """The choices field a "0/1 per value" column belongs to, if its header is one of the values."""
    for spec, vocabulary in flags.values():
        value, how = vocabulary.match(header)
        if value is not None and how in ("exact", "case", "variant", "legacy"):
            return spec
    return None
