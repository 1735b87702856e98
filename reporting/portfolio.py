"""The portfolio impact report: what a whole programme of awards achieved, as a view.

For each group of awards (the Award sheet's Group column, or a mapping of award references to
groups; "All awards" always first) it counts the entries the selection keeps: per section and
per year; further funding summed per currency, and in GBP by funder sector and country (the
leverage figure); collaborations by partner sector, country, UK nation and organisation;
engagement by form, geographic reach and audience; influence on policy by type; publications
by year and type; awards and recognition by type; and the awards with the most outcomes.

Every figure keeps the entries it counts (award, sheet, row, Entry ID, title), so the Excel
report can list them beside the chart: nothing is a number without its sources. A chart shows
at most `MAX_BARS` bars, the rest gathered as "Other"; its table holds every category.
No I/O, no third-party imports: the renderers read this view only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from . import fieldtypes
from .model import Award, Entry, Organisation
from .periods import entry_years
from .returns import ChartView
from .schema import Schema, Section
from .text import plural

__all__ = ["ALL_AWARDS", "MAX_BARS", "Counted", "Figure", "GroupView", "PortfolioReport", "portfolio_report"]

ALL_AWARDS = "All awards"
NOT_RECORDED = "Not recorded"
OTHER = "Other"
#: Bars in a chart; the rest are one "Other" bar (the table lists them all).
MAX_BARS = 10
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


@dataclass(frozen=True)
class PortfolioReport:
    """The whole report: a title, what was kept (period, public, changes), the groups."""

    title: str
    subtitle: str
    details: tuple[tuple[str, str], ...]
    groups: tuple[GroupView, ...]
    notes: tuple[str, ...] = ()
    generated: str = ""


# -- counting ----------------------------------------------------------------------------------


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


def _money(entry: Entry) -> tuple[str, Decimal | None, Decimal | None]:
    """(currency, amount, amount in GBP where known) of a further funding entry."""
    section = entry.section
    value = entry.values.get("amount")
    if value is None:
        return NOT_RECORDED, None, None
    spec = section.field("amount")
    currency = (
        (entry.values.get(spec.currency) if spec.currency else None)
        or value.currency
        or ("GBP" if not spec.currency else "")
    )
    currency = str(currency or "").upper() or NOT_RECORDED
    gbp = value.amount if currency == "GBP" else None
    equivalent = entry.values.get("gbp_equivalent")
    if gbp is None and equivalent is not None:
        gbp = equivalent.amount
    return currency, value.amount, gbp


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def _funding(group: _Group, schema: Schema) -> list[Figure]:
    entries = [e for e in group.entries if e.section.key == "further_funding"]
    if not entries:
        return []
    section = schema.section("further_funding")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    numbers: Counter = Counter()
    counted = []
    gbp_by: dict[str, dict[str, Decimal]] = {"sector": defaultdict(Decimal), "country": defaultdict(Decimal)}
    gbp_counted: dict[str, list[Counted]] = {"sector": [], "country": []}
    without_gbp = []
    for entry in entries:
        currency, amount, gbp = _money(entry)
        numbers[currency] += 1
        if amount is not None:
            totals[currency] += amount
        counted.append(_counted(entry, currency, group.awards, amount))
        if gbp is None:
            without_gbp.append(entry)
            continue
        for key in ("sector", "country"):
            category = _shown(section, key, entry.values.get(key))
            gbp_by[key][category] += gbp
            gbp_counted[key].append(_counted(entry, category, group.awards, gbp))
    currencies = sorted(numbers, key=lambda c: (c != "GBP", c == NOT_RECORDED, -totals.get(c, 0), c))
    rows = tuple((c, numbers[c], float(totals.get(c, Decimal(0)))) for c in currencies)
    gbp_total = sum(gbp_by["sector"].values(), Decimal(0))  # every entry with a GBP value is in one sector
    figures = [
        Figure(
            "Further funding by currency",
            ("Currency", "Entries", "Total amount"),
            rows,
            None,
            tuple(counted),
            "Amounts in different currencies are not added together; "
            f"{_amount(gbp_total)} GBP in all where the amount is in GBP or its GBP value is recorded.",
        )
    ]
    for key, label in (("sector", "funder sector"), ("country", "funder country")):
        sums = gbp_by[key]
        if not sums:
            continue
        items = sorted(((c, float(v)) for c, v in sums.items() if c != NOT_RECORDED), key=lambda p: (-p[1], p[0]))
        if sums.get(NOT_RECORDED):
            items.append((NOT_RECORDED, float(sums[NOT_RECORDED])))
        entries_per = Counter(c.category for c in gbp_counted[key])
        title = f"Further funding in GBP by {label}"
        note = (
            f"{plural(len(without_gbp), 'entry', 'entries')} in other currencies without a GBP value are not included."
            if without_gbp
            else ""
        )
        figures.append(
            Figure(
                title,
                (label.capitalize(), "Entries", "GBP"),
                tuple((c, entries_per[c], v) for c, v in items),
                _chart(
                    title, [(c, v / 1e6) for c, v in items], label.capitalize(), counted="GBP (millions)", decimals=1
                ),
                tuple(gbp_counted[key]),
                note,
            )
        )
    return figures


def _nations(group: _Group, nations: Mapping[str, str]) -> list[Figure]:
    """UK collaborations by the partner's UK nation, and between nations (the award's lead
    organisation's nation to the partner's), both from the Organisations sheet's UK Nation."""
    entries = [e for e in group.entries if e.section.key == "collaborations" and e.values.get("country") == UK]
    if not entries:
        return []
    counts: Counter = Counter()
    pairs: Counter = Counter()
    counted, between = [], []
    for entry in entries:
        nation = _nation([str(entry.values.get("organisation") or ""), *(o.name for o in entry.partners)], nations)
        counts[nation] += 1
        counted.append(_counted(entry, nation, group.awards))
        leads = {_nation([str(a.values.get("lead_research_organisation") or "")], nations) for a in entry.awards}
        for lead in sorted(leads - {NOT_RECORDED}):
            if nation != NOT_RECORDED:
                pair = f"{lead} – {nation}" if lead != nation else f"Within {lead}"
                pairs[pair] += 1
                between.append(_counted(entry, pair, group.awards))
    items = _ranked(counts, NATIONS)
    note = (
        "The nation is the partner organisation's UK Nation on the Organisations sheet; "
        f"{plural(counts[NOT_RECORDED], 'collaboration')} with a partner whose nation is not recorded."
        if counts.get(NOT_RECORDED)
        else ""
    )
    figures = [
        Figure(
            "UK collaborations by nation",
            ("UK nation", "Collaborations"),
            tuple(items),
            _chart("UK collaborations by nation", items, "UK nation", horizontal=False),
            tuple(counted),
            note,
        )
    ]
    if pairs:
        ranked = _ranked(pairs)
        figures.append(
            Figure(
                "UK collaborations between nations",
                ("Lead organisation's nation – partner's nation", "Collaborations"),
                tuple(ranked),
                _chart("UK collaborations between nations", ranked, "Nations"),
                tuple(between),
                "Counted where both the award's lead organisation and the partner have a UK Nation "
                "on the Organisations sheet.",
            )
        )
    return figures


