"""Word and Excel returns built from the real Jam and Justice record."""

from __future__ import annotations

import re
import zipfile

import docx
import openpyxl
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from conftest import ROOT, docx_blocks, expected_pieces, seed_records, shown_once, squash

SECTION_HEADINGS = [
    "Publications (11)",
    "Artistic and Creative Products (23)",
    "Key Findings (1)",
    "Narrative Impact (1)",
    "Influence on Policy, Practice, Patients and the Public (20)",
    "Further Funding (2)",
    "Research Databases and Models (2)",
    "Collaborations and Partnerships (16)",
    "Engagement Activities (223)",
]


def test_word_return_has_a_heading_1_per_section_with_counts(built):
    _, docx_path, _ = built
    h1, blocks = docx_blocks(docx_path)
    assert h1 == SECTION_HEADINGS
    # 299 entries; two collaborations were reported once for each of two partners: each is
    # shown once, listing both (the heading still counts 16 entries)
    assert shown_once(seed_records()[1]) == 2
    assert len(blocks) == 299 - 2
    [(_, coop)] = [b for b in blocks if b[0].startswith("Partnership with Carbon Coop to deliver")]
    assert "Organisations (2)\nCarbon Co-op (Sector: Private)\nHomebaked (Sector: Charity/Non Profit)" in coop
    assert coop.count("People's Republic of Energy") == 1 and coop.count("Impact") == 1  # its texts once


def test_every_record_reaches_the_word_return_with_its_text(built):
    _, docx_path, _ = built
    _, blocks = docx_blocks(docx_path)
    citations, records = seed_records()
    texts = [squash(text) for _, text in blocks]
    for citation in citations:
        words = [squash(w) for w in citation.replace("(", " ").replace(")", " ").split() if w != "in"]
        assert any(all(w in text for w in words) for text in texts[:11]), citation
    for record in records:
        pieces = [squash(piece) for piece in expected_pieces(record, returned=True)]
        assert any(all(p in text for p in pieces) for text in texts[11:]), record[0]


