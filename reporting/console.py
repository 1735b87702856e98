"""What the commands print, as lines of plain text: findings grouped by file and sheet, the
import's accounting table, a build's outputs, the changes between submissions.

No click here: `cli.py` colours each line by its `style` and writes it to the stream it names,
so the wording can be read and tested without a terminal.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .findings import ERROR, Finding, Findings
from .model import describe_origin
from .request import BuildResult, Make
from .text import plural

if TYPE_CHECKING:
    from .adding import AddReport
    from .changes import Changes, FieldChange
    from .convert import ImportReport, SuggestionReport
    from .fixing import FixReport
    from .importers import Tally

#: How many findings a build or an import lists before summing up the rest by kind.
BUILD_LIMIT = 30
IMPORT_LIMIT = 40
#: How many undated entries a build with a period lists by name.
UNDATED_LIMIT = 20


@dataclass(frozen=True)
class Line:
    """One line of output. `tag` (a severity) is shown coloured after `indent`; `style` is
    "heading" (bold) or ""; `err` sends it to standard error."""

    text: str
    style: str = ""
    tag: str = ""
    indent: str = ""
    err: bool = False

    def plain(self) -> str:
        return self.indent + (f"{self.tag} " if self.tag else "") + self.text


def findings_lines(findings: Findings, limit: int | None = None, all_in: str = "") -> Iterator[Line]:
    """Findings grouped by file and sheet, errors before warnings (a cap never hides an error
    behind a warning); past `limit`, a count by kind and the command that lists them all; then
    the one-line summary."""
    ordered = sorted(findings, key=lambda f: f.severity != ERROR)  # stable: source order kept
    shown = ordered if limit is None else ordered[:limit]
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in shown:
        groups[(finding.file, finding.sheet)].append(finding)
    for (file, sheet), items in groups.items():
        yield Line(file + (f" / {sheet}" if sheet else ""), style="heading")
        for finding in items:
            yield Line(finding.describe(), tag=finding.severity.upper(), indent="  ")
    hidden = ordered[len(shown) :]
    if hidden:
        where = all_in or f"`{validate_command(findings)}` lists them all"
        yield Line(f"… and {len(hidden)} more, by kind ({where}):")
        kinds: dict[tuple[str, str, str], int] = defaultdict(int)
        for finding in hidden:
            kinds[(finding.severity, finding.code, finding.field)] += 1
        for (severity, code, field), count in sorted(kinds.items(), key=lambda kv: (kv[0][0] != ERROR, -kv[1])):
            yield Line(f"  {count:>6}  {severity} {code}" + (f" ({field})" if field else ""))
    yield Line(f"{findings.summary()}.")


def imported_lines(imported: int, entries: int) -> Iterator[Line]:
    """What validate treated as imported (see imported.py)."""
    yield Line(
        f"{imported:,} of {entries:,} entries were read as imported: their values, while unchanged, "
        "are checked as their source gave them (the funder, or a publication list); changed values and added "
        "rows are checked in full."
    )


def validate_command(findings: Iterable[Finding], option: str = "") -> str:
    """The `validate` command for the files these findings are about."""
    files = list(dict.fromkeys(f.file for f in findings if f.file))
    named = " ".join(shlex.quote(f) for f in files[:3]) + (" ..." if len(files) > 3 else "")
    return " ".join(part for part in ("funder-report validate", option, named) if part)


def import_lines(report: ImportReport, source: str) -> Iterator[Line]:
    """An import: what was read, what became of every row, the values mapped, the findings,
    and what was written."""
    yield Line(f"Read {source} ({report.result.format}).")
    yield from (Line(text) for text in import_table(report.result.tallies, report.titles))
    if report.mappings:
        yield Line("Mapped to current wordings:")
        for (label, old, new), count in sorted(report.mappings.items()):
            times = f" ({count} times)" if count > 1 else ""
            yield Line(f'  {label}: "{old}" -> "{new}"{times}')
    if len(report.findings):
        yield from findings_lines(
            report.findings, limit=IMPORT_LIMIT, all_in=f"the Import Log sheet of {report.output} lists them all"
        )
    entries = sum(report.written.values())
    yield Line(f"Wrote {report.output}: {plural(entries, 'entry', 'entries')} for {plural(report.awards, 'award')}.")


#: How many works skipped as already listed `import --into` names one by one.
SKIPPED_SHOWN = 10


def add_lines(report: AddReport) -> Iterator[Line]:
    """An `import --into`: works read, added, merged within the lists, skipped as already there."""
    names = ", ".join(str(s) for s in report.sources[:3]) + (", ..." if len(report.sources) > 3 else "")
    yield Line(f"Read {names}: {plural(report.read, 'work')}.")
    if report.merged:
        yield Line(f"{plural(report.merged, 'work')} listed twice in what was read, kept once.")
    if report.skipped:
        yield Line(f"Skipped {plural(len(report.skipped), 'work')} the workbook lists already:")
        for new, old in report.skipped[:SKIPPED_SHOWN]:
            yield Line(f"  {_cut(str(new.raw.get('title') or '(untitled)'), 70)} ({describe_origin(old.origin)})")
        if len(report.skipped) > SKIPPED_SHOWN:
            yield Line(f"  ... and {len(report.skipped) - SKIPPED_SHOWN} more (--json lists them all)")
    if len(report.findings):
        yield from findings_lines(report.findings, limit=IMPORT_LIMIT)
    yield Line(f"Added {plural(len(report.added), 'work')} to {report.output}; every row already there is as it was.")


def import_table(tallies: Iterable[Tally], titles: dict[str, str]) -> list[str]:
    """What became of the source's rows, part by part: the import's accounting."""
    lines = [f"{'Source':<28} {'Section':<34} {'rows':>6} {'entries':>8} {'merged':>7} {'empty':>6} {'not placed':>11}"]
    totals = [0, 0, 0, 0, 0]
    for tally in tallies:
        where = titles.get(tally.section, "") if tally.section else f"({tally.note or 'left out'})"
        if tally.section and tally.note:
            where += f" ({tally.note})"
        numbers = [tally.rows, tally.entries, tally.merged, tally.empty, tally.unplaced]
        if tally.section is not None:
            totals = [a + b for a, b in zip(totals, numbers)]
        shown = [str(n) if n else "" for n in numbers]
        if tally.section is None and tally.entries:
            shown[1] = f"{tally.entries} award{'s' if tally.entries != 1 else ''}"
        lines.append(
            f"{_cut(tally.part, 28):<28} {_cut(where, 34):<34} {shown[0]:>6} {shown[1]:>8} "
            f"{shown[2]:>7} {shown[3]:>6} {shown[4]:>11}"
        )
        if tally.joined:
            lines.append(f"{'':<28} ({tally.joined} rows the source cut in two were joined back)")
    lines.append(
        f"{'Total (outcome rows)':<63} {totals[0]:>6} {totals[1]:>8} {totals[2]:>7} {totals[3]:>6} {totals[4]:>11}"
    )
    lines.append(
        "rows = entries + merged (the same outcome for another award: one entry lists all its awards) "
        "+ empty (nothing but the source's own columns) + not placed (each named below)."
    )
    return lines


def invalid_lines(result: BuildResult) -> Iterator[Line]:
    """A build or profiles run stopped by invalid entries: the findings, then what to do."""
    yield from findings_lines(result.findings, limit=BUILD_LIMIT)
    errors = len(result.findings.errors)
    yield Line(
        f"Nothing written: {plural(errors, 'error')} must be fixed first. "
        f"Run `{validate_command(result.findings, '--annotate checked/')}` for a copy of each "
        "workbook with the problem cells highlighted."
    )


def undated_headline(result: BuildResult) -> str:
    """How many entries a period left out for want of a date ("" when none)."""
    undated = sum(1 for f in result.findings if f.code == "undated-entry")
    return f"{plural(undated, 'entry', 'entries')} have no date and are not in the period" if undated else ""


def headline(result: BuildResult, kind: Make) -> str:
    """What a kind of a build made, in one sentence (no full stop): how many files, from how
    many entries (of how many, and why fewer), or why nothing was written."""
    if not result.outputs:
        return f"Nothing written: {result.empty_because or 'there was nothing to write'}"
    kept = " and ".join(
        filter(None, [f"dated in {result.period}" if result.period else "", "not Internal" if result.public else ""])
    )
    used = (
        f"{result.used} of {plural(result.entries, 'entry', 'entries')} ({kept})"
        if kept
        else plural(result.used, "entry", "entries")
    )
    if kind is Make.RETURNS:
        return f"Built {plural(result.awards, 'award return')} from {used}"
    if kind is Make.PORTFOLIO:
        return f"Wrote the portfolio report of {plural(result.awards, 'award')} from {used}"
    return f"Wrote {plural(result.awards, 'partner profile')} from {used}"


def build_lines(result: BuildResult, kind: Make) -> Iterator[Line]:
    """A kind of a build: the undated entries, the number of warnings, what the files hold
    (entries used of entries read, and why fewer) and the files."""
    undated = [f for f in result.findings if f.code == "undated-entry"]
    if undated:
        yield Line(f"{undated_headline(result)}:")
        for finding in undated[:UNDATED_LIMIT]:
            yield Line(f"  {finding.location}: {finding.value}")
        if len(undated) > UNDATED_LIMIT:
            yield Line(f"  … and {len(undated) - UNDATED_LIMIT} more.")
    others = [f for f in result.findings.warnings if f.code != "undated-entry"]
    if others:
        yield Line(f"{plural(len(others), 'warning')} (`{validate_command(others)}` lists them).")
    for note in result.notes:
        yield Line(f"Note: {note}")
    if not result.outputs:
        yield Line(f"{headline(result, kind)}.")
        return
    yield Line(f"{headline(result, kind)}:")
    for path in result.outputs:
        yield Line(f"  {path}")


def suggestion_lines(reports: list[SuggestionReport]) -> Iterator[Line]:
    """Per workbook: the links proposed, by organisation, or why there are none; the copy written."""
    for report in reports:
        counts: dict[str, int] = defaultdict(int)
        for item in report.suggestions:
            counts[item.organisation.name] += 1
        if report.suggestions:
            yield Line(
                f"{report.source}: {plural(len(report.suggestions), 'possible link')} to "
                f"{plural(len(counts), 'organisation')}:"
            )
        elif not report.organisations:
            yield Line(
                f"{report.source}: no possible links: there are no partner organisations to look for "
                "(list them on the Organisations sheet, or name them in a collaboration's Organisation)."
            )
        else:
            yield Line(
                f"{report.source}: no possible links: no entry mentions any of the "
                f"{plural(report.organisations, 'organisation')} without being linked to it already."
            )
        for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
            yield Line(f"  {count:>4}  {name}")
        if report.organisations_added:
            yield Line(
                f"Added {plural(report.organisations_added, 'organisation')} named by entries to the "
                "Organisations sheet."
            )
        yield Line(
            f"Wrote {report.output}. Put Yes in the Accept column of the links that are right, "
            f"then build from that workbook in place of {report.source.name}."
        )


def fix_lines(reports: list[FixReport]) -> Iterator[Line]:
    """Per workbook: each change made, the copy written, and what is left for a person."""
    for report in reports:
        yield Line(f"{report.source}: {plural(len(report.changes), 'safe fix', 'safe fixes')}", style="heading")
        for sheet, cell, label, before, after in report.changes:
            yield Line(f'  {sheet}!{cell}: {label}: "{_flat(before)}" -> "{_flat(after)}"')
        errors = sum(1 for f in report.left if f.severity == ERROR)
        left = (
            f"{plural(errors, 'error')} and {plural(len(report.left) - errors, 'warning')} left for a person "
            f"(`funder-report validate --annotate checked/ {shlex.quote(str(report.output))}` marks them)"
            if report.left
            else "nothing else to fix"
        )
        yield Line(f"Wrote {report.output}: {left}. {report.source.name} is unchanged.")


def change_lines(changes: Changes, previous: str, current: str, similarity: float) -> Iterator[Line]:
    """Entries added, removed and changed (field by field), by section."""
    yield Line(
        f"Changes from {previous} to {current} (entries matched by Entry ID, else by title "
        f"at {similarity:.0%} similarity or more):"
    )
    sections: dict[str, list] = defaultdict(list)
    for item in changes.items:
        sections[item.section].append(item)
    symbols = {"added": "+", "removed": "-", "changed": "~"}
    for section, items in sections.items():
        yield Line(section, style="heading")
        for item in items:
            yield Line(f"  {symbols[item.kind]} {item.kind}: {item.heading}")
            for change in item.fields:
                yield Line(f"      {change.label}: {_field_change(change)}")
    yield Line(f"{changes.summary()}.")


#: A changed value longer than this is shown as its changed words, in context.
SHORT_VALUE = 70


def _field_change(change: FieldChange) -> str:
    """ "old" -> "new" for short values; for long texts, the words that changed with a few
    words around them: ...context [-removed-] {+added+} context..."""
    old, new = _flat(change.old), _flat(change.new)
    if len(old) <= SHORT_VALUE and len(new) <= SHORT_VALUE:
        return f'"{old}" -> "{new}"'
    hunks = change.hunks()
    shown = []
    for before, removed, added, after in hunks[:3]:
        parts = [f"[-{removed}-]" if removed else "", f"{{+{added}+}}" if added else ""]
        shown.append(" ".join(filter(None, ["…" + before if before else "", *parts, after + "…" if after else ""])))
    more = f" (and {len(hunks) - 3} more changes)" if len(hunks) > 3 else ""
    return " | ".join(shown) + more if shown else "only spacing or line breaks changed"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
