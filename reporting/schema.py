"""The outcome schema: sections, fields and controlled vocabularies, loaded from TOML data.

The schema itself lives in ``schema.toml`` next to this module; nothing about a particular
section is written in code. `load_schema` reads it into frozen objects and checks that it is
consistent, so a mistake in the data file is reported when the tool starts, not mid-build.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import SchemaError
from .fieldtypes import REGISTRY, FieldType
from .vocabulary import Vocabulary, header_key, normalise

__all__ = ["FIELD_TYPES", "SCHEMA_PATH", "FieldSpec", "Schema", "Section", "Vocabulary", "header_key",
           "load_schema", "normalise", "parse_schema"]

SCHEMA_PATH = Path(__file__).with_name("schema.toml")

#: The field types the schema may name (one class each, in reporting/fieldtypes).
FIELD_TYPES = frozenset(REGISTRY)

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


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
    #: False for bookkeeping columns (award reference, visibility) that returns do not list.
    in_return: bool = True

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

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def heading_field(self) -> FieldSpec:
        return self.field(self.heading)


@dataclass(frozen=True)
class Schema:
    """The whole schema: award fields, common columns, sections in GtR order, vocabularies."""

    award_sheet: str
    award_sheet_aliases: tuple[str, ...]
    award_fields: tuple[FieldSpec, ...]
    common_fields: tuple[FieldSpec, ...]
    sections: tuple[Section, ...]
    vocabularies: dict[str, Vocabulary]
    organisation_sheet: str = "Organisations"
    organisation_sheet_aliases: tuple[str, ...] = ()
    organisation_fields: tuple[FieldSpec, ...] = ()
    #: How other tools' files are read, by source (``researchfish``): lists of column names.
    imports: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

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


def _field(data: dict, vocabularies: dict[str, Vocabulary], where: str) -> FieldSpec:
    try:
        key, label, ftype = data["key"], data["label"], data["type"]
    except KeyError as missing:
        raise SchemaError(f"{where}: a field has no {missing.args[0]!r}.") from None
    if ftype not in FIELD_TYPES:
        raise SchemaError(
            f"{where}: field {label!r} has unknown type {ftype!r}.",
            f"Use one of: {', '.join(sorted(FIELD_TYPES))}.",
        )
    vocabulary = None
    if ftype in ("choice", "choices") or (ftype == "currency" and "vocabulary" in data):
        name = data.get("vocabulary")
        if name not in vocabularies:
            raise SchemaError(f"{where}: field {label!r} names no known vocabulary ({name!r}).")
        vocabulary = vocabularies[name]
    return FieldSpec(
        key=key,
        label=label,
        type=ftype,
        required=bool(data.get("required", False)),
        vocabulary=vocabulary,
        currency=data.get("currency"),
        default=data.get("default"),
        gtr=bool(data.get("gtr", True)),
        aliases=tuple(data.get("aliases", ())),
        help=data.get("help", ""),
        recommended=bool(data.get("recommended", False)),
        xml=data.get("xml"),
        api=data.get("api"),
        parts=tuple(tuple(group) for group in data.get("parts", ())),
        export_only=bool(data.get("export_only", False)),
        in_return=bool(data.get("in_return", True)),
    )


def _vocabularies(data: dict, where: str) -> dict[str, Vocabulary]:
    """Every vocabulary; one that `extends` another has the other's values, then its own."""
    raw = data.get("vocabularies", {})
    built: dict[str, Vocabulary] = {}

    def make(key: str, seen: tuple[str, ...] = ()) -> Vocabulary:
        if key in built:
            return built[key]
        spec = raw[key]
        values, legacy, variants = [], [], {}
        base = spec.get("extends")
        if base is not None:
            if base not in raw or base in seen:
                raise SchemaError(f"{where}: vocabulary {key!r} extends {base!r}, which is not a vocabulary "
                                  "(or extends it back).")
            parent = make(base, seen + (key,))
            values, legacy, variants = list(parent.values), list(parent.legacy), dict(parent.variants)
        values += [v for v in spec.get("values", ()) if v not in values]
        legacy += [v for v in spec.get("legacy", ()) if v not in legacy]
        variants.update(spec.get("variants", {}))
        built[key] = Vocabulary(key=key, values=tuple(values), legacy=tuple(legacy), variants=variants,
                                open=bool(spec.get("open", False)), qualified=bool(spec.get("qualified", False)))
        return built[key]

    for key in raw:
        make(key)
    return built


