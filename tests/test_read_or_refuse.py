"""Read right or refuse: files of kinds the tool does not read are refused with nothing written;
many GtR records make one workbook that builds; award details keep their value and days; a
researchfish sheet saved alone or as CSV is read; no cell's text is dropped in reading."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import docx
import pytest
import xlsxwriter
from badfiles import ENGAGEMENT_HEADERS, GOOD_ROW, Raw, _cell, _col, raw_xlsx, sheet_xml
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from reporting import build, load
from reporting.cli import cli
from reporting.convert import import_to_workbook

from conftest import DATA, REAL, require

PHRONESIS = DATA / "gtr-api-project-phronesis-AH-M006646-1.xml"
HDR_2022 = REAL / "researchfish" / "hdruk-researchfish-2022.xlsx"


def _import(args: list[str]):
    return CliRunner().invoke(cli, ["import", *args])


UNSUPPORTED = {
    "publications.xml": '<?xml version="1.0"?><publications><publication><Title>A</Title></publication></publications>',
    "orcid.xml": '<?xml version="1.0"?><record:record xmlns:record="http://www.orcid.org/ns/record"/>',
    "fund.xml": '<?xml version="1.0"?><ns2:fund xmlns:ns2="http://gtr.rcuk.ac.uk/gtr/api/fund"><ns2:id>1</ns2:id>'
    "</ns2:fund>",
    "fund.json": json.dumps(
        {
            "id": "1",
            "start": 1431903600000,
            "category": "INCOME_ACTUAL",
            "valuePounds": {"currencyCode": "GBP", "amount": 651405},
        }
    ),
    "person.json": json.dumps({"id": "2", "firstName": "Mervyn", "surname": "Conroy", "orcidId": None}),
    "orcid-works.json": json.dumps({"last-modified-date": {"value": 1}, "group": [], "path": "/0000/works"}),
    "page.html": "<!DOCTYPE html><html><body>Jam and Justice</body></html>",
    "list.csv": "name,email\nAda,ada@example.org\n",
    "notes.txt": "Things to report next year.\n",
}
EXPECTED = {
    "publications.xml": "root element is <publications>",
    "orcid.xml": "an ORCID record",
    "fund.xml": "a GtR fund record",
    "fund.json": "a GtR fund record",
    "person.json": "a GtR person record",
    "orcid-works.json": "an ORCID record",
    "page.html": "a web page",
    "list.csv": "a table (CSV)",
    "notes.txt": "not a GtR project page",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_a_file_of_a_kind_the_tool_does_not_read_is_refused_with_nothing_written(tmp_path, name):
    source = tmp_path / name
    source.write_text(UNSUPPORTED[name], encoding="utf-8")
    result = _import([str(source), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 3, result.output
    assert EXPECTED[name] in result.output and "nothing was written" in result.output
    assert "Wrote" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_a_workbook_holding_no_outcome_the_tool_reads_is_refused(tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "budget.xlsx")
    book.add_worksheet("Budget").write_row(0, 0, ["Line", "Amount"])
    book.close()
    result = _import([str(tmp_path / "budget.xlsx"), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 3 and "sheets: Budget" in result.output
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.shared
def test_the_phronesis_award_keeps_its_value_dates_and_type(tmp_path):
    require(PHRONESIS)
    report = import_to_workbook(PHRONESIS, tmp_path / "phronesis.xlsx")
    result = build([report.output], tmp_path / "out")
    word = next(p for p in result.outputs if p.suffix == ".docx")
    lines = [p.text for p in docx.Document(str(word)).paragraphs[:15]]
    assert "Start\t18 May 2015" in lines and "End\t17 May 2018" in lines
    assert any(line.startswith("Funded Value\t£651,405") for line in lines)
    assert "Award Type\tResearch Grant" in lines


@pytest.mark.slow
@pytest.mark.shared
def test_many_gtr_records_make_one_workbook_that_builds_every_award(tmp_path):
    folder = REAL / "gtr-xml"
    require(folder)
    files = sorted(folder.glob("*.xml"))[:25]
    report = import_to_workbook(files, tmp_path / "all.xlsx")
    dataset, findings, _ = load([report.output])
    assert not findings.errors, [f.message for f in findings.errors][:3]
    assert len(dataset.awards) == len(files)
    assert all(entry.awards for entry in dataset.entries)
    # Each entry's award is the record it came from: count per award against the XML itself.
    outcome = re.compile(rb"<gtr:(?:\w+Output|publication)>")
    per_file = {f.stem: len(outcome.findall(f.read_bytes())) for f in files}
    counted: dict[str, int] = {}
    for entry in dataset.entries:
        for award in entry.awards:
            key = award.reference.replace("/", "-")
            counted[key] = counted.get(key, 0) + 1
    assert counted == {k: v for k, v in per_file.items() if v}
    result = build([report.output], tmp_path / "out")
    covers = {}
    for word in (p for p in result.outputs if p.suffix == ".docx"):
        text = [p.text for p in docx.Document(str(word)).paragraphs[:15]]
        covers[word.name] = text
    assert len(covers) == len(files)
    for file in files:
        xml = file.read_text(encoding="utf-8")
        start = re.search(r"<gtr:fund>.*?<gtr:start>(\d{4})-(\d{2})-(\d{2})", xml)
        value = re.search(r"<gtr:valuePounds>(\d+)", xml)
        cover = next(c for name, c in covers.items() if name.startswith(file.stem))
        if start:
            year, month, day = (int(g) for g in start.groups())
            months = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ]
            assert f"Start\t{day} {months[month - 1]} {year}" in cover, (file.name, cover)
        if value and int(value.group(1)):
            assert any(line.startswith(f"Funded Value\t£{int(value.group(1)):,}") for line in cover), cover


def _software_extract(tmp_path: Path) -> tuple[list[list], int]:
    """The 2022 HDR UK export's software outcomes as a funder's one-sheet extract: the award's
    reference, title, organisation and PI name parts on each row, then the outcome's fields."""
    rows = CalamineWorkbook.from_path(str(HDR_2022)).get_sheet_by_name("Software").to_python()
    header = rows[0]
    pick = {
        "Award Reference": "Award Reference",
        "Award Title": "Award Title",
        "RO": "Organisation",
        "PI Name": "PI First Name",
        "PI Surname": "PI Surname",
        "Record Title": "Title",
        "Description": "Description",
        "Year First Provided": "Year Produced",
        "Impact": "Impact",
        "Url": "URL",
    }
    at = [header.index(name) for name in pick]
    table = [list(pick.values())] + [[row[i] for i in at] for row in rows[1:] if any(row)]
    return table, len(table) - 1


