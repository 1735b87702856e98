"""Making input workbooks: blank ones, ones converted from the files offices already hold
(with the import's accounting), and copies with partner links suggested for a person to accept.

Nothing here prints or exits; each function returns a report the CLI prints from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .findings import ERROR, Finding, Findings
from .importers import ImportResult, import_file
from .inputs import input_book
from .loading import load
from .outputs import refuse_input, refuse_overwrite, write_file
from .partners import Suggestion, org_key, suggest
from .schema import Schema, load_schema
from .text import slugify
from .validation import validate
from .workbook import write_suggestions
from .xlsx_writer import write_input_workbook


def init_workbook(path: Path | str, schema: Schema | None = None, force: bool = False) -> Path:
    """Write a blank input workbook at `path`."""
    schema = schema or load_schema()
    return write_file(Path(path), write_input_workbook(input_book(schema)), force)


#: Findings an import resolves itself by writing the current wording (listed as mappings).
MAPPED_CODES = {"older-wording", "not-in-list-case", "cut-short-value"}


@dataclass
class ImportReport:
    """An import: what was read from the source and what was written per section.

    `result.tallies` say what became of every row of the source; `written` counts the entries
    the workbook holds per section (an outcome counted for several awards is one entry).
    `mappings` counts (field, value found, value written) for values the import cleaned up
    (older vocabulary wordings, case variants); `findings` holds everything else to check.
    """

    result: ImportResult
    findings: Findings
    written: dict[str, int]
    output: Path
    mappings: dict[tuple[str, str, str], int] = field(default_factory=dict)
    awards: int = 0
    #: Each section's title, by key (the tallies name sections by key).
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every row of the source is in the workbook or accounted for, without errors."""
        return self.findings.ok


def import_to_workbook(source: Path | str, out: Path | str | None = None,
                       schema: Schema | None = None, force: bool = False) -> ImportReport:
    """Convert a file offices already have into an input workbook."""
    schema = schema or load_schema()
    result = import_file(source, schema)
    dataset, findings = validate(result.records, schema)
    notes = Findings(list(result.notes))
    mappings: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        if finding.code in MAPPED_CODES and finding.replacement:
            key = (finding.field, finding.value, finding.replacement)
            mappings[key] = mappings.get(key, 0) + 1
        else:
            notes.add(finding)
    written: dict[str, int] = {}
    for entry in dataset.entries:
        written[entry.section.key] = written.get(entry.section.key, 0) + 1
    _check_accounting(result, written, notes)
    title = dataset.awards[0].title if dataset.awards else "Research outcomes"
    out = Path(out) if out else Path(slugify(title).lower() + ".xlsx")
    refuse_input(out, [Path(source)])
    refuse_overwrite(out, force)
    data = write_input_workbook(input_book(schema, dataset.awards, dataset.entries, dataset.organisations, title))
    write_file(out, data, force, inputs=[Path(source)])
    return ImportReport(result, notes, written, out, mappings, awards=len(dataset.awards),
                        titles={section.key: section.title for section in schema.sections})


def _check_accounting(result: ImportResult, written: dict[str, int], notes: Findings) -> None:
    """Every row read must be in the workbook or named by a finding: say so when it is not."""
    made: dict[str, int] = {}
    for tally in result.tallies:
        if tally.section is not None:
            made[tally.section] = made.get(tally.section, 0) + tally.entries
        if not tally.balanced:
            notes.add(Finding.of("rows-unaccounted", ERROR, rows=tally.rows,
                                 accounted=tally.entries + tally.merged + tally.empty + tally.unplaced,
                                 file=result.source, sheet=tally.part))
    for section, count in made.items():
        if written.get(section, 0) < count:
            notes.add(Finding.of("rows-unaccounted", ERROR, "section", missing=count - written.get(section, 0),
                                 count=count, section=section.replace("_", " "), file=result.source))
    rows = sum(t.rows for t in result.tallies)
    if rows and not sum(written.values()):
        notes.add(Finding.of("nothing-written", ERROR, rows=rows, file=result.source))


@dataclass
class SuggestionReport:
    output: Path
    suggestions: list[Suggestion]
    organisations_added: int


def suggest_partners(source: Path | str, out: Path | str | None = None, schema: Schema | None = None,
                     force: bool = False) -> SuggestionReport:
    """Find mentions of partner organisations in entries not linked to them, and write a copy of
    the workbook with them on a Partner Suggestions sheet for a person to accept."""
    schema = schema or load_schema()
    source = Path(source)
    dataset, findings, _ = load([source], schema)
    found = suggest(dataset, schema)
    listed = {org_key(o.name) for o in dataset.organisations if not o.implicit}
    new_orgs = [o for o in dataset.organisations if o.implicit and org_key(o.name) not in listed]
    out = Path(out) if out else source.with_name(f"{source.stem}-suggested.xlsx")
    refuse_input(out, [source])
    refuse_overwrite(out, force)
    rows = [{"sheet": s.entry.origin.sheet, "row": s.entry.origin.row,
             "entry": str(s.entry.value_or_raw(s.entry.section.heading) or "")[:200],
             "organisation": s.organisation.name, "found": s.found, "context": s.context}
            for s in found if s.entry.origin.file == str(source)]
    write_file(out, write_suggestions(source, rows, [o.values for o in new_orgs], schema), force, inputs=[source])
    return SuggestionReport(out, found, len(new_orgs))
