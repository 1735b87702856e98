"""Regenerate templates/return.docx, the Word template whose styles every return uses.

Run from the repository root: `python tools/make_template.py`. Users restyle the generated
file in Word (Home > Styles > Modify); the renderer only relies on the style *names* below.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

NAVY = RGBColor(0x1F, 0x4E, 0x79)
BLUE = RGBColor(0x2E, 0x74, 0xB5)
GREY = RGBColor(0x40, 0x40, 0x40)


def _paragraph_style(
    styles, name, base="Normal", size=None, bold=None, color=None, before=None, after=None, keep_next=False
):
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if base and name != base else None
    font = style.font
    font.name = "Calibri"
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if keep_next:
        fmt.keep_with_next = True
    style.quick_style = True
    return style


def main(out: Path) -> None:
    doc = Document()
    styles = doc.styles
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)

    # Every run is British English (Word's spelling checker, the PDF's language), and text
    # without a style of its own (chart labels) is in the body font, not the theme's serif.
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = defaults.find(qn("w:lang"))
    for attribute in ("w:val", "w:eastAsia"):
        lang.set(qn(attribute), "en-GB")
    fonts = defaults.find(qn("w:rFonts"))
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), "Calibri")

    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)

    title = _paragraph_style(styles, "Title", size=24, bold=True, color=NAVY, after=6)
    title.paragraph_format.space_before = Pt(0)
    _paragraph_style(styles, "Subtitle", size=13, color=GREY, after=12)
    h1 = _paragraph_style(
        styles, "Heading 1", base="Normal", size=16, bold=True, color=NAVY, before=0, after=10, keep_next=True
    )
    h1.paragraph_format.page_break_before = True
    _paragraph_style(
        styles, "Heading 2", base="Normal", size=12, bold=True, color=BLUE, before=14, after=4, keep_next=True
    )
    _paragraph_style(styles, "TOC Heading", base="Normal", size=14, bold=True, color=NAVY, before=18, after=6)
    toc1 = _paragraph_style(styles, "toc 1", size=10.5, after=2)
    toc1.paragraph_format.tab_stops.add_tab_stop(Cm(16.6), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

    detail = _paragraph_style(styles, "Award Detail", size=10.5, after=2)
    detail.paragraph_format.left_indent = Cm(5)
    detail.paragraph_format.first_line_indent = Cm(-5)
    detail.paragraph_format.tab_stops.add_tab_stop(Cm(5))
    _paragraph_style(styles, "Award Heading", size=12, bold=True, color=NAVY, before=12, after=4, keep_next=True)

    field = _paragraph_style(styles, "Field", size=10, after=2)
    field.paragraph_format.left_indent = Cm(5.5)
    field.paragraph_format.first_line_indent = Cm(-5.5)
    field.paragraph_format.tab_stops.add_tab_stop(Cm(5.5))
    _paragraph_style(styles, "Field Heading", size=10, bold=True, color=GREY, before=4, after=1, keep_next=True)
    text = _paragraph_style(styles, "Field Text", size=10, after=4)
    text.paragraph_format.left_indent = Cm(0.4)

    note = _paragraph_style(styles, "Cover Note", size=10, color=GREY, after=4)
    note.font.italic = True
    table_text = _paragraph_style(styles, "Table Text", size=8, after=0)
    table_text.paragraph_format.space_before = Pt(0)
    mark = styles.add_style("Change Mark", WD_STYLE_TYPE.CHARACTER)
    mark.font.bold = True
    mark.font.color.rgb = RGBColor(0xC5, 0x5A, 0x11)

    label = styles.add_style("Field Label", WD_STYLE_TYPE.CHARACTER)
    label.font.bold = True
    label.font.color.rgb = GREY
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    link.font.underline = True

    # A publication: one paragraph, the lines after the first indented (a reference list).
    reference = _paragraph_style(styles, "Bibliography", size=10, before=2, after=6)
    reference.paragraph_format.left_indent = Cm(0.6)
    reference.paragraph_format.first_line_indent = Cm(-0.6)
    reference.paragraph_format.keep_together = True

    intro = _paragraph_style(styles, "Section Intro", size=10, color=GREY, after=8)
    intro.font.italic = True
    figure = _paragraph_style(styles, "Figure", size=10, before=6, after=10)
    figure.paragraph_format.keep_with_next = False
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # The cover page has no header or footer; later pages carry the running header
    # ({{ header }} is replaced by the award reference and title) and "Page X of Y".
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run("{{ header }}")
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = GREY

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style = styles["Footer"]
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">Page </w:t></w:r>'))
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> of </w:t></w:r>'))
    footer._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    )

    props = doc.core_properties
    props.title = "funder-report return template"
    props.author = "funder-report"
    props.last_modified_by = "funder-report"
    props.comments = "Restyle in Word; keep the style names. Body text here is replaced by the return."
    props.created = props.modified = dt.datetime(2000, 1, 1)
    props.revision = 1
    doc.save(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("templates/return.docx")
    main(target)
    print(f"wrote {target}")
