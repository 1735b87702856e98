"""Every kind of workbook the tool writes says what it is, and a folder holding them builds from
its inputs only (a return, a profile, a portfolio summary or report, an annotated copy)."""

from __future__ import annotations

import shutil

import pytest

from reporting import import_to_workbook, pipeline
from reporting.loading import annotate_inputs, find_inputs, load
from reporting.outputs import MARK, NOT_INPUTS, OutputKind
from reporting.workbook import custom_property

from conftest import ROOT
from test_imports import write_researchfish_export


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder as an office keeps it: the input workbook, and everything built from it beside it."""
    work = tmp_path_factory.mktemp("kinds")
    inputs = work / "inputs"
    inputs.mkdir()
    source = write_researchfish_export(work / "export.xlsx")
    workbook = import_to_workbook(source, inputs / "portfolio.xlsx").output
    example = ROOT / "inputs" / "jam-and-justice.xlsx"  # its partners have profiles
    made = [
        *pipeline.build([workbook], work / "returns").outputs,
        *pipeline.portfolio([workbook], work / "report").outputs,
        *pipeline.profiles([example], out_dir=work / "profiles").outputs,
    ]
    _, findings, _ = load([workbook])
    made += annotate_inputs([workbook], findings, work / "annotated", force=True)
    for path in made:
        shutil.copy(path, inputs / path.name)
    return inputs, workbook, made


def test_every_kind_written_is_marked_and_known(folder) -> None:
    _, _, made = folder
    marks = {custom_property(path, MARK) for path in made if path.suffix == ".xlsx"}
    assert marks == {kind.value for kind in OutputKind}
    assert NOT_INPUTS == marks


def test_a_folder_holding_every_output_reads_its_inputs_only(folder, tmp_path) -> None:
    inputs, workbook, _ = folder
    assert [p.name for p in find_inputs([inputs])] == [workbook.name]
    result = pipeline.build([inputs], tmp_path)
    assert sorted(p.name for p in result.outputs if p.name.startswith("RF-")) == [
        "RF-A-1-return.docx",
        "RF-A-1-return.xlsx",
        "RF-B-2-return.docx",
        "RF-B-2-return.xlsx",
        "RF-C-3-return.docx",
        "RF-C-3-return.xlsx",
    ]
