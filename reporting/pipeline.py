"""The commands' work, as library functions: read -> validate -> render -> write.

Nothing here prints or exits; each function returns a result object the CLI reports from.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import parallel
from .changes import Changes, compare
from .docx_writer import WordTemplate
from .errors import OutputError, UsageError
from .findings import ERROR, Finding, Findings
from .importers import ImportResult, import_file
from .inputs import input_book
from .model import Award, Dataset, Entry, Organisation, Record
from .outputs import unique_name, write_atomic
from .partners import Directory, Suggestion, org_key, suggest
from .periods import Period
from .returns import Head, ReturnView, award_head, make_return, portfolio_view, profile_head
from .schema import Schema, load_schema
from .selection import Selected, Selection, select
from .text import slugify
from .texts import TEXTS_FILE, Texts
from .validation import validate
from .workbook import annotate, read_workbook, write_suggestions
from .xlsx_writer import write_excel_return, write_input_workbook, write_portfolio_summary

DEFAULT_INPUTS = Path("inputs")
DEFAULT_OUTPUTS = Path("outputs")
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}

Progress = Callable[[int, int], None]


TEMPLATE_FILES = ("return.docx", TEXTS_FILE)


def templates_dir() -> Path:
    """The folder holding the default templates (installed, or in the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "return.docx").is_file():
            return candidate
    raise OutputError("The default Word template (templates/return.docx) is missing.",
                      "Reinstall funder-report, or pass --template PATH.")


def export_templates(target: Path | str, force: bool = False) -> list[Path]:
    """Copy the default templates into `target` for editing (used with --templates)."""
    target = Path(target)
    written = []
    for name in TEMPLATE_FILES:
        destination = target / name
        _refuse_overwrite(destination, force)
        written.append(write_atomic(destination, (templates_dir() / name).read_bytes()))
    return written


def generated_date() -> str:
    """Today's date for covers, or SOURCE_DATE_EPOCH's when set (for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds.") from None
    return f"{day.day} {day:%B %Y}"


class Renderer:
    """The templates of a build (Word template and texts), read once and used for every file."""

    def __init__(self, templates: Path | str | None = None, template: Path | str | None = None) -> None:
        folder = Path(templates) if templates else None
        if folder is not None:
            if not folder.is_dir():
                raise UsageError(f"--templates {folder}: no such folder.",
                                 "Make one with `funder-report templates export DIR`.")
            if not any((folder / name).is_file() for name in TEMPLATE_FILES):
                raise UsageError(f"--templates {folder} holds neither {' nor '.join(TEMPLATE_FILES)}.")

        def pick(name: str) -> Path:
            if folder is not None and (folder / name).is_file():
                return folder / name
            return templates_dir() / name

        self.word = WordTemplate(Path(template) if template else pick("return.docx"))
        self.texts = Texts(pick(TEXTS_FILE), defaults=templates_dir() / TEXTS_FILE)
        self.generated = generated_date()

    def view(self, schema: Schema, head: Head, selected: Selected) -> ReturnView:
        """The view of one return or profile, worded from this build's texts."""
        return make_return(schema, self.texts, head, selected, self.generated)

    def file_stem(self, kind: str, **context: str) -> str:
        stem = self.texts.render(f"files.{kind}", **context)
        stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", stem).strip(" .-")
        return stem or kind


def find_inputs(paths: Sequence[Path | str] = ()) -> list[Path]:
    """Expand files and folders into the workbooks to read (inputs/ when none are given)."""
    if not paths:
        if not DEFAULT_INPUTS.is_dir():
            raise UsageError("No input given and there is no inputs/ folder here.",
                             "Name a workbook or folder, e.g. `funder-report build outcomes.xlsx`.")
        paths = [DEFAULT_INPUTS]
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            members = sorted(p for p in path.iterdir()
                             if p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file()
                             and not p.name.startswith(("~$", ".")))
            if not members:
                raise UsageError(f"{path}: the folder holds no .xlsx workbooks.")
            found.extend(members)
        else:
            found.append(path)  # read_workbook reports a missing or wrong file by name
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)  # the same file named twice is read once
    return list(unique.values())


def read_inputs(paths: Iterable[Path], schema: Schema) -> tuple[list[Record], Findings]:
    records: list[Record] = []
    findings = Findings()
    for path in paths:
        found, layout = read_workbook(path, schema)
        records.extend(found)
        findings.extend(layout)
    return records, findings


def load(paths: Sequence[Path | str] = (), schema: Schema | None = None) -> tuple[Dataset, Findings, int]:
    """Read and validate input workbooks: (dataset, findings, number of rows read)."""
    schema = schema or load_schema()
    files = find_inputs(paths)
    records, findings = read_inputs(files, schema)
    dataset, checks = validate(records, schema, files=[str(f) for f in files])
    findings.extend(checks)
    return dataset, findings, len(records)


