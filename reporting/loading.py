"""Finding and reading input workbooks: files and folders in, a validated dataset and its
findings out; annotated copies of the inputs (the inputs themselves are only read)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import InputFileError, UsageError
from .findings import WARNING, Finding, Findings
from .model import Dataset, Record
from .outputs import MARK, NOT_INPUTS, Publication, unique_name
from .schema import Schema, load_schema
from .validation import validate
from .workbook import annotate, custom_property, read_workbook

DEFAULT_INPUTS = Path("inputs")
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def find_inputs(
    paths: Sequence[Path | str] = (), skipped: list[Path] | None = None, outputs_too: bool = False
) -> list[Path]:
    """Expand files and folders into the workbooks to read (inputs/ when none are given).

    In a folder, workbooks the tool wrote that are not inputs (returns, profiles, summaries,
    annotated copies, as their document properties say) are left out and added to `skipped`,
    unless `outputs_too` (an earlier submission may be a folder of returns). Files named one
    by one are always read.
    """
    if not paths:
        if not DEFAULT_INPUTS.is_dir():
            raise UsageError(
                "No input given and there is no inputs/ folder here.",
                "Name a workbook or folder, e.g. `funder-report build outcomes.xlsx`.",
            )
        paths = [DEFAULT_INPUTS]
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            members = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file() and not p.name.startswith(("~$", "."))
            )
            if not members:
                raise UsageError(f"{path}: the folder holds no .xlsx workbooks.")
            if not outputs_too:
                ours = [p for p in members if _written_here(p)]
                members = [p for p in members if p not in ours]
                if skipped is not None:
                    skipped.extend(ours)
                if not members:
                    raise UsageError(
                        f"{path}: the folder holds only files funder-report wrote "
                        f"({', '.join(p.name for p in ours[:3])}{'...' if len(ours) > 3 else ''}), "
                        "no input workbooks.",
                        "Name the folder of input workbooks.",
                    )
            found.extend(members)
        else:
            if not path.exists():  # named before any other input is read
                raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
            found.append(path)  # read_workbook reports a wrong file by name
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)  # the same file named twice is read once
    return list(unique.values())


def _written_here(path: Path) -> bool:
    """A workbook the tool wrote that is not an input (a return, a profile...): it says so in
    a document property. Input workbooks the tool writes carry no such mark."""
    return custom_property(path, MARK) in NOT_INPUTS


#: progress(done, total): workbooks read so far, of how many.
Progress = Callable[[int, int], None]


def read_inputs(
    paths: Sequence[Path], schema: Schema, progress: Progress | None = None
) -> tuple[list[Record], Findings]:
    records: list[Record] = []
    findings = Findings()
    for done, path in enumerate(paths):
        if progress:
            progress(done, len(paths))
        found, layout = read_workbook(path, schema)
        records.extend(found)
        findings.extend(layout)
    return records, findings


def load(
    paths: Sequence[Path | str] = (),
    schema: Schema | None = None,
    outputs_too: bool = False,
    progress: Progress | None = None,
) -> tuple[Dataset, Findings, int]:
    """Read and validate input workbooks: (dataset, findings, number of rows read). Returns
    in an input folder are left out, each named in a finding, unless `outputs_too`.
    `progress(done, total)` is called before each workbook is read, and once all are."""
    schema = schema or load_schema()
    skipped: list[Path] = []
    files = find_inputs(paths, skipped, outputs_too)
    records, findings = read_inputs(files, schema, progress)
    if progress:
        progress(len(files), len(files))
    for path in skipped:
        findings.add(Finding.of("not-an-input", WARNING, kind=custom_property(path, MARK), file=str(path)))
    dataset, checks = validate(records, schema, files=[str(f) for f in files])
    findings.extend(checks)
    return dataset, findings, len(records)


def annotate_inputs(
    paths: Sequence[Path | str], findings: Findings, out_dir: Path | str, force: bool = False
) -> list[Path]:
    """Write `<name>-checked.xlsx` for each input: problem cells highlighted and commented,
    and a Findings sheet linking to each. The inputs are only read; two inputs of the same name
    (from different folders) get copies of different names."""
    files = find_inputs(paths)
    taken: set[str] = set()
    names = [unique_name(f"{path.stem}-checked", taken) + ".xlsx" for path in files]
    with Publication(out_dir, force, inputs=files) as publication:
        publication.check(names)
        for path, name in zip(files, names):
            mine = [f for f in findings if f.file == str(path)]
            publication.add(name, annotate(path, mine, publication.folder / name))
        return publication.commit()


def read_groups(path: Path | str) -> dict[str, list[str]]:
    """A groups file: a CSV with the columns Award Reference and Group (an award in several
    groups has a row for each) -> award reference -> its groups."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputFileError(
            f"{path}: cannot be read as a CSV file ({error}).",
            "Save it as CSV UTF-8 with the columns Award Reference and Group.",
        ) from None
    header = [" ".join(cell.split()).casefold() for cell in (rows[0] if rows else [])]
    if "award reference" not in header or "group" not in header:
        raise UsageError(
            f"{path}: needs the columns Award Reference and Group "
            f"(found: {', '.join(rows[0][:6]) if rows else 'nothing'}).",
            "Put the headers in the first row.",
            param="groups",
        )
    ref, name = header.index("award reference"), header.index("group")
    groups: dict[str, list[str]] = {}
    for row in rows[1:]:
        if len(row) > max(ref, name) and row[ref].strip() and row[name].strip():
            groups.setdefault(row[ref].strip(), []).append(" ".join(row[name].split()))
    return groups
