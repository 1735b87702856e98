"""Realistic synthetic input workbooks for benchmarks.

Entries are copies of the real Jam and Justice records (../shared/data), so sections are spread
and text lengths vary as in a real return; each copy gets a numbered title so no two are equal.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

from reporting.importers import import_file
from reporting.inputs import input_book
from reporting.model import Award
from reporting.schema import load_schema
from reporting.validation import validate
from reporting.xlsx_writer import write_input_workbook

SEED = Path(__file__).parent.parent.parent / "shared" / "data" / "000_dc8e63340d1037c7.txt"


def seed_dataset():
    schema = load_schema()
    dataset, _ = validate(import_file(SEED, schema).records, schema)
    return schema, dataset


def make_workbook(path: Path, entries: int, awards: int = 1) -> Path:
    """Write an input workbook with `entries` entries spread over `awards` awards."""
    schema, seed = seed_dataset()
    template_award = seed.awards[0]
    award_list = []
    for number in range(1, awards + 1):
        values = dict(template_award.values)
        values["title"] = f"{template_award.title} ({number})"
        values["award_reference"] = f"BE/N{number:05d}/1"
        award_list.append(Award(values=values, origin=template_award.origin))
    made = []
    source = itertools.cycle(seed.entries)
    for index in range(entries):
        entry = copy.copy(next(source))
        entry.values = dict(entry.values)
        heading = entry.section.heading
        entry.values[heading] = f"{entry.values.get(heading, '')} #{index + 1}"
        entry.values["award_reference"] = [award_list[index % awards].reference] if awards > 1 else None
        if entry.values["award_reference"] is None:
            del entry.values["award_reference"]
        made.append(entry)
    path.write_bytes(write_input_workbook(input_book(schema, award_list, made, title="benchmark")))
    return path
