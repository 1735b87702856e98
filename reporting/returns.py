"""What a return shows: entries grouped by section, headed and labelled, with yearly counts.

Both renderers read this view; neither decides what to show. No third-party imports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import fieldtypes
from .model import Award, Entry, Organisation
from .periods import entry_years
from .schema import FieldSpec, Schema, Section
from .text import one_line, plural, shorten

HEADING_LIMIT = 200
#: What a return shows for a field the funder did not ask for when it accepted the entry.
NOT_RECORDED = "not recorded"


@dataclass
class FieldView:
    """One labelled value. `url` makes the value a link; with `link_text` the link is added
    after the text instead (e.g. a citation followed by its DOI)."""

    label: str
    text: str
    long: bool = False
    url: str | None = None
    link_text: str | None = None
    #: Web addresses inside `text` to link where they stand (several in one cell).
    links: tuple[str, ...] = ()
    #: True when the value was not recorded (shown as "not recorded", set apart).
    missing: bool = False


@dataclass
class EntryView:
    heading: str
    fields: list[FieldView]


@dataclass
class SectionView:
    section: Section
    entries: list[Entry]
    per_year: Counter = field(default_factory=Counter)
    undated: int = 0

    @property
    def title(self) -> str:
        return self.section.title


@dataclass
class ChartView:
    """One bar chart: categories and counts, with a text alternative for screen readers."""

    title: str
    categories: list[str]
    values: list[int]
    horizontal: bool = True

    @property
    def alt(self) -> str:
        pairs = ", ".join(f"{c}: {v}" for c, v in zip(self.categories, self.values))
        return f"Bar chart, {self.title.lower()}. {pairs}."


@dataclass
class ReturnView:
    """Everything a return (or a partner profile) shows, ready for either renderer.

    `notes` are cover lines (the reporting period, internal entries included, ...); `marks`
    labels entries by id (e.g. "New", "Changed", "Internal"); `changes` is the "Changes since
    last submission" list, when asked for.
    """

    title: str
    details: list[FieldView]
    texts: list[FieldView]
    sections: list[SectionView]
    years: list[int]
    kind: str = "return"
    reference: str = ""
    notes: list[str] = field(default_factory=list)
    marks: dict[int, list[str]] = field(default_factory=dict)
    changes: Any = None
    #: Texts rendered from templates/texts.toml (see pipeline): cover lines, running header,
    #: and one intro line per section key.
    cover_subtitle: str = ""
    generated: str = ""
    header: str = ""
    intros: dict[str, str] = field(default_factory=dict)
    charts: list[ChartView] = field(default_factory=list)

    @property
    def subtitle(self) -> str:
        what = "Partner impact profile" if self.kind == "profile" else "Research outcomes"
        return (f"{what}: {plural(self.entry_count, 'entry', 'entries')} in "
                f"{plural(len(self.sections), 'section')}")

    @property
    def entry_count(self) -> int:
        return sum(len(s.entries) for s in self.sections)

    def summary_rows(self) -> list[tuple[str, int, dict[int, int], int]]:
        return [(s.title, len(s.entries), dict(s.per_year), s.undated) for s in self.sections]


def _field_view(spec: FieldSpec, values: dict[str, Any], raw: dict[str, Any] | None = None) -> FieldView | None:
    text = fieldtypes.show(spec, values, raw)
    if not text:
        return None
    links = spec.kind.links(text) if spec.key in values else ()
    whole = len(links) == 1 and links[0].endswith(text)  # the value is the link (a URL, a DOI)
    return FieldView(spec.label, text, long=spec.is_long or "\n" in text, url=links[0] if whole else None,
                     links=() if whole else links)


def citation(entry: Entry) -> FieldView | None:
    """A publication as a reference: Author (Year). Title. Journal, Volume(Issue), Pages. DOI"""
    get = entry.values.get
    if not get("title"):
        return None
    text = f"{get('author') or 'Anon.'} ({get('year') or 'n.d.'}). {get('title').rstrip('.')}."
    source = get("journal") or ""
    if get("volume"):
        source += f", {get('volume')}" if source else str(get("volume"))
    if get("issue"):
        source += f"({get('issue')})"
    if get("pages"):
        source += f", {get('pages')}" if source else str(get("pages"))
    if source:
        text += f" {source}."
    doi = get("doi")
    url = f"https://doi.org/{doi}" if doi else None
    return FieldView("Citation", text, url=url, link_text=url)


def entry_view(schema: Schema, entry: Entry) -> EntryView:
    """The heading and labelled fields of one entry, leaving out empty optional fields."""
    section = entry.section
    heading_spec = section.heading_field
    full = fieldtypes.as_text(entry.value_or_raw(heading_spec.key) or "")
    heading = shorten(full, HEADING_LIMIT) if full else f"(no {heading_spec.label})"
    heading_complete = heading == one_line(full) and "\n" not in full.strip()
    currency_keys = {f.currency for f in section.fields if f.currency}
    fields: list[FieldView] = []
    if section.key == "publications":
        reference = citation(entry)
        if reference:
            fields.append(reference)
    accepted = entry.accepted
    for spec in section.fields:
        if spec.key in currency_keys or (spec.key == heading_spec.key and heading_complete):
            continue
        view = _field_view(spec, entry.values, entry.raw)
        if view:
            fields.append(view)
        elif accepted and (spec.required or spec.recommended):
            fields.append(FieldView(spec.label, NOT_RECORDED, missing=True))
    for spec in schema.common_fields:
        if not spec.in_return:
            continue
        view = _field_view(spec, entry.values, entry.raw)
        if view:
            fields.append(view)
    for header, value in entry.extra.items():
        text = fieldtypes.as_text(value).strip()
        if text and not header.startswith("GtR "):  # GtR identifiers stay in the Excel files
            fields.append(FieldView(header, text, long="\n" in text or len(text) > 120))
    return EntryView(heading, fields)


def make_view(schema: Schema, entries: list[Entry], title: str, details: list[FieldView] | None = None,
              texts: list[FieldView] | None = None, **options: Any) -> ReturnView:
    """Group `entries` by section in schema order and count them per year."""
    by_section: dict[str, list[Entry]] = {}
    for entry in entries:
        by_section.setdefault(entry.section.key, []).append(entry)
    sections: list[SectionView] = []
    all_years: set[int] = set()
    for section in schema.sections:
        members = by_section.get(section.key)
        if not members:
            continue
        view = SectionView(section, members)
        for entry in members:
            years = entry_years(entry)
            if years:
                view.per_year.update(years)
                all_years.update(years)
            else:
                view.undated += 1
        sections.append(view)
    years = list(range(min(all_years), max(all_years) + 1)) if all_years else []
    view = ReturnView(title, details or [], texts or [], sections, years, **options)
    view.charts = make_charts(schema, view, by_section)
    return view


def _counts(entries: list[Entry], key: str, order: tuple[str, ...]) -> tuple[list[str], list[int]]:
    counted = Counter(entry.values.get(key) for entry in entries if entry.values.get(key))
    names = [v for v in order if counted.get(v)] + sorted(v for v in counted if v not in order)
    return names, [counted[n] for n in names]


def make_charts(schema: Schema, view: ReturnView, by_section: dict[str, list[Entry]]) -> list[ChartView]:
    """The charts of a return: entries per section; engagement by year, by primary audience
    and by geographic reach (policy influence's reach when there is no engagement)."""
    charts: list[ChartView] = []
    if view.sections:
        charts.append(ChartView("Entries per section", [s.title for s in view.sections],
                                [len(s.entries) for s in view.sections]))
    engagement = by_section.get("engagement_activities", [])
    if engagement:
        section = schema.section("engagement_activities")
        per_year = Counter(y for e in engagement for y in entry_years(e))
        if per_year:
            years = list(range(min(per_year), max(per_year) + 1))
            charts.append(ChartView("Engagement activities by year", [str(y) for y in years],
                                    [per_year.get(y, 0) for y in years], horizontal=False))
        audience = section.field("primary_audience")
        names, values = _counts(engagement, "primary_audience", audience.vocabulary.values if audience.vocabulary else ())
        if names:
            charts.append(ChartView("Engagement activities by primary audience", names, values))
    reach_source = engagement or by_section.get("policy_influence", [])
    if reach_source:
        spec = reach_source[0].section.field("geographic_reach")
        names, values = _counts(reach_source, "geographic_reach", spec.vocabulary.values if spec.vocabulary else ())
        if names:
            what = "Engagement activities" if engagement else "Influence on policy"
            charts.append(ChartView(f"{what} by geographic reach", names, values, horizontal=False))
    return charts


def award_view(schema: Schema, award: Award, entries: list[Entry], **options: Any) -> ReturnView:
    """The view of one award's return: its header fields, then its entries."""
    details, texts = [], []
    for spec in schema.award_fields:
        if spec.key == "title" or not spec.in_return:
            continue
        shown = _field_view(spec, award.values)
        if shown:
            (texts if spec.is_long else details).append(shown)
    title = award.title or (f"Award {award.reference}" if award.reference else "Research outcomes")
    return make_view(schema, entries, title, details, texts, reference=award.reference, **options)


def profile_view(schema: Schema, organisation: Organisation, entries: list[Entry], **options: Any) -> ReturnView:
    """The view of a partner impact profile: the organisation, then every entry linked to it."""
    details = []
    for spec in schema.organisation_fields:
        if spec.key == "name":
            continue
        shown = _field_view(spec, organisation.values)
        if shown:
            details.append(shown)
    awards = []
    for entry in entries:
        for award in entry.awards:
            label = award.reference or award.title
            if label and label not in awards:
                awards.append(label)
    if awards:
        details.append(FieldView("Awards", "; ".join(awards)))
    return make_view(schema, entries, organisation.name, details, kind="profile", **options)
