"""The reference pipeline the benchmark compares funder-report with (issue 7).

The fastest straightforward way to do the same job with the same libraries and no checks:
read every sheet with openpyxl in read-only mode; per award, write the Word return as plain
WordprocessingML text (a heading per section and per entry, a label and value per field, URLs
as hyperlinks, the template's styles) zipped by hand; and write the Excel return with
XlsxWriter (a sheet per section, bold frozen header, the rows). It validates nothing and has
no cover, contents, tables or charts, so it is a floor, not a rival.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
SKIP = {"Instructions", "Lists", "Award", "Organisations"}


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def read(path: Path) -> tuple[dict[str, str], dict[str, list[tuple[str, list[str], list]]]]:
    """Award titles by reference, and per award the rows of each section sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    titles: dict[str, str] = {}
    rows = book["Award"].iter_rows(values_only=True)
    header = next(rows)
    for row in rows:
        values = dict(zip(header, row))
        titles[values.get("Award Reference") or ""] = values.get("Title") or ""
    awards: dict[str, list] = {}
    for sheet in book.worksheets:
        if sheet.title in SKIP:
            continue
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()))
        if not header:
            continue
        ref_col = header.index("Award Reference")
        for row in rows:
            if not any(v is not None for v in row):
                continue
            reference = row[ref_col] or next(iter(titles))
            sections = awards.setdefault(reference, {})
            sections.setdefault(sheet.title, (header, []))[1].append(row)
    book.close()
    return titles, awards


def word(title: str, sections: dict, styles: bytes) -> bytes:
    parts = [f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>{esc(title)}</w:t></w:r></w:p>']
    links: dict[str, str] = {}
    for name, (header, rows) in sections.items():
        parts.append(
            f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{esc(name)} ({len(rows)})</w:t></w:r></w:p>'
        )
        for row in rows:
            parts.append(
                f'<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t xml:space="preserve">'
                f"{esc(str(row[0]))}</w:t></w:r></w:p>"
            )
            for label, value in zip(header[1:], row[1:]):
                if value is None:
                    continue
                text = esc(str(value))
                if label == "URL":
                    rid = links.setdefault(str(value), f"rId{len(links) + 10}")
                    shown = f'<w:hyperlink r:id="{rid}"><w:r><w:t>{text}</w:t></w:r></w:hyperlink>'
                else:
                    shown = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'
                parts.append(
                    f"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{esc(label)}</w:t></w:r><w:r><w:tab/></w:r>{shown}</w:p>"
                )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" '
        f'xmlns:r="{R}"><w:body>{"".join(parts)}<w:sectPr/></w:body></w:document>'
    )
    rels = "".join(
        f'<Relationship Id="{rid}" Type="{HYPERLINK}" Target="{esc(url)}" TargetMode="External"/>'
        for url, rid in links.items()
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override '
                'PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.styles+xml"/></Types>'
            ),
        )
        archive.writestr(
            "_rels/.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/'
                'document.xml"/></Relationships>'
            ),
        )
        archive.writestr("word/document.xml", document)
        archive.writestr(
            "word/_rels/document.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                f'org/package/2006/relationships"><Relationship Id="rId1" Type="{STYLES}" '
                f'Target="styles.xml"/>{rels}</Relationships>'
            ),
        )
        archive.writestr("word/styles.xml", styles)
    return buffer.getvalue()


def excel(sections: dict) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for name, (header, rows) in sections.items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, [str(h) for h in header], bold)
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)):
                    sheet.write_number(number, col, value)
                else:
                    sheet.write_string(number, col, str(value))
    book.close()
    return buffer.getvalue()


def styles_of(template: Path) -> bytes:
    with zipfile.ZipFile(template) as archive:
        return archive.read("word/styles.xml")
