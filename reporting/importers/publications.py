"""Publication lists as researchfish's Publications, whatever kept them: each reader (BibTeX,
ORCID, RIS, CSL-JSON and Crossref, Europe PMC, EPrints, a CRIS's table) turns its items into
`Work`s in researchfish's fields; `publication_list` makes them records, one a work.

Shared here: authors as researchfish cites them ("Surname I"), the source's type as
researchfish's (`publication_type`), grant references named in a record (`grant_references`),
and what makes two records one work (`same_work`, `fold`: DOI, PubMed ID and other indexes'
ids, title and year). What has no researchfish field is kept in a note column, not lost.
No I/O.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..fieldtypes import bare_doi, is_placeholder
from ..findings import WARNING, Finding
from ..imported import FRESH, from_funder
from ..model import Origin, Record
from .result import ImportResult

__all__ = [
    "GRANTS_NOTE",
    "Work",
    "arxiv_date",
    "cited_name",
    "fold",
    "grant_references",
    "publication_list",
    "publication_type",
    "same_work",
]

#: The note columns a publication list's records carry (kept in the workbook, not the Word return).
SOURCE_NOTE = "Note: source record"
TYPE_NOTE = "Note: type in the source"
OTHER_NOTE = "Note: other fields"
GRANTS_NOTE = "Note: grants named"


@dataclass
class Work:
    """One item of a publication list, in researchfish's field keys (title, author, type,
    journal, year, month, volume, issue, pages, doi, pubmed_id, isbn, issn, url...)."""

    values: dict[str, str]
    origin: Origin
    #: The item as its source names it ("@article{smith2020}", "ORCID put-code 123 (Scopus)").
    reference: str
    #: The item's type as the source words it ("journal-article", "JOUR").
    source_type: str = ""
    #: What researchfish has no field for, by the source's name.
    other: dict[str, str] = field(default_factory=dict)
    #: Grant references the item names (funding acknowledgements, grant lists).
    grants: list[str] = field(default_factory=list)


ARTICLE = "Journal Article / Review"
CONFERENCE = "Conference Proceeding / Conference Paper"
#: Source types (any vocabulary, lower case, separators as spaces) as researchfish's, in order:
#: the first pattern found wins. Exact codes (RIS's, BibTeX's) are in _CODES.
_RULES = (
    (r"preprint|posted content|\bppr\b|arxiv|biorxiv|medrxiv|ssrn", "Preprint"),
    (r"systematic review", "Systematic Review"),
    (r"edited book|book edited|\bedbook\b|\bcollection\b|\banthology\b", "Book (Edited)"),
    (r"chapter|book section|book part|\bin ?book\b|\bin ?collection\b|encyclop|dictionary|\bentry\b", "Book Chapter"),
    (r"conference|proceeding|\bposter\b|\bmeeting\b|\bsymposium\b|\bworkshop\b", CONFERENCE),
    (r"thesis|dissertation|doctoral|\bphd\b|master", "Thesis"),
    (r"working paper|discussion paper|\bunpublished\b", "Working Paper"),
    (r"policy|briefing", "Policy Briefing Report"),
    (r"consultancy", "Consultancy Report"),
    (r"technical standard|\bstandards?\b", "Technical Standard"),
    (r"magazine|newspaper|newsletter|blog|\bpost\b|web ?page|website", "Other"),
    (r"journal|article|\breview\b|\bletter\b|editorial|comment|erratum|correction", ARTICLE),
    (r"monograph", "Monograph"),
    (r"scholarly edition|critical edition", "Scholarly Edition"),
    (r"\bbook\b", "Book"),
    (r"manual|guide|handbook", "Manual / Guide"),
    (r"report", "Technical Report"),
)  # fmt: skip
_COMPILED = [(re.compile(pattern), kind) for pattern, kind in _RULES]
#: Short codes that say nothing a word pattern can read (RIS's TY, BibTeX's entry types).
_CODES = {
    "jour": ARTICLE, "ejour": ARTICLE, "jfull": ARTICLE, "abst": CONFERENCE, "conf": CONFERENCE,
    "cpaper": CONFERENCE, "inproceedings": CONFERENCE, "proceedings": CONFERENCE,
    "chap": "Book Chapter", "echap": "Book Chapter", "ebook": "Book", "thes": "Thesis",
    "rprt": "Technical Report", "techreport": "Technical Report", "phdthesis": "Thesis", "mastersthesis": "Thesis",
    "unpb": "Working Paper", "mvbook": "Book", "incollection": "Book Chapter", "inbook": "Book Chapter",
}  # fmt: skip


def publication_type(kind: str, venue: str = "") -> str:
    """researchfish's publication type for a source's type (any list's wording: ORCID's
    "journal-article", RIS's "JOUR", CSL's "paper-conference", Pure's "Contribution to journal ›
    Article"); a work in an arXiv-like venue is a Preprint; anything else is "Other"."""
    words = re.sub(r"[\s_\-/›>:|]+", " ", kind.casefold()).strip()
    if words in _CODES:
        found = _CODES[words]
    else:
        found = next((k for pattern, k in _COMPILED if pattern.search(words)), "Other") if words else "Other"
    if found != "Preprint" and _COMPILED[0][0].search(venue.casefold()):
        return "Preprint"
    return found


#: A research council's award reference ("EP/K503733/1", "MR/N013468/1", "MC_UU_12015/1") or an
#: older MRC one ("G0601027"); the funders that report through researchfish use such forms.
_UKRI_REFERENCE = re.compile(
    r"\b(?:(?:AH|BB|EP|ES|MR|NE|ST|EE|NC|NR|ML|UKRI|TS|EF)/[A-Z0-9]{5,9}/\d{1,2}|MC_[A-Z]{2}_[A-Z0-9_]{4,12}(?:/\d+)?|G\d{7}(?:/\d+)?)\b"
)
#: Funders that report through researchfish, as grant lists name them.
_RESEARCHFISH_FUNDER = re.compile(
    r"\b(UKRI|UK Research and Innovation|Research Council|AHRC|BBSRC|EPSRC|ESRC|MRC|NERC|STFC|Innovate UK"
    r"|NIHR|National Institute for Health (and Care )?Research|Cancer Research UK|British Heart Foundation"
    r"|Wellcome)\b",
    re.I,
)


def grant_references(text: str = "", grants: Iterable[tuple[str, str]] = ()) -> list[str]:
    """The award references a record names: research-council references anywhere in `text`
    (a funding acknowledgement), and each (grant id, agency) of a grant list whose agency
    reports through researchfish or whose id has a council's form. Others are not awards this
    tool can attach a work to."""
    found = list(dict.fromkeys(m.group(0) for m in _UKRI_REFERENCE.finditer(text)))
    for grant_id, agency in grants:
        grant_id = grant_id.strip()
        if not grant_id or grant_id in found:
            continue
        if _UKRI_REFERENCE.fullmatch(grant_id) or (_RESEARCHFISH_FUNDER.search(agency) and re.search(r"\d", grant_id)):
            found.append(grant_id)
    return found


#: A new-style arXiv identifier (YYMM.NNNNN), which says when it was first posted.
_ARXIV = re.compile(r"(?:arxiv[:./]\s*|abs/)(\d{2})(0[1-9]|1[0-2])\.\d{4,5}", re.I)


def arxiv_date(*texts: str) -> tuple[str, str] | None:
    """(year, month) an arXiv identifier in `texts` was posted in ("arXiv:1804.03999" → 2018, 4)."""
    for text in texts:
        found = _ARXIV.search(text)
        if found:
            return f"20{found.group(1)}", str(int(found.group(2)))
    return None


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


#: Identifiers of one work (not an ISBN or ISSN: a book's chapters share its ISBN).
_WORK_IDS = ("pubmed_id", "pmcid", "scopus_id", "wos_id", "arxiv_id")


def _doi(values: dict[str, object]) -> str:
    return bare_doi(str(values.get("doi") or "")).casefold()


def same_work(values: dict[str, object]) -> list[str]:
    """What makes two records one work: the DOI (any case, with or without its address), the
    PubMed ID (and the other indexes' ids of a work), and the title (letters and digits only,
    any case) with the year. Records with different DOIs are never one work (see `fold`)."""
    keys = []
    if _doi(values):
        keys.append("doi:" + _doi(values))
    for name in _WORK_IDS:
        if values.get(name):
            keys.append(f"{name}:{str(values[name]).strip().casefold()}")
    title = _title(values)
    year = str(values.get("year") or "").strip().removesuffix(".0")  # 2019.0: a number read from Excel
    if title and year:
        keys.append(f"title:{title}:{year}")
    return keys


def _empty(value: object) -> bool:
    return value is None or str(value).strip() == "" or is_placeholder(str(value))


def _title(values: dict[str, object]) -> str:
    return re.sub(r"[\W_]+", "", str(values.get("title") or "").casefold())


def _alike(one: str, other: str) -> bool:
    """Whether two titles (as `_title` gives them) name one work: the same, one the other's
    start (a subtitle dropped), or differing in a few characters."""
    if not one or not other or one in other or other in one:
        return True
    return difflib.SequenceMatcher(None, one, other, autojunk=False).ratio() >= 0.8


def fold(result: ImportResult) -> None:
    """One record a work: a later record of a work listed already (`same_work`) fills only the
    fields the first leaves empty, and counts as merged. Records with different DOIs stay apart
    however alike their titles ("Conclusion", 2011, in two books), and so do records sharing a
    DOI under different titles (two papers given their proceedings' DOI)."""
    seen: dict[str, Record] = {}
    kept: list[Record] = []
    for record in result.records:
        listed = record.kind == "publications" and not from_funder(record.raw.get("imported_from"))
        keys = same_work(record.raw) if listed else []
        doi, title = _doi(record.raw), _title(record.raw)
        first = None
        for key in keys:
            found = seen.get(key)
            if found is None or (doi and _doi(found.raw) not in ("", doi)):
                continue
            if not _alike(title, _title(found.raw)):
                continue  # validation's possible-duplicate says which rows share a DOI
            first = found
            break
        if first is None:
            kept.append(record)
            first = record
        else:
            for key, value in record.raw.items():
                if _empty(first.raw.get(key)) and not _empty(value):
                    first.raw[key] = value
            for header, value in record.extra.items():
                _merge_note(first.extra, header, value)
            result.merged += 1
        for key in keys:
            seen.setdefault(key, first)
    result.records = kept


def _merge_note(notes: dict, header: str, value: object) -> None:
    """A note of a folded record added to the first's (each distinct part once)."""
    before = [p for p in str(notes.get(header) or "").split("; ") if p]
    for part in str(value or "").split("; "):
        if part and part not in before:
            before.append(part)
    if before:
        notes[header] = "; ".join(before)


def publication_list(works: Iterable[Work], source: str, format: str, provenance: str) -> ImportResult:
    """A publication list's works as Publications records, one a work (items of one work,
    by DOI, PubMed ID, title and year, folded into the first).

    Each record keeps values as the source gives them (`imported`): what the list does not
    record (an ORCID summary's authors, a year) is reported as not in the source, not refused;
    a value a person changes afterwards is checked as strictly as any."""
    result = ImportResult(source=source, format=format, provenance=provenance)
    odd_kinds: dict[str, int] = {}
    for work in works:
        values = {k: v for k, v in work.values.items() if v and v.strip()}
        values["type"] = values.get("type") or publication_type(work.source_type, values.get("journal", ""))
        values["imported_from"] = provenance
        extra = {SOURCE_NOTE: work.reference}
        if work.source_type:
            extra[TYPE_NOTE] = work.source_type
        if work.other:
            extra[OTHER_NOTE] = "; ".join(f"{k}: {v}" for k, v in work.other.items() if v)
        if work.grants:
            extra[GRANTS_NOTE] = "; ".join(work.grants)
        record = Record("publications", values, work.origin, extra=extra, imported=FRESH)
        if re.search(r"data ?set|software|\bdata\b|computer program|\bcomp\b", work.source_type.casefold()):
            odd_kinds[work.source_type] = odd_kinds.get(work.source_type, 0) + 1
        result.records.append(record)
    result.read["publications"] = len(result.records)
    fold(result)
    for kind, count in odd_kinds.items():
        result.notes.append(Finding.of("dataset-as-publication", WARNING, file=source, kind=kind, count=count))
    return result
