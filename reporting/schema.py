"""The outcome schema, loaded from TOML data and checked strictly.

The schema itself lives in ``schema.toml`` next to this module; nothing about a particular
section is written in code. `load_schema` reads it into frozen objects (spec.py) and checks it:
an unknown key (a typo such as ``requried``), a value of the wrong type, a missing key or a name
that points nowhere is a SchemaError naming its exact place, when the tool starts, not mid-build.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import SchemaError
from .fieldtypes import REGISTRY
from .spec import Chart, FieldSpec, Schema, Section
from .vocabulary import Vocabulary, header_key, normalise

__all__ = [
    "FIELD_TYPES",
    "SCHEMA_PATH",
    "Chart",
    "FieldSpec",
    "Schema",
    "Section",
    "Vocabulary",
    "header_key",
    "load_schema",
    "normalise",
    "parse_schema",
]

SCHEMA_PATH = Path(__file__).with_name("schema.toml")

#: The field types the schema may name (one class each, in reporting/fieldtypes).
FIELD_TYPES = frozenset(REGISTRY)

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

#: The keys each kind of table may have, and the type of each value.
_FIELD_KEYS: dict[str, type] = {
    "key": str,
    "label": str,
    "type": str,
    "required": bool,
    "vocabulary": str,
    "currency": str,
    "default": str,
    "gtr": bool,
    "aliases": list,
    "help": str,
    "recommended": bool,
    "xml": str,
    "api": str,
    "parts": list,
    "export_only": bool,
    "bookkeeping": bool,
    "in_return": bool,
    "partner": bool,
}
_SECTION_KEYS: dict[str, type] = {
    "key": str,
    "title": str,
    "sheet": str,
    "heading": str,
    "period": list,
    "gtr": bool,
    "gtr_signature": str,
    "help": str,
    "aliases": list,
    "xml": str,
    "api": list,
    "fields": list,
    "citation": bool,
    "future_years": str,
    "questions": bool,
    "answer": str,
}
_SHEET_KEYS: dict[str, type] = {"sheet": str, "aliases": list, "fields": list}
_VOCABULARY_KEYS: dict[str, type] = {
    "values": list,
    "legacy": list,
    "variants": dict,
    "open": bool,
    "extends": str,
    "qualified": bool,
}
_CHART_KEYS: dict[str, type] = {
    "title": str,
    "section": str,
    "field": str,
    "by": str,
    "horizontal": bool,
    "unless": str,
}
_TOP_KEYS: dict[str, type] = {
    "award": dict,
    "organisations": dict,
    "common": list,
    "sections": list,
    "vocabularies": dict,
    "imports": dict,
    "charts": list,
}
_TYPE_NAMES = {str: "a text in quotes", bool: "true or false", list: "a list [...]", dict: "a table"}


def _check(table: Any, allowed: Mapping[str, type], where: str, required: tuple[str, ...] = ()) -> dict:
    """`table` as a dict whose keys are all allowed and of the right type, or a SchemaError."""
    if not isinstance(table, dict):
        raise SchemaError(f"{where}: should be a table (key = value lines).")
    for key, value in table.items():
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            raise SchemaError(
                f"{where}: unknown key {key!r}.",
                f'Did you mean "{close[0]}"?' if close else f"Keys allowed here: {', '.join(allowed)}.",
            )
        if not isinstance(value, allowed[key]):
            raise SchemaError(f"{where}: {key} should be {_TYPE_NAMES[allowed[key]]}, not {value!r}.")
    for key in required:
        if key not in table:
            raise SchemaError(f"{where}: has no {key!r}.", f"Add {key} = ... to it.")
    return table


def _texts(value: list, where: str) -> tuple[str, ...]:
    if not all(isinstance(item, str) for item in value):
        raise SchemaError(f"{where}: should be a list of texts in quotes.")
    return tuple(value)


def _field(data: Any, vocabularies: dict[str, Vocabulary], where: str) -> FieldSpec:
    here = f"{where} field {data.get('key', '?')!r}" if isinstance(data, dict) else where
    data = _check(data, _FIELD_KEYS, here, ("key", "label", "type"))
    ftype = data["type"]
    if ftype not in FIELD_TYPES:
        raise SchemaError(f"{here}: unknown type {ftype!r}.", f"Use one of: {', '.join(sorted(FIELD_TYPES))}.")
    vocabulary = None
    if ftype in ("choice", "choices") or "vocabulary" in data:
        name = data.get("vocabulary")
        if name not in vocabularies:
            raise SchemaError(
                f"{here}: names no known vocabulary ({name!r}).", f"Vocabularies: {', '.join(sorted(vocabularies))}."
            )
        vocabulary = vocabularies[name]
    parts = []
    for number, group in enumerate(data.get("parts", ()), start=1):
        if not isinstance(group, list):
            raise SchemaError(f"{here}: parts should be a list of lists of column names.")
        parts.append(_texts(group, f"{here} parts[{number}]"))
    return FieldSpec(
        key=data["key"],
        label=data["label"],
        type=ftype,
        required=data.get("required", False),
        vocabulary=vocabulary,
        currency=data.get("currency"),
        default=data.get("default"),
        gtr=data.get("gtr", True),
        aliases=_texts(data.get("aliases", []), f"{here} aliases"),
        help=data.get("help", ""),
        recommended=data.get("recommended", False),
        xml=data.get("xml"),
        api=data.get("api"),
        parts=tuple(parts),
        export_only=data.get("export_only", False),
        bookkeeping=data.get("bookkeeping", False),
        in_return=data.get("in_return", True),
        partner=data.get("partner", False),
    )


def _vocabularies(data: dict, where: str) -> dict[str, Vocabulary]:
    """Every vocabulary; one that `extends` another has the other's values, then its own."""
    raw = _check(
        data.get("vocabularies", {}), {k: dict for k in data.get("vocabularies", {})}, f"{where} [vocabularies]"
    )
    built: dict[str, Vocabulary] = {}

    def make(key: str, seen: tuple[str, ...] = ()) -> Vocabulary:
        if key in built:
            return built[key]
        here = f"{where} [vocabularies.{key}]"
        spec = _check(raw[key], _VOCABULARY_KEYS, here)
        values: list[str] = []
        legacy: list[str] = []
        variants: dict[str, str] = {}
        base = spec.get("extends")
        if base is not None:
            if base not in raw or base in seen:
                raise SchemaError(f"{here}: extends {base!r}, which is not a vocabulary (or extends it back).")
            parent = make(base, seen + (key,))
            values, legacy, variants = list(parent.values), list(parent.legacy), dict(parent.variants)
        values += [v for v in _texts(spec.get("values", []), f"{here} values") if v not in values]
        legacy += [v for v in _texts(spec.get("legacy", []), f"{here} legacy") if v not in legacy]
        for old, new in spec.get("variants", {}).items():
            if not isinstance(new, str):
                raise SchemaError(f"{here}: variant {old!r} should map to a text in quotes.")
            variants[old] = new
        built[key] = Vocabulary(
            key=key,
            values=tuple(values),
            legacy=tuple(legacy),
            variants=variants,
            open=spec.get("open", False),
            qualified=spec.get("qualified", False),
        )
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


