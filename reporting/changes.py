"""What changed between two submissions: entries added, removed and changed, field by field.

Entries are matched within each section: first by Entry ID where both have one; then by their
title (or description, for sections without a title), compared without case or extra spaces;
then by titles at least SIMILARITY alike (difflib's ratio), the closest pairs first. Where
several entries share a title (one collaboration per partner), the pair with the most equal
fields is taken. No I/O.

Similar titles are found without comparing every pair: each earlier title is indexed by its
character trigrams, and a title is compared (with difflib) only with those sharing enough of
its less common trigrams, so 1,400 reworded titles take a fraction of a second, not minutes.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import fieldtypes
from .model import Dataset, Entry
from .schema import Schema

#: How alike two titles must be (0-1, difflib's ratio) to be taken as the same entry.
SIMILARITY = 0.85
#: A title is compared with earlier titles sharing at least this share of its less common trigrams.
_SHARED_GRAMS = 0.25
_IGNORED = {"entry_id"}

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    def hunks(self, context: int = 4) -> list[tuple[str, str, str, str]]:
        """What changed inside the text, word by word: (words before, old words, new words,
        words after) per change, with up to `context` words either side."""
        old, new = self.old.split(), self.new.split()
        found = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag != "equal":
                found.append(
                    (
                        " ".join(old[max(0, i1 - context) : i1]),
                        " ".join(old[i1:i2]),
                        " ".join(new[j1:j2]),
                        " ".join(old[i2 : i2 + context]),
                    )
                )
        return found


@dataclass
class EntryChange:
    """One entry added, removed or changed. `entry` is the current entry (the previous one
    for a removal); `how` says how a changed entry was matched."""

    kind: str
    section: str
    heading: str
    entry: Entry
    previous: Entry | None = None
    fields: list[FieldChange] = field(default_factory=list)
    how: str = ""

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "section": self.section,
            "entry": self.heading,
            "matched_by": self.how,
            "fields": [
                {
                    "field": f.label,
                    "old": f.old,
                    "new": f.new,
                    "changed_words": [{"before": b, "removed": r, "added": a, "after": t} for b, r, a, t in f.hunks()],
                }
                for f in self.fields
            ],
        }


@dataclass
class Changes:
    """Every entry added, removed or changed, in schema order."""

    items: list[EntryChange] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[EntryChange]:
        return [c for c in self.items if c.kind == kind]

    def summary(self) -> str:
        return (
            f"{len(self.of_kind(ADDED))} added, {len(self.of_kind(REMOVED))} removed, "
            f"{len(self.of_kind(CHANGED))} changed"
        )

    def to_dict(self) -> dict:
        return {
            "similarity_threshold": SIMILARITY,
            "added": len(self.of_kind(ADDED)),
            "removed": len(self.of_kind(REMOVED)),
            "changed": len(self.of_kind(CHANGED)),
            "changes": [c.to_dict() for c in self.items],
        }


def _heading(entry: Entry) -> str:
    value = entry.value_or_raw(entry.section.heading)
    return " ".join(fieldtypes.as_text(value).split()) if value not in (None, "") else ""


def _key(entry: Entry) -> str:
    return _heading(entry).casefold()


def field_changes(schema: Schema, old: Entry, new: Entry) -> list[FieldChange]:
    changed = []
    for spec in schema.columns(new.section):
        if spec.key in _IGNORED or spec.bookkeeping:  # re-harvested by researchfish, not reported
            continue
        before, after = fieldtypes.show(spec, old.values, old.raw), fieldtypes.show(spec, new.values, new.raw)
        if before != after and not _same_number(before, after):
            changed.append(FieldChange(spec.label, before, after))
    return changed


def _same_number(before: str, after: str) -> bool:
    """The same number written two ways ("02" and "2": a month one export pads and the next
    does not) is no change."""
    return before.isdigit() and after.isdigit() and int(before) == int(after)


def _pair_best(schema: Schema, entry: Entry, candidates: list[Entry]) -> Entry:
    return min(candidates, key=lambda c: len(field_changes(schema, c, entry)))


def _grams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similar(new: list[Entry], old: list[Entry]) -> list[tuple[float, int, int]]:
    """(ratio, index in new, index in old) of every pair of titles at least SIMILARITY alike.

    Trigrams found in many earlier titles ("the", "ing") say little and are not counted; a title
    with almost no other trigrams is compared with every earlier one.
    """
    old_keys = [_key(e) for e in old]
    index: dict[str, list[int]] = defaultdict(list)
    for j, key in enumerate(old_keys):
        for gram in _grams(key):
            index[gram].append(j)
    common = max(50, len(old) // 10)
    scored = []
    for i, entry in enumerate(new):
        key = _key(entry)
        counts: Counter[int] = Counter()
        rare = 0
        for gram in _grams(key):
            posting = index.get(gram, ())
            if len(posting) <= common:
                rare += 1
                counts.update(posting)
        if rare < 4:
            candidates: Iterable[int] = range(len(old))
        else:
            need = max(1, int(rare * _SHARED_GRAMS))
            candidates = [j for j, shared in counts.items() if shared >= need]
        matcher = difflib.SequenceMatcher(None, "", key)  # b is cached
        for j in candidates:
            matcher.set_seq1(old_keys[j])
            if matcher.real_quick_ratio() >= SIMILARITY and matcher.quick_ratio() >= SIMILARITY:
                ratio = matcher.ratio()
                if ratio >= SIMILARITY:
                    scored.append((ratio, i, j))
    return scored


def compare(previous: Dataset, current: Dataset, schema: Schema) -> Changes:
    """Entries added, removed and changed from `previous` to `current`, in schema order."""
    changes = Changes()
    for section in schema.sections:
        old = [e for e in previous.entries if e.section.key == section.key]
        new = [e for e in current.entries if e.section.key == section.key]
        if not old and not new:
            continue
        pairs: list[tuple[Entry, Entry, str]] = []
        # 1. Entry ID.
        by_id: dict[str, Entry] = {}
        for entry in old:
            if entry.values.get("entry_id"):
                by_id.setdefault(entry.values["entry_id"], entry)
        unmatched_new = []
        for entry in new:
            key = entry.values.get("entry_id")
            match = by_id.pop(key, None) if key else None
            if match is not None:
                pairs.append((match, entry, "Entry ID"))
            else:
                unmatched_new.append(entry)
        matched_old = {id(p[0]) for p in pairs}
        remaining_old = [e for e in old if id(e) not in matched_old]
        # 2. Same title, the closest in content when several share it.
        by_title: dict[str, list[Entry]] = {}
        for entry in remaining_old:
            by_title.setdefault(_key(entry), []).append(entry)
        still_new = []
        for entry in unmatched_new:
            candidates = by_title.get(_key(entry))
            if candidates:
                match = _pair_best(schema, entry, candidates)
                candidates.remove(match)
                pairs.append((match, entry, "title"))
            else:
                still_new.append(entry)
        left_old = [e for group in by_title.values() for e in group]
        # 3. Similar titles, closest first.
        if still_new and left_old:
            used_new, used_old = set(), set()
            for ratio, i, j in sorted(_similar(still_new, left_old), reverse=True):
                if i in used_new or j in used_old:
                    continue
                used_new.add(i)
                used_old.add(j)
                pairs.append((left_old[j], still_new[i], f"similar title ({ratio:.0%})"))
            still_new = [e for i, e in enumerate(still_new) if i not in used_new]
            left_old = [e for j, e in enumerate(left_old) if j not in used_old]
        order = {id(e): n for n, e in enumerate(new)}
        for before, after, how in sorted(pairs, key=lambda p: order[id(p[1])]):
            fields = field_changes(schema, before, after)
            if fields:
                changes.items.append(EntryChange(CHANGED, section.title, _heading(after), after, before, fields, how))
        for entry in still_new:
            changes.items.append(EntryChange(ADDED, section.title, _heading(entry), entry))
        for entry in left_old:
            changes.items.append(EntryChange(REMOVED, section.title, _heading(entry), entry))
    return changes
