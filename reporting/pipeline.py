"""The returns and profiles: read -> validate -> select -> view -> render -> write, one job
per award (or partner) on every core; and the differences between two submissions.

Nothing here prints or exits; each function returns a result object the CLI reports from."""

from __future__ import annotations


from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from . import parallel
from .changes import REMOVED, Changes, compare
from .errors import InputFileError, InvalidEntries, UsageError
from .findings import ERROR, Findings
from .loading import find_inputs, load
from .model import Award, Entry, Organisation
from .outputs import DEFAULT_OUTPUTS, Publication, digest, unique_name, write_atomic
from .partners import Directory
from .periods import Period
from .portfolio import portfolio_report
from .returns import Head, ReturnView, award_head, portfolio_view, profile_head
from .schema import Schema, load_schema
from .selection import Selected, Selection, select
from .templating import Renderer, generated_date
from .text import plural, slugify
from .xlsx_writer import write_excel_return, write_portfolio_report, write_portfolio_summary

#: Called as (items done, items) while returns or profiles are written.
Progress = Callable[[int, int], None]


@dataclass
class BuildResult:
    """What a build did: the files written and the findings that stopped or accompanied it."""

    outputs: list[Path] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)
    #: Awards (or partners, for profiles) given a file, and entries read.
    awards: int = 0
    entries: int = 0
    rows_read: int = 0
    #: Entries in the files written (fewer than `entries` with a period or --public; an entry
    #: of several awards or partners counts once).
    used: int = 0
    period: str = ""
    public: bool = False
    #: Why nothing was written although the entries are valid (e.g. no partner has entries).
    empty_because: str = ""
    #: Other things the user should know (a Word template lacking styles).
    notes: list[str] = field(default_factory=list)

    @property
    def built(self) -> bool:
        return self.findings.ok

    def to_dict(self) -> dict:
        return {"outputs": [str(p) for p in self.outputs], "files_for": self.awards, "entries_read": self.entries,
                "entries_used": self.used, "period": self.period, "public": self.public,
                "nothing_written_because": self.empty_because, "notes": list(self.notes),
                **self.findings.to_dict()}


#: What a final return may not hold: text standing in for content, links cut short.
NOT_FINAL = ("placeholder", "url-cut-short")


def _final(findings: Findings) -> Findings:
    """The findings of a final build: what a draft only marks is an error."""
    return Findings([replace(f, severity=ERROR, hint=f"{f.hint} A final return may not hold it.".strip())
                     if f.code in NOT_FINAL else f for f in findings])


def _refuse_invalid(result: BuildResult) -> None:
    """Entries with errors stop a build: raise, so that no caller can miss it."""
    if not result.findings.ok:
        errors = len(result.findings.errors)
        raise InvalidEntries(f"Nothing written: {plural(errors, 'error')} must be fixed first.", result=result)


def output_stem(award: Award) -> str:
    """The award part of its files' names: its reference, else its title, made file-safe."""
    if award.reference:
        return slugify(award.reference)
    return slugify(award.title).lower() if award.title else "award"


def build(paths: Sequence[Path | str] = (), out_dir: Path | str = DEFAULT_OUTPUTS,
          schema: Schema | None = None, template: Path | str | None = None,
          progress: Progress | None = None, period: Period | None = None, public: bool = False,
          since: Sequence[Path | str] = (), templates: Path | str | None = None,
          processes: int | None = None, force: bool = False, final: bool = False) -> BuildResult:
    """Validate the inputs and, when there are no errors, write a Word and an Excel return per award.

    A draft marks what a person must check ([Check: placeholder text], [Check: link cut
    short]); with `final`, those are errors and nothing is written until they are fixed.

    `period` keeps the entries dated in it; `public` leaves out Internal entries; `since`
    names the previous submission, whose differences are marked and listed. Files are
    rendered on `processes` processes (default: every core); the files are the same either way.
    `progress(awards done, awards)` is called as returns are written. The files are published
    together (outputs.Publication): a file a person changed is replaced only with `force`, an
    input never, and a failed or interrupted build leaves `out_dir` as it was.
    """
    schema = schema or load_schema()
    renderer = Renderer(templates, template)  # a wrong template is named before any input is read
    dataset, findings, result, selection, earlier = _read(paths, schema, renderer, period, public, since, final)
    taken: set[str] = {"portfolio-summary"}
    groups = dataset.by_award()
    stems = [unique_name(renderer.file_stem("return", stem=output_stem(award), suffix=selection.suffix), taken)
             for award, _ in groups]
    summary_name = f"portfolio-summary{selection.suffix}.xlsx" if len(groups) > 1 else None
    with Publication(out_dir, force, inputs=find_inputs(paths) + earlier) as publication:
        publication.check(_names(stems) + ([summary_name] if summary_name else []))
        jobs: list[_Job] = []
        for (award, entries), stem in zip(groups, stems):
            selected = select(entries, selection, "return", award)
            findings.extend(selected.findings)
            jobs.append(_Job(schema, renderer, award_head(schema, award), selected, publication.path(stem)))
        done = _render(jobs, processes, progress, publication)
        result.used = len({id(e) for job in jobs for e in job.selected.entries})
        if summary_name:
            summary = portfolio_view(schema, [(award, counts) for (award, _), (_, counts) in zip(groups, done)])
            publication.add(summary_name, write_portfolio_summary(summary))
        result.outputs.extend(publication.commit())
    return result


