"""The web page's application: import, check, fix and build in a browser (`funder-report
serve`). With `views`, `builds` and `extension`, the only modules that import Flask.

Flask (with Werkzeug) parses uploads, caps their size, and sends files with names any browser
understands; waitress serves it (`server`), threaded, in pure Python on every system a research
office uses. The pages are Blueprints (`views`, `builds`); the work itself is done by the
library, in worker processes (`pool`), and each visitor's files stay in their own folder
(`workspaces`). Every request passes `_guard`: the access token, the Host header against the
addresses served, and for every form a token tied to the browser (with Origin and Referer as a
second line), so no other site, or a page that renames itself this server, can drive it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, redirect, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..errors import ReportingError, option
from ..parallel import cores
from ..version import __version__
from . import work
from .builds import builds
from .extension import Limiter, Settings, Shared, failure, page
from .pool import Pool
from .views import VISITOR_COOKIE, pages
from .workspaces import Workspaces

__all__ = ["Settings", "close", "create_app", "host_allowed", "serve"]

TOKEN_COOKIE = "funder_report_token"
#: A random value per browser; each form carries a token made from it with the server's key.
FORM_COOKIE = "funder_report_form"
FORM_FIELD = "form_token"
#: A visitor's folder holds at most this many full uploads' worth (with what was made from
#: them); a new check beyond it deletes their oldest.
VISITOR_UPLOADS = 8


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
        # Parts beyond the files' limit are counted by the view, which says so in its words.
        MAX_FORM_PARTS=max(1000, settings.max_files * 4),
        TEMPLATES_AUTO_RELOAD=False,
    )
    workspaces = Workspaces(
        settings.keep_minutes * 60,
        settings.root,
        per_client=settings.visitors_per_client,
        max_bytes=int(settings.max_upload_mb * 2**20 * VISITOR_UPLOADS),
    )
    pool = Pool(settings.processes or cores(), timeout=work.WORK_TIMEOUT, initializer=work.warm)
    app.extensions["funder-report"] = Shared(
        settings, workspaces, pool, work.pdf_available(), Limiter(settings.uploads_per_minute)
    )
    app.jinja_env.globals.update(version=__version__, settings=settings, form_token=_form_token)
    app.jinja_env.filters["plural"] = _plural
    app.before_request(_guard)
    app.after_request(_headers)
    app.teardown_request(_close_uploads)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _bug)
    app.register_blueprint(pages)
    app.register_blueprint(builds)
    return app


def host_allowed(host: str, settings: Settings) -> bool:
    """True when a request's Host names this server: a loopback name, the address it listens
    on, a name in `settings.hosts`, or (listening on every address) any address literal and this
    machine's own names. A DNS-rebinding page names its own domain, and is refused."""
    name = (urlsplit("//" + host).hostname or "").rstrip(".").lower()
    if name in ("localhost", "127.0.0.1", "::1", settings.bound.lower()):
        return True
    if name in {h.rstrip(".").lower() for h in settings.hosts}:
        return True
    if settings.bound in ("0.0.0.0", "::", ""):
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return name in {socket.gethostname().lower(), socket.getfqdn().lower()}
    return False


def _form_token() -> str:
    """The token the page's forms carry: made from this browser's form cookie (set with the
    response when it has none yet) with the server's key, so another site can neither read
    nor make it."""
    cookie = request.cookies.get(FORM_COOKIE) or g.get("new_form_cookie")
    if not cookie:
        cookie = g.new_form_cookie = secrets.token_urlsafe(24)
    secret = current_app.extensions["funder-report"].secret
    return hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest()


def _same_site() -> bool:
    """A form sent from this site: its Origin (or, without one, its Referer) names this host,
    and "null" (a sandboxed or local page) is refused."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == request.host.lower()
    referer = request.headers.get("Referer")
    return referer is None or urlsplit(referer).netloc.lower() == request.host.lower()


def _guard() -> BaseResponse | tuple[str, int] | None:
    """The Host named, the access token (when the server has one), and forms sent from other
    sites or without this browser's token, refused."""
    settings: Settings = current_app.extensions["funder-report"].settings
    if not host_allowed(request.host, settings):
        return page(
            "message.html",
            400,
            title="Unknown address",
            message="This page was reached by an address it does not serve.",
            hint="Open it by the link whoever runs it gave you.",
        )
    if settings.token:
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given.encode(), settings.token.encode()):
            response = redirect(request.path, 303)
            # Lax, not Strict: a link to the page from mail or the intranet opens it signed in;
            # a form another site sends carries no cookie (and no form token) either way.
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="Lax", secure=request.is_secure)
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
        if (request.content_length or 0) > (current_app.config["MAX_CONTENT_LENGTH"] or 0):
            raise RequestEntityTooLarge()  # said as such, whatever else is wrong with the form
        if not _same_site():
            return page(
                "message.html",
                403,
                title="Refused",
                message="This form was sent from another site, so it was refused.",
                hint="Open this page directly and try again.",
            )
        sent = request.form.get(FORM_FIELD, "") if request.cookies.get(FORM_COOKIE) else ""
        if not sent or not hmac.compare_digest(sent, _form_token()):
            return page(
                "message.html",
                403,
                title="Form out of date",
                message="This form was not sent from the page as this server gave it, or the server has restarted.",
                hint="Go back, reload the page, and send the form again.",
            )
    return None


