"""What the application's views share: the server's settings, and the `Shared` extension
(`app.extensions["funder-report"]`: settings, visitors' workspaces, the worker pool); pages
rendered with a status, and unexpected failures logged."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, render_template

from . import work
from .workspaces import Workspaces

__all__ = ["Settings", "Shared", "failure", "page", "shared"]

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


@dataclass
class Shared:
    """What every request of one application shares: `app.extensions["funder-report"]`."""

    settings: Settings
    workspaces: Workspaces
    runner: work.Runner
    pdf: bool
    blank: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


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
