"""What a sheet's raw XML says beyond its values: formulas and error cells, found only around
the markers that show them, with or without a namespace prefix."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reporting.workbook.sheetxml import scan_sheet

PLAIN = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>SUM(1,2)</f><v>3</v></c>'
    b'<c r="C1"><f>A1&amp;"x"</f></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>a &lt;f&gt; that is text</t></is></c>'
    b'<c r="B2" t="e"><v>#REF!</v></c><c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D2"/></row>'
    b'</sheetData><mergeCells count="1"><mergeCell ref="A1:A2"/></mergeCells></worksheet>'
)
PREFIXED = (
    PLAIN.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
    .replace(b"</worksheet>", b"</x:worksheet>")
    .replace(b"<", b"<x:")
    .replace(b"<x:/", b"</x:")
    .replace(b"<x:x:", b"<x:")
    .replace(b"</x:x:", b"</x:")
)


@pytest.mark.parametrize("xml", [PLAIN, PREFIXED], ids=["plain", "prefixed"])
def test_formulas_errors_and_merges_are_found(tmp_path: Path, xml: bytes) -> None:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    found = scan_sheet(path, "xl/worksheets/sheet1.xml")
    assert found.formulas == {"B1": ("SUM(1,2)", True), "C1": ('A1&"x"', False), "C2": ("1/0", True)}
    assert found.errors == {"B2": "#REF!", "C2": "#DIV/0!"}
    assert found.merges == ["A1:A2"]


def test_a_sheet_without_formulas_or_errors_has_none(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
        )
    found = scan_sheet(path, "xl/worksheets/sheet1.xml")
    assert (found.formulas, found.errors, found.merges) == ({}, {}, [])
