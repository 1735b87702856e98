"""The portfolio report's figures beyond plain counts: further funding per currency and in GBP
(by funder sector and country), UK nations and countries of partners, the partners and the
awards with the most outcomes; and the list of figures each group of awards gets.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from . import fieldtypes
from .figures import (
    NATIONS,
    NOT_RECORDED,
    UK,
    Counted,
    Figure,
    _by_field,
    _chart,
    _counted,
    _Group,
    _ranked,
    _sections,
    _shown,
    _years,
)
from .model import Entry
from .schema import Schema
from .text import plural


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
    """A total in whole pounds (pence do not matter in a programme's total): £1,680,244,859."""
    return fieldtypes.format_money(value.quantize(Decimal(1), ROUND_HALF_UP), "GBP")


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
            f"{_amount(gbp_total)} in all where the amount is in GBP or its GBP value is recorded.",
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


def answers_figure(group: _Group, answers: list[Entry], schema: Schema) -> Figure | None:
    """The awards' answers to a funder's questions (not outcomes): per question, how many awards
    answered and, for a yes/no question, how many answered Yes."""
    if not answers:
        return None
    rows: list[tuple[str | int | float, ...]] = []
    counted = []
    for section in (s for s in schema.sections if s.questions):
        mine = [e for e in answers if e.section is section]
        if not mine:
            continue
        answered = {group.awards.get(id(e), "") for e in mine}
        if section.answer is not None:
            key = section.answer
            yes = {group.awards.get(id(e), "") for e in mine if e.values.get(key) is True}
            label = section.field(key).label
            rows.append((f"{section.title} ({label})", f"Yes: {len(yes)} of {plural(len(answered), 'award')}"))
            counted += [_counted(e, "Yes" if e.values.get(key) is True else "No", group.awards) for e in mine]
        else:
            sets = sorted({str(e.values.get(section.heading) or section.title) for e in mine})
            rows.append((section.title, f"{plural(len(answered), 'award')} answering ({', '.join(sets)})"))
            counted += [_counted(e, str(e.values.get(section.heading) or ""), group.awards) for e in mine]
    return Figure(
        "Answers to the funder's questions",
        ("Question", "Awards"),
        tuple(rows),
        None,
        tuple(counted),
        "The awards' answers to their funder's questions; they are not outcomes and count in no other figure.",
    )
