"""The `funder-report` command line. The only module that imports click.

Each command parses its options, calls one library function, prints the result and chooses
the exit code: 0 done, 1 invalid entries, 2 usage, 3 could not run.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from . import changes as changes_module
from . import console, convert, fixing, loading, periods, pipeline, templating
from .console import Line
from .errors import InvalidEntries, ReportingError
from .request import PDF_STAGE, Make, Request
from .version import __version__

T = TypeVar("T")
#: A click command function (or a command) being decorated.
F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


#: The library's parameters whose command-line options are named differently.
#: Library parameter -> the names it may have on a command (the first one the command has wins).
_PARAMS = {
    "out": ("output", "output_dir", "path", "folder", "annotate_dir"),
    "output": ("output", "output_dir"),
    "year": ("period",),
    "templates": ("templates_dir",),
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


@cli.command(epilog=_example("funder-report init outcomes.xlsx"))
@click.argument("path", type=click.Path(path_type=Path), default="outcomes.xlsx")
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@click.pass_context
def init(ctx: click.Context, path: Path, force: bool) -> None:
    """Write a blank input workbook to PATH (default outcomes.xlsx).

    It has an Award sheet, one sheet per researchfish section headed with the Gateway to
    Research labels, drop-downs on controlled fields and help on every header.
    """
    written = _run(ctx, lambda: convert.init_workbook(path, force=force))
    click.echo(f"Wrote {written}. Fill it in, then run: funder-report build {written}")


@cli.command(
    "import",
    epilog=_example(
        "funder-report import project.xml -o inputs/project.xlsx",
        "funder-report import researchfish-export.xlsx -o inputs/",
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (default: named after the award, in this folder).",
)
@click.option("--force", is_flag=True, help="Replace an output workbook a person has changed.")
@click.option("--json", "as_json", is_flag=True, help="Print what was read and written, and the findings, as JSON.")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], output: Path | None, force: bool, as_json: bool) -> None:
    """Convert FILES into one input workbook (the format is recognised from the content).

    Each file is a GtR project page saved as text, a GtR project record (XML or JSON), GtR API
    JSON, a GtR outcome-search CSV export or a researchfish portfolio export (.xlsx); a folder
    means every such file in it (a portfolio of GtR project records). Prints
    how many records it read and wrote per section (the two always match), the values it mapped
    to current wordings, and anything it could not place.
    """
    report = _run(ctx, lambda: convert.import_to_workbook(files, output, force=force))
    if as_json:
        _echo_json(report.to_dict())
    else:
        _echo(console.import_lines(report, str(files[0]) if len(files) == 1 else report.result.source))
    if not report.ok:
        ctx.exit(EXIT_INVALID)


@cli.command(
    epilog=_example("funder-report validate inputs/", "funder-report validate outcomes.xlsx --annotate checked/")
)
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a copy of each workbook to this folder with problem cells highlighted.",
)
@click.option("--force", is_flag=True, help="With --annotate: replace copies a person has changed.")
@click.pass_context
def validate(
    ctx: click.Context, inputs: tuple[Path, ...], as_json: bool, annotate_dir: Path | None, force: bool
) -> None:
    """Check INPUT workbooks (files or folders; default inputs/) and list every problem.

    Errors block a build; warnings do not. With --annotate DIR, each workbook gets a copy in
    DIR with every problem cell coloured and commented, and a Findings sheet linking to them.
    """
    dataset, findings, rows = _run(ctx, lambda: loading.load(inputs))
    if as_json:
        _echo_json(findings.to_dict())
    elif len(findings):
        _echo(console.findings_lines(findings))
    else:
        click.echo(f"All {rows} rows are valid.")
    if dataset.imported and not as_json:
        _echo(console.imported_lines(dataset.imported, len(dataset.entries)))
    if annotate_dir is not None:
        written = _run(ctx, lambda: loading.annotate_inputs(inputs, findings, annotate_dir, force))
        for path in written:
            click.echo(f"Annotated copy: {path}", err=as_json)
    ctx.exit(EXIT_OK if findings.ok else EXIT_INVALID)


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
        if not self.tty:
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
        "templates_dir",
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
        type=click.Path(file_okay=False, path_type=Path),
        default=pipeline.DEFAULT_OUTPUTS,
        show_default=True,
        help="Folder for the files written.",
    )(command)
    return command


#: What the progress bar says while each stage of a request runs.
_STAGES = {
    Make.RETURNS: "Rendering returns",
    Make.PROFILES: "Rendering profiles",
    Make.PORTFOLIO: "Counting",
    PDF_STAGE: "Converting to PDF",
}


def _request(
    ctx: click.Context,
    kind: Make,
    inputs: tuple[Path, ...],
    output_dir: Path,
    period: str | None,
    start: str | None,
    end: str | None,
    **choices: Any,
) -> Request:
    """The request a build command's options make (the period checked first)."""
    chosen = _run(ctx, lambda: periods.make_period(period, start, end))
    return Request(inputs=inputs, out=output_dir, make=(kind,), period=chosen, **choices)


