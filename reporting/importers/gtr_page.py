"""Import a Gateway to Research project page saved as plain text.

The page (e.g. ../shared/data/000_dc8e63340d1037c7.txt) has the award header, a "Publications"
list of citation lines, then outcome records separated by lines holding only a non-breaking
space. Only "Publications" is headed: every other record's section is recognised from a label
only that section carries (the schema's ``gtr_signature``). Fields are "Label value" lines;
lines without a label continue the previous field, and blank lines inside a value are kept as
paragraph breaks. See ../shared/docs/researchfish-schema.md §2.4 for the format's quirks.
"""

from __future__ import annotations

import re

from ..findings import ERROR, WARNING, Finding
from ..model import AWARD, Origin, Record
from ..schema import Schema, Section
from ..text import clean_text
from .result import ImportResult

_NBSP = "\u00a0"
_CITATION = re.compile(r"^(?P<author>.+?) \((?P<year>\d{4})\) (?P<rest>.+)$")
_HEADER_LABELS = {"Lead Research Organisation:": "lead_research_organisation", "Department Name:": "department"}


def looks_like_gtr_page(text: str) -> bool:
    """True when `text` has the shape of a saved GtR project page."""
    head = text[:20000]
    return "Lead Research Organisation:" in head or "publication icon" in head or f"\n{_NBSP}\n" in head


def _is_separator(line: str) -> bool:
    return line.strip(" ") == _NBSP or (line.strip() == "" and _NBSP in line)


def parse_gtr_page(text: str, source: str, schema: Schema) -> ImportResult:
    """Parse a GtR page into records (award header, publications, outcomes)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result = ImportResult(source=source, format="GtR project page (text)", provenance="GtR")
    end_of_header = next(
        (i for i, line in enumerate(lines) if line.strip() == "Publications" or _is_separator(line)), len(lines)
    )
    result.records.append(_award(lines[:end_of_header], source))
    position = end_of_header
    if position < len(lines) and lines[position].strip() == "Publications":
        position = _publications(lines, position + 1, source, schema, result)
    chunk: list[tuple[int, str]] = []
    for number in range(position, len(lines) + 1):
        line = lines[number] if number < len(lines) else _NBSP
        if _is_separator(line):
            if any(text.strip() for _, text in chunk):
                _outcome(chunk, source, schema, result)
            chunk = []
        else:
            chunk.append((number + 1, line))
    return result


def _award(lines: list[str], source: str) -> Record:
    raw: dict[str, str] = {}
    title = next((line.strip() for line in lines if line.strip()), "")
    if title:
        raw["title"] = title
    blocks: dict[str, list[str]] = {}
    current = None
    for line in lines[1:]:
        stripped = line.strip()
        label = next((name for name in _HEADER_LABELS if stripped.startswith(name)), None)
        if label:
            raw[_HEADER_LABELS[label]] = stripped[len(label) :].strip()
            current = None
        elif stripped in ("Abstract", "Planned Impact"):
            current = "abstract" if stripped == "Abstract" else "planned_impact"
            blocks[current] = []
        elif current:
            blocks[current].append(line)
    for key, block in blocks.items():
        raw[key] = clean_text("\n".join(block))
    return Record(kind=AWARD, raw=raw, origin=Origin(source, line=1))


def _publications(lines: list[str], start: int, source: str, schema: Schema, result: ImportResult) -> int:
    section = schema.section("publications")
    number = start
    while number < len(lines) and not _is_separator(lines[number]):
        if lines[number].strip() == "publication icon":
            citation_line = number + 1
            while citation_line < len(lines) and not lines[citation_line].strip():
                citation_line += 1
            if citation_line < len(lines):
                _publication(lines[citation_line], citation_line + 1, source, section, result)
            number = citation_line
        number += 1
    return number


def _publication(line: str, number: int, source: str, section: Section, result: ImportResult) -> None:
    text = clean_text(line)
    result.read[section.key] = result.read.get(section.key, 0) + 1
    origin = Origin(source, line=number)
    match = _CITATION.match(text)
    if not match:
        result.records.append(Record(kind=section.key, raw={"title": text}, origin=origin))
        result.notes.append(
            Finding.of("citation-not-split", WARNING, file=source, line=number, field="Title", value=text)
        )
        return
    rest = match.group("rest")
    raw = {"author": match.group("author"), "year": match.group("year"), "title": rest}
    # GtR prints " in {journal}" only when there is a journal; titles may contain " in " too,
    # so split at the last one (the schema notes list this as ambiguous).
    if " in " in rest:
        title, journal = rest.rsplit(" in ", 1)
        raw["title"], raw["journal"] = title, journal
        if rest.count(" in ") > 1:
            result.notes.append(
                Finding.of(
                    "citation-split", WARNING, journal=journal, file=source, line=number, field="Journal", value=text
                )
            )
    result.records.append(Record(kind=section.key, raw=raw, origin=origin))


def _labels(section: Section) -> list[tuple[str, str]]:
    pairs = [(spec.label, spec.key) for spec in section.fields if spec.gtr]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _starts_label(line: str, label: str) -> bool:
    return line == label or line.startswith(label + " ")


def _identify(lines: list[str], schema: Schema) -> Section | None:
    candidates = [
        s for s in schema.sections if s.gtr_signature and any(_starts_label(line, s.gtr_signature) for line in lines)
    ]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    # Sections sharing a signature (Research Databases / Research Tools both have
    # "Type Of Material") are told apart by which vocabulary the value belongs to.
    for section in candidates:
        spec = next(f for f in section.fields if f.label == section.gtr_signature)
        value = next(line[len(spec.label) :].strip() for line in lines if _starts_label(line, spec.label))
        if spec.vocabulary is None or spec.vocabulary.match(value)[0] is not None:
            return section
    return candidates[0]


def _outcome(chunk: list[tuple[int, str]], source: str, schema: Schema, result: ImportResult) -> None:
    lines = [text.replace(_NBSP, " ").rstrip() for _, text in chunk]
    first = next(number for number, text in chunk if text.strip())
    section = _identify(lines, schema)
    if section is None:
        result.unplaced += 1
        result.notes.append(
            Finding.of("unknown-record", ERROR, file=source, line=first, value=clean_text("\n".join(lines)))
        )
        return
    result.read[section.key] = result.read.get(section.key, 0) + 1
    labels = _labels(section)
    values: dict[str, list[str]] = {}
    current: str | None = None
    for text in lines:
        hit = next(((label, key) for label, key in labels if key not in values and _starts_label(text, label)), None)
        if hit:
            label, current = hit
            values[current] = [text[len(label) :].strip()]
        elif current is not None:
            values[current].append(text)
        elif text.strip():
            values.setdefault("_unlabelled", []).append(text)
    raw = {key: clean_text("\n".join(parts)) for key, parts in values.items() if key != "_unlabelled"}
    extra = {}
    if "_unlabelled" in values:
        extra["Notes"] = clean_text("\n".join(values["_unlabelled"]))
        result.notes.append(Finding.of("unlabelled-text", WARNING, file=source, line=first, value=extra["Notes"]))
    result.records.append(Record(kind=section.key, raw=raw, origin=Origin(source, line=first), extra=extra))
