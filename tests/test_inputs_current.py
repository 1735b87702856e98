"""The shipped example workbook is what importing the seed page gives today."""

from __future__ import annotations

import openpyxl

from conftest import ROOT


def _cells(path):
    book = openpyxl.load_workbook(path)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_inputs_workbook_matches_a_fresh_import(imported):
    shipped = ROOT / "inputs" / "jam-and-justice.xlsx"
    assert _cells(shipped) == _cells(imported.output), (
        "inputs/jam-and-justice.xlsx is stale: re-run the import command in the README"
    )
