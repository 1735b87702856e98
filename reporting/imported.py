"""What an import wrote, remembered value by value, so that leniency belongs to values.

What researchfish or GtR accepted years ago is never refused: a gap is "not recorded", a
retired wording is kept. That holds only while a value is as imported. An imported workbook
keeps a hidden sheet (`SHEET`) with one row per imported entry: its sheet, row and Entry ID,
and a fingerprint of each of its values as written. Reading the workbook back, an entry found
there is *imported*; each of its values that still has its fingerprint is checked leniently,
and a value a person changed, a row a person added (or whose Entry ID they changed) is
checked as strictly as a new entry.

No third-party imports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = [
    "FRESH",
    "FUNDER_SOURCES",
    "HEADERS",
    "SHEET",
    "Imported",
    "decode",
    "encode",
    "fingerprint",
    "from_funder",
    "unchanged",
]

SHEET = "Imported Values"
HEADERS = ("Sheet", "Row", "Entry ID", "Values")

#: The fingerprints of an entry as imported: field key -> fingerprint (fields empty at import
#: have none). `FRESH` marks records straight from an import, every value as the source gave it.
Imported = Mapping[str, str]
FRESH: Imported = {"*": "fresh"}


def _text(value: Any) -> str:
    """A value as the same text whether it is the value written or the value read back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text.casefold() if text.casefold() in ("yes", "no", "true", "false") else text


def fingerprint(value: Any) -> str:
    """A short fingerprint of a cell's value ("" for an empty cell)."""
    text = _text(value)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12] if text else ""


def encode(values: Mapping[str, Any]) -> str:
    """The fingerprints of an entry's values, as the text of one cell."""
    marks = ((key, fingerprint(value)) for key, value in sorted(values.items()))
    return ";".join(f"{key}={mark}" for key, mark in marks if mark)


def decode(text: Any) -> dict[str, str]:
    """The fingerprints a cell holds (nothing for a cell that is not of this form)."""
    found: dict[str, str] = {}
    for part in str(text or "").split(";"):
        key, _, value = part.partition("=")
        if key.strip() and value.strip():
            found[key.strip()] = value.strip()
    return found


#: Sources whose entries the funder accepted (an entry's Imported From); any other source is a
#: publication list, whose values are kept as it gives them, and whose gaps are its own.
FUNDER_SOURCES = ("GtR", "researchfish")


def from_funder(imported_from: Any) -> bool:
    """Whether an entry imported from `imported_from` (its Imported From) is one the funder
    accepted (blank: the tool's own workbooks of older versions, which said nothing)."""
    source = str(imported_from or "").strip()
    return not source or source in FUNDER_SOURCES


def unchanged(imported: Imported | None, key: str, value: Any) -> bool:
    """Whether a field's value is as it was imported."""
    if imported is None:
        return False
    if imported is FRESH:
        return True
    return imported.get(key, "") == fingerprint(value)
