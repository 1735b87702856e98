"""Safe fixes: a copy of each workbook with the corrections that cannot be wrong applied (a
list value in another case or spacing, an older wording of it, a value GtR cut short, a list
value Excel turned into a date), each change listed. The input is only read; everything else
the checks found is left for a person, and counted.

No I/O of its own beyond the files it is asked to write; the CLI prints the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding
from .loading import find_inputs, load
from .outputs import copy_paths, write_file
from .schema import Schema, load_schema
from .workbook import Fix, apply_fixes

__all__ = ["SAFE_CODES", "FixReport", "fix_workbooks", "is_safe"]

#: Findings whose correction is unambiguous: the value meant is known for certain.
SAFE_CODES = frozenset({"not-in-list-case", "older-wording", "cut-short-value"})


@dataclass
class FixReport:
    """One workbook's fixes: each change made (sheet, cell, field, before, after), and the
    findings left for a person."""

    source: Path
    output: Path
    changes: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    left: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "source": str(self.source),
            "output": str(self.output),
            "changes": [{"sheet": s, "cell": c, "field": f, "before": b, "after": a} for s, c, f, b, a in self.changes],
            "left": [finding.to_dict() for finding in self.left],
        }


def is_safe(finding: Finding) -> bool:
    """Whether a finding's correction is a safe fix: its code is one of SAFE_CODES, and it names
    the value meant and the cell to put it in."""
    return finding.code in SAFE_CODES and bool(finding.replacement) and bool(finding.cell)


def fix_workbooks(
    sources: Sequence[Path | str] | Path | str = (),
    out: Path | str | None = None,
    schema: Schema | None = None,
    force: bool = False,
) -> list[FixReport]:
    """Write `NAME-fixed.xlsx` for each workbook (files or folders), in `out` (a folder, default
    outputs/, or a .xlsx file for one workbook)."""
    schema = schema or load_schema()
    files = find_inputs([sources] if isinstance(sources, (str, Path)) else sources)
    targets = copy_paths(files, out, "fixed", force)
    _, findings, _ = load(files, schema)
    reports = []
    for source, target in zip(files, targets):
        mine = [f for f in findings if f.file == str(source)]
        safe = [f for f in mine if is_safe(f)]
        fields = {(f.sheet, f.cell): f.field for f in safe}
        data, applied = apply_fixes(source, [Fix(f.sheet, f.cell, f.value, f.replacement) for f in safe])
        write_file(target, data, force, inputs=files)
        changes = [
            (fix.sheet, fix.cell, fields.get((fix.sheet, fix.cell), ""), before, after)
            for fix, before, after in applied
        ]
        reports.append(FixReport(source, target, changes, [f for f in mine if not is_safe(f)]))
    return reports
