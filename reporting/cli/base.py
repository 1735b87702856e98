"""The command line's machinery: the `funder-report` group, library errors turned into plain
messages and exit codes, coloured lines, JSON, progress bars and the options commands share.
With the other modules of this package, the only code that imports click.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from .. import console, pipeline
from ..console import Line
from ..errors import InvalidEntries, ReportingError
from ..version import __version__

T = TypeVar("T")
#: A click command function (or a command) being decorated.
F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


#: The library's parameters whose command-line options are named differently.
#: Library parameter -> the names it may have on a command (the first one the command has wins).
_PARAMS = {
    "out": ("output", "path", "folder", "annotate_dir"),
    "output": ("out",),
    "year": ("period",),
    "annotate": ("annotate_dir",),
}


def _flag(ctx: click.Context | None, name: str) -> str:
    """How a library parameter is given on this command line (`out` -> `--output`, or
    "another PATH" where the command takes it as an argument)."""
    params = {param.name: param for param in (ctx.command.params if ctx is not None else ()) if param.opts}
    for wanted in (name, *_PARAMS.get(name, ())):
        param = params.get(wanted)
        if param is not None:
            if isinstance(param, click.Argument):
                return f"another {param.human_readable_name}"
            return max(param.opts, key=len)
    return "--" + _PARAMS.get(name, (name,))[0].replace("_", "-")


class _Failed(click.ClickException):
    """A ReportingError shown the click way, with our exit codes and our flags."""

    def __init__(self, error: ReportingError) -> None:
        ctx = click.get_current_context(silent=True)
        message, hint = error.words(lambda name: _flag(ctx, name))
        super().__init__(f"{message}\n{hint}" if hint else message)
        setattr(self, "exit_code", error.exit_code)  # noqa: B010 (click declares it a class variable)


def _run(ctx: click.Context, work: Callable[[], T], as_json: bool = False, interrupt: bool = True) -> T:
    """Call `work`, turning library errors into plain messages (tracebacks only with --debug);
    Ctrl-C is exit 130 unless `interrupt` is False (then it is the caller's)."""
    try:
        return work()
    except InvalidEntries as invalid:
        if invalid.result is None:
            raise _Failed(invalid) from None
        if as_json:
            _echo_json(invalid.result.to_dict())
        else:
            _echo(console.invalid_lines(invalid.result))
        ctx.exit(EXIT_INVALID)
    except ReportingError as error:
        if ctx.obj.get("debug"):
            raise
        raise _Failed(error) from None
    except KeyboardInterrupt:
        if not interrupt:
            raise
        click.echo("Interrupted; no partial files were left behind.", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    except Exception as error:  # a bug: say so plainly, traceback only with --debug
        if ctx.obj.get("debug"):
            raise
        click.echo(
            f"Error: unexpected failure ({type(error).__name__}: {error}).\n"
            "This is a bug in funder-report; run again with --debug and report the output.",
            err=True,
        )
        ctx.exit(EXIT_FAILED)


def _echo_json(data: Any) -> None:
    """JSON on stdout: as written where the output takes any character, else with \\u escapes
    (a console in cp1252 cannot print an emoji, and JSON readers decode the escapes)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    click.echo(json.dumps(data, indent=2, ensure_ascii=encoding not in ("utf8", "utf16", "utf32")))


def _echo(lines: Iterable[Line]) -> None:
    """Print the lines a command reports, coloured on a terminal (click leaves colour out elsewhere)."""
    for line in lines:
        tag = click.style(line.tag, fg=_COLOURS.get(line.tag, "yellow")) + " " if line.tag else ""
        text = click.style(line.text, bold=True) if line.style == "heading" else line.text
        click.echo(line.indent + tag + text, err=line.err)


_COLOURS = {"ERROR": "red", "WARNING": "yellow"}


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["debug"] = True


class _Command(click.Command):
    """A command that also takes the global --debug after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--debug"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_set_debug,
                help="Show tracebacks for unexpected errors.",
            )
        )


class _Group(click.Group):
    command_class = _Command
    group_class = type  # subgroups make their commands the same way


