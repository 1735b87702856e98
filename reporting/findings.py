"""Findings: problems in the data, each with where it is, what is wrong and how to fix it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"
_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")

MESSAGES_FILE = Path(__file__).with_name("messages.toml")


@dataclass(frozen=True)
class Wording:
    """How one finding code (or one variant of it) is worded: templates with {placeholders}."""

    message: str
    hint: str = ""


def _load_catalogue() -> tuple[dict[str, str], dict[tuple[str, str], Wording]]:
    with MESSAGES_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    meanings: dict[str, str] = {}
    wordings: dict[tuple[str, str], Wording] = {}
    for code, entry in data.items():
        meanings[code] = entry["meaning"]
        base = Wording(entry["message"], entry.get("hint", ""))
        wordings[(code, "")] = base
        for variant, words in entry.items():
            if isinstance(words, dict):
                wordings[(code, variant)] = Wording(words.get("message", base.message), words.get("hint", base.hint))
    return meanings, wordings


#: Every finding code, with what it means (the README's table is checked against this), and
#: the wording of each code and variant (reporting/messages.toml).
CODES, WORDINGS = _load_catalogue()


_SURROGATE = re.compile("[\ud800-\udfff]")


def words(code: str, variant: str = "", **params: Any) -> tuple[str, str]:
    """The message and hint of a finding, its placeholders filled from `params`."""
    wording = WORDINGS[(code, variant)]
    return wording.message.format(**params).strip(), wording.hint.format(**params).strip()


def did_you_mean(options: Sequence[str]) -> str:
    """'Did you mean "X"? ' for the closest option, or nothing: the start of a hint."""
    return f'Did you mean "{options[0]}"? ' if options else ""


@dataclass(frozen=True)
class Finding:
    """One problem found in an input.

    `code` is a stable kebab-case identifier (e.g. ``not-in-list``); `message` says what is
    wrong in plain words and `hint` what to do about it. Location fields are empty where they
    do not apply (a whole-file problem has no cell). Where a problem is, is typed: `cell` is an
    Excel cell reference ("E14") and only that; a row of a sheet or CSV file is `row`, a line of
    a text file `line`, a place in structured data (GtR XML or JSON) `path`.
    """

    code: str
    severity: str
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: str = ""
    #: The value used instead of `value`, when the tool corrected it (e.g. an older wording).
    replacement: str = ""
    row: int = 0
    line: int = 0
    path: str = ""

    @classmethod
    def of(
        cls,
        code: str,
        severity: str,
        variant: str = "",
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        field: str = "",
        value: str = "",
        replacement: str = "",
        row: int = 0,
        line: int = 0,
        path: str = "",
        **params: Any,
    ) -> Finding:
        """A finding worded from the catalogue: `params` fill its message and hint."""
        message, hint = words(code, variant, **params)
        return cls(
            code,
            severity,
            message,
            hint,
            file=file,
            sheet=sheet,
            cell=cell,
            field=field,
            value=value,
            replacement=replacement,
            row=row,
            line=line,
            path=path,
        )

    def __post_init__(self) -> None:
        # A lone surrogate (from a damaged file) cannot be printed, written as UTF-8 JSON or
        # stored in a workbook: the finding shows it as U+FFFD.
        for name in ("message", "hint", "file", "sheet", "field", "value", "replacement", "path"):
            text = getattr(self, name)
            if _SURROGATE.search(text):
                object.__setattr__(self, name, _SURROGATE.sub("\ufffd", text))
        if self.cell and not _CELL.match(self.cell):
            raise ValueError(f"not a cell reference: {self.cell!r} (use row, line or path)")

    @property
    def location(self) -> str:
        """Where the problem is, as people say it: ``Engagement Activities!E14``,
        ``Publications row 14``, ``line 65``, ``disseminationOutput[3]/form``."""
        if self.cell:
            return f"{self.sheet}!{self.cell}" if self.sheet else self.cell
        place = " ".join(
            filter(None, [self.sheet, f"row {self.row}" if self.row else "", f"line {self.line}" if self.line else ""])
        )
        return " ".join(filter(None, [place, self.path]))

    def describe(self) -> str:
        """The finding as one or two lines of plain text."""
        where = self.location
        parts = [f"{where}: " if where else ""]
        if self.field:
            parts.append(f"{self.field}: ")
        parts.append(self.message)
        if self.value and self.value not in self.message:
            parts.append(f' (found "{_short(self.value)}")')
        text = "".join(parts)
        if self.hint:
            text += f"\n    {self.hint}"
        return text

    def to_dict(self) -> dict[str, str]:
        """The finding as plain JSON-ready data."""
        data = asdict(self)
        data["location"] = self.location
        return data


def _short(value: str, limit: int = 80) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass
class Findings:
    """All findings of a run, in the order they were found."""

    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when nothing blocks a build (warnings are allowed)."""
        return not any(f.severity == ERROR for f in self.items)

    def summary(self) -> str:
        """One line: how many errors and warnings."""
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.items],
        }
