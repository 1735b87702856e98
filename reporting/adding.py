"""Publication lists added to a workbook people already fill in (`import --into`): only the
works it does not list yet are added, below its rows, each row already there kept as it is (a
person's edits included); what was skipped as already there is listed.

Nothing here prints or exits; the CLI prints the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .convert import import_sources
from .errors import UsageError
from .findings import Findings
from .importers import combine_imports, import_file
from .importers.publications import same_work
from .model import AWARD, ORGANISATION, SUGGESTION, Record, describe_origin
from .outputs import refuse_input, write_atomic
from .schema import Schema, load_schema
from .sheets import section_table
from .validation import validate
from .workbook import append_rows, read_workbook, sheet_kinds

PUBLICATIONS = "publications"


@dataclass
class AddReport:
    """What `add_to_workbook` did: works read, added, skipped (each with the row that already
    lists it), and the findings about the works added."""

    sources: list[Path]
    output: Path
    read: int
    added: list[Record] = field(default_factory=list)
    skipped: list[tuple[Record, Record]] = field(default_factory=list)
    merged: int = 0
    findings: Findings = field(default_factory=Findings)

    def to_dict(self) -> dict:
        return {
            "sources": [str(s) for s in self.sources],
            "output": str(self.output),
            "read": self.read,
            "added": len(self.added),
            "merged": self.merged,
            "skipped": [
                {"title": str(new.raw.get("title") or ""), "already": describe_origin(old.origin)}
                for new, old in self.skipped
            ],
            **self.findings.to_dict(),
        }


def add_to_workbook(
    source: Path | str | Sequence[Path | str],
    into: Path | str,
    schema: Schema | None = None,
    award: str = "",
    out: Path | str | None = None,
) -> AddReport:
    """Add the works of publication lists `source` that workbook `into` does not list yet (by
    DOI, PubMed ID and the indexes' ids, or title and year) to its Publications sheet; write
    the result to `out` (default: `into` itself, replaced atomically)."""
    schema = schema or load_schema()
    into = Path(into)
    target = Path(out) if out else into
    sources = import_sources(source)
    refuse_input(target, sources)
    existing, _ = read_workbook(into, schema)
    result = combine_imports([import_file(path, schema) for path in sources])
    foreign = sorted({r.kind for r in result.records if r.kind not in (AWARD, ORGANISATION, SUGGESTION, PUBLICATIONS)})
    if foreign:
        raise UsageError(
            f"--into adds publication lists' works; {result.source} holds other outcomes ({', '.join(foreign)}).",
            "Import it into a workbook of its own (leave out --into).",
        )
    awards = [r for r in existing if r.kind == AWARD]
    references = {str(r.raw.get("award_reference") or "").strip() for r in awards}
    if award and award not in references:
        raise UsageError(
            f"{into}: has no award {award} on its Award sheet.",
            "Add the award there first, or leave out --award to attach the works to the workbook's award.",
        )
    known: dict[str, Record] = {}
    for record in existing:
        if record.kind == PUBLICATIONS:
            for key in same_work(record.raw):
                known.setdefault(key, record)
    report = AddReport(sources, target, read=result.read.get(PUBLICATIONS, 0), merged=result.merged)
    for record in result.records:
        if record.kind != PUBLICATIONS:
            continue
        keys = same_work(record.raw)
        there = next((known[k] for k in keys if k in known), None)
        if there is not None:
            report.skipped.append((record, there))
            continue
        if award:
            record.raw["award_reference"] = award
        report.added.append(record)
    dataset, findings = validate([*awards, *report.added], schema)
    report.findings = Findings([*result.notes, *(f for f in findings if f.sheet != "Award")])
    section = next(s for s in schema.sections if s.key == PUBLICATIONS)
    entries = [e for e in dataset.entries if e.section.key == PUBLICATIONS]
    if entries:
        table = section_table(schema, section, entries, returned=False)
        write_atomic(target, append_rows(into, table, sheet_kinds(schema), PUBLICATIONS))
    return report
