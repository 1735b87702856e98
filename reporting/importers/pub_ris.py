"""RIS publication lists (reference managers, Scopus, Web of Science, Pure, EndNote) as works.

A record is tagged lines (`TY  - JOUR` ... `ER  - `); a line without a tag goes on the value
before it; a tag may repeat (authors, addresses, links). The type is the TY code, or the
record's M3 ("type of work": Pure files software as `ADVS` with `M3 Software`) when it says
more. HTML inside fields is removed, keywords are dropped (reference managers fill them with
junk), a funding acknowledgement's grant references are kept. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..fieldtypes import bare_doi
from ..model import Origin
from ..text import clean_markup
from .publications import Work, arxiv_date, cited_name, grant_references, publication_list, publication_type
from .result import ImportResult

__all__ = ["looks_like_ris", "parse_ris"]

_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|)$")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
#: Tags read into researchfish's fields (the rest are kept as notes, less those in _DROPPED).
_USED = {
    "TY", "ER", "TI", "T1", "CT", "BT", "T2", "JO", "JF", "JA", "J1", "J2", "T3", "AU", "A1", "ED", "A2",
    "PY", "Y1", "DA", "VL", "IS", "SP", "EP", "C7", "DO", "U2", "UR", "SN", "AN", "M3",
}  # fmt: skip
#: Abstracts, keywords, addresses, file links, access dates and database names: not the work's.
_DROPPED = {"AB", "N2", "KW", "AD", "L1", "L2", "L3", "L4", "Y2", "DB", "DP", "LA", "ID", "C1", "C2", "C3"}
_TYPES_THAT_SAY_LITTLE = {"GEN", "ADVS", "ELEC", "ICOMM", "CTLG", "DATA", "COMP", "STAT", "MPCT", "SOUND", "VIDEO"}


def looks_like_ris(text: str) -> bool:
    """Text of RIS records: a line `TY  - CODE` and a line `ER  -`."""
    return bool(re.search(r"^\ufeff?TY {1,2}- ?[A-Z]", text, re.M) and re.search(r"^ER {1,2}-", text, re.M))


def _records(text: str) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """(line of its TY, its values by tag) of each record."""
    record: dict[str, list[str]] = {}
    start, last = 0, ""
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        found = _TAG.match(line.rstrip())
        if found:
            tag, value = found.group(1), (found.group(2) or "").strip()
            if tag == "TY":
                if record:
                    yield start, record
                record, start = {}, number
            if tag == "ER":
                if record:
                    yield start, record
                record, last = {}, ""
                continue
            record.setdefault(tag, []).append(value)
            last = tag
        elif line.strip() and last and record:  # a value that goes on from the line before
            record[last][-1] = f"{record[last][-1]} {line.strip()}".strip()
    if record:
        yield start, record


def _date(values: list[str]) -> tuple[str, str]:
    """(year, month) of RIS dates such as "2017/6//", "2021/1/18", "2019"."""
    for value in values:
        parts = value.split("/")
        year = _YEAR.search(parts[0] or value)
        if year:
            month = parts[1].strip() if len(parts) > 1 and parts[1].strip().isdigit() else ""
            return year.group(1), str(int(month)) if month and 1 <= int(month) <= 12 else ""
    return "", ""


def _serials(values: list[str]) -> tuple[str, str]:
    """(ISBN, ISSN) among SN values, which may hold several and labels ("20452322 (ISSN)")."""
    isbn = issn = ""
    for value in values:
        for part in re.findall(r"[\dXx][\dXx\- ]*[\dXx]", value):
            digits = re.sub(r"[^\dXx]", "", part).upper()
            if len(digits) in (10, 13) and not isbn:
                isbn = part.strip()
            elif len(digits) == 8 and not issn:
                issn = f"{digits[:4]}-{digits[4:]}"
    return isbn, issn


def _text(value: str) -> str:
    """A field's text: HTML removed, a sub- or superscript joined to its word, and to a chemical
    symbol after it ("In <sub>0.18</sub> Ga" → "In0.18Ga")."""
    value = re.sub(r"\s*<(su[bp])>\s*(.*?)\s*</\1>(?:\s(?=[A-Z][a-z]?\b))?", r"\2", value, flags=re.I)
    return clean_markup(value).strip()


def _work(line: int, tags: dict[str, list[str]], source: str) -> Work:
    def first(*names: str) -> str:
        return next((_text(tags[n][0]) for n in names if tags.get(n) and tags[n][0].strip()), "")

    code = first("TY").upper()
    kind = first("M3") if code in _TYPES_THAT_SAY_LITTLE and first("M3") else code
    title = first("TI", "T1", "CT") or (first("BT") if code in ("BOOK", "EBOOK", "EDBOOK") else "")
    venue = first("T2", "JO", "JF", "BT", "JA", "J1", "J2", "T3")
    year, month = _date(tags.get("PY", []) + tags.get("Y1", []) + tags.get("DA", []))
    if not month:
        month = _date(tags.get("DA", []))[1]
    start, end = first("SP"), first("EP")
    pages = f"{start}-{end}" if start and end and end != start else start or first("C7")
    isbn, issn = _serials(tags.get("SN", []))
    urls = [u.strip() for u in tags.get("UR", []) if u.strip()]
    doi = bare_doi(first("DO", "U2"))
    scopus = re.search(r"\beid=(2-s2\.0-\d+)", " ".join(urls))
    values = {
        "title": title,
        "author": ", ".join(cited_name(_text(a)) for a in tags.get("AU", []) + tags.get("A1", []) if a.strip()),
        "journal": venue if venue != title else "",
        "year": year,
        "month": month,
        "volume": first("VL"),
        "issue": first("IS"),
        "pages": pages.replace("–", "-"),
        "doi": doi if doi.startswith("10.") else "",
        "isbn": isbn,
        "issn": issn,
        "url": urls[0] if urls else "",
        "scopus_id": scopus.group(1) if scopus else "",
        "editor": ", ".join(cited_name(e) for e in tags.get("ED", []) + tags.get("A2", []) if e.strip()),
    }
    if not values["year"] and (posted := arxiv_date(venue, doi, *urls)):
        values["year"], values["month"] = posted
    other = {
        tag: "; ".join(_text(v) for v in found if v.strip())
        for tag, found in tags.items()
        if tag not in _USED and tag not in _DROPPED and any(v.strip() for v in found)
    }
    if doi and not doi.startswith("10."):
        other["DO"] = doi
    return Work(
        {**values, "type": publication_type(kind, venue)},
        Origin(source, line=line),
        f"RIS record at line {line}" + (f" (ID {first('ID')})" if first("ID") else ""),
        source_type=f"{code} ({first('M3')})" if first("M3") and kind != code else kind,
        other=other,
        grants=grant_references(" ".join(tags.get("N1", []) + tags.get("FU", []) + tags.get("FX", []))),
    )


def parse_ris(text: str, source: str) -> ImportResult:
    """A RIS file's records as publication records, one a work."""
    works = [_work(line, tags, source) for line, tags in _records(text)]
    return publication_list(works, source, "RIS", "RIS list")
