"""Entries reported twice: what makes two entries the same (every field of the section compared
loosely, or the DOI, for the same awards), and the findings that say so. Pure; no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from .findings import ERROR, WARNING, Finding, Findings
from .imported import from_funder
from .model import Entry, Record, describe_origin

__all__ = ["check_duplicates", "duplicate_key"]

#: How validation words a finding about one field of a record (code, severity, variant, words).
FieldFinding = Callable[..., Finding]


def duplicate_key(entry: Entry) -> tuple[Any, ...]:
    """What makes two entries the same: every field of the section, compared loosely, for
    the same award(s). (One outcome counted for several awards is one entry listing them all.)
    The fields are kept as a digest, so checking 100,000 entries copies no text."""
    awards = tuple(entry.values.get("award_reference") or ())
    doi = entry.values.get("doi")
    if doi:
        return (entry.section.key, "doi", doi.casefold(), awards)
    digest = hashlib.blake2b(digest_size=16)
    for spec in entry.section.fields:
        value = entry.values.get(spec.key, entry.raw.get(spec.key))
        if isinstance(value, str):
            # Titles compare without case or spacing; long texts without case.
            value = value.casefold() if spec.is_long else " ".join(value.casefold().split())
        digest.update(str(value).encode("utf-8", "surrogatepass") + b"\x1f")
    return (entry.section.key, digest.digest(), awards)


def check_duplicates(pending: list[tuple[Entry, Record]], findings: Findings, finding: FieldFinding) -> None:
    """A finding for each entry that repeats an earlier one: an error, or a warning where the
    two carry different outcome IDs or the funder accepted them (maybe reported twice on purpose)."""
    first: dict[tuple[Any, ...], Record] = {}
    for entry, record in pending:
        key = duplicate_key(entry)
        earlier = first.setdefault(key, record)
        if earlier is record:
            continue
        where = describe_origin(earlier.origin)
        if earlier.origin.file != record.origin.file:
            where += f" of {earlier.origin.file}"
        doi = key[1:2] == ("doi",)
        ids = (earlier.raw.get("entry_id"), record.raw.get("entry_id"))
        # Two different researchfish/GtR outcome IDs, or entries the funder already accepted:
        # maybe reported twice on purpose, and in any case not for this tool to refuse.
        different_ids = bool(all(ids) and ids[0] != ids[1])
        distinct = different_ids or earlier.imported is not None or record.imported is not None
        if distinct:
            code, severity = "possible-duplicate", WARNING
            variant = {(True, False): "", (True, True): "doi", (False, False): "funder", (False, True): "funder-doi"}[
                (different_ids, doi)
            ]
            if variant.startswith("funder") and not from_funder(record.raw.get("imported_from")):
                variant = {"funder": "list", "funder-doi": "list-doi"}[variant]
        else:
            code, severity, variant = "duplicate-entry", ERROR, "doi" if doi else ""
        findings.add(
            finding(
                record,
                entry.section.heading_field,
                code,
                severity,
                variant,
                value=entry.value_or_raw(entry.section.heading),
                where=where,
            )
        )
