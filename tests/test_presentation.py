"""The finished return: cover, contents, charts, templates users own, PDF, reproducible bytes."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from lxml import etree

from reporting import build
from reporting.cli import cli
from reporting.pdf import find_soffice
from reporting.templating import export_templates, templates_dir
from reporting.texts import TEXTS_FILE, Texts

from conftest import ROOT

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def _part(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def test_cover_page(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[1].text == "Research outcomes return"
    details = [p.text for p in paragraphs if p.style.name == "Award Detail"]
    assert "Lead Research Organisation\tUniversity of Sheffield" in details
    generated = next(p.text for p in paragraphs if p.text.startswith("Generated on"))
    assert "from 299 entries in 9 sections" in generated
    page_break = next(i for i, p in enumerate(paragraphs) if 'w:type="page"' in p._p.xml)
    assert paragraphs.index(next(p for p in paragraphs if p.text.startswith("Generated on"))) < page_break
    assert paragraphs[page_break + 1].text == "Contents"  # on its own page, before "At a glance"


def test_contents_updates_on_opening_and_header_and_footer(built):
    _, docx_path, _ = built
    assert '<w:updateFields w:val="true"/>' in _part(docx_path, "word/settings.xml")
    etree.fromstring(_part(docx_path, "word/settings.xml").encode())
    document = docx.Document(str(docx_path))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == "Jam and Justice: Co-producing Urban Governance for Social Innovation"
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_summary_table_and_section_intros(built, schema):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    table = document.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][:2] == ["Section", "Entries"] and rows[0][-1] == "Undated"
    assert ["Engagement Activities", "223"] == rows[-2][:2]
    assert rows[-1][:2] == ["Total", "299"]
    paragraphs = document.paragraphs
    texts = Texts(templates_dir() / TEXTS_FILE)
    for index, paragraph in enumerate(paragraphs):
        if paragraph.style.name == "Heading 1":
            title = paragraph.text.rsplit(" (", 1)[0]
            section = next(s for s in schema.sections if s.title == title)
            assert paragraphs[index + 1].style.name == "Section Intro"
            # the section's help, or the funder's wording texts.toml gives it instead
            intro = texts.render(f"intro.{section.key}") if texts.has(f"intro.{section.key}") else section.help
            assert paragraphs[index + 1].text == intro
            # no note on how the tool reads a section, nor a command, reaches the funder
            assert not re.search(r"researchfish only|one row per|GtR's|catch-all|--\w", intro), intro


def test_word_charts_are_native_with_alt_text(built):
    _, docx_path, _ = built
    with zipfile.ZipFile(docx_path) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("word/charts/"))
        types = archive.read("[Content_Types].xml").decode()
        body = archive.read("word/document.xml").decode()
        assert len(charts) == 4
        first = etree.fromstring(archive.read(charts[0]))
    for name in charts:
        assert f'PartName="/{name}"' in types
    categories = first.xpath("//c:cat//c:v/text()", namespaces={"c": C})
    values = first.xpath("//c:val//c:v/text()", namespaces={"c": C})
    assert dict(zip(categories, values))["Engagement Activities"] == "223"
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]+)"', body)
    assert len(descriptions) == 4
    assert descriptions[0].startswith("Bar chart, entries per section. Publications: 11,")
    assert any("engagement activities by year" in d and "2019: 68" in d for d in descriptions)
    assert any("primary audience" in d and "Policymakers/politicians: 59" in d for d in descriptions)
    assert any("geographic reach" in d and "Regional: 83" in d for d in descriptions)
    document = docx.Document(str(docx_path))  # still a normal python-docx document
    assert document.paragraphs


def test_excel_summary_has_native_charts(built):
    _, _, xlsx_path = built
    with zipfile.ZipFile(xlsx_path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 4
        xml = archive.read(charts[0]).decode()
    assert "Summary" in xml and "<c:barChart>" in xml


def test_rebuilds_are_byte_identical(imported, tmp_path):
    first = build([imported.output], tmp_path / "one")
    second = build([imported.output], tmp_path / "two")
    for a, b in zip(sorted(first.outputs), sorted(second.outputs)):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_source_date_epoch_fixes_the_cover_date(imported, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1577836800")  # 1 January 2020
    result = build([imported.output], tmp_path)
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    assert any(p.text.startswith("Generated on 1 January 2020") for p in document.paragraphs)


# -- templates users own -------------------------------------------------------------------


def test_exported_templates_override_texts_styles_and_file_names(imported, tmp_path):
    from docx.shared import RGBColor

    folder = tmp_path / "brand"
    result = CliRunner().invoke(cli, ["templates", "export", str(folder)])
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["return.docx", "texts.toml"]
    texts = (folder / "texts.toml").read_text()
    texts = texts.replace('subtitle = "', "subtitle = \"Annual return to {{ award.funder or 'the funder' }} · ", 1)
    texts = texts.replace('return = "{{ stem }}-return{{ suffix }}"', 'return = "annual-{{ stem }}{{ suffix }}"')
    texts = texts.replace(
        'default = "{{ section.help }}"', 'default = "{{ section.count }} entries. {{ section.help }}"'
    )
    (folder / "texts.toml").write_text(texts)
    template = docx.Document(str(folder / "return.docx"))
    template.styles["Title"].font.color.rgb = RGBColor(0x80, 0x00, 0x40)
    template.save(folder / "return.docx")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(imported.output), "-o", str(out), "--templates", str(folder)])
    assert result.exit_code == 0, result.output
    [docx_path] = out.glob("*.docx")
    assert docx_path.name.startswith("annual-jam-and-justice")
    document = docx.Document(str(docx_path))
    assert document.paragraphs[1].text.startswith("Annual return to the funder · Research outcomes return")
    assert document.styles["Title"].font.color.rgb == RGBColor(0x80, 0x00, 0x40)
    assert "223 entries. Talks, workshops" in "\n".join(p.text for p in document.paragraphs)


def test_unknown_placeholder_is_a_clear_error(imported, tmp_path):
    folder = tmp_path / "bad"
    export_templates(folder)
    texts = (folder / "texts.toml").read_text().replace("{{ title }}", "{{ award.titel }}")
    (folder / "texts.toml").write_text(texts)
    result = CliRunner().invoke(
        cli, ["build", str(imported.output), "-o", str(tmp_path / "out"), "--templates", str(folder)]
    )
    assert result.exit_code == 3
    assert "header.text uses the placeholder award.titel, which does not exist" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_header_placeholder_split_by_word_is_reported(imported, tmp_path):
    folder = tmp_path / "split"
    export_templates(folder)
    path = folder / "return.docx"
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    header = parts["word/header1.xml"].decode()
    parts["word/header1.xml"] = header.replace(
        ">{{ header }}</w:t></w:r>", ">{{ hea</w:t></w:r><w:r><w:t>der }}</w:t></w:r>"
    ).encode()
    assert parts["word/header1.xml"] != header.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = CliRunner().invoke(
        cli, ["build", str(imported.output), "-o", str(tmp_path / "out"), "--templates", str(folder)]
    )
    assert result.exit_code == 3 and "Word split apart" in result.output


def test_templates_folder_must_exist(imported, tmp_path):
    result = CliRunner().invoke(cli, ["build", str(imported.output), "--templates", str(tmp_path / "none")])
    assert result.exit_code == 3 and "no such folder" in result.output


# -- PDF -------------------------------------------------------------------------------------


def test_pdf_without_libreoffice_says_so(imported, tmp_path, monkeypatch):
    monkeypatch.setenv("FUNDER_REPORT_SOFFICE", "no-such-libreoffice")
    result = CliRunner().invoke(cli, ["build", str(imported.output), "-o", str(tmp_path), "--pdf"])
    assert result.exit_code == 3
    assert "LibreOffice is not installed" in result.output
    assert len(list(tmp_path.glob("*.docx"))) == 1


@pytest.mark.slow
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed (CI installs it)")
def test_example_return_converts_to_pdf(tmp_path):
    from pypdf import PdfReader

    shutil.copytree(ROOT / "inputs", tmp_path / "inputs")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "inputs"), "-o", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == 0, result.output
    [pdf] = (tmp_path / "out").glob("*.pdf")
    reader = PdfReader(pdf)
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 100
    assert "Jam and Justice: Co-producing Urban Governance for Social Innovation" in " ".join(pages[0].split())
    assert "Research outcomes return" in pages[0]
    glance = pages[1] + pages[2]
    assert "Entries per section" in glance and "223" in glance  # a chart with its labels
    contents = next(text for text in pages if "Contents" in text)
    assert "Engagement Activities (223)" in contents and "Publications (11)" in contents
    # Every top-level part is listed with the page it starts on, which holds its heading.
    listed = dict(re.findall(r"^(.+?)[ .]*\.{3,}[ .]*(\d+)\s*$", contents, re.M))
    assert {"At a glance", "Abstract", "Planned Impact", "Publications (11)", "Engagement Activities (223)"} <= set(
        listed
    )
    for part, page in listed.items():
        assert part in pages[int(page) - 1], (part, page)
    assert re.search(r"Page 2 of \d+", pages[1])
    assert "Engagement Activities (223)" in "\n".join(pages[3:])


@pytest.mark.slow
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed (CI installs it)")
def test_pdfs_are_tagged_british_in_the_template_fonts_and_made_side_by_side(tmp_path):
    """One LibreOffice per process, each converting its share; every PDF tagged (structure for
    screen readers) with its language, and set in Calibri or its metric twin Carlito."""
    from pypdf import PdfReader

    from reporting.pdf import convert, missing_fonts

    if missing_fonts():
        pytest.skip(f"fonts not installed: {missing_fonts()}")
    from reporting import build

    from conftest import write_input

    talk = {
        "Description": "Open day",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Regional",
        "Primary Audience": "Schools",
        "Year(s) Of Engagement Activity": "2019",
        "Results and Impact": "Many came.",
    }
    small = write_input(
        tmp_path / "small.xlsx",
        {
            "Engagement Activities": [
                talk,
                dict(
                    talk,
                    Description="Podcast",
                    **{"Geographic Reach": "National", "Year(s) Of Engagement Activity": "2020"},
                ),
            ]
        },
    )
    docx_path = next(p for p in build([small], tmp_path / "out").outputs if p.suffix == ".docx")
    copies = []
    for name in ("first", "second", "third"):
        copy = tmp_path / f"{name}.docx"
        copy.write_bytes(Path(docx_path).read_bytes())
        copies.append(copy)
    seen = []
    pdfs = convert(copies, processes=2, progress=lambda done, total: seen.append((done, total)))
    assert sorted(p.name for p in pdfs) == ["first.pdf", "second.pdf", "third.pdf"]
    assert seen[-1] == (3, 3)
    reader = PdfReader(pdfs[0])
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]) == "en-GB"
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(f.startswith(("Calibri", "Carlito")) for f in fonts), fonts
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Engagement activities by geographic reach" in text  # a chart, drawn
    # every figure of the PDF has the text alternative its chart has in the Word file
    words = [s._inline.docPr.get("descr") for s in docx.Document(str(copies[0])).inline_shapes]
    figures = []

    def walk(element, inside=False):
        element = element.get_object()
        kids = element.get("/K")
        figure = element.get("/S") == "/Figure"
        if figure and not inside:
            figures.append(element)
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                walk(kid, inside or figure)

    walk(catalog["/StructTreeRoot"])
    assert len(words) >= 2 and all(words)
    assert [str(f.get("/Alt")) for f in figures] == words


def test_returns_are_british_english_with_properties_from_the_award(built):
    _, docx_path, _ = built
    styles = _part(docx_path, "word/styles.xml")
    defaults = styles.split("<w:docDefaults>", 1)[1].split("</w:docDefaults>", 1)[0]
    assert 'w:lang w:val="en-GB"' in defaults and 'w:ascii="Calibri"' in defaults
    core = _part(docx_path, "docProps/core.xml")
    assert "<dc:title>Jam and Justice: Co-producing Urban Governance for Social Innovation</dc:title>" in core
    assert "<dc:language>en-GB</dc:language>" in core and "2000-01-01" not in core
    assert "<dc:creator>University of Sheffield</dc:creator>" in core  # no PI on the GtR page: the organisation
    app = _part(docx_path, "docProps/app.xml")
    assert "<Application>funder-report</Application>" in app and "Macintosh" not in app
