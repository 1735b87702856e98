"""Validation: records as read -> typed awards and entries, plus findings. Pure; no I/O."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Any

from . import fieldtypes, partners
from .duplicates import check_duplicates
from .findings import ERROR, WARNING, Finding, Findings, did_you_mean
from .imported import FRESH, unchanged
from .model import AWARD, ORGANISATION, SUGGESTION, Award, Dataset, Entry, Organisation, Origin, Record
from .schema import Schema, Section, normalise
from .text import one_line
from .typed_values import finding as _finding
from .typed_values import parse_fields as _parse_fields
from .typed_values import typing_years as _typing_years

TITLE_LIMIT = 250
#: Words of the first text an untitled entry the funder accepted is titled with.
TITLE_WORDS = 12


def _title_from_text(section: Section, values: dict[str, Any]) -> str:
    """A heading for an untitled entry: the first words of its first text, else its first value."""
    for spec in section.fields:
        value = values.get(spec.key)
        if spec.kind.textual and isinstance(value, str) and value.strip():
            words = one_line(value).split(" ")
            return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
    for spec in section.fields:
        if spec.key in values:
            return f"{spec.label.rstrip('?')}: {fieldtypes.display(spec, values[spec.key], values)}"
    return f"Untitled {section.title} entry"


def _check_title(record: Record, section: Section, values: dict[str, Any], findings: Findings) -> None:
    """An accepted entry without a heading is titled from its first words, with a warning."""
    spec = section.heading_field
    if spec.key in values:
        return
    title = _title_from_text(section, values)
    values[spec.key] = title
    findings.add(_finding(record, spec, "untitled", WARNING, label=spec.label, title=title))


def _check_money(
    record: Record, section: Section, values: dict[str, Any], findings: Findings, severity: str = ERROR
) -> None:
    for spec in section.fields:
        if not isinstance(values.get(spec.key), fieldtypes.Money) or spec.currency is None:
            continue
        money: fieldtypes.Money = values[spec.key]
        stated = values.get(spec.currency)
        column = section.field(spec.currency)
        if money.currency and record.raw.get(spec.currency) not in (None, "") and stated != money.currency:
            findings.add(
                _finding(
                    record,
                    spec,
                    "currency-mismatch",
                    severity,
                    value=record.raw.get(spec.key),
                    currency=money.currency,
                    column=column.label,
                    stated=stated,
                )
            )
        elif money.currency:
            values[spec.currency] = money.currency
        values[spec.key] = fieldtypes.Money(money.amount, values.get(spec.currency))


def _check_period(
    record: Record, section: Section, values: dict[str, Any], findings: Findings, severity: str = ERROR
) -> None:
    if len(section.period) != 2:
        return
    start_key, end_key = section.period
    start, end = values.get(start_key), values.get(end_key)
    if start is not None and end is not None and end < start:
        end_spec, start_spec = section.field(end_key), section.field(start_key)
        findings.add(
            _finding(
                record,
                end_spec,
                "end-before-start",
                severity,
                value=record.raw.get(end_key),
                end=end,
                start=start,
                start_label=start_spec.label,
                end_label=end_spec.label,
            )
        )


def _pristine(record: Record) -> bool:
    """Whether every value of an imported entry is as it was imported."""
    imported = record.imported
    if imported is FRESH:
        return True
    keys = set(record.raw) | set(imported or {})
    return all(unchanged(imported, key, record.raw.get(key)) for key in keys)


def _award_id(values: dict[str, Any], origin: Origin) -> str:
    return values.get("award_reference") or normalise(values.get("title") or origin.file)


def _check_future(
    record: Record, section: Section, values: dict[str, Any], this_year: int, findings: Findings, lenient: bool = False
) -> None:
    """Outcomes are things that have happened: a year after this one is a mistake.

    Period ends (End Year, End) may lie ahead; a publication year ahead is only a warning,
    since accepted papers are reported before they appear.
    """
    ends = set(section.period[1:]) if len(section.period) == 2 else set()
    for spec in section.fields:
        if spec.key in ends or spec.key not in values:
            continue
        ahead = [y for y in spec.kind.years(values[spec.key]) if y > this_year]
        if not ahead:
            continue
        lenient = lenient or section.future_years == "warn"
        findings.add(
            _finding(
                record,
                spec,
                "future-year",
                WARNING if lenient else ERROR,
                "in-press" if lenient else "",
                value=record.raw.get(spec.key),
                years=", ".join(map(str, ahead)),
            )
        )


def _check_long_title(record: Record, section: Section, values: dict[str, Any], findings: Findings) -> None:
    spec = section.heading_field
    value = values.get(spec.key)
    if spec.kind.textual and not spec.kind.long and isinstance(value, str) and len(value) > TITLE_LIMIT:
        findings.add(
            _finding(
                record,
                spec,
                "long-title",
                WARNING,
                value=value,
                length=len(value),
                label_lower=spec.label.lower(),
                limit=TITLE_LIMIT,
            )
        )


def validate(
    records: Iterable[Record], schema: Schema, today: dt.date | None = None, files: Iterable[str] = ()
) -> tuple[Dataset, Findings]:
    """Type every value, check it against the schema and link entries to their awards.

    `files` names the inputs, so that an input without any award can be named in a finding.
    """
    this_year = (today or dt.date.today()).year
    findings = Findings()
    dataset = Dataset()
    awards_by_id: dict[str, Award] = {}
    awards_by_file: dict[str, list[Award]] = {}
    pending: list[tuple[Entry, Record]] = []
    suggestions: list[tuple[Record, dict]] = []
    sections = {s.key: s for s in schema.sections}
    files = [str(f) for f in files]
    imported = 0

    records = list(records)
    typed = _typing_years(records, schema)
    for record in records:
        if record.origin.file not in files:
            files.append(record.origin.file)
        if record.kind == AWARD:
            values = _parse_fields(record, schema.award_fields, findings)
            award = Award(values=values, origin=record.origin)
            key = _award_id(values, record.origin)
            if key in awards_by_id:
                known = awards_by_id[key]
                awards_by_file.setdefault(record.origin.file, []).append(known)
                differ = [
                    spec
                    for spec in schema.award_fields
                    if spec.key in values and spec.key in known.values and values[spec.key] != known.values[spec.key]
                ]
                if differ:
                    labels = ", ".join(spec.label for spec in differ)
                    findings.add(
                        _finding(record, differ[0], "award-conflict", WARNING, other=known.origin.file, labels=labels)
                    )
                continue
            awards_by_id[key] = award
            awards_by_file.setdefault(record.origin.file, []).append(award)
            dataset.awards.append(award)
            continue
        if record.kind == ORGANISATION:
            values = _parse_fields(record, schema.organisation_fields, findings)
            if values.get("name"):
                dataset.organisations.append(Organisation(values=values, origin=record.origin))
            continue
        if record.kind == SUGGESTION:
            suggestions.append((record, _parse_fields(record, partners.SUGGESTION_FIELDS, findings)))
            continue
        section = sections[record.kind]
        accepted = record.imported is not None
        if accepted:
            imported += 1
        values = _parse_fields(
            record, schema.columns(section), findings, untitled=section.heading if accepted else "", typed=typed
        )
        # Checks across fields are lenient only while the entry is as it was imported.
        pristine = accepted and _pristine(record)
        severity = WARNING if pristine else ERROR
        _check_money(record, section, values, findings, severity)
        _check_period(record, section, values, findings, severity)
        _check_future(record, section, values, this_year, findings, lenient=pristine)
        if accepted and unchanged(record.imported, section.heading, record.raw.get(section.heading)):
            _check_title(record, section, values, findings)
        _check_long_title(record, section, values, findings)
        entry = Entry(
            section=section,
            values=values,
            raw=record.raw,
            origin=record.origin,
            cells=record.cells,
            extra=record.extra,
            accepted=accepted,
        )
        # Once typed, only the values that could not be typed need their raw form.
        pending.append((entry, record))

    if not dataset.awards:
        # Entries without any award details still make a return; say what is missing.
        name = files[0] if files else "input"
        award = Award(values={}, origin=Origin(name, schema.award_sheet))
        dataset.awards.append(award)
        awards_by_id[_award_id({}, award.origin)] = award
        findings.add(
            Finding.of("missing-award", WARNING, file=name, sheet=schema.award_sheet, award_sheet=schema.award_sheet)
        )

    for award in dataset.awards:
        if not award.title and not award.reference and award.origin.row:
            findings.add(Finding.of("missing-value", ERROR, "award", field="Title", **award.origin.where()))
    check_duplicates(pending, findings, _finding)
    for entry, _ in pending:
        entry.raw = {k: v for k, v in entry.raw.items() if k not in entry.values}
    dataset.imported = imported
    _link_entries(pending, dataset, awards_by_file, schema, findings)
    partners.link(dataset, suggestions, findings)
    return dataset, findings


def _link_entries(
    pending: list[tuple[Entry, Record]],
    dataset: Dataset,
    awards_by_file: dict[str, list[Award]],
    schema: Schema,
    findings: Findings,
) -> None:
    """Give each entry the award(s) it counts for, reporting entries that fit none."""
    by_reference = {a.reference: a for a in dataset.awards if a.reference}
    ref_spec = next(f for f in schema.common_fields if f.key == "award_reference")
    for entry, record in pending:
        refs = entry.values.get("award_reference") or []
        if refs:
            unknown = [r for r in refs if r not in by_reference]
            if unknown:
                close = difflib.get_close_matches(unknown[0], list(by_reference), n=1, cutoff=0.6)
                findings.add(
                    _finding(
                        record,
                        ref_spec,
                        "unknown-award",
                        ERROR,
                        value="; ".join(refs),
                        names=", ".join(repr(u) for u in unknown),
                        award_sheet=schema.award_sheet,
                        did_you_mean=did_you_mean(close),
                    )
                )
            entry.awards = [by_reference[r] for r in refs if r in by_reference]
        else:
            candidates = awards_by_file.get(entry.origin.file) or dataset.awards
            if len(candidates) == 1:
                entry.awards = [candidates[0]]
            else:
                findings.add(
                    _finding(
                        record, ref_spec, "which-award", ERROR, award_sheet=schema.award_sheet, label=ref_spec.label
                    )
                )
        (dataset.entries if entry.awards else dataset.unlinked).append(entry)
