"""The blank input workbook written by `init`."""

from __future__ import annotations

import openpyxl
import pytest

from reporting import init_workbook, load
from reporting.errors import UsageError


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("init") / "outcomes.xlsx"
    init_workbook(path)
    return path


def test_sheets_in_order(blank, schema):
    book = openpyxl.load_workbook(blank)
    expected = ["Instructions", "Award", "Organisations"] + [s.sheet for s in schema.sections] + ["Lists"]
    assert book.sheetnames == expected
    assert book["Lists"].sheet_state == "hidden"
    assert book.active.title == "Instructions"


def test_headers_are_gtr_labels_plus_common_columns(blank, schema):
    book = openpyxl.load_workbook(blank)
    engagement = [c.value for c in book["Engagement Activities"][1]]
    assert engagement == [
        "Description",
        "Form Of Engagement Activity",
        "Part Of Official Scheme?",
        "Geographic Reach",
        "Primary Audience",
        "Results and Impact",
        "Year(s) Of Engagement Activity",
        "URL",
        "Type Of Presentation",
        "Name Of Official Scheme",
        "Other Audiences",
        "Audience Size",
        "Most Significant Outcome",
        "Entry ID",
        "Imported From",
        "Award Reference",
        "Partners",
        "Visibility",
    ]
    for section in schema.sections:
        header = [c.value for c in book[section.sheet][1]]
        # researchfish export columns (identifiers and the like) are not offered in a blank workbook
        assert header == [f.label for f in schema.columns(section) if not f.export_only]
        assert header[-2:] == ["Partners", "Visibility"]
    award = [c.value for c in book["Award"][1]]
    assert award[:3] == ["Title", "Award Reference", "Funder"]


def test_every_header_has_help_and_says_if_required(blank, schema):
    book = openpyxl.load_workbook(blank)
    for section in schema.sections:
        sheet = book[section.sheet]
        for cell, spec in zip(sheet[1], [f for f in schema.columns(section) if not f.export_only]):
            assert cell.comment is not None, (section.sheet, spec.label)
            text = cell.comment.text
            assert ("Required." in text) == spec.required
            assert spec.label in text
        assert sheet.freeze_panes == "A2"


def test_controlled_fields_have_dropdowns_from_the_hidden_sheet(blank, schema):
    book = openpyxl.load_workbook(blank)
    names = book.defined_names
    lists = book["Lists"]
    for section in schema.sections:
        sheet = book[section.sheet]
        rules = {}
        for dv in sheet.data_validations.dataValidation:
            for ref in str(dv.sqref).split():
                rules[ref.split(":")[0].rstrip("0123456789")] = dv
        for col, spec in enumerate([f for f in schema.columns(section) if not f.export_only], start=1):
            letter = openpyxl.utils.get_column_letter(col)
            if spec.type in ("choice", "choices"):
                dv = rules[letter]
                assert dv.type == "list"
                name = dv.formula1.lstrip("=")
                destination = names[name].attr_text
                assert destination.startswith("Lists!")
                column = destination.split("!$")[1].split("$")[0]
                values = [c.value for c in lists[column][1:] if c.value is not None]
                assert values == list(spec.vocabulary.values)
            if spec.type == "yes_no":
                assert rules[letter].formula1 == '"Yes,No"'
    # The longest list would break Excel's 255-character inline limit; it is on the sheet instead.
    assert len(",".join(schema.vocabularies["countries"].values)) > 255


def test_formats_widths_and_wrapping(blank):
    book = openpyxl.load_workbook(blank)
    sheet = book["Publications"]
    header = [c.value for c in sheet[1]]
    doi = openpyxl.utils.get_column_letter(header.index("DOI") + 1)
    assert sheet.column_dimensions[doi].number_format == "@"
    engagement = book["Engagement Activities"]
    header = [c.value for c in engagement[1]]
    results = openpyxl.utils.get_column_letter(header.index("Results and Impact") + 1)
    assert engagement.column_dimensions[results].width >= 50
    required = engagement.cell(row=1, column=1)
    optional = engagement.cell(row=1, column=header.index("URL") + 1)
    assert required.fill.fgColor.rgb != optional.fill.fgColor.rgb
    assert "How to fill in" in book["Instructions"]["A1"].value


def test_blank_workbook_builds_nothing_but_reads_cleanly(blank):
    dataset, findings, rows = load([blank])
    assert rows == 0
    assert dataset.entries == []
    assert findings.ok
    assert [f.code for f in findings] == ["missing-award"]


def test_init_refuses_to_overwrite_a_workbook_someone_filled_in(tmp_path):
    path = tmp_path / "x.xlsx"
    init_workbook(path)
    init_workbook(path)  # its own file, unchanged: replaced without a word
    book = openpyxl.load_workbook(path)
    book["Engagement Activities"]["A2"] = "A talk someone typed"
    book.save(path)
    before = path.read_bytes()
    with pytest.raises(UsageError):
        init_workbook(path)
    assert path.read_bytes() == before
    init_workbook(path, force=True)


def test_the_blank_workbooks_help_has_no_markup_and_says_each_thing_once(tmp_path):
    from reporting import init_workbook

    path = init_workbook(tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(path)
    texts = [v for row in book["Instructions"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    for sheet in book.worksheets:
        texts.extend(c.comment.text for c in sheet[1] if c.comment)
    for text in texts:
        assert "`" not in text, text
        sentences = [s.strip() for s in text.replace("\n", " ").split(". ") if s.strip()]
        assert len(sentences) == len(set(sentences)), text
        assert not ("http" in text and text.count("https://") > 1 and "A full web address" in text), text
        assert text.count("';'") <= 1, text
