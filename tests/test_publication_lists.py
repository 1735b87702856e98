"""Every real publication list in ../shared/data imports with every work once, attached to the
award given, and builds into both returns with each work's title and DOI; two files listing
the same works give each once. What the files hold is read by tests/pub_oracle.py, not by the
importers."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter

import openpyxl
import pytest
from oracles import docx_text, squash, xlsx_text
from pub_oracle import works_of

from reporting import build, import_to_workbook

from conftest import REAL, ROOT, SEED, require

LISTS = sorted(p for p in (REAL / "publications").iterdir() if p.is_file()) if (REAL / "publications").is_dir() else []
AWARD = "ES/X000001/1"
#: The lists the quick loop builds (one of each family); the full suite builds every one.
QUICK = {"orcid_v2_record_0000-0001-6318-9021.json", "ris-scopus_asreview-baseline.ris", "csljson-zotero_keller.json"}


def _works(path):
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Publications"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:] if any(row)]


def _check_every_doi_once(items, works):
    written = Counter(str(w["DOI"]).casefold() for w in works if w.get("DOI"))
    assert set(written) == {i.doi for i in items if i.doi}
    for doi, count in written.items():
        titles = {squash(i.title).casefold() for i in items if i.doi == doi}
        assert count <= max(len(titles), 1), doi  # twice only for two works of other titles given one DOI


@pytest.mark.parametrize("path", LISTS, ids=[p.name for p in LISTS])
def test_every_list_imports_every_work_once_for_the_award(path, tmp_path):
    require(path)
    items = works_of(path)
    report = import_to_workbook(path, tmp_path / "works.xlsx", award=AWARD)
    assert report.ok and all(t.balanced for t in report.result.tallies)
    works = _works(tmp_path / "works.xlsx")
    merged = sum(t.merged for t in report.result.tallies)
    assert len(works) + merged == len(items) and len(works) >= 1
    assert {w["Award Reference"] for w in works} == {AWARD}
    _check_every_doi_once(items, works)


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.name, marks=[] if p.name in QUICK else [pytest.mark.slow]) for p in LISTS]
)
def test_every_list_builds_with_each_works_title_and_doi_in_both_returns(path, tmp_path):
    require(path)
    import_to_workbook(path, tmp_path / "in" / "works.xlsx", award=AWARD)
    result = build([tmp_path / "in"], tmp_path / "out")
    word = next(p for p in result.outputs if p.suffix == ".docx")
    excel = next(p for p in result.outputs if p.suffix == ".xlsx")
    words, cells = docx_text(word).casefold(), xlsx_text(excel).casefold()
    items = works_of(path)
    titles = [squash(w["Title"]).casefold() for w in _works(tmp_path / "in" / "works.xlsx")]
    for item in items:
        for text in (words, cells):
            if item.doi:
                assert squash(item.doi) in text, item
            if item.title:  # this title, or (a work listed twice) the title it was folded under
                same = [squash(i.title).casefold() for i in items if i.doi and i.doi == item.doi] + [
                    squash(item.title).casefold()
                ]
                assert any(t in text for t in same), item
            if item.year and item.doi:
                assert item.year in text
    if path.name.startswith("orcid"):  # ORCID's summaries list no authors: not "Anon."
        assert "[authorsnotrecorded]" in words and "anon.(" not in words
    for title in titles:  # BibTeX titles (LaTeX) are checked as the workbook holds them
        assert title in words and title in cells, title


def test_two_files_listing_the_same_works_give_each_once(tmp_path):
    first = REAL / "publications" / "csljson-zotero_keller.json"
    second = REAL / "publications" / "ris-scopus_asreview-baseline.ris"
    require(first, second)
    shutil.copy(first, tmp_path / "again.json")
    report = import_to_workbook([first, second, tmp_path / "again.json"], tmp_path / "works.xlsx", award=AWARD)
    works = _works(tmp_path / "works.xlsx")
    items = works_of(first) + works_of(second)
    assert len(works) == len(items)
    assert sum(t.merged for t in report.result.tallies) == len(works_of(first))
    _check_every_doi_once(items, works)


def test_without_an_award_the_grants_a_work_names_attach_it_and_none_is_dropped(tmp_path):
    source = tmp_path / "works.bib"
    source.write_text(
        "@article{a, title={One}, author={Smith, Jane}, journal={J}, year={2020},"
        " note={Funded by EPSRC grant EP/K503733/1.}}\n"
        "@article{b, title={Two}, author={Smith, Jane}, journal={J}, year={2021},"
        " funding={ESRC ES/P000711/1 and EP/K503733/1}}\n"
        '@article{c, title={=HYPERLINK("http://x")}, author={Smith, Jane}, journal={J}, year={2022}}\n',
        encoding="utf-8",
    )
    report = import_to_workbook(source, tmp_path / "works.xlsx")
    book = openpyxl.load_workbook(tmp_path / "works.xlsx")
    awards = {row[1] for row in book["Award"].iter_rows(min_row=2, values_only=True)}
    assert awards == {"EP/K503733/1", "ES/P000711/1"}
    works = {w["Title"]: w["Award Reference"] for w in _works(tmp_path / "works.xlsx")}
    assert works["One"] == "EP/K503733/1" and set(works["Two"].split("; ")) == awards
    assert works['=HYPERLINK("http://x")'] is None  # written (as text), for a person to attach
    codes = {f.code for f in report.findings}
    assert {"no-award-named", "which-award"} <= codes and not report.ok


CRIS_CSV = (
    "ID,Title,Authors,Journal,Publication date,DOI,Publication type,Volume,Pages,Data source\n"
    '1,A study of things,"Smith, J.; Jones, K.",Journal of Things,2020-03-15,https://doi.org/10.1000/abc,'
    "Journal article,12,1–10,Scopus\n"
    "2,A study of things,Smith J; Jones K,J Things,2020,10.1000/ABC,Journal article,12,1-10,Web of Science\n"
    '3,"=HYPERLINK(""http://x"")",Jane Smith and Kim Jones,Proc. Conf.,2021,,Conference proceeding,,,Manual\n'
)


def test_a_cris_table_is_read_by_its_column_names_one_row_a_source(tmp_path):
    source = tmp_path / "elements-export.csv"
    source.write_text(CRIS_CSV, encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv.reader(io.StringIO(CRIS_CSV)):
        sheet.append(line)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text as a person typed it, "=HYPERLINK(...)" too
    book.save(tmp_path / "pure-export.xlsx")
    for path in (source, tmp_path / "pure-export.xlsx"):
        report = import_to_workbook(path, tmp_path / f"{path.stem}-works.xlsx", award=AWARD)
        works = _works(tmp_path / f"{path.stem}-works.xlsx")
        assert [w["Title"] for w in works] == ["A study of things", '=HYPERLINK("http://x")']
        assert sum(t.merged for t in report.result.tallies) == 1  # Scopus's and WoS's row: one work
        first, second = works
        assert (first["Author"], first["Year"], first["DOI"], first["Pages"]) == (
            "Smith J, Jones K",
            2020,
            "10.1000/abc",
            "1-10",
        )
        assert first["Type"] == "Journal Article / Review" and first["Month"] in ("3", 3)
        assert second["Author"] == "Smith J, Jones K" and second["Type"].startswith("Conference")
        assert "Scopus" in str(first["Note: other fields"])  # what has no field is kept


@pytest.mark.slow
def test_the_pages_quick_decision_agrees_with_import_on_every_real_file(schema):
    """`wants_import` (which the page asks first, reading little) says "import it" exactly for
    the files `import` reads as something other than an input workbook."""
    from reporting.importers import import_file, wants_import

    require(REAL)
    files = [
        *sorted((REAL / "publications").iterdir()),
        *sorted((REAL / "researchfish").glob("*.xlsx")),
        ROOT / "inputs" / "jam-and-justice.xlsx",
        SEED,
    ]
    for path in files:
        if path.name == "README.md":
            continue
        as_input = import_file(path, schema).format == "input workbook (.xlsx)"
        assert wants_import(path, schema) is not as_input, path.name