def _section(
    raw: Any, number: int, vocabularies: dict[str, Vocabulary], common: tuple[FieldSpec, ...], where: str
) -> Section:
    here = f"{where} [[sections]] #{number}"
    raw = _check(raw, _SECTION_KEYS, here, ("key", "title", "sheet", "heading", "fields"))
    here = f"{where} section {raw['key']!r}"
    fields = tuple(_field(f, vocabularies, here) for f in raw["fields"])
    section = Section(
        key=raw["key"],
        title=raw["title"],
        sheet=raw["sheet"],
        fields=fields,
        heading=raw["heading"],
        period=_texts(raw.get("period", []), f"{here} period"),
        gtr=raw.get("gtr", True),
        gtr_signature=raw.get("gtr_signature"),
        help=raw.get("help", ""),
        aliases=_texts(raw.get("aliases", []), f"{here} aliases"),
        xml=raw.get("xml"),
        api=_texts(raw.get("api", []), f"{here} api"),
        citation=raw.get("citation", False),
        future_years=raw.get("future_years", "error"),
        questions=raw.get("questions", False),
        answer=raw.get("answer"),
    )
    _check_sheet_name(section.sheet, here)
    if section.answer is not None and (
        not section.questions or section.answer not in {f.key for f in fields if f.kind.name == "yes_no"}
    ):
        raise SchemaError(f"{here}: answer {section.answer!r} should be a yes/no field of a questions section.")
    if section.future_years not in ("error", "warn"):
        raise SchemaError(f'{here}: future_years should be "error" or "warn", not {section.future_years!r}.')
    keys = [f.key for f in fields] + [f.key for f in common]
    _unique(keys, "field key", here)
    _unique([normalise(f.label) for f in fields + common], "column label", here)
    if section.heading not in keys:
        raise SchemaError(f"{here}: heading names unknown field {section.heading!r}.")
    by_key = {f.key: f for f in fields + common}
    for name in section.period:
        if name not in by_key:
            raise SchemaError(f"{here}: period names unknown field {name!r}.")
        if not by_key[name].kind.dated:
            raise SchemaError(f"{here}: period names {name!r}, a {by_key[name].type} field, which holds no date.")
    if len(section.period) > 2:
        raise SchemaError(f"{here}: period names a date field, or a start and an end: not {len(section.period)}.")
    for spec in fields:
        if spec.currency is not None and (spec.currency not in by_key or by_key[spec.currency].type != "currency"):
            raise SchemaError(f"{here} field {spec.key!r}: currency names {spec.currency!r}, not a currency field.")
    return section


