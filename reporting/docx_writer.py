"""Write Word returns into the user's template. The only module that imports python-docx.

The Word template supplies every style, the page set-up, the header and footer; python-docx
reads it once. Each return's body (docx_body.py) is put into the template's own document part,
and the parts that change per return (relationships, content types, running header, document
properties) are edited as XML with python-docx's parser, never cut as strings; every other part
is copied untouched, all zipped at a fixed date so the same data gives the same bytes.
"""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

from . import wordml as w
from .docx_body import Body, write_portfolio, write_return
from .errors import TemplateError, option
from .portfolio import PortfolioReport
from .text import strip_illegal
from .views import ReturnView

__all__ = ["FIXED_DATE", "HEADER_TOKEN", "STYLE_NAMES", "WordTemplate", "open_template"]

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
    "intro": "Section Intro",
    "figure": "Figure",
    "citation": "Bibliography",
}
_ESSENTIAL = ("h1", "h2")
#: Date written into every return's document properties (reproducible files).
FIXED_DATE = "2000-01-01T00:00:00Z"
HEADER_TOKEN = "{{ header }}"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BODY_MARK = "funder-report-body"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
#: Settings that come after updateFields in CT_Settings; it goes before the first one present.
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"
    "<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>funder-report</cp:lastModifiedBy>"
    "<dc:language>en-GB</dc:language><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified>'
    "</cp:coreProperties>"
)
#: The extended properties: which program made the file (not the template's "Microsoft
#: Macintosh Word", 1 page); Word counts pages and words itself when it saves.
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>funder-report</Application><DocSecurity>0</DocSecurity>"
    "<Company>{company}</Company></Properties>"
)


def _style_ids(document: Any) -> dict[str, str | None]:
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
            "Use a template made from templates/return.docx, or add the style in Word.",
        )
    return ids


def open_template(path: Path) -> Any:
    """Open the Word template, raising TemplateError with a plain message if it cannot be used."""
    if not Path(path).is_file():
        raise TemplateError(
            f"The Word template {path}: no such file.",
            f"Check the path, or leave out {option('template')} to use the default.",
            param="template",
        )
    try:
        return Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise TemplateError(
            f"The Word template {path} cannot be opened ({exc}).",
            f"Check the file, or leave out {option('template')} to use the default.",
            param="template",
        ) from None


def _with_namespaces(document: Any) -> Any:
    """The document element, declaring the w: and r: prefixes the body is written with."""
    nsmap = dict(document.nsmap)
    if nsmap.get("w") == w.W and nsmap.get("r") == w.R:
        return document
    nsmap.update(w=w.W, r=w.R)
    declarations = {prefix: uri for prefix, uri in nsmap.items() if prefix}
    fresh = OxmlElement("w:document", attrs=dict(document.attrib), nsdecls=declarations)
    for child in list(document):
        fresh.append(child)
    return fresh


def _update_fields_on_open(settings: Any) -> None:
    """<w:updateFields/> in the settings, so Word fills the contents and page numbers on opening."""
    if settings.find(qn("w:updateFields")) is not None:
        return
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    later = [child for child in settings if child.tag in {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS}]
    if later:
        later[0].addprevious(element)
    else:
        settings.append(element)


