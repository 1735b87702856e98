"""Field types: turn a raw cell value into a typed value, and a typed value into text.

Each parser takes whatever a spreadsheet cell or an import gives (str, int, float, bool,
datetime, None) and returns ``(value, problems)``. A value of ``None`` with no problems means
the cell is empty; ``None`` with problems means it could not be understood. Problems are plain
descriptions without a location: validation adds file, sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, NamedTuple

from .findings import ERROR, WARNING
from .schema import FieldSpec, Vocabulary
from .text import clean_text, illegal_characters, strip_illegal

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


class MonthYear(NamedTuple):
    """A month of a year, e.g. 07/2018."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


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

_PLACEHOLDERS = {"tbc", "tbd", "to input", "to be confirmed", "to follow", "n/a", "na", "none",
                 "xxx", "?", "-", "todo", "to do", "placeholder", "lorem ipsum"}
_PLACEHOLDER_PHRASE = re.compile(r"\b(to input|tbc|tbd|to be confirmed|lorem ipsum)\b", re.I)
_YEAR_TOKEN = re.compile(r"^(\d{4})(?:\.0+)?$")
_BEFORE_YEAR = re.compile(r"^(?:pre|before)[-\s]?(\d{4})$", re.I)
#: Years written together without a separator, as some researchfish exports do ("20192020").
_RUN_OF_YEARS = re.compile(r"^(?:(?:19|20)\d{2}){2,}$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
_MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)
_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY"}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


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


def _text(raw: Any, spec: FieldSpec) -> Parsed:
    problems: list[Problem] = []
    text = as_text(raw)
    bad = illegal_characters(text)
    if bad:
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        problems.append(Problem(
            "control-character", WARNING,
            f"contains invisible control characters ({codes}) that Word and Excel cannot store",
            "They have been removed; retype the text if anything looks wrong."))
        text = strip_illegal(text)
    text = clean_text(text)
    if not text:
        return None, problems
    if len(text) > TEXT_LIMIT:
        problems.append(Problem(
            "too-long", ERROR, f"is {len(text):,} characters long, more than the {TEXT_LIMIT:,} accepted",
            "Shorten it, or move the detail to a linked document and give its URL."))
    elif len(text) > EXCEL_CELL_LIMIT:
        problems.append(Problem(
            "too-long", WARNING,
            f"is {len(text):,} characters long, more than one Excel cell holds ({EXCEL_CELL_LIMIT:,})",
            f'Excel files carry the rest in a "{spec.label} (continued)" column; consider shortening it.'))
    folded = text.casefold().strip(" .")
    if folded in _PLACEHOLDERS or (len(text) <= 40 and _PLACEHOLDER_PHRASE.search(text)):
        problems.append(Problem(
            "placeholder", WARNING, f'looks like placeholder text ("{text[:60]}")',
            "Replace it with the real content, or clear the cell if there is nothing to say."))
    return text, problems


def _one_line_text(raw: Any, spec: FieldSpec) -> Parsed:
    """Single-line text: line breaks (e.g. from a wrapped title) become spaces."""
    value, problems = _text(raw, spec)
    if value is not None and "\n" in value:
        value = " ".join(value.split())
    return value, problems


def _year(raw: Any, spec: FieldSpec) -> Parsed:
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.year, []
    text = as_text(raw).strip().lstrip("'").strip()
    before = _BEFORE_YEAR.match(text)
    if before and MIN_YEAR < int(before.group(1)) <= MAX_YEAR:
        return BeforeYear(int(before.group(1)) - 1), []
    iso = re.match(r"^(\d{4})-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?$", text)
    match = _YEAR_TOKEN.match(iso.group(1) if iso else text)
    if not match:
        return None, [Problem("bad-year", ERROR, f'"{text}" is not a year',
                              "Enter a four-digit year, e.g. 2019.")]
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, [Problem("bad-year", ERROR, f"{year} is outside {MIN_YEAR}-{MAX_YEAR}",
                              "Check the year for a typing mistake.")]
    return year, []


