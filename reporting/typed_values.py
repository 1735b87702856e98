"""Each field of a record typed: its value, and findings worded at its cell. What the funder
accepted (and what a publication list gives) is typed leniently while it is as imported; see
imported.py. Used by validation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from . import fieldtypes
from .findings import ERROR, WARNING, Finding, Findings
from .imported import from_funder, unchanged
from .model import AWARD, Record
from .schema import FieldSpec, Schema

__all__ = ["finding", "parse_fields", "typing_years", "where"]

_KEPT = "Kept as {source}; the return shows it as reported."


def where(record: Record, spec: FieldSpec, value: Any = None) -> dict[str, Any]:
    """Where a finding about one field of a record is: at its cell when it has one, else at
    the record's row, line or path (with the field's own path in structured data)."""
    where: dict[str, Any] = record.origin.where()
    cell = record.cells.get(spec.key, "")
    if cell:
        where.update(row=0, line=0)
    elif where["path"] and from_funder(record.raw.get("imported_from")):  # GtR's path to the field
        where["path"] += "/" + (spec.xml or spec.api or spec.key)
    return {**where, "cell": cell, "field": spec.label, "value": "" if value is None else fieldtypes.as_text(value)}


def finding(
    record: Record, spec: FieldSpec, code: str, severity: str, variant: str = "", value: Any = None, **params: Any
) -> Finding:
    """A finding about one field of a record, worded from the catalogue."""
    return Finding.of(code, severity, variant, **where(record, spec, value), **params)


def typing_years(records: list[Record], schema: Schema) -> dict[tuple[str, str, str], int | None]:
    """For each (file, sheet kind, field) whose values Excel may have made dates of (a page
    range), the year they were typed in, judged from the column's dates."""
    ranged = {s.key: [f.key for f in schema.columns(s) if f.kind.from_dates] for s in schema.sections}
    dates: dict[tuple[str, str, str], list[dt.date]] = {}
    for record in records:
        for key in ranged.get(record.kind, ()):
            raw = record.raw.get(key)
            if isinstance(raw, dt.date):
                dates.setdefault((record.origin.file, record.kind, key), []).append(raw)
    return {where: fieldtypes.typing_year(found) for where, found in dates.items()}


def parse_fields(
    record: Record,
    specs: Iterable[FieldSpec],
    findings: Findings,
    untitled: str = "",
    typed: Mapping[tuple[str, str, str], int | None] | None = None,
) -> dict[str, Any]:
    """Type each field of `record`.

    For an entry the funder accepted, nothing it holds *as imported* is refused: such a value
    that cannot be typed is kept as reported with a warning, and a field researchfish did not
    ask for at the time, still empty, is "not recorded" (a warning), except `untitled`, the
    heading titled afterwards. A value a person changed is checked as strictly as a new one.
    """
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.key in record.flagged:
            continue
        raw = record.raw.get(spec.key)
        value: Any = None
        problems: list[fieldtypes.Problem] = []
        if raw is not None:
            value, problems = fieldtypes.parse(
                spec, raw, (typed or {}).get((record.origin.file, record.kind, spec.key))
            )
        # Whether the value is as imported matters only for a problem or a missing answer.
        asked = bool(problems) or (value is None and (spec.required or spec.recommended))
        accepted = asked and unchanged(record.imported, spec.key, raw)
        source = str(record.raw.get("imported_from") or "")
        funder = from_funder(source)
        for problem in problems:
            severity, hint = problem.severity, problem.hint
            if accepted and severity == ERROR:
                kept = _KEPT.format(source="the funder accepted it" if funder else f"{source} gives it")
                severity, hint = WARNING, f"{kept} {hint}".strip()
            findings.add(
                Finding(
                    problem.code,
                    severity,
                    problem.message,
                    hint,
                    replacement=problem.replacement,
                    **where(record, spec, problem.found or raw),
                )
            )
        if value is None and not problems and spec.default is not None:
            value, _ = fieldtypes.parse(spec, spec.default)
        if value is not None:
            values[spec.key] = value
        elif fieldtypes.is_empty(raw) and (spec.key in record.cells or not record.cells):
            if accepted and (spec.required or spec.recommended):
                if spec.key != untitled:
                    variant = "" if funder else "list"
                    findings.add(
                        finding(record, spec, "not-recorded", WARNING, variant, label=spec.label, source=source)
                    )
            elif spec.required:
                findings.add(finding(record, spec, "missing-value", ERROR, label=spec.label, help=spec.help))
            elif spec.recommended:
                findings.add(
                    finding(
                        record,
                        spec,
                        "missing-recommended",
                        WARNING,
                        "award" if record.kind == AWARD else "",
                        label=spec.label,
                        help=spec.help,
                    )
                )
    return values
