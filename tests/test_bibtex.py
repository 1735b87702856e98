"""The BibTeX reader (the first layer of the publication import): every entry of real files
from Zotero, Google Scholar and a hand-kept list, and the sloppiness such files have."""

from __future__ import annotations

import re

import pytest

from reporting.importers.bibtex import latex_to_text, parse_bibtex, split_names

from conftest import REAL, require

BIB = sorted((REAL / "publications").glob("*.bib")) if (REAL / "publications").is_dir() else []


@pytest.mark.parametrize("path", BIB, ids=[p.name for p in BIB])
def test_every_entry_of_a_real_bibtex_file_is_read_with_its_title_and_doi(path):
    require(path)
    text = path.read_text(encoding="utf-8")
    # counted here independently: entry starts, and DOI fields, at the start of a line
    starts = re.findall(r"^\s*@(?!comment|string|preamble)\w+\s*[{(]", text, re.M | re.I)
    dois = re.findall(
        r"^\s*doi\s*=\s*[{\"]?\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.[^,}\"\s]+)", text, re.M | re.I
    )
    entries = parse_bibtex(text)
    assert len(entries) == len(starts) > 10
    assert all(e.text("title") and e.key for e in entries)
    assert sorted(d.casefold() for d in dois) == sorted(
        re.sub(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", "", e.text("doi").strip()).casefold()
        for e in entries
        if e.fields.get("doi") and "10." in e.fields["doi"]
    )
    for entry in entries:  # no LaTeX left in what a reader sees
        for name in ("title", "author", "journal", "booktitle"):
            assert "\\" not in entry.text(name) and "{" not in entry.text(name), (entry.key, name)


def test_sloppy_bibtex_is_read_as_its_writer_meant():
    text = r"""---
layout: publications
---
Some notes before the entries. % and a comment
@string{ nat = "Nature" }
@comment{ ignored {entirely} }
@Article{one,
  title = {A {DNA} study of R{\"u}ther's \emph{data}},
  author = {M{\"u}ller, J. and Smith, Anna and others},
  journal = nat # " Genetics",
  year = 2019,
  month = mar,
  pages = {1--10}
  doi = {10.1000/ABC}
}
@inproceedings(two, title="Quoted {Title}", author="N. Siddharth* and Jones, K", year={2020})
@misc{one, title = {Same key again}}
"""
    entries = parse_bibtex(text)
    assert [(e.type, e.key) for e in entries] == [("article", "one"), ("inproceedings", "two"), ("misc", "one")]
    first = entries[0]
    assert first.text("title") == "A DNA study of Rüther's data"
    assert split_names(first.fields["author"]) == ["Müller, J.", "Smith, Anna", "et al."]
    assert first.text("journal") == "Nature Genetics" and first.text("month") == "3"
    assert first.text("pages") == "1–10" and first.text("doi") == "10.1000/ABC"  # after a missing comma
    assert entries[1].text("title") == "Quoted Title" and split_names(entries[1].fields["author"])[1] == "Jones, K"
    assert entries[0].line == 7


def test_latex_accents_and_commands_become_unicode():
    assert (
        latex_to_text(r"Schr{\"o}dinger, M{\o}ller, \'{e}t\'e, \c{c}a, {\'\i}, \ss")
        == "Schrödinger, Møller, été, ça, í, ß"
    )
    assert latex_to_text(r"Williams \& Wilkins --- 5\% of \textit{Nature}") == "Williams & Wilkins — 5% of Nature"
