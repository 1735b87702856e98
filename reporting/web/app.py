"""The web pages: check, fix and build in a browser (`funder-report serve`). The only module
that imports Flask and waitress.

Flask (with Werkzeug) parses uploads, caps their size, and sends files with names any browser
understands; waitress serves it, threaded, in pure Python on every system a research office
uses. The work itself is done by the library, in worker processes (`work.Runner`), and each
visitor's files stay in their own folder (`workspaces`).
"""

from __future__ import annotations

import hmac
import io
import ipaddress
import json
import logging
import secrets
import shutil
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import convert
from ..errors import ReportingError, option
from ..fixing import SAFE_CODES
from ..version import __version__
from . import guide, work
from .workspaces import Workspace, Workspaces

__all__ = ["Settings", "create_app", "serve"]

log = logging.getLogger("funder-report.serve")

VISITOR_COOKIE = "funder_report_visitor"
TOKEN_COOKIE = "funder_report_token"
#: Findings listed on one page; the annotated copy and the JSON hold every one.
PAGE_LIMIT = 1000
WORK_TIMEOUT = 600


@dataclass
class Settings:
    """How the server runs; the command line's options."""

    max_upload_mb: float = 25
    keep_minutes: float = 60
    #: The access token visitors need (required when the server listens beyond this machine).
    token: str | None = None
    processes: int | None = None
    max_files: int = 20
    #: Where visitors' folders go (default: the system's temporary folder).
    root: Path | None = None
    #: Log a traceback with each unexpected failure (else one line saying what failed).
    debug: bool = False


