"""What an import read: records, per-part tallies of rows, notes; and the merge of one
outcome counted for several awards into one entry. Shared by every importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..findings import WARNING, Finding
from ..imported import FRESH
from ..model import AWARD, ORGANISATION, SUGGESTION, Record, describe_origin


@dataclass
class Tally:
    """What became of the rows of one part of a source (a sheet, an outcome list, a file).

    Every row read is counted once: as an entry written, as a row merged into an entry read
    earlier (the same outcome counted for another award), as an empty row (nothing in it but
    the source's own columns) or as unplaced (an error finding names it). For a sheet of award
    details, `entries` counts the awards it gives.
    """

    part: str
    section: str | None = None
    rows: int = 0
    entries: int = 0
    merged: int = 0
    empty: int = 0
    unplaced: int = 0
    #: Pairs of sheet rows that were one row the source cut in two (counted once in `rows`).
    joined: int = 0
    note: str = ""

    @property
    def balanced(self) -> bool:
        return self.rows == self.entries + self.merged + self.empty + self.unplaced


@dataclass
class ImportResult:
    """What an import read: records, per-section counts, and notes to check."""

    source: str
    format: str
    records: list[Record] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)
    unplaced: int = 0
    #: Records folded into another because they are one outcome counted for several awards.
    merged: int = 0
    #: Whose records these are ("GtR", "researchfish"): written to each entry's Imported From,
    #: which marks it as accepted by the funder. Empty for the tool's own workbooks.
    provenance: str = ""
    #: Per part of the source, what became of its rows (see Tally).
    tallies: list[Tally] = field(default_factory=list)

    def tally(self, part: str, section: str | None = None) -> Tally:
        """The tally of `part`, made when first asked for."""
        for tally in self.tallies:
            if tally.part == part:
                return tally
        tally = Tally(part, section)
        self.tallies.append(tally)
        return tally

    def mark_provenance(self) -> None:
        """Say on every entry where it came from (entries that already say are left alone)."""
        if not self.provenance:
            return
        for record in self.records:
            if record.kind not in (AWARD, ORGANISATION, SUGGESTION):
                record.imported = FRESH  # every value as the funder's source gives it
                if not record.raw.get("imported_from"):
                    record.raw["imported_from"] = self.provenance


def merge_shared_entries(result: ImportResult) -> list[Record]:
    """One outcome counted for several awards arrives once per award: make it one entry.

    Records of a section with the same Entry ID and otherwise identical values become one
    record listing every award reference. Records sharing an Entry ID but differing are kept
    apart, and a note says so.
    """
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in result.records:
        entry_id = record.raw.get("entry_id")
        if record.kind != "award" and entry_id:
            groups.setdefault((record.kind, str(entry_id)), []).append(record)
    drop: set[int] = set()
    for (_, entry_id), members in groups.items():
        if len(members) < 2:
            continue

        def content(record: Record) -> dict:
            return {k: v for k, v in record.raw.items() if k != "award_reference"}

        if any(content(m) != content(members[0]) for m in members[1:]):
            rows = ", ".join(describe_origin(m.origin) for m in members[1:5])
            result.notes.append(
                Finding.of(
                    "same-id-different-content",
                    WARNING,
                    count=len(members),
                    entry_id=entry_id,
                    rows=rows,
                    **members[0].origin.where(),
                )
            )
            continue
        references: list[str] = []
        for member in members:
            for ref in str(member.raw.get("award_reference", "")).split(";"):
                if ref.strip() and ref.strip() not in references:
                    references.append(ref.strip())
        members[0].raw["award_reference"] = "; ".join(references)
        drop.update(id(m) for m in members[1:])
    dropped = [r for r in result.records if id(r) in drop]
    if drop:
        result.merged = len(drop)
        result.records = [r for r in result.records if id(r) not in drop]
    return dropped


def _name_the_award(result: ImportResult) -> None:
    """A source of one award (a GtR project record) leaves its entries' Award Reference blank,
    which means "the workbook's award"; among several sources each entry names its own."""
    awards = [r for r in result.records if r.kind == AWARD]
    reference = str(awards[0].raw.get("award_reference") or "").strip() if len(awards) == 1 else ""
    if not reference:
        return
    for record in result.records:
        if record.kind not in (AWARD, ORGANISATION, SUGGESTION) and not record.raw.get("award_reference"):
            record.raw["award_reference"] = reference


def combine(results: list[ImportResult]) -> ImportResult:
    """Several imports as one (a folder of GtR records for a portfolio): records and notes
    together, each part's tally summed over the sources (so rows still balance)."""
    if len(results) == 1:
        return results[0]
    names = [Path(r.source).name for r in results]
    formats = sorted({r.format for r in results})
    combined = ImportResult(
        source=f"{len(results)} files ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})",
        format=formats[0] if len(formats) == 1 else "several formats",
        provenance=results[0].provenance if len({r.provenance for r in results}) == 1 else "",
    )
    for result in results:
        _name_the_award(result)
        combined.records.extend(result.records)
        combined.notes.extend(result.notes)
        combined.unplaced += result.unplaced
        combined.merged += result.merged
        for key, count in result.read.items():
            combined.read[key] = combined.read.get(key, 0) + count
        for tally in result.tallies:
            total = combined.tally(tally.part, tally.section)
            for name in ("rows", "entries", "merged", "empty", "unplaced", "joined"):
                setattr(total, name, getattr(total, name) + getattr(tally, name))
    # One outcome of several projects arrives once per project's file: one entry listing them.
    merged_before = combined.merged
    for record in merge_shared_entries(combined):
        counted = next((t for t in combined.tallies if t.section == record.kind and t.entries), None)
        if counted is not None:
            counted.entries -= 1
            counted.merged += 1
    combined.merged += merged_before
    return combined
