"""The tables of a workbook, as data: a header of columns and rows of cells, ready to write.

Both workbooks the tool writes are made of these: the input workbook (one table per section,
with help and drop-downs on its headers) and the Excel return (one table per section, with
"not recorded" where the funder accepted an entry without a field). The writer
(xlsx_writer.py) knows nothing of fields or entries; this module is where fields become columns
and values become cells. No I/O, no third-party imports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import imported as imported_values
from .fieldtypes import EXCEL_CELL_LIMIT, Cell, as_text
from .model import Entry
from .schema import FieldSpec, Schema, Section, header_key

__all__ = [
    "Cell",
    "Column",
    "NOT_RECORDED",
    "Table",
    "continuation_label",
    "continued_of",
    "list_name",
    "record_table",
    "section_table",
    "split_cell_text",
]

#: What a return shows for a field the funder did not ask for when it accepted the entry.
NOT_RECORDED = "not recorded"
#: Width of a column the schema does not know (kept from the source).
EXTRA_WIDTH = 30


@dataclass(frozen=True)
class Column:
    """One column of a table: its header and how its cells look; in an input workbook also the
    help on its header and the drop-down or check guarding it."""

    label: str
    width: float
    style: str = "text"
    required: bool = False
    comment: str = ""
    validation: Mapping[str, Any] | None = None
    #: A column of the source the schema does not know, kept as it was.
    extra: bool = False


@dataclass(frozen=True)
class Table:
    """A sheet of entries: columns, then rows of cells (None for an empty cell)."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    #: In an imported workbook, per row: the entry's Entry ID and the fingerprints of its
    #: values as written (imported.encode), or None for a row that was not imported.
    imported: tuple[tuple[str, str] | None, ...] = ()


def list_name(vocabulary_key: str) -> str:
    """The defined name of a vocabulary's list on the hidden Lists sheet of an input workbook."""
    return f"list_{vocabulary_key}"


def split_cell_text(text: str, limit: int = EXCEL_CELL_LIMIT) -> list[str]:
    """Cut text longer than an Excel cell into cell-sized pieces, at a space where possible.

    The pieces join back (with nothing between them) to exactly the original text.
    """
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit) + 1 or limit
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def continuation_label(label: str, number: int) -> str:
    """Header of the n-th overflow column of a field (the workbook reader joins them back)."""
    return f"{label} (continued)" if number == 1 else f"{label} (continued {number})"


_CONTINUED = re.compile(r"^(.*?)\s*\(continued(?:\s+(\d+))?\)$", re.I)


def continued_of(header: str, labels: Mapping[str, FieldSpec]) -> tuple[FieldSpec, int] | None:
    """(field, n) when `header` is the n-th overflow column of a field (see continuation_label)."""
    match = _CONTINUED.match(header)
    if match and header_key(match.group(1)) in labels:
        return labels[header_key(match.group(1))], int(match.group(2) or 1)
    return None


