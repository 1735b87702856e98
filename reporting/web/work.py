"""The library work behind the pages (import and check, annotate, fix, build), run in worker
processes (`pool`) so that a long build or a hostile workbook never holds up the server and
several visitors use every core.

Each function calls the same library functions as the command line and returns plain data
(findings as their dicts, paths as text) in which the server's folders are replaced by the
names the visitor knows: a visitor never sees where their files are kept. Nothing here knows
about HTTP.
"""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .. import console, convert, fixing, importers, loading, pdf, periods, pipeline
from ..errors import InvalidEntries, ReportingError
from ..findings import Findings
from ..outputs import write_atomic
from ..request import PDF_STAGE, READ_STAGE, Make, Report, Request
from ..schema import load_schema
from ..text import plural
from ..workbook.guard import check_file
from .state import Built, Check, Made
from .workspaces import distinct

__all__ = [
    "HEAVY_BYTES",
    "WORK_TIMEOUT",
    "annotate",
    "build",
    "build_request",
    "check",
    "fix",
    "heavy",
    "pdf_available",
    "summary",
    "warm",
]

#: The longest a job may run (seconds) before its worker is stopped.
WORK_TIMEOUT = 600

#: (stored path, the name the visitor gave it) of each workbook.
Files = list[tuple[str, str]]


#: A path in the server's folders that no name replaced (a folder made for a step).
_SERVER_PATH = re.compile(r"""(?:[A-Za-z]:)?[\\/][^\s'"]*funder-report-serve-[^\s'"]*""")


def _namer(files: Files) -> Callable[[str], str]:
    """Text with each stored path replaced by the visitor's name for the file, and any other
    path in the server's folders by its last part: a visitor never sees where files are kept."""
    pairs = sorted(((path, name) for path, name in files), key=lambda pair: -len(pair[0]))

    def name(text: str) -> str:
        for path, shown in pairs:
            text = text.replace(path, shown)
        return _SERVER_PATH.sub(lambda found: Path(found.group()).name, text)

    return name


def _finding(data: dict, name: Callable[[str], str]) -> dict:
    return {key: name(value) if isinstance(value, str) else value for key, value in data.items()}


def _findings(findings: Findings, name: Callable[[str], str]) -> dict[str, Any]:
    """The findings as `validate --json` gives them, in the visitor's names, and how many the
    safe fixes would settle."""
    data = findings.to_dict()
    data["findings"] = [_finding(f, name) for f in data["findings"]]
    data["fixable"] = sum(1 for finding in findings if fixing.is_safe(finding))
    return data


#: The page's words for the library parameters an error may name.
LABELS = {
    "year": "Reporting year",
    "start": "From",
    "end": "To",
    "public": "Public version",
    "final": "Final return",
    "out": "the output folder",
    "output": "the output folder",
}


def _refusal(error: ReportingError, name: Callable[[str], str]) -> dict:
    message, hint = error.words(lambda param: f'"{LABELS.get(param, param)}"')
    return {"message": name(message), "hint": name(hint)}


def refusal(error: ReportingError, files: Files) -> dict:
    """A library error in the page's words, the visitor's file names for the server's paths."""
    return _refusal(error, _namer(files))


#: Files this large (together) are checked as heavy work: never on the last free worker.
HEAVY_BYTES = 2 * 2**20


def heavy(files: Files) -> bool:
    return sum(Path(path).stat().st_size for path, _ in files if Path(path).exists()) > HEAVY_BYTES


def _import_summary(report: convert.ImportReport) -> str:
    """An import's accounting as a sentence: the rows read, the entries written, the rows merged
    as the same outcome and those not placed (the workbook's Import Log lists each)."""
    tallies = report.result.tallies
    rows, merged = sum(t.rows for t in tallies), sum(t.merged for t in tallies)
    unplaced = sum(t.unplaced for t in tallies)
    entries = sum(report.written.values())
    words = [f"{plural(rows, 'row')} read, {plural(entries, 'entry', 'entries')} for {plural(report.awards, 'award')}"]
    if merged:
        words.append(f"{plural(merged, 'row')} merged as the same outcome")
    if unplaced:
        words.append(f"{plural(unplaced, 'row')} not placed (the Import Log sheet lists them)")
    return "; ".join(words)


def check(files: Files, out: str, award: str, status_path: str) -> Check:
    """What `funder-report validate --json` reports for the workbooks sent, after each file that
    `import` reads (a GtR record or export, a researchfish export, a publication list) is made
    into a workbook (`award`: the reference a publication list's works are attached to). A file
    refused (by the hostile-file gate, or as a kind no importer reads) is named with the
    command line's words; the entries read are counted as `validate` counts them."""
    name = _namer(files)
    status = _Status(status_path)
    schema = load_schema()
    result = Check()
    for index, (path, shown) in enumerate(files):
        status(IMPORT_STAGE, index, len(files))
        try:
            if Path(path).suffix.lower() in loading.WORKBOOK_SUFFIXES:
                check_file(Path(path))
            if not importers.wants_import(path, schema):
                result.checked.append((path, shown))
                continue
            folder = Path(out) / str(index + 1)
            folder.mkdir()
            report = convert.import_to_workbook(path, folder, schema, award=award)
        except ReportingError as error:
            result.refused.append({"file": shown, "stored": path, **_refusal(error, name)})
            continue
        made = report.output.name
        taken = [n for _, n in files] + [m.workbook for m in result.made]
        made = distinct([*taken, made])[-1]  # two imports that name their workbook alike stay apart
        workbook = report.output.rename(report.output.with_name(made))
        result.made.append(Made(shown, made, report.result.format, _import_summary(report)))
        result.checked.append((str(workbook), made))
    name = _namer(files + result.checked)
    if result.checked:
        try:
            paths = [path for path, _ in result.checked]
            dataset, findings, rows = loading.load(paths, schema, progress=lambda n, of: status(READ_STAGE, n, of))
        except ReportingError as error:
            result.refused.append({"file": "", **_refusal(error, name)})
            return result
        found = result.with_findings(_findings(findings, name))
        found.rows, found.entries, found.awards = rows, len(dataset.entries), len(dataset.awards)
        return found
    return result


