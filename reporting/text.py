"""Small text helpers shared by readers, importers and renderers (no third-party imports)."""

from __future__ import annotations

import html
import re
import unicodedata

# XML 1.0 forbids C0 controls other than tab, newline and carriage return; Word and Excel
# refuse files that contain them. U+FFFE/U+FFFF and lone surrogates are also illegal.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+\d*);")
_MARKUP = re.compile(r"</?(?:i|b|em|strong|sup|sub|u|span|p|br)\b[^>]*>", re.I)


def illegal_characters(text: str) -> list[str]:
    """The characters in `text` that cannot be stored in a .docx or .xlsx file."""
    return _ILLEGAL_XML.findall(text)


def strip_illegal(text: str) -> str:
    """Remove characters that cannot be stored in Office XML."""
    return _ILLEGAL_XML.sub("", text)


def clean_text(text: str) -> str:
    """Normalise line endings and stray spaces without changing the words.

    Non-breaking spaces become ordinary spaces, trailing spaces go from each line, and leading
    and trailing blank lines go; paragraph breaks (blank lines) inside the text are kept.
    Text that needs none of this is returned as it is (the same string, not a copy).
    """
    if (
        text
        and not text[0].isspace()
        and not text[-1].isspace()
        and "\r" not in text
        and "\u00a0" not in text
        and " \n" not in text
        and "\t\n" not in text
    ):
        return text  # the common case, checked with fast substring scans
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


#: A line that starts a paragraph of its own: a list item ("- ", "• ", "1) ", "(a) ", "2. ").
_ITEM = re.compile(r"^(?:[-–•*·▪]\s|\(?\w{1,3}[.)]\s)")
#: Text that ends a sentence (or a heading-like line): the line break after it is meant.
_ENDS = re.compile(r"[.!?:;)\]\"'”’]$")


def paragraphs(text: str) -> list[str]:
    """Split long text into paragraphs: at blank lines, before list items, and after lines
    that end a sentence. A line broken in mid-sentence (text wrapped by hand or by the system
    it was copied from: "aims and / objectives") is joined to the next one."""
    found: list[str] = []
    joinable = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            joinable = False
            continue
        if joinable and not _ITEM.match(line) and not line[0].isupper():
            found[-1] += " " + line
        elif joinable and not _ITEM.match(line) and not _ENDS.search(found[-1]) and len(found[-1]) > 50:
            found[-1] += " " + line  # a long line cut before a capital ("... with Greater / Manchester")
        else:
            found.append(line)
        joinable = not _ENDS.search(found[-1])
    return found


def one_line(text: str) -> str:
    """Collapse all white space (including line breaks) to single spaces."""
    return _SPACES.sub(" ", " ".join(text.split())).strip()


def shorten(text: str, limit: int = 200) -> str:
    """A heading-sized version of `text`: its first sentence if short enough, else cut at a word."""
    line = one_line(text)
    if len(line) <= limit:
        return line
    first = re.match(r"(.{20,}?[.!?])\s", line)
    if first and len(first.group(1)) <= limit:
        return first.group(1)
    cut = line[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def slugify(text: str, limit: int = 60) -> str:
    """A file-name-safe version of `text` (ASCII letters, digits and hyphens)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "award"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 entry", "2 entries", "6,034 entries": a count with its noun in the right number."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def clean_markup(text: str) -> str:
    """Undo GtR's (sometimes double) HTML escaping and drop simple inline markup."""
    for _ in range(3):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.I)
    return _MARKUP.sub("", text)


_CODE = re.compile(r"^[A-Za-z]+(?:[-_][A-Za-z]+)+$")
_SMALL_WORDS = {"and", "of", "for", "in", "the", "to", "on", "a", "an"}


def words_from_code(text: str) -> str:
    """A system's code for a kind of thing in words: "research-grant" -> "Research Grant",
    "RESEARCH_FELLOWSHIP" -> "Research Fellowship". Anything else is returned as it is."""
    if not _CODE.match(text.strip()):
        return text
    parts = re.split(r"[-_]", text.strip().lower())
    return " ".join(p if i and p in _SMALL_WORDS else p.capitalize() for i, p in enumerate(parts))