class WordTemplate:
    """A Word template read once, then used to write any number of returns."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        document = open_template(self.path)
        self.styles = _style_ids(document)
        #: Styles the returns use that this template lacks (Word shows that text in Normal).
        self.missing_styles = [STYLE_NAMES[role] for role, found in self.styles.items() if not found]
        part = document.part
        self._main = part.partname.membername
        self._main_rels = part.partname.rels_uri.membername
        self._rels = [(r.rId, r.reltype, r.target_ref, r.is_external) for r in part.rels.values()]
        core = [
            r.target_part.partname.membername for r in part.package.rels.values() if r.reltype == RT.CORE_PROPERTIES
        ]
        self._core = core[0] if core else None
        apps = [
            r.target_part.partname.membername for r in part.package.rels.values() if r.reltype == RT.EXTENDED_PROPERTIES
        ]
        self._app = apps[0] if apps else None
        #: The date the document properties give (W3CDTF); the build sets it to its own date.
        self.created = FIXED_DATE
        # The document part, with a marker where each return's body goes.
        body = document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        mark = OxmlElement("w:bookmarkStart")
        mark.set(qn("w:id"), "0")
        mark.set(qn("w:name"), _BODY_MARK)
        body.insert(0, mark)
        xml = serialize_part_xml(_with_namespaces(document.element)).decode("utf-8")
        marker = f'<w:bookmarkStart w:id="0" w:name="{_BODY_MARK}"/>'
        if xml.count(marker) != 1:
            raise TemplateError(f"The Word template {self.path} has a main document part this tool cannot fill.")
        self._head, self._tail = xml.split(marker)
        with zipfile.ZipFile(self.path) as archive:
            self._parts = [(info.filename, archive.read(info)) for info in archive.infolist() if not info.is_dir()]
        names = {name for name, _ in self._parts}
        if self._main not in names:
            raise TemplateError(f"The Word template {self.path} has no main document part.")
        folder = self._main.rsplit("/", 1)[0] + "/"
        self._folder = folder
        # Headers and footers may hold the {{ header }} placeholder, filled per return.
        self._running = [
            folder + target
            for _, reltype, target, external in self._rels
            if not external and reltype in (RT.HEADER, RT.FOOTER) and folder + target in names
        ]
        settings_parts = {
            folder + target for _, reltype, target, external in self._rels if not external and reltype == RT.SETTINGS
        }
        parts = []
        for name, data in self._parts:
            if name in settings_parts:
                settings = parse_xml(data)
                _update_fields_on_open(settings)
                data = serialize_part_xml(settings)
            parts.append((name, data))
        self._parts = parts
        self._part = dict(parts)
        self._content_types = parse_xml(self._part["[Content_Types].xml"])
        for name in self._running:
            texts = [(t.text or "").replace(HEADER_TOKEN, "") for t in parse_xml(self._part[name]).iter(qn("w:t"))]
            if "{{" in "".join(texts):
                raise TemplateError(
                    f"The Word template {self.path} has a placeholder in {name} that Word split apart.",
                    f"Delete it and type {HEADER_TOKEN} again in one go (no formatting changes inside).",
                )

    def _rels_xml(self, links: dict[str, str], charts: list[tuple[str, str]]) -> bytes:
        root = parse_xml(f'<Relationships xmlns="{_PACKAGE_RELS}"/>')
        items = [(rid, reltype, target, external) for rid, reltype, target, external in self._rels]
        items += [(rid, RT.HYPERLINK, url, True) for url, rid in links.items()]
        items += [(rid, RT.CHART, target, False) for rid, target in charts]
        for rid, reltype, target, external in items:
            element = root.makeelement(
                f"{{{_PACKAGE_RELS}}}Relationship", {"Id": rid, "Type": reltype, "Target": target}
            )
            if external:
                element.set("TargetMode", "External")
            root.append(element)
        return serialize_part_xml(root)

    def _content_types_xml(self, charts: int) -> bytes:
        types = copy.deepcopy(self._content_types)
        for number in range(1, charts + 1):
            types.append(
                types.makeelement(
                    f"{{{_CONTENT_TYPES}}}Override",
                    {"PartName": f"/{self._folder}charts/chart{number}.xml", "ContentType": _CHART_TYPE},
                )
            )
        return serialize_part_xml(types)

    def _running_xml(self, name: str, header: str) -> bytes | None:
        """A header or footer part with {{ header }} filled in, or None if it has none."""
        part = parse_xml(self._part[name])
        found = [t for t in part.iter(qn("w:t")) if t.text and HEADER_TOKEN in t.text]
        for text in found:
            text.text = text.text.replace(HEADER_TOKEN, strip_illegal(header))
        return serialize_part_xml(part) if found else None

    def render(self, view: ReturnView) -> bytes:
        """The Word return (or profile) for one view, as the bytes of a .docx file."""
        body = Body(self.styles, {rid for rid, *_ in self._rels})
        write_return(body, view)
        subject = "Partner impact profile" if view.kind == "profile" else "Research outcomes return"
        return self._package(body, view.title, view.header, subject, view.author, view.company)

    def render_portfolio(self, view: PortfolioReport) -> bytes:
        """The portfolio impact report, as the bytes of a .docx file."""
        body = Body(self.styles, {rid for rid, *_ in self._rels})
        write_portfolio(body, view)
        return self._package(
            body, view.title, f"{view.title}: {view.subtitle}", "Portfolio impact report", "funder-report", ""
        )

    def _package(self, body: Body, title: str, header: str, subject: str, author: str, company: str) -> bytes:
        """The .docx package around a body: the template's parts, the body's links and charts,
        the header text and the document properties."""
        chart_parts = [(rid, f"charts/chart{n}.xml") for n, (rid, _) in enumerate(body.charts, start=1)]
        dynamic: dict[str, bytes] = {
            self._main: (self._head + body.xml() + self._tail).encode("utf-8"),
            self._main_rels: self._rels_xml(body.links, chart_parts),
        }
        for number, (_, chart) in enumerate(body.charts, start=1):
            dynamic[f"{self._folder}charts/chart{number}.xml"] = w.bar_chart(
                chart.title,
                chart.categories,
                chart.values,
                chart.horizontal,
                axis=chart.axis,
                counted=chart.counted,
                decimals=chart.decimals,
            ).encode("utf-8")
        if body.charts:
            dynamic["[Content_Types].xml"] = self._content_types_xml(len(body.charts))
        for name in self._running:
            filled = self._running_xml(name, header)
            if filled is not None:
                dynamic[name] = filled
        if self._core:
            dynamic[self._core] = _CORE.format(
                title=w.text_of(title[:255]),
                subject=w.text_of(subject),
                creator=w.text_of(author[:255]),
                date=self.created,
            ).encode("utf-8")
        if self._app:
            dynamic[self._app] = _APP.format(company=w.text_of(company[:255])).encode("utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self._parts:
                _write_member(archive, name, dynamic.get(name, data))
            for name, data in dynamic.items():
                if name not in self._part:
                    _write_member(archive, name, data)
        return buffer.getvalue()


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