def _check_sheet_name(name: str, where: str) -> None:
    if not name or len(name) > 31 or _SHEET_FORBIDDEN.search(name):
        raise SchemaError(
            f"{where}: sheet name {name!r} cannot be used in Excel.",
            "Sheet names have 1 to 31 characters and none of [ ] : * ? / \\.",
        )


def _unique(keys: list[str], what: str, where: str) -> None:
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise SchemaError(f"{where}: {what} used twice: {', '.join(dupes)}.")


def parse_schema(data: dict, where: str = "schema") -> Schema:
    """Build a Schema from already-parsed TOML data, checking it as it goes."""
    vocabularies = _vocabularies(data, where)
    award = data.get("award", {})
    award_fields = tuple(_field(f, vocabularies, f"{where} [award]") for f in award.get("fields", ()))
    common = tuple(_field(f, vocabularies, f"{where} [common]") for f in data.get("common", ()))
    _check_sheet_name(award.get("sheet", ""), f"{where} [award]")
    sections = []
    for raw in data.get("sections", ()):
        here = f"{where} section {raw.get('key', '?')!r}"
        fields = tuple(_field(f, vocabularies, here) for f in raw.get("fields", ()))
        section = Section(
            key=raw["key"],
            title=raw["title"],
            sheet=raw["sheet"],
            fields=fields,
            heading=raw["heading"],
            period=tuple(raw.get("period", ())),
            gtr=bool(raw.get("gtr", True)),
            gtr_signature=raw.get("gtr_signature"),
            help=raw.get("help", ""),
            aliases=tuple(raw.get("aliases", ())),
            xml=raw.get("xml"),
            api=tuple(raw.get("api", ())),
        )
        _check_sheet_name(section.sheet, here)
        keys = [f.key for f in fields] + [f.key for f in common]
        _unique(keys, "field key", here)
        _unique([normalise(f.label) for f in fields + common], "column label", here)
        for name in (section.heading, *section.period):
            if name not in keys:
                raise SchemaError(f"{here}: heading/period names unknown field {name!r}.")
        for spec in fields:
            if spec.type == "money" and spec.currency is not None and spec.currency not in keys:
                raise SchemaError(f"{here}: money field {spec.label!r} needs a currency field.")
        sections.append(section)
    organisations = data.get("organisations", {"sheet": "Organisations"})
    organisation_fields = tuple(_field(f, vocabularies, f"{where} [organisations]")
                                for f in organisations.get("fields", ()))
    _check_sheet_name(organisations.get("sheet", ""), f"{where} [organisations]")
    _unique([s.key for s in sections], "section key", where)
    _unique(
        [normalise(s.sheet) for s in sections]
        + [normalise(award.get("sheet", "")), normalise(organisations.get("sheet", ""))],
        "sheet name",
        where,
    )
    if not sections:
        raise SchemaError(f"{where}: no sections defined.")
    return Schema(
        award_sheet=award["sheet"],
        award_sheet_aliases=tuple(award.get("aliases", ())),
        award_fields=award_fields,
        common_fields=common,
        sections=tuple(sections),
        vocabularies=vocabularies,
        organisation_sheet=organisations["sheet"],
        organisation_sheet_aliases=tuple(organisations.get("aliases", ())),
        organisation_fields=organisation_fields,
        imports={source: {key: tuple(value) for key, value in table.items()}
                 for source, table in data.get("imports", {}).items()},
    )


@lru_cache(maxsize=4)
def load_schema(path: Path | str | None = None) -> Schema:
    """Load and check the schema (the bundled researchfish schema by default)."""
    path = Path(path) if path else SCHEMA_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"Cannot read the schema file {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"The schema file {path} is not valid TOML: {exc}.") from None
    return parse_schema(data, where=str(path.name))
