"""Tiny WordprocessingML and DrawingML builders that escape by construction.

Every text goes through `text_of` and every attribute through `attribute`, so no caller can
forget: user text with &, <, >, quotes or characters XML cannot hold (C0 controls, U+FFFE,
lone surrogates) always makes a valid part. Builders return XML as text, which keeps writing a
return linear in its size (python-docx's object API is not: ../shared/docs/performance-notes.md).
Golden snippets in tests/test_wordml.py pin the XML each builder makes. No third-party imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .text import strip_illegal

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def text_of(text: str) -> str:
    """Text content: characters XML cannot hold removed, &, < and > escaped."""
    return strip_illegal(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(text: str) -> str:
    """An attribute value (for double quotes): as text, with quotes escaped too."""
    return text_of(text).replace('"', "&quot;")


def run(text: str, style: str | None = None, bold: bool = False, italic: bool = False) -> str:
    """A run of text; tabs in it become tab characters."""
    props = (
        (f'<w:rStyle w:val="{attribute(style)}"/>' if style else "")
        + ("<w:b/>" if bold else "")
        + ("<w:i/>" if italic else "")
    )
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    inner = '</w:t><w:tab/><w:t xml:space="preserve">'.join(text_of(text).split("\t"))
    return f'<w:r>{rpr}<w:t xml:space="preserve">{inner}</w:t></w:r>'


def tab() -> str:
    return "<w:r><w:tab/></w:r>"


def paragraph(content: str, style: str | None = None, keep_next: bool = False, new_page: bool | None = None) -> str:
    """A paragraph of runs (and links, fields...) in a style; `keep_next` keeps it on the page
    of the next paragraph; `new_page` True or False starts it on a new page or not, whatever
    its style says (None: as its style says)."""
    props = (
        (f'<w:pStyle w:val="{attribute(style)}"/>' if style else "")
        + ("<w:keepNext/>" if keep_next else "")
        + (
            {True: "<w:pageBreakBefore/>", False: '<w:pageBreakBefore w:val="0"/>'}.get(new_page, "")
            if new_page is not None
            else ""
        )
    )
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{content}</w:p>"


def page_break() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def hyperlink(relationship: str, content: str) -> str:
    """A link to an external address, through the part's relationship `relationship`."""
    return f'<w:hyperlink r:id="{attribute(relationship)}" w:history="1">{content}</w:hyperlink>'


def internal_link(bookmark_name: str, content: str) -> str:
    """A link to a bookmark of the same document."""
    return f'<w:hyperlink w:anchor="{attribute(bookmark_name)}" w:history="1">{content}</w:hyperlink>'


def bookmark(number: int, name: str, content: str) -> str:
    return f'<w:bookmarkStart w:id="{number}" w:name="{attribute(name)}"/>{content}<w:bookmarkEnd w:id="{number}"/>'


def field_begin(instruction: str) -> str:
    """The start of a field (e.g. TOC) whose cached result follows, up to `field_end`."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        f' {text_of(instruction)} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


def field_end() -> str:
    return '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def table(
    widths: Sequence[int],
    rows: Iterable[Sequence[str]],
    style: str | None = None,
    cell_style: str | None = None,
    header_rows: int = 1,
    bold_rows: Iterable[int] = (),
    right_columns: Iterable[int] = (),
    together: bool = False,
) -> str:
    """A table of fixed column widths (twentieths of a point); each cell one paragraph of the
    given runs. The first `header_rows` repeat on every page; no row splits across pages;
    `right_columns` (numbers) are aligned right; `together` keeps the whole (short) table on
    one page, with what comes before it when that keeps with it (a chart)."""
    bold = set(bold_rows)
    right = set(right_columns)
    look = (
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="1" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/>'
    )
    parts = [
        "<w:tbl><w:tblPr>"
        + (f'<w:tblStyle w:val="{attribute(style)}"/>' if style else "")
        + f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        f"{look}</w:tblPr><w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
    ]
    rows = list(rows)
    for number, cells in enumerate(rows):
        keep = together and number < len(rows) - 1
        trpr = "<w:trPr><w:tblHeader/></w:trPr>" if number < header_rows else "<w:trPr><w:cantSplit/></w:trPr>"
        tcs = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f"{_cell_paragraph(run(text, bold=number in bold), cell_style, column in right, keep)}</w:tc>"
            for column, (width, text) in enumerate(zip(widths, cells))
        )
        parts.append(f"<w:tr>{trpr}{tcs}</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _cell_paragraph(content: str, style: str | None, right: bool, keep_next: bool = False) -> str:
    if not right:
        return paragraph(content, style, keep_next)
    styled = (f'<w:pStyle w:val="{attribute(style)}"/>' if style else "") + ("<w:keepNext/>" if keep_next else "")
    return f'<w:p><w:pPr>{styled}<w:jc w:val="right"/></w:pPr>{content}</w:p>'


def inline_chart(relationship: str, number: int, width: int, height: int, description: str) -> str:
    """A run holding a chart part inline (sizes in EMU), with its text alternative."""
    return (
        f'<w:r><w:drawing><wp:inline xmlns:wp="{WP}" distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{1000 + number}" name="Chart {number}" descr="{attribute(description)}"/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic xmlns:a="{A}"><a:graphicData uri="{C}">'
        f'<c:chart xmlns:c="{C}" r:id="{attribute(relationship)}"/></a:graphicData></a:graphic>'
        "</wp:inline></w:drawing></w:r>"
    )


#: The font of chart text: the template's body font (else Word falls back to the theme's serif).
CHART_FONT = "Calibri"


def _chart_text(size: int, bold: bool = False, rotate: bool = False) -> str:
    body = '<a:bodyPr rot="-5400000" vert="horz"/>' if rotate else "<a:bodyPr/>"
    return (
        f'<c:txPr>{body}<a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="{int(bold)}">'
        f'<a:latin typeface="{CHART_FONT}"/><a:cs typeface="{CHART_FONT}"/></a:defRPr></a:pPr>'
        '<a:endParaRPr lang="en-GB"/></a:p></c:txPr>'
    )


def _axis_title(text: str, rotate: bool) -> str:
    """An axis title (what the axis counts), in the chart's font."""
    if not text:
        return ""
    body = '<a:bodyPr rot="-5400000" vert="horz"/>' if rotate else "<a:bodyPr/>"
    return (
        f'<c:title><c:tx><c:rich>{body}<a:lstStyle/><a:p><a:pPr><a:defRPr sz="900" b="0">'
        f'<a:latin typeface="{CHART_FONT}"/></a:defRPr></a:pPr><a:r><a:rPr lang="en-GB" sz="900" b="0">'
        f'<a:latin typeface="{CHART_FONT}"/></a:rPr><a:t>{text_of(text)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title>'
    )