def is_loopback(host: str) -> bool:
    """True when `host` is reachable from this machine only."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings | None = None) -> Flask:
    """The application; `app.extensions["funder-report"]` holds its workspaces and runner
    (closed by `close(app)`)."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=int(settings.max_upload_mb * 2**20),
        MAX_FORM_PARTS=settings.max_files + 20,
        TEMPLATES_AUTO_RELOAD=False,
    )
    workspaces = Workspaces(settings.keep_minutes * 60, settings.root)
    shared = _Shared(workspaces, work.Runner(settings.processes), work.pdf_available())
    app.extensions["funder-report"] = shared
    app.jinja_env.globals.update(version=__version__, settings=settings)
    app.jinja_env.filters["plural"] = _plural

    def visitor(create: bool = False) -> Workspace | None:
        found = workspaces.get(request.cookies.get(VISITOR_COOKIE))
        if found is None and create:
            found = workspaces.create()
            if found is None:
                abort(503)
            g.new_visitor = found.id
        return found

    def wait(future) -> dict:
        try:
            return future.result(timeout=WORK_TIMEOUT)
        except FutureTimeout:
            return {
                "error": {
                    "message": "This took longer than the server allows.",
                    "hint": "Try fewer or smaller workbooks, or ask whoever runs this page.",
                }
            }
        except Exception as error:  # a worker that died (out of memory) or a bug
            _failure("a worker", error, settings.debug)
            return {
                "error": {
                    "message": f"The work could not be finished ({type(error).__name__}).",
                    "hint": "Try again; if it happens again, tell whoever runs this page.",
                }
            }

    @app.before_request
    def guard() -> Any:
        if settings.token:
            given = request.args.get("token")
            if given is not None and hmac.compare_digest(given.encode(), settings.token.encode()):
                response = redirect(request.path, 303)
                response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="Strict", secure=request.is_secure)
                return response
            cookie = request.cookies.get(TOKEN_COOKIE, "")
            if not hmac.compare_digest(cookie.encode(), settings.token.encode()):
                return _page(
                    "message.html",
                    403,
                    title="Access link needed",
                    message="This page is only for people given its access link.",
                    hint="Ask whoever runs it for the link (it ends in ?token=…).",
                )
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin and origin != "null" and urlsplit(origin).netloc != request.host:
                return _page(
                    "message.html",
                    403,
                    title="Refused",
                    message="This form was sent from another site, so it was refused.",
                    hint="Open this page directly and try again.",
                )
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        new = g.get("new_visitor")
        if new:
            response.set_cookie(VISITOR_COOKIE, new, httponly=True, samesite="Lax", secure=request.is_secure)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, RequestEntityTooLarge):
            return _page(
                "message.html",
                413,
                title="Too large",
                message=f"The upload is larger than this page accepts ({_mb(settings.max_upload_mb)}).",
                hint="Send fewer workbooks at once, or ask whoever runs this page to raise the limit.",
            )
        if error.code == 503:
            return _page(
                "message.html",
                503,
                title="Busy",
                message="Too many people are using this page just now.",
                hint="Try again in a few minutes.",
            )
        return _page("message.html", error.code or 500, title=error.name, message=error.description or "")

    @app.errorhandler(Exception)
    def bug(error: Exception):
        _failure(request.path, error, settings.debug)
        return _page(
            "message.html",
            500,
            title="Something went wrong",
            message=f"Unexpected failure ({type(error).__name__}). This is a bug in funder-report.",
            hint="Try again; if it happens again, tell whoever runs this page what you did.",
        )

    @app.get("/")
    def start():
        return render_template("start.html", workspace=visitor(), pdf=shared.pdf)

    @app.post("/check")
    def check():
        sent = [f for f in request.files.getlist("workbooks") if f.filename]
        if not sent:
            return _page(
                "start.html",
                400,
                workspace=visitor(),
                pdf=shared.pdf,
                problem="Choose at least one workbook (.xlsx) to check.",
            )
        if len(sent) > settings.max_files:
            return _page(
                "start.html",
                400,
                workspace=visitor(),
                pdf=shared.pdf,
                problem=f"Send at most {settings.max_files} workbooks at once.",
            )
        workspace = visitor(create=True)
        assert workspace is not None
        job = workspace.state.get("job")
        if job is not None and not job.future.done():  # its files would go from under it
            return _page(
                "start.html",
                409,
                workspace=workspace,
                pdf=shared.pdf,
                problem="Your build is still running: wait for it to finish, then check other workbooks.",
            )
        try:
            workspace.store_uploads((sent_file.filename or "", sent_file.save) for sent_file in sent)
        finally:
            for sent_file in sent:
                sent_file.close()  # a large upload was spooled to a temporary file
        return check_uploads(workspace)

    @app.get("/findings")
    def findings():
        workspace = visitor()
        if workspace is None or "check" not in workspace.state:
            return redirect(url_for("start"), 303)
        result = workspace.state["check"]
        severity = request.args.get("severity", "")
        sheet = request.args.get("sheet", "")
        items = result["findings"]
        shown = [
            f
            for f in items
            if (not severity or f["severity"] == severity) and (not sheet or (f["sheet"] or "Whole workbook") == sheet)
        ]
        groups = _group(shown[:PAGE_LIMIT], len(workspace.uploads) > 1)
        sheets = sorted({f["sheet"] or "Whole workbook" for f in items})
        fixable = sum(1 for f in items if f["code"] in SAFE_CODES and f["replacement"] and f["cell"])
        return render_template(
            "findings.html",
            workspace=workspace,
            result=result,
            groups=groups,
            shown=len(shown),
            limit=PAGE_LIMIT,
            severity=severity,
            sheet=sheet,
            sheets=sheets,
            fixable=fixable,
            pdf=shared.pdf,
            notice=workspace.state.get("notice"),
            build_error=workspace.state.pop("build_error", None),
            form=workspace.state.get("form", {}),
        )

    @app.get("/findings.json")
    def findings_json():
        workspace = visitor()
        if workspace is None or "check" not in workspace.state:
            abort(404)
        return Response(
            json.dumps(workspace.state["check"], indent=2),
            mimetype="application/json",
            headers={"Content-Disposition": "attachment; filename=findings.json"},
        )

    def check_uploads(workspace: Workspace):
        """Check the visitor's workbooks (as `validate` does), keep the findings for the pages,
        and show them; files the hostile-file gate refused are deleted."""
        result = _nothing_checked()
        if workspace.uploads:
            with workspace.working():
                result = wait(shared.runner.submit(work.check, _files(workspace)))
        if "error" in result:
            result = {**_nothing_checked(), "refused": [{"file": "", **result["error"]}]}
        _drop_refused(workspace, result)
        workspace.state["check"] = result
        return redirect(url_for("findings"), 303)

    def run_step(kind: str, task: Callable, *args) -> dict:
        workspace = visitor()
        if workspace is None or not workspace.uploads:
            abort(409, "Check a workbook first.")
        with workspace.working():
            out = workspace.new_folder(kind)
            return wait(shared.runner.submit(task, _files(workspace), str(out), *args))

    @app.post("/annotate")
    def annotate():
        result = run_step("annotated", work.annotate)
        workspace = visitor()
        assert workspace is not None
        if "error" in result:
            workspace.state["notice"] = {"error": result["error"]}
        else:
            names = workspace.offer([Path(p) for p in result["outputs"]])
            workspace.state["notice"] = {"files": names, "what": "annotated"}
        return redirect(url_for("findings") + "#notice", 303)

    @app.post("/fix")
    def fix():
        result = run_step("fixed", work.fix)
        workspace = visitor()
        assert workspace is not None
        if "error" in result:
            workspace.state["notice"] = {"error": result["error"]}
            return redirect(url_for("findings") + "#notice", 303)
        for report in result["reports"]:
            [report["download"]] = workspace.offer([Path(report["output"])])
            del report["output"]
        workspace.state["fixes"] = result["reports"]
        return redirect(url_for("fixes"), 303)

    @app.get("/fixes")
    def fixes():
        workspace = visitor()
        if workspace is None or "fixes" not in workspace.state:
            return redirect(url_for("start"), 303)
        return render_template("fixes.html", reports=workspace.state["fixes"], workspace=workspace)

    @app.post("/fixes/check")
    def check_fixed():
        """Go on with the fixed copies: they become the workbooks checked."""
        workspace = visitor()
        if workspace is None or "fixes" not in workspace.state:
            return redirect(url_for("start"), 303)
        copies = [workspace.files[report["download"]] for report in workspace.state["fixes"]]
        workspace.store_uploads((copy.name, lambda path, copy=copy: shutil.copyfile(copy, path)) for copy in copies)
        return check_uploads(workspace)

    @app.post("/build")
    def build():
        workspace = visitor()
        if workspace is None or not workspace.uploads:
            return redirect(url_for("start"), 303)
        form = {
            "year": request.form.get("year", "").strip(),
            "start": request.form.get("start", "").strip(),
            "end": request.form.get("end", "").strip(),
            "public": bool(request.form.get("public")),
            "final": bool(request.form.get("final")),
            "profiles": bool(request.form.get("profiles")),
            "portfolio": bool(request.form.get("portfolio")),
            "pdf": bool(request.form.get("pdf")) and shared.pdf,
        }
        workspace.state["form"] = form
        with workspace.lock:
            job = workspace.state.get("job")
            if job and not job.future.done():
                return redirect(url_for("progress"), 303)
            out = workspace.new_folder("build")
            try:
                build_request = work.build_request(_files(workspace), str(out), form, shared.pdf)
            except ReportingError as error:  # a period that is not one: said beside the form
                workspace.state["build_error"] = work.refusal(error, _files(workspace))
                return redirect(url_for("findings") + "#build", 303)
            status = out / "status.json"
            workspace.busy += 1
            future = shared.runner.submit(work.build, _files(workspace), build_request, str(status))
            workspace.state["job"] = _Job(future, status)
        future.add_done_callback(lambda _: _release(workspace))
        return redirect(url_for("progress"), 303)

    def job_status(workspace: Workspace) -> dict:
        job: _Job | None = workspace.state.get("job")
        if job is None:
            return {"state": "none"}
        if job.future.done():
            if job.result is None:
                job.result = wait(job.future)
                if job.result.get("ok"):
                    job.result["files"] = workspace.offer([Path(p) for p in job.result["outputs"]])
            return {"state": "done" if job.result.get("ok") else "failed", "done": 1, "total": 1, "stage": "Finished"}
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

    @app.get("/progress")
    def progress():
        workspace = visitor()
        if workspace is None or "job" not in workspace.state:
            return redirect(url_for("start"), 303)
        status = job_status(workspace)
        if status["state"] != "running":
            return redirect(url_for("results"), 303)
        return render_template("progress.html", status=status)

    @app.get("/progress.json")
    def progress_json():
        workspace = visitor()
        if workspace is None:
            abort(404)
        status = job_status(workspace)
        status["next"] = url_for("results") if status["state"] in ("done", "failed") else ""
        return status

    @app.get("/results")
    def results():
        workspace = visitor()
        if workspace is None or "job" not in workspace.state:
            return redirect(url_for("start"), 303)
        if job_status(workspace)["state"] == "running":
            return redirect(url_for("progress"), 303)
        result = workspace.state["job"].result
        if not result.get("ok"):
            if "invalid" in result:  # the entries changed under a final build: show its findings
                workspace.state["check"] = {**workspace.state["check"], **result["invalid"]}
            workspace.state["build_error"] = result.get("error")
            return redirect(url_for("findings") + "#build", 303)
        files = [(name, workspace.files[name]) for name in result["files"]]
        return render_template("results.html", result=result, files=files)

    @app.get("/download/<name>")
    def download(name: str):
        workspace = visitor()
        path = workspace.files.get(name) if workspace is not None else None
        if path is None or not path.is_file():
            abort(404)
        return send_file(path, as_attachment=True, download_name=name, max_age=0)

    @app.get("/download-all.zip")
    def download_all():
        workspace = visitor()
        job = workspace.state.get("job") if workspace is not None else None
        if workspace is None or job is None or not job.result or not job.result.get("ok"):
            abort(404)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in job.result["files"]:
                archive.write(workspace.files[name], name)
        buffer.seek(0)
        return send_file(
            buffer, as_attachment=True, download_name="funder-report-returns.zip", mimetype="application/zip", max_age=0
        )

    @app.post("/forget")
    def forget():
        workspace = visitor()
        if workspace is not None:
            workspaces.delete(workspace)
        response = redirect(url_for("start", deleted=1), 303)
        response.delete_cookie(VISITOR_COOKIE)
        return response

    @app.get("/blank.xlsx")
    def blank():
        with shared.lock:
            if shared.blank is None:
                shared.blank = convert.init_workbook(workspaces.root / "outcomes.xlsx", force=True)
        return send_file(shared.blank, as_attachment=True, download_name="outcomes.xlsx", max_age=0)

    @app.get("/guide")
    def guide_page():
        title, html = guide.page()
        return render_template("guide.html", title=title, body=html)

    return app


