"""Write Word returns. The only module that imports python-docx.

The Word template supplies every style, the page set-up and the footer. Entries are written as
WordprocessingML text, one string per document, parsed once with python-docx's parser and
inserted before the body's section properties. Building text and parsing once keeps rendering
linear in the number of entries; python-docx's paragraph-by-paragraph API rescans the body and
the style list on each call and grows superlinearly (../shared/docs/performance-notes.md).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml

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
}
_ESSENTIAL = ("h1", "h2")


def _esc(text: str) -> str:
    return strip_illegal(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Body:
    """Accumulates the body's WordprocessingML as text."""

    def __init__(self, document, styles: dict[str, str | None]) -> None:
        self.parts: list[str] = []
        self.styles = styles
        self._rels = document.part.rels
        self._links: dict[str, str] = {}
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
        rid = self._links.get(url)
        if rid is None:
            rid = f"rIdFr{len(self._links) + 1}"
            self._rels.add_relationship(RT.HYPERLINK, url, rid, is_external=True)
            self._links[url] = rid
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
        value = self.link(view.url, view.text) if view.url else self.run(view.text)
        self.paragraph(role, self.run(view.label, label_role) + '<w:r><w:tab/></w:r>' + value)

    def xml(self) -> str:
        return f'<w:body xmlns:w="{_W}" xmlns:r="{_R}">{"".join(self.parts)}</w:body>'


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
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"The Word template {path} cannot be opened ({exc}).",
                            "Check the file, or omit --template to use the default.") from None


def render_docx(schema: Schema, view: ReturnView, template: Path,
                progress: Callable[[int], None] | None = None) -> bytes:
    """The Word return for one award, as the bytes of a .docx file."""
    document = open_template(template)
    styles = _style_ids(document)
    body_element = document.element.body
    for child in list(body_element):
        if not child.tag.endswith("}sectPr"):
            body_element.remove(child)
    body = _Body(document, styles)

    body.paragraph("title", body.run(view.title))
    for detail in view.details:
        body.field(detail, role="detail")
    body.paragraph("subtitle", body.run(
        f"Research outcomes: {view.entry_count} entries in {len(view.sections)} sections"))

    # Contents: a Word TOC field whose cached result already lists the sections, so the
    # list is readable before anyone updates fields (Word replaces it when updated).
    body.paragraph("toc_heading", body.run("Contents"))
    names = [f"_Sec{index}" for index in range(1, len(view.sections) + 1)]
    for index, section in enumerate(view.sections):
        text = f"{section.title} ({len(section.entries)})"
        entry = f'<w:hyperlink w:anchor="{names[index]}" w:history="1">{body.run(text)}</w:hyperlink>'
        if index == 0:
            entry = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
                     ' TOC \\o "1-1" \\h \\z \\u </w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + entry)
        if index == len(view.sections) - 1:
            entry += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        body.paragraph("toc1", entry)
    if not view.sections:
        body.paragraph("field_text", body.run("This award has no entries yet."))

    for text in view.texts:
        body.paragraph("award_heading", body.run(text.label))
        for para in paragraphs(text.text):
            body.paragraph("field_text", body.run(para))

    for index, section in enumerate(view.sections):
        count = len(section.entries)
        body.heading("h1", f"{section.title} ({count})", names[index])
        for entry in section.entries:
            shown = entry_view(schema, entry)
            body.heading("h2", shown.heading)
            for field in shown.fields:
                body.field(field)
        if progress:
            progress(count)

    content = parse_xml(body.xml().encode("utf-8"))
    sect_pr = body_element.sectPr
    for child in list(content):
        if sect_pr is not None:
            sect_pr.addprevious(child)
        else:
            body_element.append(child)
    props = document.core_properties
    props.title = view.title[:255]
    props.subject = "Research outcomes return"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
