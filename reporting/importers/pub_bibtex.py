"""A BibTeX/BibLaTeX publication list (Zotero, JabRef, Google Scholar, Paperpile, by hand) as
works in researchfish's fields: authors as "Surname I", the type from researchfish's list,
page ranges with a hyphen, the DOI bare, a year Google Scholar lost recovered from the arXiv
number. What does not map is kept as a note. No I/O.
"""

from __future__ import annotations

import re

from ..fieldtypes import bare_doi
from ..model import Origin
from .bibtex import BibEntry, latex_to_text, parse_bibtex, split_names
from .publications import Work, arxiv_date, cited_name, grant_references, publication_list, publication_type
from .result import ImportResult

__all__ = ["looks_like_bibtex", "parse_bibtex_list"]

#: The fields a publication takes from an entry (the rest go to its notes).
_USED = {
    "title", "author", "journal", "journaltitle", "booktitle", "year", "date", "month", "volume",
    "number", "issue", "pages", "doi", "pmid", "isbn", "issn", "url", "eprint", "archiveprefix",
}  # fmt: skip
#: Fields kept out of the notes: a reader's own bookkeeping or text too long for a note.
_SKIPPED = {"abstract", "file", "urldate", "keywords", "mendeley-tags", "annote", "note", "language", "shorttitle"}
#: Fields that may acknowledge funding.
_FUNDING = ("funding", "note", "annote", "acknowledgement", "acknowledgements", "fundingnote")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def looks_like_bibtex(text: str) -> bool:
    """Text holding BibTeX entries (`@article{key,` and the like at a line's start)."""
    return bool(re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]\s*[^\s,]*\s*,", text, re.M))


def _verbatim(entry: BibEntry, name: str) -> str:
    """An address as written (BibTeX keeps URLs and DOIs verbatim: a ~ is a ~), braces off."""
    return entry.fields.get(name, "").replace("{", "").replace("}", "").replace("\\_", "_").strip()


def _work(entry: BibEntry, source: str) -> Work:
    text = entry.text
    venue = text("journal") or text("journaltitle") or text("booktitle")
    doi = bare_doi(_verbatim(entry, "doi"))
    year = _YEAR.search(text("year") or text("date"))
    month = text("month")
    posted = arxiv_date(venue, text("eprint"), doi, _verbatim(entry, "url"))
    if posted and (not year or year.group(1) != posted[0]):
        # Google Scholar writes an arXiv paper's number as its year ("1804") or none at all.
        year_text, month = posted[0], month or posted[1]
    else:
        year_text = year.group(1) if year else ""
    values = {
        "title": text("title"),
        "author": ", ".join(cited_name(n) for n in split_names(entry.fields.get("author", ""))),
        "journal": venue,
        "year": year_text,
        "month": month,
        "volume": text("volume"),
        "issue": text("number") or text("issue"),
        "pages": text("pages").replace("–", "-").replace("—", "-"),
        "doi": doi,
        "pubmed_id": text("pmid"),
        "isbn": text("isbn"),
        "issn": text("issn").split(",")[0].strip(),  # the first of "print, online"
        "url": _verbatim(entry, "url"),
    }
    where = " ".join((venue, text("archiveprefix"), text("eprint"), text("publisher")))
    values["type"] = publication_type(entry.type, where)
    other = {
        name: latex_to_text(value)
        for name, value in entry.fields.items()
        if name not in _USED and name not in _SKIPPED and value.strip()
    }
    return Work(
        values,
        Origin(source, line=entry.line),
        f"@{entry.type}{{{entry.key}}}",
        source_type=entry.type,
        other=other,
        grants=grant_references(" ".join(text(name) for name in _FUNDING)),
    )


def parse_bibtex_list(text: str, source: str) -> ImportResult:
    """A BibTeX file's entries as publication records, one a work."""
    return publication_list((_work(e, source) for e in parse_bibtex(text)), source, "BibTeX", "BibTeX list")
