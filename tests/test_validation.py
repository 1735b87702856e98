"""Validation rules: every problem located to its cell, in plain words, with a fix."""

from __future__ import annotations

import datetime as dt

import docx
import openpyxl
import pytest

from reporting import build, load
from reporting.loading import annotate_inputs

from conftest import write_input

TALK = {
    "Description": "A talk",
    "Form Of Engagement Activity": "A talk or presentation",
    "Part Of Official Scheme?": "No",
    "Geographic Reach": "Local",
    "Primary Audience": "Schools",
    "Results and Impact": "Good",
    "Year(s) Of Engagement Activity": "2019",
}


def findings_for(tmp_path, sheets, award=None, name="in.xlsx"):
    path = write_input(tmp_path / name, sheets, award)
    _, findings, _ = load([path])
    return path, findings


def by_code(findings, code):
    return [f for f in findings if f.code == code]


@pytest.mark.parametrize("typed, expected", [("regional", "Regional"), ("Policymakers", "Policymakers/politicians")])
def test_near_misses_say_what_they_become(tmp_path, typed, expected):
    field = "Geographic Reach" if typed == "regional" else "Primary Audience"
    _, findings = findings_for(tmp_path, {"Engagement Activities": [{**TALK, field: typed}]})
    [finding] = [f for f in findings if f.field == field]
    assert expected in finding.message + finding.hint
    assert finding.severity == "warning"


def test_older_policy_wording_maps_to_current(tmp_path):
    row = {
        "Description": "Sat on a committee",
        "Geographic Reach": "National",
        "Policy Influence Type": "Participation in a advisory committee",
    }
    _, findings = findings_for(tmp_path, {"Influence on Policy": [row]})
    [finding] = by_code(findings, "older-wording")
    assert "Participation in a guidance/advisory committee" in finding.message
    assert finding.location == "Influence on Policy!C2"


def test_typo_gets_did_you_mean_not_the_whole_list(tmp_path):
    _, findings = findings_for(
        tmp_path, {"Engagement Activities": [{**TALK, "Form Of Engagement Activity": "A talk or presentaton"}]}
    )
    [finding] = findings.errors
    assert finding.hint == 'Did you mean "A talk or presentation"?'
    assert finding.location == "Engagement Activities!B2"
    assert finding.value == "A talk or presentaton"
    assert finding.file.endswith("in.xlsx")


def test_type_checks(tmp_path):
    rows = {
        "Further Funding": [
            {
                "Description": "Grant",
                "Amount": "lots",
                "Currency": "pounds",
                "Organisation": "ESRC",
                "Start": "2018",
                "End": "13/2019",
            }
        ],
        "Publications": [
            {"Title": "Paper", "Author": "Me", "Year": 2019, "DOI": "doi 10/abc", "URL": "www.example.org"}
        ],
    }
    award = {"Title": "T", "PI ORCID iD": "0000-0002-1825-0096"}
    _, findings = findings_for(tmp_path, rows, award)
    codes = {(f.code, f.field) for f in findings.errors}
    assert {
        ("bad-amount", "Amount"),
        ("bad-currency", "Currency"),
        ("bad-date", "Start"),
        ("bad-date", "End"),
        ("bad-doi", "DOI"),
        ("bad-url", "URL"),
        ("bad-orcid", "PI ORCID iD"),
    } <= codes


def test_valid_orcid_passes(tmp_path):
    _, findings = findings_for(tmp_path, {}, {"Title": "T", "PI ORCID iD": "https://orcid.org/0000-0002-1825-0097"})
    assert not by_code(findings, "bad-orcid")


