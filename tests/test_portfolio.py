"""The portfolio impact report on small workbooks whose every count is known: groups (the
Group column, a groups file), the period and public choices, --since, charts of at most ten
bars, UK nations, money per currency, and every figure's entries listed."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from click.testing import CliRunner
from oracles import counted_rows, docx_text, figure_table

from reporting import pipeline
from reporting.cli import cli
from reporting.periods import make_period

COUNTRIES = [
    "United States",
    "Netherlands",
    "Canada",
    "Italy",
    "China",
    "France",
    "Germany",
    "Spain",
    "India",
    "Japan",
    "Brazil",
    "Kenya",
]


def _collaboration(award: str, organisation: str, country: str, year: int = 2019, sector: str = "Academic/University"):
    return {
        "Description": f"Work with {organisation}",
        "Organisation": organisation,
        "Country": country,
        "Sector": sector,
        "PI Contribution": "Data",
        "Collaborator Contribution": "Methods",
        "Impact": "Papers",
        "Start Year": year,
        "Award Reference": award,
    }


def _funding(
    award: str, amount: float, currency: str, sector: str, country: str = "United Kingdom", start: str = "03/2019"
):
    return {
        "Description": "A grant",
        "Amount": amount,
        "Currency": currency,
        "Organisation": "Wellcome",
        "Funding Type": "Fellowship",
        "Sector": sector,
        "Country": country,
        "Start": start,
        "Award Reference": award,
    }


def _engagement(award: str, reach: str, year: str = "2019", visibility: str = "Public"):
    return {
        "Description": f"Talk ({reach}, {award}, {year})",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": reach,
        "Primary Audience": "Schools",
        "Results and Impact": "Many came.",
        "Year(s) Of Engagement Activity": year,
        "Award Reference": award,
        "Visibility": visibility,
    }


def _write(path, awards: list[dict], sheets: dict[str, list[dict]], organisations: list[dict] = ()):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in [("Award", awards), ("Organisations", list(organisations)), *sheets.items()]:
        if not rows:
            continue
        sheet = book.create_sheet(name)
        headers = list(dict.fromkeys(key for row in rows for key in row))
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


@pytest.fixture
def portfolio_input(tmp_path):
    awards = [
        {"Title": "Alpha", "Award Reference": "A/1", "Group": "Data science"},
        {
            "Title": "Beta",
            "Award Reference": "B/2",
            "Group": "Data science; Public health",
            "Lead Research Organisation": "Cardiff University",
        },
        {"Title": "Gamma", "Award Reference": "C/3", "Group": ""},
    ]
    collaborations = [_collaboration("A/1", f"University {n}", country) for n, country in enumerate(COUNTRIES)]
    collaborations += [
        _collaboration("B/2", "Cardiff University", "United Kingdom"),
        _collaboration("B/2", "University of Edinburgh", "United Kingdom"),
        _collaboration("C/3", "Mystery Ltd", "United Kingdom", sector="Private"),
    ]
    funding = [
        _funding("A/1", 1_000_000, "GBP", "Public"),
        _funding("B/2", 250_000.50, "GBP", "Charity/Non Profit"),
        _funding("B/2", 100_000, "EUR", "Public", "Belgium"),
        _funding("C/3", 5_000, "USD", "Private", "United States"),
    ]
    engagement = [
        _engagement("A/1", "National"),
        _engagement("A/1", "Local", "2018"),
        _engagement("B/2", "International", visibility="Internal"),
        _engagement("C/3", "National", "2020"),
    ]
    organisations = [
        {"Name": "Cardiff University", "Country": "United Kingdom", "UK Nation": "Wales"},
        {"Name": "University of Edinburgh", "Country": "United Kingdom", "UK Nation": "Scotland"},
    ]
    return _write(
        tmp_path / "portfolio.xlsx",
        awards,
        {"Collaborations": collaborations, "Further Funding": funding, "Engagement Activities": engagement},
        organisations,
    )


def _report(tmp_path, path, **options):
    out = tmp_path / "report"
    result = pipeline.portfolio([path], out, force=True, **options)
    assert result.outputs, [f.describe() for f in result.findings.errors]
    return result, openpyxl.load_workbook(out / result.outputs[1].name)


def test_groups_come_from_the_group_column_and_all_awards_come_first(tmp_path, portfolio_input):
    result, book = _report(tmp_path, portfolio_input)
    assert book.sheetnames == ["About", "All awards", "Data science", "Public health", "Entries counted"]
    sections = {row[0]: row[1] for row in figure_table(book["All awards"], "Entries by section")}
    assert sections == {"Further Funding": 4, "Collaborations and Partnerships": 15, "Engagement Activities": 4}
    science = {row[0]: row[1] for row in figure_table(book["Data science"], "Entries by section")}
    assert science == {"Further Funding": 3, "Collaborations and Partnerships": 14, "Engagement Activities": 3}
    health = {row[0]: row[1] for row in figure_table(book["Public health"], "Entries by section")}
    assert health == {"Further Funding": 2, "Collaborations and Partnerships": 2, "Engagement Activities": 1}
    top = figure_table(book["All awards"], "Awards with the most outcomes")
    assert [(row[0], row[2]) for row in top] == [("A/1", 15), ("B/2", 5), ("C/3", 3)]


def test_a_groups_file_replaces_the_group_column_and_names_awards_it_does_not_know(tmp_path, portfolio_input):
    groups = tmp_path / "groups.csv"
    groups.write_text("Award Reference,Group\nC/3,Industry\nA/1,Industry\nZ/9,Ghosts\n", encoding="utf-8")
    result, book = _report(tmp_path, portfolio_input, groups=groups)
    assert book.sheetnames == ["About", "All awards", "Industry", "Entries counted"]
    assert any("Z/9" in note for note in result.notes)
    bad = tmp_path / "bad.csv"
    bad.write_text("Reference,Theme\nA/1,x\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["portfolio", str(portfolio_input), "--groups", str(bad), "-o", str(tmp_path / "o")])
    assert run.exit_code == 2 and "needs the columns Award Reference and Group" in run.output


def test_money_is_summed_per_currency_and_in_gbp_by_sector(tmp_path, portfolio_input):
    _, book = _report(tmp_path, portfolio_input)
    sheet = book["All awards"]
    currencies = {row[0]: (row[1], row[2]) for row in figure_table(sheet, "Further funding by currency")}
    assert currencies == {"GBP": (2, 1_250_000.50), "EUR": (1, 100_000), "USD": (1, 5_000)}
    sectors = {row[0]: (row[1], row[2]) for row in figure_table(sheet, "Further funding in GBP by funder sector")}
    assert sectors == {"Public": (1, 1_000_000), "Charity/Non Profit": (1, 250_000.50)}  # no rate: not in GBP
    amounts = sorted(
        row[6] for row in counted_rows(tmp_path / "report" / "portfolio-report.xlsx", "Further funding by currency")
    )
    assert amounts == [5_000, 100_000, 250_000.50, 1_000_000]


def test_collaborations_by_country_nation_and_partner_with_at_most_ten_bars(tmp_path, portfolio_input):
    _, book = _report(tmp_path, portfolio_input)
    sheet = book["All awards"]
    countries = figure_table(sheet, "Collaborations by partner country")
    assert countries[0] == ("United Kingdom", 3, None, None) and len(countries) == 13  # the table has every one
    nations = {row[0]: row[1] for row in figure_table(sheet, "UK collaborations by nation")}
    assert nations == {"Scotland": 1, "Wales": 1, "Not recorded": 1}
    between = {row[0]: row[1] for row in figure_table(sheet, "UK collaborations between nations")}
    assert between == {"Wales – Scotland": 1, "Within Wales": 1}  # B/2 is led from Cardiff
    report = tmp_path / "report" / "portfolio-report.docx"
    import zipfile

    with zipfile.ZipFile(report) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("word/charts/")]
    country = next(c for c in charts if "Collaborations by partner country" in c)
    # 9 countries and Other: a name and a value each, and the series name
    assert country.count("<c:pt idx=") == 21 and "Other (4)" in country
    partners = next(c for c in charts if "Top partner organisations" in c)
    assert "Other" not in partners and partners.count("<c:pt idx=") == 21


def test_the_period_public_and_since_choose_what_is_counted(tmp_path, portfolio_input):
    _, book = _report(tmp_path, portfolio_input, period=make_period("2019"), public=True)
    reach = {row[0]: row[1] for row in figure_table(book["All awards"], "Engagement activities by geographic reach")}
    assert reach == {"National": 1}  # 2018 and 2020 are out of the period; the international one is Internal
    assert "2019" in book["About"]["A2"].value and "public version" in book["About"]["A2"].value

    changed = tmp_path / "now.xlsx"
    source = openpyxl.load_workbook(portfolio_input)
    source["Engagement Activities"].append(
        ["A new talk", "A talk or presentation", "No", "Regional", "Schools", "Many came.", "2021", "A/1", "Public"]
    )
    source.save(changed)
    _, book = _report(tmp_path, changed, since=[portfolio_input])
    sections = {row[0]: row[1] for row in figure_table(book["All awards"], "Entries by section")}
    assert sections == {"Engagement Activities": 1}


def test_the_command_writes_word_and_excel_and_reports_as_json(tmp_path, portfolio_input):
    run = CliRunner().invoke(cli, ["portfolio", str(portfolio_input), "-o", str(tmp_path / "out"), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert [p.rsplit("/", 1)[-1] for p in data["outputs"]] == ["portfolio-report.docx", "portfolio-report.xlsx"]
    assert data["files_for"] == 3 and data["entries_used"] == 23
    text = docx_text(tmp_path / "out" / "portfolio-report.docx")
    for heading in (
        "Portfolioimpactreport",
        "Allawards",
        "Datascience",
        "Publichealth",
        "Collaborationsbypartnercountry",
        "FurtherfundinginGBPbyfundersector",
    ):
        assert heading in text
    plain = CliRunner().invoke(cli, ["portfolio", str(portfolio_input), "-o", str(tmp_path / "out"), "--force"])
    assert "Wrote the portfolio report of 3 awards from 23 entries:" in plain.output


def test_every_figure_lists_the_entries_it_counts(tmp_path, portfolio_input):
    _, book = _report(tmp_path, portfolio_input)
    sheet = book["All awards"]
    for title in ("Collaborations by partner country", "Engagement activities by geographic reach", "Entries by year"):
        table = figure_table(sheet, title)
        listed = counted_rows(tmp_path / "report" / "portfolio-report.xlsx", title)
        assert sum(row[1] for row in table) == len(listed)
        for category, count, *_ in table:
            assert sum(1 for row in listed if row[0] == category) == count
    rows = counted_rows(tmp_path / "report" / "portfolio-report.xlsx", "Collaborations by partner country")
    assert {(r[1], r[2]) for r in rows} >= {("A/1", "Collaborations"), ("C/3", "Collaborations")}
    assert all(isinstance(r[3], int) and r[3] >= 2 for r in rows)  # the row in the workbook


def test_the_cover_names_the_programme_and_the_period(tmp_path, portfolio_input):
    """The cover says which programme (--programme, else the one group every award is in) and
    which years: the period asked for, else the years the counted entries span."""
    import docx

    made: list[str] = []

    def cover(*options: str) -> list[str]:
        made.append(f"out{len(made)}")
        out = tmp_path / made[-1]
        run = CliRunner().invoke(cli, ["portfolio", str(portfolio_input), "-o", str(out), *options])
        assert run.exit_code == 0, run.output
        [word] = out.glob("portfolio-report*.docx")
        return [p.text for p in docx.Document(str(word)).paragraphs[:8]]

    plain = cover()
    assert plain[0] == "Portfolio impact report" and not any(line.startswith("Programme") for line in plain)
    [period] = [line for line in plain if line.startswith("Period\t")]
    assert re.fullmatch(r"Period\t20\d\d(\u201320\d\d)? \(every entry\)", period), period
    assert plain[1].startswith("Outcomes dated 20")
    groups = tmp_path / "one.csv"
    groups.write_text("Award Reference,Group\nA/1,Data for health\nB/2,Data for health\nC/3,Data for health\n")
    grouped = cover("--groups", str(groups))
    assert grouped[0] == "Data for health: portfolio impact report" and "Programme\tData for health" in grouped
    named = cover("--programme", "HDR UK", "--period", "2019")
    assert named[0] == "HDR UK: portfolio impact report"
    assert named[1].startswith("2019") and "Period\t2019" in named
