"""The pages before a build, as a Flask Blueprint: the start, a check (files sent, imported where
`import` reads them, checked in a worker while the page shows how far it has got), its findings,
the annotated copy, the safe fixes, downloads, deleting. Each check is a `Batch` with its own
address, so two tabs never disturb each other. The work itself is `work`'s, in the pool.
"""

from __future__ import annotations

import functools
import io
import json
import shutil
import threading
import zipfile
from concurrent.futures import wait
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import convert
from . import guide, work
from .extension import VISITOR_COOKIE, batch_of, client, outcome, page, progress_of, shared, visitor
from .state import Batch, Check, Job, group_findings
from .workspaces import Workspace

__all__ = ["SETTLING", "STATUS_SECONDS", "VISITOR_COOKIE", "pages", "settle_check"]

pages = Blueprint("pages", __name__)

#: Findings listed on one page; the annotated copy and the JSON hold every one.
PAGE_LIMIT = 1000
#: How long a request for a running check's page (or its status, asked to wait) waits for the
#: check to finish: a short check's findings come at once, without a progress page between.
SETTLE_SECONDS = 2.0
STATUS_SECONDS = 1.0
#: A finished job's result is taken in once, though two requests (a tab and its status) ask.
SETTLING = threading.Lock()
View = BaseResponse | str | tuple[str, int]


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


@pages.get("/")
def start() -> View:
    return _start_again("", 200)


def _start_again(problem: str, status: int) -> View:
    """The start page (with the visitor's checks, newest first), and what was wrong, if anything."""
    workspace = visitor()
    earlier = list(reversed(workspace.batches.values())) if workspace is not None else []
    return page("start.html", status, earlier=earlier, pdf=shared().pdf, problem=problem)


@pages.post("/check")
def check() -> View:
    sent = [f for f in request.files.getlist("workbooks") if f.filename]  # closed by the app's teardown
    settings = shared().settings
    if not sent:
        return _start_again("Choose at least one file to check.", 400)
    if len(sent) > settings.max_files:
        return _start_again(f"Send at most {settings.max_files} files at once (you sent {len(sent)}).", 400)
    if not shared().uploads.allow(client()):
        abort(429, f"Your computer has sent more than {settings.uploads_per_minute} uploads in the last minute.")
    workspace = visitor(create=True)
    assert workspace is not None
    batch = workspace.new_batch((f.filename or "", f.save) for f in sent)
    _submit_check(workspace, batch, request.form.get("award", "").strip())
    return redirect(url_for("pages.checked", ident=batch.id), 303)


def _submit_check(workspace: Workspace, batch: Batch, award: str) -> None:
    folder = workspace.new_folder(batch, "imported")
    status = batch.folder / "check-status.json"
    future = shared().pool.submit(
        work.check, batch.stored, str(folder), award[:100], str(status), owner=client(), heavy=work.heavy(batch.stored)
    )
    batch.checking = Job(future, status)


def settle_check(batch: Batch) -> Check | None:
    """The batch's check once finished (None while it runs): the files it refused deleted, the
    workbooks it imported offered for download."""
    job = batch.checking
    if batch.check is not None or job is None or not job.future.done():
        return batch.check
    with SETTLING:
        if batch.check is None:
            batch.check = _settled(batch, job)
    return batch.check


def _settled(batch: Batch, job: Job) -> Check:
    found = outcome(job.future)
    result = found if isinstance(found, Check) else Check(refused=[{"file": "", **found}])
    stored = {refusal.pop("stored", None) for refusal in result.refused}
    for path, _ in batch.stored:
        if path in stored or not isinstance(found, Check):
            Path(path).unlink(missing_ok=True)  # whatever a check refuses is deleted
    for made in result.made:
        workbook = next(Path(stored) for stored, shown in result.checked if shown == made.workbook)
        [made.workbook] = batch.offer([workbook])
    return result


@pages.get("/checks/<ident>")
def checked(ident: str) -> View:
    """A check: how far it has got while it runs, then its findings."""
    _, batch = batch_of(ident)
    if batch.checking is not None:
        wait([batch.checking.future], timeout=SETTLE_SECONDS)
    result = settle_check(batch)
    if result is None:
        assert batch.checking is not None
        status = progress_of(batch.checking)
        return render_template(
            "progress.html",
            title="Checking",
            status=status,
            next=request.path,
            status_url=url_for("pages.check_status", ident=ident),
        )
    severity = request.args.get("severity", "")
    sheet = request.args.get("sheet", "")
    shown = [
        f
        for f in result.findings
        if (not severity or f["severity"] == severity) and (not sheet or (f["sheet"] or "Whole workbook") == sheet)
    ]
    everything = group_findings(result.findings, len(result.checked) > 1)
    step_error, batch.step_error = batch.step_error, None
    return render_template(
        "findings.html",
        batch=batch,
        result=result,
        shown=len(shown),
        limit=PAGE_LIMIT,
        groups=group_findings(shown[:PAGE_LIMIT], len(result.checked) > 1),
        summary=everything,
        severity=severity,
        sheet=sheet,
        sheets=sorted({f["sheet"] or "Whole workbook" for f in result.findings}),
        pdf=shared().pdf,
        step_error=step_error,
    )


