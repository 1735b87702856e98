"""What the application's views share: the server's settings, and the `Shared` extension
(`app.extensions["funder-report"]`: settings, visitors' workspaces, the worker pool, the
per-client limits); pages rendered with a status, and unexpected failures logged."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import deque
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import abort, current_app, g, render_template, request

from .pool import Cancelled, Pool, TimedOut
from .state import Batch, Job, Refusal
from .work import WORK_TIMEOUT
from .workspaces import Workspace, Workspaces

__all__ = [
    "VISITOR_COOKIE",
    "Limiter",
    "Settings",
    "Shared",
    "batch_of",
    "client",
    "failure",
    "outcome",
    "page",
    "progress_of",
    "shared",
    "visitor",
]

T = TypeVar("T")
VISITOR_COOKIE = "funder_report_visitor"

log = logging.getLogger("funder-report.serve")


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
    #: The address the server listens on (the Host header must name it, or one of `hosts`).
    bound: str = "127.0.0.1"
    #: Further names visitors reach the page by (a reverse proxy's public name).
    hosts: tuple[str, ...] = ()
    #: The reverse proxy's address: its X-Forwarded-For names the visitor (else every
    #: visitor would be one client to the limits below).
    trusted_proxy: str | None = None
    #: Open connections one client may hold; visitors (workspaces) one client may have;
    #: uploads one client may send a minute.
    connections_per_client: int = 16
    visitors_per_client: int = 30
    uploads_per_minute: int = 30


class Limiter:
    """At most `count` events per client in any `seconds` (a sliding window)."""

    def __init__(self, count: int, seconds: float = 60) -> None:
        self.count, self.seconds = count, seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] > self.seconds:
                times.popleft()
            if len(times) >= self.count:
                return False
            times.append(now)
            if len(self._seen) > 10_000:  # forget the clients gone quiet
                self._seen = {c: t for c, t in self._seen.items() if t and now - t[-1] <= self.seconds}
            return True


@dataclass
class Shared:
    """What every request of one application shares: `app.extensions["funder-report"]`."""

    settings: Settings
    workspaces: Workspaces
    pool: Pool
    pdf: bool
    uploads: Limiter
    blank: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: The key the forms' tokens are made with (new each time the server starts).
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))


def shared() -> Shared:
    found: Shared = current_app.extensions["funder-report"]
    return found


def failure(where: str, error: BaseException, debug: bool) -> None:
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


def page(template: str, status: int, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def client() -> str:
    """The visitor's address (their own, behind a trusted proxy): what per-client limits count."""
    return request.remote_addr or ""


def visitor(create: bool = False) -> Workspace | None:
    """The visitor's workspace (from their cookie); a new one when `create` (a 429 page when
    their address has too many, 503 when the server has)."""
    found = shared().workspaces.get(request.cookies.get(VISITOR_COOKIE))
    if found is None and create:
        workspaces = shared().workspaces
        found = workspaces.create(client())
        if found is None:
            if len(workspaces) >= workspaces.limit:
                abort(503)
            abort(429, "Your computer has started more sessions of this page than it may keep at once.")
        g.new_visitor = found.id
    return found


def batch_of(ident: str) -> tuple[Workspace, Batch]:
    """The visitor's batch `ident`, or 404 (never another visitor's: batches are looked up in
    the visitor's own workspace)."""
    workspace = visitor()
    batch = workspace.batch(ident) if workspace is not None else None
    if workspace is None or batch is None:
        minutes = f"{shared().settings.keep_minutes:g}"
        abort(
            404,
            "These files are no longer here: they were deleted (with Delete my files, or "
            f"{minutes} minutes after your last step), or this browser does not keep the page's "
            "cookie (allow cookies for this site), or the server has restarted. Send the files again.",
        )
    return workspace, batch


def outcome(future: Future[T]) -> T | Refusal:
    """A job's result, or why there is none (in the page's words)."""
    try:
        return future.result()
    except TimedOut:
        return {
            "message": f"This took longer than the server allows ({WORK_TIMEOUT // 60} minutes), so it was stopped.",
            "hint": "Try fewer or smaller workbooks, or ask whoever runs this page.",
        }
    except (Cancelled, CancelledError):
        return {"message": "This was stopped before it finished.", "hint": "Send the files again."}
    except Exception as error:  # a worker that died (out of memory) or a bug
        failure("a worker", error, shared().settings.debug)
        return {
            "message": f"The work could not be finished ({type(error).__name__}).",
            "hint": "Try again; if it happens again, tell whoever runs this page.",
        }


def progress_of(job: Job) -> dict[str, Any]:
    """How far a job has got, as its status file says: state, stage, done, total."""
    if job.future.done():
        return {"state": "done", "stage": "Finished", "done": 1, "total": 1}
    try:
        found = json.loads(job.status.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {}
    return {"stage": "Starting", "done": 0, "total": 0, **found, "state": "running"}
