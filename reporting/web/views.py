"""The pages, as a Flask Blueprint: check, findings, annotate, fix, build, progress, results,
downloads. Each view reads the app's `Shared` extension (settings, workspaces, worker pool)
and the visitor's typed state (`state.VisitorState`); the work itself is `work`'s, in a worker.
"""

from __future__ import annotations

import functools
import io
import json
import shutil
import zipfile
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, g, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import convert
from ..errors import ReportingError
from . import guide, work
from .extension import failure, page, shared
from .state import BuildForm, Built, Check, Job, Notice, Refusal, group_findings
from .workspaces import Workspace

__all__ = ["VISITOR_COOKIE", "pages"]

pages = Blueprint("pages", __name__)

VISITOR_COOKIE = "funder_report_visitor"
#: Findings listed on one page; the annotated copy and the JSON hold every one.
PAGE_LIMIT = 1000
WORK_TIMEOUT = 600
T = TypeVar("T")
View = BaseResponse | str | tuple[str, int]


def _visitor(create: bool = False) -> Workspace | None:
    found = shared().workspaces.get(request.cookies.get(VISITOR_COOKIE))
    if found is None and create:
        found = shared().workspaces.create()
        if found is None:
            abort(503)
        g.new_visitor = found.id
    return found


def _wait(future: Future[T]) -> T | Refusal:
    """A worker's result, or why there is none (in the page's words)."""
    try:
        return future.result(timeout=WORK_TIMEOUT)
    except FutureTimeout:
        return {
            "message": "This took longer than the server allows.",
            "hint": "Try fewer or smaller workbooks, or ask whoever runs this page.",
        }
    except Exception as error:  # a worker that died (out of memory) or a bug
        failure("a worker", error, shared().settings.debug)
        return {
            "message": f"The work could not be finished ({type(error).__name__}).",
            "hint": "Try again; if it happens again, tell whoever runs this page.",
        }


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def _files(workspace: Workspace) -> list[tuple[str, str]]:
    return [(str(upload.path), upload.name) for upload in workspace.uploads]


@pages.get("/")
def start() -> View:
    return render_template("start.html", workspace=_visitor(), pdf=shared().pdf)


@pages.post("/check")
def check() -> View:
    settings = shared().settings
    sent = [f for f in request.files.getlist("workbooks") if f.filename]
    problem = (
        "Choose at least one workbook (.xlsx) to check."
        if not sent
        else f"Send at most {settings.max_files} workbooks at once."
        if len(sent) > settings.max_files
        else ""
    )
    if problem:
        return page("start.html", 400, workspace=_visitor(), pdf=shared().pdf, problem=problem)
    workspace = _visitor(create=True)
    assert workspace is not None
    job = workspace.state.job
    if job is not None and not job.future.done():  # its files would go from under it
        return page(
            "start.html",
            409,
            workspace=workspace,
            pdf=shared().pdf,
            problem="Your build is still running: wait for it to finish, then check other workbooks.",
        )
    try:
        workspace.store_uploads((sent_file.filename or "", sent_file.save) for sent_file in sent)
    finally:
        for sent_file in sent:
            sent_file.close()  # a large upload was spooled to a temporary file
    return _check_uploads(workspace)


def _check_uploads(workspace: Workspace) -> View:
    """Check the visitor's workbooks (as `validate` does), keep the findings for the pages, and
    show them; files the hostile-file gate refused are deleted."""
    result = Check()
    if workspace.uploads:
        with workspace.working():
            found = _wait(shared().runner.submit(work.check, _files(workspace)))
        result = found if isinstance(found, Check) else Check(refused=[{"file": "", **found}])
    stored = {refusal.pop("stored", None) for refusal in result.refused}
    for upload in [u for u in workspace.uploads if str(u.path) in stored]:
        upload.path.unlink(missing_ok=True)
        workspace.uploads.remove(upload)
    workspace.state.check = result
    return redirect(url_for("pages.findings"), 303)


@pages.get("/findings")
def findings() -> View:
    workspace = _visitor()
    if workspace is None or workspace.state.check is None:
        return redirect(url_for("pages.start"), 303)
    result = workspace.state.check
    severity = request.args.get("severity", "")
    sheet = request.args.get("sheet", "")
    shown = [
        f
        for f in result.findings
        if (not severity or f["severity"] == severity) and (not sheet or (f["sheet"] or "Whole workbook") == sheet)
    ]
    build_error, workspace.state.build_error = workspace.state.build_error, None
    return render_template(
        "findings.html",
        workspace=workspace,
        result=result,
        shown=len(shown),
        limit=PAGE_LIMIT,
        groups=group_findings(shown[:PAGE_LIMIT], len(workspace.uploads) > 1),
        severity=severity,
        sheet=sheet,
        sheets=sorted({f["sheet"] or "Whole workbook" for f in result.findings}),
        fixable=result.fixable,
        pdf=shared().pdf,
        notice=workspace.state.notice,
        build_error=build_error,
        form=workspace.state.form,
    )


