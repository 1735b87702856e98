"""The schema's objects: fields, sections, charts and the whole schema, frozen once loaded.

Everything that differs between sections is here as data (loaded from schema.toml by
schema.py); code asks these objects, never a section's name. No I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .fieldtypes import REGISTRY, FieldType
from .vocabulary import Vocabulary, header_key, normalise

__all__ = ["Chart", "FieldSpec", "Schema", "Section"]


@dataclass(frozen=True)
class FieldSpec:
    """One column of a section sheet: its label, type, vocabulary and help."""

    key: str
    label: str
    type: str
    required: bool = False
    vocabulary: Vocabulary | None = None
    currency: str | None = None
    default: str | None = None
    gtr: bool = True
    aliases: tuple[str, ...] = ()
    help: str = ""
    recommended: bool = False
    xml: str | None = None
    api: str | None = None
    #: Alternative column groups whose values, joined, give this field on import: a name in
    #: "PI Name" and "PI Surname", a month and year in "Fund Start Month" and "Fund Start Year".
    parts: tuple[tuple[str, ...], ...] = ()
    #: A column researchfish exports carry: kept when imported, not offered in blank workbooks.
    export_only: bool = False
    #: The source's own record-keeping (researchfish's harvest flags and metadata source, other
    #: indexes' ids): kept in the Excel return, never shown as a change between submissions.
    bookkeeping: bool = False
    #: False for bookkeeping columns (award reference, visibility) that returns do not list.
    in_return: bool = True
    #: True when the field names the entry's partner organisation (a collaboration's partner).
    partner: bool = False

    @property
    def kind(self) -> FieldType:
        """The field's type: how its values are parsed, shown and written."""
        return REGISTRY[self.type]

    @property
    def is_long(self) -> bool:
        return self.kind.long


@dataclass(frozen=True)
class Section:
    """One researchfish outcome type (a sheet of the input workbook)."""

    key: str
    title: str
    sheet: str
    fields: tuple[FieldSpec, ...]
    heading: str
    period: tuple[str, ...] = ()
    gtr: bool = True
    gtr_signature: str | None = None
    help: str = ""
    aliases: tuple[str, ...] = ()
    xml: str | None = None
    api: tuple[str, ...] = ()
    #: Entries are shown as a reference (author, year, title, journal...), as publications are.
    citation: bool = False
    #: How a year after this one is taken: "error" (outcomes are things that happened) or
    #: "warn" (expected, as for a paper in press).
    future_years: str = "error"
    #: The award's answers to a funder's questions (Secondments?, Skills Shortage, Animal Use),
    #: not outcomes: shown as answers and counted in no outcome figure.
    questions: bool = False
    #: The yes/no field that says whether the award answered Yes (questions sections).
    answer: str | None = None

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def heading_field(self) -> FieldSpec:
        return self.field(self.heading)


@dataclass(frozen=True)
class Chart:
    """A chart of a return: a section's entries counted by a field's values, or per year."""

    title: str
    section: str
    field: str | None = None
    by_years: bool = False
    horizontal: bool = True
    #: Left out when the return has entries of this section.
    unless: str | None = None


@dataclass(frozen=True)
class Schema:
    """The whole schema: award fields, common columns, sections in GtR order, vocabularies."""

    award_sheet: str
    award_sheet_aliases: tuple[str, ...]
    award_fields: tuple[FieldSpec, ...]
    common_fields: tuple[FieldSpec, ...]
    sections: tuple[Section, ...]
    vocabularies: Mapping[str, Vocabulary]
    organisation_sheet: str = "Organisations"
    organisation_sheet_aliases: tuple[str, ...] = ()
    organisation_fields: tuple[FieldSpec, ...] = ()
    #: How other tools' files are read, by source (``researchfish``): lists of column names.
    imports: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    charts: tuple[Chart, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabularies", MappingProxyType(dict(self.vocabularies)))
        object.__setattr__(
            self, "imports", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.imports.items()})
        )

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def columns(self, section: Section) -> tuple[FieldSpec, ...]:
        """Every column of a section sheet: its own fields, then the common ones."""
        return section.fields + self.common_fields

    def header_map(self, specs: tuple[FieldSpec, ...]) -> dict[str, FieldSpec]:
        """Normalised header text (labels first, then aliases) -> field, for tolerant matching."""
        labels: dict[str, FieldSpec] = {}
        for spec in specs:
            labels.setdefault(header_key(spec.label), spec)
        for spec in specs:
            for alias in spec.aliases:
                labels.setdefault(header_key(alias), spec)
        return labels

    def section_for(self, name: str) -> Section | None:
        """The section a sheet name, title, alias or API name refers to, if any."""
        wanted = normalise(name)
        for section in self.sections:
            names = (section.sheet, section.title, *section.aliases, *section.api)
            if section.xml:
                names += (section.xml,)
            if wanted in {normalise(n) for n in names}:
                return section
        return None
