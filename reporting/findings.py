"""Findings: problems in the data, each with where it is, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found in an input.

    `code` is a stable kebab-case identifier (e.g. ``not-in-list``); `message` says what is
    wrong in plain words and `hint` what to do about it. Location fields are empty where they
    do not apply (a whole-file problem has no cell).
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

    @property
    def location(self) -> str:
        """Where the problem is, as people say it: ``Engagement Activities!E14``."""
        if self.sheet and self.cell:
            place = f"{self.sheet}!{self.cell}"
        else:
            place = self.sheet or self.cell
        return place

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
