"""Every real file research offices hold (../shared/data and ../shared/data/real) imports and
builds, and every record it holds is in both returns of its award.

The records are read from the files by tests/oracles.py, which does not use the importers; the
returns are read as the text of their parts. The imports and builds run through the library,
one build per kind of file over all its workbooks (rendered on every core).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import docx
import openpyxl
import pytest
from oracles import (
    docx_text,
    gtr_csv_records,
    gtr_xml_records,
    missing,
    researchfish_records,
    return_files,
    xlsx_rows_text,
    xlsx_text,
)

from reporting import build, import_to_workbook

from conftest import DATA, REAL, require

pytestmark = [pytest.mark.shared, pytest.mark.slow]

GTR_XML = sorted((REAL / "gtr-xml").glob("*.xml")) + sorted(DATA.glob("gtr-api-project-*.xml"))
GTR_CSV = sorted((REAL / "gtr-csv").glob("*.csv")) + sorted(DATA.glob("gtr-export-*.csv"))
RESEARCHFISH = sorted((REAL / "researchfish").glob("*.xlsx"))


def _import(job: tuple[Path, Path]):
    return import_to_workbook(*job)


def _import_and_build(files: list[Path], folder: Path):
    """Import every file into its own workbook (on every core), then build them all at once."""
    inputs = folder / "inputs"
    jobs = [(f, inputs / f"{f.stem}.xlsx") for f in files]
    if len(jobs) > 1:
        with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
            reports = list(pool.map(_import, jobs, chunksize=8))
    else:
        reports = [_import(job) for job in jobs]
    return reports, build([inputs], folder / "returns")


@cache
def _texts(docx: Path, xlsx: Path) -> tuple[str, str]:
    return docx_text(docx), xlsx_text(xlsx)


@cache
def _word(path: Path):
    """The Word return at `path`, parsed once for every test that reads it."""
    return docx.Document(str(path))


def _style(paragraph) -> str:
    """The id of a paragraph's style ("Heading1", "Bibliography"), read from its XML: python-docx's
    `paragraph.style` looks the style up anew for every paragraph, a quarter of these tests' time."""
    properties = paragraph._p.pPr
    return properties.pStyle.val if properties is not None and properties.pStyle is not None else ""


