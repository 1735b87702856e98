"""Edits are safe: every command that writes remembers what it wrote, replaces its own unchanged
files, and refuses (exit 2, each file named) to replace a file a person wrote or changed unless
--force is given. Inputs are never written over, and a folder of returns is not read as inputs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from reporting.cli import cli
from reporting.errors import OutputError
from reporting.outputs import MANIFEST, STAGING_PREFIX

from conftest import ROOT, write_input


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ENGAGEMENT = {
    "Description": "Open day",
    "Form Of Engagement Activity": "A talk or presentation",
    "Part Of Official Scheme?": "No",
    "Geographic Reach": "Regional",
    "Primary Audience": "Schools",
    "Year(s) Of Engagement Activity": "2019",
    "Results and Impact": "Many came.",
}


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
        "TE-ST-1-return.docx",
        "TE-ST-1-return.xlsx",
    }
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
        MANIFEST,
        "TE-ST-1-return.docx",
        "TE-ST-1-return.xlsx",
        "award.xlsx",
    ]


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
        write_input(
            tmp_path / team / "award.xlsx",
            {"Engagement Activities": [dict(ENGAGEMENT, **{"Geographic Reach": f"Regionl {team}"})]},
        )
    result = run("validate", "a/award.xlsx", "b/award.xlsx", "--annotate", "checked")
    assert result.exit_code == 1
    copies = sorted(p.name for p in (tmp_path / "checked").iterdir() if not p.name.startswith("."))
    assert len(copies) == 2, copies
    again = run("validate", "a/award.xlsx", "b/award.xlsx", "--annotate", "checked")
    assert again.exit_code == 1 and "not replacing" not in again.output


def test_leftovers_of_a_killed_run_are_cleared(inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    (out / f".funder-report-staging-{dead}").mkdir()
    (out / f".funder-report-staging-{dead}" / "TE-ST-1-return.docx").write_bytes(b"half")
    (out / f".TE-ST-1-return.docx.{dead}.tmp").write_bytes(b"half")
    alive = out / f".funder-report-staging-{os.getppid()}"
    alive.mkdir()  # a run in progress is left alone
    assert run("build", inputs, "-o", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MANIFEST, alive.name, "TE-ST-1-return.docx", "TE-ST-1-return.xlsx"]
    )


def test_a_build_stopped_with_sigterm_leaves_nothing_behind(tmp_path):
    """SIGTERM (a service stopped, a job cancelled) is handled as Ctrl-C: exit 130, and the
    output folder is as it was (here: not there at all)."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "reporting", "build", str(ROOT / "inputs"), "-o", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if out.is_dir() and any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir()):
            process.send_signal(signal.SIGTERM)
            break
        time.sleep(0.005)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the build finished before it could be stopped")
    assert process.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("json_output", [True, False])
def test_a_console_that_cannot_show_a_character_still_gets_the_whole_report(tmp_path, json_output):
    """A Windows console or pipe in cp1252 has no emoji: the report is still printed (JSON with
    \\u escapes, text with a replacement), never a UnicodeEncodeError."""
    path = write_input(
        tmp_path / "emoji.xlsx",
        {"Engagement Activities": [dict(ENGAGEMENT, **{"Geographic Reach": "Regional \U0001f30d"})]},
    )
    done = subprocess.run(
        [sys.executable, "-m", "reporting", "validate", *(["--json"] if json_output else []), str(path)],
        capture_output=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONIOENCODING="cp1252"),
    )
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode("cp1252")
    if json_output:
        (finding,) = json.loads(text)["findings"]
        assert finding["value"] == "Regional \U0001f30d"
    else:
        assert 'Geographic Reach: "Regional ?" is not one of the allowed values' in text


def test_a_full_disk_leaves_the_previous_pair_of_returns_as_it_was(inputs, tmp_path, monkeypatch):
    """The Word file of a new build is never left beside the Excel file of the old one."""
    from reporting import build, pipeline

    assert run("build", inputs, "-o", "out").exit_code == 0
    out = tmp_path / "out"
    before = {p.name: sha(p) for p in out.iterdir()}
    second = dict(ENGAGEMENT, Description="A second open day")
    write_input(inputs / "award.xlsx", {"Engagement Activities": [ENGAGEMENT, second]})
    real_write = pipeline.write_atomic

    def full_disk(path, data):
        if Path(path).suffix == ".xlsx":
            raise OutputError(f"Cannot write {path}: No space left on device.")
        return real_write(path, data)

    monkeypatch.setattr(pipeline, "write_atomic", full_disk)
    with pytest.raises(OutputError, match="No space left"):
        build([inputs], out, processes=1)
    assert {p.name: sha(p) for p in out.iterdir()} == before


def test_a_file_that_cannot_be_replaced_puts_the_others_back(inputs, tmp_path, monkeypatch):
    """A return open (locked) in Word on Windows: neither file of the pair is replaced."""
    from reporting import build, outputs

    assert run("build", inputs, "-o", "out").exit_code == 0
    out = tmp_path / "out"
    before = {p.name: sha(p) for p in out.iterdir()}
    write_input(inputs / "award.xlsx", {"Engagement Activities": [ENGAGEMENT, dict(ENGAGEMENT, Description="Again")]})
    real_replace = os.replace

    def locked(source, target):
        if Path(target) == out / "TE-ST-1-return.xlsx" and Path(source).parent.name.startswith(STAGING_PREFIX):
            raise PermissionError(13, "Permission denied")
        return real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", locked)
    with pytest.raises(OutputError, match="nothing was replaced"):
        build([inputs], out, processes=1)
    assert {p.name: sha(p) for p in out.iterdir()} == before