def _years(raw: Any, spec: FieldSpec) -> Parsed:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= 10000:
        raw = as_text(raw)  # years run together into one number: 20192020
    if isinstance(raw, (int, float, dt.date)) and not isinstance(raw, bool):
        year, problems = _year(raw, spec)
        return ([year] if year is not None else None), problems
    text = as_text(raw).strip().lstrip("'").strip()
    years: set[int] = set()
    bad: list[str] = []
    text = re.sub(r"(\d{4})\s*[-–]\s*(\d{4})", r"\1-\2", text)
    tokens: list[str] = []
    for token in re.split(r"[,;/\s]+", text):
        if _RUN_OF_YEARS.match(token):
            tokens.extend(token[i:i + 4] for i in range(0, len(token), 4))
        else:
            tokens.append(token)
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        before = _BEFORE_YEAR.match(token)
        if before and MIN_YEAR < int(before.group(1)) <= MAX_YEAR:
            years.add(BeforeYear(int(before.group(1)) - 1))
            continue
        rng = _YEAR_RANGE.match(token)
        if rng:
            first, last = int(rng.group(1)), int(rng.group(2))
            if first <= last and MIN_YEAR <= first and last <= MAX_YEAR:
                years.update(range(first, last + 1))
                continue
        match = _YEAR_TOKEN.match(token)
        if match and MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
            years.add(int(match.group(1)))
        else:
            bad.append(token)
    if bad:
        return None, [Problem("bad-year", ERROR,
                              f"{', '.join(repr(b) for b in bad)} {'is' if len(bad) == 1 else 'are'} not a year",
                              "List four-digit years separated by commas, e.g. 2018, 2019.")]
    return (sorted(years) or None), []


def excel_serial_to_datetime(serial: float) -> dt.datetime:
    """Convert an Excel 1900-system date serial to a datetime."""
    return _EXCEL_EPOCH + dt.timedelta(days=float(serial))


def _month_year(raw: Any, spec: FieldSpec) -> Parsed:
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
        return None, [Problem("bad-date", ERROR, f'"{text}" has a year but no month',
                              "Enter the month and year, e.g. 07/2018.")]
    return None, [Problem("bad-date", ERROR, f'"{text}" is not a month and year',
                          "Enter the month and year, e.g. 07/2018.")]


def _money(raw: Any, spec: FieldSpec) -> Parsed:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        amount = Decimal(str(raw))
        currency = None
    else:
        text = as_text(raw).strip()
        currency = None
        code = re.search(r"\(?\b([A-Z]{3})\b\)?", text)
        if code:
            currency = code.group(1)
            text = text[: code.start()] + text[code.end():]
        for symbol, iso in _CURRENCY_SYMBOLS.items():
            if symbol in text:
                currency = currency or iso
                text = text.replace(symbol, "")
        text = text.replace(",", "").replace(" ", "").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None, [Problem("bad-amount", ERROR, f'"{as_text(raw)}" is not an amount of money',
                                  "Enter a number such as 53886, and the currency in the Currency column.")]
    if amount < 0 or not amount.is_finite():
        return None, [Problem("bad-amount", ERROR, f"{amount} is not a valid amount",
                              "Enter the amount as a positive number.")]
    return Money(amount, currency), []


def _choice_one(text: str, vocabulary: Vocabulary, last: bool = False) -> tuple[str | None, list[Problem]]:
    value, how = vocabulary.match(text, allow_prefix=last)
    if how == "exact":
        return value, []
    if how == "case":
        return value, [Problem("not-in-list-case", WARNING,
                               f'"{text}" is written differently from the list value "{value}"',
                               f'It will be shown as "{value}"; pick it from the drop-down to silence this.',
                               value, text)]
    if how == "variant":
        return value, [Problem("older-wording", WARNING,
                               f'"{text}" is an older or alternative wording of "{value}"',
                               f'It will be shown as "{value}"; pick it from the drop-down to silence this.',
                               value, text)]
    if how == "prefix":
        return value, [Problem("cut-short-value", WARNING,
                               f'"{text}" looks cut short; it was taken as "{value}"',
                               f'Check it; pick "{value}" from the drop-down to silence this.', value, text)]
    if how == "legacy":
        return value, [Problem("legacy-value", WARNING,
                               f'"{text}" is an older value that researchfish no longer offers',
                               "Pick the closest current value from the drop-down if one fits.", found=text)]
    suggestions = vocabulary.suggest(text)
    if vocabulary.open:
        hint = (f'Did you mean "{suggestions[0]}"? ' if suggestions else "") + \
            "Values outside the list are kept, but check the spelling."
        return text, [Problem("not-in-list", WARNING, f'"{text}" is not in the usual list', hint, found=text)]
    if suggestions:
        hint = "Did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?"
    else:
        hint = "Pick a value from the cell's drop-down list."
    return None, [Problem("not-in-list", ERROR, f'"{text}" is not one of the allowed values', hint, found=text)]


