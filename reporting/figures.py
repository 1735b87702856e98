"""What a portfolio figure is and how it is counted: the entries counted (each with where it
is), figures (a chart of at most `MAX_BARS` bars, and the table of every category), the group
of awards counted, and counts by field, by section and by year. No I/O, no third-party imports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from . import fieldtypes
from .model import Award, Entry
from .periods import entry_years
from .schema import Schema, Section
from .text import plural
from .views import MAX_BARS, OTHER, ChartView

ALL_AWARDS = "All awards"
NOT_RECORDED = "Not recorded"
UK = "United Kingdom"
NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")


@dataclass(frozen=True)
class Counted:
    """One entry counted in a figure, and where to find it."""

    category: str
    award: str
    sheet: str
    row: int
    entry_id: str
    title: str
    #: The amount it adds, for a sum (None for a count).
    amount: float | None = None
    #: The workbook it is in (its name).
    file: str = ""


@dataclass(frozen=True)
class Figure:
    """One figure: a chart (None when there is nothing to draw), the table behind it (every
    category, with its count and, for money, its sum), a note, and the entries counted."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]
    chart: ChartView | None
    counted: tuple[Counted, ...]
    note: str = ""


@dataclass(frozen=True)
class GroupView:
    """The figures of one group of awards."""

    name: str
    awards: int
    entries: int
    summary: str
    figures: tuple[Figure, ...]
    #: The summary as a sentence (capitalised, with its full stop), as both renderers show it.
    sentence: str = ""


@dataclass(frozen=True)
class PortfolioReport:
    """The whole report: a title, what was kept (period, public, changes), the groups."""

    title: str
    subtitle: str
    details: tuple[tuple[str, str], ...]
    groups: tuple[GroupView, ...]
    notes: tuple[str, ...] = ()
    generated: str = ""
    #: The Entries counted table: its headers, and a row per entry each group counts.
    entries: tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]] = ((), ())


def _title(entry: Entry) -> str:
    value = entry.value_or_raw(entry.section.heading) or entry.values.get("description") or ""
    return " ".join(str(value).split())[:200]


def _counted(entry: Entry, category: str, awards: Mapping[int, str], amount: Decimal | None = None) -> Counted:
    return Counted(
        category,
        awards.get(id(entry), ""),
        entry.origin.sheet,
        entry.origin.row,
        str(entry.values.get("entry_id") or ""),
        _title(entry),
        float(amount) if amount is not None else None,
        PurePath(entry.origin.file).name,
    )


def _shown(section: Section, key: str, value: Any) -> str:
    text = fieldtypes.display(section.field(key), value) if value not in (None, "") else ""
    return text or NOT_RECORDED


def _ranked(counts: Counter, order: Sequence[str] = ()) -> list[tuple[str, int]]:
    """Categories by count (ties by name), or in `order` (a vocabulary, years) when given;
    "Not recorded" last."""
    if order:
        known = [(c, counts[c]) for c in order if counts.get(c)]
        rest = sorted((c, n) for c, n in counts.items() if c not in order and c != NOT_RECORDED)
        items = known + rest
    else:
        items = sorted(((c, n) for c, n in counts.items() if c != NOT_RECORDED), key=lambda p: (-p[1], p[0]))
    if counts.get(NOT_RECORDED):
        items.append((NOT_RECORDED, counts[NOT_RECORDED]))
    return items


def _chart(
    title: str,
    items: Sequence[tuple[str, int | float]],
    axis: str,
    counted: str = "Entries",
    horizontal: bool = True,
    keep_order: bool = False,
    other: bool = True,
    decimals: int = 0,
) -> ChartView | None:
    """At most MAX_BARS bars, the smallest gathered as "Other" (or left out, for a top ten);
    none for fewer than two bars."""
    items = [(c, v) for c, v in items if v]
    if len(items) < 2:
        return None
    if len(items) > MAX_BARS and keep_order:
        items = items[-MAX_BARS:]
    elif len(items) > MAX_BARS and other:
        head, tail = items[: MAX_BARS - 1], items[MAX_BARS - 1 :]
        items = head + [(f"{OTHER} ({len(tail)})", sum(v for _, v in tail))]
    elif len(items) > MAX_BARS:
        items = items[:MAX_BARS]
    return ChartView(
        title,
        tuple(c for c, _ in items),
        tuple(round(v, decimals) if decimals else int(round(v)) for _, v in items),
        horizontal=horizontal,
        axis=axis,
        counted=counted,
        decimals=decimals,
    )


