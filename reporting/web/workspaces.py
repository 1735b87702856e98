"""Each visitor's own folder: the files they sent, batch by batch, and what was made from them.

A visitor is known by a random identifier (in a cookie); their files live in a folder of
their own under one private root, never shared and never named by the visitor: a file name
from an upload is cleaned (`safe_name`), kept apart from another of the same name (`distinct`)
and stored in a numbered folder, and a download is looked up among the files this visitor was
given, never joined to a path. Folders left unused for `keep_seconds` are deleted by `sweep`,
which the server runs every minute; a visitor can also delete theirs at once. The root holds
the server's process number, so that a server started later in the same place deletes the
folders of one that died without cleaning up (`sweep_stale`). Standard library only.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .state import Batch

__all__ = ["Workspace", "Workspaces", "distinct", "safe_name", "sweep_stale"]

#: A visitor identifier: 32 URL-safe characters from `secrets` (192 bits).
_ID = re.compile(r"[A-Za-z0-9_-]{32}")
#: Characters Windows, macOS or Linux refuse in a file name, and path separators.
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.I)
#: A stored name's most bytes (UTF-8): every file system takes 255, and the copies made from a
#: workbook add to its name ("-checked", " (2)").
MAX_NAME_BYTES = 150
#: The marker in a server's root: its process number.
MARKER = "server.pid"
PREFIX = "funder-report-serve-"


def _cut(text: str, size: int) -> str:
    """`text` cut to at most `size` bytes of UTF-8, never inside a character."""
    return text.encode("utf-8")[: max(0, size)].decode("utf-8", "ignore")


def safe_name(filename: str, fallback: str = "workbook") -> str:
    """A file name from an upload, made safe to store: only its last part (no folders, no
    `..`), without control or invisible characters or those a file system refuses, at most
    `MAX_NAME_BYTES` bytes, never empty or hidden or a name Windows reserves. Letters of any
    language are kept ("Données 2024.xlsx" stays as it is)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = _cut(suffix.strip(" ."), 10)
    stem = _cut(stem.strip(" ."), MAX_NAME_BYTES - len(suffix.encode()) - 1).strip(" .") or fallback
    if _RESERVED.fullmatch(stem):
        stem = "_" + stem
    return f"{stem}.{suffix}" if suffix else stem


