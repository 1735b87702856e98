"""The view of a return (or a partner profile): everything both renderers show, built in one
step and frozen.

`make_return` takes the entries a selection chose, the schema and the wording (texts.toml) and
gives a ReturnView: sections of EntryViews that already hold their heading, marks and each
field's display text (for Word), and tables of typed cells (for Excel); the cover, header,
notes and intros as text; the counts and charts of "At a glance". The renderers read only this
view: they never see an entry, a field type or the schema. No I/O, no third-party imports.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .changes import ADDED, CHANGED, REMOVED
from .entry_views import section_entries
from .errors import TemplateError
from .model import Entry
from .periods import latest_date, years_in
from .schema import Chart, FieldSpec, Schema, Section
from .selection import Selected
from .sheets import NOT_RECORDED, section_table
from .text import one_line
from .texts import namespace
from .views import (
    MAX_BARS,
    OTHER,
    ChangesView,
    ChartView,
    CountTable,
    EntryView,
    FieldView,
    Head,
    ReturnView,
    SectionView,
)

__all__ = [
    "ChangesView",
    "ChartView",
    "EntryView",
    "FieldView",
    "Head",
    "NOT_RECORDED",
    "ReturnView",
    "SectionView",
    "make_return",
]

#: The cover details that name a document's author, the first one given.
AUTHOR_LABELS = ("Principal Investigator", "Lead Research Organisation")


# -- charts ----------------------------------------------------------------------------------


def _counts(entries: list[Entry], spec: FieldSpec) -> tuple[tuple[str, ...], tuple[int, ...]]:
    counted = Counter(str(entry.values[spec.key]) for entry in entries if entry.values.get(spec.key))
    order = spec.vocabulary.values if spec.vocabulary else ()
    names = [v for v in order if counted.get(v)] + sorted(v for v in counted if v not in order)
    return tuple(names), tuple(counted[n] for n in names)


def _dated_up_to(entries: list[Entry], yearly: dict[int, set[int]], year: int) -> int:
    """The entries dated in `year` or before, each counted once (a "To YEAR" column or bar)."""
    return sum(1 for e in entries if yearly[id(e)] and min(yearly[id(e)]) <= year)


def _at_most_bars(names: tuple[str, ...], values: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The largest MAX_BARS - 1 categories, in their order, and "Other (N)" for the rest, as the
    portfolio's charts gather them."""
    if len(names) <= MAX_BARS:
        return names, values
    kept = set(sorted(range(len(names)), key=lambda i: (-values[i], i))[: MAX_BARS - 1])
    order = [i for i in range(len(names)) if i in kept]
    other = sum(v for i, v in enumerate(values) if i not in kept)
    return (*(names[i] for i in order), f"{OTHER} ({len(names) - len(order)})"), (*(values[i] for i in order), other)


def _chart(
    schema: Schema, chart: Chart, by_section: dict[str, list[Entry]], yearly: dict[int, set[int]]
) -> ChartView | None:
    entries = by_section.get(chart.section, [])
    if not entries or (chart.unless and by_section.get(chart.unless)):
        return None
    if chart.by_years:
        per_year = Counter(y for e in entries for y in yearly[id(e)])
        if not per_year:
            return None
        years = list(range(min(per_year), max(per_year) + 1))
        labels, counts = [str(y) for y in years], [per_year.get(y, 0) for y in years]
        if len(years) > MAX_YEAR_COLUMNS:  # grouped as the At a glance table groups them
            earlier = len(years) - MAX_YEAR_COLUMNS
            cutoff = years[earlier - 1]
            labels = [f"To {cutoff}", *labels[earlier:]]  # the entries dated up to then, each once
            counts = [_dated_up_to(entries, yearly, cutoff), *counts[earlier:]]
        return ChartView(chart.title, tuple(labels), tuple(counts), chart.horizontal, "Year")
    assert chart.field is not None
    spec = schema.section(chart.section).field(chart.field)
    names, values = _at_most_bars(*_counts(entries, spec))
    return ChartView(chart.title, names, values, chart.horizontal, spec.label) if names else None


