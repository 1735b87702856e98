"""Field types: one class per type (parse, display, Excel cell, column, help, validation),
registered here by the name the schema uses. The schema resolves each field's type once, when it
is loaded (`FieldSpec.kind`); nothing else in the tool switches on a type's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .base import (
    EXCEL_CELL_LIMIT,
    BeforeYear,
    Cell,
    Day,
    FieldType,
    Money,
    MonthYear,
    Parsed,
    Problem,
    as_text,
    is_empty,
)
from .choices import Choice, Choices, Currency, MoneyType, YesNo, format_money, split_choices
from .dates import DateType, MonthYearType, Year, Years, excel_serial_to_datetime
from .ranges import NumberRange, typing_year
from .texts import (
    Doi,
    Identifier,
    Isbn,
    Issn,
    LongText,
    Names,
    Orcid,
    Text,
    Url,
    bare_doi,
    draft_check,
    is_placeholder,
    orcid_check_digit,
    url_is_clickable,
    urls_in,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..schema import FieldSpec

__all__ = [
    "bare_doi",
    "is_placeholder",
    "EXCEL_CELL_LIMIT",
    "REGISTRY",
    "BeforeYear",
    "Cell",
    "Day",
    "FieldType",
    "Money",
    "MonthYear",
    "Parsed",
    "Problem",
    "as_text",
    "display",
    "draft_check",
    "excel_serial_to_datetime",
    "format_money",
    "is_empty",
    "orcid_check_digit",
    "parse",
    "typing_year",
    "show",
    "split_choices",
    "url_is_clickable",
    "urls_in",
]

#: Every field type, by the name the schema uses.
REGISTRY: dict[str, FieldType] = {
    kind.name: kind
    for kind in (
        Text(),
        LongText(),
        Year(),
        Years(),
        MonthYearType(),
        DateType(),
        MoneyType(),
        Choice(),
        Choices(),
        YesNo(),
        Url(),
        Doi(),
        Identifier(),
        NumberRange(),
        Names(),
        Orcid(),
        Currency(),
        Issn(),
        Isbn(),
    )
}


def parse(spec: FieldSpec, raw: Any, typed: int | None = None) -> Parsed:
    """Parse one raw value for `spec`; empty cells give (None, []). `typed`: for a range Excel
    turned into a date, the year its column was typed in (`typing_year`), if known."""
    if is_empty(raw):
        return None, []
    if spec.kind.from_dates and isinstance(raw, dt.date):
        day = raw.date() if isinstance(raw, dt.datetime) else raw
        return spec.kind.parse_date(day, spec, typed)
    return spec.kind.parse(raw, spec)


def display(spec: FieldSpec, value: Any, values: Mapping[str, Any] | None = None) -> str:
    """A typed value as text for a return ("" for none)."""
    return "" if value is None else spec.kind.display(value, spec, values or {})


def show(spec: FieldSpec, values: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> str:
    """A field's value as text for a return: its typed value displayed, or, where it could not
    be typed, the value as it was entered; "" when empty."""
    if spec.key in values and values[spec.key] not in (None, "", []):
        return spec.kind.display(values[spec.key], spec, values)
    value = (raw or {}).get(spec.key)
    return "" if value in (None, "") else as_text(value)
