"""funder-report: turn research outcome spreadsheets into researchfish-style returns.

Library use::

    from reporting import load_schema, load, build
    dataset, findings, rows = load(["outcomes.xlsx"])
    try:
        result = build(["outcomes.xlsx"], "outputs")   # result.outputs: the files written
    except InvalidEntries as invalid:                    # nothing was written
        print(invalid.result.findings.summary())

The package is lazy: `import reporting` (or `reporting.schema`) loads no document library; the
names below are imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and editors
    from .convert import import_to_workbook, init_workbook
    from .errors import InvalidEntries, ReportingError
    from .findings import Finding, Findings
    from .loading import load
    from .pipeline import build
    from .schema import load_schema

__all__ = [
    "Finding",
    "Findings",
    "InvalidEntries",
    "ReportingError",
    "__version__",
    "build",
    "import_to_workbook",
    "init_workbook",
    "load",
    "load_schema",
]

_WHERE = {
    "Finding": "findings",
    "Findings": "findings",
    "ReportingError": "errors",
    "InvalidEntries": "errors",
    "build": "pipeline",
    "import_to_workbook": "convert",
    "init_workbook": "convert",
    "load": "loading",
    "load_schema": "schema",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'reporting' has no attribute {name!r}")
