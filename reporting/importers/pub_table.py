"""Publication lists kept as a table (CSV or .xlsx): exported from a CRIS (Pure, Symplectic
Elements, Converis, an EPrints CSV) or kept in a spreadsheet, recognised by column names in the
wordings such systems use ("Title", "Authors", "Journal", "Publication date", "DOI", "Output
type"). One row a work; rows of one work from several sources (Elements lists one per source)
are folded by `publications.fold`. Columns it does not map are kept as notes. No I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..fieldtypes import bare_doi
from ..model import Origin
from ..workbook import Table
from .publications import Work, cited_name, grant_references, publication_list
from .result import ImportResult

__all__ = ["looks_like_publication_table", "parse_publication_table"]

#: Column names (letters only, lower case) as researchfish's fields.
_COLUMNS = {
    "title": ("title", "publicationtitle", "outputtitle", "articletitle", "documenttitle", "itemtitle",
              "titleofthecontribution", "titleofcontribution"),
    "author": ("authors", "author", "authorlist", "authorsfull", "contributors", "creators", "authorname",
               "authorsofthecontribution", "names"),
    "journal": ("journal", "journaltitle", "journalname", "sourcetitle", "source", "publication", "hostpublication",
                "journalbooktitle", "parenttitle", "containertitle", "booktitle", "publicationname", "journalseries"),
    "year": ("year", "publicationyear", "yearpublished", "pubyear", "yearofpublication"),
    "date": ("publicationdate", "date", "datepublished", "published", "issued", "onlinepublicationdate",
             "publicationdateyear", "dateofpublication"),
    "type": ("type", "publicationtype", "outputtype", "documenttype", "itemtype", "category", "subtype",
             "contributiontype", "typeofoutput", "researchoutputtype"),
    "doi": ("doi", "digitalobjectidentifier", "doilink", "electronicversionsdoi", "doiurl"),
    "pubmed_id": ("pmid", "pubmedid", "pubmed"),
    "pmcid": ("pmcid", "pmc", "pubmedcentralid"),
    "volume": ("volume", "vol"),
    "issue": ("issue", "number", "issuenumber"),
    "pages": ("pages", "pagerange", "pagenumbers", "page", "articlenumber"),
    "issn": ("issn", "eissn", "printissn", "issnprint"),
    "isbn": ("isbn", "eisbn", "isbnprint"),
    "url": ("url", "link", "uri", "webaddress", "publicationurl", "repositoryurl"),
    "publisher": ("publisher",),
    "grants": ("funding", "grants", "grantnumbers", "funders", "fundingacknowledgement", "grantreference"),
}  # fmt: skip
_BY_NAME = {name: field for field, names in _COLUMNS.items() for name in names}
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def _name(header: str) -> str:
    return re.sub(r"[^a-z]", "", header.casefold())


def _fields(table: Table) -> dict[int, str]:
    """The table's columns researchfish's fields are read from: index → field (first wins)."""
    found: dict[int, str] = {}
    for index, header in enumerate(table.header):
        field = _BY_NAME.get(_name(str(header or "")))
        if field and field not in found.values():
            found[index] = field
    return found


def looks_like_publication_table(table: Table) -> bool:
    """A table headed like a publication list: a title, and two of authors, journal, year or
    date, DOI and type."""
    fields = set(_fields(table).values())
    return "title" in fields and len(fields & {"author", "journal", "year", "date", "doi", "type"}) >= 2


def _authors(text: str) -> str:
    """Authors as researchfish cites them, from "Smith, J.; Jones, K.", "Smith J, Jones K" or
    "Jane Smith and Kim Jones"."""
    parts = [p.strip() for p in re.split(r";|\||\band\b|\n", text) if p.strip()]
    if len(parts) == 1 and "," in text:
        pieces = [p.strip() for p in text.split(",") if p.strip()]
        if all(" " in p for p in pieces):  # "Smith J, Jones K": each piece one name
            parts = pieces
        elif len(pieces) % 2 == 0:  # "Smith, Jane, Jones, Kim": pairs
            parts = [f"{pieces[i]}, {pieces[i + 1]}" for i in range(0, len(pieces), 2)]
    return ", ".join(cited_name(p) for p in parts)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return "" if value is None else " ".join(str(value).split())


def _work(table: Table, fields: dict[int, str], number: int, row: tuple, source: str) -> Work:
    values: dict[str, str] = {}
    other: dict[str, str] = {}
    for index, value in enumerate(row):
        text = _text(value)
        if not text:
            continue
        field = fields.get(index)
        if field:
            values.setdefault(field, text)
        elif index < len(table.header) and table.header[index]:
            other[str(table.header[index])] = text
    date = values.pop("date", "")
    year = _YEAR.search(values.get("year", "") or date)
    month = re.match(r"\d{4}-(\d\d)", date)
    values["year"] = year.group(1) if year else ""
    values["month"] = str(int(month.group(1))) if month and 1 <= int(month.group(1)) <= 12 else ""
    values["author"] = _authors(values.get("author", ""))
    values["doi"] = bare_doi(values.get("doi", ""))
    values["pages"] = values.get("pages", "").replace("–", "-")
    grants = values.pop("grants", "")
    kind = values.pop("type", "")
    return Work(
        values,
        Origin(source, table.sheet, number),
        f"{table.sheet} row {number}",
        source_type=kind,
        other=other,
        grants=grant_references(grants),
    )


def parse_publication_table(table: Table, source: str, format: str) -> ImportResult:
    """A publication list's table as publication records, one a work."""
    fields = _fields(table)
    works = [_work(table, fields, number, row, source) for number, row in table.rows]
    return publication_list(works, source, format, "publication table")
