"""The build pages, as a Flask Blueprint: a build of a check's workbooks (the form made into a
`Request` by `work.build_request`, run in the pool), its progress, its results and downloads.
Each build has its own address under its check's, so an earlier build's files stay offered
while the visitor builds again or checks other files in another tab. A refused build (a final
return's placeholders) is said beside the form; the check's own findings are left as they were.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from concurrent.futures import wait
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..errors import ReportingError
from . import work
from .extension import batch_of, client, outcome, progress_of, shared
from .state import Batch, BuildForm, Built, Job
from .views import SETTLING, STATUS_SECONDS, settle_check

__all__ = ["builds"]

builds = Blueprint("builds", __name__)

View = BaseResponse | str | tuple[str, int]


def _build_of(ident: str, number: int) -> tuple[Batch, Job]:
    _, batch = batch_of(ident)
    if not 1 <= number <= len(batch.builds):
        abort(404)
    return batch, batch.builds[number - 1]


def _settle(batch: Batch, job: Job) -> Built | None:
    """A build's result once finished (None while it runs), its files offered for download."""
    if job.result is None and job.future.done():
        with SETTLING:
            if job.result is None:
                found = outcome(job.future)
                result = found if isinstance(found, Built) else Built(False, error=found)
                if result.ok:
                    result.files = batch.offer([Path(p) for p in result.outputs if Path(p).exists()])
                job.result = result
    return job.result if isinstance(job.result, Built) else None


@builds.post("/checks/<ident>/build")
def build(ident: str) -> View:
    workspace, batch = batch_of(ident)
    if settle_check(batch) is None or not batch.workbooks():
        return redirect(url_for("pages.checked", ident=ident), 303)
    running = [n for n, job in enumerate(batch.builds, start=1) if not job.future.done()]
    if running:  # one build of these workbooks at a time: show the one under way
        return redirect(url_for("builds.built", ident=ident, number=running[0]), 303)
    batch.form = BuildForm.of(request.form, shared().pdf)  # shown again as sent
    batch.build_error, batch.refused_build = None, None
    files = batch.workbooks()
    out = workspace.new_folder(batch, "build")
    try:
        asked = work.build_request(files, str(out), request.form, shared().pdf)
    except ReportingError as error:  # a period that is not one: said beside the form
        batch.build_error = work.refusal(error, files)
        return redirect(url_for("pages.checked", ident=ident) + "#build", 303)
    status = out / "status.json"
    future = shared().pool.submit(work.build, files, asked, str(status), owner=client(), heavy=True)
    batch.builds.append(Job(future, status))
    _forget_old_builds(batch)
    return redirect(url_for("builds.built", ident=ident, number=len(batch.builds)), 303)


#: Builds of one check whose files are kept; an older one's files are deleted by a new build.
KEPT_BUILDS = 5


def _forget_old_builds(batch: Batch) -> None:
    """The files of builds beyond the latest `KEPT_BUILDS` deleted (their pages say so)."""
    for job in batch.builds[:-KEPT_BUILDS]:
        folder = job.status.parent
        if not folder.exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        for name in [n for n, path in batch.files.items() if folder in path.parents]:
            del batch.files[name]
        if isinstance(job.result, Built):
            job.result.files = []


@builds.get("/checks/<ident>/builds/<int:number>")
def built(ident: str, number: int) -> View:
    """A build: how far it has got while it runs, then its files (or, refused, back to the
    findings, where the form says why)."""
    batch, job = _build_of(ident, number)
    result = _settle(batch, job)
    if result is None:
        return render_template(
            "progress.html",
            title="Building the returns",
            status=progress_of(job),
            next=request.path,
            status_url=url_for("builds.build_status", ident=ident, number=number),
        )
    if not result.ok:
        if number == len(batch.builds):  # the latest build's refusal is said beside the form
            batch.build_error, batch.refused_build = result.error, result.invalid
        return redirect(url_for("pages.checked", ident=ident) + "#build", 303)
    files = [(name, batch.files[name]) for name in result.files if name in batch.files]
    return render_template("results.html", result=result, files=files, batch=batch, number=number, kept=KEPT_BUILDS)


@builds.get("/checks/<ident>/builds/<int:number>/status.json")
def build_status(ident: str, number: int) -> dict[str, Any]:
    _, job = _build_of(ident, number)
    if request.args.get("wait"):
        wait([job.future], timeout=STATUS_SECONDS)
    status = progress_of(job)
    status["next"] = url_for("builds.built", ident=ident, number=number) if status["state"] == "done" else ""
    return status


@builds.get("/checks/<ident>/builds/<int:number>/all.zip")
def download_all(ident: str, number: int) -> View:
    batch, job = _build_of(ident, number)
    result = _settle(batch, job)
    if result is None or not result.ok:
        abort(404)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in result.files:
            archive.write(batch.files[name], name)
    buffer.seek(0)
    return send_file(
        buffer, as_attachment=True, download_name="funder-report-returns.zip", mimetype="application/zip", max_age=0
    )
