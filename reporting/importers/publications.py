"""Publication lists as researchfish's Publications: each work of a reference manager's or a
researcher's own list (BibTeX today) as one publication record, in researchfish's fields and
wordings: authors as "Surname I", the type from its list, page ranges with a hyphen, the DOI
bare. What does not map is kept in the record's notes column, not lost. No I/O.
"""

from __future__ import annotations

import re

from ..fieldtypes import bare_doi
from ..model import Origin, Record
from .bibtex import BibEntry, latex_to_text, parse_bibtex, split_names
from .result import ImportResult

__all__ = ["cited_name", "fold", "looks_like_bibtex", "parse_bibtex_list", "same_work"]

#: BibTeX entry types as researchfish's publication types.
_TYPES = {
    "article": "Journal Article / Review",
    "inproceedings": "Conference Proceeding / Conference Paper",
    "conference": "Conference Proceeding / Conference Paper",
    "proceedings": "Conference Proceeding / Conference Paper",
    "book": "Book",
    "mvbook": "Book",
    "collection": "Book (Edited)",
    "incollection": "Book Chapter",
    "inbook": "Book Chapter",
    "phdthesis": "Thesis",
    "mastersthesis": "Thesis",
    "thesis": "Thesis",
    "techreport": "Technical Report",
    "report": "Technical Report",
    "manual": "Manual / Guide",
    "unpublished": "Working Paper",
    "online": "Other",
    "misc": "Other",
}
_PREPRINT = re.compile(r"\barxiv\b|\bbiorxiv\b|\bmedrxiv\b|\bpreprint\b|\bssrn\b", re.I)
#: The fields a publication takes from an entry (the rest go to its notes).
_USED = {
    "title", "author", "journal", "journaltitle", "booktitle", "year", "date", "month", "volume",
    "number", "issue", "pages", "doi", "pmid", "isbn", "issn", "url", "eprint", "archiveprefix",
}  # fmt: skip
#: Fields kept out of the notes: a reader's own bookkeeping or text too long for a note.
_SKIPPED = {"abstract", "file", "urldate", "keywords", "mendeley-tags", "annote", "note", "language", "shorttitle"}


def looks_like_bibtex(text: str) -> bool:
    """Text holding BibTeX entries (`@article{key,` and the like at a line's start)."""
    return bool(re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]\s*[^\s,]*\s*,", text, re.M))


def cited_name(name: str) -> str:
    """A name as researchfish cites authors: "Rüther M" from "Rüther, Matthias" or "Matthias
    Rüther"; marks of equal contribution (*) dropped; "et al." as it is."""
    name = name.replace("*", "").strip()
    if name == "et al." or not name:
        return name
    if "," in name:
        surname, _, given = name.partition(",")
    else:
        parts = name.split()
        surname, given = (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else (name, "")
    initials = "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given) if p and p[0].isalpha())
    return f"{surname.strip()} {initials}".strip()


def _verbatim(entry: BibEntry, name: str) -> str:
    """An address as written (BibTeX keeps URLs and DOIs verbatim: a ~ is a ~), braces off."""
    return entry.fields.get(name, "").replace("{", "").replace("}", "").replace("\\_", "_").strip()


def _publication(entry: BibEntry) -> tuple[dict[str, str], dict[str, str]]:
    """(researchfish's fields, the entry's other fields kept as notes) of one entry."""
    text = entry.text
    venue = text("journal") or text("journaltitle") or text("booktitle")
    kind = _TYPES.get(entry.type, "Other")
    if _PREPRINT.search(" ".join((venue, text("archiveprefix"), text("eprint"), text("publisher")))):
        kind = "Preprint"
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", text("year") or text("date"))
    values = {
        "title": text("title"),
        "author": ", ".join(cited_name(n) for n in split_names(entry.fields.get("author", ""))),
        "type": kind,
        "journal": venue,
        "year": year.group(1) if year else "",
        "month": text("month"),
        "volume": text("volume"),
        "issue": text("number") or text("issue"),
        "pages": text("pages").replace("–", "-").replace("—", "-"),
        "doi": bare_doi(_verbatim(entry, "doi")),
        "pubmed_id": text("pmid"),
        "isbn": text("isbn"),
        "issn": text("issn").split(",")[0].strip(),  # the first of "print, online"
        "url": _verbatim(entry, "url"),
    }
    notes = {
        name: latex_to_text(value)
        for name, value in entry.fields.items()
        if name not in _USED and name not in _SKIPPED and value.strip()
    }
    return {k: v for k, v in values.items() if v}, notes


def same_work(values: dict[str, str]) -> list[str]:
    """What makes two records one work: the DOI (any case, with or without its address), the
    PubMed ID, and the title (letters and digits only, any case) with the year."""
    keys = []
    if values.get("doi"):
        keys.append("doi:" + bare_doi(values["doi"]).casefold())
    if values.get("pubmed_id"):
        keys.append("pmid:" + values["pubmed_id"].strip())
    title = re.sub(r"[\W_]+", "", values.get("title", "").casefold())
    if title and values.get("year"):
        keys.append(f"title:{title}:{values['year']}")
    return keys


def fold(result: ImportResult) -> None:
    """One record a work: a later record of a work already listed fills only the fields the
    first leaves empty, and counts as merged."""
    seen: dict[str, Record] = {}
    kept: list[Record] = []
    for record in result.records:
        keys = same_work(record.raw) if record.kind == "publications" else []
        first = next((seen[k] for k in keys if k in seen), None)
        if first is None:
            kept.append(record)
            first = record
        else:
            for key, value in record.raw.items():
                first.raw.setdefault(key, value)
            result.merged += 1
        for key in keys:
            seen.setdefault(key, first)
    result.records = kept


def parse_bibtex_list(text: str, source: str) -> ImportResult:
    """A BibTeX file's entries as publication records, one a work (an entry of a work listed
    already, by DOI, PubMed ID or title and year, is folded into it)."""
    result = ImportResult(source=source, format="BibTeX")
    for entry in parse_bibtex(text):
        values, notes = _publication(entry)
        extra = {"Note: BibTeX entry": f"@{entry.type}{{{entry.key}}}"}
        if notes:  # what researchfish has no field for (publisher, series...), kept
            extra["Note: other BibTeX fields"] = "; ".join(f"{k}: {v}" for k, v in notes.items())
        result.records.append(Record("publications", values, Origin(source, "", entry.line), extra=extra))
    result.read["publications"] = len(result.records)
    fold(result)
    return result
