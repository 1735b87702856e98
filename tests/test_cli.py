"""The command line: exit codes, plain messages, nothing lost, inputs untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import docx
import pytest
from click.testing import CliRunner

from reporting import load
from reporting.cli import cli
from reporting.outputs import MANIFEST

from conftest import ROOT, SEED, write_input


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(map(str, args)))
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(cli, list(map(str, args)))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_with_no_arguments_uses_inputs_folder(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "inputs", tmp_path / "inputs")
    before = {p.name: digest(p) for p in (tmp_path / "inputs").iterdir()}
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    outputs = sorted(p.suffix for p in (tmp_path / "outputs").iterdir() if not p.name.startswith("."))
    assert outputs == [".docx", ".xlsx"]
    assert "Built 1 award return from 299 entries" in result.output
    assert {p.name: digest(p) for p in (tmp_path / "inputs").iterdir()} == before
    # Nothing hidden is left but the manifest of what the tool wrote (no staging, no temporary files).
    assert [p.name for p in (tmp_path / "outputs").iterdir() if p.name.startswith(".")] == [MANIFEST]


def test_python_dash_m_reporting_works():
    result = subprocess.run([sys.executable, "-m", "reporting", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "build" in result.stdout


@pytest.mark.shared
def test_import_prints_read_and_written_per_section(tmp_path):
    out = tmp_path / "jam.xlsx"
    before = digest(SEED)
    result = run("import", SEED, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Engagement Activities" in result.output
    line = next(row for row in result.output.splitlines() if row.startswith("Engagement Activities"))
    assert line.split()[-2:] == ["223", "223"]  # rows read, entries written
    total = next(row for row in result.output.splitlines() if row.startswith("Total"))
    assert total.split()[-5:] == ["299", "299", "0", "0", "0"]  # rows, entries, merged, empty, not placed
    assert f"Wrote {out}: 299 entries for 1 award." in result.output
    assert digest(SEED) == before


@pytest.mark.shared
def test_import_refuses_to_overwrite(tmp_path):
    out = tmp_path / "jam.xlsx"
    out.write_bytes(b"someone's work")
    result = run("import", SEED, "-o", out)
    assert result.exit_code == 2
    assert "not written by funder-report" in result.output and "--force" in result.output
    assert out.read_bytes() == b"someone's work"


def test_import_unknown_format_is_exit_3_with_a_message(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n")
    result = run("import", odd, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 3
    assert "notes.txt" in result.output and "does not import it; nothing was written" in result.output
    assert "Traceback" not in result.output


def test_build_missing_file_is_exit_3_naming_it(tmp_path):
    result = run("build", tmp_path / "nope.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 3
    assert "nope.xlsx" in result.output and "no such file" in result.output
    assert "Traceback" not in result.output


def test_build_not_a_workbook_is_exit_3(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("hello")
    result = run("build", fake, "-o", tmp_path / "out")
    assert result.exit_code == 3 and "not an Excel workbook" in result.output


def test_build_refuses_invalid_entries_and_writes_nothing(tmp_path):
    source = write_input(
        tmp_path / "in.xlsx",
        {
            "Engagement Activities": [
                {
                    "Description": "A talk",
                    "Form Of Engagement Activity": "A talk or presentation",
                    "Part Of Official Scheme?": "No",
                    "Geographic Reach": "Regionall",
                    "Primary Audience": "Schools",
                    "Results and Impact": "Good",
                    "Year(s) Of Engagement Activity": "2019",
                }
            ]
        },
    )
    before = digest(source)
    result = run("build", source, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "Engagement Activities!D2" in result.output
    assert 'Did you mean "Regional"' in result.output
    assert "Nothing written: 1 error must be fixed first" in result.output
    assert not (tmp_path / "out").exists()
    assert digest(source) == before


def test_validate_json_equals_library_result(tmp_path):
    source = write_input(
        tmp_path / "in.xlsx",
        {
            "Artistic and Creative Products": [
                {
                    "Title": "Film",
                    "Description": "A film",
                    "Type Of Art": "Film",
                    "Year Produced": "20199",
                    "Impact": "TBC",
                }
            ]
        },
    )
    result = run("validate", source, "--json")
    assert result.exit_code == 1
    _, findings, _ = load([source])
    assert json.loads(result.output) == findings.to_dict()
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    assert {"not-in-list", "bad-year", "placeholder"} <= codes


def test_validate_clean_input_exits_0(imported):
    result = run("validate", imported.output)
    assert result.exit_code == 0
    assert "warning" in result.output  # the cut-short URLs and placeholders are warnings


def test_init_then_build_round_trip(tmp_path):
    path = tmp_path / "mine.xlsx"
    assert run("init", path).exit_code == 0
    assert run("init", path).exit_code == 0  # its own unchanged file
    path.write_bytes(path.read_bytes() + b"\0")  # changed by someone since
    assert run("init", path).exit_code == 2
    assert run("init", "--force", path).exit_code == 0
    result = run("build", path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    document = docx.Document(str(next((tmp_path / "out").glob("*.docx"))))
    assert "There are no entries yet." in [p.text for p in document.paragraphs]


def test_unexpected_error_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    import reporting.pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(reporting.pipeline, "write_excel_return", boom)
    result = run("build", ROOT / "inputs", "-o", tmp_path / "out")
    assert result.exit_code == 3
    assert "kaboom" in result.output and "bug" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("spelling", [["-j", "1"], ["--processes", "1"], ["--jobs", "1"]])
def test_processes_keep_their_old_spelling_jobs(spelling, tmp_path, monkeypatch):
    """Scripts written for `build --jobs N` still work: the hidden alias gives the same request."""
    from reporting import pipeline

    seen = []
    real = pipeline.run
    monkeypatch.setattr(pipeline, "run", lambda request, *args: seen.append(request) or real(request, *args))
    result = run("build", str(ROOT / "inputs"), "-o", str(tmp_path), *spelling)
    assert result.exit_code == 0, result.output
    assert [request.processes for request in seen] == [1]
    assert "--jobs" not in run("build", "--help").output
