"""Edits are safe: every command that writes remembers what it wrote, replaces its own unchanged
files, and refuses (exit 2, each file named) to replace a file a person wrote or changed unless
--force is given. Inputs are never written over, and a folder of returns is not read as inputs."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from reporting.cli import cli
from reporting.outputs import MANIFEST

from conftest import write_input


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ENGAGEMENT = {"Description": "Open day", "Form Of Engagement Activity": "A talk or presentation",
              "Part Of Official Scheme?": "No", "Geographic Reach": "Regional",
              "Primary Audience": "Schools", "Year(s) Of Engagement Activity": "2019",
              "Results and Impact": "Many came."}


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_input(folder / "award.xlsx", {"Engagement Activities": [ENGAGEMENT]})
    return folder


def test_rebuilding_replaces_own_files_and_refuses_edited_ones(inputs, tmp_path):
    assert run("build", inputs, "-o", "out").exit_code == 0
    word = tmp_path / "out" / "TE-ST-1-return.docx"
    assert set(json.loads((tmp_path / "out" / MANIFEST).read_text())["files"]) == {
        "TE-ST-1-return.docx", "TE-ST-1-return.xlsx"}
    assert run("build", inputs, "-o", "out").exit_code == 0  # its own, unchanged: replaced

    document = docx.Document(str(word))
    document.add_paragraph("Checked by the research office.")
    document.save(str(word))
    edited = sha(word)
    result = run("build", inputs, "-o", "out")
    assert result.exit_code == 2
    assert "out/TE-ST-1-return.docx was not written by funder-report, or has been changed since" in result.output
    assert "TE-ST-1-return.xlsx" not in result.output  # only the edited one is named
    assert sha(word) == edited

    result = run("build", inputs, "-o", "out", "--force")
    assert result.exit_code == 0, result.output
    assert "Checked by the research office." not in "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert run("build", inputs, "-o", "out").exit_code == 0  # the replacement is remembered


def test_a_foreign_file_with_a_returns_name_is_not_replaced(inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "TE-ST-1-return.xlsx").write_bytes(b"a person's spreadsheet")
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 2
    assert (out / "TE-ST-1-return.xlsx").read_bytes() == b"a person's spreadsheet"
    assert not (out / "TE-ST-1-return.docx").exists()  # all or nothing


def test_a_folder_built_into_itself_reads_only_its_inputs(inputs):
    before = sha(inputs / "award.xlsx")
    first = run("build", inputs, "-o", inputs)
    assert first.exit_code == 0, first.output
    second = run("build", inputs, "-o", inputs)
    assert second.exit_code == 0, second.output
    shown = run("validate", inputs)
    assert shown.exit_code == 0, shown.output
    assert "TE-ST-1-return.xlsx" in shown.output and "not read as an input" in shown.output
    assert sha(inputs / "award.xlsx") == before
    assert sorted(p.name for p in inputs.iterdir()) == [
        MANIFEST, "TE-ST-1-return.docx", "TE-ST-1-return.xlsx", "award.xlsx"]


def test_a_folder_of_returns_alone_is_not_taken_for_inputs(inputs, tmp_path):
    assert run("build", inputs, "-o", "out").exit_code == 0
    result = run("validate", tmp_path / "out")
    assert result.exit_code == 2
    assert "holds only files funder-report wrote" in result.output


def test_an_input_is_never_the_output_even_with_force(inputs):
    source = inputs / "award.xlsx"
    before = sha(source)
    result = run("suggest-partners", source, "-o", source, "--force")
    assert result.exit_code == 2, result.output
    assert sha(source) == before


def test_annotated_copies_of_same_named_inputs_are_both_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for team in ("a", "b"):
        (tmp_path / team).mkdir()
        write_input(tmp_path / team / "award.xlsx", {"Engagement Activities": [
            dict(ENGAGEMENT, **{"Geographic Reach": f"Regionl {team}"})]})
    result = run("validate", "a/award.xlsx", "b/award.xlsx", "--annotate", "checked")
    assert result.exit_code == 1
    copies = sorted(p.name for p in (tmp_path / "checked").iterdir() if not p.name.startswith("."))
    assert len(copies) == 2, copies
    again = run("validate", "a/award.xlsx", "b/award.xlsx", "--annotate", "checked")
    assert again.exit_code == 1 and "not replacing" not in again.output


def test_leftovers_of_a_killed_run_are_cleared(inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = 2 ** 22 + 12345  # above Linux's default pid_max: no such process
    (out / f".funder-report-staging-{dead}").mkdir()
    (out / f".funder-report-staging-{dead}" / "TE-ST-1-return.docx").write_bytes(b"half")
    (out / f".TE-ST-1-return.docx.{dead}.tmp").write_bytes(b"half")
    alive = out / f".funder-report-staging-{os.getppid()}"
    alive.mkdir()  # a run in progress is left alone
    assert run("build", inputs, "-o", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([
        MANIFEST, alive.name, "TE-ST-1-return.docx", "TE-ST-1-return.xlsx"])