@pytest.mark.shared
@pytest.mark.parametrize("form", ["xlsx", "csv-cr", "csv-crlf"])
def test_a_funders_one_sheet_extract_is_read_as_xlsx_or_csv(tmp_path, form):
    require(HDR_2022)
    table, count = _software_extract(tmp_path)
    if form == "xlsx":
        source = tmp_path / "extract.xlsx"
        book = xlsxwriter.Workbook(source)
        sheet = book.add_worksheet("Software_TechnicalProducts")
        for r, row in enumerate(table):
            sheet.write_row(r, 0, ["" if v is None else v for v in row])
        book.close()
    else:
        source = tmp_path / "Software_TechnicalProducts.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\r" if form == "csv-cr" else "\r\n").writerows(table)
    report = import_to_workbook(source, tmp_path / "out.xlsx")
    assert report.written == {"software": count}
    dataset, findings, _ = load([report.output])
    assert not findings.errors
    titles = sorted(str(e.values.get("title") or "").strip() for e in dataset.entries)
    assert titles == sorted(str(row[5] or "").strip() for row in table[1:])
    awards = {a.reference: a for a in dataset.awards}
    assert set(awards) == {str(row[0]) for row in table[1:]}
    first = table[1]
    assert awards[first[0]].values["lead_research_organisation"] == first[2]
    assert awards[first[0]].values["principal_investigator"] == f"{first[3]} {first[4]}"


def test_a_stray_quote_in_a_csv_costs_its_own_line_only(tmp_path):
    header = "Award Reference,Award Title,Organisation,Title,Description,Year Produced"
    lines = [
        header,
        'RF-1,An award,Uni,Tool one,"A tool, with a comma",2019',
        'RF-1,An award,Uni,Tool two,"A 12 inch ruler,2020',
        "RF-1,An award,Uni,Tool three,Plain,2021",
    ]
    source = tmp_path / "software.csv"
    source.write_text("\r".join(lines), encoding="utf-8")
    report = import_to_workbook(source, tmp_path / "out.xlsx")
    dataset, _, _ = load([report.output])
    assert sorted(e.values["title"] for e in dataset.entries) == ["Tool one", "Tool three", "Tool two"]
    assert any(f.code == "stray-quote" and f.row == 3 for f in report.findings)


