"""The `funder-report` command line. The only module that imports click.

Each command parses its options, calls one library function, prints the result and chooses
the exit code: 0 done, 1 invalid entries, 2 usage, 3 could not run.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from . import changes as changes_module, pdf as pdf_module, periods, pipeline
from .version import __version__
from .errors import ReportingError
from .findings import Finding, Findings
from .schema import load_schema
from .text import plural

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class _Failed(click.ClickException):
    """A ReportingError shown the click way, with our exit codes."""

    def __init__(self, error: ReportingError) -> None:
        super().__init__(str(error))
        setattr(self, "exit_code", error.exit_code)  # click's exit code is a class default


def _run(ctx: click.Context, work):
    """Call `work`, turning library errors into plain messages (tracebacks only with --debug)."""
    try:
        return work()
    except ReportingError as error:
        if ctx.obj.get("debug"):
            raise
        raise _Failed(error) from None
    except KeyboardInterrupt:
        click.echo("Interrupted; no partial files were left behind.", err=True)
        ctx.exit(130)
    except Exception as error:  # a bug: say so plainly, traceback only with --debug
        if ctx.obj.get("debug"):
            raise
        click.echo(f"Error: unexpected failure ({type(error).__name__}: {error}).\n"
                   "This is a bug in funder-report; run again with --debug and report the output.",
                   err=True)
        ctx.exit(EXIT_FAILED)


def _print_findings(findings: Findings, limit: int | None = None) -> None:
    """Findings grouped by file and sheet, errors first, then a one-line summary."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.file, finding.sheet)].append(finding)
    shown = 0
    for (file, sheet), items in groups.items():
        click.echo(click.style(f"{file}" + (f" / {sheet}" if sheet else ""), bold=True), err=True)
        for finding in sorted(items, key=lambda f: f.severity != "error"):
            if limit is not None and shown >= limit:
                break
            colour = "red" if finding.severity == "error" else "yellow"
            tag = click.style(finding.severity.upper(), fg=colour)
            click.echo(f"  {tag} {finding.describe()}", err=True)
            shown += 1
    if limit is not None and len(findings) > limit:
        click.echo(f"  … and {len(findings) - limit} more (run `funder-report validate` for all). By kind:",
                   err=True)
        kinds: dict[tuple[str, str, str], int] = defaultdict(int)
        for finding in findings:
            kinds[(finding.severity, finding.code, finding.field)] += 1
        for (severity, code, field), count in sorted(kinds.items(), key=lambda kv: -kv[1]):
            click.echo(f"    {count:>6}  {severity} {code}" + (f" ({field})" if field else ""), err=True)
    click.echo(f"{findings.summary()}.", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="outcomes.xlsx")
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@click.pass_context
def init(ctx: click.Context, path: Path, force: bool) -> None:
    """Write a blank input workbook to PATH (default outcomes.xlsx).

    It has an Award sheet, one sheet per researchfish section headed with the Gateway to
    Research labels, drop-downs on controlled fields and help on every header.
    """
    written = _run(ctx, lambda: pipeline.init_workbook(path, force=force))
    click.echo(f"Wrote {written}. Fill it in, then run: funder-report build {written}")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook to write (default: named after the award, in this folder).")
@click.option("--force", is_flag=True, help="Replace the output workbook if it exists.")
@click.pass_context
def import_(ctx: click.Context, file: Path, output: Path | None, force: bool) -> None:
    """Convert FILE into an input workbook (the format is recognised from the content).

    FILE is a GtR project page saved as text, a GtR project record (XML or JSON), GtR API
    JSON, a GtR outcome-search CSV export or a researchfish portfolio export (.xlsx). Prints
    how many records it read and wrote per section (the two always match), the values it mapped
    to current wordings, and anything it could not place.
    """
    report = _run(ctx, lambda: pipeline.import_to_workbook(file, output, force=force))
    schema = load_schema()
    titles = {section.key: section.title for section in schema.sections}
    click.echo(f"Read {file} ({report.result.format}).")
    click.echo(_import_table(report.result.tallies, titles))
    if report.mappings:
        click.echo("Mapped to current wordings:")
        for (label, old, new), count in sorted(report.mappings.items()):
            times = f" ({count} times)" if count > 1 else ""
            click.echo(f'  {label}: "{old}" -> "{new}"{times}')
    if len(report.findings):
        _print_findings(report.findings, limit=40)
    entries = sum(report.written.values())
    click.echo(f"Wrote {report.output}: {plural(entries, 'entry', 'entries')} for "
               f"{plural(report.awards, 'award')}.")
    if not report.ok:
        ctx.exit(EXIT_INVALID)


