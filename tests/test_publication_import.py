"""Publication lists imported (BibTeX today): every work of the real files in ../shared/data,
once, attached to the award given; built into both returns. The files are read here
independently of the importer (regular expressions over the source)."""

from __future__ import annotations

import re

import openpyxl
import pytest
from oracles import docx_text, squash, xlsx_text

from reporting import build, import_to_workbook

from conftest import REAL, require

BIB = sorted((REAL / "publications").glob("*.bib")) if (REAL / "publications").is_dir() else []
AWARD = "ES/X000001/1"


def _source_dois(text: str) -> set[str]:
    found = re.findall(
        r"^\s*doi\s*=\s*[{\"]?\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.[^,}\"\s]+)", text, re.M | re.I
    )
    return {d.casefold() for d in found}


@pytest.mark.parametrize("path", BIB, ids=[p.name for p in BIB])
def test_a_bibtex_list_imports_every_work_once_for_the_award_given(path, tmp_path):
    require(path)
    report = import_to_workbook(path, tmp_path / "works.xlsx", award=AWARD)
    assert all(t.balanced for t in report.result.tallies)
    book = openpyxl.load_workbook(tmp_path / "works.xlsx")
    rows = list(book["Publications"].iter_rows(values_only=True))
    header = rows[0]
    works = [dict(zip(header, row)) for row in rows[1:] if any(row)]
    dois = [str(w["DOI"]).casefold() for w in works if w.get("DOI")]
    assert len(dois) == len(set(dois)) and set(dois) == _source_dois(path.read_text(encoding="utf-8"))
    assert {w["Award Reference"] for w in works} == {AWARD}
    awards = list(book["Award"].iter_rows(values_only=True))
    assert AWARD in awards[1]
    titles = re.findall(r"^\s*title\s*=", path.read_text(encoding="utf-8"), re.M | re.I)
    merged = sum(t.merged for t in report.result.tallies)
    assert len(works) + merged == len(titles)  # every entry: a work, or folded into one listed already


@pytest.mark.parametrize("name", ["bibtex-zotero_osborne_oxford.bib", "bibtex-handmade_siddharth_edinburgh.bib"])
def test_a_bibtex_list_builds_with_every_title_in_both_returns(name, tmp_path):
    path = REAL / "publications" / name
    require(path)
    import_to_workbook(path, tmp_path / "in" / "works.xlsx", award=AWARD)
    result = build([tmp_path / "in"], tmp_path / "out")
    word = next(p for p in result.outputs if p.suffix == ".docx")
    excel = next(p for p in result.outputs if p.suffix == ".xlsx" and "portfolio" not in p.name)
    words, cells = docx_text(word), xlsx_text(excel)
    book = openpyxl.load_workbook(tmp_path / "in" / "works.xlsx")
    titles = [row[0] for row in book["Publications"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(titles) == 58
    for title in titles:
        assert squash(title) in words and squash(title) in cells, title
