"""Write Word returns. The only module that imports python-docx.

The Word template supplies every style, the page set-up and the footer; python-docx reads it.
Entries are written as WordprocessingML text into the template's own main-document XML and
zipped with the template's other parts. Building text keeps rendering linear in the number of
entries; python-docx's paragraph-by-paragraph API rescans the body and the style list on each
call and grows superlinearly (../shared/docs/performance-notes.md). Every output is checked
by the tests, which reopen it with python-docx and parse each part.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml

from .errors import TemplateError
from .returns import FieldView, ReturnView, entry_view
from .schema import Schema
from .text import paragraphs, strip_illegal

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: Role -> style name in the template. Users restyle these in Word; only the names matter.
STYLE_NAMES = {
    "title": "Title",
    "subtitle": "Subtitle",
    "h1": "Heading 1",
    "h2": "Heading 2",
    "toc_heading": "TOC Heading",
    "toc1": "toc 1",
    "detail": "Award Detail",
    "award_heading": "Award Heading",
    "field": "Field",
    "field_heading": "Field Heading",
    "field_text": "Field Text",
    "label": "Field Label",
    "link": "Hyperlink",
    "mark": "Change Mark",
    "note": "Cover Note",
    "table": "Table Grid",
    "table_text": "Table Text",
}
#: Usable page width in twentieths of a point (A4, 2.2 cm margins) for the summary table.
_TABLE_WIDTH = 9400
_ESSENTIAL = ("h1", "h2")


def _esc(text: str) -> str:
    return strip_illegal(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Body:
    """Accumulates the body's WordprocessingML as text."""

    def __init__(self, styles: dict[str, str | None], taken: set[str]) -> None:
        self.parts: list[str] = []
        self.styles = styles
        self.links: dict[str, str] = {}  # url -> relationship id
        self._taken = taken
        self._bookmark = 0

    def _ppr(self, role: str) -> str:
        style = self.styles.get(role)
        return f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""

    def run(self, text: str, role: str | None = None) -> str:
        style = self.styles.get(role) if role else None
        rpr = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
        pieces = _esc(text).split("\t")
        inner = "</w:t><w:tab/><w:t xml:space=\"preserve\">".join(pieces)
        return f'<w:r>{rpr}<w:t xml:space="preserve">{inner}</w:t></w:r>'

    def link(self, url: str, text: str | None = None) -> str:
        rid = self.links.get(url)
        if rid is None:
            number = len(self.links) + 1
            while f"rIdFr{number}" in self._taken:
                number += 1
            rid = f"rIdFr{number}"
            self.links[url] = rid
        return f'<w:hyperlink r:id="{rid}" w:history="1">{self.run(text or url, "link")}</w:hyperlink>'

    def paragraph(self, role: str, content: str) -> None:
        self.parts.append(f"<w:p>{self._ppr(role)}{content}</w:p>")

    def heading(self, role: str, text: str, bookmark: str | None = None) -> None:
        if bookmark:
            self._bookmark += 1
            n = self._bookmark
            content = (f'<w:bookmarkStart w:id="{n}" w:name="{bookmark}"/>{self.run(text)}'
                       f'<w:bookmarkEnd w:id="{n}"/>')
        else:
            content = self.run(text)
        self.paragraph(role, content)

    def field(self, view: FieldView, label_role: str = "label", role: str = "field") -> None:
        if view.long:
            self.paragraph("field_heading", self.run(view.label))
            for text in paragraphs(view.text):
                self.paragraph("field_text", self.run(text))
            return
        if view.url and view.link_text:
            value = self.run(view.text + " ") + self.link(view.url, view.link_text)
        else:
            value = self.link(view.url, view.text) if view.url else self.run(view.text)
        self.paragraph(role, self.run(view.label, label_role) + '<w:r><w:tab/></w:r>' + value)


def _style_ids(document) -> dict[str, str | None]:
    by_name = {}
    for style in document.styles.element.style_lst:
        name = style.name_val
        if name:
            by_name[name.casefold()] = style.styleId
    ids = {role: by_name.get(name.casefold()) for role, name in STYLE_NAMES.items()}
    missing = [STYLE_NAMES[r] for r in _ESSENTIAL if not ids[r]]
    if missing:
        raise TemplateError(
            f"The Word template has no {' or '.join(missing)} style.",
            "Use a template made from templates/return.docx, or add the style in Word.")
    return ids