def _nation(names: Iterable[str], nations: Mapping[str, str]) -> str:
    for name in names:
        nation = nations.get(name.casefold().strip())
        if nation:
            return nation
    return NOT_RECORDED


def _partners(group: _Group) -> Figure | None:
    entries = [e for e in group.entries if e.section.key == "collaborations"]
    if not entries:
        return None
    counts: Counter = Counter()
    counted = []
    for entry in entries:
        name = " ".join(str(entry.values.get("organisation") or "").split()) or NOT_RECORDED
        counts[name] += 1
        counted.append(_counted(entry, name, group.awards))
    items = _ranked(counts)
    title = "Top partner organisations"
    chart = _chart(title, [(c, n) for c, n in items if c != NOT_RECORDED], "Partner organisation", other=False)
    return Figure(
        title,
        ("Partner organisation", "Collaborations"),
        tuple(items),
        chart,
        tuple(counted),
        "Organisations as named in the collaborations.",
    )


def _top_awards(group: _Group) -> Figure | None:
    rows = sorted(((a.reference or a.title, n) for a, n in group.per_award if n), key=lambda p: (-p[1], p[0]))
    if not rows:
        return None
    titles = {a.reference or a.title: a.title for a, _ in group.per_award}
    counted = [_counted(e, group.awards.get(id(e), ""), group.awards) for e in group.entries]
    chart = _chart("Awards with the most outcomes", rows, "Award", other=False)
    return Figure(
        "Awards with the most outcomes",
        ("Award", "Title", "Entries"),
        tuple((ref, titles.get(ref, ""), n) for ref, n in rows),
        chart,
        tuple(counted),
        "An entry reported against several awards counts for each.",
    )


#: The figures of a group, in the report's order: (key, how to make it).
def _figures(group: _Group, schema: Schema, nations: Mapping[str, str]) -> list[Figure]:
    made: list[Figure | None] = [
        _sections(group, schema),
        _years(group, "Entries by year"),
        *_funding(group, schema),
        _by_field(group, schema, "collaborations", "sector", "Collaborations by partner sector", "Partner sector"),
        _by_field(
            group, schema, "collaborations", "country", "Collaborations by partner country", "Country", order=False
        ),
        *_nations(group, nations),
        _partners(group),
        _by_field(
            group,
            schema,
            "collaborations",
            "impact_categories",
            "Collaborations by impact category",
            "Impact category",
            many=True,
        ),
        _by_field(
            group,
            schema,
            "engagement_activities",
            "form",
            "Engagement activities by form",
            "Form of engagement",
            order=False,
        ),
        _by_field(
            group,
            schema,
            "engagement_activities",
            "geographic_reach",
            "Engagement activities by geographic reach",
            "Geographic reach",
            horizontal=False,
        ),
        _by_field(
            group,
            schema,
            "engagement_activities",
            "primary_audience",
            "Engagement activities by primary audience",
            "Primary audience",
            order=False,
        ),
        _by_field(
            group,
            schema,
            "engagement_activities",
            "other_audiences",
            "Engagement activities by other audiences",
            "Other audience",
            many=True,
            order=False,
        ),
        _by_field(
            group,
            schema,
            "policy_influence",
            "policy_influence_type",
            "Influence on policy by type",
            "Type of influence",
            order=False,
        ),
        _years(group, "Publications by year", "publications"),
        _by_field(group, schema, "publications", "type", "Publications by type", "Type of publication", order=False),
        _by_field(
            group,
            schema,
            "awards_recognition",
            "type",
            "Awards and recognition by type",
            "Type of recognition",
            order=False,
        ),
        _top_awards(group),
    ]
    return [figure for figure in made if figure is not None]


