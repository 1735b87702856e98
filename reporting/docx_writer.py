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
import re
import zipfile
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml

from .errors import TemplateError
from .returns import ChartView, FieldView, ReturnView
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
    "intro": "Section Intro",
    "figure": "Figure",
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
        self.charts: list[tuple[str, ChartView]] = []  # (relationship id, chart)
        self._taken = taken
        self._bookmark = 0

    def _ppr(self, role: str) -> str:
        style = self.styles.get(role)
        return f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""

    def run(self, text: str, role: str | None = None, italic: bool = False) -> str:
        style = self.styles.get(role) if role else None
        props = (f'<w:rStyle w:val="{style}"/>' if style else "") + ("<w:i/>" if italic else "")
        rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
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

    def linked_text(self, text: str, urls: tuple[str, ...]) -> str:
        """`text` with each of `urls` made a link where it stands."""
        pieces, rest = [], text
        for url in urls:
            at = rest.find(url)
            if at < 0:
                continue
            if at:
                pieces.append(self.run(rest[:at]))
            pieces.append(self.link(url, url))
            rest = rest[at + len(url):]
        if rest:
            pieces.append(self.run(rest))
        return "".join(pieces)

    def chart(self, chart: ChartView) -> None:
        """A native chart, inline in its own paragraph, with its text alternative."""
        number = len(self.charts) + 1
        rid = f"rIdFrChart{number}"
        self.charts.append((rid, chart))
        width = 5_760_000  # 16 cm in EMU
        height = (360_000 * len(chart.categories) + 900_000) if chart.horizontal else 2_700_000
        height = min(max(height, 1_800_000), 7_200_000)
        drawing = (
            f'<w:r><w:drawing><wp:inline xmlns:wp="{_WP}" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{width}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{1000 + number}" name="Chart {number}" descr="{_attr(chart.alt)}"/>'
            '<wp:cNvGraphicFramePr/>'
            f'<a:graphic xmlns:a="{_A}"><a:graphicData uri="{_C}">'
            f'<c:chart xmlns:c="{_C}" r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
        self.paragraph("figure", drawing)

    def page_break(self) -> None:
        self.parts.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

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
        if view.missing:
            value = self.run(view.text, italic=True)
        elif view.url and view.link_text:
            value = self.run(view.text + " ") + self.link(view.url, view.link_text)
        elif view.links:
            value = self.linked_text(view.text, view.links)
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
        names = {name for name, _ in self._parts}
        if self._main not in names:
            raise TemplateError(f"The Word template {self.path} has no main document part.")
        # Headers and footers may hold the {{ header }} placeholder, filled per return.
        folder = self._main.rsplit("/", 1)[0] + "/"
        self._running = [folder + target for _, reltype, target, external in self._rels
                         if not external and reltype in (RT.HEADER, RT.FOOTER) and folder + target in names]
        settings = [folder + target for _, reltype, target, external in self._rels
                    if not external and reltype == RT.SETTINGS]
        self._parts = [(name, _update_fields_on_open(data) if name in settings else data)
                       for name, data in self._parts]
        self._part = dict(self._parts)  # by name, for the parts filled in per return
        self._content_types = "[Content_Types].xml"

    def _rels_xml(self, links: dict[str, str], charts: list[tuple[str, str]]) -> str:
        items = []
        for rid, reltype, target, external in self._rels:
            mode = ' TargetMode="External"' if external else ""
            items.append(f'<Relationship Id="{_attr(rid)}" Type="{_attr(reltype)}" '
                         f'Target="{_attr(target)}"{mode}/>')
        for url, rid in links.items():
            items.append(f'<Relationship Id="{rid}" Type="{RT.HYPERLINK}" Target="{_attr(url)}" '
                         'TargetMode="External"/>')
        for rid, target in charts:
            items.append(f'<Relationship Id="{rid}" Type="{RT.CHART}" Target="{target}"/>')
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(items) + "</Relationships>")

    def render(self, view: ReturnView) -> bytes:
        """The Word return (or profile) for one view, as the bytes of a .docx file."""
        body = _Body(self.styles, {rid for rid, *_ in self._rels})
        _write_return(body, view)
        folder = self._main.rsplit("/", 1)[0] + "/"
        dynamic: dict[str, str | bytes] = {
            self._main: self._head + "".join(body.parts) + self._tail,
            self._main_rels: self._rels_xml(body.links, [(rid, f"charts/chart{n}.xml")
                                                         for n, (rid, _) in enumerate(body.charts, start=1)]),
        }
        for number, (_, chart) in enumerate(body.charts, start=1):
            dynamic[f"{folder}charts/chart{number}.xml"] = chart_xml(chart)
        if body.charts:
            types = self._part[self._content_types].decode("utf-8")
            overrides = "".join(
                f'<Override PartName="/{folder}charts/chart{n}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
                for n in range(1, len(body.charts) + 1))
            dynamic[self._content_types] = types.replace("</Types>", overrides + "</Types>")
        token = _esc(HEADER_TOKEN)
        for name in self._running:
            xml = self._part[name].decode("utf-8")
            if token in xml:
                xml = xml.replace(token, _esc(view.header))
                dynamic[name] = xml
            if "{{" in re.sub(r"<[^>]+>", "", xml):
                raise TemplateError(
                    f"The Word template {self.path} has a placeholder in {name} that Word split apart.",
                    f"Delete it and type {HEADER_TOKEN} again in one go (no formatting changes inside).")
        if self._core:
            dynamic[self._core] = _CORE.format(title=_esc(view.title[:255]), date=FIXED_DATE)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self._parts:
                content = dynamic.get(name, data)
                _write_member(archive, name, content.encode("utf-8") if isinstance(content, str) else content)
            for name, content in dynamic.items():
                if name not in self._part:
                    _write_member(archive, name, content.encode("utf-8"))
        return buffer.getvalue()