@pages.get("/checks/<ident>/status.json")
def check_status(ident: str) -> dict[str, Any]:
    _, batch = batch_of(ident)
    assert batch.checking is not None
    if request.args.get("wait"):  # asked to wait a little for the end (the progress page does)
        wait([batch.checking.future], timeout=STATUS_SECONDS)
    status = progress_of(batch.checking)
    status["next"] = url_for("pages.checked", ident=ident) if status["state"] == "done" else ""
    return status


@pages.get("/checks/<ident>/findings.json")
def findings_json(ident: str) -> View:
    _, batch = batch_of(ident)
    if settle_check(batch) is None:
        abort(404)
    assert batch.check is not None
    return Response(
        json.dumps(batch.check.to_dict(), indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=findings.json"},
    )


def _step(ident: str, kind: str, task: Any, done: str) -> tuple[Batch, Any]:
    """Run a step (annotate, fix) on the batch's checked workbooks in a worker, into a new
    folder, and wait for it: (the batch, the step's result), or (the batch, None) when the
    result lacks `done`, the reason kept to be said on the findings page."""
    workspace, batch = batch_of(ident)
    if settle_check(batch) is None or not batch.workbooks():
        abort(409, "Check a workbook first.")
    out = workspace.new_folder(batch, kind)
    files = batch.workbooks()
    result: dict[str, Any] = outcome(
        shared().pool.submit(task, files, str(out), owner=client(), heavy=work.heavy(files))
    )
    if done in result:
        return batch, result
    batch.step_error = result.get("error") or result  # the step's refusal, or why it did not finish
    return batch, None


def _back(ident: str) -> View:
    return redirect(url_for("pages.checked", ident=ident) + "#step-error", 303)


def _send(paths: list[Path], names: list[str], bundle: str) -> View:
    """One file as a download, or several in a .zip."""
    if len(paths) == 1:
        return send_file(paths[0], as_attachment=True, download_name=names[0], max_age=0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in zip(paths, names):
            archive.write(path, name)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=bundle, mimetype="application/zip", max_age=0)


@pages.post("/checks/<ident>/annotate")
def annotate(ident: str) -> View:
    """The annotated copies, downloaded at once (several in a .zip)."""
    batch, result = _step(ident, "annotated", work.annotate, "outputs")
    if result is None:
        return _back(ident)
    paths = [Path(p) for p in result["outputs"]]
    return _send(paths, batch.offer(paths), "annotated-copies.zip")


@pages.post("/checks/<ident>/fix")
def fix(ident: str) -> View:
    batch, result = _step(ident, "fixed", work.fix, "reports")
    if result is None:
        return _back(ident)
    for report in result["reports"]:
        [report["download"]] = batch.offer([Path(report.pop("output"))])
    batch.fixes = result["reports"]
    return redirect(url_for("pages.fixes", ident=ident), 303)


@pages.get("/checks/<ident>/fixes")
def fixes(ident: str) -> View:
    _, batch = batch_of(ident)
    if batch.fixes is None:
        return redirect(url_for("pages.checked", ident=ident), 303)
    return render_template("fixes.html", reports=batch.fixes, batch=batch)


@pages.post("/checks/<ident>/fixes/check")
def check_fixed(ident: str) -> View:
    """Go on with the fixed copies: a new check of them (the check they came from stays)."""
    workspace, batch = batch_of(ident)
    if batch.fixes is None:
        return redirect(url_for("pages.checked", ident=ident), 303)
    copies = [batch.files[report["download"]] for report in batch.fixes]
    fixed = workspace.new_batch((copy.name, functools.partial(_copy, copy)) for copy in copies)
    _submit_check(workspace, fixed, "")
    return redirect(url_for("pages.checked", ident=fixed.id), 303)


@pages.get("/checks/<ident>/download/<name>")
def download(ident: str, name: str) -> View:
    _, batch = batch_of(ident)
    path = batch.files.get(name)
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=name, max_age=0)


@pages.post("/forget")
def forget() -> View:
    """Delete every file of this visitor now; work still running for them is stopped."""
    workspace = visitor()
    if workspace is not None:
        for batch in list(workspace.batches.values()):
            for job in batch.running():
                shared().pool.cancel(job.future)
        shared().workspaces.delete(workspace)
    response = redirect(url_for("pages.start", deleted=1), 303)
    response.delete_cookie(VISITOR_COOKIE)
    return response


@pages.get("/blank.xlsx")
def blank() -> View:
    found = shared()
    with found.lock:
        if found.blank is None:
            found.blank = convert.init_workbook(found.workspaces.root / "outcomes.xlsx", force=True)
    return send_file(found.blank, as_attachment=True, download_name="outcomes.xlsx", max_age=0)


@pages.get("/guide")
def guide_page() -> View:
    title, html = guide.page()
    return render_template("guide.html", title=title, body=html)
