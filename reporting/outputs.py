"""Write output files atomically: to a temporary file beside the target, then rename.

An interrupted build therefore never leaves a half-written return, and a return that is open
in Word keeps its old content until the new one is complete.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError, UsageError, option


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; raise OutputError with a plain message on failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from None
    handle = None
    try:
        handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                             delete=False)
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _file_mode(path))
        os.replace(handle.name, path)
    except PermissionError:
        _cleanup(handle)
        raise OutputError(f"Cannot write {path}: permission denied.",
                          "Close the file if it is open in Word or Excel, or write to another folder.") from None
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


def _cleanup(handle) -> None:
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


def refuse_overwrite(path: Path, force: bool) -> None:
    """Stop before replacing a file someone may want, unless `force` says to."""
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; not overwriting it.",
                         f"Choose another name with {option('out')}, or add {option('force')} to replace it.",
                         param="out")
