"""funder-report: turn research outcome spreadsheets into researchfish-style returns.

Library use::

    from reporting import load_schema, load, build
    dataset, findings, rows = load(["outcomes.xlsx"])
    result = build(["outcomes.xlsx"], "outputs")
"""

__version__ = "0.1.0"

from .errors import ReportingError  # noqa: E402
from .findings import Finding, Findings  # noqa: E402
from .pipeline import build, import_to_workbook, init_workbook, load  # noqa: E402
from .schema import load_schema  # noqa: E402

__all__ = [
    "Finding",
    "Findings",
    "ReportingError",
    "build",
    "import_to_workbook",
    "init_workbook",
    "load",
    "load_schema",
]
