"""One request, one report: read -> validate -> select -> view -> render -> write, for every
kind the request asks for (returns, partner profiles, the portfolio report) and their PDFs;
and the differences between two submissions.

`run(request, progress)` is the one way in, for the command line, the web page and library
callers; `build`, `profiles` and `portfolio` are its shorthands for one kind. Nothing here
prints or exits: the Report (or the InvalidEntries raised) is what callers render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import parallel, pdf
from .changes import REMOVED, Changes, compare
from .errors import InvalidEntries, ReportingError
from .findings import ERROR, Findings
from .heads import award_head, portfolio_view, profile_head
from .loading import find_inputs, load, read_groups
from .model import Award, Dataset, Entry
from .outputs import DEFAULT_OUTPUTS, Publication, digest, unique_name, write_atomic
from .partners import choose_partners
from .portfolio import portfolio_heading, portfolio_report, programme_of, uk_nations, unknown_groups, years_spanned
from .request import PDF_STAGE, READ_STAGE, BuildResult, Make, Progress, Report, Request, StageProgress
from .returns import Head, ReturnView
from .schema import Schema, load_schema
from .selection import Selected, Selection, select
from .templating import Renderer, generated_date
from .text import plural, slugify
from .xlsx_portfolio import write_portfolio_report, write_portfolio_summary
from .xlsx_return import write_excel_return

__all__ = ["BuildResult", "Make", "Report", "Request", "build", "diff", "portfolio", "profiles", "run"]

PORTFOLIO_STEM = "portfolio-report"


#: What a final return may not hold: text standing in for content, links cut short.
NOT_FINAL = ("placeholder", "url-cut-short")


def _final(findings: Findings) -> Findings:
    """The findings of a final build: what a draft only marks is an error."""
    return Findings(
        [
            replace(f, severity=ERROR, hint=f"{f.hint} A final return may not hold it.".strip())
            if f.code in NOT_FINAL
            else f
            for f in findings
        ]
    )


def output_stem(award: Award) -> str:
    """The award part of its files' names: its reference, else its title, made file-safe."""
    if award.reference:
        return slugify(award.reference)
    return slugify(award.title).lower() if award.title else "award"


@dataclass
class _Start:
    """What every kind starts from: the inputs read and checked once, the selection (with the
    changes since the earlier submission) and the earlier submission's files."""

    request: Request
    schema: Schema
    renderer: Renderer
    dataset: Dataset
    findings: Findings
    rows: int
    selection: Selection
    earlier: list[Path]

    def result(self) -> BuildResult:
        """A kind's result, before it makes anything: the inputs' findings and counts."""
        return BuildResult(
            findings=Findings(list(self.findings)),
            awards=len(self.dataset.awards),
            entries=len(self.dataset.entries),
            rows_read=self.rows,
            period=self.request.period.label if self.request.period else "",
            public=self.request.public,
            notes=list(self.renderer.notes),
        )

    def inputs(self) -> list[Path]:
        """The files no output may replace: the inputs and the earlier submission."""
        return find_inputs(self.request.inputs) + self.earlier


def _start(request: Request, schema: Schema, progress: Progress | None = None) -> _Start:
    """Read and check the inputs, raising InvalidEntries while any has an error (nothing is
    written then). A wrong template or groups file is named before any input is read."""
    renderer = Renderer(request.templates, request.template)
    earlier = find_inputs(request.since, outputs_too=True) if request.since else []  # one missing is named first
    dataset, findings, rows = load(request.inputs, schema, progress=_stage(progress, READ_STAGE))
    if request.final:
        findings = _final(findings)
    selection = Selection(
        period=request.period,
        public=request.public,
        since=", ".join(p.name for p in request.since),
        awards=frozenset(a.reference or a.title for a in dataset.awards),
    )
    start = _Start(request, schema, renderer, dataset, findings, rows, selection, earlier)
    if not findings.ok:
        errors = len(findings.errors)
        raise InvalidEntries(f"Nothing written: {plural(errors, 'error')} must be fixed first.", result=start.result())
    if request.since:
        previous, _, _ = load(earlier, schema, outputs_too=True)
        start.selection = replace(selection, changes=compare(previous, dataset, schema))
    return start