def test_word_entries_are_titled_once_in_full_and_publications_are_citations(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    references = [p.text for p in document.paragraphs if p.style.name == "Bibliography"]
    assert len(references) == 11  # one paragraph a publication, no heading, no repeated fields
    assert "Atkinson J. (2018). GM Energy Futures." in references
    assert not any(r.endswith("?.") for r in references)
    _, blocks = docx_blocks(docx_path)
    headings = [h for h, _ in blocks]
    assert '"Carbon Coop Energy Futures: People Powered not Fossil Fuelled" (Video animation)' in headings
    assert not any(h.endswith("…") for h in headings)  # titles in full
    # Key Findings has no title: no heading is made from its first words; its text is shown
    # as it is, under its label.
    [(kf_first, kf_text)] = [b for b in blocks if "Objective 3: we have advanced our understanding" in b[1]]
    assert kf_first == "Description"
    assert kf_text.split("\n")[1].startswith("Jam and Justice was a research project funded by the ESRC")
    h2 = {p.text for p in document.paragraphs if p.style.name == "Heading 2"}
    assert not any(h.startswith("Jam and Justice was a research project") for h in h2)
    # A title used as the heading is not repeated as a field.
    for heading, text in blocks:
        if heading in h2:
            lines = text.split("\n")[1:]
            assert heading not in lines and not any(line.endswith("\t" + heading) for line in lines), heading


def test_entries_are_newest_first_within_each_section(built):
    import re as _re

    _, docx_path, xlsx_path = built
    document = docx.Document(str(docx_path))
    years = [
        int(_re.search(r"\((\d{4})\)", p.text).group(1)) for p in document.paragraphs if p.style.name == "Bibliography"
    ]
    assert years == sorted(years, reverse=True) and len(set(years)) > 1
    sheet = openpyxl.load_workbook(xlsx_path)["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    column = header.index("Year(s) Of Engagement Activity")
    goes_on = header.index("Continues Row")  # rows carrying on an entry's long text
    latest = [
        max(int(y) for y in _re.findall(r"\d{4}", str(row[column]))) if row[column] else None
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if not row[goes_on]
    ]
    dated = [y for y in latest if y is not None]
    assert dated == sorted(dated, reverse=True)
    assert latest[len(dated) :] == [None] * (len(latest) - len(dated))  # undated last


def test_word_fields_use_gtr_labels_and_leave_out_empty_optional_ones(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    label_id = document.styles["Field Label"].style_id
    labels = {t.text for t in document.element.body.xpath(f'.//w:r[w:rPr/w:rStyle/@w:val="{label_id}"]/w:t')}
    for label in (
        "Form Of Engagement Activity",
        "Part Of Official Scheme?",
        "Geographic Reach",
        "Primary Audience",
        "Year(s) Of Engagement Activity",
        "Type Of Art",
        "Year Produced",
        "Amount",
        "Organisation",
        "Provided To Others?",
        "Start Year",
    ):
        assert label in labels
    headings = {p.text for p in document.paragraphs if p.style.name == "Field Heading"}
    assert {"Results and Impact", "PI Contribution", "Collaborator Contribution", "Impact"} <= headings
    # No policy entry without an Impact shows an empty Impact heading.
    empty = [p for p in document.paragraphs if p.style.name == "Field Heading" and not p.text]
    assert not empty
    text = "\n".join(p.text for p in document.paragraphs)
    assert "£53,886" in text and "(GBP)" not in text and "July 2018" in text and "07/2018" not in text
    assert "Visibility" not in labels  # bookkeeping columns stay out of the return


def test_long_text_keeps_its_paragraphs(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    paragraphs = [p.text for p in document.paragraphs]
    assert (
        "The article has been widely shared on social media, with invitations to speaking engagements following."
        in paragraphs
    )
    assert "- setting up contracts (13 June)" in paragraphs
    abstract_start = paragraphs.index("Abstract")
    assert paragraphs[abstract_start + 1].startswith("Our cities are in crisis.")
    assert paragraphs[abstract_start + 2].startswith("Jam and Justice is a novel project")


def test_urls_are_clickable_except_those_cut_short(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    links = {h.url for p in document.paragraphs for h in p.hyperlinks if h.url}
    _, records = seed_records()
    urls = [line[4:].strip() for record in records for line in record if line.startswith("URL ")]
    assert len(urls) == 141
    whole = {u for u in urls if not u.endswith("...")}
    cut = {u for u in urls if u.endswith("...")}
    assert whole <= links
    assert not (cut & links)
    external = {r.target_ref for r in document.part.rels.values() if r.reltype == RT.HYPERLINK}
    assert links == external
    text = "\n".join(p.text for p in document.paragraphs)
    assert all(u in text for u in cut)  # shown as text, not lost


def test_contents_list_and_page_numbers(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    toc = [p.text.rstrip("\t") for p in document.paragraphs if p.style.name == "toc 1"]
    # Every top-level part, already listed in the .docx (no field update needed to read it).
    assert toc == ["At a glance", "Abstract", "Planned Impact", *SECTION_HEADINGS]
    body = document.element.body.xml
    assert body.count("PAGEREF _") == len(toc)  # page numbers Word and LibreOffice fill in
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    # Every contents entry links to a bookmark on its section heading.
    anchors = re.findall(r'w:anchor="([^"]+)"', body)
    for anchor in anchors:
        assert f'w:name="{anchor}"' in body


def test_award_header_in_word(built):
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    first = document.paragraphs[0]
    assert first.style.name == "Title"
    assert first.text == "Jam and Justice: Co-producing Urban Governance for Social Innovation"
    details = [p.text for p in document.paragraphs if p.style.name == "Award Detail"]
    assert "Lead Research Organisation\tUniversity of Sheffield" in details
    assert "Department Name\tUrban Institute" in details
    # The cover says what the workbook does not have, rather than leaving it out.
    assert "Funder\tnot recorded" in details and "Principal Investigator\tnot recorded" in details


def test_docx_parts_are_well_formed(built):
    _, docx_path, _ = built
    with zipfile.ZipFile(docx_path) as archive:
        assert archive.testzip() is None
        from lxml import etree

        for name in archive.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(archive.read(name))


def test_excel_return_summary(built):
    _, _, xlsx_path = built
    book = openpyxl.load_workbook(xlsx_path)
    assert book.sheetnames[0] == "Summary"
    sheet = book["Summary"]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r[0] == "Section")
    header = rows[header_index]
    assert header[1] == "Entries" and header[-1] == "Undated"
    years = [int(h) for h in header[2:-1]]
    assert years == list(range(min(years), max(years) + 1))
    table = {}
    for r in rows[header_index + 1 :]:
        table[r[0]] = dict(zip(header[1:], r[1:]))
        if r[0] == "Total":
            break
    assert table["Engagement Activities"]["Entries"] == 223
    # 2019 alone: 66 entries, plus the two spanning 2018-2019 (counted in each year they touch).
    assert table["Engagement Activities"]["2019"] == 68
    assert table["Key Findings"]["Undated"] == 1
    assert table["Total"]["Entries"] == 299
    total = next(row for row in sheet.iter_rows() if row[0].value == "Total")
    assert all(c.number_format == "#,##0" for c in total[1:] if c.value is not None)  # 1,408, not 1408
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert table["Further Funding"]["2018"] == 2 and table["Further Funding"]["2019"] == 2


def test_excel_return_section_sheets(built, schema):
    _, _, xlsx_path = built
    book = openpyxl.load_workbook(xlsx_path)
    assert book.sheetnames[1:] == [s.sheet for s in schema.sections][:9]
    sheet = book["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    assert header[:8] == [
        "Description",
        "Form Of Engagement Activity",
        "Part Of Official Scheme?",
        "Geographic Reach",
        "Primary Audience",
        "Results and Impact",
        "Year(s) Of Engagement Activity",
        "URL",
    ]
    # Columns empty in every row (Award Reference and Partners here) are left out.
    assert "Award Reference" not in header and "Partners" not in header
    assert all(
        any(row[i] not in (None, "") for row in sheet.iter_rows(min_row=2, values_only=True))
        for i in range(len(header))
    )
    assert all(c.font.b for c in sheet[1])
    # It prints: landscape, a page or two wide, the header row on every page, rows as tall as their text.
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1, 2) and sheet.page_setup.fitToHeight == 0  # as wide as readable
    assert sheet.print_title_rows == "$1:$1"
    longest = max(range(2, sheet.max_row + 1), key=lambda r: len(str(sheet.cell(row=r, column=6).value or "")))
    assert (
        sheet.row_dimensions[longest].height > 3 * sheet.row_dimensions[2].height
        or sheet.row_dimensions[longest].height >= 100
    )
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    continuing = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[header.index("Continues Row")]]
    assert sheet.max_row - 1 - len(continuing) == 223 and continuing
    url_col = header.index("URL")
    links = [row[url_col] for row in sheet.iter_rows(min_row=2) if row[url_col].hyperlink]
    assert len(links) == 115 - 23  # every complete URL is a link
    assert links[0].hyperlink.target == links[0].value
    results_col = header.index("Results and Impact")
    assert sheet.cell(row=2, column=results_col + 1).alignment.wrap_text
    assert sheet.column_dimensions["F"].width >= 50


def test_text_is_never_a_formula(tmp_path, schema):
    from reporting import build

    from conftest import write_input

    hostile = [
        "=1+1",
        "+SUM(A1)",
        "@cmd",
        "-2",
        '=HYPERLINK("http://x")',
        "a & b < c > d",
        "שלום right-to-left",
        "emoji 😀 ok",
    ]
    rows = [
        {
            "Description": text,
            "Form Of Engagement Activity": "A talk or presentation",
            "Part Of Official Scheme?": "No",
            "Geographic Reach": "Local",
            "Primary Audience": "Schools",
            "Results and Impact": text,
            "Year(s) Of Engagement Activity": "2019",
        }
        for text in hostile
    ]
    source = write_input(tmp_path / "in.xlsx", {"Engagement Activities": rows})
    result = build([source], tmp_path / "out")
    assert result.outputs, [f.describe() for f in result.findings]
    xlsx = next(p for p in result.outputs if p.suffix == ".xlsx")
    sheet = openpyxl.load_workbook(xlsx)["Engagement Activities"]
    values = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(hostile))]
    assert [c.value for c in values] == hostile
    assert all(c.data_type == "s" for c in values)
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    for value in hostile:
        assert value in text


def test_restyled_template_changes_the_return(tmp_path, imported):
    from docx.shared import RGBColor

    from reporting import build
    from reporting.templating import templates_dir

    template = docx.Document(str(templates_dir() / "return.docx"))
    template.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    template.styles["Heading 1"].font.name = "Georgia"
    custom = tmp_path / "brand.docx"
    template.save(custom)
    result = build([imported.output], tmp_path / "out", template=custom)
    document = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    style = document.styles["Heading 1"]
    assert style.font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert style.font.name == "Georgia"
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)


