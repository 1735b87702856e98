"""Annual submissions (periods, changes, visibility) and partner impact profiles."""

from __future__ import annotations

import json
import shutil

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reporting import build, load
from reporting.cli import cli
from reporting.convert import suggest_partners
from reporting.periods import make_period
from reporting.pipeline import diff, profiles

from conftest import docx_blocks, seed_records, shown_once, split_label, write_input


def _dated_2019(record: list[str]) -> bool | None:
    """Whether a seed record is dated in 2019 (None: it has no date), read from the page text."""
    fields = dict(split_label(line) for line in record if split_label(line)[0])
    if "Year(s) Of Engagement Activity" in fields:
        return "2019" in fields["Year(s) Of Engagement Activity"].split(",")
    if "Year Produced" in fields:
        return fields["Year Produced"] == "2019"
    if "Start" in fields:  # further funding: MM/YYYY to MM/YYYY
        return int(fields["Start"][-4:]) <= 2019 <= int(fields["End"][-4:])
    if "Start Year" in fields:  # collaborations: no end year on GtR, so still running
        return int(fields["Start Year"]) <= 2019
    if "First Year Of Impact" in fields:
        return fields["First Year Of Impact"] == "2019"
    return None  # key findings and policy influence carry no date on GtR


@pytest.fixture(scope="module")
def period_2019(imported, tmp_path_factory):
    out = tmp_path_factory.mktemp("period")
    return build([imported.output], out, period=make_period("2019"))


def test_period_keeps_exactly_the_entries_dated_in_it(period_2019):
    docx_path = next(p for p in period_2019.outputs if p.suffix == ".docx")
    assert docx_path.name.endswith("-2019.docx")
    _, blocks = docx_blocks(docx_path)
    headings = [h for h, _ in blocks]
    citations, records = seed_records()
    expected_pubs = [c.split(") ", 1)[1] for c in citations if "(2019)" in c]
    expected = [r for r in records if _dated_2019(r)]
    assert len(blocks) == len(expected_pubs) + len(expected) - shown_once(expected)
    for title in expected_pubs:
        assert any(title.split(" in ")[0] in h for h in headings), title
    texts = "\n".join(text for _, text in blocks)
    for record in expected:
        first = split_label(record[0])[1][:60]
        assert first in texts
    for record in records:
        if _dated_2019(record) is False:
            first = split_label(record[0])[1]
            assert first not in headings


def test_period_reports_undated_entries(period_2019):
    undated = [f for f in period_2019.findings if f.code == "undated-entry"]
    _, records = seed_records()
    assert len(undated) == sum(1 for r in records if _dated_2019(r) is None) == 21
    assert {f.sheet for f in undated} == {"Key Findings", "Influence on Policy"}
    document = docx.Document(str(next(p for p in period_2019.outputs if p.suffix == ".docx")))
    notes = [p.text for p in document.paragraphs if p.style.name == "Cover Note"]
    assert notes[0].startswith("Reporting period: 2019.")
    assert "21 entries without a date are not included" in notes[0]


def test_window_of_months(imported, tmp_path):
    result = build([imported.output], tmp_path, period=make_period(None, "2019-08", "2019-12"))
    dataset, _, _ = load([imported.output])
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    # Both further funding awards overlap Aug-Dec 2019? The first ended 07/2019: only one does.
    assert "Further Funding (1)" in headings
    assert next(p for p in result.outputs).name.endswith("-2019-08-to-2019-12.docx")


def test_cli_period_errors_are_usage_errors(imported):
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(imported.output), "--period", "last year"])
    assert result.exit_code == 2 and "--period takes a year" in result.output
    result = runner.invoke(cli, ["build", str(imported.output), "--from", "2019-04"])
    assert result.exit_code == 2 and "go together" in result.output


# -- changes since the last submission -----------------------------------------------------