def _choice(raw: Any, spec: FieldSpec) -> Parsed:
    assert spec.vocabulary is not None
    if isinstance(raw, (dt.date, dt.datetime)):
        undone = _undo_excel_date(raw, spec.vocabulary)
        if undone is not None:
            return undone, [Problem(
                "older-wording", WARNING,
                f'Excel turned "{undone}" into a date ({raw:%d/%m/%Y}); it was read back as "{undone}"',
                f'Format the column as Text and type "{undone}" again to silence this.', undone, as_text(raw))]
    text = clean_text(as_text(raw))
    return _choice_one(text, spec.vocabulary)


def _undo_excel_date(when: dt.date, vocabulary: Vocabulary) -> str | None:
    """The list value Excel read as a date: "11 - 50" becomes 1 Nov 1950, "1 - 10" 1 Oct."""
    for candidate in (f"{when.month} - {when.year % 100}", f"{when.day} - {when.month}"):
        value, how = vocabulary.match(candidate)
        if value is not None and how in ("exact", "case", "variant"):
            return value
    return None


def split_choices(text: str) -> list[str]:
    """Split a multi-value cell: on ';' or line breaks, else on GtR's ',' (not ', ')."""
    text = clean_text(text)
    if ";" in text or "\n" in text:
        parts = re.split(r"[;\n]", text)
    else:
        parts = re.split(r",(?! )", text)
    return [p.strip() for p in parts if p.strip()]


def _choices(raw: Any, spec: FieldSpec) -> Parsed:
    assert spec.vocabulary is not None
    vocabulary = spec.vocabulary
    values: list[str] = []
    problems: list[Problem] = []
    parts = split_choices(as_text(raw))
    for index, part in enumerate(parts):
        # Only the last value of a list can have been cut short (GtR truncates long lists).
        value, found = _choice_one(part, vocabulary, last=index == len(parts) - 1 and len(parts) > 1)
        problems.extend(found)
        if value is not None and value not in values:
            values.append(value)
    if any(p.severity == ERROR for p in problems):
        return None, problems
    order = {v: i for i, v in enumerate(vocabulary.values + vocabulary.legacy)}
    values.sort(key=lambda v: order.get(v, len(order)))
    return (values or None), problems


def _yes_no(raw: Any, spec: FieldSpec) -> Parsed:
    if isinstance(raw, bool):
        return raw, []
    text = clean_text(as_text(raw)).casefold()
    if text in {"yes", "y", "true", "1"}:
        return True, []
    if text in {"no", "n", "false", "0"}:
        return False, []
    return None, [Problem("bad-yes-no", ERROR, f'"{as_text(raw)}" is not Yes or No',
                          "Pick Yes or No from the drop-down.")]


#: A web address inside other text; trailing punctuation is not part of it.
_URL_IN_TEXT = re.compile(r"(?:https?|ftp)://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.I)
#: What may stand between several addresses in one cell without being "other text".
_URL_SEPARATORS = re.compile(r"^(?:[\s,;|/&]|\band\b|\bor\b)*$", re.I)


def urls_in(text: str) -> list[str]:
    """The complete web addresses in `text`, in order (cut-short ones ending "..." left out)."""
    return [u for u in _URL_IN_TEXT.findall(text) if not text[text.find(u) + len(u):].startswith("...")]


def _url(raw: Any, spec: FieldSpec) -> Parsed:
    text = clean_text(as_text(raw))
    if not _URL.match(text):
        found = _URL_IN_TEXT.findall(text)
        if found:
            rest = _URL_IN_TEXT.sub(" ", text)
            if _URL_SEPARATORS.match(rest.replace("...", " ")):
                return text, []  # several addresses in one cell: each is linked
            return text, [Problem("url-with-text", WARNING, "holds words as well as web addresses",
                                  "Keep only the address(es) here and put the words in a text field; "
                                  "the addresses are linked, the rest is shown as it is.")]
    if re.match(r"^www\.", text, re.I):
        return None, [Problem("bad-url", ERROR, f'"{text}" has no http:// or https:// at the start',
                              f"Write it as https://{text}")]
    if not _URL.match(text):
        return None, [Problem("bad-url", ERROR, f'"{text}" is not a web address',
                              "Enter a full address starting http:// or https://.")]
    problems = []
    if text.endswith("..."):
        problems.append(Problem("url-cut-short", WARNING,
                                "the address ends with \"...\", so it was probably cut short",
                                "Paste the full address; a cut-short link leads nowhere and is not made clickable."))
    return text, problems


def url_is_clickable(url: str) -> bool:
    """True for addresses worth turning into a link (complete, not cut short)."""
    return bool(_URL.match(url)) and not url.endswith("...")


def _doi(raw: Any, spec: FieldSpec) -> Parsed:
    text = _DOI_PREFIX.sub("", clean_text(as_text(raw)))
    if not _DOI.match(text):
        return None, [Problem("bad-doi", ERROR, f'"{as_text(raw)}" is not a DOI',
                              "A DOI starts with 10. and a slash, e.g. 10.1080/13645579.2021.1890000.")]
    return text, []


def _identifier(raw: Any, spec: FieldSpec) -> Parsed:
    text = clean_text(as_text(raw)).lstrip("'").strip()
    if text.casefold().strip(" .") in _PLACEHOLDERS:
        return None, [Problem("placeholder", WARNING, f'"{text}" is a placeholder, not a real {spec.label}',
                              f"Enter the real {spec.label}, or leave the cell empty.")]
    return (text or None), []


def _names(raw: Any, spec: FieldSpec) -> Parsed:
    names: list[str] = []
    for part in re.split(r"[;\n]", clean_text(as_text(raw))):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return (names or None), []


_ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)