def run(request: Request, progress: Progress | None = None, schema: Schema | None = None) -> Report:
    """Make what `request` asks for; its Report holds each kind's files and counts, then the PDFs.

    Invalid entries stop it before anything is written (InvalidEntries, holding the findings).
    Each kind's files are published together (outputs.Publication): a file a person changed is
    replaced only with `force`, an input never, and a failed or interrupted kind leaves its
    folder as it was. PDFs that cannot be made leave the Word and Excel files in place and say
    why (`Report.pdf_error`). `progress(stage, done, total)` is called as items are written.
    """
    schema = schema or load_schema()
    grouping = read_groups(request.groups) if request.groups is not None and Make.PORTFOLIO in request.make else None
    start = _start(request, schema, progress)
    report = Report(request)
    for kind in request.make:
        stage = _stage(progress, kind.value)
        if kind is Make.RETURNS:
            report.results[kind] = _returns(start, stage)
        elif kind is Make.PROFILES:
            report.results[kind] = _profiles(start, stage)
        else:
            report.results[kind] = _portfolio(start, grouping, stage)
    if request.pdf:
        documents = [p for p in report.outputs if p.suffix == ".docx"]
        report.missing_fonts = tuple(pdf.missing_fonts())
        try:
            report.pdfs = pdf.convert(documents, request.force, request.processes, _stage(progress, PDF_STAGE))
        except ReportingError as error:
            report.pdf_error = error
    return report


def _stage(progress: Progress | None, stage: str) -> StageProgress | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _returns(start: _Start, progress: StageProgress | None) -> BuildResult:
    """A Word and an Excel return per award, and a portfolio summary when there are several."""
    result, renderer, selection = start.result(), start.renderer, start.selection
    taken: set[str] = {"portfolio-summary"}
    groups = start.dataset.by_award()
    stems = [
        unique_name(renderer.file_stem("return", stem=output_stem(award), suffix=selection.suffix), taken)
        for award, _ in groups
    ]
    summary_name = f"portfolio-summary{selection.suffix}.xlsx" if len(groups) > 1 else None
    with Publication(start.request.folder(Make.RETURNS), start.request.force, inputs=start.inputs()) as publication:
        publication.check(_names(stems) + ([summary_name] if summary_name else []))
        jobs: list[_Job] = []
        for (award, entries), stem in zip(groups, stems):
            selected = select(entries, selection, "return", award)
            result.findings.extend(selected.findings)
            jobs.append(_Job(start.schema, renderer, award_head(start.schema, award), selected, publication.path(stem)))
        done = _render(jobs, start.request.processes, progress, publication)
        result.used = len({id(e) for job in jobs for e in job.selected.entries})
        if summary_name:
            summary = portfolio_view(start.schema, [(award, counts) for (award, _), (_, counts) in zip(groups, done)])
            publication.add(summary_name, write_portfolio_summary(summary))
        result.outputs.extend(publication.commit())
    return result