def test_lines_broken_mid_sentence_are_joined_and_list_items_kept():
    from reporting.text import paragraphs

    text = (
        "The project aims and\nobjectives were met in full.\nWe did three things:\n- setting up contracts (13 June)\n"
        "- hiring staff\n\nA long line that was wrapped by the system it was copied from, before\nGreater Manchester."
    )
    assert paragraphs(text) == [
        "The project aims and objectives were met in full.",
        "We did three things:",
        "- setting up contracts (13 June)",
        "- hiring staff",
        "A long line that was wrapped by the system it was copied from, before Greater Manchester.",
    ]


def test_charts_have_axis_titles_in_the_body_font_and_more_than_one_bar(built):
    _, docx_path, _ = built
    with zipfile.ZipFile(docx_path) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("word/charts/chart")]
    assert len(charts) >= 3
    for chart in charts:
        assert chart.count("<c:title>") == 3  # the chart's, and each axis's ("Year", "Entries"...)
        assert 'typeface="Calibri"' in chart
        assert chart.count("<c:pt idx=") >= 2 * 2  # at least two bars (categories and values)
    by_year = next(c for c in charts if "by year" in c)
    assert "<c:v>To 2014</c:v>" in by_year  # grouped as the At a glance table groups the years


def test_a_long_address_goes_under_its_label_and_stays_a_link(tmp_path):
    from reporting import build

    from conftest import write_input

    long_url = "https://www.example.org/news/2019/a-very-long-article-name-about-co-production-in-cities"
    talk = {
        "Description": "Open day",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Regional",
        "Primary Audience": "Schools",
        "Year(s) Of Engagement Activity": "2019",
        "Results and Impact": "Many came.",
        "URL": long_url,
    }
    path = write_input(
        tmp_path / "links.xlsx",
        {"Engagement Activities": [talk, dict(talk, Description="Short", URL="https://example.org/x")]},
    )
    document = docx.Document(str(next(p for p in build([path], tmp_path / "out").outputs if p.suffix == ".docx")))
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == long_url)
    assert paragraphs[at - 1].text == "URL" and paragraphs[at - 1].style.name == "Field Heading"
    assert [h.url for h in paragraphs[at].hyperlinks] == [long_url]
    assert "URL\thttps://example.org/x" in [p.text for p in paragraphs]  # a short one stays beside its label


