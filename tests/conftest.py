"""Shared fixtures: the real records in ../shared/data, and returns built from them once.

The real files (GtR pages, records and exports, researchfish exports) are not the project's to
commit: they are read from ``../shared/data`` beside the checkout, or from the folder named by
``FUNDER_REPORT_SHARED_DATA``. Tests that need them skip cleanly when they are absent.
"""

from __future__ import annotations

import calendar
import os
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from reporting import build, import_to_workbook, load_schema

ROOT = Path(__file__).parent.parent


def _shared_data() -> Path:
    named = os.environ.get("FUNDER_REPORT_SHARED_DATA")
    return Path(named) if named else ROOT.parent / "shared" / "data"


DATA = _shared_data()
REAL = DATA / "real"
SEED = DATA / "000_dc8e63340d1037c7.txt"


def require(*paths: Path) -> None:
    """Skip the calling test when a real file it reads is not on this machine."""
    for path in paths:
        if not path.exists():
            pytest.skip(f"{path} is not here (the real files live in ../shared/data)")


def pytest_runtest_setup(item):
    """Tests marked `shared` read ../shared/data: skip them when it is absent."""
    if item.get_closest_marker("shared") is not None:
        require(SEED)


NBSP = "\u00a0"


@pytest.fixture(scope="session")
def schema():
    return load_schema()


@pytest.fixture(scope="session")
def imported(tmp_path_factory):
    """The Jam and Justice page imported into a workbook (done once per test run)."""
    require(SEED)
    out = tmp_path_factory.mktemp("import") / "jam.xlsx"
    report = import_to_workbook(SEED, out)
    return report


@pytest.fixture(scope="session")
def built(imported, tmp_path_factory):
    """Word and Excel returns built from the imported workbook."""
    out = tmp_path_factory.mktemp("outputs")
    result = build([imported.output], out)
    assert result.outputs, [f.describe() for f in result.findings.errors]
    docx_path = next(p for p in result.outputs if p.suffix == ".docx")
    xlsx_path = next(p for p in result.outputs if p.suffix == ".xlsx")
    return result, docx_path, xlsx_path


def seed_records() -> tuple[list[str], list[list[str]]]:
    """Split the seed page independently of the importer: (citation lines, outcome records).

    Each outcome record is its list of non-empty lines, NBSPs removed, in page order.
    """
    lines = SEED.read_text(encoding="utf-8").split("\n")
    citations = [lines[i + 1].strip() for i, line in enumerate(lines) if line == "publication icon"]
    records: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line == NBSP:
            if current:
                records.append(current)
            current = []
        elif current is not None and line.replace(NBSP, " ").strip():
            current.append(line.replace(NBSP, " ").strip())
    if current:
        records.append(current)
    return citations, records


#: What a partner's entry of a collaboration says of the partner alone.
_PARTNER_LINES = ("Organisation ", "Department ", "Country ", "Sector ")


def shown_once(records: list[list[str]]) -> int:
    """How many seed records a return shows as part of another: a collaboration reported once
    per partner (the same lines but for the partner's own) is one entry listing its partners."""
    seen: set[tuple[str, ...]] = set()
    repeats = 0
    for record in records:
        if not any(line.startswith("PI Contribution ") for line in record):
            continue  # not a collaboration
        key = tuple(line for line in record if not line.startswith(_PARTNER_LINES))
        repeats += key in seen
        seen.add(key)
    return repeats


#: Labels as printed on the seed page (../shared/docs/researchfish-schema.md §2.2).
SEED_LABELS = sorted(
    [
        "Title",
        "Description",
        "Type Of Art",
        "Year Produced",
        "Impact Types",
        "Impact",
        "URL",
        "Exploitation Route",
        "Sectors",
        "Sector",
        "First Year Of Impact",
        "Geographic Reach",
        "Policy Influence Type",
        "Amount",
        "Organisation",
        "Country",
        "Start Year",
        "Start",
        "End",
        "Type Of Material",
        "Provided To Others?",
        "Department",
        "PI Contribution",
        "Collaborator Contribution",
        "Form Of Engagement Activity",
        "Part Of Official Scheme?",
        "Primary Audience",
        "Results and Impact",
        "Year(s) Of Engagement Activity",
    ],
    key=len,
    reverse=True,
)
MULTI_VALUE_LABELS = {"Sectors", "Sector", "Impact Types", "Year(s) Of Engagement Activity"}


def split_label(line: str) -> tuple[str | None, str]:
    for label in SEED_LABELS:
        if line.startswith(label + " "):
            return label, line[len(label) + 1 :].strip()
    return None, line


def expected_pieces(record: list[str], returned: bool = False) -> list[str]:
    """The text pieces of a seed record that must appear in its rendering: as GtR wrote them
    (an input workbook), or, `returned`, as a return writes them (months and money UK style)."""
    pieces = []
    for line in record:
        label, value = split_label(line)
        if label in MULTI_VALUE_LABELS:
            pieces.extend(re.split(r",(?! )", value))
        elif (
            returned and label in ("Start", "End") and re.fullmatch(r"\d{2}/\d{4}", value)
        ):  # a month as UK reports write it
            pieces.append(f"{calendar.month_name[int(value[:2])]} {value[3:]}")
        elif label == "Amount":  # GtR's "£53,886 (GBP)" is written as UK reports write it: "£53,886"
            money = re.fullmatch(r"([£$€]?)([\d,.]+) \(([A-Z]{3})\)", value)
            pieces.append(value if money is None else money[1] + money[2] if money[1] else f"{money[2]} {money[3]}")
        else:
            pieces.append(value)
    return [p for p in pieces if p]


def squash(text: str) -> str:
    """Remove all white space, so layout differences do not hide real differences."""
    return re.sub(r"\s+", "", text)


def docx_blocks(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Heading 1 texts, and (first paragraph, full text) of every entry, in document order.

    Each entry starts at a bookmark named _Entry<n> (its heading, its citation, or for an
    untitled entry such as a key finding, its first field); a Heading 1 ends the section.
    """
    document = docx.Document(str(path))
    h1: list[str] = []
    blocks: list[list[str] | None] = []
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        starts = any(name.startswith("_Entry") for name in paragraph._p.xpath("./w:bookmarkStart/@w:name"))
        if style == "Heading 1":
            h1.append(paragraph.text)
            blocks.append(None)  # section boundary
        elif starts:
            blocks.append([paragraph.text])
        elif blocks and blocks[-1] is not None:
            blocks[-1].append(paragraph.text)
    return h1, [(b[0], "\n".join(b)) for b in blocks if b is not None]


def open_xlsx(path: Path):
    return openpyxl.load_workbook(path)


def write_input(path: Path, sheets: dict[str, list[dict]], award: dict | None = None) -> Path:
    """Write an input workbook the way a person would: headers in row 1, values as typed.

    Strings are stored as text even when they start with '=' (openpyxl would otherwise make
    them formulas), like a user typing '=1+1 in Excel.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    award_sheet = book.create_sheet("Award")
    award = award if award is not None else {"Title": "Test award", "Award Reference": "TE/ST/1"}
    _write_rows(award_sheet, [award] if award else [])
    for name, rows in sheets.items():
        _write_rows(book.create_sheet(name), rows)
    book.save(path)
    return path


def _write_rows(sheet, rows: list[dict]) -> None:
    headers: list[str] = []
    for row in rows:
        for key in row:
            if key not in headers:
                headers.append(key)
    for col, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=col, value=header)
    for r, row in enumerate(rows, start=2):
        for col, header in enumerate(headers, start=1):
            value = row.get(header)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