@dataclass
class _Shared:
    """What every request of one application shares."""

    workspaces: Workspaces
    runner: work.Runner
    pdf: bool
    blank: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class _Job:
    """A visitor's build: running in a worker, its progress in `status`, then its result."""

    future: Future
    status: Path
    result: dict | None = None


def _failure(where: str, error: BaseException, debug: bool) -> None:
    """An unexpected failure, on the console of whoever runs the page: one line (a traceback
    with --debug)."""
    log.error(
        "funder-report serve: unexpected failure in %s (%s: %s); this is a bug%s.",
        where,
        type(error).__name__,
        error,
        "" if debug else " (run with --debug for the traceback)",
        exc_info=error if debug else None,
    )


def _nothing_checked() -> dict:
    """A check's result with no findings, as work.check gives it."""
    return {"refused": [], "rows": 0, "awards": 0, "ok": True, "errors": 0, "warnings": 0, "findings": []}


def _drop_refused(workspace: Workspace, result: dict) -> None:
    """Files the hostile-file gate refused are deleted at once, and not offered to later steps."""
    stored = {refusal.pop("stored", None) for refusal in result["refused"]}
    for upload in [u for u in workspace.uploads if str(u.path) in stored]:
        upload.path.unlink(missing_ok=True)
        workspace.uploads.remove(upload)