def test_end_before_start_and_future_years(tmp_path):
    future = dt.date.today().year + 2
    rows = {
        "Further Funding": [
            {"Description": "Grant", "Amount": 10, "Organisation": "ESRC", "Start": "07/2019", "End": "06/2018"}
        ],
        "Engagement Activities": [{**TALK, "Year(s) Of Engagement Activity": f"2019, {future}"}],
        "Collaborations": [
            {
                "Description": "Partnership",
                "Organisation": "Org",
                "Country": "Sweden",
                "Sector": "Public",
                "PI Contribution": "x",
                "Collaborator Contribution": "y",
                "Impact": "z",
                "Start Year": 2018,
                "End Year": future,
            }
        ],
    }
    _, findings = findings_for(tmp_path, rows)
    [end] = by_code(findings, "end-before-start")
    assert end.location == "Further Funding!E2" and "before Start" in end.message
    [ahead] = by_code(findings, "future-year")
    assert ahead.location == "Engagement Activities!G2" and str(future) in ahead.message
    # An end year ahead (a collaboration still running) is fine.
    assert not [f for f in findings if f.sheet == "Collaborations" and f.severity == "error"]


def test_required_fields_empty(tmp_path):
    _, findings = findings_for(tmp_path, {"Engagement Activities": [{**TALK, "Primary Audience": None}]})
    [missing] = by_code(findings, "missing-value")
    assert missing.location == "Engagement Activities!E2" and missing.field == "Primary Audience"
    assert "Fill in Primary Audience" in missing.hint


