"""The commands' work, as library functions: read -> validate -> render -> write.

Nothing here prints or exits; each function returns a result object the CLI reports from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .docx_writer import WordTemplate
from .errors import OutputError, UsageError
from .findings import Findings
from .importers import ImportResult, import_file
from .model import Award, Dataset, Record
from .outputs import unique_name, write_atomic
from .returns import award_view
from .schema import Schema, load_schema
from .text import slugify
from .validation import validate
from .workbook import annotate, read_workbook
from .xlsx_writer import write_excel_return, write_input_workbook, write_portfolio_summary

DEFAULT_INPUTS = Path("inputs")
DEFAULT_OUTPUTS = Path("outputs")
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}

Progress = Callable[[int, int], None]


def templates_dir() -> Path:
    """The folder holding the default Word template (installed, or in the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "return.docx").is_file():
            return candidate
    raise OutputError("The default Word template (templates/return.docx) is missing.",
                      "Reinstall funder-report, or pass --template PATH.")


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
    unique: list[Path] = []
    for path in found:
        if path.resolve() not in {p.resolve() for p in unique}:
            unique.append(path)
    return unique


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
            raise UsageError(f"{target} is the input itself; choose another --annotate folder.")
        written.append(write_atomic(target, annotate(path, mine, target)))
    return written


@dataclass
class BuildResult:
    """What a build did: the files written and the findings that stopped or accompanied it."""

    outputs: list[Path] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)
    awards: int = 0
    entries: int = 0
    rows_read: int = 0

    @property
    def built(self) -> bool:
        return self.findings.ok


def output_stem(award: Award) -> str:
    """The file-name stem for an award's return: its reference, else its title."""
    if award.reference:
        return slugify(award.reference) + "-return"
    return slugify(award.title).lower() + "-return" if award.title else "return"


def build(paths: Sequence[Path | str] = (), out_dir: Path | str = DEFAULT_OUTPUTS,
          schema: Schema | None = None, template: Path | str | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Validate the inputs and, when there are no errors, write a Word and an Excel return per award."""
    schema = schema or load_schema()
    dataset, findings, rows = load(paths, schema)
    result = BuildResult(findings=findings, awards=len(dataset.awards),
                         entries=len(dataset.entries), rows_read=rows)
    if not findings.ok:
        return result
    word = WordTemplate(Path(template) if template else templates_dir() / "return.docx")
    out_dir = Path(out_dir)
    taken: set[str] = {"portfolio-summary"}
    groups = dataset.by_award()
    total = sum(len(entries) for _, entries in groups)
    done = 0
    summary: list[tuple[Award, dict[str, int]]] = []
    for award, entries in groups:
        view = award_view(schema, award, entries)
        stem = unique_name(output_stem(award), taken)
        docx_bytes = word.render(schema, view)
        xlsx_bytes = write_excel_return(schema, view)
        result.outputs.append(write_atomic(out_dir / f"{stem}.docx", docx_bytes))
        result.outputs.append(write_atomic(out_dir / f"{stem}.xlsx", xlsx_bytes))
        done += len(entries)
        if progress:
            progress(done, total)
        summary.append((award, {s.section.key: len(s.entries) for s in view.sections}))
    if len(groups) > 1:
        result.outputs.append(write_atomic(out_dir / "portfolio-summary.xlsx",
                                           write_portfolio_summary(schema, summary)))
    return result


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; not overwriting it.",
                         "Choose another name with -o, or add --force to replace it.")


def init_workbook(path: Path | str, schema: Schema | None = None, force: bool = False) -> Path:
    """Write a blank input workbook at `path`."""
    schema = schema or load_schema()
    path = Path(path)
    _refuse_overwrite(path, force)
    return write_atomic(path, write_input_workbook(schema))


#: Findings an import resolves itself by writing the current wording (listed as mappings).
MAPPED_CODES = {"older-wording", "not-in-list-case", "cut-short-value"}


@dataclass
class ImportReport:
    """An import: what was read from the source and what was written per section.

    `mappings` counts (field, value found, value written) for values the import cleaned up
    (older vocabulary wordings, case variants); `findings` holds everything else to check.
    """

    result: ImportResult
    findings: Findings
    written: dict[str, int]
    output: Path
    mappings: dict[tuple[str, str, str], int] = field(default_factory=dict)


def import_to_workbook(source: Path | str, out: Path | str | None = None,
                       schema: Schema | None = None, force: bool = False) -> ImportReport:
    """Convert a file offices already have into an input workbook."""
    schema = schema or load_schema()
    result = import_file(source, schema)
    dataset, findings = validate(result.records, schema)
    notes = Findings(list(result.notes))
    mappings: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        if finding.code in MAPPED_CODES and finding.replacement:
            key = (finding.field, finding.value, finding.replacement)
            mappings[key] = mappings.get(key, 0) + 1
        else:
            notes.add(finding)
    written: dict[str, int] = {}
    for entry in dataset.entries:
        # An outcome counted for several awards is one entry listed in each award's return:
        # count it once per award, as the source lists it.
        written[entry.section.key] = written.get(entry.section.key, 0) + max(len(entry.awards), 1)
    title = dataset.awards[0].title if dataset.awards else "Research outcomes"
    out = Path(out) if out else Path(slugify(title).lower() + ".xlsx")
    _refuse_overwrite(out, force)
    data = write_input_workbook(schema, dataset.awards, dataset.entries, title=title,
                                organisations=dataset.organisations)
    write_atomic(out, data)
    return ImportReport(result, notes, written, out, mappings)
