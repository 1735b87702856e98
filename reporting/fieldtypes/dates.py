"""Field types of time: a year, a list of years, a month and year."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .base import ERROR, MAX_YEAR, MIN_YEAR, BeforeYear, Cell, Day, FieldType, MonthYear, Parsed, Problem, as_text

if TYPE_CHECKING:  # pragma: no cover
    from ..schema import FieldSpec

_YEAR_TOKEN = re.compile(r"^(\d{4})(?:\.0+)?$")
_BEFORE_YEAR = re.compile(r"^(?:pre|before)[-\s]?(\d{4})$", re.I)
#: Years written together without a separator, as some researchfish exports do ("20192020").
_RUN_OF_YEARS = re.compile(r"^(?:(?:19|20)\d{2}){2,}$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
_MONTHS = {
    name: i
    for i, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial_to_datetime(serial: float) -> dt.datetime:
    """Convert an Excel 1900-system date serial to a datetime."""
    return _EXCEL_EPOCH + dt.timedelta(days=float(serial))


def _before(text: str) -> BeforeYear | None:
    match = _BEFORE_YEAR.match(text)
    if match and MIN_YEAR < int(match.group(1)) <= MAX_YEAR:
        return BeforeYear(int(match.group(1)) - 1)
    return None


class Year(FieldType):
    """A four-digit year, or "Pre-2006" as researchfish wrote for early years."""

    name = "year"
    width = 10
    style = "year"
    hint = "A four-digit year."
    dated = True

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        if isinstance(raw, (dt.date, dt.datetime)):
            return raw.year, []
        text = as_text(raw).strip().lstrip("'").strip()
        before = _before(text)
        if before is not None:
            return before, []
        iso = re.match(r"^(\d{4})-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?$", text)
        match = _YEAR_TOKEN.match(iso.group(1) if iso else text)
        if not match:
            return None, [Problem.of("bad-year", ERROR, text=text)]
        year = int(match.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None, [Problem.of("bad-year", ERROR, "range", year=year, low=MIN_YEAR, high=MAX_YEAR)]
        return year, []

    def cell(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> Cell:
        return Cell(str(value), "text") if isinstance(value, BeforeYear) else Cell(int(value), "year")

    def years(self, value: Any) -> list[int]:
        return [value]

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": MIN_YEAR,
            "maximum": MAX_YEAR,
            "error_title": "Not a year",
            "error_message": f"{spec.label}: enter a four-digit year, e.g. 2019.",
        }


class Years(FieldType):
    """One or more years: "2018, 2019", "2017-2019", GtR's "2018,2019", an export's "20182019"."""

    name = "years"
    width = 16
    hint = "One or more years, separated by commas."
    dated = True
    multiple = True

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= 10000:
            raw = as_text(raw)  # years run together into one number: 20192020
        if isinstance(raw, (int, float, dt.date)) and not isinstance(raw, bool):
            year, problems = YEAR.parse(raw, spec)
            return ([year] if year is not None else None), problems
        text = as_text(raw).strip().lstrip("'").strip()
        text = re.sub(r"(\d{4})\s*[-–]\s*(\d{4})", r"\1-\2", text)
        tokens: list[str] = []
        for token in re.split(r"[,;/\s]+", text):
            if _RUN_OF_YEARS.match(token):
                tokens.extend(token[i : i + 4] for i in range(0, len(token), 4))
            else:
                tokens.append(token)
        years: set[int] = set()
        bad: list[str] = []
        for token in (t.strip() for t in tokens):
            if not token:
                continue
            before = _before(token)
            if before is not None:
                years.add(before)
                continue
            span = _YEAR_RANGE.match(token)
            if span:
                first, last = int(span.group(1)), int(span.group(2))
                if first <= last and MIN_YEAR <= first and last <= MAX_YEAR:
                    years.update(range(first, last + 1))
                    continue
            match = _YEAR_TOKEN.match(token)
            if match and MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
                years.add(int(match.group(1)))
            else:
                bad.append(token)
        if bad:
            return None, [
                Problem.of(
                    "bad-year",
                    ERROR,
                    "list",
                    texts=", ".join(repr(b) for b in bad),
                    verb="is" if len(bad) == 1 else "are",
                )
            ]
        return (sorted(years) or None), []

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        return ", ".join(str(y) for y in value)

    def years(self, value: Any) -> list[int]:
        return list(value)


class MonthYearType(FieldType):
    """A month and year, e.g. 07/2018: text in several forms, an Excel date or date serial."""

    name = "month_year"
    width = 11
    style = "month"
    hint = "Month and year, e.g. 07/2018."
    dated = True

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        if isinstance(raw, (dt.datetime, dt.date)):
            return MonthYear(raw.year, raw.month), []
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 20000 < raw < 80000:
            when = excel_serial_to_datetime(raw)
            return MonthYear(when.year, when.month), []
        text = as_text(raw).strip().lstrip("'").strip()
        patterns: list[tuple[str, Callable[[re.Match], tuple[int, int]]]] = [
            (r"^(\d{1,2})[/.-](\d{4})$", lambda m: (int(m.group(2)), int(m.group(1)))),
            (r"^(\d{4})[/.-](\d{1,2})(?:[/.-]\d{1,2})?(?:[ T].*)?$", lambda m: (int(m.group(1)), int(m.group(2)))),
            (r"^\d{1,2}[/.-](\d{1,2})[/.-](\d{4})$", lambda m: (int(m.group(2)), int(m.group(1)))),
            (r"^([A-Za-z]{3,9})\.?\s+(\d{4})$", lambda m: (int(m.group(2)), _MONTHS.get(m.group(1)[:3].lower(), 0))),
        ]
        for pattern, pick in patterns:
            match = re.match(pattern, text)
            if match:
                year, month = pick(match)
                if 1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR:
                    return MonthYear(year, month), []
                break
        if _YEAR_TOKEN.match(text):
            return None, [Problem.of("bad-date", ERROR, "no-month", text=text)]
        return None, [Problem.of("bad-date", ERROR, text=text)]

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        """As UK reports write a month: July 2018."""
        return f"{_MONTH_NAMES[value.month - 1]} {value.year}"

    def cell(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> Cell:
        return Cell(value.as_date(), "month")

    def join(self, parts: list[str], continuation: bool) -> str:
        """A month and a year from two columns: "07/2020" from 7 and 2020, the year alone when
        the month is missing or "00" (reported as such on validation)."""
        if len(parts) != 2:
            return " ".join(parts)
        month, year = parts
        if not year:
            return month
        if month.isdigit() and 1 <= int(month) <= 12:
            return f"{int(month):02d}/{year}"
        if month[:3].casefold() in _MONTHS:
            return f"{month} {year}"
        return year


_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
#: Dates as sources write them, with their day: ISO (2015-05-18, with a time or not), the UK's
#: 18/05/2015, and 18 May 2015.
_DAY_PATTERNS: list[tuple[str, Callable[[re.Match], tuple[int, int, int]]]] = [
    (
        r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$",
        lambda m: (int(m.group(1)), int(m.group(2)), int(m.group(3))),
    ),
    (r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", lambda m: (int(m.group(3)), int(m.group(2)), int(m.group(1)))),
    (
        r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$",
        lambda m: (int(m.group(3)), _MONTHS.get(m.group(2)[:3].lower(), 0), int(m.group(1))),
    ),
]


class DateType(FieldType):
    """A date kept as precise as its source gives it: a day (GtR's 2015-05-18, an Excel date,
    18/05/2015) or a month (05/2015, May 2015). Shown as UK reports write dates: "18 May 2015",
    "May 2015"."""

    name = "date"
    width = 12
    style = "day"
    hint = "A date, e.g. 18/05/2015, or the month and year (05/2015) when the day is not known."
    dated = True

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        if isinstance(raw, (dt.datetime, dt.date)):
            return Day(raw.year, raw.month, raw.day), []
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if 20000 < raw < 80000:  # an Excel date serial
                when = excel_serial_to_datetime(raw)
                return Day(when.year, when.month, when.day), []
            if 1e11 < abs(raw) < 1e13:  # milliseconds since 1970, as GtR's API gives dates
                when = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=raw)
                return Day(when.year, when.month, when.day), []
        text = as_text(raw).strip().lstrip("'").strip()
        for pattern, pick in _DAY_PATTERNS:
            match = re.match(pattern, text)
            if match:
                year, month, day = pick(match)
                try:
                    dt.date(year, month, day)
                except ValueError:
                    return None, [Problem.of("bad-date", ERROR, "day", text=text)]
                if MIN_YEAR <= year <= MAX_YEAR:
                    return Day(year, month, day), []
                return None, [Problem.of("bad-date", ERROR, "day", text=text)]
        month_year, problems = MONTH_YEAR.parse(text, spec)
        if month_year is None:
            if _YEAR_TOKEN.match(text):
                return None, problems
            return None, [Problem.of("bad-date", ERROR, "day", text=text)]
        return Day(month_year.year, month_year.month), []

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        month = _MONTH_NAMES[value.month - 1]
        return f"{value.day} {month} {value.year}" if value.day else f"{month} {value.year}"

    def cell(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> Cell:
        # A day is an Excel date; a month alone stays text ("05/2015"), so that reading the
        # workbook back gives the month, not the first of the month.
        return Cell(value.as_date(), "day") if value.day else Cell(str(value), "text")


YEAR = Year()
MONTH_YEAR = MonthYearType()