def test_characters_lost_upstream_are_found_and_marked(tmp_path):
    from reporting import build, load

    from conftest import write_input

    talk = {
        "Description": "Talk with Dr Mu?oz about the people?s panel",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Regional",
        "Primary Audience": "Schools",
        "Year(s) Of Engagement Activity": "2019",
        "Results and Impact": "Was it useful? Yes: see https://example.org/page?ref=1",
    }
    listed = dict(talk, Description="Open day", **{"Results and Impact": "We found:\n? more visitors\n? new partners"})
    paper = {
        "Title": "Genomes of Iceland",
        "Author": "Kristj?nsson K, Smith J",
        "Journal": "Nature",
        "Year": "2019",
        "Type": "Journal Article / Review",
    }
    path = write_input(tmp_path / "lost.xlsx", {"Engagement Activities": [talk, listed], "Publications": [paper]})
    _, findings, _ = load([path])
    lost = {(f.sheet, f.cell): f.message for f in findings if f.code == "lost-characters"}
    assert "Mu?oz, people?s" in lost[("Engagement Activities", "A2")]
    assert '"?" as a bullet' in lost[("Engagement Activities", "G3")]
    assert "Kristj?nsson" in lost[("Publications", "B2")] and len(lost) == 3
    document = docx.Document(str(next(p for p in build([path], tmp_path / "out").outputs if p.suffix == ".docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("[Check: characters lost (?)]") == text.count("[Check:") == 3  # the citation, a talk, a list
    [citation] = [p.text for p in document.paragraphs if p.style.name == "Bibliography"]
    assert citation.endswith("[Check: characters lost (?)]")


def test_every_printed_page_of_the_excel_return_names_the_award(built):
    result, _, xlsx_path = built
    book = openpyxl.load_workbook(xlsx_path)
    for sheet in book.worksheets:
        assert "Jam and Justice" in (sheet.oddHeader.left.text or ""), sheet.title
        assert sheet.page_setup.paperSize == 9 and "Page &P of &N" in (sheet.oddFooter.right.text or "")
    sections = book.worksheets[1:]
    assert all(sheet.print_title_rows == "$1:$1" for sheet in sections)


def test_short_sections_share_a_page_and_headings_keep_their_first_line(built):
    """A section of a few short lines does not leave the rest of its page empty: the next
    section starts under it; a long section is followed by a new page. An entry's heading stays
    on the page of its first two lines."""
    _, docx_path, _ = built
    document = docx.Document(str(docx_path))
    sections: list[tuple[object, list[str]]] = []
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            sections.append((paragraph, []))
        elif sections:
            sections[-1][1].append(paragraph.text)
    shared = 0
    for (_, texts), (heading, _) in zip(sections, sections[1:]):
        size = sum(len(t) for t in texts)
        own = heading.paragraph_format.page_break_before  # None: as the Heading 1 style says (a new page)
        if size > 3_000:
            assert own is None, heading.text
        elif size < 600:
            assert own is False, heading.text
            shared += 1
    assert shared >= 1 and document.styles["Heading 1"].paragraph_format.page_break_before
    paragraphs = document.paragraphs
    for before, after in zip(paragraphs, paragraphs[1:]):
        if before.style.name == "Heading 2" and after.style.name != "Field Heading":
            assert after.paragraph_format.keep_with_next, after.text


def test_excel_return_prints_every_character_of_long_text(built):
    """A row shows at most Excel's tallest row (409 points, about 29 wrapped lines): text longer
    than that goes on in the rows below (first cell "(continued)", the hidden last column naming
    the entry's row), so every character reaches paper; joined, the rows give the text entered,
    and reading the return back (as a previous submission) gives each entry whole."""
    from reporting.schema import load_schema
    from reporting.workbook.read import read_workbook

    _, _, xlsx_path = built
    book = openpyxl.load_workbook(xlsx_path)
    sheet = book["Engagement Activities"]
    header = [c.value for c in sheet[1]]
    goes_on, results = header.index("Continues Row"), header.index("Results and Impact")
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(goes_on + 1)].hidden
    width = sheet.column_dimensions[openpyxl.utils.get_column_letter(results + 1)].width
    joined: dict[int, str] = {}
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        text = str(row[results] or "")
        lines = sum(max(1, -(-len(part) // int(width))) for part in text.split("\n"))
        assert lines * 14 <= 409, (number, lines)  # what a row holds, it shows
        assert (sheet.row_dimensions[number].height or 15) <= 409
        if row[goes_on]:
            assert row[0] == "(continued)" and row[goes_on] in joined
            joined[row[goes_on]] += text
        else:
            joined[number] = text
    entered = openpyxl.load_workbook(ROOT / "inputs" / "jam-and-justice.xlsx")["Engagement Activities"]
    column = [c.value for c in entered[1]].index("Results and Impact")
    typed = sorted(str(r[column]).strip() for r in entered.iter_rows(min_row=2, values_only=True) if r[column])
    assert sorted(t.strip() for t in joined.values() if t) == typed
    assert max(len(t) for t in typed) > 2_000  # a text that did not fit one row
    records, _ = read_workbook(xlsx_path, load_schema())
    again = sorted(str(r.raw["results_and_impact"]).strip() for r in records if r.kind == "engagement_activities")
    assert again == typed


def test_money_in_the_excel_return_has_thousands_separators_and_pence_only_where_they_matter(built, tmp_path):
    from reporting import build

    from conftest import write_input

    _, _, xlsx_path = built
    sheet = openpyxl.load_workbook(xlsx_path)["Further Funding"]
    column = [c.value for c in sheet[1]].index("Amount")
    amounts = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value is not None]
    assert [(c.value, c.number_format) for c in amounts] == [(21000, "#,##0"), (53886, "#,##0")]
    grant = {"Description": "A grant", "Organisation": "Wellcome Trust", "Amount": "£1,234.50", "Start": "07/2020"}
    path = write_input(tmp_path / "pence.xlsx", {"Further Funding": [grant]})
    written = next(p for p in build([path], tmp_path / "out").outputs if p.suffix == ".xlsx")
    sheet = openpyxl.load_workbook(written)["Further Funding"]
    column = [c.value for c in sheet[1]].index("Amount")
    [cell] = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert (cell.value, cell.number_format) == (1234.5, "#,##0.00")