def _import_table(tallies, titles: dict[str, str]) -> str:
    """What became of the source's rows, part by part: the import's accounting."""
    head = f"{'Source':<28} {'Section':<34} {'rows':>6} {'entries':>8} {'merged':>7} {'empty':>6} {'not placed':>11}"
    lines = [head]
    totals = [0, 0, 0, 0, 0]
    for tally in tallies:
        where = titles.get(tally.section, "") if tally.section else f"({tally.note or 'left out'})"
        if tally.section and tally.note:
            where += f" ({tally.note})"
        numbers = [tally.rows, tally.entries, tally.merged, tally.empty, tally.unplaced]
        if tally.section is not None:
            totals = [a + b for a, b in zip(totals, numbers)]
        shown = [str(n) if n else "" for n in numbers]
        if tally.section is None and tally.entries:
            shown[1] = f"{tally.entries} award{'s' if tally.entries != 1 else ''}"
        lines.append(f"{_cut(tally.part, 28):<28} {_cut(where, 34):<34} {shown[0]:>6} {shown[1]:>8} "
                     f"{shown[2]:>7} {shown[3]:>6} {shown[4]:>11}")
        if tally.joined:
            lines.append(f"{'':<28} ({tally.joined} rows the source cut in two were joined back)")
    lines.append(f"{'Total (outcome rows)':<63} {totals[0]:>6} {totals[1]:>8} {totals[2]:>7} {totals[3]:>6} "
                 f"{totals[4]:>11}")
    lines.append("rows = entries + merged (the same outcome for another award: one entry lists all its awards) "
                 "+ empty (nothing but the source's own columns) + not placed (each named below).")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write a copy of each workbook to this folder with problem cells highlighted.")
@click.pass_context
def validate(ctx: click.Context, inputs: tuple[Path, ...], as_json: bool,
             annotate_dir: Path | None) -> None:
    """Check INPUT workbooks (files or folders; default inputs/) and list every problem.

    Errors block a build; warnings do not. With --annotate DIR, each workbook gets a copy in
    DIR with every problem cell coloured and commented, and a Findings sheet linking to them.
    """
    _, findings, rows = _run(ctx, lambda: pipeline.load(inputs))
    if as_json:
        click.echo(json.dumps(findings.to_dict(), indent=2, ensure_ascii=False))
    elif len(findings):
        _print_findings(findings)
    else:
        click.echo(f"All {rows} rows are valid.")
    if annotate_dir is not None:
        written = _run(ctx, lambda: pipeline.annotate_inputs(inputs, findings, annotate_dir))
        for path in written:
            click.echo(f"Annotated copy: {path}", err=as_json)
    ctx.exit(EXIT_OK if findings.ok else EXIT_INVALID)