def _example(*lines: str) -> str:
    """An --help epilog; \b keeps click from rewrapping the lines."""
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_example(
        "funder-report init outcomes.xlsx",
        "funder-report validate outcomes.xlsx",
        "funder-report build outcomes.xlsx -o outputs",
    ),
)
@click.version_option(__version__, prog_name="funder-report")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn research outcome spreadsheets into researchfish-style Word and Excel returns.

    Typical use: `funder-report init outcomes.xlsx`, fill it in, then
    `funder-report build outcomes.xlsx`.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


class _Progress:
    """A progress bar per stage of a request (items done), on a terminal only; says what it is
    reading first."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.stage = ""
        self.done = 0

    def __enter__(self) -> _Progress:
        if self.tty:
            click.echo("Reading and checking the workbooks…", err=True)
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.tty or stage not in self.labels:  # reading: said once, in __enter__
            return
        if stage != self.stage:
            self._close()
            self.stage, self.done = stage, 0
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.labels.get(stage, stage), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __exit__(self, *exc: object) -> None:
        self._close()


def _keep_processes(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """-j/--processes, or what the old spelling --jobs gave when it came first."""
    return value if value is not None else ctx.params.get("processes")


def _jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> None:
    if value is not None:
        ctx.params["processes"] = value


def _processes_option(help_text: str) -> Callable[[F], F]:
    """-j/--processes N, with --jobs N (its name before) kept as a hidden alias for old scripts."""

    def decorate(command: F) -> F:
        command = click.option("--jobs", type=click.IntRange(min=1), hidden=True, expose_value=False, callback=_jobs)(
            command
        )
        return click.option(
            "-j", "--processes", type=click.IntRange(min=1), metavar="N", callback=_keep_processes, help=help_text
        )(command)

    return decorate


def _selection_options(command: F) -> F:
    """--period / --from / --to / --public, shared by build and profiles."""
    command = click.option("--public", is_flag=True, help="Leave out entries marked Internal.")(command)
    command = click.option("--to", "end", metavar="YYYY-MM", help="End of a reporting window.")(command)
    command = click.option("--from", "start", metavar="YYYY-MM", help="Start of a reporting window.")(command)
    command = click.option("--period", metavar="YEAR", help="Keep the entries dated in this year (e.g. 2019).")(command)
    return command


def _output_options(command: F) -> F:
    command = click.option("--json", "as_json", is_flag=True, help="Print the files written and the findings as JSON.")(
        command
    )
    command = click.option(
        "--force", is_flag=True, help="Replace output files a person has changed (or that funder-report did not write)."
    )(command)
    command = _processes_option("Processes to render with (default: one per core).")(command)
    command = click.option("--pdf", is_flag=True, help="Also convert each Word file to PDF (needs LibreOffice).")(
        command
    )
    command = click.option(
        "--templates",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of edited templates (from `funder-report templates export`).",
    )(command)
    command = click.option(
        "--template",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Word template to take styles from (default templates/return.docx).",
    )(command)
    command = click.option(
        "-o",
        "--output-dir",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        default=pipeline.DEFAULT_OUTPUTS,
        show_default=True,
        help="Folder for the files written.",
    )(command)
    return command


def _copy_options(json_help: str) -> Callable[[F], F]:
    """INPUT... -o --force --json: the options of the commands that write a copy of each workbook."""

    def decorate(command: F) -> F:
        for option in reversed(
            (
                click.argument("inputs", nargs=-1, type=click.Path(path_type=Path)),
                click.option(
                    "-o",
                    "--output",
                    type=click.Path(path_type=Path),
                    help="Folder for the copies (default outputs/), or a .xlsx file for one workbook.",
                ),
                click.option("--force", is_flag=True, help="Replace copies a person has changed."),
                click.option("--json", "as_json", is_flag=True, help=json_help),
                click.pass_context,
            )
        ):
            command = cast(F, option(command))
        return command

    return decorate


def _echo_reports(reports: Sequence[Any], as_json: bool, lines: Callable[[Any], Iterable[Line]]) -> None:
    """One report per workbook copied: as JSON, or as the lines `lines(reports)` gives."""
    if as_json:
        _echo_json([report.to_dict() for report in reports])
    else:
        _echo(lines(reports))
