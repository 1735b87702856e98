"""Partner organisations: who an entry was done with, and where else they are mentioned.

Entries are linked to organisations three ways, and only these: the entry's Partners column;
the Organisation field of Collaborations and Further Funding; and suggestions a person has
accepted on the Partner Suggestions sheet. `suggest` finds further mentions (names, aliases,
"Carbon Coop" for "Carbon Co-op", "CLES" for "Centre for Local Economic Strategies (CLES)")
but links nothing itself. No I/O and no third-party imports.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import UsageError
from .findings import WARNING, Finding, Findings, did_you_mean
from .model import Dataset, Entry, Organisation, Origin, Record
from .schema import FieldSpec, Schema

SUGGESTION_SHEET = "Partner Suggestions"
SUGGESTION_FIELDS = (
    FieldSpec("accept", "Accept", "yes_no", help="Yes to link the entry to the organisation."),
    FieldSpec("sheet", "Sheet", "text"),
    FieldSpec("row", "Row", "identifier"),
    FieldSpec("entry", "Entry", "text"),
    FieldSpec("organisation", "Organisation", "text"),
    FieldSpec("found", "Found", "text"),
    FieldSpec("context", "Context", "long_text"),
)
_SMALL_WORDS = {"the", "of", "for", "and", "at", "in", "on", "ltd", "limited", "cic", "plc", "llp"}
_LEGAL = re.compile(r"\b(ltd|limited|plc|cic|llp|inc|the)\b")


def org_key(name: str) -> str:
    """A name reduced for comparison: case, punctuation, 'The', 'Ltd' and 'CIC' ignored."""
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"(?<=\w)[-'’.](?=\w)", "", text)  # Co-op -> coop, Children's -> childrens
    text = re.sub(r"\([^)]*\)", " ", text)
    text = _LEGAL.sub(" ", re.sub(r"[^\w\s]", " ", text))
    return " ".join(text.split())


def name_variants(organisation: Organisation) -> list[str]:
    """Every way the organisation may be written: name, aliases, bracketed or initial acronym."""
    names = [organisation.name, *organisation.aliases]
    variants: list[str] = []
    for name in names:
        if not name:
            continue
        variants.append(name)
        bracket = re.search(r"\(([^)]{2,})\)", name)
        if bracket:
            variants.append(bracket.group(1))
            variants.append(re.sub(r"\s*\([^)]*\)", "", name))
        else:
            # Initials of a long name ("Greater Manchester Combined Authority" -> GMCA),
            # matched only in capitals.
            words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _SMALL_WORDS]
            if len(words) >= 3 and all(w[0].isupper() for w in words):
                variants.append("".join(w[0] for w in words))
    return list(dict.fromkeys(v.strip() for v in variants if v.strip()))


class Directory:
    """Finds organisations by any of their names."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self.organisations: list[Organisation] = []
        self._by_key: dict[str, Organisation] = {}
        for organisation in organisations:
            self.add(organisation)

    def add(self, organisation: Organisation) -> Organisation:
        self.organisations.append(organisation)
        for variant in name_variants(organisation):
            self._by_key.setdefault(org_key(variant), organisation)
        return organisation

    def find(self, name: str) -> Organisation | None:
        return self._by_key.get(org_key(name))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        names = [o.name for o in self.organisations]
        close = difflib.get_close_matches(name, names, n=n, cutoff=0.6)
        if not close:
            keys = {org_key(o.name): o.name for o in self.organisations}
            close = [keys[k] for k in difflib.get_close_matches(org_key(name), list(keys), n=n, cutoff=0.6)]
        return close

    def find_or_add(self, name: str, origin: Origin, **details: str | None) -> tuple[Organisation, bool]:
        found = self.find(name)
        if found is not None:
            return found, False
        values = {"name": name, **{k: v for k, v in details.items() if v}}
        return self.add(Organisation(values=values, origin=origin, implicit=True)), True


def _link(entry: Entry, organisation: Organisation) -> None:
    if not any(p is organisation for p in entry.partners):
        entry.partners.append(organisation)


