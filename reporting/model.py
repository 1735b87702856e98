"""The data that flows through the tool: records as read, then typed awards and entries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .imported import Imported
from .schema import Section

AWARD = "award"
ORGANISATION = "organisation"
SUGGESTION = "suggestion"


class SheetCells(Mapping):
    """Cell references of one sheet row (``E14``), made from the sheet's column letters.

    One letters map is shared by every row of a sheet, so a record carries no per-cell strings;
    references a reader or importer sets itself (``setdefault``) are kept alongside.
    """

    __slots__ = ("_letters", "_row", "_more")

    def __init__(self, letters: dict[str, str], row: int) -> None:
        self._letters = letters
        self._row = row
        self._more: dict[str, str] | None = None

    def __getitem__(self, key: str) -> str:
        if self._more and key in self._more:
            return self._more[key]
        return f"{self._letters[key]}{self._row}"

    def __iter__(self) -> Iterator[str]:
        yield from self._letters
        if self._more:
            yield from (k for k in self._more if k not in self._letters)

    def __len__(self) -> int:
        return len(self._letters) + sum(1 for k in self._more or () if k not in self._letters)

    def __contains__(self, key: object) -> bool:
        return key in self._letters or bool(self._more and key in self._more)

    def setdefault(self, key: str, value: str) -> str:
        if key in self:
            return self[key]
        if self._more is None:
            self._more = {}
        self._more[key] = value
        return value


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: a file, and there a sheet and 1-based row (a sheet or CSV
    file), a line (a text file) or a path (structured data: "disseminationOutput[3]")."""

    file: str
    sheet: str = ""
    row: int = 0
    line: int = 0
    path: str = ""

    def where(self) -> dict[str, Any]:
        """The origin as a finding's location fields (file, sheet, row, line, path)."""
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "line": self.line, "path": self.path}


def describe_origin(origin: Origin) -> str:
    """Where a record is, in words: "Engagement Activities row 14", "row 16", "line 65"."""
    parts = [
        origin.sheet,
        f"row {origin.row}" if origin.row else "",
        f"line {origin.line}" if origin.line else "",
        origin.path,
    ]
    return " ".join(p for p in parts if p) or origin.file


@dataclass(slots=True)
class Record:
    """One row as read, before validation.

    `kind` is ``award`` or a section key. `raw` maps field keys to the cell values as found;
    `cells` maps field keys to their cell reference (``E14``); `extra` keeps columns the schema
    does not know, by header, so nothing is dropped.
    """

    kind: str
    raw: dict[str, Any]
    origin: Origin
    cells: Mapping[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Field keys whose cell was already reported by the reader (e.g. an Excel error value).
    flagged: frozenset[str] | set[str] = frozenset()
    #: Cell references of the `extra` values, by header.
    extra_cells: dict[str, str] = field(default_factory=dict)
    #: The fingerprints of its values as imported (see imported.py), or None for an entry a
    #: person added: what the funder accepted is checked leniently only while it is unchanged.
    imported: Imported | None = None


@dataclass
class Award:
    """An award (grant) with typed header values."""

    values: dict[str, Any]
    origin: Origin

    @property
    def reference(self) -> str:
        return self.values.get("award_reference") or ""

    @property
    def title(self) -> str:
        return self.values.get("title") or ""


@dataclass
class Organisation:
    """A partner organisation: from the Organisations sheet, or `implicit` when only named
    by an entry (a collaboration's Organisation, a Partners cell)."""

    values: dict[str, Any]
    origin: Origin
    implicit: bool = False

    @property
    def name(self) -> str:
        return self.values.get("name") or ""

    @property
    def aliases(self) -> list[str]:
        return list(self.values.get("aliases") or [])


@dataclass(slots=True)
class Entry:
    """One outcome entry with typed values; `raw` keeps what was read for values that failed."""

    section: Section
    values: dict[str, Any]
    raw: dict[str, Any]
    origin: Origin
    cells: Mapping[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    awards: list[Award] = field(default_factory=list)
    #: Partner organisations linked to the entry (Partners column, Organisation field, accepted suggestions).
    partners: list[Organisation] = field(default_factory=list)

    @property
    def internal(self) -> bool:
        return self.values.get("visibility") == "Internal"

    #: An entry the funder accepted, as imported (see imported.py): gaps researchfish did not
    #: ask about at the time are shown as "not recorded", not refused.
    accepted: bool = False

    def value_or_raw(self, key: str) -> Any:
        """The typed value, or the raw one where it could not be typed (so nothing is lost)."""
        if key in self.values:
            return self.values[key]
        return self.raw.get(key)


@dataclass
class Dataset:
    """Everything read from one or more workbooks: awards and their entries."""

    awards: list[Award] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    #: Entries that name no award the workbooks hold (an error says so): not in any return, but
    #: an import still writes them, so that nothing read is lost.
    unlinked: list[Entry] = field(default_factory=list)
    #: How many entries were read as imported (values as the funder accepted them; imported.py).
    imported: int = 0

    def by_award(self) -> list[tuple[Award, list[Entry]]]:
        """Each award with the entries that count for it (an entry may count for several)."""
        groups: dict[int, list[Entry]] = {id(award): [] for award in self.awards}
        for entry in self.entries:
            for award in entry.awards:
                groups[id(award)].append(entry)
        return [(award, groups[id(award)]) for award in self.awards]
