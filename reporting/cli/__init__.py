"""The `funder-report` command line. The only package that imports click.

Each command parses its options, calls the library (the build commands make a `Request` for
`pipeline.run`), prints the result and chooses the exit code: 0 done, 1 invalid entries,
2 usage, 3 could not run. `base` holds the group and what commands share; `building` the
build commands; `commands` the others.
"""

from __future__ import annotations

import signal
import sys

from . import building, commands  # noqa: F401 (importing them adds their commands to the group)
from .base import cli

__all__ = ["cli", "main"]


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a stopped run tidies up as after Ctrl-C


def main() -> None:
    """The command: a polite stop (SIGTERM, or SIGHUP when its terminal closes) is handled as
    Ctrl-C, and text a console cannot show is replaced rather than failing the run."""
    signal.signal(signal.SIGTERM, _terminate)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _terminate)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="funder-report")
