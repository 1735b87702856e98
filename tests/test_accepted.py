"""What the funder accepted is never refused, while it is as imported; what a person types or
changes is checked as ever.

An imported entry (its workbook's hidden Imported Values sheet holds the fingerprints of its
values as written) was accepted by the funder as it is. A field researchfish did not ask for at
the time is a "not recorded" warning, shown in both returns; a value it no longer offers is kept
as reported, with a warning; an untitled entry is titled from its first words. The same gaps in
a typed entry, in a value a person changed or in a row a person added are errors naming the cell.
"""

from __future__ import annotations

import json

import docx
import openpyxl
import pytest

from reporting import build, load
from reporting.convert import import_to_workbook
from reporting.errors import InvalidEntries

from conftest import write_input

TALK = {
    "Description": "A talk",
    "Form Of Engagement Activity": "A talk or presentation",
    "Part Of Official Scheme?": "No",
    "Geographic Reach": "Local",
    "Primary Audience": "Schools",
    "Results and Impact": "Pupils asked for a second visit.",
    "Year(s) Of Engagement Activity": "2019",
}
GAPPY = {**TALK, "Geographic Reach": None, "Primary Audience": None}
#: The same talk as GtR holds it (the website's JSON names).
GTR_TALK = {
    "description": "A talk",
    "form": "A talk or presentation",
    "partOfOfficialScheme": "No",
    "geographicReach": "Local",
    "primaryAudience": "Schools",
    "impact": "Pupils asked for a second visit.",
    "year": "2019",
    "outcomeId": "m-1",
}


def _load(tmp_path, rows, name="in.xlsx"):
    path = write_input(tmp_path / name, {"Engagement Activities": rows})
    dataset, findings, _ = load([path])
    return path, dataset, findings


def _imported(tmp_path, *talks):
    """A workbook imported from a GtR project record holding `talks`."""
    record = {
        "projectOverview": {
            "projectComposition": {
                "project": {
                    "title": "Test award",
                    "grantReference": "TE/ST/1",
                    "output": {"disseminationOutputs": {"disseminationOutput": list(talks)}},
                }
            }
        }
    }
    source = tmp_path / "record.json"
    source.write_text(json.dumps(record))
    return import_to_workbook(source, tmp_path / "imported.xlsx").output


def _cell(path, sheet, label, row, value):
    book = openpyxl.load_workbook(path)
    header = [c.value for c in book[sheet][1]]
    book[sheet].cell(row, header.index(label) + 1).value = value
    book.save(path)


def test_a_typed_entry_with_a_required_field_empty_is_an_error_naming_the_cell(tmp_path):
    _, _, findings = _load(tmp_path, [GAPPY])
    errors = {(f.code, f.location, f.field) for f in findings.errors}
    assert errors == {
        ("missing-value", "Engagement Activities!D2", "Geographic Reach"),
        ("missing-value", "Engagement Activities!E2", "Primary Audience"),
    }


@pytest.mark.parametrize("marker", [{"Imported From": "GtR"}, {"Entry ID": "m-2390669782.0785"}])
def test_a_typed_entry_that_only_says_it_was_imported_is_checked_in_full(tmp_path, marker):
    _, dataset, findings = _load(tmp_path, [{**GAPPY, "Geographic Reach": "Regionall", **marker}])
    errors = {(f.code, f.location) for f in findings.errors}
    assert errors == {("not-in-list", "Engagement Activities!D2"), ("missing-value", "Engagement Activities!E2")}
    assert dataset.imported == 0


def test_an_imported_entry_with_gaps_builds_and_shows_not_recorded(tmp_path):
    gappy = {k: v for k, v in GTR_TALK.items() if k not in ("geographicReach", "primaryAudience")}
    path = _imported(tmp_path, gappy)
    dataset, findings, _ = load([path])
    assert findings.ok and dataset.imported == 1
    gaps = {(f.code, f.severity, f.location) for f in findings if f.code == "not-recorded"}
    assert gaps == {
        ("not-recorded", "warning", "Engagement Activities!D2"),
        ("not-recorded", "warning", "Engagement Activities!E2"),
    }
    result = build([path], tmp_path / "out")
    word = next(p for p in result.outputs if p.suffix == ".docx")
    lines = {p.text.split("\t")[0]: p for p in docx.Document(str(word)).paragraphs if "\t" in p.text}
    assert lines["Geographic Reach"].text == "Geographic Reach\tnot recorded"
    assert any(run.italic for run in lines["Geographic Reach"].runs if run.text == "not recorded")
    excel = openpyxl.load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"))
    sheet = excel["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Geographic Reach") + 1).value == "not recorded"
    assert sheet.cell(2, header.index("Description") + 1).value == "A talk"


