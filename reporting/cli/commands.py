"""The commands around the builds: `init`, `import`, `validate`, `templates export`,
`suggest-partners`, `fix`, `diff` and `serve`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import adding, console, convert, fixing, loading, pipeline, templating
from .. import changes as changes_module
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    _copy_options,
    _echo,
    _echo_json,
    _echo_reports,
    _example,
    _processes_option,
    _run,
    cli,
)


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
@click.option(
    "--award",
    default="",
    metavar="REF",
    help="Attach every entry without an award (a publication list's works) to award REF.",
)
@click.option(
    "--into",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Add the works of publication lists to this workbook: only those it does not list yet, "
    "every row already there kept as it is (with -o, the result is written there instead).",
)
@click.pass_context
def import_(
    ctx: click.Context,
    files: tuple[Path, ...],
    output: Path | None,
    force: bool,
    as_json: bool,
    award: str,
    into: Path | None,
) -> None:
    """Convert FILES into one input workbook (the format is recognised from the content).

    Each file is a GtR project page saved as text, a GtR project record (XML or JSON), GtR API
    JSON, a GtR outcome-search CSV export, a researchfish portfolio export (.xlsx) or a
    publication list (ORCID, BibTeX, RIS, CSL-JSON, Crossref, Europe PMC, EPrints: give the
    award with --award, or add the works to a workbook with --into); a folder means every such
    file in it (a portfolio of GtR project records). Prints how many records it read and wrote
    per section (the two always match), the values it mapped to current wordings, and anything
    it could not place.
    """
    if into is not None:
        added = _run(ctx, lambda: adding.add_to_workbook(files, into, award=award, out=output))
        if as_json:
            _echo_json(added.to_dict())
        else:
            _echo(console.add_lines(added))
        if not added.findings.ok:
            ctx.exit(EXIT_INVALID)
        return
    report = _run(ctx, lambda: convert.import_to_workbook(files, output, force=force, award=award))
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
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name visitors reach the page by (a reverse proxy's public name); repeatable.",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    help="The reverse proxy's address: its X-Forwarded-For header names each visitor.",
)
@_processes_option("Worker processes for checks and builds (default: one per core; one more is kept for short checks).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    token: str | None,
    max_upload_mb: float,
    keep_minutes: float,
    allow_hosts: tuple[str, ...],
    trusted_proxy: str | None,
    processes: int | None,
    no_browser: bool,
) -> None:
    """Serve a web page to check, fix and build workbooks in a browser.

    For the people who fill in the workbooks: they choose a workbook, see every problem, download
    an annotated copy or one with the safe fixes, and build the returns. Each visitor's files
    stay in their own temporary folder and are deleted KEEP-MINUTES after their last step, and
    all of them when the server stops.
    """
    from .. import web  # Flask is loaded by this command only

    settings = web.Settings(
        max_upload_mb=max_upload_mb,
        keep_minutes=keep_minutes,
        token=token,
        processes=processes,
        debug=bool(ctx.obj.get("debug")),
        hosts=allow_hosts,
        trusted_proxy=trusted_proxy,
    )

    def ready(url: str) -> None:
        click.echo(f"Serving funder-report on {url}\nPress Ctrl-C to stop.")
        if not no_browser and sys.stdout.isatty():
            import webbrowser

            webbrowser.open(url)

    try:
        _run(ctx, lambda: web.serve(host, port, settings, ready), interrupt=False)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped; every visitor's files were deleted.", err=True)
