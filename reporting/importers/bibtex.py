"""BibTeX and BibLaTeX as people and programs write it (Zotero, JabRef, Google Scholar,
Paperpile, by hand), read into entries of plain Unicode fields: the first layer of the
publication-list import (issue 24; the mapping to researchfish's fields comes next).

Tolerant where real files are sloppy: text around the entries (YAML front matter, notes),
`%` comment lines, a missing comma between two fields (Google Scholar lists edited by hand),
`@string` abbreviations and `#` joins, values in braces, quotes or bare. LaTeX accents and
commands become Unicode (``R{\\"u}ther`` → Rüther, ``--`` → –), protective braces go.
No I/O, no third-party imports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["BibEntry", "latex_to_text", "parse_bibtex", "split_names"]

_MONTHS = {m: n for n, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}

#: Accent commands and the combining marks they put on the next letter.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
#: Commands that stand for a letter or sign.
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    "textendash": "–",
    "textemdash": "—",
    "ldots": "…",
    "dots": "…",
    "textquoteright": "’",
    "textquoteleft": "‘",
}
_ACCENT = re.compile(r"\\([`'^\"~=.])\s*(\{\\?\w\}|\\?\w)|\\([uvHckr])(?:\s+|(?=\{))(\{\\?\w\}|\\?\w)")
_COMMAND = re.compile(r"\\([A-Za-z]+)\s?|\\([&%$#_{}])")


@dataclass
class BibEntry:
    """One entry: its type (lower case: article, inproceedings...), key, and fields (names in
    lower case, values as written, LaTeX and all), with the line it starts on."""

    type: str
    key: str
    fields: dict[str, str] = field(default_factory=dict)
    line: int = 0

    def text(self, name: str) -> str:
        """A field as plain text ("" when the entry has none)."""
        return latex_to_text(self.fields.get(name, ""))


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENTS[match.group(1) or match.group(3)]
    letter = (match.group(2) or match.group(4)).strip("{}").lstrip("\\")
    letter = {"i": "i", "j": "j"}.get(letter, letter)  # \'{\i} is í
    return unicodedata.normalize("NFC", letter + mark)


def latex_to_text(value: str) -> str:
    """A BibTeX value as plain Unicode text: accents and letter commands resolved, formatting
    commands (\\emph{x}, \\textit{x}) reduced to their text, protective braces and ties gone,
    -- and --- as dashes, white space collapsed."""
    text = _ACCENT.sub(_accent, value)

    def command(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return _LETTERS.get(name, "")  # \emph, \textbf...: their braces' text stays

    text = _COMMAND.sub(command, text)
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def split_names(value: str) -> list[str]:
    """The names of an author or editor list ("A and B and others"), split at "and" outside
    braces, each as written (LaTeX resolved); "others" ends the list as "et al."."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    cleaned = [latex_to_text(n) for n in names if n.strip()]
    return [("et al." if n.casefold() == "others" else n) for n in cleaned]


class _Scanner:
    """Reads values and names at a position of the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def skip(self) -> None:
        while self.at < len(self.text):
            if self.text[self.at].isspace():
                self.at += 1
            elif self.text[self.at] == "%":  # a comment to the end of the line
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end + 1
            else:
                return

    def name(self) -> str:
        self.skip()
        match = re.compile(r"[^\s=,{}()\"#%]+").match(self.text, self.at)
        if not match:
            return ""
        self.at = match.end()
        return match.group(0)

    def braced(self) -> str:
        """The text of a {...} group starting at the position (without its outer braces)."""
        return self._group("{")

    def quoted(self) -> str:
        """The text of a "..." value starting at the position (quotes inside braces kept)."""
        return self._group('"')

    def _group(self, opening: str) -> str:
        depth, start = (0, self.at) if opening == "{" else (1, self.at)
        self.at += 0 if opening == "{" else 1
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                self.at += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            ends = depth == 0 if opening == "{" else char == '"' and depth <= 1
            self.at += 1
            if ends and (opening != "{" or char == "}"):
                return self.text[start + 1 : self.at - 1]
        return self.text[start + 1 :]

    def value(self, strings: dict[str, str]) -> str:
        """A value: pieces in braces, quotes or bare (a number, an @string name), joined by #."""
        pieces = []
        while True:
            self.skip()
            char = self.text[self.at : self.at + 1]
            if char == "{":
                pieces.append(self.braced())
            elif char == '"':
                pieces.append(self.quoted())
            else:
                bare = self.name()
                if not bare:
                    break
                pieces.append(strings.get(bare.casefold(), str(_MONTHS.get(bare.casefold(), bare))))
            self.skip()
            if self.text[self.at : self.at + 1] != "#":
                break
            self.at += 1
        return "".join(pieces)


def parse_bibtex(text: str) -> list[BibEntry]:
    """Every entry of a BibTeX or BibLaTeX text, in order (a key used twice gives two entries:
    whether they are one work is for the import to say). @string abbreviations are applied;
    @comment and @preamble are skipped; text outside entries is ignored."""
    scanner = _Scanner(text.lstrip("\ufeff"))
    strings: dict[str, str] = {}
    entries: list[BibEntry] = []
    for start in re.finditer(r"@\s*([A-Za-z]+)\s*([{(])", scanner.text):
        if start.start() < scanner.at:
            continue  # inside an entry read already
        kind = start.group(1).casefold()
        scanner.at = start.end()
        closing = "}" if start.group(2) == "{" else ")"
        if kind in ("comment", "preamble"):
            scanner.at = start.end() - 1
            scanner.braced() if start.group(2) == "{" else None
            continue
        if kind == "string":
            name = scanner.name().casefold()
            scanner.skip()
            if scanner.text[scanner.at : scanner.at + 1] == "=":
                scanner.at += 1
                strings[name] = scanner.value(strings)
            continue
        line = scanner.text.count("\n", 0, start.start()) + 1
        scanner.skip()
        key_match = re.compile(r"[^,\s}]*").match(scanner.text, scanner.at)
        key = key_match.group(0) if key_match else ""
        scanner.at = key_match.end() if key_match else scanner.at
        entry = BibEntry(kind, key, line=line)
        while scanner.at < len(scanner.text):
            scanner.skip()
            char = scanner.text[scanner.at : scanner.at + 1]
            if char == ",":
                scanner.at += 1
                continue
            if char == closing or not char:
                scanner.at += 1
                break
            name = scanner.name().casefold()
            scanner.skip()
            if not name or scanner.text[scanner.at : scanner.at + 1] != "=":
                # not a field: stop this entry where the next one starts
                nxt = scanner.text.find("@", scanner.at)
                scanner.at = len(scanner.text) if nxt < 0 else nxt
                break
            scanner.at += 1
            raw = scanner.value(strings)  # a missing comma after it is forgiven
            entry.fields.setdefault(name, raw)
        entries.append(entry)
    return entries
