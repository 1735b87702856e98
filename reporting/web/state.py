"""What the page keeps for each visitor between requests, as typed values: the latest check, the
fixes, the builds (running or finished), the build form as last sent, why a step failed.

Check and build results cross from the worker processes as these values (plain data inside:
findings as their dicts, paths as text, the visitor's names for the server's paths). No Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["Batch", "Built", "BuildForm", "Check", "Job", "Made", "Refusal", "group_findings"]

#: A refusal in the page's words: {"message": ..., "hint": ...} (and "file" for a workbook).
Refusal = dict[str, str]


@dataclass
class Made:
    """A file a check made before checking: the workbook imported from a file the visitor sent."""

    source: str
    workbook: str
    format: str
    #: What became of the source's rows, as a sentence.
    summary: str = ""


@dataclass
class Check:
    """What one check of the visitor's workbooks found: what `validate --json` reports, the
    workbooks the hostile-file gate refused, the rows read and how many findings the safe
    fixes would settle."""

    refused: list[Refusal] = field(default_factory=list)
    rows: int = 0
    #: Entries read, as `validate` counts them (a row continued below is one entry).
    entries: int = 0
    awards: int = 0
    ok: bool = True
    errors: int = 0
    warnings: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    fixable: int = 0
    #: (stored path, shown name) of each workbook checked: those sent, and those imported.
    checked: list[tuple[str, str]] = field(default_factory=list)
    made: list[Made] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As `findings.json` offers it."""
        data = asdict(self)
        del data["fixable"], data["checked"], data["made"]
        return data

    def with_findings(self, found: Mapping[str, Any]) -> Check:
        """This check with the findings (ok, errors, warnings, findings) a step found."""
        return replace(
            self,
            ok=bool(found["ok"]),
            errors=int(found["errors"]),
            warnings=int(found["warnings"]),
            findings=list(found["findings"]),
            fixable=int(found.get("fixable", self.fixable)),
        )


@dataclass(frozen=True)
class BuildForm:
    """The build form as the visitor sent it (shown again as they left it)."""

    year: str = ""
    start: str = ""
    end: str = ""
    public: bool = False
    final: bool = False
    profiles: bool = False
    portfolio: bool = False
    pdf: bool = False

    @classmethod
    def of(cls, form: Mapping[str, str], pdf_available: bool) -> BuildForm:
        return cls(
            year=form.get("year", "").strip(),
            start=form.get("start", "").strip(),
            end=form.get("end", "").strip(),
            public=bool(form.get("public")),
            final=bool(form.get("final")),
            profiles=bool(form.get("profiles")),
            portfolio=bool(form.get("portfolio")),
            pdf=bool(form.get("pdf")) and pdf_available,
        )


@dataclass
class Built:
    """A finished build: the files written (server paths) and what the page says of them, or
    why nothing was written (with the findings, when the entries were invalid)."""

    ok: bool
    outputs: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    error: Refusal | None = None
    invalid: dict[str, Any] | None = None
    #: The files' download names, once offered to the visitor.
    files: list[str] = field(default_factory=list)


@dataclass
class Job:
    """Work running in a worker for a visitor (a check or a build): its progress in `status`
    (written by the worker), then its result."""

    future: Future[Any]
    status: Path
    result: Any = None


@dataclass
class Batch:
    """The files a visitor sent at once, and everything made from them: the check (running,
    then its `Check`), the fixes, the builds. Each batch has its own address, so two tabs never
    disturb each other; a visitor's batches stay until they delete them or they expire."""

    id: str
    folder: Path
    #: The names of the files as the visitor sent them, in order.
    sent: list[str] = field(default_factory=list)
    #: (stored path, name as sent) of each file sent.
    stored: list[tuple[str, str]] = field(default_factory=list)
    #: Files this batch offers for download: their name -> where they are.
    files: dict[str, Path] = field(default_factory=dict)
    checking: Job | None = None
    check: Check | None = None
    fixes: list[dict[str, Any]] | None = None
    #: Why the latest step (annotate, fix) could not be done, said once on the findings page.
    step_error: Refusal | None = None
    builds: list[Job] = field(default_factory=list)
    form: BuildForm = field(default_factory=BuildForm)
    #: The findings a refused final build gave (the check's own findings stay as they were).
    refused_build: dict[str, Any] | None = None
    build_error: Refusal | None = None

    def workbooks(self) -> list[tuple[str, str]]:
        """(stored path, shown name) of the workbooks checked, once the check has finished."""
        return list(self.check.checked) if self.check is not None else []

    def running(self) -> list[Job]:
        return [job for job in [self.checking, *self.builds] if job is not None and not job.future.done()]

    def offer(self, paths: list[Path]) -> list[str]:
        """Make files downloadable by their names (a name taken already gets a number)."""
        names = []
        for path in paths:
            name, number = path.name, 1
            while name in self.files and self.files[name] != path:
                number += 1
                name = f"{path.stem} ({number}){path.suffix}"
            self.files[name] = path
            names.append(name)
        return names


def group_findings(items: list[dict[str, Any]], by_file: bool) -> list[dict[str, Any]]:
    """Findings grouped by workbook and sheet: sheets with errors first, errors first in each."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault((item["file"] if by_file else "", item["sheet"] or "Whole workbook"), []).append(item)
    ordered = []
    for (file, sheet), found in groups.items():
        found.sort(key=lambda f: f["severity"] != "error")
        errors = sum(f["severity"] == "error" for f in found)
        ordered.append(
            {"file": file, "sheet": sheet, "items": found, "errors": errors, "warnings": len(found) - errors}
        )
    ordered.sort(key=lambda group: (group["file"], group["errors"] == 0))
    return ordered