def annotate(files: Files, out: str) -> dict:
    """`validate --annotate`: a copy of each workbook with its problem cells marked."""
    name = _namer(files)
    paths = [path for path, _ in files]
    try:
        _, findings, _ = loading.load(paths)
        written = loading.annotate_inputs(paths, findings, out, force=True)
    except ReportingError as error:
        return {"error": _refusal(error, name)}
    return {"outputs": [str(p) for p in written]}


def fix(files: Files, out: str) -> dict:
    """`funder-report fix`: a copy of each workbook with the safe fixes applied, each change
    listed, and what is left for a person counted."""
    name = _namer(files)
    try:
        reports = fixing.fix_workbooks([path for path, _ in files], out, force=True)
    except ReportingError as error:
        return {"error": _refusal(error, name)}
    shown = dict(files)
    return {
        "reports": [
            {
                "name": shown.get(str(report.source), report.source.name),
                "output": str(report.output),
                "changes": report.to_dict()["changes"],
                "errors": sum(f.severity == "error" for f in report.left),
                "warnings": sum(f.severity == "warning" for f in report.left),
            }
            for report in reports
        ]
    }


def pdf_available() -> bool:
    return pdf.find_soffice() is not None


#: What the progress page says while each stage runs.
#: The stage of a check while the files sent are imported (or found to be workbooks).
IMPORT_STAGE = "import"
STAGES = {
    IMPORT_STAGE: "Reading the files sent",
    READ_STAGE: "Reading and checking the workbooks",
    Make.RETURNS.value: "Writing the returns",
    Make.PROFILES.value: "Writing the partner profiles",
    Make.PORTFOLIO.value: "Writing the portfolio report",
    PDF_STAGE: "Converting to PDF",
}


class _Status:
    """A build's progress, written to a small JSON file the server reads (atomically)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.stage = STAGES.get(stage, stage)
        write_atomic(
            self.path, json.dumps({"state": "running", "stage": self.stage, "done": done, "total": total}).encode()
        )


def build_request(files: Files, out: str, form: Mapping[str, str], pdf_available: bool) -> Request:
    """The request the page's build form makes, each form field straight into its Request field
    (the period as the command line takes it; raises UsageError for a period that is not one)."""

    def text(name: str) -> str | None:
        return form.get(name, "").strip() or None

    make = (
        Make.RETURNS,
        *([Make.PROFILES] if form.get("profiles") else []),
        *([Make.PORTFOLIO] if form.get("portfolio") else []),
    )
    return Request(
        inputs=tuple(Path(path) for path, _ in files),
        out=Path(out),
        make=make,
        period=periods.make_period(text("year"), text("start"), text("end")),
        public=bool(form.get("public")),
        final=bool(form.get("final")),
        pdf=bool(form.get("pdf")) and pdf_available,
        force=True,
        separate=True,
        processes=1,  # one worker per visitor's build: the pool shares the cores out
    )


def build(files: Files, request: Request, status_path: str) -> Built:
    """`pipeline.run` of the page's request (returns, and profiles, the portfolio report and
    PDFs as asked). Progress goes to `status_path` as it is made."""
    name = _namer(files)
    status = _Status(status_path)
    try:
        report = pipeline.run(request, status)
        if report.pdf_error is not None:
            raise report.pdf_error
    except InvalidEntries as invalid:
        findings = invalid.result.findings if invalid.result is not None else Findings()
        return Built(False, invalid=_findings(findings, name), error=_refusal(invalid, name))
    except ReportingError as error:
        return Built(False, error=_refusal(error, name))
    return Built(True, outputs=[str(p) for p in report.outputs], lines=[name(line) for line in summary(report)])


def summary(report: Report) -> list[str]:
    """What the page says of a build, kind by kind: the entries a period left out, the notes and
    what was written (the page lists the files; the command line's advice to run a command is
    left out)."""
    lines: list[str] = []
    for kind, result in report.results.items():
        lines += [line for line in (console.undated_headline(result),) if line]
        lines += [f"Note: {note}" for note in result.notes if "`" not in note]
        headline = console.headline(result, kind)
        if "`" not in headline:
            lines.append(headline)
    return lines


def warm() -> None:
    """A worker's start: load what every job needs once (the document libraries too: a first
    build should not wait for them)."""
    load_schema()
    importlib.import_module("reporting.docx_writer")  # python-docx
    threading.current_thread().name = "funder-report-worker"