def _make(ctx: click.Context, request: Request, as_json: bool) -> None:
    """Run a build command's request, print its report, and stop with the right exit code."""
    with _Progress(_STAGES) as progress:
        report = _run(ctx, lambda: pipeline.run(request, progress), as_json)
    [(kind, result)] = report.results.items()
    if not as_json:
        _echo(console.build_lines(result, kind))
        for font in report.missing_fonts:
            click.echo(
                f"Warning: the font {font} is not installed, so the PDF's lines and pages will break "
                "differently from Word's. Install it (on Debian/Ubuntu: fonts-crosextra-carlito and "
                "fonts-crosextra-caladea).",
                err=True,
            )
        for path in report.pdfs:
            click.echo(f"  {path}")
    if report.pdf_error is not None:
        _run(ctx, lambda: _raise(report.pdf_error))
    if as_json:
        _echo_json(report.to_dict())


def _raise(error: BaseException | None) -> None:
    if error is not None:
        raise error


@cli.command(
    epilog=_example(
        "funder-report build inputs/ -o outputs/",
        "funder-report build inputs/ --period 2019 --since last-year/ -o outputs/2019",
    )
)
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@_output_options
@_selection_options
@click.option(
    "--since",
    type=click.Path(path_type=Path),
    multiple=True,
    help="The previous submission (workbook, folder or Excel return): mark what changed.",
)
@click.option(
    "--final", is_flag=True, help="The return to send: placeholder text and links cut short are errors, not marks."
)
@click.pass_context
def build(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    output_dir: Path,
    template: Path | None,
    templates_dir: Path | None,
    pdf: bool,
    processes: int | None,
    period: str | None,
    start: str | None,
    end: str | None,
    public: bool,
    since: tuple[Path, ...],
    force: bool,
    as_json: bool,
    final: bool,
) -> None:
    """Build a Word and an Excel return per award from INPUT workbooks (default inputs/).

    Entries are validated first; while any has an error, no return is written. --period 2019
    or --from 2019-04 --to 2020-03 keeps the entries dated in that period (entries without a
    date are listed); --public leaves out Internal entries; --since PREVIOUS marks new and
    changed entries and lists the changes.
    """
    _make(
        ctx,
        _request(
            ctx,
            Make.RETURNS,
            inputs,
            output_dir,
            period,
            start,
            end,
            public=public,
            since=since,
            final=final,
            template=template,
            templates=templates_dir,
            pdf=pdf,
            processes=processes,
            force=force,
        ),
        as_json,
    )