@dataclass
class _Group:
    name: str
    entries: list[Entry]
    #: Each entry's award reference(s) as shown.
    awards: dict[int, str]
    award_count: int
    per_award: list[tuple[Award, int]]


def _by_field(
    group: _Group,
    schema: Schema,
    section_key: str,
    field_key: str,
    title: str,
    axis: str,
    many: bool = False,
    order: bool = True,
    horizontal: bool = True,
) -> Figure | None:
    section = schema.section(section_key)
    spec = section.field(field_key)
    entries = [e for e in group.entries if e.section.key == section_key]
    if not entries:
        return None
    counts: Counter = Counter()
    counted: list[Counted] = []
    for entry in entries:
        value = entry.value_or_raw(field_key)
        values = (value if isinstance(value, (list, tuple)) else [value]) if many else [value]
        shown = (
            [" ".join(str(v).split()) for v in values if v not in (None, "")]
            if many
            else [_shown(section, field_key, v) for v in values if v not in (None, "")]
        ) or [NOT_RECORDED]
        for category in dict.fromkeys(shown):
            counts[category] += 1
            counted.append(_counted(entry, category, group.awards))
    vocabulary = spec.vocabulary.values if (order and spec.vocabulary is not None and len(counts) <= 15) else ()
    items = _ranked(counts, vocabulary)
    note = f"An entry with several {axis.lower()} values is counted under each." if many else ""
    return Figure(
        title,
        (axis, section.title),
        tuple(items),
        _chart(title, items, axis, horizontal=horizontal),
        tuple(counted),
        note,
    )


def _sections(group: _Group, schema: Schema) -> Figure | None:
    counts = Counter(e.section.key for e in group.entries)
    if not counts:
        return None
    items = sorted(((s.title, counts[s.key]) for s in schema.sections if counts.get(s.key)), key=lambda p: -p[1])
    counted = [_counted(e, e.section.title, group.awards) for e in group.entries]
    return Figure(
        "Entries by section",
        ("Section", "Entries"),
        tuple(items),
        _chart("Entries by section", items, "Section"),
        tuple(counted),
        "An outcome reported against several awards is one entry.",
    )


def _years(group: _Group, title: str, section_key: str | None = None) -> Figure | None:
    """Entries by the year each began (an engagement's first year, a grant's start): each
    entry counted once."""
    entries = [e for e in group.entries if section_key is None or e.section.key == section_key]
    if not entries:
        return None
    counts: Counter = Counter()
    counted = []
    for entry in entries:
        years = entry_years(entry)
        category = str(min(years)) if years else NOT_RECORDED
        counts[category] += 1
        counted.append(_counted(entry, category, group.awards))
    order = sorted(c for c in counts if c != NOT_RECORDED)
    dated = [(c, counts[c]) for c in order]
    items = _ranked(counts, order[::-1])  # the table: the latest year first
    several = sum(1 for e in entries if len(entry_years(e)) > 1)
    note = " ".join(
        filter(
            None,
            [
                f"{plural(several, 'entry', 'entries')} spanning several years are counted in the year each began."
                if several
                else "",
                f"{plural(counts[NOT_RECORDED], 'entry', 'entries')} have no year." if counts.get(NOT_RECORDED) else "",
            ],
        )
    )
    chart = _chart(title, dated, "Year", horizontal=False, keep_order=True)
    if chart is not None and len(dated) > MAX_BARS:
        note = f"The chart shows the last {MAX_BARS} years; the table every year. " + note
    return Figure(title, ("Year", "Entries"), tuple(items), chart, tuple(counted), note.strip())