def _charts(raw: list, sections: tuple[Section, ...], where: str) -> tuple[Chart, ...]:
    keys = {s.key: s for s in sections}
    charts = []
    for number, data in enumerate(raw, start=1):
        here = f"{where} [[charts]] #{number}"
        data = _check(data, _CHART_KEYS, here, ("title", "section"))
        section = keys.get(data["section"])
        if section is None:
            raise SchemaError(f"{here}: names unknown section {data['section']!r}.")
        if data.get("unless") is not None and data["unless"] not in keys:
            raise SchemaError(f"{here}: unless names unknown section {data['unless']!r}.")
        if ("field" in data) == (data.get("by") == "years") or data.get("by", "years") != "years":
            raise SchemaError(f'{here}: give either field = "..." or by = "years".')
        if "field" in data and data["field"] not in {f.key for f in section.fields}:
            raise SchemaError(f"{here}: names unknown field {data['field']!r} of {section.key!r}.")
        charts.append(
            Chart(
                data["title"],
                section.key,
                data.get("field"),
                data.get("by") == "years",
                data.get("horizontal", True),
                data.get("unless"),
            )
        )
    return tuple(charts)


def parse_schema(data: dict, where: str = "schema") -> Schema:
    """Build a Schema from already-parsed TOML data, checking it as it goes."""
    _check(data, _TOP_KEYS, where, ("award", "sections"))
    vocabularies = _vocabularies(data, where)
    award = _check(data["award"], _SHEET_KEYS, f"{where} [award]", ("sheet", "fields"))
    award_fields = tuple(_field(f, vocabularies, f"{where} [award]") for f in award["fields"])
    common = tuple(_field(f, vocabularies, f"{where} [[common]]") for f in data.get("common", ()))
    _check_sheet_name(award["sheet"], f"{where} [award]")
    sections = tuple(
        _section(raw, number, vocabularies, common, where) for number, raw in enumerate(data["sections"], start=1)
    )
    if not sections:
        raise SchemaError(f"{where}: no sections defined.")
    organisations = _check(
        data.get("organisations", {"sheet": "Organisations"}), _SHEET_KEYS, f"{where} [organisations]", ("sheet",)
    )
    organisation_fields = tuple(
        _field(f, vocabularies, f"{where} [organisations]") for f in organisations.get("fields", ())
    )
    _check_sheet_name(organisations["sheet"], f"{where} [organisations]")
    _unique([s.key for s in sections], "section key", where)
    _unique(
        [normalise(s.sheet) for s in sections] + [normalise(award["sheet"]), normalise(organisations["sheet"])],
        "sheet name",
        where,
    )
    imports = {}
    for source, table in _check(
        data.get("imports", {}), {k: dict for k in data.get("imports", {})}, f"{where} [imports]"
    ).items():
        imports[source] = {
            key: _texts(value if isinstance(value, list) else [value], f"{where} [imports.{source}] {key}")
            for key, value in table.items()
        }
    return Schema(
        award_sheet=award["sheet"],
        award_sheet_aliases=_texts(award.get("aliases", []), f"{where} [award] aliases"),
        award_fields=award_fields,
        common_fields=common,
        sections=sections,
        vocabularies=vocabularies,
        organisation_sheet=organisations["sheet"],
        organisation_sheet_aliases=_texts(organisations.get("aliases", []), f"{where} [organisations] aliases"),
        organisation_fields=organisation_fields,
        imports=imports,
        charts=_charts(data.get("charts", []), sections, where),
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
