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

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from .figures import ALL_AWARDS, MAX_BARS, Counted, Figure, GroupView, PortfolioReport, _Group
from .model import Award, Entry, Organisation
from .periods import entry_years
from .portfolio_figures import _figures, answers_figure
from .schema import Schema
from .text import plural

__all__ = ["ALL_AWARDS", "MAX_BARS", "Counted", "Figure", "GroupView", "PortfolioReport", "portfolio_report"]


#: The Entries counted sheet: these columns, then one per figure (its category for the entry).
PORTFOLIO_ENTRY_HEADERS = ("Group", "Workbook", "Sheet", "Row", "Entry ID", "Award", "Title")
#: Several categories of one entry in one figure (a collaboration's impact categories).
CATEGORY_JOINER = "; "


def entries_counted(view: PortfolioReport) -> tuple[list[str], list[list[Any]]]:
    """Every entry each group counts, once per group: where it is, then for each figure the
    category it is counted under (and, for a sum, the amount it adds). Filtering a figure's
    column on a category gives the entries behind that bar."""
    columns: list[str] = []
    for group in view.groups:
        for figure in group.figures:
            for name in (
                figure.title,
                *([f"{figure.title}: amount"] if any(c.amount is not None for c in figure.counted) else []),
            ):
                if name not in columns:
                    columns.append(name)
    index = {name: n for n, name in enumerate(columns)}
    rows: list[list[Any]] = []
    for group in view.groups:
        entries: dict[tuple[str, str, int, str], list[Any]] = {}
        for figure in group.figures:
            for counted in figure.counted:
                key = (counted.file, counted.sheet, counted.row, counted.entry_id)
                row = entries.get(key)
                if row is None:
                    row = entries[key] = [
                        group.name,
                        counted.file,
                        counted.sheet,
                        counted.row,
                        counted.entry_id,
                        counted.award,
                        counted.title,
                    ] + [None] * len(columns)
                cell = len(PORTFOLIO_ENTRY_HEADERS) + index[figure.title]
                row[cell] = counted.category if row[cell] is None else f"{row[cell]}{CATEGORY_JOINER}{counted.category}"
                if counted.amount is not None:
                    row[len(PORTFOLIO_ENTRY_HEADERS) + index[f"{figure.title}: amount"]] = counted.amount
        rows.extend(sorted(entries.values(), key=lambda r: (r[1], r[2], r[3])))
    return [*PORTFOLIO_ENTRY_HEADERS, *columns], rows


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
        # Answers to a funder's questions are the awards', not outcomes: a figure of their own.
        outcomes = [e for e in unique.values() if not e.section.questions]
        answers = [e for e in unique.values() if e.section.questions]
        group = _Group(
            name,
            outcomes,
            {k: "; ".join(v) for k, v in refs.items()},
            len(awards),
            [(award, sum(1 for e in kept if not e.section.questions)) for award, kept in awards],
        )
        figures = [*_figures(group, schema, nations or {}), *filter(None, [answers_figure(group, answers, schema)])]
        summary = (
            f"{plural(len(awards), 'award')}, {plural(len(outcomes), 'entry', 'entries')} "
            f"in {plural(len({e.section.key for e in outcomes}), 'section')}"
        )
        views.append(
            GroupView(name, len(awards), len(outcomes), summary, tuple(figures), f"{summary[:1].upper()}{summary[1:]}.")
        )
        if progress:
            progress(number, len(members))
    report = PortfolioReport(title, subtitle, tuple(details), tuple(views), tuple(notes), generated)
    headers, rows = entries_counted(report)
    return replace(report, entries=(tuple(headers), tuple(tuple(row) for row in rows)))


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


def programme_of(awards: Sequence[Award], groups: Mapping[str, Sequence[str]] | None, named: str = "") -> str:
    """The programme a portfolio is of: as `named`, else the one group every award is in."""
    if named.strip():
        return " ".join(named.split())
    shared: set[str] | None = None
    for award in awards:
        names = set(group_names(award, groups))
        shared = names if shared is None else shared & names
    return sorted(shared)[0] if shared and len(shared) == 1 else ""


def years_spanned(chosen: Iterable[tuple[Award, Sequence[Entry]]]) -> str:
    """The years the counted entries are dated in, as a cover says them: "2014-2022"."""
    years = {y for _, kept in chosen for e in kept for y in entry_years(e)}
    if not years:
        return ""
    return str(min(years)) if min(years) == max(years) else f"{min(years)}\u2013{max(years)}"


def portfolio_heading(
    awards: Sequence[Award], entries: int, period: str, public: bool, since: str, programme: str = "", spanned: str = ""
) -> tuple[str, list[tuple[str, str]]]:
    """The report's subtitle and cover details: the programme, the funders, the period (as
    asked, else the years its entries span), the awards, the entries read and which of them
    are counted (dated in the period, not Internal, new or changed since)."""
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
    heading = [("Programme", programme)] if programme else []
    if funders:
        heading.append(("Funder", ", ".join(funders[:5]) + ("…" if len(funders) > 5 else "")))
    heading.append(("Period", period or (f"{spanned} (every entry)" if spanned else "every entry")))
    details[:0] = heading
    shown = period or (f"Outcomes dated {spanned}" if spanned else "All years")
    subtitle = " · ".join(
        filter(None, [shown, "public version" if public else "", f"changes since {since}" if since else ""])
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
