"""Numbers and ranges as printed (pages 101-118, issue 3-4), and the dates Excel made of them.

Excel reads "3-4" typed in 2022 as 3 April 2022 and "1-13" as January 2013: a range of pages
or issues comes back as a date. A date on a day other than the 1st was "day-month" (the year is
the one it was typed in); a date on the 1st was "month-year" ("1-13"), or "1-month" when its
year is the year it was typed, which a column's other dates tell (`typing_year`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .base import WARNING, Parsed, Problem
from .texts import Identifier

if TYPE_CHECKING:  # pragma: no cover
    from ..schema import FieldSpec


def typing_year(dates: Iterable[dt.date]) -> int | None:
    """The year the ranges of one column were typed in, judged from the dates Excel made of
    them: the commonest year of those on a day other than the 1st (only "day-month" gives
    those, with the year typed), else the commonest year of two or more; None when unknown."""
    dates = list(dates)
    days = Counter(d.year for d in dates if d.day != 1)
    if days:
        return days.most_common(1)[0][0]
    years = Counter(d.year for d in dates).most_common(1)
    return years[0][0] if years and years[0][1] > 1 else None


def restored(date: dt.date, typed: int | None) -> tuple[str, str]:
    """(the range Excel made `date` of, another reading or "")."""
    if date.day != 1:
        return f"{date.day}-{date.month}", ""
    month_year = f"{date.month}-{date.year % 100:02d}"
    if date.month == 1 or (typed is not None and date.year != typed):
        return month_year, ""  # "1-1" typed as a range is a single page: it was "1-YY"
    first_to = f"1-{date.month}"
    if date.year == typed:
        return first_to, month_year
    return month_year, first_to  # no other dates to tell: both readings named


class NumberRange(Identifier):
    """A number or range kept as printed ("101-118", "3-4", "e1002"); one Excel had turned into a
    date is restored, with a warning to check it."""

    name = "range"
    from_dates = True

    def parse_date(self, date: dt.date, spec: FieldSpec, typed: int | None) -> Parsed:
        text, other = restored(date, typed)
        variant = "either" if other else ""
        return text, [
            Problem.of(
                "excel-date",
                WARNING,
                variant,
                replacement=text,
                label=spec.label,
                text=text,
                other=other,
                date=f"{date.day} {date:%B %Y}",
            )
        ]
