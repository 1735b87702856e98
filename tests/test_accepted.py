"""What the funder accepted is never refused; what a person types is checked as ever.

An entry with an Entry ID or an Imported From (GtR, researchfish) was accepted by the funder as
it is. A field researchfish did not ask for at the time is a "not recorded" warning, shown in
both returns; a value it no longer offers is kept as reported, with a warning; an untitled entry
is titled from its first words. The same gaps in a typed entry are errors naming the cell.
"""

from __future__ import annotations

import docx
import openpyxl
import pytest

from reporting import build, load

from conftest import write_input

TALK = {"Description": "A talk", "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No", "Geographic Reach": "Local", "Primary Audience": "Schools",
        "Results and Impact": "Pupils asked for a second visit.", "Year(s) Of Engagement Activity": "2019"}
GAPPY = {**TALK, "Geographic Reach": None, "Primary Audience": None}


def _load(tmp_path, rows, name="in.xlsx"):
    path = write_input(tmp_path / name, {"Engagement Activities": rows})
    dataset, findings, _ = load([path])
    return path, dataset, findings


def test_a_typed_entry_with_a_required_field_empty_is_an_error_naming_the_cell(tmp_path):
    _, _, findings = _load(tmp_path, [GAPPY])
    errors = {(f.code, f.location, f.field) for f in findings.errors}
    assert errors == {("missing-value", "Engagement Activities!D2", "Geographic Reach"),
                      ("missing-value", "Engagement Activities!E2", "Primary Audience")}


@pytest.mark.parametrize("marker", [{"Imported From": "GtR"}, {"Entry ID": "m-2390669782.0785"}])
def test_an_accepted_entry_with_gaps_builds_and_shows_not_recorded(tmp_path, marker):
    path, _, findings = _load(tmp_path, [{**GAPPY, **marker}])
    assert findings.ok
    gaps = {(f.code, f.severity, f.location) for f in findings if f.code == "not-recorded"}
    assert gaps == {("not-recorded", "warning", "Engagement Activities!D2"),
                    ("not-recorded", "warning", "Engagement Activities!E2")}
    result = build([path], tmp_path / "out")
    assert result.built
    word = next(p for p in result.outputs if p.suffix == ".docx")
    lines = {p.text.split("\t")[0]: p for p in docx.Document(str(word)).paragraphs if "\t" in p.text}
    assert lines["Geographic Reach"].text == "Geographic Reach\tnot recorded"
    assert any(run.italic for run in lines["Geographic Reach"].runs if run.text == "not recorded")
    excel = openpyxl.load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"))
    sheet = excel["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Geographic Reach") + 1).value == "not recorded"
    assert sheet.cell(2, header.index("Description") + 1).value == "A talk"


def test_an_accepted_value_no_longer_offered_is_kept_as_reported(tmp_path):
    path, _, findings = _load(tmp_path, [{**TALK, "Geographic Reach": "Regionall", "Imported From": "GtR"}])
    assert findings.ok
    [finding] = [f for f in findings if f.code == "not-in-list"]
    assert finding.severity == "warning" and "as the funder accepted it" in finding.hint
    result = build([path], tmp_path / "out")
    text = "\n".join(p.text for p in docx.Document(str(result.outputs[0])).paragraphs)
    assert "Geographic Reach\tRegionall" in text


def test_an_untitled_accepted_entry_is_titled_from_its_first_words(tmp_path):
    row = {**TALK, "Description": None, "Imported From": "researchfish",
           "Results and Impact": "Pupils from three schools asked for a second visit and their teachers "
                                 "wrote to thank the team."}
    path, dataset, findings = _load(tmp_path, [row])
    [finding] = [f for f in findings if f.code == "untitled"]
    assert finding.severity == "warning" and finding.location == "Engagement Activities!A2"
    title = "Pupils from three schools asked for a second visit and their teachers…"
    assert dataset.entries[0].values["description"] == title
    result = build([path], tmp_path / "out")
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
