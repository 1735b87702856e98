"""Writing output files so that nothing a person made is lost.

- Every file is written atomically: to a temporary file beside the target, then renamed, so a
  file open in Word keeps its old content until the new one is complete.
- The files of one command are published together (`Publication`): written into a hidden
  staging folder beside them and moved into place only when all are complete, so an
  interrupted or failed build leaves the folder as it was, and a Word and Excel pair is
  replaced together or not at all.
- Each folder keeps a manifest (`.funder-report.json`) of the files the tool wrote there and
  their contents' digests. A file the tool wrote and nobody changed may be replaced; a file a
  person changed since, or one the tool never wrote, is replaced only with `force`; an input is
  never replaced.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import OutputError, UsageError, option

MANIFEST = ".funder-report.json"
#: The custom document property that says which of the tool's outputs a workbook is, so that a
#: folder of inputs that also holds returns reads only the inputs.
MARK = "funder-report"


class OutputKind(enum.StrEnum):
    """What a workbook the tool wrote is, as its `MARK` document property says. Input workbooks
    (blank, imported) carry no mark; every kind here is not an input."""

    RETURN = "return"
    PROFILE = "profile"
    PORTFOLIO_SUMMARY = "portfolio summary"
    PORTFOLIO_REPORT = "portfolio report"
    ANNOTATED_COPY = "annotated copy"


#: The marks of the workbooks the tool writes that are not inputs.
NOT_INPUTS = frozenset(kind.value for kind in OutputKind)
STAGING_PREFIX = ".funder-report-staging-"
#: Files named in one message before the rest are counted.
_NAMED = 10


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; raise OutputError with a plain message on failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from None
    handle = None
    try:
        handle = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=f".{os.getpid()}.tmp", delete=False
        )
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _file_mode(path))
        os.replace(handle.name, path)
    except PermissionError:
        _cleanup(handle)
        raise OutputError(
            f"Cannot write {path}: permission denied.",
            "Close the file if it is open in Word or Excel, or write to another folder.",
        ) from None
    except OSError as exc:
        _cleanup(handle)
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    except BaseException:  # interrupted (Ctrl-C): leave no temporary file behind
        _cleanup(handle)
        raise
    return path


def _file_mode(path: Path) -> int:
    """Keep an existing file's permissions; new files get the usual ones (umask applies)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _cleanup(handle: Any) -> None:
    if handle is not None:
        try:
            os.unlink(handle.name)
        except OSError:
            pass


