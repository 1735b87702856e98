"""What a document is about, before its entries: an award's cover details and texts, a
partner's details and awards, and the portfolio summary's rows. No I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import fieldtypes
from .entry_views import field_view
from .model import Award, Entry, Organisation
from .outputs import OutputKind
from .schema import Schema
from .sheets import NOT_RECORDED
from .views import FieldView, Head, PortfolioView

#: Award details every cover gives, "not recorded" when the workbook does not have them.
COVER_FIELDS = (
    "award_reference",
    "funder",
    "lead_research_organisation",
    "department",
    "principal_investigator",
    "start",
    "end",
    "funded_value",
)


def award_head(schema: Schema, award: Award) -> Head:
    """What an award's return is about: its header fields, then its long texts."""
    details: list[FieldView] = []
    texts: list[FieldView] = []
    for spec in schema.award_fields:
        if spec.key == "title" or not spec.in_return:
            continue
        value = award.values.get(spec.key)
        # A funded value of nothing is one the source did not record (GtR and researchfish write 0).
        shown = None if isinstance(value, fieldtypes.Money) and not value.amount else field_view(spec, award.values)
        if shown:
            (texts if spec.is_long else details).append(shown)
        elif spec.key in COVER_FIELDS:  # the cover says what is missing rather than leaving it out
            details.append(FieldView(spec.label, NOT_RECORDED, missing=True))
    title = award.title or award.reference or "Research outcomes"
    names = {"award": {f.key: award.values.get(f.key) for f in schema.award_fields}}
    return Head(title, OutputKind.RETURN, award.reference, tuple(details), tuple(texts), names)


def profile_head(schema: Schema, organisation: Organisation, entries: list[Entry]) -> Head:
    """What a partner impact profile is about: the organisation, and the awards it worked on."""
    details = []
    for spec in schema.organisation_fields:
        if spec.key != "name":
            shown = field_view(spec, organisation.values)
            if shown:
                details.append(shown)
    awards: list[str] = []
    for entry in entries:
        for award in entry.awards:
            label = award.reference or award.title
            if label and label not in awards:
                awards.append(label)
    if awards:
        details.append(FieldView("Awards", "; ".join(awards)))
    names = {"organisation": {f.key: organisation.values.get(f.key) for f in schema.organisation_fields}}
    return Head(organisation.name, OutputKind.PROFILE, "", tuple(details), (), names)


def portfolio_view(schema: Schema, counts: list[tuple[Award, Mapping[str, int]]]) -> PortfolioView:
    """The portfolio summary of a build: one row per award (with its entries per section),
    one column per section used."""
    used = [s for s in schema.sections if any(c.get(s.key) for _, c in counts)]
    return PortfolioView(
        tuple(s.title for s in used),
        tuple((a.reference, a.title, tuple(c.get(s.key, 0) for s in used)) for a, c in counts),
    )