#: Date written into every return's document properties (reproducible files).
FIXED_DATE = "2000-01-01T00:00:00Z"


HEADER_TOKEN = "{{ header }}"
#: Settings that come after updateFields in CT_Settings; it goes before the first one present.
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                        "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                        "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _update_fields_on_open(settings: bytes) -> bytes:
    """settings.xml with <w:updateFields/>, so Word fills the contents and page numbers on opening."""
    xml = settings.decode("utf-8")
    if "updateFields" in xml:
        return settings
    positions = [m.start() for m in re.finditer(r"<\w+:(%s)\b" % "|".join(_AFTER_UPDATE_FIELDS), xml)]
    where = min(positions) if positions else xml.rindex("</w:settings>")
    return (xml[:where] + '<w:updateFields w:val="true"/>' + xml[where:]).encode("utf-8")


_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_CHART_COLOUR = "2E74B5"


def _chart_text(size: int, bold: bool = False) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}/></a:pPr>'
            '<a:endParaRPr lang="en-GB"/></a:p></c:txPr>')


def chart_xml(chart: ChartView) -> str:
    """A native Word bar chart (DrawingML) with its data cached in the part itself."""
    n = len(chart.categories)
    categories = "".join(f'<c:pt idx="{i}"><c:v>{_esc(c)}</c:v></c:pt>' for i, c in enumerate(chart.categories))
    values = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(chart.values))
    horizontal = chart.horizontal
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1100" b="1"/></a:pPr>'
        f'<a:r><a:rPr lang="en-GB" sz="1100" b="1"/><a:t>{_esc(chart.title)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        f'<c:barChart><c:barDir val="{"bar" if horizontal else "col"}"/><c:grouping val="clustered"/>'
        '<c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        '<c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>Entries</c:v>'
        '</c:pt></c:strCache></c:strRef></c:tx>'
        f'<c:spPr><a:solidFill><a:srgbClr val="{_CHART_COLOUR}"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f'<c:dLbls><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{_chart_text(800)}'
        '<c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${n + 1}</c:f><c:strCache><c:ptCount val="{n}"/>{categories}'
        '</c:strCache></c:strRef></c:cat>'
        f'<c:val><c:numRef><c:f>Sheet1!$B$2:$B${n + 1}</c:f><c:numCache><c:formatCode>General</c:formatCode>'
        f'<c:ptCount val="{n}"/>{values}</c:numCache></c:numRef></c:val></c:ser>'
        '<c:gapWidth val="60"/><c:axId val="5001"/><c:axId val="5002"/></c:barChart>'
        f'<c:catAx><c:axId val="5001"/><c:scaling><c:orientation val="{"maxMin" if horizontal else "minMax"}"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_chart_text(800)}<c:crossAx val="5002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="5002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"b" if horizontal else "l"}"/><c:majorGridlines><c:spPr><a:ln w="3175">'
        '<a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln></c:spPr></c:majorGridlines>'
        '<c:numFmt formatCode="0" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        f'<c:tickLblPos val="nextTo"/>{_chart_text(800)}<c:crossAx val="5001"/><c:crosses val="autoZero"/>'
        f'<c:crossBetween val="between"/></c:valAx></c:plotArea><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
        f'{_chart_text(900)}</c:chartSpace>'
    )


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