def annotate_inputs(paths: Sequence[Path | str], findings: Findings, out_dir: Path | str) -> list[Path]:
    """Write `<name>-checked.xlsx` for each input: problem cells highlighted and commented,
    and a Findings sheet linking to each. The inputs are only read."""
    out_dir = Path(out_dir)
    written = []
    for path in find_inputs(paths):
        mine = [f for f in findings if f.file == str(path)]
        target = out_dir / f"{path.stem}-checked.xlsx"
        if target.resolve() == path.resolve():
            raise UsageError(f"{target} is the input itself; choose another --annotate folder.")
        written.append(write_atomic(target, annotate(path, mine, target)))
    return written


@dataclass
class BuildResult:
    """What a build did: the files written and the findings that stopped or accompanied it."""

    outputs: list[Path] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)
    awards: int = 0
    entries: int = 0
    rows_read: int = 0

    @property
    def built(self) -> bool:
        return self.findings.ok


def output_stem(award: Award) -> str:
    """The award part of its files' names: its reference, else its title, made file-safe."""
    if award.reference:
        return slugify(award.reference)
    return slugify(award.title).lower() if award.title else "award"


def build(paths: Sequence[Path | str] = (), out_dir: Path | str = DEFAULT_OUTPUTS,
          schema: Schema | None = None, template: Path | str | None = None,
          progress: Progress | None = None, period: Period | None = None, public: bool = False,
          since: Sequence[Path | str] = (), templates: Path | str | None = None,
          workers: int | None = None) -> BuildResult:
    """Validate the inputs and, when there are no errors, write a Word and an Excel return per award.

    `period` keeps the entries dated in it; `public` leaves out Internal entries; `since`
    names the previous submission, whose differences are marked and listed. Files are
    rendered on `workers` processes (default: every core); the files are the same either way.
    `progress(awards done, awards)` is called as returns are written.
    """
    schema = schema or load_schema()
    dataset, findings, rows = load(paths, schema)
    result = BuildResult(findings=findings, awards=len(dataset.awards),
                         entries=len(dataset.entries), rows_read=rows)
    if not findings.ok:
        return result
    changes = None
    if since:
        previous, _, _ = load(since, schema)
        changes = compare(previous, dataset, schema)
    selection = Selection(period=period, public=public, changes=changes,
                          since=", ".join(Path(p).name for p in since))
    renderer = Renderer(templates, template)
    out_dir = Path(out_dir)
    taken: set[str] = {"portfolio-summary"}
    groups = dataset.by_award()
    jobs: list[_Job] = []
    for award, entries in groups:
        selected = select(entries, selection, "return", award)
        findings.extend(selected.findings)
        stem = unique_name(renderer.file_stem("return", stem=output_stem(award), suffix=selection.suffix), taken)
        jobs.append(_Job(schema, renderer, award_head(schema, award), selected, out_dir / stem))
    done = _render(jobs, workers, progress)
    result.outputs.extend(path for paths, _ in done for path in paths)
    if len(groups) > 1:
        name = f"portfolio-summary{selection.suffix}.xlsx"
        summary = portfolio_view(schema, [(award, counts) for (award, _), (_, counts) in zip(groups, done)])
        result.outputs.append(write_atomic(out_dir / name, write_portfolio_summary(summary)))
    return result


@dataclass
class _Job:
    """One return or profile to make: its view is built, rendered and written by a worker, so
    a build holds one view at a time per core, however large the portfolio."""

    schema: Schema
    renderer: Renderer
    head: Head
    selected: Selected
    stem: Path


def _render_job(job: _Job) -> tuple[tuple[Path, Path], dict[str, int]]:
    """Write the Word and Excel files of one view; (their paths, entries per section)."""
    view = job.renderer.view(job.schema, job.head, job.selected)
    docx = write_atomic(job.stem.with_name(job.stem.name + ".docx"), job.renderer.word.render(view))
    xlsx = write_atomic(job.stem.with_name(job.stem.name + ".xlsx"), write_excel_return(view))
    return (docx, xlsx), {section.key: len(section.entries) for section in view.sections}


def _render(jobs: list[_Job], workers: int | None, progress: Progress | None):
    """Render every job on every core; report progress in items (awards or partners) done."""
    def advance(done: int) -> None:
        if progress:
            progress(done, len(jobs))
    return parallel.run(_render_job, jobs, workers, advance)


def diff(previous: Sequence[Path | str], current: Sequence[Path | str],
         schema: Schema | None = None) -> Changes:
    """Entries added, removed and changed between two submissions (workbooks or Excel returns)."""
    schema = schema or load_schema()
    before, _, _ = load(previous, schema)
    after, _, _ = load(current, schema)
    return compare(before, after, schema)


