"""`import --into`: a publication list's works added to a workbook people already fill in. Only
new works are added; every row already there, a person's edits included, stays as it is; the
works already listed are named; importing the same list again adds nothing."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from reporting import import_to_workbook, load
from reporting.adding import add_to_workbook
from reporting.cli import cli

from conftest import REAL, SEED, require

ORCID = REAL / "publications" / "orcid-v3-works_0000-0002-8783-5128_abhisheka456.json"
CSL = REAL / "publications" / "csljson-zotero_keller.json"
AWARD = "ES/X000001/1"


def _cells(path):
    book = openpyxl.load_workbook(path)
    return {
        (s.title, c.coordinate): c.value
        for s in book.worksheets
        for row in s.iter_rows()
        for c in row
        if c.value is not None
    }


def test_the_same_list_again_adds_nothing_and_changes_nothing(tmp_path):
    require(ORCID)
    workbook = tmp_path / "works.xlsx"
    first = import_to_workbook(ORCID, workbook, award=AWARD)
    before = _cells(workbook)
    report = add_to_workbook(ORCID, workbook)
    assert not report.added and len(report.skipped) == sum(first.written.values())
    assert _cells(workbook) == before


def test_new_works_are_added_below_and_a_persons_edits_stay_as_they_are(tmp_path):
    require(ORCID, CSL)
    workbook = tmp_path / "works.xlsx"
    import_to_workbook(ORCID, workbook, award=AWARD)
    book = openpyxl.load_workbook(workbook)
    sheet = book["Publications"]
    header = [c.value for c in sheet[1]]
    year = header.index("Year") + 1
    sheet.cell(2, year).value = "twenty nineteen"  # a person's edit, wrong on purpose
    sheet.cell(3, 1).value = "A title a person corrected"
    book.save(workbook)
    before = _cells(workbook)
    rows_before = sum(1 for r in sheet.iter_rows(min_row=2, values_only=True) if any(r))
    report = add_to_workbook([CSL, ORCID], workbook, award=AWARD)
    after = _cells(workbook)
    assert {k: v for k, v in after.items() if k in before} == before  # every cell kept
    assert len(report.added) == 13 and report.skipped  # the ORCID works are there already
    titles = [
        r[0] for r in openpyxl.load_workbook(workbook)["Publications"].iter_rows(min_row=2, values_only=True) if r[0]
    ]
    assert len(titles) == rows_before + 13 and "A title a person corrected" in titles
    dataset, findings, _ = load([workbook])
    edited = [f for f in findings if f.sheet == "Publications" and f.cell == f"{get_column_letter(year)}2"]
    assert edited and all(f.severity == "error" for f in edited), edited  # an edit is checked in full
    added = [e for e in dataset.entries if str(e.values.get("doi") or "").startswith("10.1016/j.cell")]
    assert added and all(e.accepted for e in added)  # the added works: as their list gave them


def test_into_refuses_what_is_not_a_publication_list_and_an_award_it_lacks(tmp_path):
    require(ORCID, SEED)
    workbook = tmp_path / "works.xlsx"
    import_to_workbook(ORCID, workbook, award=AWARD)
    runner = CliRunner()
    refused = runner.invoke(cli, ["import", str(SEED), "--into", str(workbook)])
    assert refused.exit_code == 2 and "publication lists" in refused.output
    unknown = runner.invoke(cli, ["import", str(CSL), "--into", str(workbook), "--award", "EP/Z999999/1"])
    assert unknown.exit_code == 2 and "EP/Z999999/1" in unknown.output
    done = runner.invoke(cli, ["import", str(CSL), "--into", str(workbook)])
    assert done.exit_code == 0 and "Added 13 works" in done.output
