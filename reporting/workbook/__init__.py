"""Input workbooks: the hostile-file gate (guard), where things are (layout), reading values
(values, sheetxml), records in the tool's layout (read), other tools' sheets as tables (tables),
and copies with something added (copies). The input workbook's layout for writing is in
inputs.py; its tables of cells in sheets.py.
"""

from __future__ import annotations

from .copies import Fix, annotate, append_rows, apply_fixes, write_suggestions
from .guard import custom_property
from .layout import MAX_ROWS_PER_SHEET, NOTE_PREFIXES, OWN_SHEETS, sheet_kinds
from .read import read_workbook
from .tables import Table, read_tables

__all__ = [
    "MAX_ROWS_PER_SHEET",
    "custom_property",
    "NOTE_PREFIXES",
    "OWN_SHEETS",
    "Table",
    "annotate",
    "append_rows",
    "read_tables",
    "read_workbook",
    "sheet_kinds",
    "write_suggestions",
    "Fix",
    "apply_fixes",
]
