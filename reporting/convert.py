"""Making input workbooks: blank ones, ones converted from the files offices already hold
(with the import's accounting), and copies with partner links suggested for a person to accept.

Nothing here prints or exits; each function returns a report the CLI prints from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .findings import ERROR, WARNING, Finding, Findings
from .imported import from_funder
from .importers import ImportResult, combine_imports, import_file
from .importers.publications import GRANTS_NOTE
from .inputs import input_book
from .loading import find_inputs, load
from .model import AWARD, ORGANISATION, SUGGESTION, Origin, Record
from .outputs import WORKBOOK_SUFFIX, copy_paths, refuse_input, refuse_overwrite, workbook_path, write_file
from .partners import Suggestion, org_key, suggest
from .schema import Schema, load_schema
from .text import plural, slugify
from .validation import validate
from .workbook import write_suggestions
from .xlsx_writer import write_input_workbook

BLANK_NAME = "outcomes.xlsx"


def init_workbook(path: Path | str = BLANK_NAME, schema: Schema | None = None, force: bool = False) -> Path:
    """Write a blank input workbook at `path` (a .xlsx file, or a folder to put outcomes.xlsx in)."""
    schema = schema or load_schema()
    return write_file(workbook_path(path, BLANK_NAME, param="path"), write_input_workbook(input_book(schema)), force)


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

    def to_dict(self) -> dict:
        return {
            "source": self.result.source,
            "format": self.result.format,
            "output": str(self.output),
            "awards": self.awards,
            "written": dict(self.written),
            "parts": [
                {
                    "part": t.part,
                    "section": t.section,
                    "rows": t.rows,
                    "entries": t.entries,
                    "merged": t.merged,
                    "empty": t.empty,
                    "not_placed": t.unplaced,
                }
                for t in self.result.tallies
            ],
            "mapped": [
                {"field": f, "found": found, "written": current, "times": n}
                for (f, found, current), n in sorted(self.mappings.items())
            ],
            **self.findings.to_dict(),
        }


#: What a folder given to `import` is read for.
IMPORTABLE = {".txt", ".xml", ".json", ".csv", ".xlsx", ".xlsm"}


def import_sources(source: Path | str | Sequence[Path | str]) -> list[Path]:
    """The files to import: those named, and the importable files of each folder named."""
    named = [Path(source)] if isinstance(source, (str, Path)) else [Path(s) for s in source]
    if not named:
        raise UsageError("Name at least one file to import.")
    found: list[Path] = []
    for path in named:
        if path.is_dir():
            members = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in IMPORTABLE and not p.name.startswith((".", "~$"))
            )
            if not members:
                raise UsageError(f"{path}: the folder holds no file to import ({', '.join(sorted(IMPORTABLE))}).")
            found.extend(members)
        else:
            found.append(path)
    return found


def attach(result: ImportResult, reference: str) -> None:
    """Every entry of `result` without an award reference attached to award `reference`, whose
    row the Award sheet gets (the award already there without a reference, else a new row)."""
    awards = [r for r in result.records if r.kind == AWARD]
    if not any(r.raw.get("award_reference") == reference for r in awards):
        bare = [r for r in awards if not r.raw.get("award_reference")]
        if len(bare) == 1:
            bare[0].raw["award_reference"] = reference
        else:
            result.records.insert(0, Record(AWARD, {"award_reference": reference}, Origin(result.source, "Award", 0)))
    for record in result.records:
        if record.kind not in (AWARD, ORGANISATION, SUGGESTION) and not record.raw.get("award_reference"):
            record.raw["award_reference"] = reference


def attach_named_grants(result: ImportResult) -> None:
    """Each publication-list work without an award attached to the grants it names (research
    councils' references, grant lists of funders that report through researchfish), each such
    award given a row on the Award sheet; works naming none are left for a person to attach,
    and a finding counts them."""
    references = {str(r.raw.get("award_reference") or "") for r in result.records if r.kind == AWARD}
    unattached = 0
    for record in result.records:
        if record.kind != "publications":
            continue
        if record.raw.get("award_reference") or from_funder(record.raw.get("imported_from")):
            continue
        named = [g for g in str(record.extra.get(GRANTS_NOTE) or "").split("; ") if g]
        if not named:
            unattached += 1
            continue
        record.raw["award_reference"] = "; ".join(named)
        for reference in named:
            if reference not in references:
                references.add(reference)
                result.records.insert(
                    0, Record(AWARD, {"award_reference": reference}, Origin(result.source, "Award", 0))
                )
    if unattached:
        result.notes.append(Finding.of("no-award-named", WARNING, count=unattached, file=result.source))


def import_to_workbook(
    source: Path | str | Sequence[Path | str],
    out: Path | str | None = None,
    schema: Schema | None = None,
    force: bool = False,
    award: str = "",
) -> ImportReport:
    """Convert files offices already have into one input workbook: a GtR page or record, an
    export, a publication list, or several (files or folders: a portfolio of GtR project
    records). `award`: the reference every entry without one is attached to (a publication
    list is one researcher's, not an award's)."""
    schema = schema or load_schema()
    sources = import_sources(source)
    result = combine_imports([import_file(path, schema) for path in sources])
    if award.strip():
        attach(result, award.strip())
    else:
        attach_named_grants(result)
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
    for entry in [*dataset.entries, *dataset.unlinked]:
        written[entry.section.key] = written.get(entry.section.key, 0) + 1
    _check_accounting(result, written, notes)
    title = dataset.awards[0].title if len(dataset.awards) == 1 else "Research outcomes"
    out = workbook_path(out, slugify(title).lower() + WORKBOOK_SUFFIX)
    refuse_input(out, sources)
    refuse_overwrite(out, force)
    log = [(f.severity, f.code, f.location, f.field, f.value, f.message, f.hint) for f in notes]
    log += [
        ("mapped", "older-wording", "", label, found, f'written as "{current}" ({plural(count, "time")})', "")
        for (label, found, current), count in sorted(mappings.items())
    ]
    origin = sources[0].name if len(sources) == 1 else result.source
    data = write_input_workbook(
        input_book(
            schema,
            dataset.awards,
            [*dataset.entries, *dataset.unlinked],
            dataset.organisations,
            title,
            log,
            f"Imported from {origin}: {notes.summary()}.",
        )
    )
    write_file(out, data, force, inputs=sources)
    return ImportReport(
        result,
        notes,
        written,
        out,
        mappings,
        awards=len(dataset.awards),
        titles={section.key: section.title for section in schema.sections},
    )


def _check_accounting(result: ImportResult, written: dict[str, int], notes: Findings) -> None:
    """Every row read must be in the workbook or named by a finding: say so when it is not."""
    made: dict[str, int] = {}
    for tally in result.tallies:
        if tally.section is not None:
            made[tally.section] = made.get(tally.section, 0) + tally.entries
        if not tally.balanced:
            notes.add(
                Finding.of(
                    "rows-unaccounted",
                    ERROR,
                    rows=tally.rows,
                    accounted=tally.entries + tally.merged + tally.empty + tally.unplaced,
                    file=result.source,
                    sheet=tally.part,
                )
            )
    for section, count in made.items():
        if written.get(section, 0) < count:
            notes.add(
                Finding.of(
                    "rows-unaccounted",
                    ERROR,
                    "section",
                    missing=count - written.get(section, 0),
                    count=count,
                    section=section.replace("_", " "),
                    file=result.source,
                )
            )
    rows = sum(t.rows for t in result.tallies)
    if rows and not sum(written.values()):
        notes.add(Finding.of("nothing-written", ERROR, rows=rows, file=result.source))


@dataclass
class SuggestionReport:
    source: Path
    output: Path
    suggestions: list[Suggestion]
    organisations_added: int
    #: Organisations the entries could be linked to (on the Organisations sheet or named by entries).
    organisations: int = 0

    def to_dict(self) -> dict:
        return {
            "source": str(self.source),
            "output": str(self.output),
            "organisations_added": self.organisations_added,
            "suggestions": [
                {
                    "sheet": s.entry.origin.sheet,
                    "row": s.entry.origin.row,
                    "entry": str(s.entry.value_or_raw(s.entry.section.heading) or ""),
                    "organisation": s.organisation.name,
                    "found": s.found,
                    "context": s.context,
                }
                for s in self.suggestions
            ],
        }


def suggest_partners(
    sources: Sequence[Path | str] | Path | str,
    out: Path | str | None = None,
    schema: Schema | None = None,
    force: bool = False,
) -> list[SuggestionReport]:
    """Find mentions of partner organisations in entries not linked to them, and write a copy of
    each workbook with them on a Partner Suggestions sheet for a person to accept.

    `sources` are workbooks or folders of them. The copies go to `out`: a folder (default
    outputs/, where a bare `build` does not read them twice), or a .xlsx file for one workbook.
    """
    schema = schema or load_schema()
    files = find_inputs([sources] if isinstance(sources, (str, Path)) else sources)
    targets = copy_paths(files, out, "suggested", force)
    dataset, findings, _ = load(files, schema)
    found = suggest(dataset, schema)
    listed = {org_key(o.name) for o in dataset.organisations if not o.implicit}
    new_orgs = [o for o in dataset.organisations if o.implicit and org_key(o.name) not in listed]
    reports = []
    for source, target in zip(files, targets):
        mine = [s for s in found if s.entry.origin.file == str(source)]
        rows = [
            {
                "sheet": s.entry.origin.sheet,
                "row": s.entry.origin.row,
                "entry": str(s.entry.value_or_raw(s.entry.section.heading) or "")[:200],
                "organisation": s.organisation.name,
                "found": s.found,
                "context": s.context,
            }
            for s in mine
        ]
        added = [o for o in new_orgs if o.origin.file == str(source)]
        write_file(target, write_suggestions(source, rows, [o.values for o in added], schema), force, inputs=files)
        reports.append(SuggestionReport(source, target, mine, len(added), len(dataset.organisations)))
    return reports
