"""Publication lists kept as JSON, as works: CSL-JSON (Zotero, Mendeley, citeproc), Crossref
REST responses (one work or a works list), Europe PMC searches and EPrints exports.

CSL-JSON and Crossref share one shape (Crossref's is CSL's, with lists for titles); Zotero
puts what CSL has no field for in `note` as "Key: value" lines (a thesis's DOI), which are
read too. Europe PMC gives authors already as "Surname I" and the funders' grant lists;
EPrints keeps a DOI in `id_number` ("doi:" alone when there is none) and some creators by
their user id only. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..fieldtypes import bare_doi
from ..model import Origin
from ..text import clean_markup
from .publications import Work, cited_name, grant_references, publication_list
from .result import ImportResult

__all__ = ["json_publications", "read_publication_json"]

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def _str(value: Any) -> str:
    """A value as one text: the first of a list, numbers as digits, markup removed."""
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    return clean_markup(value).strip() if isinstance(value, str) else ""


def _date(node: Any) -> tuple[str, str]:
    """(year, month) of a CSL date ({"date-parts": [[2024, 11, 13]]}, strings allowed, or "raw")."""
    if not isinstance(node, dict):
        return "", ""
    parts = node.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = _YEAR.search(_str(parts[0][0]))
        month = _str(parts[0][1]) if len(parts[0]) > 1 else ""
        if year:
            return year.group(1), month if month.isdigit() and 1 <= int(month) <= 12 else ""
    found = _YEAR.search(_str(node.get("raw")) or _str(node.get("literal")))
    return (found.group(1), "") if found else ("", "")


def _csl_name(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    if person.get("literal"):
        return cited_name(_str(person["literal"]))
    family = " ".join(_str(person.get(k)) for k in ("non-dropping-particle", "family") if person.get(k))
    return cited_name(f"{family}, {_str(person.get('given'))}") if family else ""


#: Zotero's "Extra" lines that name a field CSL-JSON lacks for the item's type.
_EXTRA = {"doi": "doi", "pmid": "pubmed_id", "pmcid": "pmcid", "issn": "issn", "isbn": "isbn", "page": "pages"}


def _csl(item: dict, origin: Origin, label: str, source_name: str) -> Work:
    """A CSL-JSON item or a Crossref work."""
    year, month = next(
        (
            d
            for d in (_date(item.get(k)) for k in ("issued", "published-print", "published-online", "published"))
            if d[0]
        ),
        ("", ""),
    )
    title = _str(item.get("title"))
    subtitle = _str(item.get("subtitle"))
    values = {
        "title": f"{title}: {subtitle}" if subtitle and subtitle.casefold() not in title.casefold() else title,
        "author": ", ".join(n for n in (_csl_name(p) for p in item.get("author") or []) if n),
        "editor": ", ".join(n for n in (_csl_name(p) for p in item.get("editor") or []) if n),
        "journal": _str(item.get("container-title")),
        "year": year,
        "month": month,
        "volume": _str(item.get("volume")),
        "issue": _str(item.get("issue")),
        "pages": _str(item.get("page")).replace("–", "-"),
        "doi": bare_doi(_str(item.get("DOI"))),
        "pubmed_id": _str(item.get("PMID")),
        "pmcid": _str(item.get("PMCID")),
        "isbn": _str(item.get("ISBN")),
        "issn": _str(item.get("ISSN")).split(",")[0].strip(),
        "url": _str(item.get("URL")),
        "publisher": _str(item.get("publisher")),
    }
    other: dict[str, str] = {}
    for line in _str(item.get("note")).splitlines():
        key, _, value = line.partition(":")
        field = _EXTRA.get(key.strip().casefold())
        if field and value.strip() and not values.get(field):
            values[field] = bare_doi(value) if field == "doi" else value.strip()
        elif line.strip():
            other.setdefault("note", "")
            other["note"] = "; ".join(p for p in (other["note"], line.strip()) if p)
    awards = [
        (_str(award), _str(funder.get("name")))
        for funder in item.get("funder") or []
        if isinstance(funder, dict)
        for award in funder.get("award") or []
    ]
    return Work(
        values,
        origin,
        f"{source_name} {label}" + (f" {_str(item.get('id'))}" if item.get("id") else ""),
        source_type=_str(item.get("type")),
        other={**other, **({"license": _str(_get(item, "license", 0, "URL"))} if item.get("license") else {})},
        grants=grant_references(grants=awards),
    )


def _get(node: Any, *path: Any) -> Any:
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and len(node) > step:
            node = node[step]
        else:
            return None
    return node


def _europe_pmc(item: dict, origin: Origin) -> Work:
    journal = _get(item, "journalInfo") or {}
    month = _str(journal.get("monthOfPublication"))
    authors = [_str(a.get("fullName")) for a in _get(item, "authorList", "author") or [] if isinstance(a, dict)]
    title = _str(item.get("title"))
    values = {
        "title": title[:-1] if title.endswith(".") and not title.endswith("..") else title,
        "author": ", ".join(a for a in authors if a) or _str(item.get("authorString")).rstrip("."),
        "journal": _str(_get(journal, "journal", "title")) or _str(_get(item, "bookOrReportDetails", "publisher")),
        "year": _str(journal.get("yearOfPublication")) or _str(item.get("pubYear")),
        "month": month if month.isdigit() and month != "0" else "",
        "volume": _str(journal.get("volume")),
        "issue": _str(journal.get("issue")),
        "pages": _str(item.get("pageInfo")).replace("–", "-"),
        "doi": bare_doi(_str(item.get("doi"))),
        "pubmed_id": _str(item.get("pmid")),
        "pmcid": _str(item.get("pmcid")),
        "issn": _str(_get(journal, "journal", "issn")) or _str(_get(journal, "journal", "essn")),
        "isbn": _str(_get(item, "bookOrReportDetails", "isbn13")),
        "epmc_open_access": {"Y": "Yes", "N": "No"}.get(_str(item.get("isOpenAccess")), ""),
        "in_epmc": {"Y": "Yes", "N": "No"}.get(_str(item.get("inEPMC")), ""),
        "in_pmc": {"Y": "Yes", "N": "No"}.get(_str(item.get("inPMC")), ""),
    }
    types = _get(item, "pubTypeList", "pubType") or []
    kind = "preprint" if _str(item.get("source")) == "PPR" else "; ".join(_str(t) for t in types if _str(t))
    grants = [
        (_str(g.get("grantId")), _str(g.get("agency")))
        for g in _get(item, "grantsList", "grant") or []
        if isinstance(g, dict)
    ]
    return Work(
        values,
        origin,
        f"Europe PMC {_str(item.get('source'))} {_str(item.get('id'))}".strip(),
        source_type=kind,
        grants=grant_references(grants=grants),
    )


def _eprint(item: dict, origin: Origin) -> Work:
    names, unnamed = [], []
    for creator in item.get("creators") or []:
        name = _get(creator, "name") or {}
        if _str(name.get("family")):
            names.append(cited_name(f"{_str(name.get('family'))}, {_str(name.get('given'))}"))
        elif _str(_get(creator, "id")):
            unnamed.append(_str(creator["id"]))
    date = _str(item.get("date"))
    year = _YEAR.search(date)
    month = date[5:7] if re.match(r"\d{4}-\d\d", date) and not date[4:10] == "-01-01" else ""
    identifier = _str(item.get("id_number"))
    doi = bare_doi(identifier) if identifier.lower().startswith(("doi:", "10.", "https://doi.org/")) else ""
    values = {
        "title": _str(item.get("title")),
        "author": ", ".join(names),
        "journal": _str(item.get("publication")) or _str(item.get("book_title")) or _str(item.get("event_title")),
        "year": year.group(1) if year else "",
        "month": str(int(month)) if month.isdigit() and 1 <= int(month) <= 12 else "",
        "volume": _str(item.get("volume")),
        "issue": _str(item.get("number")),
        "pages": _str(item.get("pagerange")).replace("–", "-"),
        "doi": doi if doi.startswith("10.") else "",
        "issn": _str(item.get("issn")),
        "isbn": _str(item.get("isbn")),
        "url": _str(item.get("official_url")) or _str(item.get("uri")),
        "publisher": _str(item.get("publisher")),
    }
    other = {
        "creators named by id only": ", ".join(unnamed),
        "event": _str(item.get("event_title")) if values["journal"] != _str(item.get("event_title")) else "",
        "series": _str(item.get("series")),
        "place of publication": _str(item.get("place_of_pub")),
        "identifier": identifier if identifier and not values["doi"] and identifier.lower() != "doi:" else "",
    }
    grants = [(_str(p.get("grant")), _str(p.get("funder"))) for p in item.get("funders") or [] if isinstance(p, dict)]
    return Work(
        values,
        origin,
        f"EPrint {_str(item.get('eprintid'))}" + (f" ({_str(item.get('uri'))})" if item.get("uri") else ""),
        source_type=_str(item.get("type"))
        + (f" ({_str(item.get('monograph_type'))})" if item.get("monograph_type") else ""),
        other={k: v for k, v in other.items() if v},
        grants=grant_references(" ".join(_str(p) for p in item.get("projects") or []), grants),
    )


def json_publications(root: Any) -> tuple[str, list[Any]] | None:
    """(the kind of list, its items) of JSON that is a publication list, else None."""
    if isinstance(root, dict):
        if root.get("message-type") in ("work", "work-list") and isinstance(root.get("message"), dict):
            message = root["message"]
            return "Crossref", message.get("items") if root["message-type"] == "work-list" else [message]
        if isinstance(root.get("resultList"), dict):
            return "Europe PMC", _get(root, "resultList", "result") or []
        if "eprintid" in root:
            return "EPrints", [root]
        if isinstance(root.get("items"), list):
            root = root["items"]
        elif {"type", "title"} <= set(root) and set(root) & {"author", "issued", "container-title", "DOI"}:
            return "CSL-JSON", [root]
    if isinstance(root, list) and root and all(isinstance(i, dict) for i in root):
        if any("eprintid" in i for i in root):
            return "EPrints", root
        if all("type" in i for i in root) and any(set(i) & {"author", "issued", "container-title"} for i in root):
            return "CSL-JSON", root
    return None


def _works(kind: str, items: list[Any], source: str) -> Iterator[Work]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        origin = Origin(source, path=f"item {number}")
        if kind == "Europe PMC":
            yield _europe_pmc(item, origin)
        elif kind == "EPrints":
            yield _eprint(item, origin)
        else:
            yield _csl(item, origin, "item" if kind == "CSL-JSON" else "work", kind)


def read_publication_json(root: Any, source: str) -> ImportResult | None:
    """A JSON publication list's items as publication records, one a work; None for JSON that
    is no publication list."""
    found = json_publications(root)
    if found is None:
        return None
    kind, items = found
    return publication_list(list(_works(kind, items or [], source)), source, kind, f"{kind} list")