def profiles(paths: Sequence[Path | str] = (), names: Sequence[str] = (),
             out_dir: Path | str = DEFAULT_OUTPUTS, schema: Schema | None = None,
             template: Path | str | None = None, period: Period | None = None,
             public: bool = False, templates: Path | str | None = None,
             workers: int | None = None, progress: Progress | None = None) -> BuildResult:
    """A Word and an Excel impact profile per partner organisation (all with entries, or `names`)."""
    schema = schema or load_schema()
    dataset, findings, rows = load(paths, schema)
    result = BuildResult(findings=findings, awards=len(dataset.awards), entries=len(dataset.entries),
                         rows_read=rows)
    if not findings.ok:
        return result
    linked: dict[int, list[Entry]] = {}
    for entry in dataset.entries:
        for organisation in entry.partners:
            linked.setdefault(id(organisation), []).append(entry)
    directory = Directory(dataset.organisations)
    if names:
        chosen: list[Organisation] = []
        for name in names:
            found = directory.find(name)
            if found is None:
                close = directory.suggest(name)
                raise UsageError(
                    f'No partner organisation is called "{name}".',
                    (f'Did you mean "{close[0]}"? ' if close else "") +
                    "Partners are the organisations on the Organisations sheet and those named by entries.")
            chosen.append(found)
    else:
        chosen = [o for o in dataset.organisations if linked.get(id(o))]
    renderer = Renderer(templates, template)
    taken: set[str] = set()
    selection = Selection(period=period, public=public)
    jobs: list[_Job] = []
    for organisation in chosen:
        selected = select(linked.get(id(organisation), []), selection, "profile")
        findings.extend(selected.findings)
        stem = unique_name(renderer.file_stem("profile", name=slugify(organisation.name).lower(),
                                              suffix=selection.suffix), taken)
        head = profile_head(schema, organisation, list(selected.entries))
        jobs.append(_Job(schema, renderer, head, selected, Path(out_dir) / stem))
    result.outputs.extend(path for paths, _ in _render(jobs, workers, progress) for path in paths)
    result.awards = len(chosen)
    return result


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
    if out.resolve() == source.resolve():
        raise UsageError(f"{out} is the input itself; the input is never modified.",
                         "Choose another name with -o.")
    _refuse_overwrite(out, force)
    rows = [{"sheet": s.entry.origin.sheet, "row": s.entry.origin.row,
             "entry": str(s.entry.value_or_raw(s.entry.section.heading) or "")[:200],
             "organisation": s.organisation.name, "found": s.found, "context": s.context}
            for s in found if s.entry.origin.file == str(source)]
    data = write_suggestions(source, rows, [o.values for o in new_orgs], schema)
    write_atomic(out, data)
    return SuggestionReport(out, found, len(new_orgs))


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; not overwriting it.",
                         "Choose another name with -o, or add --force to replace it.")


def init_workbook(path: Path | str, schema: Schema | None = None, force: bool = False) -> Path:
    """Write a blank input workbook at `path`."""
    schema = schema or load_schema()
    path = Path(path)
    _refuse_overwrite(path, force)
    return write_atomic(path, write_input_workbook(input_book(schema)))


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
    _refuse_overwrite(out, force)
    data = write_input_workbook(input_book(schema, dataset.awards, dataset.entries, dataset.organisations, title))
    write_atomic(out, data)
    return ImportReport(result, notes, written, out, mappings, awards=len(dataset.awards))


def _check_accounting(result: ImportResult, written: dict[str, int], notes: Findings) -> None:
    """Every row read must be in the workbook or named by a finding: say so when it is not."""
    made: dict[str, int] = {}
    for tally in result.tallies:
        if tally.section is not None:
            made[tally.section] = made.get(tally.section, 0) + tally.entries
        if not tally.balanced:
            notes.add(Finding(
                "rows-unaccounted", ERROR,
                f"{tally.rows} rows were read but {tally.entries + tally.merged + tally.empty + tally.unplaced} "
                "are accounted for", "This is a fault in the tool: please report it with the file.",
                file=result.source, sheet=tally.part))
    for section, count in made.items():
        if written.get(section, 0) < count:
            notes.add(Finding(
                "rows-unaccounted", ERROR,
                f"{count - written.get(section, 0)} of {count} entries read for {section.replace('_', ' ')} "
                "are not in the workbook (see the errors above)",
                "Fix what the errors name in the source and import it again.", file=result.source))
    rows = sum(t.rows for t in result.tallies)
    if rows and not sum(written.values()):
        notes.add(Finding(
            "nothing-written", ERROR, f"{rows} rows were read and no entry was written",
            "Check that the file is the export or record it should be.", file=result.source))