def distinct(names: Iterable[str]) -> list[str]:
    """The names with a number added to each repeat ("outcomes.xlsx", "outcomes (2).xlsx"),
    compared as a file system that ignores case would."""
    taken: set[str] = set()
    result = []
    for name in names:
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, ""
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{stem} ({number}).{suffix}" if suffix else f"{stem} ({number})"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def _alive(pid: int) -> bool:
    """True when process `pid` runs and is a funder-report server (where the system says)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    except OSError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"reporting" in cmdline.read_bytes() or b"funder-report" in cmdline.read_bytes()
    except OSError:
        return True  # no /proc: trust the number


def sweep_stale(parent: Path) -> int:
    """Delete the roots other servers left in `parent` when they died without cleaning up
    (their process has gone); the number deleted."""
    swept = 0
    for root in parent.glob(PREFIX + "*"):
        try:
            pid = int((root / MARKER).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue  # not a root of ours, or one being made
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(root, ignore_errors=True)
            swept += 1
    return swept


#: The batches one visitor keeps; a new one beyond this deletes the oldest that is not busy.
MAX_BATCHES = 20


#: With every place taken, a visitor idle this long (seconds) makes room for a new one.
IDLE_MAKES_ROOM = 300


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass
class Workspace:
    """One visitor's folder: their batches of files, by identifier, oldest first."""

    id: str
    folder: Path
    client: str = ""
    #: The most the visitor's folder may hold (bytes; 0: no limit): older checks make room.
    max_bytes: int = 0
    last_used: float = field(default_factory=time.monotonic)
    batches: OrderedDict[str, Batch] = field(default_factory=OrderedDict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _counter: int = 0

    @property
    def busy(self) -> bool:
        """True while work for this visitor runs (their folder is not swept away)."""
        return any(batch.running() for batch in list(self.batches.values()))

    def _number(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    def new_folder(self, batch: Batch, kind: str) -> Path:
        """A fresh folder in a batch's folder for one step's files (a build, fixed copies...)."""
        folder = batch.folder / f"{self._number():03d}-{kind}"
        folder.mkdir(mode=0o700)
        return folder

    def new_batch(self, files: Iterable[tuple[str, Callable[[Path], Any]]]) -> Batch:
        """A batch of the files sent, each (name as sent, save(path)): stored under its cleaned
        name (repeats numbered) in a numbered folder of its own."""
        files = list(files)
        number = self._number()
        batch = Batch(str(number), self.folder / f"{number:03d}")
        batch.folder.mkdir(mode=0o700)
        names = distinct(safe_name(name) for name, _ in files)
        for index, ((_, save), name) in enumerate(zip(files, names), start=1):
            (batch.folder / "sent" / str(index)).mkdir(mode=0o700, parents=True)
            path = batch.folder / "sent" / str(index) / name
            save(path)
            batch.sent.append(name)
            batch.stored.append((str(path), name))
        with self.lock:
            self.batches[batch.id] = batch
            idle = [b for b in self.batches.values() if not b.running() and b is not batch]
            for old in idle[: max(0, len(self.batches) - MAX_BATCHES)]:
                self.drop(old)
            idle = [b for b in self.batches.values() if not b.running() and b is not batch]
            while idle and self.max_bytes and _size(self.folder) > self.max_bytes:
                self.drop(idle.pop(0))  # the oldest checks go first when the visitor's folder is full
        return batch

    def drop(self, batch: Batch) -> None:
        with self.lock:
            self.batches.pop(batch.id, None)
        shutil.rmtree(batch.folder, ignore_errors=True)

    def batch(self, ident: str) -> Batch | None:
        with self.lock:
            return self.batches.get(ident)


class Workspaces:
    """Every visitor's workspace, under one private temporary root: at most `limit` of them,
    `per_client` for one client address, each holding at most `max_bytes`."""

    def __init__(
        self, keep_seconds: float, root: Path | None = None, limit: int = 500, per_client: int = 30, max_bytes: int = 0
    ) -> None:
        self.keep_seconds = keep_seconds
        self.max_bytes = max_bytes
        self.limit = limit
        self.per_client = per_client
        parent = Path(root or tempfile.gettempdir())
        sweep_stale(parent)
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))  # mode 0700
        (self.root / MARKER).write_text(f"{os.getpid()}\n", encoding="ascii")
        self._all: dict[str, Workspace] = {}
        self._lock = threading.Lock()

    def create(self, client: str = "") -> Workspace | None:
        """A new visitor's workspace, or None when `per_client` from this client have one, or
        `limit` visitors do and none has been idle for `IDLE_MAKES_ROOM` seconds (the one idle
        longest is deleted to make room: many visitors who came once never lock out the next)."""
        self.sweep()
        with self._lock:
            if sum(w.client == client for w in self._all.values()) >= self.per_client:
                return None
            if len(self._all) >= self.limit:
                now = time.monotonic()
                idle = [w for w in self._all.values() if now - w.last_used > IDLE_MAKES_ROOM and not w.busy]
                if not idle:
                    return None
                oldest = min(idle, key=lambda w: w.last_used)
                self._all.pop(oldest.id, None)
                shutil.rmtree(oldest.folder, ignore_errors=True)
            ident = secrets.token_urlsafe(24)
            folder = self.root / ident
            folder.mkdir(mode=0o700)
            workspace = self._all[ident] = Workspace(ident, folder, client, self.max_bytes)
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
        """Delete a workspace's files; whatever its running work writes later goes when it ends."""
        with self._lock:
            self._all.pop(workspace.id, None)
        folder = workspace.folder

        def again(_: object) -> None:  # what the work wrote after the folder went
            shutil.rmtree(folder, ignore_errors=True)

        for batch in list(workspace.batches.values()):
            for job in batch.running():
                job.future.add_done_callback(again)
        shutil.rmtree(folder, ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Delete the workspaces unused for `keep_seconds` (not while a job of theirs runs);
        the number deleted."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [w for w in self._all.values() if now - w.last_used > self.keep_seconds]
        old = [w for w in old if not w.busy]
        for workspace in old:
            self.delete(workspace)
        return len(old)

    def all(self) -> list[Workspace]:
        with self._lock:
            return list(self._all.values())

    def close(self) -> None:
        """Delete every workspace and the root (the server is stopping)."""
        with self._lock:
            self._all.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def __len__(self) -> int:
        return len(self._all)