def unique_name(stem: str, taken: set[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`... so that two awards never share an output name."""
    name, n = stem, 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name.casefold())
    return name


WORKBOOK_SUFFIX = ".xlsx"
#: Where commands write when not told: never the inputs/ folder a bare `build` reads.
DEFAULT_OUTPUTS = Path("outputs")


def workbook_path(out: Path | str | None, name: str, folder: Path | str = ".", param: str = "output") -> Path:
    """Where a command that writes one workbook writes it. `-o` (`param`) names the file when it
    ends in .xlsx, a folder otherwise (an existing folder, or a name with no extension), where
    the file is `name`; without `-o` it is `name` in `folder`. Another extension is refused
    (a workbook saved as .xls or .csv would not open as what it says)."""
    if out is None:
        return Path(folder) / name
    path = Path(out)
    if path.is_dir() or str(out).endswith(("/", os.sep)) or not path.suffix:
        return path / name
    if path.suffix.lower() != WORKBOOK_SUFFIX:
        raise UsageError(
            f"{option(param)} {out}: an Excel workbook's name ends in .xlsx, not {path.suffix}.",
            f"Use {path.with_suffix(WORKBOOK_SUFFIX).name}, or name a folder.",
            param=param,
        )
    return path


def copy_paths(files: list[Path], out: Path | str | None, tag: str, force: bool = False) -> list[Path]:
    """Where the copies of `files` go (`NAME-tag.xlsx`): in `out`, a folder (default outputs/),
    or the .xlsx file `out` names when there is one workbook. Refused, before anything is
    read: a copy over an input, over a file a person changed (unless `force`), or several
    copies into one file."""
    if len(files) > 1 and out is not None and Path(out).suffix:
        raise UsageError(
            f"{option('output')} {out} is one file, but there are {len(files)} workbooks to copy.",
            "Name a folder to write each copy in.",
            param="output",
        )
    targets = [workbook_path(out, f"{source.stem}-{tag}{WORKBOOK_SUFFIX}", DEFAULT_OUTPUTS) for source in files]
    for target in targets:
        refuse_input(target, files)
        refuse_overwrite(target, force)
    return targets


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def manifest(folder: Path) -> dict[str, str]:
    """The files the tool wrote in `folder`, by name, with their digests ({} if none)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {}) if isinstance(data, dict) else {}
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def _record(folder: Path, written: dict[str, str]) -> None:
    files = manifest(folder)
    files.update(written)
    files = {name: value for name, value in files.items() if (folder / name).is_file()}
    write_atomic(folder / MANIFEST, json.dumps({"files": dict(sorted(files.items()))}, indent=1).encode())


def edited(path: Path) -> bool:
    """True for an existing file the tool did not write, or one changed since it did."""
    if not path.exists():
        return False
    known = manifest(path.parent).get(path.name)
    return known is None or known != _file_digest(path)


def _refusal(paths: list[Path]) -> UsageError:
    named = ", ".join(str(p) for p in paths[:_NAMED]) + (
        f" and {len(paths) - _NAMED} more" if len(paths) > _NAMED else ""
    )
    one = len(paths) == 1
    return UsageError(
        f"{named} {'was' if one else 'were'} not written by funder-report, or {'has' if one else 'have'} been "
        f"changed since; not replacing {'it' if one else 'them'}.",
        f"Keep your edits by writing elsewhere ({option('out')}), or add {option('force')} to replace "
        f"{'it' if one else 'them'}.",
        param="out",
    )


def refuse_overwrite(path: Path, force: bool) -> None:
    """Stop before replacing a file a person made or changed, unless `force` says to (a file
    this tool wrote and nobody changed is replaced)."""
    if not force and edited(path):
        raise _refusal([path])


def refuse_input(path: Path, inputs: Iterable[Path]) -> None:
    """Stop before writing over one of the command's inputs (whatever `force` says)."""
    if path.resolve() in {Path(p).resolve() for p in inputs}:
        raise UsageError(
            f"{path} is one of the inputs; an input is never overwritten.",
            f"Write the output elsewhere with {option('out')}.",
            param="out",
        )


def write_file(path: Path, data: bytes, force: bool = False, inputs: Iterable[Path] = ()) -> Path:
    """Write one output file and note it in the manifest: never over an input, and over a
    file a person made or changed only with `force`."""
    refuse_input(path, inputs)
    refuse_overwrite(path, force)
    write_atomic(path, data)
    _record(path.parent, {path.name: digest(data)})
    return path


class Publication:
    """Files written together into `folder`: staged, then moved into place all at once.

    `inputs` are never replaced (whatever `force` says); other existing files are replaced only
    when this tool wrote them and nobody changed them, or with `force`. Use as a context
    manager: leaving it with an error removes what was staged and changes nothing.
    """

    def __init__(self, folder: Path | str, force: bool = False, inputs: Iterable[Path] = ()) -> None:
        self.folder = Path(folder)
        self.force = force
        self.inputs = {Path(p).resolve() for p in inputs}
        self.staging = self.folder / f"{STAGING_PREFIX}{os.getpid()}"
        self.written: dict[str, str] = {}

    def __enter__(self) -> Publication:
        self.created = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            clean_stale(self.folder)
            self.staging.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Cannot create the folder {self.folder}: {exc.strerror or exc}.") from None
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        if kind is not None and self.created:
            try:
                self.folder.rmdir()  # made for this run, which wrote nothing: leave no trace
            except OSError:
                pass

    def check(self, names: Iterable[str]) -> None:
        """Refuse, before any work, names that would replace an input or an edited file."""
        targets = [self.folder / name for name in names]
        for target in targets:
            refuse_input(target, self.inputs)
        if not self.force:
            conflicts = [p for p in targets if edited(p)]
            if conflicts:
                raise _refusal(conflicts)

    def path(self, name: str) -> Path:
        """Where to write the file `name` (in the staging folder)."""
        return self.staging / name

    def add(self, name: str, data: bytes) -> Path:
        """Stage one file's bytes."""
        write_atomic(self.path(name), data)
        self.written[name] = digest(data)
        return self.folder / name

    def staged(self, name: str, value: str) -> Path:
        """Note a file a worker wrote into the staging folder, with its digest."""
        self.written[name] = value
        return self.folder / name

    def commit(self) -> list[Path]:
        """Move every staged file into place (after checking again) and record them: all of
        them or, if one cannot be placed (a file locked by Word), none, the old ones put back."""
        self.check(self.written)
        aside = self.staging / "previous"
        done: list[Path] = []
        moved: list[str] = []
        try:
            aside.mkdir(exist_ok=True)
            for name in self.written:
                target = self.folder / name
                if target.exists():
                    os.replace(target, aside / name)
                    moved.append(name)
                os.replace(self.staging / name, target)
                done.append(target)
        except OSError as exc:
            for target in done:
                target.unlink(missing_ok=True)
            for name in moved:
                os.replace(aside / name, self.folder / name)
            raise OutputError(
                f"Cannot write {self.folder / name}: {exc.strerror or exc}; nothing was replaced.",
                "Close the file if it is open in Word or Excel, or write to another folder.",
            ) from None
        _record(self.folder, self.written)
        return done


def clean_stale(folder: Path) -> None:
    """Remove staging folders and temporary files left by a run that was killed."""
    try:
        leftovers = list(folder.iterdir())
    except OSError:
        return
    for path in leftovers:
        if path.name.startswith(STAGING_PREFIX) and path.is_dir():
            pid = path.name[len(STAGING_PREFIX) :]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(".") and path.name.endswith(".tmp") and path.is_file():
            owner = path.name.rsplit(".", 3)
            try:
                if not _alive(int(owner[-2])):
                    path.unlink()
            except (ValueError, IndexError, OSError):
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True
