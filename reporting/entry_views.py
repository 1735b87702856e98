"""The view of one entry: its heading, marks and labelled fields as a reader sees them, and a
publication as one citation. No I/O, no third-party imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import fieldtypes
from .model import Entry
from .schema import FieldSpec, Schema
from .sheets import NOT_RECORDED
from .text import one_line
from .views import Citation, EntryView, FieldView

HEADING_LIMIT = 400


LONG_LINK = 60


def field_view(spec: FieldSpec, values: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> FieldView | None:
    text = fieldtypes.show(spec, values, raw)
    if not text:
        return None
    links = spec.kind.links(text) if spec.key in values else ()
    whole = len(links) == 1 and links[0].endswith(text)  # the value is the link (a URL, a DOI)
    check = fieldtypes.draft_check(spec, text, typed=spec.key in values)
    # An address too long for the rest of the line goes under its label, so the label is not
    # left alone on its line and the address breaks less.
    long = spec.is_long or "\n" in text or (whole and len(text) > LONG_LINK)
    return FieldView(
        spec.label, text, long=long, url=links[0] if whole else None, links=() if whole else links, check=check
    )


#: What a citation is made of (the fields it shows, so they are not repeated after it).
CITATION_FIELDS = ("author", "year", "title", "journal", "volume", "issue", "pages", "doi", "pubmed_id")


def _sentence(text: str) -> str:
    """Text ending as a sentence: a full stop added unless it ends with . ? or !"""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def citation(entry: Entry) -> Citation | None:
    """A publication as a reference: Author (Year). Title. *Journal*, Volume(Issue), Pages.
    then its DOI and PubMed ID, each linked."""
    get = entry.values.get
    if not get("title"):
        return None
    # An imported work whose source lists no authors (an ORCID summary) is not anonymous.
    authors = get("author") or ("[Authors not recorded]" if entry.accepted else "Anon.")
    lead = f"{authors} ({get('year') or 'n.d.'}). {_sentence(str(get('title')))}"
    journal = str(get("journal") or "")
    tail = ""
    if get("volume"):
        tail += f", {get('volume')}" if journal else str(get("volume"))
    if get("issue"):
        tail += f"({get('issue')})"
    if get("pages"):
        tail += f", {get('pages')}" if journal or tail else str(get("pages"))
    if journal or tail:
        tail += "."
    links: list[tuple[str, str]] = []
    if get("doi"):
        url = f"https://doi.org/{get('doi')}"
        links.append((url, url))
    pmid = str(get("pubmed_id") or "").strip()
    if pmid.isdigit():
        links.append((f"PMID: {pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    checks = (
        fieldtypes.draft_check(entry.section.field(key), str(get(key)))
        for key in ("author", "title", "journal")
        if get(key)
    )
    return Citation(lead, journal, tail, tuple(links), next((c for c in checks if c), ""))


#: Columns of the source kept for the record but not for a reader: GtR's own links and ids,
#: researchfish's internal ids ("Outcome Base ID", "pubid", "Row ID").
_BOOKKEEPING = re.compile(r"^gtr\b|\bids?$|^pubid$", re.I)


def _bookkeeping(label: str) -> bool:
    return bool(_BOOKKEEPING.search(label.strip()))


def entry_view(schema: Schema, entry: Entry, marks: tuple[str, ...] = ()) -> EntryView:
    """The heading and labelled fields of one entry, leaving out empty optional fields; a field
    the funder did not ask for when it accepted the entry reads "not recorded".

    The heading is the title in full, shown once (not again as a field). A title that is a long
    text (a key finding, a narrative: several paragraphs or more than HEADING_LIMIT characters)
    gets no heading made from its first words: it is shown as the text it is. A publication is
    one citation paragraph, followed only by what the citation does not already say.
    """
    section = entry.section
    heading_spec = section.heading_field
    full = fieldtypes.as_text(entry.value_or_raw(heading_spec.key) or "").strip()
    titled = bool(full) and "\n" not in full and len(full) <= HEADING_LIMIT
    heading = one_line(full) if titled else (None if full else f"(no {heading_spec.label})")
    currency_keys = {f.currency for f in section.fields if f.currency}
    reference = citation(entry) if section.citation else None
    # A reference says the citation's fields; its bookkeeping (export-only fields: In EPMC?,
    # Metadata Source, ISSN (Linking)..., and the month) stays in the Excel return.
    shown_elsewhere = set(CITATION_FIELDS) if reference else set()
    if reference:
        shown_elsewhere |= {f.key for f in section.fields if f.export_only} | {"month"}
    if reference:
        heading = None
        doi = str(entry.values.get("doi") or "").casefold()
        if doi and doi in str(entry.values.get("url") or "").casefold():
            shown_elsewhere.add("url")  # its address is its DOI's, linked in the citation
    fields: list[FieldView] = []
    accepted = entry.accepted
    for spec in section.fields:
        if spec.key in currency_keys or spec.key in shown_elsewhere or (spec.key == heading_spec.key and titled):
            continue
        view = field_view(spec, entry.values, entry.raw)
        if view and spec.key == heading_spec.key:
            fields.insert(0, view)  # an untitled entry starts with the text it is
        elif view:
            fields.append(view)
        elif accepted and (spec.required or spec.recommended):
            fields.append(FieldView(spec.label, NOT_RECORDED, missing=True))
    for spec in schema.common_fields:
        if spec.in_return:
            view = field_view(spec, entry.values, entry.raw)
            if view:
                fields.append(view)
    for header, value in entry.extra.items():
        text = fieldtypes.as_text(value).strip()
        label = header.split(": ", 1)[1] if header.startswith("researchfish: ") else header
        # Identifiers, and a citation's bookkeeping ("In EPMC?: No", "Metadata Source"), stay in
        # the Excel files: a reference reads as a reference.
        if text and not _bookkeeping(label) and reference is None:
            fields.append(FieldView(label, text, long="\n" in text or len(text) > 120))
    if heading and titled:  # what a draft marks in a value, it marks in a title too
        check = fieldtypes.draft_check(heading_spec, full)
        if check:
            marks = (*marks, f"Check: {check}")
    return EntryView(heading, tuple(fields), marks, reference)


def _same_outcome(entry: Entry) -> tuple[str, ...] | None:
    """What an outcome reported once per partner repeats in each of its entries (its title,
    its texts and its dates); None for an entry without a title."""
    section = entry.section
    heading = fieldtypes.as_text(entry.value_or_raw(section.heading) or "").strip().casefold()
    if not heading:
        return None
    shared = [f for f in section.fields if f.is_long or f.key in section.period]
    return (heading, *(" ".join(fieldtypes.show(f, entry.values, entry.raw).split()) for f in shared))


def _partner_line(view: EntryView, shared: list[FieldView], partner: str) -> str:
    """One partner of an outcome shown once: its name, then what this entry says that the
    others do not ("Department: Data Science; Sector: Charity/Non Profit")."""
    own = [f for f in view.fields if f not in shared]
    name = next((f.text for f in own if f.label == partner), NOT_RECORDED)
    rest = "; ".join(f"{f.label}: {' '.join(f.text.split())}" for f in own if f.label != partner)
    return f"{name} ({rest})" if rest else name


def _per_partner(views: list[EntryView], partner: str) -> EntryView:
    """The views of one outcome reported once per partner, as one view: what they all say,
    once, and a list of the partners with what each says of its own."""
    first = views[0]
    shared = [f for f in first.fields if f.label != partner and all(f in v.fields for v in views[1:])]
    lines = "\n\n".join(_partner_line(v, shared, partner) for v in views)  # a paragraph each
    plural = partner if partner.endswith("s") else f"{partner}s"
    listing = FieldView(f"{plural} ({len(views)})", lines, long=True)
    at = next((n for n, f in enumerate(first.fields) if f not in shared), len(shared))
    fields = (*shared[:at], listing, *shared[at:])
    marks = tuple(dict.fromkeys(m for v in views for m in v.marks))
    return EntryView(first.heading, fields, marks, first.citation, reports=len(views))


def section_entries(
    schema: Schema, entries: list[Entry], marks: Mapping[int, tuple[str, ...]]
) -> tuple[EntryView, ...]:
    """The views of a section's entries, in their order. An outcome reported once per partner
    (a collaboration entered for each partner organisation: the same title, texts and dates,
    a partner each) is shown once, where its first entry stands, listing its partners."""
    partner = next((f.label for f in entries[0].section.fields if f.partner), None) if entries else None
    groups: dict[object, list[Entry]] = {}
    for number, entry in enumerate(entries):
        key = _same_outcome(entry) if partner else None
        groups.setdefault(key if key is not None else number, []).append(entry)
    views = []
    for group in groups.values():
        each = [entry_view(schema, e, marks.get(id(e), ())) for e in group]
        views.append(_per_partner(each, partner) if partner and len(each) > 1 else each[0])
    return tuple(views)