def _profiles(start: _Start, progress: StageProgress | None) -> BuildResult:
    """A Word and an Excel impact profile per partner organisation (all with entries, or the
    request's partners)."""
    result, renderer = start.result(), start.renderer
    linked: dict[int, list[Entry]] = {}
    for entry in start.dataset.entries:
        for organisation in entry.partners:
            linked.setdefault(id(organisation), []).append(entry)
    chosen = choose_partners(start.dataset.organisations, start.request.partners, linked)
    taken: set[str] = set()
    selection = Selection(period=start.request.period, public=start.request.public)
    stems = [
        unique_name(renderer.file_stem("profile", name=slugify(o.name).lower(), suffix=selection.suffix), taken)
        for o in chosen
    ]
    with Publication(
        start.request.folder(Make.PROFILES), start.request.force, inputs=find_inputs(start.request.inputs)
    ) as publication:
        publication.check(_names(stems))
        jobs: list[_Job] = []
        for organisation, stem in zip(chosen, stems):
            selected = select(linked.get(id(organisation), []), selection, "profile")
            result.findings.extend(selected.findings)
            head = profile_head(start.schema, organisation, list(selected.entries))
            jobs.append(_Job(start.schema, renderer, head, selected, publication.path(stem)))
        _render(jobs, start.request.processes, progress, publication)
        result.used = len({id(e) for job in jobs for e in job.selected.entries})
        result.outputs.extend(publication.commit())
    result.awards = len(chosen)
    if not chosen:
        result.empty_because = (
            "no entry is linked to a partner organisation: link entries through a Partners "
            "column, a collaboration's or further funding's Organisation, or accepted "
            "partner suggestions (`funder-report suggest-partners`)"
        )
    return result


def _portfolio(start: _Start, grouping: dict[str, list[str]] | None, progress: StageProgress | None) -> BuildResult:
    """The portfolio impact report of every award, as Word and Excel: figures per group of
    awards and for all awards, each with the entries it counts. With `since`, only the
    entries new or changed since that submission are counted."""
    result, selection, request = start.result(), start.selection, start.request
    chosen = []
    for award, entries in start.dataset.by_award():
        selected = select(entries, selection, "return", award)
        result.findings.extend(selected.findings)
        kept = list(selected.entries)
        if selected.changes is not None:  # only what is new or changed since the earlier submission
            fresh = {id(item.entry) for item in selected.changes.items if item.kind != REMOVED}
            kept = [e for e in kept if id(e) in fresh]
        chosen.append((award, kept))
    if grouping is not None:
        result.notes.extend(unknown_groups(grouping, start.dataset.awards))
    programme = programme_of(start.dataset.awards, grouping, request.programme)
    subtitle, details = portfolio_heading(
        start.dataset.awards,
        result.entries,
        result.period,
        request.public,
        selection.since if request.since else "",
        programme,
        years_spanned(chosen),
    )
    view = portfolio_report(
        start.schema,
        chosen,
        f"{programme}: portfolio impact report" if programme else "Portfolio impact report",
        subtitle,
        details,
        grouping,
        uk_nations(start.dataset.organisations),
        notes=result.notes,
        generated=f"Generated {generated_date()} by funder-report.",
        progress=progress,
    )
    result.used = len({id(e) for _, kept in chosen for e in kept})
    names = [f"{PORTFOLIO_STEM}{selection.suffix}.docx", f"{PORTFOLIO_STEM}{selection.suffix}.xlsx"]
    with Publication(request.folder(Make.PORTFOLIO), request.force, inputs=start.inputs()) as publication:
        publication.check(names)
        publication.add(names[0], start.renderer.word.render_portfolio(view))
        publication.add(names[1], write_portfolio_report(view))
        result.outputs.extend(publication.commit())
    return result


def _one(
    kind: Make,
    paths: Sequence[Path | str],
    out_dir: Path | str,
    schema: Schema | None,
    progress: StageProgress | None,
    choices: dict[str, Any],
) -> BuildResult:
    request = Request.of(paths, out_dir, (kind,), **choices)
    staged = None if progress is None else (lambda stage, done, total: progress(done, total))
    return run(request, staged, schema).results[kind]


def build(
    paths: Sequence[Path | str] = (),
    out_dir: Path | str = DEFAULT_OUTPUTS,
    schema: Schema | None = None,
    progress: StageProgress | None = None,
    **choices: Any,
) -> BuildResult:
    """Validate the inputs and, when there are no errors, write a Word and an Excel return per
    award (`run` with returns only; `choices` are the Request's: period, public, since, final,
    template, templates, processes, force). A draft marks what a person must check; with
    `final`, those are errors and nothing is written until they are fixed."""
    return _one(Make.RETURNS, paths, out_dir, schema, progress, choices)