def test_duplicates_within_and_across_workbooks(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    award = {"Title": "Shared", "Award Reference": "SH/1"}
    write_input(folder / "alice.xlsx", {"Engagement Activities": [TALK, {**TALK, "description": None}]}, award)
    write_input(folder / "bob.xlsx", {"Engagement Activities": [{**TALK, "Description": "a  TALK"}]}, award)
    _, findings, _ = load([folder])
    dupes = by_code(findings, "duplicate-entry")
    assert len(dupes) == 2
    within = next(f for f in dupes if f.file.endswith("alice.xlsx"))
    across = next(f for f in dupes if f.file.endswith("bob.xlsx"))
    assert within.location == "Engagement Activities!A3" and "row 2" in within.message
    assert "alice.xlsx" in across.message


def test_publications_with_the_same_doi_are_duplicates(tmp_path):
    paper = {"Title": "Paper", "Author": "A", "Year": 2019, "DOI": "10.1000/xyz"}
    _, findings = findings_for(
        tmp_path,
        {"Publications": [paper, {**paper, "Title": "Paper (preprint)", "DOI": "https://doi.org/10.1000/XYZ"}]},
    )
    [dupe] = by_code(findings, "duplicate-entry")
    assert "same DOI" in dupe.message


def test_warnings_do_not_block(tmp_path):
    long_title = "Word " * 70
    rows = {
        "Engagement Activities": [
            {
                **TALK,
                "Results and Impact": "TBC",
                "URL": "https://example.org/" + "x" * 80 + "...",
                "Officer notes": "ring Jo",
            },
            {**TALK, "Description": long_title},
        ]
    }
    path, findings = findings_for(tmp_path, rows)
    assert findings.ok
    assert {"placeholder", "url-cut-short", "long-title", "unknown-column"} <= {f.code for f in findings}
    result = build([path], tmp_path / "out")
    assert result.outputs
    sheet = openpyxl.load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"))["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Officer notes"  # unknown columns are kept
    assert sheet.cell(row=2, column=len(header)).value == "ring Jo"


def test_entries_must_say_which_award_when_there_are_several(tmp_path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    awards = book.create_sheet("Award")
    awards.append(["Title", "Award Reference"])
    awards.append(["One", "A/1"])
    awards.append(["Two", "B/2"])
    sheet = book.create_sheet("Engagement Activities")
    sheet.append(list(TALK) + ["Award Reference"])
    sheet.append(list(TALK.values()) + [None])
    sheet.append([*list(TALK.values())[:-1], "2018", "A/1; B/2"])
    sheet.append([*list(TALK.values())[:-1], "2017", "C/3"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    dataset, findings, _ = load([path])
    assert {(f.code, f.location) for f in findings.errors} == {
        ("which-award", "Engagement Activities!H2"),
        ("unknown-award", "Engagement Activities!H4"),
    }
    shared = [e for e in dataset.entries if len(e.awards) == 2]
    assert len(shared) == 1


def test_annotated_copy_highlights_and_comments(tmp_path):
    path, findings = findings_for(
        tmp_path,
        {
            "Engagement Activities": [
                {**TALK, "Geographic Reach": "Everywhere", "Results and Impact": "TBC", "Description": "=1+1"}
            ]
        },
    )
    before = path.read_bytes()
    [copy] = annotate_inputs([path], findings, tmp_path / "checked")
    assert copy.name == "in-checked.xlsx"
    assert path.read_bytes() == before
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames[0] == "Findings"
    cell = book["Engagement Activities"]["D2"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "Everywhere" in cell.comment.text and "ERROR" in cell.comment.text
    warn = book["Engagement Activities"]["F2"]
    assert warn.fill.fgColor.rgb.endswith("FFEB9C") and "placeholder" in warn.comment.text
    assert book["Engagement Activities"]["A2"].value == "=1+1"
    assert book["Engagement Activities"]["A2"].data_type == "s"
    assert [c.value for c in book["Findings"][1]] == [
        "Severity",
        "Code",
        "Sheet",
        "Cell",
        "Field",
        "Value",
        "Problem",
        "How to fix",
    ]
    rows = list(book["Findings"].iter_rows(min_row=2))
    links = {r[3].value: r[3].hyperlink.location or r[3].hyperlink.target for r in rows if r[3].hyperlink}
    assert links["D2"] == "'Engagement Activities'!D2"
    assert {r[1].value for r in rows} >= {"not-in-list", "placeholder"}  # the codes the README lists


def test_folder_of_workbooks_merges_with_provenance(tmp_path):
    folder = tmp_path / "partners"
    folder.mkdir()
    award = {"Title": "Big project", "Award Reference": "BP/1"}
    write_input(folder / "a.xlsx", {"Engagement Activities": [TALK]}, award)
    write_input(
        folder / "b.xlsx",
        {"Engagement Activities": [{**TALK, "Description": "Workshop"}]},
        {"Title": "Big project (draft name)", "Award Reference": "BP/1"},
    )
    (folder / "~$a.xlsx").write_bytes(b"lock file")
    dataset, findings, rows = load([folder])
    assert rows == 4 and len(dataset.awards) == 1 and len(dataset.entries) == 2
    assert {e.origin.file.rsplit("/", 1)[-1] for e in dataset.entries} == {"a.xlsx", "b.xlsx"}
    [conflict] = by_code(findings, "award-conflict")
    assert conflict.field == "Title" and conflict.file.endswith("b.xlsx")
    result = build([folder], tmp_path / "out")
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["A talk", "Workshop"]


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch, imported):
    import os

    import reporting.outputs
    from reporting.errors import OutputError
    from reporting.outputs import MANIFEST

    out = tmp_path / "out"
    first = build([imported.output], out)
    old = {p: p.read_bytes() for p in first.outputs}

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reporting.outputs.os, "replace", fail)
    with pytest.raises(OutputError):
        build([imported.output], out)
    assert sorted(os.listdir(out)) == sorted([p.name for p in old] + [MANIFEST])
    assert all(p.read_bytes() == data for p, data in old.items())


def test_rows_beyond_the_limit_are_an_error_not_read(tmp_path, monkeypatch):
    import reporting.workbook.read

    monkeypatch.setattr(reporting.workbook.read, "MAX_ROWS_PER_SHEET", 3)
    rows = [{**TALK, "Description": f"Talk {n}"} for n in range(5)]
    path, findings = findings_for(tmp_path, {"Engagement Activities": rows})
    [limit] = by_code(findings, "too-many-rows")
    assert limit.location == "Engagement Activities!A5" and not findings.ok
