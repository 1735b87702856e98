"""Independent readings of the real files and of the returns, for the corpus tests.

Nothing here imports the tool: each source is read with the standard library (or openpyxl for
the researchfish exports) from what the file itself says, and each return is read as the plain
text of its parts. A record is "in a return" when every one of its texts is in the return's text,
white space ignored.
"""

from __future__ import annotations

import csv
import html
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

_SPACE = re.compile(r"\s+")
_CONTINUED = re.compile(r" \(continued(?: (\d+))?\)$")
_MARKUP = re.compile(r"</?(?:i|b|em|strong|sup|sub|u|span|p|br)\b[^>]*>", re.I)
_W_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_S_TEXT = re.compile(r"<t(?: [^>]*)?>([^<]*)</t>")
#: What the tool may not be able to store (C0 controls, U+FFFE/FFFF): left out of comparisons.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def squash(text: str) -> str:
    """Text as compared: no white space, no characters an Office file cannot hold."""
    return _ILLEGAL.sub("", _SPACE.sub("", text.replace("\u00a0", " ")))


def plain(text: str) -> str:
    """GtR text as a reader sees it: entities unescaped (GtR escapes some twice), markup gone."""
    for _ in range(3):
        text = html.unescape(text)
    return _MARKUP.sub("", re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.I))


def docx_text(path: Path) -> str:
    """Every run of text in a Word file's main part, joined, squashed."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return squash("".join(html.unescape(t) for t in _W_TEXT.findall(xml)))


def xlsx_text(path: Path) -> str:
    """Every string of an Excel file (its shared strings and inline strings), joined, squashed."""
    parts: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                parts.extend(html.unescape(t) for t in _S_TEXT.findall(xml))
    return squash("".join(parts))


def missing(texts: list[str], haystack: str) -> list[str]:
    """The texts (squashed) not found in `haystack`."""
    return [text[:80] for text in texts if squash(text) and squash(text) not in haystack]


def xlsx_rows_text(path: Path) -> str:
    """Every row of an Excel file, with text a cell could not hold joined back (the README's
    conventions): from the row's "<Label> (continued)" columns, and from the rows below that
    continue it (their hidden "Continues Row" column names the row), squashed. Slow: for long texts."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = []
    for sheet in book.worksheets:
        iterator = sheet.iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(iterator, ())]
        entries: dict[int, dict[str, str]] = {}
        for number, row in enumerate(iterator, start=2):
            cells = {h: ("" if v is None else str(v)) for h, v in zip(header, row)}
            goes_on = cells.pop("Continues Row", "")
            if goes_on and int(float(goes_on)) in entries:
                into = entries[int(float(goes_on))]
                for h, v in cells.items():
                    if v and v != "(continued)":
                        into[h] = into.get(h, "") + v
                continue
            entries[number] = cells
        for cells in entries.values():
            overflow = {h: _CONTINUED.search(h) for h in header}
            for name in sorted((h for h, m in overflow.items() if m), key=lambda h: int(overflow[h].group(1) or 1)):
                base = name[: overflow[name].start()]
                if base in cells:
                    cells[base] += cells.pop(name, "")
            rows.append("".join(cells.values()))
    book.close()
    return squash("".join(rows))


def return_files(folder: Path, reference: str) -> tuple[Path, Path]:
    """The Word and Excel returns of an award, named after its reference as the README says."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-")
    return folder / f"{stem}-return.docx", folder / f"{stem}-return.xlsx"


# -- GtR project records (XML) -------------------------------------------------------------

#: Elements holding an outcome's free text (controlled values are mapped to today's wording).
GTR_TEXT = {
    "title",
    "description",
    "impact",
    "piContribution",
    "partnerContribution",
    "exploitationPathways",
    "collaboratingOrganisation",
    "fundingOrg",
    "companyName",
    "parentPublicationTitle",
    "otherNames",
    "department",
    "fundingRef",
    "patentId",
    "supportingUrl",
    "url",
    "ukcrnIsctnId",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def gtr_xml_records(path: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    """(grant reference, [(outcome element, its texts)]) for every outcome in a GtR record."""
    root = ET.parse(path).getroot()
    reference = next(e.text for e in root.iter() if _local(e.tag) == "grantReference")
    records = []
    for container in root.iter():
        name = _local(container.tag)
        if name != "output" and name != "publications":
            continue
        for group in container:
            for item in group:
                texts = [plain(e.text) for e in item.iter() if _local(e.tag) in GTR_TEXT and e.text and e.text.strip()]
                records.append((_local(item.tag), texts))
    return reference, records


# -- GtR outcome-search CSV ----------------------------------------------------------------

CSV_TEXT = ("Outcome Title", "Title", "Description", "Impact", "Company Name", "IP Reference", "Url")


def gtr_csv_records(path: Path) -> list[tuple[str, list[str]]]:
    """(project reference, texts) for every row of a GtR outcome CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [(row["Project Reference"], [plain(row[c]) for c in CSV_TEXT if row.get(c, "").strip()]) for row in rows]


# -- researchfish portfolio exports --------------------------------------------------------

#: Export columns holding free text, by the headers researchfish uses (2018-2022 layouts).
RF_TEXT = {
    "Publication",
    "Record Title",
    "Description",
    "Impact",
    "Impacts",
    "Details & Impact",
    "Results of Activity",
    "PI Contribution",
    "Partner Contribution",
    "Collaboration Name",
    "Influence",
    "Dissemination",
    "Research Material",
    "Tech Product",
    "Creative Name",
    "Name of Recognition",
    "Reason for Recognition",
    "Services Provided",
    "Output",
    "Describe",
    "Details of Progression",
    "Benefit to Patients",
    "Person",
    "Secondee",
    "Journal",
    "Author",
    "Company",
    "Name",
    "Parent Org",
    "Chapter Title",
    "Capter Title",
    "Conference",
    "Most Significant Outcome",
    "Publication Cited",
    "Title of Guideline",
}
_AWARD_REFERENCE = ("Award Reference", "File Reference")