def orcid_check_digit(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _orcid(raw: Any, spec: FieldSpec) -> Parsed:
    text = clean_text(as_text(raw))
    match = _ORCID.match(text)
    if not match:
        return None, [Problem("bad-orcid", ERROR, f'"{text}" is not an ORCID iD',
                              "An ORCID iD has 16 digits in four groups, e.g. 0000-0002-1825-0097.")]
    groups = [g.upper() for g in match.groups()]
    digits = "".join(groups)
    if orcid_check_digit(digits[:15]) != digits[15]:
        return None, [Problem("bad-orcid", ERROR, f'"{text}" fails the ORCID checksum (a digit is wrong)',
                              "Copy the iD from the person's ORCID record (orcid.org).")]
    return "-".join(groups), []


def _currency(raw: Any, spec: FieldSpec) -> Parsed:
    text = clean_text(as_text(raw)).upper()
    named = re.fullmatch(r"([A-Z]{3})\s+[A-Z][A-Z .'()-]+", text)  # "GBP British Pound Sterling"
    if named:
        text = named.group(1)
    if not re.fullmatch(r"[A-Z]{3}", text):
        return None, [Problem("bad-currency", ERROR, f'"{as_text(raw)}" is not a currency code',
                              "Use the three-letter code, e.g. GBP, EUR or USD.")]
    if spec.vocabulary is not None and text not in spec.vocabulary.values:
        return text, [Problem("not-in-list", WARNING, f'"{text}" is not a currency code in the usual list',
                              "Check it is a real ISO 4217 code.")]
    return text, []


PARSERS: dict[str, Callable[[Any, FieldSpec], Parsed]] = {
    "orcid": _orcid,
    "currency": _currency,
    "text": _one_line_text,
    "long_text": _text,
    "year": _year,
    "years": _years,
    "month_year": _month_year,
    "money": _money,
    "choice": _choice,
    "choices": _choices,
    "yes_no": _yes_no,
    "url": _url,
    "doi": _doi,
    "identifier": _identifier,
    "names": _names,
}


def parse(spec: FieldSpec, raw: Any) -> Parsed:
    """Parse one raw value for `spec`; empty cells give (None, [])."""
    if is_empty(raw):
        return None, []
    return PARSERS[spec.type](raw, spec)


def format_money(amount: Decimal, currency: str | None) -> str:
    """Money as GtR shows it: £53,886 (GBP)."""
    currency = currency or "GBP"
    symbol = {"GBP": "£", "USD": "$", "EUR": "€"}.get(currency, "")
    digits = f"{amount:,.2f}"
    if digits.endswith(".00"):
        digits = digits[:-3]
    return f"{symbol}{digits} ({currency})"


def display(spec: FieldSpec, value: Any, currency: str | None = None) -> str:
    """A typed value as text for a return."""
    if value is None:
        return ""
    kind = spec.type
    if kind == "money":
        return format_money(value.amount, currency or value.currency)
    if kind == "years":
        return ", ".join(str(y) for y in value)
    if kind in ("choices", "names"):
        return "; ".join(value)
    if kind == "yes_no":
        return "Yes" if value else "No"
    return str(value)


def show(spec: FieldSpec, values: dict[str, Any], raw: dict[str, Any] | None = None) -> str:
    """A field's value as text for a return: its typed value displayed, or, where it could not
    be typed, the value as it was entered; "" when empty."""
    if spec.key in values and values[spec.key] not in (None, "", []):
        currency = values.get(spec.currency) if spec.currency else None
        return display(spec, values[spec.key], currency)
    value = (raw or {}).get(spec.key)
    return "" if value in (None, "") else as_text(value)