def group_names(award: Award, groups: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The groups an award belongs to: from `groups` (award reference -> names) when given,
    else its Group value (several separated by ';')."""
    if groups is not None:
        return list(groups.get(award.reference, ()))
    value = str(award.values.get("group") or "")
    return [name.strip() for name in value.split(";") if name.strip()]


def portfolio_report(
    schema: Schema,
    chosen: Iterable[tuple[Award, Sequence[Entry]]],
    title: str,
    subtitle: str = "",
    details: Sequence[tuple[str, str]] = (),
    groups: Mapping[str, Sequence[str]] | None = None,
    nations: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
    generated: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> PortfolioReport:
    """The report of `chosen` (each award with the entries the selection kept for it).

    Groups: "All awards", then each group named (in order of first appearance); `nations`
    maps partner organisation names (casefolded) to their UK nation."""
    pairs = list(chosen)
    members: dict[str, list[tuple[Award, Sequence[Entry]]]] = {ALL_AWARDS: pairs}
    for award, kept in pairs:
        for name in group_names(award, groups):
            members.setdefault(name, []).append((award, kept))
    views = []
    for number, (name, awards) in enumerate(members.items(), start=1):
        unique: dict[int, Entry] = {}
        refs: dict[int, list[str]] = defaultdict(list)
        for award, kept in awards:
            for entry in kept:
                unique.setdefault(id(entry), entry)
                refs[id(entry)].append(award.reference or award.title)
        group = _Group(
            name,
            list(unique.values()),
            {k: "; ".join(v) for k, v in refs.items()},
            len(awards),
            [(award, len(kept)) for award, kept in awards],
        )
        figures = _figures(group, schema, nations or {})
        summary = (
            f"{plural(len(awards), 'award')}, {plural(len(unique), 'entry', 'entries')} "
            f"in {plural(len({e.section.key for e in unique.values()}), 'section')}"
        )
        views.append(GroupView(name, len(awards), len(unique), summary, tuple(figures)))
        if progress:
            progress(number, len(members))
    return PortfolioReport(title, subtitle, tuple(details), tuple(views), tuple(notes), generated)


def uk_nations(organisations: Iterable[Organisation]) -> dict[str, str]:
    """Partner organisation names (and aliases, casefolded) -> the UK nation the Organisations
    sheet gives them."""
    nations: dict[str, str] = {}
    for organisation in organisations:
        nation = organisation.values.get("uk_nation")
        if nation:
            for name in [organisation.name, *organisation.aliases]:
                nations[name.casefold().strip()] = nation
    return nations


def portfolio_heading(
    awards: Sequence[Award], entries: int, period: str, public: bool, since: str
) -> tuple[str, list[tuple[str, str]]]:
    """The report's subtitle and cover details: the funders, the awards, the entries read and
    which of them are counted (dated in the period, not Internal, new or changed since)."""
    kept = " and ".join(
        filter(
            None,
            [
                f"dated in {period}" if period else "",
                "not Internal" if public else "",
                f"new or changed since {since}" if since else "",
            ],
        )
    )
    details = [
        ("Awards", f"{len(awards):,}"),
        ("Entries", f"{entries:,} read" + (f"; those {kept} counted" if kept else "")),
    ]
    funders = sorted({str(a.values.get("funder")) for a in awards if a.values.get("funder")})
    if funders:
        details.insert(0, ("Funder", ", ".join(funders[:5]) + ("…" if len(funders) > 5 else "")))
    subtitle = " · ".join(
        filter(
            None, [period or "All years", "public version" if public else "", f"changes since {since}" if since else ""]
        )
    )
    return subtitle, details


def unknown_groups(grouping: Mapping[str, Sequence[str]], awards: Sequence[Award]) -> list[str]:
    """A note naming the award references of a groups file that no workbook holds."""
    unknown = sorted(set(grouping) - {a.reference for a in awards})
    if not unknown:
        return []
    return [
        f"{plural(len(unknown), 'award reference')} in the groups file "
        f"{'is' if len(unknown) == 1 else 'are'} not in the workbooks: {', '.join(unknown[:5])}"
        f"{'…' if len(unknown) > 5 else ''}."
    ]