@cli.command(
    epilog=_example(
        "funder-report profiles inputs/ -o profiles/",
        'funder-report profiles inputs/ --partner "Carbon Co-op" -o profiles/',
    )
)
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--partner",
    "names",
    multiple=True,
    metavar="NAME",
    help="Only this partner (repeat for several). Default: every partner with a linked entry.",
)
@_output_options
@_selection_options
@click.pass_context
def profiles(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    names: tuple[str, ...],
    output_dir: Path,
    template: Path | None,
    templates_dir: Path | None,
    pdf: bool,
    processes: int | None,
    period: str | None,
    start: str | None,
    end: str | None,
    public: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Write a partner impact profile (Word and Excel) per partner organisation.

    A profile holds the organisation's details, counts by section and year, then every entry
    linked to it: through the Partners column, a collaboration's or further funding's
    Organisation, or an accepted partner suggestion.
    """
    _make(
        ctx,
        _request(
            ctx,
            Make.PROFILES,
            inputs,
            output_dir,
            period,
            start,
            end,
            public=public,
            partners=names,
            template=template,
            templates=templates_dir,
            pdf=pdf,
            processes=processes,
            force=force,
        ),
        as_json,
    )


@cli.command(
    epilog=_example(
        "funder-report portfolio inputs/ -o reports/",
        "funder-report portfolio inputs/ --period 2019 --groups groups.csv -o reports/2019",
    )
)
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--groups",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file of Award Reference and Group (default: the Award sheet's Group column).",
)
@_output_options
@_selection_options
@click.option(
    "--since",
    type=click.Path(path_type=Path),
    multiple=True,
    help="The previous submission: count only what is new or changed since.",
)
@click.pass_context
def portfolio(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    groups: Path | None,
    output_dir: Path,
    template: Path | None,
    templates_dir: Path | None,
    pdf: bool,
    processes: int | None,
    period: str | None,
    start: str | None,
    end: str | None,
    public: bool,
    since: tuple[Path, ...],
    force: bool,
    as_json: bool,
) -> None:
    """Write a portfolio impact report (Word and Excel) of every award in INPUT workbooks.

    Per group of awards (the Award sheet's Group column, or --groups FILE) and for all awards:
    entries per section and year, further funding per currency and in GBP by funder sector and
    country, collaborations by partner sector, country, UK nation and organisation, engagement by
    form, reach and audience, influence on policy, publications, recognition and the awards with
    the most outcomes. The Excel report lists the entries behind every figure.
    """
    _make(
        ctx,
        _request(
            ctx,
            Make.PORTFOLIO,
            inputs,
            output_dir,
            period,
            start,
            end,
            public=public,
            since=since,
            groups=groups,
            template=template,
            templates=templates_dir,
            pdf=pdf,
            processes=processes,
            force=force,
        ),
        as_json,
    )


@cli.group(epilog=_example("funder-report templates export my-templates"))
def templates() -> None:
    """Copy out and use your own Word template and texts."""


@templates.command(
    "export",
    epilog=_example(
        "funder-report templates export my-templates", "funder-report build inputs/ --templates my-templates"
    ),
)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace files already in FOLDER.")
@click.pass_context
def templates_export(ctx: click.Context, folder: Path, force: bool) -> None:
    """Copy the default templates into FOLDER for editing.

    return.docx holds the styles, page set-up, header and footer (edit it in Word: Home >
    Styles > Modify); texts.toml holds the cover, header and section intro texts and the file
    name patterns (jinja2 placeholders such as {{ award.title }}). Build with --templates FOLDER.
    """
    for path in _run(ctx, lambda: templating.export_templates(folder, force=force)):
        click.echo(f"Wrote {path}")
    click.echo(f"Edit them, then: funder-report build --templates {folder}")


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


@cli.command(
    "suggest-partners",
    epilog=_example(
        "funder-report suggest-partners inputs/",
        "funder-report suggest-partners outcomes.xlsx -o outcomes-suggested.xlsx",
    ),
)
@_copy_options("Print the suggestions as JSON.")
def suggest_partners(
    ctx: click.Context, inputs: tuple[Path, ...], output: Path | None, force: bool, as_json: bool
) -> None:
    """Propose links between entries and the partner organisations they mention.

    Writes a copy of each INPUT workbook (files or folders; default inputs/) with a Partner
    Suggestions sheet. Nothing is linked until a person puts Yes in its Accept column; build
    and profiles then use the accepted links.
    """
    reports = _run(ctx, lambda: convert.suggest_partners(inputs, output, force=force))
    _echo_reports(reports, as_json, console.suggestion_lines)


@cli.command(epilog=_example("funder-report fix inputs/", "funder-report fix outcomes.xlsx -o outcomes-fixed.xlsx"))
@_copy_options("Print the changes and what is left as JSON.")
def fix(ctx: click.Context, inputs: tuple[Path, ...], output: Path | None, force: bool, as_json: bool) -> None:
    """Write a copy of each INPUT workbook with the safe fixes applied.

    Safe fixes are the ones that cannot be wrong: a list value typed in another case or
    spacing, an older wording of it, a value cut short, a list value Excel turned into a date.
    Each change is listed; the workbook itself is never changed, and everything else is left
    for a person (validate --annotate marks it).
    """
    reports = _run(ctx, lambda: fixing.fix_workbooks(inputs, output, force=force))
    _echo_reports(reports, as_json, console.fix_lines)
    if any(f.severity == "error" for report in reports for f in report.left):
        ctx.exit(EXIT_INVALID)  # the copies were written; entries in them still need a person


@cli.command(
    epilog=_example(
        "funder-report diff last-year.xlsx outcomes.xlsx", "funder-report diff outputs/2019/ inputs/ --json"
    )
)
@click.argument("previous", type=click.Path(path_type=Path))
@click.argument("current", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def diff(ctx: click.Context, previous: Path, current: Path, as_json: bool) -> None:
    """List entries added, removed and changed (field by field) from PREVIOUS to CURRENT.

    Each is a workbook, a folder of workbooks or an earlier Excel return. Entries match by
    Entry ID where both have one, otherwise by section and title (or description), allowing
    titles that are at least 85% alike.
    """
    changes = _run(ctx, lambda: pipeline.diff([previous], [current]))
    if as_json:
        _echo_json(changes.to_dict())
        return
    _echo(console.change_lines(changes, str(previous), str(current), changes_module.SIMILARITY))


@cli.command(epilog=_example("funder-report serve --port 8080", "funder-report serve --host 0.0.0.0 --keep-minutes 30"))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any other than this machine's needs the access token.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--token",
    envvar="FUNDER_REPORT_TOKEN",
    metavar="TEXT",
    help="Access token visitors need (default: none on this machine; made for you on any other).",
)
@click.option(
    "--max-upload-mb",
    type=click.FloatRange(min=0.1),
    default=25,
    show_default=True,
    help="Refuse uploads larger than this.",
)
@click.option(
    "--keep-minutes",
    type=click.FloatRange(min=0.1),
    default=60,
    show_default=True,
    help="Delete a visitor's files this long after their last step.",
)
@_processes_option("Worker processes for checks and builds (default: one per core).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    token: str | None,
    max_upload_mb: float,
    keep_minutes: float,
    processes: int | None,
    no_browser: bool,
) -> None:
    """Serve a web page to check, fix and build workbooks in a browser.

    For the people who fill in the workbooks: they choose a workbook, see every problem, download
    an annotated copy or one with the safe fixes, and build the returns. Each visitor's files
    stay in their own temporary folder and are deleted KEEP-MINUTES after their last step, and
    all of them when the server stops.
    """
    from . import web  # Flask is loaded by this command only

    settings = web.Settings(
        max_upload_mb=max_upload_mb,
        keep_minutes=keep_minutes,
        token=token,
        processes=processes,
        debug=bool(ctx.obj.get("debug")),
    )

    def ready(url: str) -> None:
        click.echo(f"Serving funder-report on {url}\nPress Ctrl-C to stop.")
        if not no_browser and sys.stdout.isatty():
            import webbrowser

            webbrowser.open(url)

    try:
        _run(ctx, lambda: web.serve(host, port, settings, ready), interrupt=False)
    except KeyboardInterrupt:
        click.echo("Stopped; every visitor's files were deleted.", err=True)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a stopped run tidies up as after Ctrl-C


def main() -> None:
    """The command: a polite stop (SIGTERM) is handled as Ctrl-C, and text a console cannot show
    is replaced rather than failing the run."""
    signal.signal(signal.SIGTERM, _terminate)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="funder-report")