def _release(workspace: Workspace) -> None:
    with workspace.lock:
        workspace.busy -= 1


def _files(workspace: Workspace) -> list[tuple[str, str]]:
    return [(str(upload.path), upload.name) for upload in workspace.uploads]


def _page(template: str, status: int, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def _mb(value: float) -> str:
    return f"{value:g} MB"


def _group(items: list[dict], by_file: bool) -> list[dict]:
    """Findings grouped by workbook and sheet: sheets with errors first, errors first in each."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for item in items:
        groups.setdefault((item["file"] if by_file else "", item["sheet"] or "Whole workbook"), []).append(item)
    ordered = []
    for (file, sheet), found in groups.items():
        found.sort(key=lambda f: f["severity"] != "error")
        errors = sum(f["severity"] == "error" for f in found)
        ordered.append(
            {"file": file, "sheet": sheet, "items": found, "errors": errors, "warnings": len(found) - errors}
        )
    ordered.sort(key=lambda group: (group["file"], group["errors"] == 0))
    return ordered


def close(app: Flask) -> None:
    """Stop the worker processes and delete every visitor's files."""
    shared: _Shared = app.extensions["funder-report"]
    shared.runner.close()
    shared.workspaces.close()


def _sweeper(workspaces: Workspaces, stop: threading.Event) -> None:
    interval = max(1.0, min(60.0, workspaces.keep_seconds / 4))
    while not stop.wait(interval):
        workspaces.sweep()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    ready: Callable[[str], None] | None = None,
    threads: int = 16,
) -> None:
    """Serve the pages until interrupted; `ready(url)` is called once listening (the URL holds
    the access token when there is one). Beyond this machine a token is required: one is made
    when none is given. Raises ReportingError when the address cannot be used."""
    from waitress.server import create_server  # only when serving

    settings = settings or Settings()
    if not is_loopback(host) and not settings.token:
        settings.token = secrets.token_urlsafe(18)
    app = create_app(settings)
    # Requests waiting for a thread are normal when many visitors check at once (the work
    # queues for the worker processes anyway): not worth a warning on the console.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        server = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="funder-report",
            max_request_body_size=int(settings.max_upload_mb * 2**20) + 2**20,
            clear_untrusted_proxy_headers=True,
        )
    except OSError as error:
        close(app)
        raise ReportingError(
            f"Cannot listen on {host}:{port} ({error.strerror or error}).",
            f"Choose another port with {option('port')}, or stop what is using it.",
            param="port",
        ) from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{server.effective_port}/"  # type: ignore[union-attr]
    if settings.token:
        url += f"?token={settings.token}"
    stop = threading.Event()
    sweeper = threading.Thread(
        target=_sweeper,
        args=(app.extensions["funder-report"].workspaces, stop),
        daemon=True,
        name="funder-report-sweeper",
    )
    sweeper.start()
    if ready:
        ready(url)
    try:
        server.run()
    finally:
        stop.set()
        server.close()
        close(app)