@pages.get("/findings.json")
def findings_json() -> View:
    workspace = _visitor()
    if workspace is None or workspace.state.check is None:
        abort(404)
    return Response(
        json.dumps(workspace.state.check.to_dict(), indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=findings.json"},
    )


def _step(kind: str, task: Any) -> tuple[Workspace, Any]:
    """Run a step (annotate, fix) on the visitor's workbooks in a worker, into a new folder."""
    workspace = _visitor()
    if workspace is None or not workspace.uploads:
        abort(409, "Check a workbook first.")
    with workspace.working():
        out = workspace.new_folder(kind)
        return workspace, _wait(shared().runner.submit(task, _files(workspace), str(out)))


@pages.post("/annotate")
def annotate() -> View:
    workspace, result = _step("annotated", work.annotate)
    if "outputs" in result:
        workspace.state.notice = Notice(files=workspace.offer([Path(p) for p in result["outputs"]]), what="annotated")
    else:
        workspace.state.notice = Notice(error=result.get("error", result))
    return redirect(url_for("pages.findings") + "#notice", 303)


@pages.post("/fix")
def fix() -> View:
    workspace, result = _step("fixed", work.fix)
    if "reports" not in result:
        workspace.state.notice = Notice(error=result.get("error", result))
        return redirect(url_for("pages.findings") + "#notice", 303)
    for report in result["reports"]:
        [report["download"]] = workspace.offer([Path(report.pop("output"))])
    workspace.state.fixes = result["reports"]
    return redirect(url_for("pages.fixes"), 303)


@pages.get("/fixes")
def fixes() -> View:
    workspace = _visitor()
    if workspace is None or workspace.state.fixes is None:
        return redirect(url_for("pages.start"), 303)
    return render_template("fixes.html", reports=workspace.state.fixes, workspace=workspace)


@pages.post("/fixes/check")
def check_fixed() -> View:
    """Go on with the fixed copies: they become the workbooks checked."""
    workspace = _visitor()
    if workspace is None or workspace.state.fixes is None:
        return redirect(url_for("pages.start"), 303)
    copies = [workspace.files[report["download"]] for report in workspace.state.fixes]
    workspace.store_uploads((copy.name, functools.partial(_copy, copy)) for copy in copies)
    return _check_uploads(workspace)


@pages.post("/build")
def build() -> View:
    workspace = _visitor()
    if workspace is None or not workspace.uploads:
        return redirect(url_for("pages.start"), 303)
    workspace.state.form = BuildForm.of(request.form, shared().pdf)  # shown again as sent
    with workspace.lock:
        job = workspace.state.job
        if job and not job.future.done():
            return redirect(url_for("pages.progress"), 303)
        out = workspace.new_folder("build")
        try:
            asked = work.build_request(_files(workspace), str(out), request.form, shared().pdf)
        except ReportingError as error:  # a period that is not one: said beside the form
            workspace.state.build_error = work.refusal(error, _files(workspace))
            return redirect(url_for("pages.findings") + "#build", 303)
        status = out / "status.json"
        workspace.hold()
        future = shared().runner.submit(work.build, _files(workspace), asked, str(status))
        workspace.state.job = Job(future, status)
    future.add_done_callback(lambda _: workspace.release())
    return redirect(url_for("pages.progress"), 303)


def _job_status(workspace: Workspace) -> dict[str, Any]:
    job = workspace.state.job
    if job is None:
        return {"state": "none"}
    if job.future.done():
        if job.result is None:
            found = _wait(job.future)
            job.result = found if isinstance(found, Built) else Built(False, error=found)
            if job.result.ok:
                job.result.files = workspace.offer([Path(p) for p in job.result.outputs])
        return {"state": "done" if job.result.ok else "failed", "done": 1, "total": 1, "stage": "Finished"}
    try:
        return {
            "stage": "Starting",
            "done": 0,
            "total": 0,
            **json.loads(job.status.read_text(encoding="utf-8")),
            "state": "running",
        }
    except (OSError, ValueError):
        return {"state": "running", "stage": "Starting", "done": 0, "total": 0}


@pages.get("/progress")
def progress() -> View:
    workspace = _visitor()
    if workspace is None or workspace.state.job is None:
        return redirect(url_for("pages.start"), 303)
    status = _job_status(workspace)
    if status["state"] != "running":
        return redirect(url_for("pages.results"), 303)
    return render_template("progress.html", status=status)


@pages.get("/progress.json")
def progress_json() -> dict[str, Any]:
    workspace = _visitor()
    if workspace is None:
        abort(404)
    status = _job_status(workspace)
    status["next"] = url_for("pages.results") if status["state"] in ("done", "failed") else ""
    return status


@pages.get("/results")
def results() -> View:
    workspace = _visitor()
    if workspace is None or workspace.state.job is None:
        return redirect(url_for("pages.start"), 303)
    if _job_status(workspace)["state"] == "running":
        return redirect(url_for("pages.progress"), 303)
    result = workspace.state.job.result
    assert result is not None
    if not result.ok:
        if result.invalid is not None and workspace.state.check is not None:  # entries changed under a final build
            workspace.state.check = workspace.state.check.with_findings(result.invalid)
        workspace.state.build_error = result.error
        return redirect(url_for("pages.findings") + "#build", 303)
    files = [(name, workspace.files[name]) for name in result.files]
    return render_template("results.html", result=result, files=files)


@pages.get("/download/<name>")
def download(name: str) -> View:
    workspace = _visitor()
    path = workspace.files.get(name) if workspace is not None else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=name, max_age=0)


@pages.get("/download-all.zip")
def download_all() -> View:
    workspace = _visitor()
    job = workspace.state.job if workspace is not None else None
    if workspace is None or job is None or job.result is None or not job.result.ok:
        abort(404)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in job.result.files:
            archive.write(workspace.files[name], name)
    buffer.seek(0)
    return send_file(
        buffer, as_attachment=True, download_name="funder-report-returns.zip", mimetype="application/zip", max_age=0
    )


@pages.post("/forget")
def forget() -> View:
    workspace = _visitor()
    if workspace is not None:
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