@cache
def _sheet(path: Path, name: str) -> list[tuple] | None:
    """The rows of sheet `name` of the workbook at `path` (None when it has no such sheet),
    read once for every test that reads them."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book[name].iter_rows(values_only=True)) if name in book.sheetnames else None
    finally:
        book.close()


def _check(records: list[tuple[str, str, list[str]]], returns: Path) -> None:
    """Each (award, where, texts) record's texts are in its award's Word and Excel returns."""
    lost: dict[str, list[str]] = defaultdict(list)
    checked = 0
    for reference, where, texts in records:
        docx, xlsx = return_files(returns, reference)
        assert docx.is_file() and xlsx.is_file(), (reference, where)
        word, excel = _texts(docx, xlsx)
        for piece in missing(texts, word):
            lost[f"{reference} {where} (Word)"].append(piece)
        unfound = missing(texts, excel)
        if unfound:  # long text goes on in "(continued)" columns or rows below: join them
            unfound = missing(texts, xlsx_rows_text(xlsx))
        for piece in unfound:
            lost[f"{reference} {where} (Excel)"].append(piece)
        checked += 1
    assert checked and not lost, dict(list(lost.items())[:10])


@pytest.fixture(scope="module")
def gtr_xml(tmp_path_factory):
    require(*GTR_XML[:1])
    return _import_and_build(GTR_XML, tmp_path_factory.mktemp("gtr-xml"))


def test_every_gtr_record_imports_and_builds(gtr_xml):
    reports, result = gtr_xml
    assert len(reports) == len(GTR_XML) >= 200
    refused = {r.result.source: [f.describe() for f in r.findings.errors][:3] for r in reports if not r.ok}
    assert not refused
    assert result.outputs, [f.describe() for f in result.findings.errors][:10]
    assert result.awards == len(GTR_XML)


def test_every_gtr_record_is_in_both_returns(gtr_xml):
    _, result = gtr_xml
    records = []
    for path in GTR_XML:
        reference, items = gtr_xml_records(path)
        records.extend((reference, f"{path.name} {name}", texts) for name, texts in items)
    assert len(records) >= 5434
    _check(records, result.outputs[0].parent)


def test_gtr_records_every_row_accounted_for(gtr_xml):
    reports, _ = gtr_xml
    for report in reports:
        assert all(t.balanced for t in report.result.tallies), report.result.source
        assert sum(t.entries for t in report.result.tallies) == sum(report.written.values())


@pytest.fixture(scope="module")
def gtr_csv(tmp_path_factory):
    require(*GTR_CSV[:1])
    return _import_and_build(GTR_CSV, tmp_path_factory.mktemp("gtr-csv"))


def test_every_gtr_csv_row_imports_builds_and_is_in_both_returns(gtr_csv):
    reports, result = gtr_csv
    assert all(r.ok for r in reports), [f.describe() for r in reports for f in r.findings.errors][:5]
    assert result.outputs, [f.describe() for f in result.findings.errors][:10]
    records = [(reference, path.name, texts) for path in GTR_CSV for reference, texts in gtr_csv_records(path)]
    assert len(records) >= 2567 + 656
    _check(records, result.outputs[0].parent)
    # GtR's own links and ids are kept in the Excel returns, not printed on every Word entry.
    word = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "GTR Outcome URL" not in text and "Outcome ID" not in text


@pytest.fixture(scope="module")
def researchfish(tmp_path_factory):
    require(*RESEARCHFISH[:1])
    folder = tmp_path_factory.mktemp("researchfish")
    # Each export is a portfolio of its own: built separately (awards may be in both years).
    return [(path, *_import_and_build([path], folder / path.stem)) for path in RESEARCHFISH]


def test_researchfish_exports_of_every_layout_import_and_build(researchfish):
    assert len(researchfish) >= 2
    for path, reports, result in researchfish:
        (report,) = reports
        assert report.ok, [f.describe() for f in report.findings.errors][:5]
        assert result.outputs, [f.describe() for f in result.findings.errors][:10]
        tallies = report.result.tallies
        assert all(t.balanced for t in tallies)
        # no outcome sheet is dropped: every sheet with an award column gave entries or empty rows
        assert not [t for t in tallies if t.section is None and t.entries == 0 and not t.empty], path.name


def test_wide_excel_sheets_print_readably_over_pages_side_by_side(researchfish):
    """A researchfish section of 30 columns squeezed onto one page prints at 20%: it is spread
    over a few pages wide instead, each at a readable scale."""
    from openpyxl.utils import get_column_letter

    from reporting.xlsx_return import WIDTH_PER_PAGE

    _, _, result = max(researchfish, key=lambda item: len(item[2].outputs))
    path = max(
        (p for p in result.outputs if p.suffix == ".xlsx" and p.name != "portfolio-summary.xlsx"),
        key=lambda p: p.stat().st_size,
    )
    book = openpyxl.load_workbook(path)
    wide = 0
    for sheet in book.worksheets[1:]:
        total = sum(sheet.column_dimensions[get_column_letter(i)].width or 8 for i in range(1, sheet.max_column + 1))
        pages = sheet.page_setup.fitToWidth or 1
        assert pages * WIDTH_PER_PAGE >= total - 1, (sheet.title, total, pages)
        wide += pages > 1
        if pages > 1:  # the title column on every page across, beside the Impact and URL
            assert sheet.print_title_cols == "$A:$A", sheet.title
        assert sheet.oddHeader.left.text, sheet.title  # the award named on every printed page
    assert wide, "no sheet was wide enough to need two pages"


def test_every_researchfish_row_is_in_both_returns(researchfish):
    for path, _, result in researchfish:
        records = [
            (reference, f"{sheet} row {number}", texts)
            for reference, sheet, number, texts in researchfish_records(path)
        ]
        assert len(records) > 1000, path.name
        _check(records, result.outputs[0].parent)


def test_researchfish_sections_gtr_does_not_show_are_kept(researchfish):
    """Other Outputs, Secondments, Skills Shortage, funder questions: nothing dropped."""
    sections = {t.section for _, reports, _ in researchfish for t in reports[0].result.tallies}
    assert {
        "other_outputs",
        "secondments",
        "skills_shortage",
        "next_destination",
        "awards_recognition",
        "facilities",
        "additional_questions",
    } <= sections


def test_the_hdr_uk_portfolio_report_agrees_with_counts_made_from_the_export(researchfish, tmp_path):
    """The 2022 HDR UK export, imported: the portfolio report's figures against counts made
    here with openpyxl over the export itself (an outcome reported for several awards is one)."""
    from collections import Counter
    from decimal import Decimal

    from oracles import counted_rows, figure_table, researchfish_outcomes

    from reporting import pipeline

    [(export, _, result)] = [item for item in researchfish if "2022" in item[0].name]
    made = pipeline.portfolio([result.outputs[0].parent.parent / "inputs"], tmp_path)
    book = openpyxl.load_workbook(tmp_path / "portfolio-report.xlsx", read_only=True)
    sheet = book["All awards"]
    export_sheets = researchfish_outcomes(export, "Collaborations", "Engagement", "FurtherFunding")

    collaborations = export_sheets["Collaborations"]
    expected = Counter(str(v.get("Country") or "").strip() or "Not recorded" for v in collaborations.values())
    found = {row[0]: row[1] for row in figure_table(sheet, "Collaborations by partner country")}
    assert found == dict(expected)
    assert found["United Kingdom"] > found["United States"] > 0

    engagement = export_sheets["Engagement"]
    expected = Counter(str(v.get("Geographical Reach") or "").strip() or "Not recorded" for v in engagement.values())
    found = {row[0]: row[1] for row in figure_table(sheet, "Engagement activities by geographic reach")}
    assert found == dict(expected)

    # Further funding: each well-formed outcome of the export is counted under its currency with
    # its amount, and each currency's total is the sum of the entries listed under it.
    table = {row[0]: (row[1], row[2]) for row in figure_table(sheet, "Further funding by currency")}
    counted = counted_rows(tmp_path / "portfolio-report.xlsx", "Further funding by currency")
    by_id = {row[4]: (row[0], row[6]) for row in counted}
    funding = export_sheets["FurtherFunding"]
    checked = 0
    for key, values in funding.items():
        currency, amount = values.get("Currency"), values.get("Amount")
        if isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency) and isinstance(amount, (int, float)):
            assert by_id[key] == (currency, pytest.approx(float(amount))), key
            checked += 1
    assert checked >= 350
    for currency, (entries, total) in table.items():
        mine = [row for row in counted if row[0] == currency]
        assert len(mine) == entries
        assert sum(Decimal(str(row[6] or 0)) for row in mine) == pytest.approx(Decimal(str(total)))
    assert table["GBP"][0] > table["EUR"][0] > table["USD"][0]

    assert made.outputs == [tmp_path / "portfolio-report.docx", tmp_path / "portfolio-report.xlsx"]
    text = docx_text(tmp_path / "portfolio-report.docx")  # white space left out
    for title in (
        "Collaborations by partner country",
        "Further funding in GBP by funder sector",
        "Engagement activities by geographic reach",
        "Influence on policy by type",
    ):
        assert title.replace(" ", "") in text
    with zipfile.ZipFile(tmp_path / "portfolio-report.docx") as archive:
        charts = [name for name in archive.namelist() if name.startswith("word/charts/chart")]
        bars = [len(re.findall(r"<c:pt idx=", archive.read(name).decode())) // 2 for name in charts]
    assert len(charts) >= 12 and max(bars) <= 10  # readable at a glance: at most ten bars


def _glance_rows(rows: list[list[str]]) -> list[list[str]]:
    """The At a glance table among a document's tables: headers, a row per section, totals."""
    return rows if rows and rows[0][:2] == ["Section", "Entries"] else []