# -- the whole return ------------------------------------------------------------------------


#: A changed value is quoted up to this many characters (the Excel return holds it whole).
CHANGE_QUOTE = 60


def _was(value: str) -> str:
    text = one_line(value or "")
    if not text:
        return "(none)"
    return text if len(text) <= CHANGE_QUOTE else text[: CHANGE_QUOTE - 1].rstrip() + "…"


def _changes(selected: Selected) -> ChangesView | None:
    changes = selected.changes
    if changes is None:
        return None
    groups = []
    for label, kind in (("Added", ADDED), ("Changed", CHANGED), ("Removed", REMOVED)):
        lines = []
        for item in changes.of_kind(kind):
            text = f"{item.section}: {item.heading}"
            if item.fields:  # each field as it was and as it is
                text += " (" + "; ".join(f"{f.label}: {_was(f.old)} → {_was(f.new)}" for f in item.fields) + ")"
            lines.append(text)
        groups.append((label, tuple(lines)))
    return ChangesView(changes.summary(), tuple(groups))


def _notes(wording: Any, selected: Selected) -> tuple[str, ...]:
    notes = []
    if selected.period is not None:
        notes.append(wording.render("notes.period", period=selected.period.label, undated=selected.undated))
    if selected.internal_left_out:
        notes.append(wording.render("notes.public", count=selected.internal_left_out))
    if selected.internal_included:
        notes.append(wording.render("notes.internal", count=selected.internal_included))
    if selected.changes is not None:
        notes.append(wording.render("notes.changes", since=selected.since, summary=selected.changes.summary()))
    return tuple(notes)


#: Years the At a glance table and the charts by year show one by one; earlier ones are
#: grouped as "To <year>".
MAX_YEAR_COLUMNS = 8
#: How entries are ordered within a section (texts.toml, [order] entries).
NEWEST, OLDEST, AS_ENTERED = "newest first", "oldest first", "as entered"


def _order(entries: list[Entry], order: str) -> None:
    """Sort a section's entries by their latest date, newest (or oldest) first, as precisely as
    each says it (within a year, an entry without a month comes after those with one); undated
    ones last; entries of the same date stay in the order they were entered."""
    if order == AS_ENTERED:
        return
    if order not in (NEWEST, OLDEST):
        raise TemplateError(f'[order] entries = "{order}" in texts.toml: use "{NEWEST}", "{OLDEST}" or "{AS_ENTERED}".')
    sign = -1 if order == NEWEST else 1
    latest = {id(e): latest_date(e) for e in entries}

    def key(entry: Entry) -> tuple[bool, int, int, int]:
        year, month, day = latest[id(entry)] or (0, 0, 0)
        # an unknown month or day (0) sorts after the known ones of its year either way
        return (latest[id(entry)] is None, sign * year, sign * month if month else 99, sign * day if day else 99)

    entries.sort(key=key)


