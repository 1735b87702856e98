"""What a build is asked to do, and what it did: the seam between the command line, the web
page, library callers and `pipeline.run`.

A `Request` is frozen: the inputs, the output folder, what to make (returns, partner profiles,
the portfolio report), the reporting period and other choices, PDFs, processes, force. The
`Report` that `pipeline.run` returns holds one `BuildResult` per kind made (its files and
counts), the PDFs and the findings; the console and the page each render it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ReportingError
from .findings import Findings
from .outputs import DEFAULT_OUTPUTS
from .periods import Period

__all__ = ["BuildResult", "Make", "Progress", "Report", "Request", "StageProgress"]


class Make(enum.StrEnum):
    """What a request makes. Its value names the stage in progress reports and, for a request
    that keeps each kind apart (`Request.separate`), the kind's sub-folder."""

    RETURNS = "returns"
    PROFILES = "profiles"
    PORTFOLIO = "portfolio"


#: The progress stage of the PDF conversion (the other stages are the Make values).
PDF_STAGE = "pdf"
#: The stage of `Progress` while the inputs are read and checked.
READ_STAGE = "read"

#: Called as (stage, items done, items) while a request runs: stage is a Make value, "read" or "pdf".
Progress = Callable[[str, int, int], None]
#: Called as (items done, items) within one stage.
StageProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Request:
    """One build, as the command line, the page or a library caller asks for it."""

    inputs: tuple[Path, ...] = ()
    out: Path = DEFAULT_OUTPUTS
    make: tuple[Make, ...] = (Make.RETURNS,)
    #: Entries dated in this period only (None: every entry).
    period: Period | None = None
    #: Leave out entries marked Internal.
    public: bool = False
    #: The previous submission: what changed is marked (returns) or counted (portfolio).
    since: tuple[Path, ...] = ()
    #: The return to send: placeholder text and links cut short are errors.
    final: bool = False
    #: Profiles of these partners only (default: every partner with an entry).
    partners: tuple[str, ...] = ()
    #: A CSV of Award Reference and Group for the portfolio report (default: the Award sheet's Group).
    groups: Path | None = None
    #: The programme the portfolio report is of, named on its cover (default: the one group
    #: every award is in, if there is one).
    programme: str = ""
    template: Path | None = None
    templates: Path | None = None
    #: Also convert each Word file to PDF (LibreOffice).
    pdf: bool = False
    processes: int | None = None
    #: Replace output files a person changed.
    force: bool = False
    #: Each kind in its own sub-folder of `out` (returns/, profiles/, portfolio/), as the page keeps them.
    separate: bool = False

    def folder(self, kind: Make) -> Path:
        """Where the files of `kind` go."""
        return self.out / kind.value if self.separate else self.out

    @classmethod
    def of(
        cls,
        inputs: Any = (),
        out: Path | str = DEFAULT_OUTPUTS,
        make: tuple[Make, ...] = (Make.RETURNS,),
        **choices: Any,
    ) -> Request:
        """A request from the looser values library callers pass (lists of paths or strings)."""
        for name in ("since", "partners"):
            if name in choices:
                choices[name] = tuple(choices[name] or ())
        for name in ("groups", "template", "templates"):
            if choices.get(name) is not None:
                choices[name] = Path(choices[name])
        return cls(inputs=tuple(Path(p) for p in inputs), out=Path(out), make=make, **choices)


@dataclass
class BuildResult:
    """What one kind of a build made: the files written and the findings that accompanied it."""

    outputs: list[Path] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)
    #: Awards (or partners, for profiles) given a file, and entries read.
    awards: int = 0
    entries: int = 0
    rows_read: int = 0
    #: Entries in the files written (fewer than `entries` with a period or --public; an entry
    #: of several awards or partners counts once).
    used: int = 0
    period: str = ""
    public: bool = False
    #: Why nothing was written although the entries are valid (e.g. no partner has entries).
    empty_because: str = ""
    #: Other things the user should know (a Word template lacking styles).
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outputs": [str(p) for p in self.outputs],
            "files_for": self.awards,
            "entries_read": self.entries,
            "entries_used": self.used,
            "period": self.period,
            "public": self.public,
            "nothing_written_because": self.empty_because,
            "notes": list(self.notes),
            **self.findings.to_dict(),
        }


@dataclass
class Report:
    """What a request made: each kind's result, in the order asked, then the PDFs."""

    request: Request
    results: dict[Make, BuildResult] = field(default_factory=dict)
    pdfs: list[Path] = field(default_factory=list)
    #: Fonts the PDFs need that are not installed (their lines break differently from Word's).
    missing_fonts: tuple[str, ...] = ()
    #: Why the PDFs could not be made (the Word and Excel files were written).
    pdf_error: ReportingError | None = None

    @property
    def outputs(self) -> list[Path]:
        """Every file written: each kind's, then the PDFs."""
        return [path for result in self.results.values() for path in result.outputs] + self.pdfs

    def to_dict(self) -> dict[str, Any]:
        """One kind's result as its dict, the PDFs among its outputs (what `--json` prints)."""
        if len(self.results) == 1:
            data = next(iter(self.results.values())).to_dict()
            data["outputs"] += [str(p) for p in self.pdfs]
            return data
        return {
            **{kind.value: result.to_dict() for kind, result in self.results.items()},
            "pdfs": [str(p) for p in self.pdfs],
        }
