"""The commands that build: `build`, `profiles` and `portfolio`, each a small builder of a
`Request` that `pipeline.run` carries out; its Report printed (or as JSON) with the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import console, periods, pipeline
from ..request import PDF_STAGE, Make, Request
from .base import _echo, _echo_json, _example, _output_options, _Progress, _run, _selection_options, cli

#: What the progress bar says while each stage of a request runs.
_STAGES = {
    Make.RETURNS: "Rendering returns",
    Make.PROFILES: "Rendering profiles",
    Make.PORTFOLIO: "Counting",
    PDF_STAGE: "Converting to PDF",
}


def _request(ctx: click.Context, kind: Make, options: dict[str, Any]) -> Request:
    """The request a build command's options make: each option is the Request field of its
    name, but the period (given as --period, or --from and --to), which is checked first."""
    period = _run(ctx, lambda: periods.make_period(options.pop("period"), options.pop("start"), options.pop("end")))
    return Request(make=(kind,), period=period, **options)


def _make(ctx: click.Context, kind: Make, options: dict[str, Any]) -> None:
    """Run a build command's request, print its report, and stop with the right exit code."""
    as_json = options.pop("as_json")
    request = _request(ctx, kind, options)
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
def build(ctx: click.Context, **options: Any) -> None:
    """Build a Word and an Excel return per award from INPUT workbooks (default inputs/).

    Entries are validated first; while any has an error, no return is written. --period 2019
    or --from 2019-04 --to 2020-03 keeps the entries dated in that period (entries without a
    date are listed); --public leaves out Internal entries; --since PREVIOUS marks new and
    changed entries and lists the changes.
    """
    _make(ctx, Make.RETURNS, options)


@cli.command(
    epilog=_example(
        "funder-report profiles inputs/ -o profiles/",
        'funder-report profiles inputs/ --partner "Carbon Co-op" -o profiles/',
    )
)
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="NAME",
    help="Only this partner (repeat for several). Default: every partner with a linked entry.",
)
@_output_options
@_selection_options
@click.pass_context
def profiles(ctx: click.Context, **options: Any) -> None:
    """Write a partner impact profile (Word and Excel) per partner organisation.

    A profile holds the organisation's details, counts by section and year, then every entry
    linked to it: through the Partners column, a collaboration's or further funding's
    Organisation, or an accepted partner suggestion.
    """
    _make(ctx, Make.PROFILES, options)


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
@click.option(
    "--programme",
    default="",
    metavar="NAME",
    help="The programme named on the report's cover (default: the one group every award is in).",
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
def portfolio(ctx: click.Context, **options: Any) -> None:
    """Write a portfolio impact report (Word and Excel) of every award in INPUT workbooks.

    Per group of awards (the Award sheet's Group column, or --groups FILE) and for all awards:
    entries per section and year, further funding per currency and in GBP by funder sector and
    country, collaborations by partner sector, country, UK nation and organisation, engagement by
    form, reach and audience, influence on policy, publications, recognition and the awards with
    the most outcomes. The Excel report lists the entries behind every figure.
    """
    _make(ctx, Make.PORTFOLIO, options)