def make_return(schema: Schema, wording: Any, head: Head, selected: Selected, generated: str) -> ReturnView:
    """The view of one return or profile, from the entries `selected` for it.

    `wording` renders the texts of templates/texts.toml (texts.Texts); `generated` is the date
    the cover gives.
    """
    marks = {id(entry): mark for entry, mark in zip(selected.entries, selected.marks)}
    by_section: dict[str, list[Entry]] = {}
    for entry in selected.entries:
        by_section.setdefault(entry.section.key, []).append(entry)
    order = wording.render("order.entries").casefold() if wording.has("order.entries") else NEWEST
    for entries in by_section.values():
        _order(entries, order)
    used = [s for s in schema.sections if by_section.get(s.key)]
    # Answers to a funder's questions are the award's, not outcomes: after them, counted in no figure.
    outcomes = [s for s in used if not s.questions]
    used = outcomes + [s for s in used if s.questions]
    # The years each entry counts in: in a period return, only the period's.
    yearly = {id(e): years_in(e, selected.period) for e in selected.entries}
    all_years: set[int] = set()
    counted: list[tuple[Section, Counter, int]] = []
    for section in used:
        per_year: Counter = Counter()
        undated = 0
        for entry in by_section[section.key]:
            years = yearly[id(entry)]
            per_year.update(years)
            if not section.questions:
                all_years.update(years)
            undated += not years
        counted.append((section, per_year, undated))
    entry_count = sum(len(by_section[s.key]) for s in outcomes)
    context = dict(
        title=head.title,
        kind=head.kind,
        reference=head.reference,
        period=selected.period.label if selected.period else "",
        generated=generated,
        entries=entry_count,
        sections=len(outcomes),
    )
    context.update({key: namespace(key, dict(values)) for key, values in head.names.items()})
    sections = []
    for section, per_year, undated in counted:
        entries = by_section[section.key]
        name = f"intro.{section.key}" if wording.has(f"intro.{section.key}") else "intro.default"
        intro = wording.render(
            name,
            section=namespace(
                "section", {"key": section.key, "title": section.title, "help": section.help, "count": len(entries)}
            ),
            **context,
        )
        sections.append(
            SectionView(
                section.key,
                section.title,
                intro,
                section_entries(schema, entries, marks),
                section_table(schema, section, entries, returned=True),
                dict(per_year),
                undated,
                answers=section.questions,
            )
        )
    charts = []
    if outcomes:
        charts.append(
            ChartView(
                "Entries per section",
                *_at_most_bars(tuple(s.title for s in outcomes), tuple(len(by_section[s.key]) for s in outcomes)),
                axis="Section",
            )
        )
    charts.extend(c for c in (_chart(schema, chart, by_section, yearly) for chart in schema.charts) if c)
    charts = [c for c in charts if len(c.categories) > 1]  # one bar says nothing the table does not
    span = tuple(range(min(all_years), max(all_years) + 1)) if all_years else ()
    details = {d.label: d.text for d in head.details if not d.missing}
    return ReturnView(
        glance=_glance([s for s in sections if not s.answers], span, by_section, yearly, grouped=True),
        glance_by_year=_glance([s for s in sections if not s.answers], span, by_section, yearly, grouped=False),
        author=next((details[label] for label in AUTHOR_LABELS if details.get(label)), "funder-report"),
        company=details.get("Lead Research Organisation", ""),
        title=head.title,
        kind=head.kind,
        reference=head.reference,
        details=head.details,
        texts=head.texts,
        sections=tuple(sections),
        years=span,
        notes=_notes(wording, selected),
        changes=_changes(selected),
        cover_subtitle=wording.render("cover.subtitle", **context),
        generated=wording.render("cover.generated", **context),
        header=wording.render("header.text", **context),
        summary=wording.render("summary.line", **context),
        summary_note=wording.render("summary.note", **context),
        charts=tuple(charts),
    )


def _glance(
    sections: list[SectionView],
    years: tuple[int, ...],
    by_section: dict[str, list[Entry]],
    yearly: dict[int, set[int]],
    grouped: bool,
) -> CountTable:
    """Entries per section and per year (and undated); `grouped`: years before the last
    MAX_YEAR_COLUMNS in one "To YEAR" column, which counts each entry dated up to then once
    (so no column holds more than its section's entries)."""
    shown = years[-MAX_YEAR_COLUMNS:] if grouped and len(years) > MAX_YEAR_COLUMNS else years
    earlier = years[: len(years) - len(shown)]
    headers = ("Section", "Entries", *([f"To {earlier[-1]}"] if earlier else []), *map(str, shown), "Undated")
    rows = tuple(
        (
            section.title,
            (
                section.count,
                *([_dated_up_to(by_section[section.key], yearly, earlier[-1])] if earlier else []),
                *[section.per_year.get(y, 0) for y in shown],
                section.undated,
            ),
        )
        for section in sections
    )
    totals = tuple(sum(numbers[i] for _, numbers in rows) for i in range(len(headers) - 1))
    return CountTable(headers, rows, totals)
