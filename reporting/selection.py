"""What goes in one return or profile: a reporting period, public entries only, the changes since
the previous submission to mark. One step, before any view is built; it returns what it kept,
how each entry is marked, and the facts the cover reports. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import periods
from .changes import ADDED, REMOVED, Changes, EntryChange
from .findings import WARNING, Finding
from .model import Award, Entry
from .periods import Period

__all__ = ["Selected", "Selection", "select"]


@dataclass(frozen=True)
class Selection:
    """What to put in a return: a reporting period, public entries only, changes to mark."""

    period: Period | None = None
    public: bool = False
    changes: Changes | None = None
    #: The previous submission `changes` compare with, in words (its file names).
    since: str = ""
    #: The awards of this build (reference, else title): a removed entry that names none of
    #: them (an earlier Excel return may name its award differently) is listed in every return.
    awards: frozenset[str] = frozenset()

    @property
    def suffix(self) -> str:
        """What output file names add, e.g. "-2019-public"."""
        return (f"-{self.period.slug}" if self.period else "") + ("-public" if self.public else "")


@dataclass(frozen=True)
class Selected:
    """The entries one return holds, each with its marks ("New", "Changed", "Internal"), and
    what the cover says about the choice."""

    entries: tuple[Entry, ...]
    marks: tuple[tuple[str, ...], ...]
    period: Period | None = None
    #: Internal entries left out (a public version), or included and marked.
    internal_left_out: int = 0
    internal_included: int = 0
    #: Entries with no date, so in no reporting period (each also a finding).
    undated: int = 0
    changes: Changes | None = None
    since: str = ""
    findings: tuple[Finding, ...] = field(default=(), compare=False)


def select(entries: Iterable[Entry], selection: Selection, what: str, award: Award | None = None) -> Selected:
    """Apply `selection` to `entries` (those of one award or partner).

    Undated entries cannot be placed in a period: each becomes a warning finding, never
    silently dropped or included. `what` names the document ("return", "profile").
    """
    chosen = list(entries)
    internal = [e for e in chosen if e.internal]
    if selection.public:
        chosen = [e for e in chosen if not e.internal]
    findings: list[Finding] = []
    undated: list[Entry] = []
    if selection.period is not None:
        chosen, undated = periods.select(chosen, selection.period)
        findings.extend(_undated(entry, selection.period, what) for entry in undated)
    marks: dict[int, list[str]] = {}
    if not selection.public:
        for entry in internal:
            marks.setdefault(id(entry), []).append("Internal")
    changes = None
    if selection.changes is not None:
        kept = {id(e) for e in chosen}
        wanted = {award.reference or award.title} if award is not None else set()

        def removed_here(item: EntryChange) -> bool:
            named = {a.reference or a.title for a in item.entry.awards}
            return bool(wanted & named) or (award is not None and not named & selection.awards)

        changes = Changes(
            [c for c in selection.changes.items if id(c.entry) in kept or (c.kind == REMOVED and removed_here(c))]
        )
        for item in changes.items:
            if item.kind != REMOVED:
                marks.setdefault(id(item.entry), []).insert(0, "New" if item.kind == ADDED else "Changed")
    return Selected(
        entries=tuple(chosen),
        marks=tuple(tuple(marks.get(id(e), ())) for e in chosen),
        period=selection.period,
        internal_left_out=len(internal) if selection.public else 0,
        internal_included=0 if selection.public else len(internal),
        undated=len(undated),
        changes=changes,
        since=selection.since,
        findings=tuple(findings),
    )


def _undated(entry: Entry, period: Period, what: str) -> Finding:
    section = entry.section
    dating = ", ".join(section.field(k).label for k in section.period) or "a date"
    return Finding.of(
        "undated-entry",
        WARNING,
        "" if section.period else "never-dated",
        period=period.label,
        what=what,
        dating=dating,
        section=section.title,
        file=entry.origin.file,
        sheet=entry.origin.sheet,
        cell=entry.cells.get(section.period[0], "") if section.period else entry.cells.get(section.heading, ""),
        field=section.heading_field.label,
        value=str(entry.value_or_raw(section.heading))[:80],
    )
