"""Importing the real GtR page: every record arrives in its section's sheet, text intact."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from reporting.importers import import_file
from reporting.importers.gtr_page import parse_gtr_page

from conftest import SEED, expected_pieces, seed_records, squash

pytestmark = pytest.mark.shared

EXPECTED = {
    "publications": 11,
    "artistic_products": 23,
    "key_findings": 1,
    "narrative_impact": 1,
    "policy_influence": 20,
    "further_funding": 2,
    "research_databases": 2,
    "collaborations": 16,
    "engagement_activities": 223,
}


def test_counts_per_section_match_the_page(imported):
    assert imported.result.read == EXPECTED
    assert imported.written == EXPECTED
    assert imported.result.unplaced == 0


def test_seed_split_independently_has_288_records_and_11_citations():
    citations, records = seed_records()
    assert len(citations) == 11
    assert len(records) == 288


def _row_text(sheet, row: tuple) -> str:
    header = [c.value for c in sheet[1]]
    parts = []
    values = dict(zip(header, row))
    for value in row:
        if isinstance(value, dt.datetime):
            parts.append(value.strftime("%m/%Y"))
        elif isinstance(value, float) and value.is_integer():
            parts.append(str(int(value)))
        elif value is not None:
            parts.append(str(value))
    if values.get("Amount") is not None:
        symbol = {"GBP": "£"}.get(values.get("Currency"), "")
        parts.append(f"{symbol}{int(values['Amount']):,} ({values.get('Currency')})")
    return "\n".join(parts)


def test_every_outcome_record_arrives_with_its_text(imported, schema):
    book = openpyxl.load_workbook(imported.output)
    rows = []
    for section in schema.sections:
        if section.key == "publications":
            continue
        sheet = book[section.sheet]
        rows.extend(_row_text(sheet, r) for r in sheet.iter_rows(min_row=2, values_only=True))
    _, records = seed_records()
    assert len(rows) == len(records) == 288
    for record, row in zip(records, rows):
        text = squash(row)
        for piece in expected_pieces(record):
            assert squash(piece) in text, (piece, record[0])


def test_publications_round_trip_exactly(imported):
    book = openpyxl.load_workbook(imported.output)
    sheet = book["Publications"]
    header = [c.value for c in sheet[1]]
    rebuilt = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        values = dict(zip(header, row))
        line = f"{values['Author']} ({values['Year']}) {values['Title']}"
        if values["Journal"]:
            line += f" in {values['Journal']}"
        rebuilt.append(line)
    citations, _ = seed_records()
    assert rebuilt == citations


def test_award_header_fills_the_award_sheet(imported):
    sheet = openpyxl.load_workbook(imported.output)["Award"]
    values = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]]))
    assert values["Title"] == "Jam and Justice: Co-producing Urban Governance for Social Innovation"
    assert values["Lead Research Organisation"] == "University of Sheffield"
    assert values["Department Name"] == "Urban Institute"
    assert values["Abstract"].startswith("Our cities are in crisis.")
    assert values["Abstract"].count("\n\n") == 3  # four paragraphs, blank lines kept
    assert values["Planned Impact"].startswith("Jam and Justice is a project with impact at its core")
    assert sheet.max_row == 2


def test_values_are_typed_and_cleaned(imported):
    book = openpyxl.load_workbook(imported.output)
    funding = book["Further Funding"]
    header = [c.value for c in funding[1]]
    first = dict(zip(header, [c.value for c in funding[2]]))
    assert first["Amount"] == 53886
    assert first["Currency"] == "GBP"
    assert first["Start"] == dt.datetime(2018, 7, 1)
    assert first["End"] == dt.datetime(2019, 7, 1)
    assert first["Organisation"] == "Economic and Social Research Council"  # trailing NBSP gone
    key = book["Key Findings"]
    kf = dict(zip([c.value for c in key[1]], [c.value for c in key[2]]))
    assert kf["Sectors"] == ("Communities and Social Services/Policy; Education; Government, Democracy and Justice")
    assert len(kf["Description"]) > 11000 and "\n\n" in kf["Description"]
    assert kf["URL"] == "http://jamandjustice-rjc.org"
    engagement = book["Engagement Activities"]
    eh = [c.value for c in engagement[1]]
    years = [
        dict(zip(eh, r))["Year(s) Of Engagement Activity"] for r in engagement.iter_rows(min_row=2, values_only=True)
    ]
    assert "2018, 2019" in years and "2013, 2018" in years
    assert all("\u00a0" not in str(c.value) for row in engagement.iter_rows() for c in row if c.value)


def test_no_nbsp_survives_anywhere(imported):
    book = openpyxl.load_workbook(imported.output)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "\u00a0" in v for v in row), sheet.title


def test_import_notes_name_the_line(schema):
    result = import_file(SEED, schema)
    split = [n for n in result.notes if n.code == "citation-split"]
    assert len(split) == 1
    assert (split[0].cell, split[0].line, split[0].location) == ("", 65, "line 65")
    assert "Social Policy & Administration" in split[0].message


def test_record_matching_no_section_is_reported_not_dropped(schema):
    page = (
        "A project\n\nLead Research Organisation: Somewhere\n\u00a0\n"
        "Description Something odd\nWidget Count 12\n\u00a0\n"
        "Description A talk\nForm Of Engagement Activity A talk or presentation\n"
        "Part Of Official Scheme? No\nGeographic Reach Local\nPrimary Audience Schools\n"
        "Results and Impact Fine\nYear(s) Of Engagement Activity 2019\n"
    )
    result = parse_gtr_page(page, "page.txt", schema)
    assert result.unplaced == 1
    assert result.read == {"engagement_activities": 1}
    note = next(n for n in result.notes if n.code == "unknown-record")
    assert "Widget Count 12" in note.value and note.line == 5 and note.location == "line 5"


@pytest.mark.parametrize(
    "value, section", [("Database/Collection of data", "research_databases"), ("Antibody", "research_tools")]
)
def test_shared_signature_is_told_apart_by_vocabulary(schema, value, section):
    page = (
        "T\n\u00a0\nTitle X\nDescription D\nType Of Material "
        + value
        + "\nYear Produced 2019\nProvided To Others? Yes\nImpact I\n"
    )
    result = parse_gtr_page(page, "p.txt", schema)
    assert result.read == {section: 1}