def open_template(path: Path):
    """Open the Word template, raising TemplateError with a plain message if it cannot be used."""
    try:
        return Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise TemplateError(f"The Word template {path} cannot be opened ({exc}).",
                            "Check the file, or omit --template to use the default.") from None


_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>Research outcomes return</dc:subject>"
    "<dc:creator>funder-report</dc:creator><cp:lastModifiedBy>funder-report</cp:lastModifiedBy>"
    "<cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified>'
    "</cp:coreProperties>"
)


class WordTemplate:
    """A Word template read once, then used to write any number of returns.

    python-docx reads the template (its styles, relationships and section set-up); each
    return's main document part is then written as text around the template's own XML and
    zipped with the template's other parts, untouched. Entry dates in the zip are fixed, so the
    same data always gives the same bytes.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        document = open_template(self.path)
        self.styles = _style_ids(document)
        part = document.part
        self._main = part.partname.membername
        self._main_rels = part.partname.rels_uri.membername
        self._rels = [(r.rId, r.reltype, r.target_ref, r.is_external) for r in part.rels.values()]
        core = [r.target_part.partname.membername for r in part.package.rels.values()
                if r.reltype == RT.CORE_PROPERTIES]
        self._core = core[0] if core else None
        body = document.element.body
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
        xml = serialize_part_xml(document.element).decode("utf-8")
        start = xml.index(">", xml.index("<w:body")) + 1
        if xml[start - 2] == "/":  # an empty <w:body/>
            self._head, self._tail = xml[: start - 2] + ">", "</w:body>" + xml[start:]
        else:
            sect = xml.find("<w:sectPr", start)
            cut = sect if sect >= 0 else xml.index("</w:body>", start)
            self._head, self._tail = xml[:start], xml[cut:]
        root_end = self._head.index(">", self._head.index("<w:document"))
        for prefix, uri in (("w", _W), ("r", _R)):
            if f'xmlns:{prefix}="' not in self._head[:root_end]:
                self._head = self._head[:root_end] + f' xmlns:{prefix}="{uri}"' + self._head[root_end:]
                root_end = self._head.index(">", self._head.index("<w:document"))
        with zipfile.ZipFile(self.path) as archive:
            self._parts = [(info.filename, archive.read(info)) for info in archive.infolist()
                           if not info.is_dir()]
        if self._main not in {name for name, _ in self._parts}:
            raise TemplateError(f"The Word template {self.path} has no main document part.")

    def _rels_xml(self, links: dict[str, str]) -> str:
        items = []
        for rid, reltype, target, external in self._rels:
            mode = ' TargetMode="External"' if external else ""
            items.append(f'<Relationship Id="{_attr(rid)}" Type="{_attr(reltype)}" '
                         f'Target="{_attr(target)}"{mode}/>')
        for url, rid in links.items():
            items.append(f'<Relationship Id="{rid}" Type="{RT.HYPERLINK}" Target="{_attr(url)}" '
                         'TargetMode="External"/>')
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(items) + "</Relationships>")

    def render(self, schema: Schema, view: ReturnView) -> bytes:
        """The Word return for one award, as the bytes of a .docx file."""
        body = _Body(self.styles, {rid for rid, *_ in self._rels})
        _write_return(body, schema, view)
        dynamic = {
            self._main: self._head + "".join(body.parts) + self._tail,
            self._main_rels: self._rels_xml(body.links),
        }
        if self._core:
            dynamic[self._core] = _CORE.format(title=_esc(view.title[:255]), date=FIXED_DATE)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            names = {name for name, _ in self._parts}
            for name, data in self._parts:
                content = dynamic.get(name, data)
                _write_member(archive, name, content.encode("utf-8") if isinstance(content, str) else content)
            for name, content in dynamic.items():
                if name not in names:
                    _write_member(archive, name, content.encode("utf-8"))
        return buffer.getvalue()


#: Date written into every return's document properties (reproducible files).
FIXED_DATE = "2000-01-01T00:00:00Z"


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


CHANGES_TITLE = "Changes since last submission"


def _summary_table(body: "_Body", view: ReturnView) -> None:
    """Entries per section and per year, as a Word table."""
    years = [str(y) for y in view.years]
    headers = ["Section", "Entries", *years, "Undated"]
    first, second = 2900, 750
    rest = max((_TABLE_WIDTH - first - second) // max(len(headers) - 2, 1), 400)
    widths = [first, second] + [rest] * (len(headers) - 2)
    style = body.styles.get("table")
    rows = [headers]
    for title, count, per_year, undated in view.summary_rows():
        rows.append([title, str(count), *[str(per_year.get(int(y), 0) or "") for y in years],
                     str(undated or "")])
    totals = ["Total", str(view.entry_count)]
    for index in range(2, len(headers)):
        totals.append(str(sum(int(r[index] or 0) for r in rows[1:]) or ""))
    rows.append(totals)
    parts = ['<w:tbl><w:tblPr>' + (f'<w:tblStyle w:val="{_attr(style)}"/>' if style else "") +
             '<w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="1" '
             'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
             + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"]
    for number, row in enumerate(rows):
        header = '<w:trPr><w:tblHeader/></w:trPr>' if number == 0 else '<w:trPr><w:cantSplit/></w:trPr>'
        cells = []
        for width, text in zip(widths, row):
            bold = number in (0, len(rows) - 1)
            run = body.run(text) if not bold else body.run(text).replace("<w:r>", "<w:r><w:rPr><w:b/></w:rPr>", 1)
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                         f'<w:p>{body._ppr("table_text")}{run}</w:p></w:tc>')
        parts.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    parts.append("</w:tbl>")
    body.parts.append("".join(parts))


def _changes(body: "_Body", view: ReturnView, bookmark: str) -> None:
    changes = view.changes
    body.heading("h1", f"{CHANGES_TITLE} ({changes.summary()})", bookmark)
    groups = [("Added", changes.of_kind("added")), ("Changed", changes.of_kind("changed")),
              ("Removed", changes.of_kind("removed"))]
    for label, items in groups:
        body.paragraph("award_heading", body.run(f"{label} ({len(items)})"))
        if not items:
            body.paragraph("field_text", body.run("None."))
        for item in items:
            text = f"{item.section}: {item.heading}"
            if item.fields:
                text += " (" + ", ".join(f.label for f in item.fields) + ")"
            body.paragraph("field_text", body.run(text))


def _write_return(body: "_Body", schema: Schema, view: ReturnView) -> None:
    """The return's content, in order: header, summary, contents, changes, award texts, sections."""
    body.paragraph("title", body.run(view.title))
    for detail in view.details:
        body.field(detail, role="detail")
    body.paragraph("subtitle", body.run(view.subtitle))
    for note in view.notes:
        body.paragraph("note", body.run(note))
    if view.sections:
        _summary_table(body, view)

    # Contents: a Word TOC field whose cached result already lists the sections, so the
    # list is readable before anyone updates fields (Word replaces it when updated).
    body.paragraph("toc_heading", body.run("Contents"))
    headings = [f"{s.title} ({len(s.entries)})" for s in view.sections]
    if view.changes is not None:
        headings.insert(0, f"{CHANGES_TITLE} ({view.changes.summary()})")
    names = [f"_Sec{index}" for index in range(1, len(headings) + 1)]
    for index, text in enumerate(headings):
        entry = f'<w:hyperlink w:anchor="{names[index]}" w:history="1">{body.run(text)}</w:hyperlink>'
        if index == 0:
            entry = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
                     ' TOC \\o "1-1" \\h \\z \\u </w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + entry)
        if index == len(headings) - 1:
            entry += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        body.paragraph("toc1", entry)
    if not view.sections:
        body.paragraph("field_text", body.run("There are no entries yet."))
    if view.changes is not None:
        _changes(body, view, names.pop(0))

    for text in view.texts:
        body.paragraph("award_heading", body.run(text.label))
        for para in paragraphs(text.text):
            body.paragraph("field_text", body.run(para))

    for index, section in enumerate(view.sections):
        body.heading("h1", headings[index + (1 if view.changes is not None else 0)], names[index])
        for entry in section.entries:
            shown = entry_view(schema, entry)
            marks = "".join(body.run(f" [{m}]", "mark") for m in view.marks.get(id(entry), ()))
            body.paragraph("h2", body.run(shown.heading) + marks)
            for field in shown.fields:
                body.field(field)


def render_docx(schema: Schema, view: ReturnView, template: Path | str) -> bytes:
    """The Word return for one award (reads the template; use WordTemplate for many awards)."""
    return WordTemplate(template).render(schema, view)