def _read(paths: Sequence[Path | str], schema: Schema, renderer: Renderer, period: Period | None, public: bool,
          since: Sequence[Path | str], final: bool = False):
    """What a build and a portfolio report start with: the inputs read and checked (raising
    InvalidEntries while any has an error), the result to fill in, the selection (with the
    changes since the earlier submission) and the earlier submission's files."""
    earlier = find_inputs(since, outputs_too=True) if since else []  # one missing is named first
    dataset, findings, rows = load(paths, schema)
    if final:
        findings = _final(findings)
    result = BuildResult(findings=findings, awards=len(dataset.awards), entries=len(dataset.entries),
                         rows_read=rows, period=period.label if period else "", public=public,
                         notes=list(renderer.notes))
    _refuse_invalid(result)
    changes = None
    if since:
        previous, _, _ = load(earlier, schema, outputs_too=True)
        changes = compare(previous, dataset, schema)
    selection = Selection(period=period, public=public, changes=changes,
                          since=", ".join(Path(p).name for p in since),
                          awards=frozenset(a.reference or a.title for a in dataset.awards))
    return dataset, findings, result, selection, earlier


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
    return {section.key: len(section.entries) for section in view.sections}


Written = tuple[str, str]


def _render_job(job: _Job) -> tuple[tuple[Written, Written], dict[str, int]]:
    """Write the Word and Excel files of one view; ((name, digest) of each, entries per section)."""
    view = job.view()
    return (job.write(view, "docx"), job.write(view, "xlsx")), _counts(view)


def _render_part(part: tuple[_Job, ReturnView, str]) -> Written:
    job, view, kind = part
    return job.write(view, kind)


def _render(jobs: list[_Job], processes: int | None, progress: Progress | None, publication: Publication):
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


def diff(previous: Sequence[Path | str], current: Sequence[Path | str],
         schema: Schema | None = None) -> Changes:
    """Entries added, removed and changed between two submissions (workbooks or Excel returns)."""
    schema = schema or load_schema()
    before, _, _ = load(previous, schema, outputs_too=True)
    after, _, _ = load(current, schema, outputs_too=True)
    return compare(before, after, schema)


def profiles(paths: Sequence[Path | str] = (), names: Sequence[str] = (),
             out_dir: Path | str = DEFAULT_OUTPUTS, schema: Schema | None = None,
             template: Path | str | None = None, period: Period | None = None,
             public: bool = False, templates: Path | str | None = None,
             processes: int | None = None, progress: Progress | None = None, force: bool = False) -> BuildResult:
    """A Word and an Excel impact profile per partner organisation (all with entries, or `names`),
    published like a build's returns (see `build`)."""
    schema = schema or load_schema()
    renderer = Renderer(templates, template)  # a wrong template is named before any input is read
    dataset, findings, rows = load(paths, schema)
    result = BuildResult(findings=findings, awards=len(dataset.awards), entries=len(dataset.entries),
                         rows_read=rows, period=period.label if period else "", public=public,
                         notes=list(renderer.notes))
    _refuse_invalid(result)
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
    taken: set[str] = set()
    selection = Selection(period=period, public=public)
    stems = [unique_name(renderer.file_stem("profile", name=slugify(o.name).lower(), suffix=selection.suffix), taken)
             for o in chosen]
    with Publication(out_dir, force, inputs=find_inputs(paths)) as publication:
        publication.check(_names(stems))
        jobs: list[_Job] = []
        for organisation, stem in zip(chosen, stems):
            selected = select(linked.get(id(organisation), []), selection, "profile")
            findings.extend(selected.findings)
            head = profile_head(schema, organisation, list(selected.entries))
            jobs.append(_Job(schema, renderer, head, selected, publication.path(stem)))
        _render(jobs, processes, progress, publication)
        result.used = len({id(e) for job in jobs for e in job.selected.entries})
        result.outputs.extend(publication.commit())
    result.awards = len(chosen)
    if not chosen:
        result.empty_because = ("no entry is linked to a partner organisation: link entries through a Partners "
                                "column, a collaboration's or further funding's Organisation, or accepted "
                                "partner suggestions (`funder-report suggest-partners`)")
    return result