def test_an_imported_value_no_longer_offered_is_kept_as_reported(tmp_path):
    path = _imported(tmp_path, {**GTR_TALK, "geographicReach": "Regionall"})
    _, findings, _ = load([path])
    assert findings.ok
    [finding] = [f for f in findings if f.code == "not-in-list"]
    assert finding.severity == "warning" and "as the funder accepted it" in finding.hint
    result = build([path], tmp_path / "out")
    text = "\n".join(p.text for p in docx.Document(str(result.outputs[0])).paragraphs)
    assert "Geographic Reach\tRegionall" in text


def test_a_value_a_person_changed_and_a_row_a_person_added_are_checked_in_full(tmp_path):
    path = _imported(
        tmp_path, GTR_TALK, {**GTR_TALK, "outcomeId": "m-2", "description": "Another talk", "primaryAudience": None}
    )
    dataset, findings, _ = load([path])
    assert findings.ok and not findings.errors and dataset.imported == 2  # as imported: no error
    _cell(path, "Engagement Activities", "Geographic Reach", 2, "regionall")  # a typo a person made
    _cell(path, "Engagement Activities", "Description", 4, "A talk a person added")
    _cell(path, "Engagement Activities", "Imported From", 4, "GtR")  # copied down with the rest
    dataset, findings, _ = load([path])
    errors = {(f.code, f.location) for f in findings.errors}
    assert ("not-in-list", "Engagement Activities!D2") in errors
    assert {("missing-value", f"Engagement Activities!{c}4") for c in "BDEFG"} <= errors
    # The untouched imported row keeps its gap as "not recorded", not an error.
    assert not any(f.location == "Engagement Activities!E3" for f in findings.errors)
    assert dataset.imported == 2
    with pytest.raises(InvalidEntries):
        build([path], tmp_path / "out", final=True)
    assert not (tmp_path / "out").exists()


def test_an_untitled_imported_entry_is_titled_from_its_first_words(tmp_path):
    talk = {
        **GTR_TALK,
        "description": None,
        "impact": "Pupils from three schools asked for a second visit and their teachers wrote to thank the team.",
    }
    source = tmp_path / "record.json"
    source.write_text(
        json.dumps(
            {
                "projectOverview": {
                    "projectComposition": {
                        "project": {
                            "title": "Test award",
                            "output": {"disseminationOutputs": {"disseminationOutput": [talk]}},
                        }
                    }
                }
            }
        )
    )
    report = import_to_workbook(source, tmp_path / "imported.xlsx")
    [finding] = [f for f in report.findings if f.code == "untitled"]
    assert finding.severity == "warning"
    title = "Pupils from three schools asked for a second visit and their teachers…"
    dataset, findings, _ = load([report.output])
    assert findings.ok and dataset.entries[0].values["description"] == title
    result = build([report.output], tmp_path / "out")
    headings = [p.text for p in docx.Document(str(result.outputs[0])).paragraphs if p.style.name == "Heading 2"]
    assert headings == [title]


def test_typed_entry_without_a_title_is_still_an_error(tmp_path):
    _, _, findings = _load(tmp_path, [{**TALK, "Description": None}])
    assert [(f.code, f.location) for f in findings.errors] == [("missing-value", "Engagement Activities!A2")]


def test_several_urls_in_one_cell_are_each_linked(tmp_path):
    urls = "https://example.org/one https://example.org/two"
    path, _, findings = _load(tmp_path, [{**TALK, "URL": urls}])
    assert findings.ok and not list(findings)
    result = build([path], tmp_path / "out")
    document = docx.Document(str(result.outputs[0]))
    [line] = [p for p in document.paragraphs if p.text.startswith("URL\t")]
    assert [h.url for h in line.hyperlinks] == ["https://example.org/one", "https://example.org/two"]
    assert line.text == f"URL\t{urls}"


def test_pre_2006_builds_and_reads_as_written(tmp_path):
    path, dataset, findings = _load(tmp_path, [{**TALK, "Year(s) Of Engagement Activity": "Pre-2006,2006"}])
    assert findings.ok and not list(findings)
    result = build([path], tmp_path / "out")
    text = "\n".join(p.text for p in docx.Document(str(result.outputs[0])).paragraphs)
    assert "Year(s) Of Engagement Activity\tPre-2006, 2006" in text
    excel = openpyxl.load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"))
    values = [c.value for row in excel["Engagement Activities"].iter_rows() for c in row]
    assert "Pre-2006, 2006" in values
    summary = [c.value for row in excel["Summary"].iter_rows() for c in row]
    assert "2006" in summary and "2005" not in summary  # "Pre-2006" counts in no year of its own
