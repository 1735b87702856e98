"""What the page keeps for each visitor between requests, as typed values: the latest check, the
fixes, the build (running or finished), the build form as last sent, a notice to show.

Check and build results cross from the worker processes as these values (plain data inside:
findings as their dicts, paths as text, the visitor's names for the server's paths). No Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Built", "BuildForm", "Check", "Job", "Notice", "Refusal", "VisitorState", "group_findings"]

#: A refusal in the page's words: {"message": ..., "hint": ...} (and "file" for a workbook).
Refusal = dict[str, str]


@dataclass
class Check:
    """What one check of the visitor's workbooks found: what `validate --json` reports, the
    workbooks the hostile-file gate refused, the rows read and how many findings the safe
    fixes would settle."""

    refused: list[Refusal] = field(default_factory=list)
    rows: int = 0
    awards: int = 0
    ok: bool = True
    errors: int = 0
    warnings: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    fixable: int = 0

    def to_dict(self) -> dict[str, Any]:
        """As `findings.json` offers it."""
        data = asdict(self)
        del data["fixable"]
        return data

    def with_findings(self, found: Mapping[str, Any]) -> Check:
        """This check with the findings (ok, errors, warnings, findings) a later step found."""
        return Check(
            self.refused,
            self.rows,
            self.awards,
            bool(found["ok"]),
            int(found["errors"]),
            int(found["warnings"]),
            list(found["findings"]),
            int(found.get("fixable", self.fixable)),
        )


@dataclass
class Notice:
    """What the findings page says after a step: the files it made ready, or why it could not."""

    files: list[str] = field(default_factory=list)
    what: str = ""
    error: Refusal | None = None


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
    """A visitor's build: running in a worker, its progress in `status`, then its result."""

    future: Future[Built]
    status: Path
    result: Built | None = None


@dataclass
class VisitorState:
    """Everything the pages show of one visitor's work; reset when they send other workbooks."""

    check: Check | None = None
    fixes: list[dict[str, Any]] | None = None
    job: Job | None = None
    notice: Notice | None = None
    build_error: Refusal | None = None
    form: BuildForm = field(default_factory=BuildForm)


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
