"""Golden snippets: the exact WordprocessingML each builder makes, and that no text can break it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting import wordml as w

NS = f'xmlns:w="{w.W}" xmlns:r="{w.R}"'


def parses(fragment: str) -> ET.Element:
    return ET.fromstring(f"<root {NS}>{fragment}</root>")


def test_run():
    assert w.run("Hello") == '<w:r><w:t xml:space="preserve">Hello</w:t></w:r>'
    assert w.run("a\tb", "Strong", bold=True, italic=True) == (
        '<w:r><w:rPr><w:rStyle w:val="Strong"/><w:b/><w:i/></w:rPr><w:t xml:space="preserve">a</w:t>'
        '<w:tab/><w:t xml:space="preserve">b</w:t></w:r>'
    )


def test_paragraph_and_links():
    assert w.paragraph(w.run("x"), "Heading1") == (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t xml:space="preserve">x</w:t></w:r></w:p>'
    )
    assert w.hyperlink("rId9", "X") == '<w:hyperlink r:id="rId9" w:history="1">X</w:hyperlink>'
    assert w.internal_link("_Sec1", "X") == '<w:hyperlink w:anchor="_Sec1" w:history="1">X</w:hyperlink>'
    assert w.bookmark(3, "_Sec1", "X") == ('<w:bookmarkStart w:id="3" w:name="_Sec1"/>X<w:bookmarkEnd w:id="3"/>')


def test_field():
    assert w.field_begin('TOC \\o "1-1"') + w.field_end() == (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-1" '
        '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_table():
    xml = w.table([100, 200], [["A", "B"], ["1", "2"]], "TableGrid", "TableText", bold_rows=(0,))
    assert xml.startswith('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="300" w:type="dxa"/>')
    assert (
        '<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:tcPr><w:tcW w:w="100" w:type="dxa"/></w:tcPr><w:p>'
        '<w:pPr><w:pStyle w:val="TableText"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>' in xml
    )
    assert "<w:tr><w:trPr><w:cantSplit/></w:trPr>" in xml
    assert len(parses(xml).findall(f".//{{{w.W}}}tr")) == 2


def test_chart_part_is_well_formed_and_holds_its_data():
    xml = w.bar_chart("A & B <chart>", ["x < y", "z"], [3, 4], horizontal=True)
    root = ET.fromstring(xml.encode("utf-8"))
    values = [v.text for v in root.iter(f"{{{w.C}}}v")]
    assert values == ["Entries", "x < y", "z", "3", "4"]
    assert "A &amp; B &lt;chart&gt;" in xml


@given(st.text())
def test_any_text_makes_well_formed_xml(text):
    """User text can never break a part: escaped, and characters XML cannot hold removed."""
    fragment = w.paragraph(w.run(text, 'Style"&') + w.hyperlink('r"1', w.run(text)))
    parsed = parses(fragment)
    assert parsed is not None


@pytest.mark.parametrize("text", ["a\x00b\x0bc", "\ufffe\uffff", "\ud800x"])
def test_characters_xml_cannot_hold_are_removed(text):
    assert w.text_of(text) == "".join(
        c for c in text if c.isprintable() and c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff"
    )
