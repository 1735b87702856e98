"""Field types with a fixed set of answers: a value or several from a vocabulary, yes/no, a
currency code; and an amount of money."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..findings import did_you_mean
from ..text import clean_text
from .base import ERROR, WARNING, Cell, FieldType, Money, Parsed, Problem, as_text, clean

if TYPE_CHECKING:  # pragma: no cover
    from ..schema import FieldSpec
    from ..vocabulary import Vocabulary

_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY"}


def split_choices(text: str) -> list[str]:
    """Split a multi-value cell: on ';' or line breaks, else on GtR's ',' (not ', ')."""
    text = clean_text(text)
    if ";" in text or "\n" in text:
        parts = re.split(r"[;\n]", text)
    else:
        parts = re.split(r",(?! )", text)
    return [p.strip() for p in parts if p.strip()]


def choose(text: str, vocabulary: Vocabulary, last: bool = False) -> tuple[str | None, list[Problem]]:
    """One answer from a vocabulary: the value it means, and what to say about how it was written."""
    value, how = vocabulary.match(text, allow_prefix=last)
    if how == "exact":
        return value, []
    mapped = {"case": "not-in-list-case", "variant": "older-wording", "prefix": "cut-short-value"}
    if how in mapped:
        return value, [Problem.of(mapped[how], WARNING, text=text, meant=value, replacement=value or "", found=text)]
    if how == "legacy":
        return value, [Problem.of("legacy-value", WARNING, text=text, found=text)]
    suggestions = vocabulary.suggest(text)
    if vocabulary.open:
        return text, [
            Problem.of("not-in-list", WARNING, "open", text=text, did_you_mean=did_you_mean(suggestions), found=text)
        ]
    return None, [
        Problem.of(
            "not-in-list",
            ERROR,
            "suggested" if suggestions else "",
            text=text,
            found=text,
            choices=" or ".join(f'"{s}"' for s in suggestions),
        )
    ]


def _undo_excel_date(when: dt.date, vocabulary: Vocabulary) -> str | None:
    """The list value Excel read as a date: "11 - 50" becomes 1 Nov 1950, "1 - 10" 1 October."""
    for candidate in (f"{when.month} - {when.year % 100}", f"{when.day} - {when.month}"):
        value, how = vocabulary.match(candidate)
        if value is not None and how in ("exact", "case", "variant"):
            return value
    return None


def _list_rule(spec: FieldSpec, list_name: str | None, several: bool) -> dict | None:
    vocabulary = spec.vocabulary
    if vocabulary is None or list_name is None:
        return None
    lenient = several or vocabulary.open
    return {
        "validate": "list",
        "source": "=" + list_name,
        "input_title": spec.label[:32],
        "input_message": (
            "Pick one; for several, type them separated by ;" if several else "Pick a value from the list."
        )[:255],
        "error_title": "Not in the list",
        "error_message": (
            f"{spec.label}: this value is not in the list."
            + (" It is kept, but check the spelling." if lenient else " Pick a value from the drop-down.")
        )[:255],
        "error_type": "information" if several else "warning" if vocabulary.open else "stop",
    }


class Choice(FieldType):
    """One value of a vocabulary."""

    name = "choice"
    hint = "Pick one value from the drop-down."

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        assert spec.vocabulary is not None
        if isinstance(raw, (dt.date, dt.datetime)):
            undone = _undo_excel_date(raw, spec.vocabulary)
            if undone is not None:
                return undone, [
                    Problem.of(
                        "older-wording",
                        WARNING,
                        "excel-date",
                        meant=undone,
                        date=f"{raw:%d/%m/%Y}",
                        replacement=undone,
                        found=as_text(raw),
                    )
                ]
        text, problems = clean(raw)
        value, found = choose(text, spec.vocabulary)
        return value, problems + found

    def column_width(self, spec: FieldSpec) -> float:
        longest = max((len(v) for v in spec.vocabulary.values), default=10) if spec.vocabulary else 10
        return float(min(max(longest + 2, len(spec.label) + 2, 12), 45))

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        return _list_rule(spec, list_name, several=False)