def _close_uploads(error: BaseException | None) -> None:
    """Uploads spooled to temporary files are closed however the request ended (a form
    refused by the guard never reaches its view)."""
    if request.method == "POST" and "files" in request.__dict__:
        for _, sent in request.files.items(multi=True):
            sent.close()


def _headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"  # frame-ancestors, for browsers that predate it
    # same-origin: a form sends its true Origin (with no-referrer, browsers send "null", refused)
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    new = g.get("new_visitor")
    if new:
        response.set_cookie(VISITOR_COOKIE, new, httponly=True, samesite="Lax", secure=request.is_secure)
    form = g.get("new_form_cookie")
    if form:
        response.set_cookie(FORM_COOKIE, form, httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def _http_error(error: HTTPException) -> tuple[str, int]:
    settings: Settings = current_app.extensions["funder-report"].settings
    if isinstance(error, RequestEntityTooLarge):
        if (request.content_length or 0) <= settings.max_upload_mb * 2**20:  # parts, not bytes
            return page(
                "message.html",
                413,
                title="Too many files",
                message=f"The form sent more files or fields than this page accepts ({settings.max_files} files).",
                hint=f"Send at most {settings.max_files} files at once.",
            )
        return page(
            "message.html",
            413,
            title="Too large",
            message=f"The upload is larger than this page accepts ({settings.max_upload_mb:g} MB).",
            hint="Send fewer files at once, or ask whoever runs this page to raise the limit.",
        )
    if error.code == 429:
        return page(
            "message.html",
            429,
            title="Too many at once",
            message=error.description or "Too many requests from your computer just now.",
            hint="Wait a minute, then try again.",
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
    """Stop the worker processes (and what they run) at once, and delete every visitor's files."""
    shared: Shared = app.extensions["funder-report"]
    shared.pool.close()
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
    threads: int = 64,
) -> None:
    """Serve the pages until interrupted (Ctrl-C, SIGTERM, SIGHUP: each stops the work at once
    and deletes every visitor's files); `ready(url)` is called once listening (the URL holds
    the access token when there is one). Beyond this machine a token is required: one is made
    when none is given. Raises ReportingError when the address cannot be used."""
    settings = settings or Settings()
    settings.bound = host
    if not is_loopback(host) and not settings.token:
        settings.token = secrets.token_urlsafe(18)
    app = create_app(settings)
    # From here on every way out (a stop signal at any moment included) ends the workers and
    # deletes the visitors' files: a stop that skipped this would leave the interpreter waiting
    # for the workers at exit.
    shared: Shared = app.extensions["funder-report"]
    previous: dict[int, Any] = {}
    stop = threading.Event()
    server: Any = None
    try:
        previous = _on_stop(shared.pool)
        # Requests waiting for a thread are normal when many visitors check at once (the work
        # queues for the worker processes anyway): not worth a warning on the console.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        server = _listen(app, host, port, threads, settings)
        threading.Thread(target=_sweeper, args=(shared.workspaces, stop), daemon=True, name="fr-sweeper").start()
        if ready:
            ready(_address(server, host, settings))
        server.run()
    finally:
        stop.set()
        shared.pool.stop()  # running work stopped before the server waits for its requests
        if server is not None:
            server.close()
        close(app)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _listen(app: Flask, host: str, port: int, threads: int, settings: Settings) -> Any:
    from .server import make_server  # only when serving

    try:
        return make_server(
            app,
            host,
            port,
            threads,
            max_body=int(settings.max_upload_mb * 2**21) + 2**20,  # Flask refuses beyond the limit, as a page
            per_client=settings.connections_per_client,
            trusted_proxy=settings.trusted_proxy,
        )
    except OSError as error:
        raise ReportingError(
            f"Cannot listen on {host}:{port} ({error.strerror or error}).",
            f"Choose another port with {option('port')}, or stop what is using it.",
            param="port",
        ) from None


def _address(server: Any, host: str, settings: Settings) -> str:
    """The address to open: the one listened on (the loopback one when listening on every
    address), with the access token when there is one."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    port_used = server.effective_port if hasattr(server, "effective_port") else server.effective_listen[0][1]
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port_used}/"
    return url + f"?token={settings.token}" if settings.token else url


def _on_stop(pool: Pool) -> dict[int, Any]:
    """Ctrl-C, SIGTERM and SIGHUP stop the work first (so that no request waits for it), then
    the server, as Ctrl-C does. The handlers they had are returned."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        pool.stop()
        if not stopping.is_set():  # a second signal does not interrupt the tidying up
            stopping.set()
            raise KeyboardInterrupt

    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, stop)
    return previous