def researchfish_records(path: Path) -> list[tuple[str, str, int, list[str]]]:
    """(award reference, sheet, row, texts) for every outcome row of a researchfish export.

    A row the export cut in two (its award column holds no reference but a date or a number)
    belongs to the row above; the texts of its second part are read wherever they fell.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the export's extensions and odd dates
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        return _researchfish_rows(book)


def _researchfish_rows(book) -> list[tuple[str, str, int, list[str]]]:
    sheets = []
    award_texts: dict[str, set[str]] = defaultdict(set)  # what each award's own columns say
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else ())]
        refs = [i for i, h in enumerate(header) if h in _AWARD_REFERENCE]
        if not refs:
            continue
        at = refs[0]
        first_id = next((i for i, h in enumerate(header) if h.casefold() == "id"), len(header))
        for row in rows[1:]:
            reference = row[at] if at < len(row) else None
            if isinstance(reference, str):
                award_texts[reference.strip()].update(str(v).strip() for v in row[:first_id] if isinstance(v, str))
        sheets.append((sheet.title, header, rows[1:], at, first_id))
    found: dict[tuple[str, int], tuple[str, list[str]]] = {}
    for title, header, rows, at, first_id in sheets:
        text_columns = [i for i, h in enumerate(header) if h in RF_TEXT and i > min(first_id, at + 1)]
        last: int | None = None
        for number, row in enumerate(rows, start=2):
            reference = row[at] if at < len(row) else None
            if isinstance(reference, str) and reference.strip() and reference.strip() != "NULL":
                texts = [_text(row[i]) for i in text_columns if i < len(row) and _text(row[i])]
                last = number
                found[(title, number)] = (reference.strip(), texts)
            elif last is not None and any(v is not None for v in row):
                # the second part of a row the export cut in two: its texts, wherever they fell
                reference, before = found[(title, last)]
                texts = [
                    _text(v)
                    for v in row
                    if isinstance(v, str)
                    and len(v.strip()) >= 20
                    and " " in v.strip()
                    and v.strip() not in award_texts[reference]
                ]  # free text, not identifiers
                found[(title, last)] = (reference, before + [t for t in texts if t])
    return [(reference, sheet, number, texts) for (sheet, number), (reference, texts) in found.items()]


#: Excel's error values: what a formula shows when it failed, not text of the record.
_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    value = unescape(value).strip()
    return "" if value in ("NULL", "") or value in _EXCEL_ERRORS or len(value) < 4 else value


def figure_table(sheet, title: str) -> list[tuple]:
    """The table of a portfolio report figure on a group's sheet: the rows under its header
    row, down to the first empty row (the title is the first cell of its row)."""
    rows = list(sheet.iter_rows(values_only=True))
    [start] = [n for n, row in enumerate(rows) if row and row[0] == title]
    table = []
    for row in rows[start + 2 :]:
        if row[0] is None:
            break
        table.append(tuple(row[:4]))
    return [row for row in table if row[1] is not None]


def counted_rows(path: Path, figure: str, group: str = "All awards") -> list[tuple]:
    """The entries a figure of a portfolio report counts, from its Entries counted sheet: one
    (category, award, sheet, row, entry id, title, amount) per entry and category (an entry
    counted under several categories has its column's values joined by "; ")."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Entries counted").to_python()
    header = list(rows[0])
    at = {name: header.index(name) for name in ("Group", "Sheet", "Row", "Entry ID", "Award", "Title")}
    column = header.index(figure)
    amount = header.index(f"{figure}: amount") if f"{figure}: amount" in header else None
    found = []
    for row in rows[1:]:
        if row[at["Group"]] != group or row[column] in ("", None):
            continue
        for category in str(row[column]).split("; "):
            found.append(
                (
                    category,
                    row[at["Award"]],
                    row[at["Sheet"]],
                    int(row[at["Row"]]),
                    row[at["Entry ID"]],
                    row[at["Title"]],
                    row[amount] if amount is not None and row[amount] != "" else None,
                )
            )
    return found


_PUBID = re.compile(r"[0-9A-Za-z]{14}\.\d{8}")
_EXPORT_STAMP = re.compile(r"^(.*?)\d{10}(-\d+)?$")


def researchfish_outcomes(path: Path, *sheets: str) -> dict[str, dict[str, dict]]:
    """The distinct outcomes of sheets of a researchfish export, read with python-calamine: sheet ->
    each row (header -> value) under its outcome's own id (the `pubid`; else the row `id`
    without the export's 10-digit time stamp), the first row of each outcome kept. Rows a stray
    quote cut in two: the second part (its Outcome Type empty) is left out."""
    book = CalamineWorkbook.from_path(str(path))  # read as stored: several times faster than openpyxl
    tables = {sheet: book.get_sheet_by_name(sheet).to_python() for sheet in sheets}
    found = {}
    for sheet, all_rows in tables.items():
        header = [str(h or "").strip() for h in all_rows[0]]
        outcomes: dict[str, dict] = {}
        for row in all_rows[1:]:
            values = dict(zip(header, row))
            if not str(values.get("Outcome Type") or "").strip():
                continue
            pubid = str(values.get("pubid") or "").strip()
            if pubid and _PUBID.fullmatch(pubid):
                key = pubid
            else:
                raw = str(values.get("id") or "").strip()
                match = _EXPORT_STAMP.match(raw)
                key = match.group(1) + (match.group(2) or "") if match else raw
            if key:
                outcomes.setdefault(key, values)
        found[sheet] = outcomes
    return found