def _edited_copy(source, target):
    """A copy with one engagement added, one removed (row 5) and one edited (row 10)."""
    shutil.copy(source, target)
    book = openpyxl.load_workbook(target)
    sheet = book["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    removed = sheet.cell(row=5, column=1).value
    edited = sheet.cell(row=10, column=1).value
    sheet.cell(row=10, column=header.index("Geographic Reach") + 1).value = "International"
    old_reach = (
        openpyxl.load_workbook(source)["Engagement Activities"]
        .cell(row=10, column=header.index("Geographic Reach") + 1)
        .value
    )
    sheet.delete_rows(5)
    new = ["A brand new talk in 2021", "A talk or presentation", "No", "Local", "Schools", "Went well", "2021"]
    sheet.append(new + [None] * (len(header) - len(new)))
    book.save(target)
    return removed, edited, old_reach


def test_diff_reports_exactly_the_three_changes(imported, tmp_path):
    current = tmp_path / "current.xlsx"
    removed, edited, old_reach = _edited_copy(imported.output, current)
    changes = diff([imported.output], [current])
    assert changes.summary() == "1 added, 1 removed, 1 changed"
    [added] = changes.of_kind("added")
    [gone] = changes.of_kind("removed")
    [change] = changes.of_kind("changed")
    assert added.heading == "A brand new talk in 2021"
    assert gone.heading == removed
    assert change.heading == edited
    assert [(f.label, f.old, f.new) for f in change.fields] == [("Geographic Reach", old_reach, "International")]
    result = CliRunner().invoke(cli, ["diff", str(imported.output), str(current), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == changes.to_dict()


def test_diff_against_an_earlier_excel_return(imported, built, tmp_path):
    _, _, xlsx_path = built
    current = tmp_path / "current.xlsx"
    _edited_copy(imported.output, current)
    changes = diff([xlsx_path], [current])
    assert changes.summary() == "1 added, 1 removed, 1 changed"


def test_entries_match_by_entry_id_first(tmp_path):
    talk = {
        "Description": "Talk",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Local",
        "Primary Audience": "Schools",
        "Results and Impact": "Fine",
        "Year(s) Of Engagement Activity": "2019",
        "Entry ID": "X1",
    }
    before = write_input(tmp_path / "a.xlsx", {"Engagement Activities": [talk]})
    after = write_input(tmp_path / "b.xlsx", {"Engagement Activities": [{**talk, "Description": "Renamed entirely"}]})
    [change] = diff([before], [after]).items
    assert change.kind == "changed" and change.how == "Entry ID"


def test_build_since_marks_new_and_changed_and_lists_changes(imported, tmp_path):
    current = tmp_path / "current.xlsx"
    removed, edited, old_reach = _edited_copy(imported.output, current)
    result = build([current], tmp_path / "out", since=[imported.output])
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    paragraphs = [p.text for p in document.paragraphs]
    heading1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert heading1[0] == "Changes since last submission (1 added, 1 removed, 1 changed)"
    assert "A brand new talk in 2021 [New]" in paragraphs
    assert f"{edited} [Changed]" in paragraphs
    assert f"Engagement Activities: {removed}" in paragraphs
    assert f"Engagement Activities: {edited} (Geographic Reach: {old_reach} → International)" in paragraphs
    toc = [p.text.rstrip("\t") for p in document.paragraphs if p.style.name == "toc 1"]
    assert toc[:2] == ["At a glance", heading1[0]]


# -- visibility ----------------------------------------------------------------------------


def test_public_leaves_out_internal_entries(tmp_path):
    talk = {
        "Description": "Open talk",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Local",
        "Primary Audience": "Schools",
        "Results and Impact": "Fine",
        "Year(s) Of Engagement Activity": "2019",
    }
    source = write_input(
        tmp_path / "in.xlsx",
        {"Engagement Activities": [talk, {**talk, "Description": "Confidential briefing", "Visibility": "Internal"}]},
    )
    default = build([source], tmp_path / "all")
    text = "\n".join(
        p.text for p in docx.Document(str(next(p for p in default.outputs if p.suffix == ".docx"))).paragraphs
    )
    assert "Confidential briefing [Internal]" in text
    assert "Includes 1 internal entry, marked [Internal]" in text
    public = build([source], tmp_path / "pub", public=True)
    docx_path = next(p for p in public.outputs if p.suffix == ".docx")
    assert docx_path.name.endswith("-public.docx")
    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "Confidential briefing" not in text and "Open talk" in text
    sheet = openpyxl.load_workbook(next(p for p in public.outputs if p.suffix == ".xlsx"))["Engagement Activities"]
    assert sheet.max_row == 2


# -- partners --------------------------------------------------------------------------------


def test_suggestions_are_written_to_a_copy_and_link_nothing_until_accepted(imported, tmp_path):
    before = imported.output.read_bytes()
    [report] = suggest_partners(imported.output, tmp_path / "suggested.xlsx")
    assert imported.output.read_bytes() == before
    book = openpyxl.load_workbook(report.output)
    sheet = book["Partner Suggestions"]
    rows = [dict(zip([c.value for c in sheet[1]], r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    carbon = [r for r in rows if r["Organisation"] == "Carbon Co-op"]
    assert carbon and all(r["Found"].casefold().replace("-", "") == "carbon coop" for r in carbon)
    assert all(r["Accept"] is None for r in rows)
    dataset, _, _ = load([report.output])
    linked = [e for e in dataset.entries if any(p.name == "Carbon Co-op" for p in e.partners)]
    assert [e.section.key for e in linked] == ["collaborations"]  # only the automatic link


@pytest.fixture(scope="module")
def accepted(imported, tmp_path_factory):
    """The Jam and Justice workbook with every Carbon Co-op suggestion accepted."""
    out = tmp_path_factory.mktemp("accepted")
    [report] = suggest_partners(imported.output, out / "suggested.xlsx")
    book = openpyxl.load_workbook(report.output)
    sheet = book["Partner Suggestions"]
    header = [c.value for c in sheet[1]]
    accepted_rows = []
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Organisation")].value == "Carbon Co-op":
            row[header.index("Accept")].value = "Yes"
            accepted_rows.append((row[header.index("Sheet")].value, int(row[header.index("Row")].value)))
    book.save(report.output)
    return report.output, accepted_rows


def test_carbon_coop_profile_holds_its_collaboration_and_accepted_entries(accepted, tmp_path):
    workbook, accepted_rows = accepted
    result = profiles([workbook], ["Carbon Coop"], tmp_path)
    docx_path = next(p for p in result.outputs if p.suffix == ".docx")
    assert docx_path.name == "profile-carbon-co-op.docx"
    document = docx.Document(str(docx_path))
    assert document.paragraphs[0].text == "Carbon Co-op"
    _, blocks = docx_blocks(docx_path)  # entries: titled ones, untitled ones and citations
    headings = [first for first, _ in blocks]
    dataset, _, _ = load([workbook])
    expected = [
        e
        for e in dataset.entries
        if (e.origin.sheet, e.origin.row) in accepted_rows or e.values.get("organisation") == "Carbon Co-op"
    ]
    assert len(expected) == len(accepted_rows) + 1
    # the collaboration it was named in (and Homebaked's entry of it) is one entry listing both
    assert [e.values.get("organisation") for e in expected].count("Homebaked") == 1
    assert len(headings) == len(expected) - 1
    assert "Partnership with Carbon Coop to deliver co-produced ARC project - People's Republic of Energy" in headings
    details = [p.text for p in document.paragraphs if p.style.name == "Award Detail"]
    assert "Sector\tPrivate" in details and "Country\tUnited Kingdom" in details
    sheet = openpyxl.load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"))["Summary"]
    assert sheet["A1"].value == "Carbon Co-op"


def test_every_collaboration_partner_gets_a_profile(imported, tmp_path):
    result = profiles([imported.output], (), tmp_path)
    names = {p.name for p in result.outputs if p.suffix == ".docx"}
    _, records = seed_records()
    organisations = {split_label(line)[1] for r in records for line in r if line.startswith("Organisation ")}
    collaboration_orgs = {
        split_label(line)[1]
        for r in records
        if any(x.startswith("Collaborator Contribution") for x in r)
        for line in r
        if line.startswith("Organisation ")
    }
    assert len(collaboration_orgs) == 16
    from reporting.text import slugify

    for organisation in organisations | collaboration_orgs:
        assert f"profile-{slugify(organisation).lower()}.docx" in names


def test_unknown_partner_name_gets_did_you_mean(imported):
    result = CliRunner().invoke(cli, ["profiles", str(imported.output), "--partner", "Carbn Co-op", "-o", "/tmp/x"])
    assert result.exit_code == 2
    assert 'Did you mean "Carbon Co-op"?' in result.output


def test_partners_column_links_and_unknown_names_are_reported(tmp_path):
    talk = {
        "Description": "Talk",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Local",
        "Primary Audience": "Schools",
        "Results and Impact": "Fine",
        "Year(s) Of Engagement Activity": "2019",
    }
    path = write_input(
        tmp_path / "in.xlsx",
        {
            "Organisations": [{"Name": "Carbon Co-op", "Aliases": "Carbon Coop; CC"}],
            "Engagement Activities": [{**talk, "Partners": "carbon coop; Homebakd"}],
        },
    )
    dataset, findings, _ = load([path])
    [entry] = dataset.entries
    assert [p.name for p in entry.partners] == ["Carbon Co-op", "Homebakd"]
    [unknown] = [f for f in findings if f.code == "unknown-partner"]
    assert unknown.value == "Homebakd" and unknown.location.startswith("Engagement Activities!")


def test_diff_matches_every_reworded_title_without_comparing_every_pair(tmp_path):
    """Every title reworded (a word changed or added): each pair at least 85% alike (difflib,
    computed here pair by pair) is one changed entry; the rest are added and removed. Titles
    share common words, so the trigram index must not lose pairs made mostly of them."""
    import difflib
    import random

    rng = random.Random(7)
    common = "the of and to in for a on with at talk event school city workshop".split()
    vocabulary = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(3, 8))) for _ in range(500)]
    talk = {
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Local",
        "Primary Audience": "Schools",
        "Results and Impact": "Fine",
        "Year(s) Of Engagement Activity": "2019",
    }
    old_titles, new_titles = [], []
    for _ in range(500):
        words = [rng.choice(common if rng.random() < 0.5 else vocabulary) for _ in range(rng.randint(4, 10))]
        changed = list(words)
        changed.insert(rng.randrange(len(changed) + 1), rng.choice(common))
        old_titles.append(" ".join(words))
        new_titles.append(" ".join(changed))
    old_titles.append("the talk at the school")  # nothing but common words
    new_titles.append("the talk at the city school")
    before = write_input(
        tmp_path / "a.xlsx", {"Engagement Activities": [dict(talk, Description=t) for t in old_titles]}
    )
    after = write_input(tmp_path / "b.xlsx", {"Engagement Activities": [dict(talk, Description=t) for t in new_titles]})
    alike = [difflib.SequenceMatcher(None, a, b).ratio() >= 0.85 for a, b in zip(old_titles, new_titles)]
    changes = diff([before], [after])
    changed = {(c.previous.values["description"], c.heading) for c in changes.of_kind("changed")}
    assert changed == {(a, b) for a, b, same in zip(old_titles, new_titles, alike) if same}
    assert len(changes.of_kind("added")) == len(changes.of_kind("removed")) == alike.count(False)
    assert alike[-1] and alike.count(True) > 300


@pytest.mark.slow
def test_build_since_an_earlier_excel_return_lists_what_diff_finds(imported, built, tmp_path):
    """The change log sent to a funder says exactly what `diff` says, whatever the earlier
    submission is (issue 13: an Excel return gave "0 removed" where diff found 1)."""
    _, _, xlsx_path = built
    current = tmp_path / "current.xlsx"
    _edited_copy(imported.output, current)
    expected = diff([xlsx_path], [current]).summary()
    assert expected == "1 added, 1 removed, 1 changed"
    assert diff([xlsx_path.parent], [current]).summary() == expected  # the folder of last year's returns
    for previous in (xlsx_path, imported.output, xlsx_path.parent):
        result = build([current], tmp_path / (previous.suffix or "folder"), since=[previous])
        document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
        heading1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert f"Changes since last submission ({expected})" in heading1, previous


def test_a_profile_of_one_entry_is_short(imported, tmp_path):
    """No contents page and no page of its own for At a glance: a partner with one
    collaboration gets a cover (with the figures) and its entry."""
    result = profiles([imported.output], ["Amity HCD"], tmp_path)
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    paragraphs = document.paragraphs
    assert not [p for p in paragraphs if p.style.name in ("toc 1", "TOC Heading")]
    glance = next(i for i, p in enumerate(paragraphs) if p.text == "At a glance")
    assert not any('w:type="page"' in p._p.xml for p in paragraphs[:glance])