def test_no_at_a_glance_column_exceeds_its_sections_entries(researchfish):
    """In every HDR UK return, Word and Excel: no year or year-group column counts more than its
    section's entries, and the totals row is the sum of the rows."""
    checked = 0
    for _, _, result in researchfish:
        for path in result.outputs:
            if path.suffix == ".docx":
                tables = [[[c.text for c in row.cells] for row in t.rows] for t in _word(path).tables]
            elif path.suffix == ".xlsx" and not path.name.startswith("portfolio"):
                rows = [[("" if v is None else str(v)) for v in row] for row in _sheet(path, "Summary") or []]
                start = next(i for i, row in enumerate(rows) if row[:2] == ["Section", "Entries"])
                end = next(i for i in range(start, len(rows)) if rows[i][0] == "Total")
                width = len([header for header in rows[start] if header])
                tables = [[row[:width] for row in rows[start : end + 1]]]
            else:
                continue
            for table in filter(None, map(_glance_rows, tables)):
                numbers = [[int(cell or 0) for cell in row[1:]] for row in table[1:]]
                *sections, totals = numbers
                for row in sections:
                    assert all(n <= row[0] for n in row[1:]), (path.name, table[0], row)
                assert totals == [sum(column) for column in zip(*sections)] or not sections and not any(totals), (
                    path.name,
                    totals,
                )
                checked += 1
    assert checked > 100


def test_no_answer_to_a_funders_question_counts_as_an_outcome(researchfish, tmp_path):
    """HDR UK's Secondments, Skills Shortage and funder questions (mostly "No") are shown as
    the awards' answers: in no At a glance table, and in the portfolio as answers, Yes of all."""
    from reporting import pipeline

    questions = ("Secondments", "Skills Shortage", "Additional Funder Questions")
    answered = []
    for _, reports, result in researchfish:
        for path in (p for p in result.outputs if p.suffix == ".docx"):
            document = docx.Document(str(path))
            for table in document.tables:
                rows = [row.cells[0].text for row in table.rows]
                if rows and rows[0] == "Section":
                    assert not set(rows) & set(questions), path.name
        made = pipeline.portfolio([reports[0].output], tmp_path / reports[0].output.stem)
        book = openpyxl.load_workbook(next(p for p in made.outputs if p.suffix == ".xlsx"), read_only=True)
        cells = [str(v) for row in book["All awards"].iter_rows(values_only=True) for v in row if v is not None]
        book.close()
        start = cells.index("Entries by section")
        listed = cells[start : cells.index("Section", start) + 40]
        assert not set(listed) & set(questions)
        answered += [c for c in cells if c.startswith("Yes: ") and " of " in c]
    assert answered, "the answers figure says how many awards answered Yes, of how many"