class Choices(Choice):
    """Several values of a vocabulary, in the vocabulary's order."""

    name = "choices"
    hint = "Pick from the drop-down; for several, type them separated by ';'."
    multiple = True

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        assert spec.vocabulary is not None
        vocabulary = spec.vocabulary
        text, problems = clean(raw)
        values: list[str] = []
        parts = split_choices(text)
        for index, part in enumerate(parts):
            # Only the last value of a list can have been cut short (GtR truncates long lists).
            value, found = choose(part, vocabulary, last=index == len(parts) - 1 and len(parts) > 1)
            problems.extend(found)
            if value is not None and value not in values:
                values.append(value)
        if any(p.severity == ERROR for p in problems):
            return None, problems
        order = {v: i for i, v in enumerate(vocabulary.values + vocabulary.legacy)}
        values.sort(key=lambda v: order.get(v, len(order)))
        return (values or None), problems

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        return "; ".join(value)

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        return _list_rule(spec, list_name, several=True)


class YesNo(FieldType):
    """Yes or No."""

    name = "yes_no"
    width = 11
    hint = "Yes or No."

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        if isinstance(raw, bool):
            return raw, []
        text = clean_text(as_text(raw)).casefold()
        if text in {"yes", "y", "true", "1"}:
            return True, []
        if text in {"no", "n", "false", "0"}:
            return False, []
        return None, [Problem.of("bad-yes-no", ERROR, text=as_text(raw))]

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        return "Yes" if value else "No"

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        return {
            "validate": "list",
            "source": ["Yes", "No"],
            "error_title": "Yes or No",
            "error_message": f"{spec.label}: choose Yes or No.",
        }


class Currency(FieldType):
    """A three-letter ISO 4217 code (its vocabulary feeds the drop-down)."""

    name = "currency"
    width = 10

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text = clean_text(as_text(raw)).upper()
        named = re.fullmatch(r"([A-Z]{3})\s+[A-Z][A-Z .'()-]+", text)  # "GBP British Pound Sterling"
        if named:
            text = named.group(1)
        if not re.fullmatch(r"[A-Z]{3}", text):
            return None, [Problem.of("bad-currency", ERROR, text=as_text(raw))]
        if spec.vocabulary is not None and text not in spec.vocabulary.values:
            return text, [Problem.of("not-in-list", WARNING, "currency", text=text)]
        return text, []

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        return _list_rule(spec, list_name, several=False)


def format_money(amount: Decimal, currency: str | None) -> str:
    """Money as UK reports write it: £53,886 (a symbol, or the code after the amount where the
    currency has no symbol: 53,886 CHF); pence only where there are some."""
    currency = currency or "GBP"
    symbol = {"GBP": "£", "USD": "$", "EUR": "€"}.get(currency, "")
    digits = f"{amount:,.2f}"
    if digits.endswith(".00"):
        digits = digits[:-3]
    return f"{symbol}{digits}" if symbol else f"{digits} {currency}"


class MoneyType(FieldType):
    """An amount; its currency is in the field named by the spec's `currency` (none: GBP)."""

    name = "money"
    width = 14
    style = "money"

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        currency = None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            amount = Decimal(str(raw))
        else:
            text = as_text(raw).strip()
            code = re.search(r"\(?\b([A-Z]{3})\b\)?", text)
            if code:
                currency = code.group(1)
                text = text[: code.start()] + text[code.end() :]
            for symbol, iso in _CURRENCY_SYMBOLS.items():
                if symbol in text:
                    currency = currency or iso
                    text = text.replace(symbol, "")
            text = text.replace(",", "").replace(" ", "").strip()
            try:
                amount = Decimal(text)
            except InvalidOperation:
                return None, [Problem.of("bad-amount", ERROR, text=as_text(raw))]
        if amount < 0 or not amount.is_finite():
            return None, [Problem.of("bad-amount", ERROR, "negative", amount=amount)]
        return Money(amount, currency), []

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        stated = values.get(spec.currency) if spec.currency else None
        return format_money(value.amount, stated or value.currency)

    def cell(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> Cell:
        return Cell(float(value.amount), "money")

    def validation(self, spec: FieldSpec, list_name: str | None) -> dict | None:
        return {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "Not an amount",
            "error_message": f"{spec.label}: enter the amount as a number, e.g. 53886.",
        }
