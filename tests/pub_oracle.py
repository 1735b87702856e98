"""The works a publication list holds, read here independently of the importers (standard
library only, each format read the plain way its documentation describes): for each item its
title, year and DOI as the source states them. BibTeX is read for DOIs and entries only (its
LaTeX titles are compared through the workbook instead)."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Item:
    title: str
    year: str
    doi: str


def _plain(text: object) -> str:
    text = html.unescape(str(text or ""))
    return re.sub(r"<[^>]+>", "", text).strip().rstrip(".").strip()


def _doi(text: object) -> str:
    found = re.search(r"10\.\d{4,9}/\S+", str(text or ""))
    return found.group(0).casefold() if found else ""


def _year(text: object) -> str:
    found = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(text or ""))
    return found.group(1) if found else ""


def _orcid_summaries(node: object):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "work-summary":
                yield from value if isinstance(value, list) else [value]
            else:
                yield from _orcid_summaries(value)
    elif isinstance(node, list):
        for value in node:
            yield from _orcid_summaries(value)


def _orcid_json(data: dict) -> list[Item]:
    items = []
    for summary in _orcid_summaries(data):
        dois = [
            e["external-id-value"]
            for e in (summary.get("external-ids") or {}).get("external-id", [])
            if e["external-id-type"] == "doi" and e["external-id-relationship"].lower() == "self"
        ]
        year = ((summary.get("publication-date") or {}).get("year") or {}).get("value", "")
        items.append(Item(_plain(summary["title"]["title"]["value"]), year or "", _doi(dois[0]) if dois else ""))
    return items


def _orcid_xml(path: Path) -> list[Item]:
    items = []
    for element in ET.parse(path).getroot().iter():
        if element.tag.endswith("}work-summary"):

            def text(name: str, within: ET.Element = element) -> str:
                found = next((e for e in within.iter() if e.tag.endswith("}" + name)), None)
                return (found.text or "") if found is not None else ""

            doi = ""
            for external in (e for e in element.iter() if e.tag.endswith("}external-id")):
                if text("external-id-type", external) == "doi" and text("external-id-relationship", external) == "self":
                    doi = doi or _doi(text("external-id-value", external))
            date = next((e for e in element.iter() if e.tag.endswith("}publication-date")), None)
            year = text("year", date) if date is not None else ""
            titles = (e.text for e in element.iter() if e.tag.endswith("}title") and (e.text or "").strip())
            items.append(Item(_plain(next(titles, "")), year, doi))
    return items


def _ris(text: str) -> list[Item]:
    items = []
    for record in re.split(r"^ER  -.*$", text.lstrip("\ufeff"), flags=re.M):
        tags: dict[str, str] = {}
        for tag, value in re.findall(r"^([A-Z][A-Z0-9])  - ?(.*)$", record, re.M):
            tags.setdefault(tag, value)
        if "TY" in tags:
            title = tags.get("TI") or tags.get("T1") or ""
            items.append(
                Item(_plain(title), _year(tags.get("PY") or tags.get("Y1") or tags.get("DA")), _doi(tags.get("DO")))
            )
    return items


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _json(data: object) -> list[Item]:
    if isinstance(data, dict) and "message" in data:  # Crossref
        message = data["message"]
        works = message.get("items", [message])
        return [
            Item(_plain(_first(w.get("title"))), _year(json.dumps(w.get("issued"))), _doi(w.get("DOI"))) for w in works
        ]
    if isinstance(data, dict) and "resultList" in data:  # Europe PMC
        return [
            Item(_plain(r.get("title")), _year(r.get("pubYear")), _doi(r.get("doi")))
            for r in data["resultList"]["result"]
        ]
    assert isinstance(data, list)
    if "eprintid" in data[0]:
        return [Item(_plain(e.get("title")), _year(e.get("date")), _doi(e.get("id_number"))) for e in data]
    return [Item(_plain(i.get("title")), _year(json.dumps(i.get("issued"))), _doi(i.get("DOI"))) for i in data]


_BIB_DOI = r"^\s*doi\s*=\s*[{\"]?\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.[^,}\"\s]+)"


def _bibtex(text: str) -> list[Item]:
    entries = re.split(r"^\s*@\s*(?!string|comment|preamble)[A-Za-z]+\s*[{(]", text, flags=re.M | re.I)[1:]
    items = []
    for entry in entries:
        doi = re.search(
            r"^\s*doi\s*=\s*[{\"]?\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.[^,}\"\s]+)", entry, re.M | re.I
        )
        items.append(Item("", "", doi.group(1).casefold() if doi else ""))
    return items


def works_of(path: Path) -> list[Item]:
    """Each item the file lists, in its order."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".bib":
        return _bibtex(text)
    if path.suffix == ".ris":
        return _ris(text)
    if path.suffix == ".xml":
        return _orcid_xml(path)
    data = json.loads(text)
    if isinstance(data, dict) and ("group" in data or "activities-summary" in data):
        return _orcid_json(data)
    return _json(data)