def test_page_ranges_excel_made_dates_of_print_as_ranges(researchfish):
    """The 2022 HDR UK export holds pages and issues Excel turned into dates ("1-13" as
    2013-01-01): no citation in Word and no Pages or Issue cell in Excel shows a date."""
    as_date = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")
    restored = in_word = 0
    for _, _, result in researchfish:
        for path in result.outputs:
            if path.suffix == ".docx":
                paragraphs = _word(path).paragraphs
                citations = [re.sub(r"\S+://\S+", "", p.text) for p in paragraphs if _style(p) == "Bibliography"]
                assert not [c for c in citations if as_date.search(c)], path.name
                in_word += sum(bool(re.search(r", 1-13\.|\(3-4\)", c)) for c in citations)
            elif path.suffix == ".xlsx" and path.name != "portfolio-summary.xlsx":
                rows = _sheet(path, "Publications")
                if rows is not None:
                    top = next((i for i, row in enumerate(rows) if "Pages" in row or "Issue" in row), 0)
                    columns = [i for i, h in enumerate(rows[top]) if h in ("Pages", "Issue")]
                    restored += bool(columns)
                    cells = [row[i] for row in rows[top + 1 :] for i in columns if i < len(row) and row[i]]
                    assert not [c for c in cells if not isinstance(c, str) or as_date.search(c)], path.name
    assert in_word, "the restored ranges are in the citations"
    assert restored, "the Pages and Issue columns are in the workbooks"


def test_a_collaboration_reported_once_per_partner_is_one_entry_listing_them(researchfish):
    """HDR UK awards report one collaboration once for each partner (15 entries of "UK Health
    Data Research Alliance"): Word shows each once, listing every partner; Excel keeps a row each."""
    shared = ("Description", "PI Contribution", "Collaborator Contribution", "Impact", "Start Year", "End Year")
    merged = 0
    for _, _, result in researchfish:
        for path in result.outputs:
            if path.suffix != ".xlsx" or path.name == "portfolio-summary.xlsx":
                continue
            rows = _sheet(path, "Collaborations")
            if rows is None:
                continue
            top = next(i for i, row in enumerate(rows) if "Organisation" in row)
            header = rows[top]
            groups: dict[tuple, list[str]] = defaultdict(list)
            for row in rows[top + 1 :]:
                if not any(row):
                    continue
                values = dict(zip(header, row))
                if values.get("Continues Row"):
                    continue  # long text carried on below its entry
                key = tuple(" ".join(str(values.get(h) or "").split()).casefold() for h in shared)
                groups[key].append(" ".join(str(values.get("Organisation") or "").split()))
            ours: list[str] = []  # the Word entries of the section, each its text
            inside = False
            for paragraph in _word(path.with_suffix(".docx")).paragraphs:
                if _style(paragraph) == "Heading1":
                    inside = paragraph.text.startswith("Collaborations and Partnerships")
                elif inside and paragraph._p.xpath("./w:bookmarkStart[starts-with(@w:name, '_Entry')]"):
                    ours.append(paragraph.text)
                elif inside and ours:
                    ours[-1] += "\n" + paragraph.text
            assert len(ours) == len(groups), path.name
            for organisations in groups.values():
                if len(organisations) > 1:
                    merged += len(organisations) - 1
                    assert any(all(o in text for o in organisations) for text in ours), organisations
    assert merged >= 14  # the 14 identical entries among them


def test_the_hdr_uk_portfolio_pdf_keeps_each_chart_with_its_table(researchfish, tmp_path):
    """Printed, every page of the HDR UK portfolio report after the contents starts with a
    heading: no table is carried over to a page without the chart and title it belongs to."""
    from pypdf import PdfReader

    from reporting import pipeline
    from reporting.pdf import convert, find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed (CI installs it)")
    [(_, _, result)] = [item for item in researchfish if "2022" in item[0].name]
    made = pipeline.portfolio([result.outputs[0].parent.parent / "inputs"], tmp_path)
    word = next(p for p in made.outputs if p.suffix == ".docx")
    headings = {p.text for p in docx.Document(str(word)).paragraphs if _style(p) in ("Heading1", "Heading2")}
    [pdf] = convert([word])
    pages = PdfReader(pdf).pages[2:]
    assert len(pages) > 10
    for number, page in enumerate(pages, start=3):
        lines = [line for line in page.extract_text().split("\n") if line.strip()]
        assert lines[1] in headings, (number, lines[:3])  # under the running header
