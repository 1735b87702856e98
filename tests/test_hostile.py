"""Hostile inputs and faults (tests/hostile.py): every command answers with its exit code, a
message naming the file or findings, never a traceback; inputs are never changed; no output
holds a formula, and every output opens."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reporting.cli import cli

from hostile import CASES

_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_outputs_sound(folder: Path) -> str:
    """Every .xlsx and .docx under `folder` opens, holds no formula; returns all their text."""
    texts = []
    for path in sorted(folder.rglob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    assert not _FORMULA.search(archive.read(name)), f"{path.name}:{name} holds a formula"
        book = openpyxl.load_workbook(path)
        texts.extend(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)
    for path in sorted(folder.rglob("*.docx")):
        document = docx.Document(str(path))
        texts.extend(p.text for p in document.paragraphs)
        texts.extend(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return "\n".join(texts)


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
