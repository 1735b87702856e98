"""The library work behind the pages (check, annotate, fix, build), run in worker processes so
that a long build or a hostile workbook never holds up the server and several visitors use
every core.

Each function calls the same library functions as the command line and returns plain data
(findings as their dicts, paths as text) in which the server's folders are replaced by the
names the visitor knows: a visitor never sees where their files are kept. Nothing here knows
about HTTP.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from .. import console, fixing, loading, parallel, pdf, periods, pipeline
from ..errors import InvalidEntries, ReportingError
from ..findings import Findings
from ..outputs import write_atomic
from ..request import PDF_STAGE, Make, Report, Request
from ..schema import load_schema
from ..workbook.guard import check_file
from .state import Built, Check

__all__ = ["Runner", "annotate", "build", "build_request", "check", "fix", "pdf_available", "summary"]

T = TypeVar("T")

#: (stored path, the name the visitor gave it) of each workbook.
Files = list[tuple[str, str]]


def _namer(files: Files) -> Callable[[str], str]:
    """Text with each stored path replaced by the visitor's name for the file."""
    pairs = sorted(((path, name) for path, name in files), key=lambda pair: -len(pair[0]))

    def name(text: str) -> str:
        for path, shown in pairs:
            text = text.replace(path, shown)
        return text

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


def check(files: Files) -> Check:
    """What `funder-report validate --json` reports for these workbooks, plus the workbooks
    the hostile-file gate refused (each with the command line's words), the rows read and how
    many findings the safe fixes would settle."""
    name = _namer(files)
    result = Check()
    readable = []
    for path, shown in files:
        try:
            check_file(Path(path))
            readable.append(path)
        except ReportingError as error:
            result.refused.append({"file": shown, "stored": path, **_refusal(error, name)})
    if readable:
        try:
            dataset, findings, rows = loading.load(readable)
        except ReportingError as error:
            result.refused.append({"file": "", **_refusal(error, name)})
            return result
        result = result.with_findings(_findings(findings, name))
        result.rows, result.awards = rows, len(dataset.awards)
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
STAGES = {
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


def _warm() -> None:
    """A worker's start: load what every job needs once."""
    load_schema()
    threading.current_thread().name = "funder-report-worker"


def _ready() -> bool:
    """A first job, so that every worker has started and loaded its modules before the first
    visitor arrives (the document libraries too: a build should not wait for them)."""
    importlib.import_module("reporting.docx_writer")  # python-docx, for the first return

    time.sleep(0.05)  # long enough for the pool to start a worker per job
    return True


class Runner:
    """A pool of worker processes for the library work (one per core by default). Started
    with forkserver where the system has it (the server has threads, which fork must not copy),
    else spawn; a pool whose worker died (out of memory) is replaced for the next job."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or parallel.cores()
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.processes, mp_context=self._context, initializer=_warm)
        for future in [pool.submit(_ready) for _ in range(self.processes)]:
            future.result()
        return pool

    def submit(self, work: Callable[..., T], *args: Any) -> Future[T]:
        with self._lock:
            try:
                return self._pool.submit(work, *args)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                return self._pool.submit(work, *args)

    def close(self) -> None:
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)
