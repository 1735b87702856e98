"""Property: every invalid cell is reported at its exact reference, and every valid entry
reaches both returns."""

from __future__ import annotations

import tempfile
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from reporting import build, load
from reporting.schema import load_schema

from conftest import squash, write_input

SCHEMA = load_schema()
SECTION = SCHEMA.section("engagement_activities")
HEADERS = [
    "Description",
    "Form Of Engagement Activity",
    "Part Of Official Scheme?",
    "Geographic Reach",
    "Primary Audience",
    "Results and Impact",
    "Year(s) Of Engagement Activity",
    "URL",
]
VOCAB = {spec.label: list(spec.vocabulary.values) for spec in SECTION.fields if spec.vocabulary}

text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)), min_size=1, max_size=60
).filter(
    lambda s: s.strip() and s.strip().casefold() not in {"tbc", "tbd", "none", "n/a", "na", "-", "?", "xxx", "todo"}
)
year = st.integers(min_value=1990, max_value=2024)

VALID = {
    "Form Of Engagement Activity": st.sampled_from(VOCAB["Form Of Engagement Activity"]),
    "Part Of Official Scheme?": st.sampled_from(["Yes", "No"]),
    "Geographic Reach": st.sampled_from(VOCAB["Geographic Reach"]),
    "Primary Audience": st.sampled_from(VOCAB["Primary Audience"]),
    "Results and Impact": text,
    "Year(s) Of Engagement Activity": st.one_of(
        year.map(str), st.lists(year, min_size=1, max_size=3).map(lambda ys: ", ".join(map(str, ys)))
    ),
    "URL": st.one_of(st.none(), st.from_regex(r"https://[a-z]{3,10}\.org/[a-z0-9]{0,10}", fullmatch=True)),
}
INVALID = {
    "Form Of Engagement Activity": st.sampled_from(["Juggling", "Zzz", "Ceramics class"]),
    "Part Of Official Scheme?": st.sampled_from(["Maybe", "Perhaps", "2"]),
    "Geographic Reach": st.sampled_from(["Everywhere", "Mars", "Planetary"]),
    "Primary Audience": st.sampled_from(["Martians", "Nobody at all"]),
    "Results and Impact": st.just(None),  # required, left empty
    "Year(s) Of Engagement Activity": st.sampled_from(["twenty", "19", "2019, soon"]),
    "URL": st.sampled_from(["not a url", "example dot org"]),
}


@st.composite
def rows(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    made = []
    for index in range(count):
        row, bad = {"Description": f"Entry {index} {draw(text)}"}, set()
        for label in HEADERS[1:]:
            if draw(st.integers(0, 4)) == 0:
                row[label] = draw(INVALID[label])
                bad.add(label)
            else:
                row[label] = draw(VALID[label])
        made.append((row, bad))
    return made


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_invalid_cells_are_reported_and_valid_entries_reach_both_returns(generated):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ordered = [{h: row.get(h) for h in HEADERS} for row, _ in generated]
        path = write_input(tmp / "in.xlsx", {"Engagement Activities": ordered})
        _, findings, _ = load([path])
        expected = {
            f"Engagement Activities!{get_column_letter(HEADERS.index(label) + 1)}{index + 2}"
            for index, (_, bad) in enumerate(generated)
            for label in bad
        }
        assert {f.location for f in findings.errors} == expected

        valid = [row for row, bad in generated if not bad]
        clean = write_input(
            tmp / "clean.xlsx", {"Engagement Activities": [{h: r.get(h) for h in HEADERS} for r in valid]}
        )
        result = build([clean], tmp / "out")
        assert result.outputs, [f.describe() for f in result.findings.errors]
        document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
        doc_text = squash("\n".join(p.text for p in document.paragraphs))
        sheet = openpyxl.load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"))
        cells = [r for r in sheet["Engagement Activities"].iter_rows(min_row=2, values_only=True)] if valid else []
        assert len(cells) == len(valid)
        # Entries are ordered by date in the returns: each valid row is one Excel row, whichever.
        in_excel = sorted((squash(xl[0]), squash(xl[5])) for xl in cells)
        assert in_excel == sorted((squash(row["Description"]), squash(row["Results and Impact"])) for row in valid)
        for row in valid:
            assert squash(row["Description"]) in doc_text
            assert squash(row["Results and Impact"]) in doc_text