def bar_chart(
    title: str,
    categories: Sequence[str],
    values: Sequence[float],
    horizontal: bool,
    colour: str = "2E74B5",
    axis: str = "",
    counted: str = "Entries",
    decimals: int = 0,
) -> str:
    """A chart part: one series of bars, its data cached in the part itself; `axis` and
    `counted` title the category and value axes; numbers shown with thousands separators and
    `decimals` decimal places."""
    n = len(categories)
    code = "#,##0" + ("." + "0" * decimals if decimals else "")
    cats = "".join(f'<c:pt idx="{i}"><c:v>{text_of(c)}</c:v></c:pt>' for i, c in enumerate(categories))
    vals = "".join(
        f'<c:pt idx="{i}"><c:v>{round(v, decimals) if decimals else int(v)}</c:v></c:pt>' for i, v in enumerate(values)
    )
    series = (
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        '<c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>Entries</c:v>'
        "</c:pt></c:strCache></c:strRef></c:tx>"
        f'<c:spPr><a:solidFill><a:srgbClr val="{attribute(colour)}"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f'<c:dLbls><c:numFmt formatCode="{code}" sourceLinked="0"/>'
        f"<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{_chart_text(800)}"
        '<c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${n + 1}</c:f><c:strCache><c:ptCount val="{n}"/>{cats}'
        "</c:strCache></c:strRef></c:cat>"
        f"<c:val><c:numRef><c:f>Sheet1!$B$2:$B${n + 1}</c:f><c:numCache><c:formatCode>{code}</c:formatCode>"
        f'<c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val></c:ser>'
    )
    category_axis = (
        f'<c:catAx><c:axId val="5001"/><c:scaling><c:orientation val="{"maxMin" if horizontal else "minMax"}"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/>{_axis_title(axis, horizontal)}'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_chart_text(800)}<c:crossAx val="5002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
    )
    value_axis = (
        f'<c:valAx><c:axId val="5002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"b" if horizontal else "l"}"/><c:majorGridlines><c:spPr><a:ln w="3175">'
        '<a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln></c:spPr></c:majorGridlines>'
        f'{_axis_title(counted, not horizontal)}<c:numFmt formatCode="#,##0" sourceLinked="0"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        f'<c:tickLblPos val="nextTo"/>{_chart_text(800)}<c:crossAx val="5001"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}">'
        '<c:roundedCorners val="0"/><c:chart>'
        '<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1100" b="1">'
        f'<a:latin typeface="{CHART_FONT}"/></a:defRPr></a:pPr><a:r><a:rPr lang="en-GB" sz="1100" b="1">'
        f'<a:latin typeface="{CHART_FONT}"/></a:rPr><a:t>{text_of(title)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        f'<c:barChart><c:barDir val="{"bar" if horizontal else "col"}"/><c:grouping val="clustered"/>'
        f'<c:varyColors val="0"/>{series}<c:gapWidth val="60"/><c:axId val="5001"/><c:axId val="5002"/>'
        f'</c:barChart>{category_axis}{value_axis}</c:plotArea><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
        f"{_chart_text(900)}</c:chartSpace>"
    )