class _Progress:
    """A progress bar of items done, on a terminal only; says what it is reading first."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> "_Progress":
        if self.tty:
            click.echo("Reading and checking the workbooks…", err=True)
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.tty:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _selection_options(command):
    """--period / --from / --to / --public, shared by build and profiles."""
    command = click.option("--public", is_flag=True, help="Leave out entries marked Internal.")(command)
    command = click.option("--to", "end", metavar="YYYY-MM", help="End of a reporting window.")(command)
    command = click.option("--from", "start", metavar="YYYY-MM", help="Start of a reporting window.")(command)
    command = click.option("--period", metavar="YEAR", help="Keep the entries dated in this year (e.g. 2019).")(command)
    return command


def _output_options(command):
    command = click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
                           help="Processes to render with (default: every core).")(command)
    command = click.option("--pdf", is_flag=True,
                           help="Also convert each Word file to PDF (needs LibreOffice).")(command)
    command = click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
                           help="Folder of edited templates (from `funder-report templates export`).")(command)
    command = click.option("--template", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                           help="Word template to take styles from (default templates/return.docx).")(command)
    command = click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
                           default=pipeline.DEFAULT_OUTPUTS, show_default=True,
                           help="Folder for the files written.")(command)
    return command


def _report_outputs(ctx: click.Context, result, what: str, pdf: bool = False) -> None:
    if not result.built:
        _print_findings(result.findings, limit=30)
        errors = len(result.findings.errors)
        click.echo(f"Nothing written: {errors} error{'s' if errors != 1 else ''} must be fixed first. "
                   "Run `funder-report validate --annotate checked/` for a copy of each workbook "
                   "with the problem cells highlighted.", err=True)
        ctx.exit(EXIT_INVALID)
    undated = [f for f in result.findings if f.code == "undated-entry"]
    if undated:
        click.echo(f"{len(undated)} entries have no date and are not in the period:", err=True)
        for finding in undated[:20]:
            click.echo(f"  {finding.location}: {finding.value}", err=True)
        if len(undated) > 20:
            click.echo(f"  … and {len(undated) - 20} more.", err=True)
    others = len(result.findings.warnings) - len(undated)
    if others:
        click.echo(f"{others} warnings (run `funder-report validate` to see them).", err=True)
    click.echo(what)
    for path in result.outputs:
        click.echo(f"  {path}")
    if pdf:
        documents = [p for p in result.outputs if p.suffix == ".docx"]
        if documents and sys.stderr.isatty():
            click.echo(f"Converting {len(documents)} Word file(s) to PDF with LibreOffice…", err=True)
        for path in _run(ctx, lambda: pdf_module.convert(documents)):
            click.echo(f"  {path}")


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@_output_options
@_selection_options
@click.option("--since", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="The previous submission (workbook, folder or Excel return): mark what changed.")
@click.pass_context
def build(ctx: click.Context, inputs: tuple[Path, ...], output_dir: Path, template: Path | None,
          templates_dir: Path | None, pdf: bool, jobs: int | None, period: str | None, start: str | None,
          end: str | None, public: bool, since: tuple[Path, ...]) -> None:
    """Build a Word and an Excel return per award from INPUT workbooks (default inputs/).

    Entries are validated first; while any has an error, no return is written. --period 2019
    or --from 2019-04 --to 2020-03 keeps the entries dated in that period (entries without a
    date are listed); --public leaves out Internal entries; --since PREVIOUS marks new and
    changed entries and lists the changes.
    """
    chosen = _run(ctx, lambda: periods.make_period(period, start, end))
    with _Progress("Rendering returns") as progress:
        result = _run(ctx, lambda: pipeline.build(inputs, output_dir, template=template, progress=progress,
                                                  period=chosen, public=public, since=since,
                                                  templates=templates_dir, workers=jobs))
    _report_outputs(ctx, result, f"Built {result.awards} award return(s) from {result.entries} entries:", pdf)


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--partner", "names", multiple=True, metavar="NAME",
              help="Only this partner (repeat for several). Default: every partner with a linked entry.")
@_output_options
@_selection_options
@click.pass_context
def profiles(ctx: click.Context, inputs: tuple[Path, ...], names: tuple[str, ...], output_dir: Path,
             template: Path | None, templates_dir: Path | None, pdf: bool, jobs: int | None,
             period: str | None, start: str | None, end: str | None, public: bool) -> None:
    """Write a partner impact profile (Word and Excel) per partner organisation.

    A profile holds the organisation's details, counts by section and year, then every entry
    linked to it: through the Partners column, a collaboration's or further funding's
    Organisation, or an accepted partner suggestion.
    """
    chosen = _run(ctx, lambda: periods.make_period(period, start, end))
    with _Progress("Rendering profiles") as progress:
        result = _run(ctx, lambda: pipeline.profiles(inputs, names, output_dir, template=template, period=chosen,
                                                     public=public, templates=templates_dir, progress=progress,
                                                     workers=jobs))
    _report_outputs(ctx, result, f"Wrote {result.awards} partner profile(s):", pdf)


@cli.group()
def templates() -> None:
    """Copy out and use your own Word template and texts."""


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace files already in FOLDER.")
@click.pass_context
def templates_export(ctx: click.Context, folder: Path, force: bool) -> None:
    """Copy the default templates into FOLDER for editing.

    return.docx holds the styles, page set-up, header and footer (edit it in Word: Home >
    Styles > Modify); texts.toml holds the cover, header and section intro texts and the file
    name patterns (jinja2 placeholders such as {{ award.title }}). Build with --templates FOLDER.
    """
    for path in _run(ctx, lambda: pipeline.export_templates(folder, force=force)):
        click.echo(f"Wrote {path}")
    click.echo(f"Edit them, then: funder-report build --templates {folder}")


@cli.command("suggest-partners")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Copy to write (default INPUT-suggested.xlsx beside INPUT).")
@click.option("--force", is_flag=True, help="Replace the output if it exists.")
@click.pass_context
def suggest_partners(ctx: click.Context, input_path: Path, output: Path | None, force: bool) -> None:
    """Propose links between entries and the partner organisations they mention.

    Writes a copy of INPUT with a Partner Suggestions sheet. Nothing is linked until a person
    puts Yes in its Accept column; build and profiles then use the accepted links.
    """
    report = _run(ctx, lambda: pipeline.suggest_partners(input_path, output, force=force))
    counts: dict[str, int] = defaultdict(int)
    for item in report.suggestions:
        counts[item.organisation.name] += 1
    click.echo(f"Found {len(report.suggestions)} possible links to {len(counts)} organisations:")
    for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {count:>4}  {name}")
    if report.organisations_added:
        click.echo(f"Added {report.organisations_added} organisations named by entries to the Organisations sheet.")
    click.echo(f"Wrote {report.output}. Put Yes in the Accept column of the links that are right, "
               f"then build from that workbook.")


@cli.command()
@click.argument("previous", type=click.Path(exists=True, path_type=Path))
@click.argument("current", type=click.Path(exists=True, path_type=Path))
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
        click.echo(json.dumps(changes.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"Changes from {previous} to {current} (entries matched by Entry ID, else by title "
               f"at {changes_module.SIMILARITY:.0%} similarity or more):")
    sections: dict[str, list] = defaultdict(list)
    for item in changes.items:
        sections[item.section].append(item)
    symbols = {"added": "+", "removed": "-", "changed": "~"}
    for section, items in sections.items():
        click.echo(click.style(section, bold=True))
        for item in items:
            click.echo(f"  {symbols[item.kind]} {item.kind}: {item.heading}")
            for change in item.fields:
                click.echo(f'      {change.label}: "{_short(change.old)}" -> "{_short(change.new)}"')
    click.echo(f"{changes.summary()}.")


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> None:
    cli(prog_name="funder-report")
