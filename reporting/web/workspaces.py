"""Each visitor's own folder: the workbooks they uploaded and the files made from them.

A visitor is known by a random identifier (in a cookie); their files live in a folder of
their own under one private root, never shared and never named by the visitor: a file name
from an upload is cleaned (`safe_name`) and stored in a numbered folder, and a download is
looked up among the files this visitor was given, never joined to a path. Folders left
unused for `keep_seconds` are deleted by `sweep`, which the server runs every minute; a
visitor can also delete theirs at once. Standard library only.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .state import VisitorState

__all__ = ["Upload", "Workspace", "Workspaces", "safe_name"]

#: A visitor identifier: 32 URL-safe characters from `secrets` (192 bits).
_ID = re.compile(r"[A-Za-z0-9_-]{32}")
#: Characters Windows, macOS or Linux refuse in a file name, and path separators.
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.I)
MAX_NAME = 120


def safe_name(filename: str, fallback: str = "workbook") -> str:
    """A file name from an upload, made safe to store: only its last part (no folders, no
    `..`), without control or invisible characters or those a file system refuses, at most
    `MAX_NAME` characters, never empty or hidden or a name Windows reserves. Letters of any
    language are kept ("Données 2024.xlsx" stays as it is)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix.strip(" .")[:10]
    stem = stem.strip(" .")[: MAX_NAME - len(suffix) - 1] or fallback
    if _RESERVED.fullmatch(stem):
        stem = "_" + stem
    return f"{stem}.{suffix}" if suffix else stem


@dataclass
class Upload:
    """A workbook a visitor sent: the name they know it by, and where it is stored."""

    name: str
    path: Path
    size: int


@dataclass
class Workspace:
    """One visitor's folder and what the pages show of it."""

    id: str
    folder: Path
    last_used: float = field(default_factory=time.monotonic)
    uploads: list[Upload] = field(default_factory=list)
    #: Files this visitor may download: their name -> where they are.
    files: dict[str, Path] = field(default_factory=dict)
    #: What the pages show: the latest check, fixes, build.
    state: VisitorState = field(default_factory=VisitorState)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    busy: int = 0
    _counter: int = 0

    def new_folder(self, kind: str) -> Path:
        """A fresh folder in the workspace for one step's files (uploads, a build...)."""
        with self.lock:
            self._counter += 1
            folder = self.folder / f"{self._counter:04d}-{kind}"
        folder.mkdir(mode=0o700)
        return folder

    def hold(self) -> None:
        """A job for this visitor has started: their folder is not swept away until `release`."""
        with self.lock:
            self.busy += 1

    def release(self) -> None:
        with self.lock:
            self.busy -= 1

    @contextmanager
    def working(self) -> Iterator[None]:
        """While a job for this visitor runs, their folder is not swept away."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    def store_uploads(self, files: Iterable[tuple[str, Callable[[Path], Any]]]) -> None:
        """A new set of workbooks, each (name as sent, save(path)): stored under its cleaned name
        in a numbered folder of its own; what was made from the earlier set is deleted."""
        folder = self.new_folder("uploads")
        uploads = []
        for number, (name, save) in enumerate(files, start=1):
            (folder / str(number)).mkdir(mode=0o700)
            path = folder / str(number) / safe_name(name)
            save(path)
            uploads.append(Upload(path.name, path, path.stat().st_size))
        self.replace_uploads(uploads)

    def replace_uploads(self, uploads: list[Upload]) -> None:
        """A new set of workbooks: what was made from the earlier set is deleted."""
        with self.lock:
            keep = {self.folder / upload.path.relative_to(self.folder).parts[0] for upload in uploads}
            for child in self.folder.iterdir():
                if child not in keep:
                    shutil.rmtree(child, ignore_errors=True)
            self.uploads = uploads
            self.files = {}
            self.state = VisitorState()

    def offer(self, paths: list[Path]) -> list[str]:
        """Make files downloadable by their names (a name taken already gets a number)."""
        names = []
        with self.lock:
            for path in paths:
                name, number = path.name, 1
                while name in self.files and self.files[name] != path:
                    number += 1
                    name = f"{path.stem} ({number}){path.suffix}"
                self.files[name] = path
                names.append(name)
        return names


class Workspaces:
    """Every visitor's workspace, under one private temporary root."""

    def __init__(self, keep_seconds: float, root: Path | None = None, limit: int = 500) -> None:
        self.keep_seconds = keep_seconds
        self.limit = limit
        self.root = Path(tempfile.mkdtemp(prefix="funder-report-serve-", dir=root))  # mode 0700
        self._all: dict[str, Workspace] = {}
        self._lock = threading.Lock()

    def create(self) -> Workspace | None:
        """A new visitor's workspace, or None when `limit` visitors already have one."""
        self.sweep()
        with self._lock:
            if len(self._all) >= self.limit:
                return None
            ident = secrets.token_urlsafe(24)
            folder = self.root / ident
            folder.mkdir(mode=0o700)
            workspace = self._all[ident] = Workspace(ident, folder)
            return workspace

    def get(self, ident: str | None) -> Workspace | None:
        """The workspace of this identifier (from a cookie), if it is well formed and alive."""
        if not ident or not _ID.fullmatch(ident):
            return None
        with self._lock:
            workspace = self._all.get(ident)
        if workspace is not None:
            workspace.last_used = time.monotonic()
        return workspace

    def delete(self, workspace: Workspace) -> None:
        with self._lock:
            self._all.pop(workspace.id, None)
        shutil.rmtree(workspace.folder, ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Delete the workspaces unused for `keep_seconds` (not while a job of theirs runs);
        the number deleted."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [w for w in self._all.values() if not w.busy and now - w.last_used > self.keep_seconds]
        for workspace in old:
            self.delete(workspace)
        return len(old)

    def close(self) -> None:
        """Delete every workspace and the root (the server is stopping)."""
        with self._lock:
            self._all.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def __len__(self) -> int:
        return len(self._all)
