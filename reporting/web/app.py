"""The web page's application: check, fix and build in a browser (`funder-report serve`). With
`views`, the only modules that import Flask; the only one that imports waitress.

Flask (with Werkzeug) parses uploads, caps their size, and sends files with names any browser
understands; waitress serves it, threaded, in pure Python on every system a research office
uses. The pages are a Blueprint (`views`); the work itself is done by the library, in worker
processes (`work.Runner`), and each visitor's files stay in their own folder (`workspaces`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, redirect, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..errors import ReportingError, option
from ..version import __version__
from . import work
from .extension import Settings, Shared, failure, page
from .views import VISITOR_COOKIE, pages
from .workspaces import Workspaces

__all__ = ["Settings", "create_app", "serve"]

TOKEN_COOKIE = "funder_report_token"


def is_loopback(host: str) -> bool:
    """True when `host` is reachable from this machine only."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings | None = None) -> Flask:
    """The application: the pages' Blueprint, and in `app.extensions["funder-report"]` what its
    views share (settings, workspaces, worker pool; closed by `close(app)`)."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=int(settings.max_upload_mb * 2**20),
        MAX_FORM_PARTS=settings.max_files + 20,
        TEMPLATES_AUTO_RELOAD=False,
    )
    workspaces = Workspaces(settings.keep_minutes * 60, settings.root)
    app.extensions["funder-report"] = Shared(
        settings, workspaces, work.Runner(settings.processes), work.pdf_available()
    )
    app.jinja_env.globals.update(version=__version__, settings=settings)
    app.jinja_env.filters["plural"] = _plural
    app.before_request(_guard)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _bug)
    app.register_blueprint(pages)
    return app


def _guard() -> BaseResponse | tuple[str, int] | None:
    """The access token (when the server has one), and forms sent from other sites, refused."""
    settings: Settings = current_app.extensions["funder-report"].settings
    if settings.token:
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given.encode(), settings.token.encode()):
            response = redirect(request.path, 303)
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="Strict", secure=request.is_secure)
            return response
        cookie = request.cookies.get(TOKEN_COOKIE, "")
        if not hmac.compare_digest(cookie.encode(), settings.token.encode()):
            return page(
                "message.html",
                403,
                title="Access link needed",
                message="This page is only for people given its access link.",
                hint="Ask whoever runs it for the link (it ends in ?token=…).",
            )
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.host:
            return page(
                "message.html",
                403,
                title="Refused",
                message="This form was sent from another site, so it was refused.",
                hint="Open this page directly and try again.",
            )
    return None


def _headers(response: Response) -> Response:
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


def _http_error(error: HTTPException) -> tuple[str, int]:
    settings: Settings = current_app.extensions["funder-report"].settings
    if isinstance(error, RequestEntityTooLarge):
        return page(
            "message.html",
            413,
            title="Too large",
            message=f"The upload is larger than this page accepts ({settings.max_upload_mb:g} MB).",
            hint="Send fewer workbooks at once, or ask whoever runs this page to raise the limit.",
        )
    if error.code == 503:
        return page(
            "message.html",
            503,
            title="Busy",
            message="Too many people are using this page just now.",
            hint="Try again in a few minutes.",
        )
    return page("message.html", error.code or 500, title=error.name, message=error.description or "")


def _bug(error: Exception) -> tuple[str, int]:
    failure(request.path, error, current_app.extensions["funder-report"].settings.debug)
    return page(
        "message.html",
        500,
        title="Something went wrong",
        message=f"Unexpected failure ({type(error).__name__}). This is a bug in funder-report.",
        hint="Try again; if it happens again, tell whoever runs this page what you did.",
    )


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def close(app: Flask) -> None:
    """Stop the worker processes and delete every visitor's files."""
    shared: Shared = app.extensions["funder-report"]
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
