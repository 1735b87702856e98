"""Every broken or hostile file gives one clear message or findings, never a traceback."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import docx
import openpyxl
import pytest
from badfiles import CASES
from click.testing import CliRunner

from reporting.cli import cli

from conftest import ROOT


def test_the_corpus_has_at_least_30_files():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file(case, tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    path = case.make(made)
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--json", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == case.exit, result.output
    if case.exit == 3:
        assert path.name in result.output
        assert case.expect in result.output
        assert len(result.output.strip().splitlines()) <= 3  # one message and a hint
    else:
        findings = json.loads(result.output)
        codes = {f["code"] for f in findings["findings"]}
        if case.expect:
            assert case.expect in codes, codes
        for finding in findings["findings"]:
            assert finding["file"] == str(path)
            if finding["code"] not in ("no-sheets",):
                assert finding["sheet"], finding
    if case.exit == 0:
        out = tmp_path / "out"
        built = runner.invoke(cli, ["build", str(path), "-o", str(out)])
        assert built.exit_code == 0, built.output
        text = "\n".join(p.text for p in docx.Document(str(next(out.glob("*.docx")))).paragraphs)
        book = openpyxl.load_workbook(next(out.glob("*.xlsx")))
        cells = "\n".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v)
        for expected in case.reaches_output:
            assert expected in text
            if not re.match(r"\d|£|[A-Z][a-z]+ \d{4}$", expected):  # amounts and dates: typed cells in Excel
                assert expected in cells
    if before is not None:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_memory_stays_bounded_for_bombs(tmp_path):
    """Bombs are refused from the zip directory, before anything is expanded (measured in a
    fresh process, so other tests' memory does not hide growth)."""
    bombs = [c for c in CASES if c.name in ("zip-bomb", "zip-claims-huge-size", "xml-entity-bomb-in-sheet")]
    paths = [str(case.make(tmp_path)) for case in bombs]
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from reporting.cli import cli\n"
        "codes = [CliRunner().invoke(cli, ['validate', p]).exit_code for p in sys.argv[1:]]\n"
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(codes, int(peak.split()[1]) // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *paths], capture_output=True, text=True, cwd=ROOT, check=True)
    codes, peak_mb = done.stdout.rsplit(" ", 1)
    assert codes == "[3, 3, 3]"
    assert int(peak_mb) < 200, peak_mb
