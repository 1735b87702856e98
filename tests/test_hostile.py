"""Hostile inputs and faults (tests/hostile.py): every command answers with its exit code, a
message naming the file or findings, never a traceback; inputs are never changed; no output
holds a formula, and every output opens."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from hostile import CASES

from reporting.cli import cli

from conftest import DATA, ROOT, require

VALIDATOR = DATA.parent / "tools" / "ooxml-validate"

_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_outputs_sound(folder: Path) -> str:
    """Every .xlsx and .docx under `folder` opens, holds no formula; returns all their text."""
    texts = []
    for path in sorted(folder.rglob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    assert not _FORMULA.search(archive.read(name)), f"{path.name}:{name} holds a formula"
        book = openpyxl.load_workbook(path)
        texts.extend(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    for path in sorted(folder.rglob("*.docx")):
        document = docx.Document(str(path))
        texts.extend(p.text for p in document.paragraphs)
        texts.extend(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case, tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    out = tmp_path / "out"
    path = case.make(made)
    before = digests(made)
    args = [a.replace("{input}", str(path)).replace("{out}", str(out)) for a in case.command]
    if "{out}/" in " ".join(case.command):
        out.mkdir()
    result = CliRunner().invoke(cli, args)
    output = result.output
    assert "Traceback" not in output and "unexpected failure" not in output, output
    assert "Warning:" not in output, output  # a library's warning is not for the user
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == case.exit, output
    if case.exit == 3:
        assert path.name in output, output
        assert case.expect in output, output
    elif case.expect:
        if "--json" in args:
            codes = {f["code"] for f in json.loads(output)["findings"]}
            assert case.expect in codes, codes
        else:
            assert case.expect in output, output
    assert digests(made) == before, "an input was changed"
    if out.exists():
        text = assert_outputs_sound(out)
        for expected in case.reaches_output:
            assert expected in text


def _check_word_links(folder: Path) -> None:
    """Word refuses a hyperlink longer than 2,079 characters (the file needs repair)."""
    for path in sorted(folder.rglob("*.docx")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".rels"):
                    for target in re.findall(rb'Target="([^"]*)"', archive.read(name)):
                        assert len(target) <= 2079, f"{path.name}:{name}: a link of {len(target)} characters"


@pytest.mark.slow
def test_every_case_in_a_fresh_process_stays_under_1gb_and_writes_files_office_opens(tmp_path):
    """All cases run in one new process (so the test runner's own memory hides nothing): its peak
    resident memory stays under 1 GB; every file written passes Microsoft's Open XML validator."""
    commands, cases = [], []
    for case in CASES:
        made, out = tmp_path / case.name / "made", tmp_path / case.name / "out"
        made.mkdir(parents=True)
        try:
            path = case.make(made)
        except pytest.skip.Exception:
            continue  # made from a real file that is not on this machine
        cases.append(case)
        if "{out}/" in " ".join(case.command):
            out.mkdir()
        commands.append([a.replace("{input}", str(path)).replace("{out}", str(out)) for a in case.command])
    script = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from reporting.cli import cli\n"
        "codes = [CliRunner().invoke(cli, args).exit_code for args in json.load(sys.stdin)]\n"
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps([codes, int(peak.split()[1]) // 1024]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(commands), capture_output=True, text=True, cwd=ROOT, check=True
    )
    codes, peak_mb = json.loads(done.stdout.splitlines()[-1])
    assert codes == [case.exit for case in cases]
    assert peak_mb < 1024, f"peak {peak_mb} MB"
    written = sorted(p for p in tmp_path.rglob("out/**/*") if p.suffix in (".docx", ".xlsx"))
    assert len(written) >= 10
    _check_word_links(tmp_path)
    require(VALIDATOR)
    checked = subprocess.run([str(VALIDATOR), *map(str, written)], capture_output=True, text=True)
    assert checked.returncode == 0 and f"{len(written)} file(s) checked, 0 with problems" in checked.stdout, (
        checked.stdout[-3000:]
    )
