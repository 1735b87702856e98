"""How long `diff` takes when every title was reworded (issue 14): two workbooks of N
engagement entries, the second with one word of each title changed or a word added, so each
pair is about 90% alike and must be matched as "changed", none as added or removed.

    python benchmarks/diff_scale.py [N ...]      (default: 1400 3000)

Prints, per N, the seconds of the matching alone (changes.compare) and of the whole `diff`
(reading both workbooks included), and how the entries were matched.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from reporting import pipeline
from reporting.changes import compare
from reporting.loading import load
from reporting.schema import load_schema

HEADERS = [
    "Description",
    "Form Of Engagement Activity",
    "Part Of Official Scheme?",
    "Geographic Reach",
    "Primary Audience",
    "Year(s) Of Engagement Activity",
    "Results and Impact",
]
COMMON = (
    "the of and to in for a on with at by from about workshop talk event public school city "
    "community research project policy panel seminar festival exhibition podcast"
).split()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))


def titles(n: int, seed: int = 1) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(4000)]
    before, after = [], []
    for _ in range(n):
        words = [rng.choice(COMMON if rng.random() < 0.4 else vocabulary) for _ in range(rng.randint(8, 12))]
        before.append(" ".join(words).capitalize())
        changed = list(words)
        if rng.random() < 0.5:
            changed[rng.randrange(len(changed))] = rng.choice(COMMON)
        else:
            changed.insert(rng.randrange(len(changed)), rng.choice(COMMON))
        after.append(" ".join(changed).capitalize())
    return before, after


def workbook(path: Path, descriptions: list[str]) -> Path:
    book = openpyxl.Workbook()
    award = book.active
    award.title = "Award"
    award.append(["Title", "Award Reference"])
    award.append(["Benchmark", "BE/N1/1"])
    sheet = book.create_sheet("Engagement Activities")
    sheet.append(HEADERS)
    for text in descriptions:
        sheet.append([text, "A talk or presentation", "No", "Regional", "Schools", 2019, "Many came."])
    book.save(path)
    return path


def main(sizes: list[int]) -> None:
    schema = load_schema()
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            before, after = titles(n)
            old = workbook(Path(folder) / f"old-{n}.xlsx", before)
            new = workbook(Path(folder) / f"new-{n}.xlsx", after)
            previous, _, _ = load([old], schema)
            current, _, _ = load([new], schema)
            start = time.perf_counter()
            changes = compare(previous, current, schema)
            matching = time.perf_counter() - start
            start = time.perf_counter()
            pipeline.diff([old], [new], schema)
            whole = time.perf_counter() - start
            kinds = {kind: len(changes.of_kind(kind)) for kind in ("changed", "added", "removed")}
            print(f"{n:>6} reworded titles: matching {matching:6.2f} s, whole diff {whole:6.2f} s; {kinds}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1400, 3000])