def link(dataset: Dataset, suggestions: list[tuple[Record, dict]], findings: Findings) -> None:
    """Link every entry to its partners, and list every organisation in `dataset.organisations`."""
    directory = Directory(dataset.organisations)
    for entry in dataset.entries:
        name = next((entry.values[f.key] for f in entry.section.fields if f.partner and entry.values.get(f.key)), None)
        if name:
            organisation, _ = directory.find_or_add(
                name, entry.origin, sector=entry.values.get("sector"), country=entry.values.get("country")
            )
            _link(entry, organisation)
        for partner in entry.values.get("partners") or []:
            organisation, new = directory.find_or_add(partner, entry.origin)
            _link(entry, organisation)
            if new and dataset.organisations:
                close = directory.suggest(partner)
                close = [c for c in close if c != partner]
                findings.add(
                    Finding.of(
                        "unknown-partner",
                        WARNING,
                        partner=partner,
                        did_you_mean=did_you_mean(close),
                        file=entry.origin.file,
                        sheet=entry.origin.sheet,
                        cell=entry.cells.get("partners", ""),
                        field="Partners",
                        value=partner,
                    )
                )
    _apply_suggestions(dataset, directory, suggestions, findings)
    dataset.organisations = directory.organisations


def _apply_suggestions(
    dataset: Dataset, directory: Directory, suggestions: list[tuple[Record, dict]], findings: Findings
) -> None:
    by_place = {(e.origin.file, e.origin.sheet, e.origin.row): e for e in dataset.entries}
    for record, values in suggestions:
        if not values.get("accept"):
            continue
        where: dict[str, Any] = dict(
            file=record.origin.file, sheet=record.origin.sheet, cell=record.cells.get("accept", "")
        )
        try:
            row = int(str(values.get("row", "")).strip())
        except ValueError:
            row = 0
        entry = by_place.get((record.origin.file, str(values.get("sheet") or ""), row))
        heading = org_key(values.get("entry") or "")
        if entry is None or (heading and not org_key(_heading(entry)).startswith(heading[:40])):
            findings.add(
                Finding.of("stale-suggestion", WARNING, target_sheet=values.get("sheet"), target_row=row, **where)
            )
            continue
        organisation = directory.find(values.get("organisation") or "")
        if organisation is None:
            findings.add(
                Finding.of("unknown-partner", WARNING, "suggestion", partner=values.get("organisation"), **where)
            )
            continue
        _link(entry, organisation)


def _heading(entry: Entry) -> str:
    value = entry.value_or_raw(entry.section.heading)
    return str(value) if value is not None else ""


@dataclass
class Suggestion:
    """A mention of an organisation in an entry that is not linked to it (yet)."""

    entry: Entry
    organisation: Organisation
    found: str
    context: str


def _pattern(variant: str) -> re.Pattern | None:
    words = re.findall(r"\w+", variant)
    if not words:
        return None
    if len(words) == 1 and variant.isupper():
        if len(variant) < 3:
            return None  # two-letter abbreviations match too much
        return re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)")  # acronyms: exact case
    if len(words) == 1 and len(words[0]) < 4:
        return None
    joined = r"[\W_]*".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){joined}(?!\w)", re.IGNORECASE)


def suggest(dataset: Dataset, schema: Schema) -> list[Suggestion]:
    """Mentions of known organisations in entries not yet linked to them, in entry order."""
    patterns = []
    for organisation in dataset.organisations:
        compiled = [p for p in (_pattern(v) for v in name_variants(organisation)) if p]
        if compiled:
            patterns.append((organisation, compiled))
    found: list[Suggestion] = []
    for entry in dataset.entries:
        texts = [
            str(entry.value_or_raw(spec.key))
            for spec in entry.section.fields
            if spec.kind.textual and entry.value_or_raw(spec.key)
        ]
        text = "\n".join(texts)
        for organisation, compiled in patterns:
            if any(p is organisation for p in entry.partners):
                continue
            for pattern in compiled:
                match = pattern.search(text)
                if match:
                    start, end = max(match.start() - 60, 0), min(match.end() + 60, len(text))
                    context = (
                        ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")
                    )
                    found.append(Suggestion(entry, organisation, match.group(0), context))
                    break
    return found


def choose_partners(
    organisations: Sequence[Organisation], names: Sequence[str], linked: Mapping[int, Sequence[Entry]]
) -> list[Organisation]:
    """The partners given a profile: those `names` names (each must be found), else every
    organisation with an entry linked to it."""
    if not names:
        return [o for o in organisations if linked.get(id(o))]
    directory = Directory(organisations)
    chosen: list[Organisation] = []
    for name in names:
        found = directory.find(name)
        if found is None:
            close = directory.suggest(name)
            raise UsageError(
                f'No partner organisation is called "{name}".',
                (f'Did you mean "{close[0]}"? ' if close else "")
                + "Partners are the organisations on the Organisations sheet and those named by entries.",
            )
        chosen.append(found)
    return chosen
