"""What every field type shares: the typed values, the problems a value can have, the Excel
cell a value becomes, and the FieldType base class the types derive from.

A field type turns whatever a cell or an import gives (str, int, float, bool, datetime, None)
into a typed value with `parse`, and a typed value into the text of a return (`display`) and
into an Excel cell (`cell`). It also knows how wide its column is, what to tell the person
filling it in, and which Excel data validation guards it. No third-party imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ..findings import ERROR, WARNING, words
from ..text import clean_text, illegal_characters, strip_illegal

if TYPE_CHECKING:  # pragma: no cover
    from ..schema import FieldSpec

__all__ = [
    "ERROR",
    "WARNING",
    "BeforeYear",
    "Cell",
    "Day",
    "FieldType",
    "Money",
    "MonthYear",
    "Parsed",
    "Problem",
    "as_text",
    "is_empty",
]

MIN_YEAR, MAX_YEAR = 1900, 2100
EXCEL_CELL_LIMIT = 32767
#: Longest text accepted in one field; longer is certainly a mistake (or an attack).
TEXT_LIMIT = 1_000_000


@dataclass(frozen=True)
class Problem:
    """Something wrong with one value, before we know where the value came from."""

    code: str
    severity: str
    message: str
    hint: str = ""
    replacement: str = ""
    #: The part of the value the problem is about, when not the whole cell (one of a list).
    found: str = ""

    @classmethod
    def of(
        cls, code: str, severity: str, variant: str = "", *, replacement: str = "", found: str = "", **params: Any
    ) -> Problem:
        """A problem worded from the findings catalogue (reporting/messages.toml)."""
        message, hint = words(code, variant, **params)
        return cls(code, severity, message, hint, replacement, found)


class MonthYear(NamedTuple):
    """A month of a year, e.g. 07/2018."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


class Day(NamedTuple):
    """A date as precise as its source gives it: a day (18/05/2015), or a month when the
    source names no day (`day` 0: 05/2015)."""

    year: int
    month: int
    day: int = 0

    def __str__(self) -> str:
        if self.day:
            return f"{self.day:02d}/{self.month:02d}/{self.year}"
        return f"{self.month:02d}/{self.year}"

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    def month_year(self) -> MonthYear:
        return MonthYear(self.year, self.month)


class BeforeYear(int):
    """A year researchfish only knows was before another, as in "Pre-2006".

    Its number is the latest year it can be (2005), so it sorts and compares as a year, but it
    reads as it was written and counts in no year of its own.
    """

    def __str__(self) -> str:
        return f"Pre-{int(self) + 1}"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Money(NamedTuple):
    """An amount with (if it was written in the amount itself) its currency."""

    amount: Decimal
    currency: str | None = None


Parsed = tuple[Any, list[Problem]]


@dataclass(frozen=True)
class Cell:
    """A typed value as an Excel cell: what to store, how to show it, and where it links.

    `style` is one of: text, wrap (long text), identifier (kept as text, never a number),
    number, year, money, month (a month/year date), day (a date). Writers map styles to cell formats.
    """

    value: str | int | float | dt.date | None
    style: str = "text"
    link: str | None = None


def as_text(raw: Any) -> str:
    """The text of a cell value as a person would read it."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "Yes" if raw else "No"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.replace("\u00a0", " ").strip())


def clean(raw: Any) -> tuple[str, list[Problem]]:
    """A cell as clean text: control characters Office files cannot hold removed (reported)."""
    problems: list[Problem] = []
    text = as_text(raw)
    bad = illegal_characters(text)
    if bad:
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        problems.append(Problem.of("control-character", WARNING, codes=codes))
        text = strip_illegal(text)
    return clean_text(text), problems


class FieldType:
    """One kind of field. Subclasses set the class attributes and override what differs.

    Adding a type is one subclass registered in fieldtypes/__init__.py; nothing else in the
    tool switches on a type's name.
    """

    #: The name the schema uses (`type = "..."`).
    name: ClassVar[str] = ""
    #: Column width in a workbook, in characters.
    width: ClassVar[float] = 20
    #: How the column is styled in a workbook (see Cell).
    style: ClassVar[str] = "text"
    #: What to type, for the header's comment in a blank workbook.
    hint: ClassVar[str] = ""
    #: Free text a person wrote (searched for partner mentions, used to title an entry).
    textual: ClassVar[bool] = False
    #: Text that may run to several paragraphs.
    long: ClassVar[bool] = False
    #: A date or year ("Still Active" in an export means no date yet).
    dated: ClassVar[bool] = False
    #: A list of several values.
    multiple: ClassVar[bool] = False
    #: How several values found for the field in an imported record are joined.
    joiner: ClassVar[str] = "; "
    #: Values Excel may have turned into dates (a range "3-4"), restored by `parse_date`.
    from_dates: ClassVar[bool] = False

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        """(typed value, problems) for a non-empty raw value; (None, problems) when it cannot
        be understood."""
        raise NotImplementedError

    def parse_date(self, date: dt.date, spec: FieldSpec, typed: int | None) -> Parsed:
        """(value, problems) for a date Excel made of a value (types with `from_dates`);
        `typed` is the year its column was typed in, if known."""
        raise NotImplementedError

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        """A typed value as text for a return; `values` are the entry's other typed values."""
        return str(value)

    def cell(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> Cell:
        """A typed value as an Excel cell."""
        return Cell(self.display(value, spec, values), self.style)

    def years(self, value: Any) -> list[int]:
        """The years a typed value names (for future-year checks); none for most types."""
        return []

    def links(self, text: str) -> tuple[str, ...]:
        """Web addresses a return should link in this field's text."""
        return ()

    def check(self, text: str) -> str:
        """What a person must check in this value before the return is sent (a draft marks
        it), e.g. "not a valid ISSN"; "" when nothing."""
        return ""

    def column_width(self, spec: FieldSpec) -> float:
        return float(max(self.width, min(len(spec.label) + 2, 30)))

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        """An Excel data validation for the column (XlsxWriter's dict form), if any.

        `list_name` is the defined name of the field's vocabulary on the Lists sheet.
        """
        return None

    def join(self, parts: list[str], continuation: bool) -> str:
        """One value from several import columns ("" for an empty one): "Ada" and "Lovelace",
        or an author list continued in Other Authors (`continuation`)."""
        unique: list[str] = []
        for part in parts:
            if part and part not in unique:
                unique.append(part)
        return (", " if continuation else " ").join(unique)
