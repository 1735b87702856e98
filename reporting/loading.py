"""Finding and reading input workbooks: files and folders in, a validated dataset and its
findings out; annotated copies of the inputs (the inputs themselves are only read)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from .errors import UsageError, option
from .findings import Findings
from .model import Dataset, Record
from .outputs import write_atomic
from .schema import Schema, load_schema
from .validation import validate
from .workbook import annotate, read_workbook

DEFAULT_INPUTS = Path("inputs")
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def find_inputs(paths: Sequence[Path | str] = ()) -> list[Path]:
    """Expand files and folders into the workbooks to read (inputs/ when none are given)."""
    if not paths:
        if not DEFAULT_INPUTS.is_dir():
            raise UsageError("No input given and there is no inputs/ folder here.",
                             "Name a workbook or folder, e.g. `funder-report build outcomes.xlsx`.")
        paths = [DEFAULT_INPUTS]
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            members = sorted(p for p in path.iterdir()
                             if p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file()
                             and not p.name.startswith(("~$", ".")))
            if not members:
                raise UsageError(f"{path}: the folder holds no .xlsx workbooks.")
            found.extend(members)
        else:
            found.append(path)  # read_workbook reports a missing or wrong file by name
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)  # the same file named twice is read once
    return list(unique.values())


def read_inputs(paths: Iterable[Path], schema: Schema) -> tuple[list[Record], Findings]:
    records: list[Record] = []
    findings = Findings()
    for path in paths:
        found, layout = read_workbook(path, schema)
        records.extend(found)
        findings.extend(layout)
    return records, findings


def load(paths: Sequence[Path | str] = (), schema: Schema | None = None) -> tuple[Dataset, Findings, int]:
    """Read and validate input workbooks: (dataset, findings, number of rows read)."""
    schema = schema or load_schema()
    files = find_inputs(paths)
    records, findings = read_inputs(files, schema)
    dataset, checks = validate(records, schema, files=[str(f) for f in files])
    findings.extend(checks)
    return dataset, findings, len(records)


def annotate_inputs(paths: Sequence[Path | str], findings: Findings, out_dir: Path | str) -> list[Path]:
    """Write `<name>-checked.xlsx` for each input: problem cells highlighted and commented,
    and a Findings sheet linking to each. The inputs are only read."""
    out_dir = Path(out_dir)
    written = []
    for path in find_inputs(paths):
        mine = [f for f in findings if f.file == str(path)]
        target = out_dir / f"{path.stem}-checked.xlsx"
        if target.resolve() == path.resolve():
            raise UsageError(f"{target} is the input itself; choose another {option('annotate')} folder.",
                             param="annotate")
        written.append(write_atomic(target, annotate(path, mine, target)))
    return written