CHANGES_TITLE = "Changes since last submission"


#: At most this many year columns in the summary table; earlier years are added up in one.
MAX_YEAR_COLUMNS = 8


def _summary_table(body: "_Body", view: ReturnView) -> None:
    """Entries per section and per year, as a Word table (fixed column widths)."""
    years = view.years
    shown = years[-MAX_YEAR_COLUMNS:] if len(years) > MAX_YEAR_COLUMNS else years
    earlier = years[: len(years) - len(shown)]
    headers = ["Section", "Entries", *([f"To {earlier[-1]}"] if earlier else []), *map(str, shown), "Undated"]
    first, number = 2200, 950
    rest = max((_TABLE_WIDTH - first - 2 * number) // max(len(headers) - 3, 1), 420)
    widths = [first, number] + [rest] * (len(headers) - 3) + [number]
    style = body.styles.get("table")
    rows = [headers]
    for title, count, per_year, undated in ((s.title, len(s.entries), s.per_year, s.undated) for s in view.sections):
        before = sum(per_year.get(y, 0) for y in earlier)
        rows.append([title, str(count), *([str(before or "")] if earlier else []),
                     *[str(per_year.get(y, 0) or "") for y in shown], str(undated or "")])
    totals = ["Total", str(view.entry_count)]
    for index in range(2, len(headers)):
        totals.append(str(sum(int(r[index] or 0) for r in rows[1:]) or ""))
    rows.append(totals)
    parts = ['<w:tbl><w:tblPr>' + (f'<w:tblStyle w:val="{_attr(style)}"/>' if style else "") +
             f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
             '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="1" '
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
    assert changes is not None
    body.heading("h1", f"{CHANGES_TITLE} ({changes.summary})", bookmark)
    for label, lines in changes.groups:
        body.paragraph("award_heading", body.run(f"{label} ({len(lines)})"))
        if not lines:
            body.paragraph("field_text", body.run("None."))
        for line in lines:
            body.paragraph("field_text", body.run(line))


def _write_return(body: "_Body", view: ReturnView) -> None:
    """The return's content: cover page; at a glance (table, charts) and contents; changes;
    award texts; then the sections."""
    body.paragraph("title", body.run(view.title))
    body.paragraph("subtitle", body.run(view.cover_subtitle))
    for detail in view.details:
        body.field(detail, role="detail")
    for note in view.notes:
        body.paragraph("note", body.run(note))
    if view.generated:
        body.paragraph("note", body.run(view.generated))
    body.page_break()
    if view.sections:
        body.paragraph("award_heading", body.run("At a glance"))
        body.paragraph("field_text", body.run(view.summary + "."))
        _summary_table(body, view)
        for chart in view.charts:
            body.chart(chart)

    # Contents: a Word TOC field whose cached result already lists the sections, so the
    # list is readable before anyone updates fields (Word replaces it when updated).
    body.paragraph("toc_heading", body.run("Contents"))
    headings = [f"{s.title} ({len(s.entries)})" for s in view.sections]
    if view.changes is not None:
        headings.insert(0, f"{CHANGES_TITLE} ({view.changes.summary})")
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
        if section.intro:
            body.paragraph("intro", body.run(section.intro))
        for entry in section.entries:
            marks = "".join(body.run(f" [{m}]", "mark") for m in entry.marks)
            body.paragraph("h2", body.run(entry.heading) + marks)
            for field in entry.fields:
                body.field(field)