def field_cell(spec: FieldSpec, values: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> Cell | None:
    """A field as a cell: its typed value, else the value as it was entered (kept as it is:
    nothing is lost), else None."""
    if spec.key in values and values[spec.key] not in (None, "", []):
        return spec.kind.cell(values[spec.key], spec, values)
    value = (raw or {}).get(spec.key)
    if value is None or value == "":
        return None
    return Cell(value if isinstance(value, (int, float, str, dt.date)) else as_text(value), spec.kind.style)


def _column(spec: FieldSpec, help_: bool) -> Column:
    if not help_:
        return Column(spec.label, spec.kind.column_width(spec), spec.kind.style, spec.required)
    need = "Required." if spec.required else "Optional."
    # The type's own hint ("Separate several with ';'.") unless the field's help says it already.
    hint = spec.kind.hint
    said = spec.help.casefold()
    examples = [t.strip(".,()") for t in re.findall(r"\S*[\d/;:']\S*", hint.casefold())]
    if any(example and example in said for example in examples):
        hint = ""  # the help already gives the format ("07/2018", "https://", "';'")
    comment = " ".join(p for p in (spec.label + ":", spec.help, hint, need) if p)
    vocabulary = spec.vocabulary
    rule = spec.kind.validation(spec, list_name(vocabulary.key) if vocabulary else None)
    return Column(spec.label, spec.kind.column_width(spec), spec.kind.style, spec.required, comment, rule)


def _extra_cell(value: Any) -> Cell:
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return Cell(value, "number")
    return Cell(as_text(value), "wrap")


def sheet_columns(schema: Schema, section: Section, entries: Iterable[Entry]) -> tuple[FieldSpec, ...]:
    """The fields of a section sheet: every field, except export-only ones no entry uses."""
    entries = list(entries)
    return tuple(
        spec
        for spec in schema.columns(section)
        if not spec.export_only or any(e.value_or_raw(spec.key) not in (None, "") for e in entries)
    )


def section_table(schema: Schema, section: Section, entries: list[Entry], returned: bool) -> Table:
    """A section's entries as a table: its fields, then the columns the sources added, then (in
    an input workbook) "(continued)" columns for text longer than a cell. In a return (`returned`), a field the
    funder did not ask for when it accepted an entry reads "not recorded"; in an input workbook
    (not returned) headers carry help and drop-downs."""
    specs = sheet_columns(schema, section, entries)
    extras: list[str] = []
    for entry in entries:
        extras.extend(header for header in entry.extra if header not in extras)
    pieces: dict[tuple[int, str], list[str]] = {}
    for index, entry in enumerate(entries):
        for spec in specs:
            value = entry.value_or_raw(spec.key)
            # (a return continues long text in the rows below instead: xlsx_return, printed)
            if not returned and isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                pieces[(index, spec.key)] = split_cell_text(value)
                for number in range(1, len(pieces[(index, spec.key)])):
                    if continuation_label(spec.label, number) not in extras:
                        extras.append(continuation_label(spec.label, number))
    columns = tuple(_column(spec, not returned) for spec in specs) + tuple(
        Column(header, EXTRA_WIDTH, "wrap", extra=True) for header in extras
    )
    at = {header: len(specs) + offset for offset, header in enumerate(extras)}
    rows = []
    marks: list[tuple[str, str] | None] = []
    for index, entry in enumerate(entries):
        row: list[Cell | None] = [None] * len(columns)
        written: dict[str, Any] = {}
        not_recorded = returned and entry.accepted
        for col, spec in enumerate(specs):
            split = pieces.get((index, spec.key))
            if split:
                row[col] = Cell(split[0], spec.kind.style)
                for number, piece in enumerate(split[1:], start=1):
                    row[at[continuation_label(spec.label, number)]] = Cell(piece, "wrap")
                written[spec.key] = "".join(split)
                continue
            cell = field_cell(spec, entry.values, entry.raw)
            written[spec.key] = None if cell is None else cell.value
            if cell is None and not_recorded and (spec.required or spec.recommended):
                cell = Cell(NOT_RECORDED, "missing")
            row[col] = cell
        for header, value in entry.extra.items():
            if value not in (None, ""):
                row[at[header]] = _extra_cell(value)
        rows.append(tuple(row))
        if not returned and entry.accepted:
            marks.append((as_text(entry.value_or_raw("entry_id") or ""), imported_values.encode(written)))
        else:
            marks.append(None)
    return Table(section.sheet, columns, tuple(rows), tuple(marks) if any(marks) else ())


def record_table(name: str, specs: tuple[FieldSpec, ...], records: Iterable[Mapping[str, Any]]) -> Table:
    """A sheet of awards or organisations (one row each), headers with help and drop-downs."""
    columns = tuple(_column(spec, True) for spec in specs)
    rows = tuple(tuple(field_cell(spec, values) for spec in specs) for values in records)
    return Table(name, columns, rows)
