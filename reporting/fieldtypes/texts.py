"""Field types of free text and identifiers: text, long text, identifiers, names, URLs, DOIs,
ORCID iDs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .base import ERROR, EXCEL_CELL_LIMIT, TEXT_LIMIT, WARNING, Cell, FieldType, Parsed, Problem, as_text, clean

if TYPE_CHECKING:  # pragma: no cover
    from ..schema import FieldSpec

PLACEHOLDERS = {
    "tbc",
    "tbd",
    "to input",
    "to be confirmed",
    "to follow",
    "n/a",
    "na",
    "none",
    "xxx",
    "?",
    "-",
    "todo",
    "to do",
    "placeholder",
    "lorem ipsum",
}
_PLACEHOLDER_PHRASE = re.compile(r"\b(to input|tbc|tbd|to be confirmed|lorem ipsum)\b", re.I)
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.I)
#: A web address inside other text; trailing punctuation is not part of it.
_URL_IN_TEXT = re.compile(r"(?:https?|ftp)://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.I)
#: What may stand between several addresses in one cell without being "other text".
_URL_SEPARATORS = re.compile(r"^(?:[\s,;|/&]|\band\b|\bor\b)*$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)
_ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)


#: The longest address Word and Excel accept as a link (a longer one makes them repair the file).
MAX_LINK = 2079


def is_placeholder(text: str) -> bool:
    """True for text that stands in for content still to come ("TBC", "Tim to input", "None")."""
    return text.casefold().strip(" .") in PLACEHOLDERS or (len(text) <= 40 and bool(_PLACEHOLDER_PHRASE.search(text)))


#: A question mark inside a word ("Mu?oz", "women?s"): a character the source system could not
#: store, replaced. Web addresses (whose "?" starts a query) are left out first.
_LOST = re.compile(r"\b[^\W\d_]+\?[^\W\d_]+\b")


#: A line starting with "? ": a bullet (•) the source could not store, replaced.
_LOST_BULLET = re.compile(r"(?m)^[ \t]*\?[ \t]+(?=\w)")


def lost_characters(text: str) -> list[str]:
    """The words of `text` with a character replaced by "?" (lost when it was exported), and
    '"?" as a bullet' for a list whose bullets were."""
    if "?" not in text:
        return []
    found = _LOST.findall(_URL_IN_TEXT.sub(" ", text))
    return found + (['"?" as a bullet'] if _LOST_BULLET.search(text) else [])


def is_cut_short(text: str) -> bool:
    """True for an address that ends with "..." (cut short by the system it came from)."""
    return text.rstrip().endswith(("...", "…")) and bool(_URL_IN_TEXT.match(text))


def url_is_clickable(url: str) -> bool:
    """True for addresses worth turning into a link (complete, not cut short, not too long)."""
    return bool(_URL.match(url)) and not url.endswith("...") and len(url) <= MAX_LINK


def urls_in(text: str) -> list[str]:
    """The complete web addresses in `text`, in order (cut-short ones ending "..." and ones too
    long for Office left out)."""
    return [
        u
        for u in _URL_IN_TEXT.findall(text)
        if not text[text.find(u) + len(u) :].startswith("...") and len(u) <= MAX_LINK
    ]


def orcid_check_digit(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


class LongText(FieldType):
    """Free text that may run to several paragraphs."""

    name = "long_text"
    width = 60
    style = "wrap"
    textual = True
    long = True
    joiner = "\n\n"

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text, problems = clean(raw)
        if not text:
            return None, problems
        if len(text) > TEXT_LIMIT:
            problems.append(Problem.of("too-long", ERROR, length=len(text), limit=TEXT_LIMIT))
        elif len(text) > EXCEL_CELL_LIMIT:
            problems.append(
                Problem.of("too-long", WARNING, "cell", length=len(text), limit=EXCEL_CELL_LIMIT, label=spec.label)
            )
        if is_placeholder(text):
            problems.append(Problem.of("placeholder", WARNING, text=text[:60]))
        lost = lost_characters(text)
        if lost:
            problems.append(Problem.of("lost-characters", WARNING, words=", ".join(lost[:3])))
        return text, problems

    def check(self, text: str) -> str:
        return "characters lost (?)" if lost_characters(text) else ""


class Text(LongText):
    """One line of free text: line breaks (e.g. from a wrapped title) become spaces."""

    name = "text"
    width = 40
    style = "text"
    long = False
    joiner = ", "

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        value, problems = super().parse(raw, spec)
        if value is not None and "\n" in value:
            value = " ".join(value.split())
        return value, problems


class Identifier(FieldType):
    """A code kept exactly as typed (stored as text in Excel)."""

    name = "identifier"
    width = 18
    style = "identifier"

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text, problems = clean(raw)
        text = text.lstrip("'").strip()
        if text.casefold().strip(" .") in PLACEHOLDERS:
            return None, problems + [Problem.of("placeholder", WARNING, "identifier", text=text, label=spec.label)]
        return (text or None), problems


class Names(FieldType):
    """A list of names separated by ';' (award references, partners, aliases)."""

    name = "names"
    width = 32
    style = "identifier"
    hint = "Separate several with ';'."
    multiple = True

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text, problems = clean(raw)
        names: list[str] = []
        for part in re.split(r"[;\n]", text):
            part = part.strip()
            if part and part not in names:
                names.append(part)
        return (names or None), problems

    def display(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> str:
        return "; ".join(value)


class Url(FieldType):
    """A web address, or several in one cell (each linked)."""

    name = "url"
    width = 40
    hint = "A full web address starting https://."

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text, problems = clean(raw)
        if not _URL.match(text):
            found = _URL_IN_TEXT.findall(text)
            if found:
                rest = _URL_IN_TEXT.sub(" ", text)
                if _URL_SEPARATORS.match(rest.replace("...", " ")):
                    return text, problems  # several addresses in one cell: each is linked
                return text, problems + [Problem.of("url-with-text", WARNING)]
        if re.match(r"^www\.", text, re.I):
            return None, problems + [Problem.of("bad-url", ERROR, "no-scheme", text=text)]
        if not _URL.match(text):
            return None, problems + [Problem.of("bad-url", ERROR, text=text)]
        if text.endswith("..."):
            problems.append(Problem.of("url-cut-short", WARNING))
        elif len(text) > MAX_LINK:
            problems.append(Problem.of("url-too-long", WARNING, length=len(text), limit=MAX_LINK))
        return text, problems

    def links(self, text: str) -> tuple[str, ...]:
        return (text,) if url_is_clickable(text) else tuple(urls_in(text))

    def cell(self, value: Any, spec: FieldSpec, values: Mapping[str, Any]) -> Cell:
        # One link per cell is all Excel holds: the first address when a cell has several.
        links = self.links(value)
        return Cell(value, "text", links[0] if links else None)


def bare_doi(text: str) -> str:
    """A DOI without the address or "doi:" it is often written with (10.1000/xyz)."""
    return _DOI_PREFIX.sub("", text.strip()).strip()


class Doi(FieldType):
    """A digital object identifier, e.g. 10.1080/13645579.2021.1890000 (linked via doi.org)."""

    name = "doi"
    width = 26
    style = "identifier"

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text, problems = clean(raw)
        text = bare_doi(text)
        if not _DOI.match(text):
            return None, problems + [Problem.of("bad-doi", ERROR, text=as_text(raw))]
        return text, problems

    def links(self, text: str) -> tuple[str, ...]:
        return (f"https://doi.org/{text}",)


class Orcid(FieldType):
    """An ORCID iD, checked with its checksum."""

    name = "orcid"
    width = 21
    style = "identifier"

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        text, problems = clean(raw)
        match = _ORCID.match(text)
        if not match:
            return None, problems + [Problem.of("bad-orcid", ERROR, text=text)]
        groups = [g.upper() for g in match.groups()]
        digits = "".join(groups)
        if orcid_check_digit(digits[:15]) != digits[15]:
            return None, problems + [Problem.of("bad-orcid", ERROR, "checksum", text=text)]
        return "-".join(groups), problems


def _issn_valid(text: str) -> bool:
    digits = text.replace("-", "").replace(" ", "").upper()
    if not re.fullmatch(r"\d{7}[\dX]", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def _isbn_valid(text: str) -> bool:
    digits = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if d == "X" else int(d)) for i, d in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"\d{13}", digits):
        return sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0
    return False


class StandardNumber(Identifier):
    """An ISSN or ISBN: kept as typed; one that fails its check digit ("12345678", typed to
    fill the cell) is a warning, and the draft return marks it."""

    label = ""

    def valid(self, text: str) -> bool:
        raise NotImplementedError

    def parse(self, raw: Any, spec: FieldSpec) -> Parsed:
        value, problems = super().parse(raw, spec)
        if value is not None and not self.valid(value):
            problems = problems + [Problem.of("bad-check-digit", WARNING, text=value, label=self.label)]
        return value, problems

    def check(self, text: str) -> str:
        return "" if self.valid(text) else f"not a valid {self.label}"


class Issn(StandardNumber):
    name = "issn"
    label = "ISSN"

    def valid(self, text: str) -> bool:
        return _issn_valid(text)


class Isbn(StandardNumber):
    name = "isbn"
    label = "ISBN"

    def valid(self, text: str) -> bool:
        return _isbn_valid(text)


def draft_check(spec: FieldSpec, text: str, typed: bool = True) -> str:
    """What a draft marks in a value or title for a person to check before it is sent:
    placeholder text, a link cut short, or what the field's type finds (a check digit, lost
    characters); only a value that was typed is asked of its type."""
    if is_placeholder(text):
        return "placeholder text"
    if is_cut_short(text):
        return "link cut short"
    return spec.kind.check(text) if typed else ""
