"""researchfish exports of other layouts than the two real ones: what makes the importer right
for the kind of file (numbered sheet names, an award block before the identifiers, award and
outcome columns with the same header, funder question sheets, summary sheets, rows cut in two).
"""

from __future__ import annotations

import datetime as dt

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reporting import build, import_to_workbook, load
from reporting.cli import cli

AWARD_BLOCK = [
    "Funder",
    "File Reference",
    "Title",
    "RO",
    "Department",
    "Start Date",
    "End Date",
    "PIID",
    "PI Name",
    "PI Surname",
    "PI Email",
]


def _award(reference: str, title: str, first: str, last: str) -> list:
    return [
        "MRC",
        reference,
        title,
        "Uni of Somewhere",
        None,
        dt.datetime(2018, 1, 1),
        dt.datetime(2020, 12, 31),
        "123",
        first,
        last,
        "redacted@example.org",
    ]


A = _award("RF-1", "Cohorts of the North", "Ada", "Lovelace")
B = _award("RF-2", "Data for Health", "Alan", "Turing")


def export(path, cut_row=False, unplaced=False):
    """An export in an older layout: Awards, an Intro of formulas, numbered sheet names."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    awards = book.create_sheet("Awards")
    awards.append(
        [
            "Funder",
            "File Reference",
            "GROUP TAG",
            "Title",
            "RO",
            "Start Date",
            "End Date",
            "PI Name",
            "PI Surname",
            "# of Publications",
        ]
    )
    awards.append(
        [
            "MRC",
            "RF-1",
            "Northern cohorts",
            "Cohorts of the North",
            "Uni of Somewhere",
            dt.datetime(2018, 1, 1),
            dt.datetime(2020, 12, 31),
            "Ada",
            "Lovelace",
            2,
        ]
    )
    awards.append(
        [
            "MRC",
            "RF-2",
            "Health data",
            "Data for Health",
            "Uni of Elsewhere",
            dt.datetime(2019, 4, 1),
            dt.datetime(2022, 3, 31),
            "Alan",
            "Turing",
            1,
        ]
    )
    intro = book.create_sheet("Intro")
    intro.append(["Outputs", "Unique Outputs"])
    intro.append(["=COUNTA(Publications!B:B)-1", "=SUM(Table1[Unique])"])
    pubs = book.create_sheet("1B Pubs")
    pubs.append(AWARD_BLOCK + ["ID", "Type", "Author", "Publication", "Journal", "Year", "DOI", "Unique"])
    pubs.append(
        A
        + [
            "5c7e4d49bc57a3.456792011552492553",
            "Journal Article",
            "Smith J",
            "A cohort paper",
            "Journal of Things",
            2018,
            "10.1000/abc",
            1,
        ]
    )
    # the same outcome, counted for the second award (same outcome id, another timestamp)
    pubs.append(
        B
        + [
            "5c7e4d49bc57a3.456792011556666666",
            "Journal Article",
            "Smith J",
            "A cohort paper",
            "Journal of Things",
            2018,
            "10.1000/abc",
            0,
        ]
    )
    if cut_row:
        # An award title with a line break: the export cut the row in two there.
        pubs.append(A[:3])
        pubs.append(
            [None]
            + A[3:8]
            + ["5c7e4d49bc57a3.999999991552492553", "Preprint", "Jones K", "A preprint cut in two", None, 2019, None, 1]
        )
    if unplaced:
        pubs.append(
            [
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "5c7e4d49bc57a3.111111111552492553",
                "Preprint",
                "Nobody",
                "An orphan paper",
                None,
                2019,
            ]
        )
    funding = book.create_sheet("Funding")
    funding.append(
        AWARD_BLOCK
        + [
            "ID",
            "Description",
            "Funding Type",
            "Parent Org",
            "Currency",
            "Amount",
            "Fund Start Month",
            "Fund Start Year",
            "Fund End Month",
            "Fund End Year",
        ]
    )
    funding.append(
        B
        + [
            "5a943c034a4b86.098428641552469647",
            "Follow-on",
            "Fellowship",
            "Wellcome Trust",
            "GBP",
            250000,
            "07",
            2020,
            "00",
            2023,
        ]
    )
    npri = book.create_sheet("NPRI")
    npri.append(AWARD_BLOCK + ["ID", "Has NPRI Helped?", "How?", "Unique"])
    npri.append(A + ["5c11111111111a.222222221552492553", "Yes", "Access to linked data", 1])
    npri.append([None] * 14 + [0])  # a row of the export's own formulas: empty
    book.save(path)
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("rf-layout")
    report = import_to_workbook(export(out / "export.xlsx", cut_row=True), out / "portfolio.xlsx")
    return report, out


def test_sheets_are_recognised_by_name_and_columns(imported):
    report, _ = imported
    tallies = {t.part: t for t in report.result.tallies}
    assert tallies["1B Pubs"].section == "publications"
    assert tallies["Funding"].section == "further_funding"
    assert tallies["NPRI"].section == "additional_questions"
    assert tallies["Intro"].section is None and tallies["Intro"].note.startswith("no outcomes")
    assert tallies["Awards"].entries == 2
    assert all(t.balanced for t in tallies.values())
    pubs = tallies["1B Pubs"]
    assert (pubs.rows, pubs.entries, pubs.merged, pubs.joined) == (3, 2, 1, 1)
    assert (tallies["NPRI"].rows, tallies["NPRI"].entries, tallies["NPRI"].empty) == (2, 1, 1)
    assert report.ok, [f.describe() for f in report.findings.errors]
    assert {f.code for f in report.findings} >= {"bookkeeping-columns", "split-row"}


def test_award_columns_fill_the_award_sheet(imported):
    report, _ = imported
    dataset, findings, _ = load([report.output])
    assert findings.ok
    awards = {a.reference: a.values for a in dataset.awards}
    assert awards["RF-1"]["title"] == "Cohorts of the North"
    assert awards["RF-1"]["principal_investigator"] == "Ada Lovelace"
    assert awards["RF-1"]["group"] == "Northern cohorts"
    assert awards["RF-2"]["lead_research_organisation"] == "Uni of Elsewhere"  # the Awards sheet wins
    assert str(awards["RF-2"]["start"]) == "01/04/2019"  # the day, as the export gives it


def test_outcome_columns_are_not_mistaken_for_award_columns(imported):
    """ "Title" before the identifiers is the award's; the publication's title is "Publication"."""
    report, _ = imported
    dataset, _, _ = load([report.output])
    paper = next(
        e for e in dataset.entries if e.section.key == "publications" and e.values["title"] == "A cohort paper"
    )
    assert paper.values["type"] == "Journal Article / Review"
    assert sorted(a.reference for a in paper.awards) == ["RF-1", "RF-2"]  # one outcome, two awards
    assert paper.values["entry_id"] == "5c7e4d49bc57a3.45679201"  # the outcome's id, not the row's
    cut = next(e for e in dataset.entries if e.values.get("title") == "A preprint cut in two")
    assert [a.reference for a in cut.awards] == ["RF-1"] and cut.values["year"] == 2019
    grant = next(e for e in dataset.entries if e.section.key == "further_funding")
    assert str(grant.values["start"]) == "07/2020"
    assert grant.raw["end"] == "2023"  # month "00": the year alone, kept as reported


def test_funder_questions_reach_the_return(imported):
    report, out = imported
    result = build([report.output], out / "returns")
    assert result.outputs
    word = next(p for p in result.outputs if p.name == "RF-1-return.docx")
    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert "Additional Funder Questions" in text
    assert "Has NPRI Helped?\tYes" in text and "How?\tAccess to linked data" in text
    assert "A preprint cut in two" in text and "A cohort paper" in text


def test_a_row_that_names_no_award_is_an_error_naming_it(tmp_path):
    runner = CliRunner()
    source = export(tmp_path / "export.xlsx", unplaced=True)
    result = runner.invoke(cli, ["import", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1, result.output
    assert "ERROR 1B Pubs!A4: names no award" in result.output and "An orphan paper" in result.output
    line = next(row for row in result.output.splitlines() if row.startswith("1B Pubs"))
    assert line.split()[-5:] == ["Publications", "3", "1", "1", "1"]  # rows, entries, merged, not placed


def test_import_prints_what_became_of_every_sheet(tmp_path):
    runner = CliRunner()
    source = export(tmp_path / "export.xlsx")
    result = runner.invoke(cli, ["import", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0, result.output
    lines = {
        row.split()[0]: row
        for row in result.output.splitlines()
        if row and row.split()[0] in ("Awards", "Intro", "1B", "Funding", "NPRI")
    }
    assert "2 awards" in lines["Awards"] and "(no outcomes: left out)" in lines["Intro"]
    assert lines["NPRI"].split()[-3:] == ["2", "1", "1"]
    assert f"Wrote {tmp_path / 'out.xlsx'}: 3 entries for 2 awards." in result.output