def profiles(
    paths: Sequence[Path | str] = (),
    names: Sequence[str] = (),
    out_dir: Path | str = DEFAULT_OUTPUTS,
    schema: Schema | None = None,
    progress: StageProgress | None = None,
    **choices: Any,
) -> BuildResult:
    """A Word and an Excel impact profile per partner organisation (all with entries, or `names`)."""
    return _one(Make.PROFILES, paths, out_dir, schema, progress, {**choices, "partners": tuple(names)})


def portfolio(
    paths: Sequence[Path | str] = (),
    out_dir: Path | str = DEFAULT_OUTPUTS,
    schema: Schema | None = None,
    progress: StageProgress | None = None,
    **choices: Any,
) -> BuildResult:
    """The portfolio impact report of every award in the inputs (`portfolio-report.docx`, `.xlsx`):
    figures per group of awards (the Award sheet's Group column, or the `groups` CSV file)."""
    return _one(Make.PORTFOLIO, paths, out_dir, schema, progress, choices)


def _names(stems: list[str]) -> list[str]:
    return [f"{stem}.{kind}" for stem in stems for kind in ("docx", "xlsx")]


@dataclass
class _Job:
    """One return or profile to make: its view is built, rendered and written by a worker, so
    a build holds one view at a time per core, however large the portfolio."""

    schema: Schema
    renderer: Renderer
    head: Head
    selected: Selected
    stem: Path

    def view(self) -> ReturnView:
        return self.renderer.view(self.schema, self.head, self.selected)

    def write(self, view: ReturnView, kind: str) -> tuple[str, str]:
        """Write the Word ("docx") or Excel ("xlsx") file of the view; (its name, its digest)."""
        data = self.renderer.word.render(view) if kind == "docx" else write_excel_return(view)
        path = write_atomic(self.stem.with_name(f"{self.stem.name}.{kind}"), data)
        return path.name, digest(data)


def _counts(view: ReturnView) -> dict[str, int]:
    return {section.key: section.count for section in view.sections if not section.answers}


Written = tuple[str, str]


def _render_job(job: _Job) -> tuple[tuple[Written, Written], dict[str, int]]:
    """Write the Word and Excel files of one view; ((name, digest) of each, entries per section)."""
    view = job.view()
    return (job.write(view, "docx"), job.write(view, "xlsx")), _counts(view)


def _render_part(part: tuple[_Job, ReturnView, str]) -> Written:
    job, view, kind = part
    return job.write(view, kind)


def _render(
    jobs: list[_Job], processes: int | None, progress: StageProgress | None, publication: Publication
) -> list[tuple[tuple[Written, Written], dict[str, int]]]:
    """Render every job on every core; report progress in items (awards or partners) done.

    With at least as many jobs as cores, each worker builds a view and writes both its files.
    With fewer (one large return), the views are built here and their Word and Excel files are
    written side by side, so a single return still uses two cores.
    """

    def advance(done: int) -> None:
        if progress:
            progress(done, len(jobs))

    if len(jobs) >= (processes or parallel.cores()):
        done = parallel.run(_render_job, jobs, processes, advance)
    else:
        views = [job.view() for job in jobs]
        parts = [(job, view, kind) for job, view in zip(jobs, views) for kind in ("docx", "xlsx")]
        files = parallel.run(_render_part, parts, processes, lambda count: advance(count // 2))
        done = [((files[2 * i], files[2 * i + 1]), _counts(view)) for i, view in enumerate(views)]
    for pair, _ in done:
        for name, value in pair:
            publication.staged(name, value)
    return done


def diff(previous: Sequence[Path | str], current: Sequence[Path | str], schema: Schema | None = None) -> Changes:
    """Entries added, removed and changed between two submissions (workbooks or Excel returns)."""
    schema = schema or load_schema()
    before, _, _ = load(previous, schema, outputs_too=True)
    after, _, _ = load(current, schema, outputs_too=True)
    return compare(before, after, schema)
