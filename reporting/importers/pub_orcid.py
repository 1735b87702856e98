"""ORCID records and works lists (API v2.0, v2.1 and v3.0; JSON or XML) as works.

What ORCID holds: a record (`activities-summary` → `works` → `group`), a works list (`group`
at the top), a single work, or a bulk of works. Each group is ORCID's own judgement of one
work (the same paper from Scopus, Crossref and the researcher); every summary in it is read,
and the summaries of one work (by DOI, the indexes' ids, title and year: not by group, since
ORCID groups a book's chapters by their shared ISBN) become one publication, the others
counted as merged. A summary carries no
authors: the Author is left for a person to fill in (validation says so per work), never
guessed from the record's holder, who is kept in a note. Full works (`/work/{put-code}`) give
their contributors, and their grants where ORCID lists them (`funded-by` identifiers).
No I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..fieldtypes import bare_doi
from ..model import Origin
from .kinds import refuse
from .publications import Work, cited_name, grant_references, publication_list
from .result import ImportResult

__all__ = ["is_orcid", "parse_orcid"]

#: ORCID's external identifiers as researchfish's fields (a work's own, "self", only; an ISSN or
#: ISBN "part-of" is the journal's or book's, which researchfish's fields mean too).
_IDS = {
    "doi": "doi", "pmid": "pubmed_id", "pmc": "pmcid", "eid": "scopus_id", "wosuid": "wos_id",
    "arxiv": "arxiv_id", "isbn": "isbn", "issn": "issn", "bibcode": "bibcode", "ethos": "ethos_id",
}  # fmt: skip
_OF_PARENT = {"isbn", "issn"}


def is_orcid(root: Any) -> bool:
    """Whether JSON (or XML as data) is an ORCID record, works list, work or bulk of works."""
    if not isinstance(root, dict):
        return False
    keys = set(root)
    return bool(
        keys & {"orcid-identifier", "activities-summary", "bulk"}
        or (keys >= {"group"} and keys & {"last-modified-date", "path"})
        or (keys >= {"put-code", "title"} and keys & {"type", "work-type"})
    )


def _text(node: Any) -> str:
    """A value as ORCID's JSON ({"value": ...}) or XML (text) gives it."""
    if isinstance(node, dict):
        node = node.get("value", node.get("#text"))
    return str(node).strip() if isinstance(node, (str, int)) and str(node).strip() else ""


def _each(node: Any) -> list[Any]:
    """A repeated element as a list (XML gives one as a dict, several as a list)."""
    if node is None:
        return []
    return node if isinstance(node, list) else [node]


def _get(node: Any, *path: str) -> Any:
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return node


def _holder(root: Any) -> str:
    """The record's holder: "Diogo Aguiam (0000-0001-6318-9021)", or the iD alone."""
    person = _get(root, "person", "name") or {}
    name = " ".join(p for p in (_text(person.get("given-names")), _text(person.get("family-name"))) if p)
    orcid = _text(_get(root, "orcid-identifier", "path")) or str(root.get("path") or "").strip("/").split("/")[0]
    return f"{name} ({orcid})" if name and orcid else name or orcid


def _groups(root: Any) -> Iterator[tuple[int, list[Any]]]:
    """(group number, the items of one work) of a record, works list, bulk or single work."""
    if "put-code" in root or "@put-code" in root:
        yield 1, [root]
        return
    groups = root.get("group") if "group" in root else _get(root, "activities-summary", "works", "group")
    for number, group in enumerate(_each(groups), start=1):
        yield number, _each(_get(group, "work-summary"))
    for number, item in enumerate(_each(_get(root, "bulk")), start=len(_each(groups)) + 1):
        work = _get(item, "work")
        if isinstance(work, dict):
            yield number, [work]


def _contributors(item: Any) -> str:
    names = [_text(_get(c, "credit-name")) for c in _each(_get(item, "contributors", "contributor"))]
    return ", ".join(cited_name(n) for n in names if n)


def _work(item: dict, group: str, number: int, holder: str, source: str) -> Work:
    title = _text(_get(item, "title", "title"))
    subtitle = _text(_get(item, "title", "subtitle"))
    date = _get(item, "publication-date") or {}
    values = {
        "title": f"{title}: {subtitle}" if subtitle else title,
        "author": _contributors(item),
        "journal": _text(_get(item, "journal-title")),
        "year": _text(date.get("year")),
        "month": _text(date.get("month")).lstrip("0"),
        "url": _text(_get(item, "url")),
    }
    grants: list[tuple[str, str]] = []
    for external in _each(_get(item, "external-ids", "external-id")):
        kind = _text(_get(external, "external-id-type")).casefold()
        value = _text(_get(external, "external-id-value"))
        relation = _text(_get(external, "external-id-relationship")).casefold()
        if relation == "funded-by" or kind == "grant_number":
            grants.append((value, ""))
        elif kind in _IDS and value and (relation == "self" or kind in _OF_PARENT):
            if not values.get(_IDS[kind]):  # the first of each kind
                values[_IDS[kind]] = bare_doi(value) if kind == "doi" else value
    code = item.get("put-code") or item.get("@put-code") or ""
    who = _text(_get(item, "source", "source-name"))
    return Work(
        values,
        Origin(source, path=f"{group}[{number}]/work-summary[put-code={code}]" if code else f"{group}[{number}]"),
        f"ORCID put-code {code}" + (f" ({who})" if who else ""),
        source_type=_text(item.get("type")) or _text(item.get("work-type")),
        other={"ORCID record of": holder} if holder else {},
        grants=grant_references(grants=grants),
    )


def parse_orcid(root: dict, source: str, xml: bool = False) -> ImportResult:
    """An ORCID record, works list, work or bulk of works as publication records."""
    holder = _holder(root)
    works = [
        _work(item, "group", number, holder, source)
        for number, items in _groups(root)
        for item in items
        if isinstance(item, dict)
    ]
    if not works:
        raise refuse(source, f"an ORCID record or works list with no works ({holder or 'no iD'})")
    return publication_list(works, source, f"ORCID works ({'XML' if xml else 'JSON'})", "ORCID")
