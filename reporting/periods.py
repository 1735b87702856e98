"""Reporting periods: which entries fall in a year or a window of months.

Each section's dating field(s) are named in the schema (`period`): one field (a year, a list
of years, a month/year) or a start and an end. An entry is in a period when any part of its
dates overlaps it, so an entry spanning several years is in every period it touches; an entry
with a start and no end is still running. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import UsageError, option
from .fieldtypes import BeforeYear, Day, MonthYear
from .model import Entry

_OPEN_END = MonthYear(9999, 12)


@dataclass(frozen=True)
class Period:
    """A reporting period from `start` to `end` inclusive, both months."""

    start: MonthYear
    end: MonthYear

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.end.month == 12:
            if self.start.year == self.end.year:
                return str(self.start.year)
            return f"{self.start.year}-{self.end.year}"
        return f"{self.start} to {self.end}"

    @property
    def slug(self) -> str:
        if self.start.month == 1 and self.end.month == 12:
            return self.label
        return f"{self.start.year}-{self.start.month:02d}-to-{self.end.year}-{self.end.month:02d}"

    def overlaps(self, start: MonthYear, end: MonthYear) -> bool:
        return start <= self.end and end >= self.start


def parse_month(text: str, end: bool = False, param: str | None = None) -> MonthYear:
    """`2019-04`, `04/2019` or `2019` (January, or December when it is an end)."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if match and "/" in text:
        year, month = int(match.group(2)), int(match.group(1))
    elif match:
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    else:
        raise UsageError(f'"{text}" is not a month.', "Write months as YYYY-MM, e.g. 2019-04.", param=param)
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        raise UsageError(f'"{text}" is not a month.', "Write months as YYYY-MM, e.g. 2019-04.", param=param)
    return MonthYear(year, month)


def make_period(year: str | None = None, start: str | None = None, end: str | None = None) -> Period | None:
    """The period asked for: a year or years (`year`), or months (`start` and `end`), if any."""
    if year and (start or end):
        raise UsageError(f"Give either {option('year')} or {option('start')}/{option('end')}, not both.", param="year")
    if year:
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", year.strip())
        if not match:
            raise UsageError(
                f'{option("year")} takes a year such as 2019 (or 2019-2020), not "{year}".',
                f"For months use {option('start')} 2019-04 {option('end')} 2020-03.",
                param="year",
            )
        period = Period(MonthYear(int(match.group(1)), 1), MonthYear(int(match.group(2) or match.group(1)), 12))
        if period.end < period.start:
            raise UsageError(f"{option('year')} {year} ends before it starts.", param="year")
        return period
    if start or end:
        if not (start and end):
            raise UsageError(
                f"{option('start')} and {option('end')} go together.",
                f"For example: {option('start')} 2019-04 {option('end')} 2020-03.",
                param="start" if not start else "end",
            )
        period = Period(parse_month(start, param="start"), parse_month(end, end=True, param="end"))
        if period.end < period.start:
            raise UsageError(f"{option('end')} {end} is before {option('start')} {start}.", param="end")
        return period
    return None


def _year(value: object) -> bool:
    """A year that dates an entry ("Pre-2006" does not: it could be any year before)."""
    return isinstance(value, int) and not isinstance(value, (bool, BeforeYear))


def _bounds(value: object, is_end: bool) -> list[MonthYear]:
    if value is None or isinstance(value, BeforeYear):
        return []
    if isinstance(value, MonthYear):
        return [value]
    if isinstance(value, list):
        return [MonthYear(y, 12 if is_end else 1) for y in value if _year(y)]
    if isinstance(value, int) and _year(value):
        return [MonthYear(value, 12 if is_end else 1)]
    return []


def intervals(entry: Entry) -> list[tuple[MonthYear, MonthYear]]:
    """The spans of months an entry covers; empty when it is undated."""
    period = entry.section.period
    if not period:
        return []
    if len(period) == 1:
        value = entry.values.get(period[0])
        if isinstance(value, list):
            return [(MonthYear(y, 1), MonthYear(y, 12)) for y in value if _year(y)]
        starts, ends = _bounds(value, False), _bounds(value, True)
        return [(starts[0], ends[0])] if starts else []
    starts = _bounds(entry.values.get(period[0]), False)
    ends = _bounds(entry.values.get(period[1]), True)
    if not starts:
        return [(ends[0], ends[0])] if ends else []
    return [(starts[0], ends[0] if ends else _OPEN_END)]


def select(entries: Iterable[Entry], period: Period) -> tuple[list[Entry], list[Entry]]:
    """(entries in the period, entries that have no date and so cannot be placed)."""
    kept, undated = [], []
    for entry in entries:
        spans = intervals(entry)
        if not spans:
            undated.append(entry)
        elif any(period.overlaps(start, end) for start, end in spans):
            kept.append(entry)
    return kept, undated


def entry_years(entry: Entry) -> set[int]:
    """The calendar years an entry touches, for yearly counts. An entry still running (a start
    and no end) counts in its start year only, so counts do not change with today's date."""
    years: set[int] = set()
    for start, end in intervals(entry):
        last = start.year if end == _OPEN_END else end.year
        years.update(range(start.year, last + 1))
    return years


def _when(value: object) -> tuple[int, int, int] | None:
    """(year, month, day) of a dating value, 0 for what it does not say."""
    if isinstance(value, Day):
        return (value.year, value.month, value.day)
    if isinstance(value, MonthYear):
        return (value.year, value.month, 0)
    if isinstance(value, list):
        return max(((y, 0, 0) for y in value if _year(y)), default=None)
    return (value, 0, 0) if isinstance(value, int) and _year(value) else None


def latest_date(entry: Entry) -> tuple[int, int, int] | None:
    """When an entry last happened, as precisely as it says, for ordering a section: (year,
    month, day) of its end (its start while it runs), 0 where the month or day is not known;
    a publication's month comes from its Month field. None when it is undated."""
    period = entry.section.period
    dates = [_when(entry.values.get(key)) for key in period]
    known = [d for d in dates if d is not None]
    if not known:
        return None
    year, month, day = max(known)
    if not month and entry.values.get("month") is not None:
        text = str(entry.values["month"]).strip()
        month = int(text) if text.isdigit() and 1 <= int(text) <= 12 else 0
    return (year, month, day)


def years_in(entry: Entry, period: Period | None) -> set[int]:
    """The calendar years an entry is counted in: with no period, the years it touches
    (`entry_years`); in a period, the years of the period it is active in (an entry still
    running counts in each year of the period from its start on)."""
    if period is None:
        return entry_years(entry)
    years: set[int] = set()
    for start, end in intervals(entry):
        if period.overlaps(start, end):
            years.update(range(max(start, period.start).year, min(end, period.end).year + 1))
    return years
