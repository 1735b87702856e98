"""The frozen views the renderers read: a return's (or a partner profile's) ReturnView, with its
sections of EntryViews and FieldViews, charts, changes and tables of cells; the Head a return
is about; the portfolio summary's PortfolioView. Built by `returns`; no I/O, no third-party
imports, and nothing here knows an entry, a field type or the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .outputs import OutputKind
from .sheets import Table

#: Bars in any chart; the smallest categories beyond are one "Other (N)" bar (the tables list
#: every one).
MAX_BARS = 10
OTHER = "Other"

__all__ = [
    "ChangesView",
    "ChartView",
    "Citation",
    "CountTable",
    "EntryView",
    "FieldView",
    "Head",
    "PortfolioView",
    "ReturnView",
    "SectionView",
]


@dataclass(frozen=True)
class FieldView:
    """One labelled value. `url` makes the value a link; with `link_text` the link is added
    after the text instead (e.g. a citation followed by its DOI); `links` are web addresses
    inside the text, each linked where it stands."""

    label: str
    text: str
    long: bool = False
    url: str | None = None
    link_text: str | None = None
    links: tuple[str, ...] = ()
    #: True when the value was not recorded (shown as "not recorded", set apart).
    missing: bool = False
    #: What a person must check before the return is sent ("placeholder text", "link cut
    #: short"): the draft marks the value with it.
    check: str = ""


@dataclass(frozen=True)
class Citation:
    """A publication as a reference: `lead` (authors, year, title), the `journal` (set in
    italics), `tail` (volume(issue), pages), then its identifiers as (text, address) links (the
    DOI, the PubMed ID)."""

    lead: str
    journal: str = ""
    tail: str = ""
    links: tuple[tuple[str, str], ...] = ()
    #: What a person must check before it is sent (as FieldView.check): characters lost upstream.
    check: str = ""

    @property
    def text(self) -> str:
        """The reference as plain text, its links' texts included."""
        words = " ".join(t for t in (self.lead, self.journal + self.tail, *(t for t, _ in self.links)) if t)
        return words


@dataclass(frozen=True)
class EntryView:
    """One entry as Word shows it: a heading (its title, in full; none where the title is a
    long text, such as a key finding, which is shown as it is instead), its fields, and for a
    publication a citation in one paragraph in place of both."""

    heading: str | None
    fields: tuple[FieldView, ...]
    marks: tuple[str, ...] = ()
    citation: Citation | None = None
    #: How many entries it stands for: more than one for the same outcome reported once per
    #: partner, shown once listing its partners.
    reports: int = 1


@dataclass(frozen=True)
class SectionView:
    """One section of a return: its entries (Word), its table (Excel) and its yearly counts."""

    key: str
    title: str
    intro: str
    entries: tuple[EntryView, ...]
    table: Table
    per_year: Mapping[int, int] = field(default_factory=dict)
    undated: int = 0
    #: The award's answers to a funder's questions, not outcomes (counted in no figure).
    answers: bool = False

    @property
    def count(self) -> int:
        """The entries it holds (an entry shown once for several partners counts for each)."""
        return sum(e.reports for e in self.entries)


@dataclass(frozen=True)
class ChartView:
    """One bar chart: categories and counts, with a text alternative for screen readers."""

    title: str
    categories: tuple[str, ...]
    values: tuple[float, ...]
    horizontal: bool = True
    #: The titles of the category axis (what the bars are) and of the value axis.
    axis: str = ""
    counted: str = "Entries"
    #: Decimal places of the values (amounts in millions have one).
    decimals: int = 0

    @property
    def alt(self) -> str:
        pairs = ", ".join(f"{c}: {v:,.{self.decimals}f}" for c, v in zip(self.categories, self.values))
        return f"Bar chart, {self.title.lower()}. {pairs}."


@dataclass(frozen=True)
class ChangesView:
    """The "Changes since last submission" list: groups (Added, Changed, Removed) of lines."""

    summary: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Head:
    """What a return is about: its title, the details and texts of its cover, and the names
    its wording may use ({{ award.title }}, {{ organisation.name }})."""

    title: str
    kind: OutputKind
    reference: str = ""
    details: tuple[FieldView, ...] = ()
    texts: tuple[FieldView, ...] = ()
    names: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class CountTable:
    """A table of counts, finished: its headers, a row per section (its title and numbers), and
    the totals row's numbers (its label is "Total")."""

    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, tuple[int, ...]], ...] = ()
    totals: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReturnView:
    """Everything a return (or a partner profile) shows, ready for either renderer."""

    title: str
    kind: OutputKind
    reference: str
    details: tuple[FieldView, ...]
    texts: tuple[FieldView, ...]
    sections: tuple[SectionView, ...]
    years: tuple[int, ...]
    notes: tuple[str, ...] = ()
    changes: ChangesView | None = None
    cover_subtitle: str = ""
    generated: str = ""
    header: str = ""
    summary: str = ""
    summary_note: str = ""
    charts: tuple[ChartView, ...] = ()
    #: At a glance in Word: entries per section and year, years before the last
    #: MAX_YEAR_COLUMNS added up in one "To YEAR" column.
    glance: CountTable = field(default_factory=CountTable)
    #: At a glance in Excel: a column for every year.
    glance_by_year: CountTable = field(default_factory=CountTable)
    #: Who the document properties name as its author, and their organisation.
    author: str = "funder-report"
    company: str = ""

    @property
    def entry_count(self) -> int:
        """The outcomes it holds (answers to a funder's questions are not counted)."""
        return sum(s.count for s in self.sections if not s.answers)


# -- entries ---------------------------------------------------------------------------------

#: A link longer than this (characters) is set under its label rather than beside it.


@dataclass(frozen=True)
class PortfolioView:
    """Awards x sections: how many entries each award's return holds in each section used."""

    sections: tuple[str, ...]
    #: (award reference, award title, counts per section)
    rows: tuple[tuple[str, str, tuple[int, ...]], ...]