def _engagement(tmp_path: Path, name: str, rows: list, **kwargs) -> Path:
    return raw_xlsx(
        tmp_path / name,
        {"Award": sheet_xml([["Title"], ["X"]]), "Engagement Activities": sheet_xml([ENGAGEMENT_HEADERS, *rows])},
        **kwargs,
    )


def _titles(path: Path, tmp_path: Path) -> tuple[list[str], str]:
    dataset, findings, _ = load([path])
    assert findings.ok
    result = build([path], tmp_path / "out")
    word = "\n".join(p.text for p in docx.Document(str(result.outputs[0])).paragraphs)
    return [e.values["description"] for e in dataset.entries], word


def test_inline_strings_and_rich_text_runs_reach_both_returns(tmp_path):
    rich = Raw(' t="inlineStr"><is><r><t>Rich </t></r><r><rPr><b/></rPr><t>runs talk</t></r></is>')
    shared = Raw(' t="s"><v>0</v>')
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><si><r><t>Shared </t></r><r><rPr><i/></rPr><t>rich talk</t></r></si></sst>'
    )
    path = _engagement(
        tmp_path,
        "rich.xlsx",
        [
            [Raw(' t="inlineStr"><is><t>Inline talk</t></is>')] + GOOD_ROW[1:],
            [rich] + GOOD_ROW[1:],
            [shared] + GOOD_ROW[1:],
        ],
        extra={"xl/sharedStrings.xml": strings},
    )
    titles, word = _titles(path, tmp_path)
    assert titles == ["Inline talk", "Rich runs talk", "Shared rich talk"]
    assert all(title in word for title in titles)


@pytest.mark.slow
def test_an_entry_on_the_last_row_a_sheet_can_hold_is_read(tmp_path):
    last = "".join(_cell(f"{_col(c)}1048576", v) for c, v in enumerate(["Last row talk"] + GOOD_ROW[1:]))
    sheet = sheet_xml([ENGAGEMENT_HEADERS, GOOD_ROW]).replace(
        "</sheetData>", f'<row r="1048576">{last}</row></sheetData>'
    )
    path = raw_xlsx(tmp_path / "last.xlsx", {"Award": sheet_xml([["Title"], ["X"]]), "Engagement Activities": sheet})
    titles, word = _titles(path, tmp_path)
    assert titles == ["A talk", "Last row talk"] and "Last row talk" in word


def test_a_malformed_content_types_part_is_a_clear_error(tmp_path):
    path = _engagement(tmp_path, "types.xlsx", [GOOD_ROW], extra={"[Content_Types].xml": b"<Types><Default"})
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 3 and "[Content_Types].xml is not well-formed" in result.output
    assert "Traceback" not in result.output


def test_award_dates_keep_the_precision_they_are_given_in_both_returns_and_the_workbook(tmp_path):
    from conftest import write_input

    award = {"Title": "Dated award", "Award Reference": "DA/1", "Start": "05/2015", "End": "2018-05-17"}
    talk = dict(zip(ENGAGEMENT_HEADERS, GOOD_ROW))
    path = write_input(tmp_path / "in.xlsx", {"Engagement Activities": [talk]}, award=award)
    dataset, findings, _ = load([path])
    assert findings.ok
    assert str(dataset.awards[0].values["start"]) == "05/2015"  # a month: no day made up
    assert str(dataset.awards[0].values["end"]) == "17/05/2018"
    result = build([path], tmp_path / "out")
    word = next(p for p in result.outputs if p.suffix == ".docx")
    lines = [p.text for p in docx.Document(str(word)).paragraphs[:15]]
    assert "Start\tMay 2015" in lines and "End\t17 May 2018" in lines
    # An imported workbook writes a month as text and a day as a date, and reads both back as given.
    report = import_to_workbook(path, tmp_path / "again.xlsx")
    award_rows = CalamineWorkbook.from_path(str(report.output)).get_sheet_by_name("Award").to_python()
    row = dict(zip(award_rows[0], award_rows[1]))
    assert row["Start"] == "05/2015" and str(row["End"]).startswith("2018-05-17")