PORTFOLIO_STEM = "portfolio-report"


def read_groups(path: Path | str) -> dict[str, list[str]]:
    """A groups file: a CSV with the columns Award Reference and Group (an award in several
    groups has a row for each) -> award reference -> its groups."""
    import csv

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputFileError(f"{path}: cannot be read as a CSV file ({error}).",
                             "Save it as CSV UTF-8 with the columns Award Reference and Group.") from None
    header = [" ".join(cell.split()).casefold() for cell in (rows[0] if rows else [])]
    if "award reference" not in header or "group" not in header:
        raise UsageError(f"{path}: needs the columns Award Reference and Group (found: {', '.join(rows[0][:6]) if rows else 'nothing'}).",
                         "Put the headers in the first row.", param="groups")
    ref, name = header.index("award reference"), header.index("group")
    groups: dict[str, list[str]] = {}
    for row in rows[1:]:
        if len(row) > max(ref, name) and row[ref].strip() and row[name].strip():
            groups.setdefault(row[ref].strip(), []).append(" ".join(row[name].split()))
    return groups


def portfolio(paths: Sequence[Path | str] = (), out_dir: Path | str = DEFAULT_OUTPUTS,
              schema: Schema | None = None, template: Path | str | None = None, period: Period | None = None,
              public: bool = False, since: Sequence[Path | str] = (), templates: Path | str | None = None,
              groups: Path | str | None = None, force: bool = False,
              progress: Progress | None = None) -> BuildResult:
    """The portfolio impact report of every award in the inputs, as Word and Excel
    (`portfolio-report.docx`, `.xlsx`): figures per group of awards (the Award sheet's Group
    column, or the `groups` CSV file) and for all awards, each with the entries it counts.

    `period`, `public` and `since` choose the entries as `build` does; with `since`, only the
    entries new or changed since that submission are counted."""
    schema = schema or load_schema()
    renderer = Renderer(templates, template)
    grouping = read_groups(groups) if groups is not None else None
    dataset, findings, result, selection, earlier = _read(paths, schema, renderer, period, public, since)
    chosen = []
    for award, entries in dataset.by_award():
        selected = select(entries, selection, "return", award)
        findings.extend(selected.findings)
        kept = list(selected.entries)
        if selected.changes is not None:  # only what is new or changed since the earlier submission
            fresh = {id(item.entry) for item in selected.changes.items if item.kind != REMOVED}
            kept = [e for e in kept if id(e) in fresh]
        chosen.append((award, kept))
    if grouping is not None:
        known = {a.reference for a in dataset.awards}
        unknown = sorted(set(grouping) - known)
        if unknown:
            result.notes.append(f"{plural(len(unknown), 'award reference')} in the groups file "
                                f"{'is' if len(unknown) == 1 else 'are'} not in the workbooks: {', '.join(unknown[:5])}"
                                f"{'…' if len(unknown) > 5 else ''}.")
    nations: dict[str, str] = {}
    for organisation in dataset.organisations:
        nation = organisation.values.get("uk_nation")
        if nation:
            for name in [organisation.name, *organisation.aliases]:
                nations[name.casefold().strip()] = nation
    kept_words = " and ".join(filter(None, [f"dated in {period.label}" if period else "",
                                            "not Internal" if public else "",
                                            f"new or changed since {selection.since}" if since else ""]))
    details = [("Awards", f"{len(dataset.awards):,}"), ("Entries", f"{result.entries:,} read" +
                                                         (f"; those {kept_words} counted" if kept_words else ""))]
    funders = sorted({str(a.values.get("funder")) for a in dataset.awards if a.values.get("funder")})
    if funders:
        details.insert(0, ("Funder", ", ".join(funders[:5]) + ("…" if len(funders) > 5 else "")))
    subtitle = " · ".join(filter(None, [period.label if period else "All years", "public version" if public else "",
                                        f"changes since {selection.since}" if since else ""]))
    view = portfolio_report(schema, chosen, "Portfolio impact report", subtitle, details, grouping, nations,
                            notes=result.notes, generated=f"Generated {generated_date()} by funder-report.",
                            progress=progress)
    result.used = len({id(e) for _, kept in chosen for e in kept})
    names = [f"{PORTFOLIO_STEM}{selection.suffix}.docx", f"{PORTFOLIO_STEM}{selection.suffix}.xlsx"]
    with Publication(out_dir, force, inputs=find_inputs(paths) + earlier) as publication:
        publication.check(names)
        publication.add(names[0], renderer.word.render_portfolio(view))
        publication.add(names[1], write_portfolio_report(view))
        result.outputs.extend(publication.commit())
    return result
