"""Import time against the time of merely reading the same files, side by side in one run.

    python benchmarks/import_vs_read.py

For the 2022 HDR UK researchfish export (8,426 outcome rows) and the 200 GtR project records of
../shared/data/real: the time `funder-report import` takes (a new process, as a user runs it),
and the time a new process takes only to read the files (python-calamine reading every cell of
the export; lxml parsing every record), each the median of three runs, and their ratio.
Target (issue 21): an import within 5x of reading.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
EXPORT = REAL / "researchfish" / "hdruk-researchfish-2022.xlsx"
RECORDS = REAL / "gtr-xml"

READ_EXPORT = f"""
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path({str(EXPORT)!r})
cells = sum(len(r) for name in book.sheet_names for r in book.get_sheet_by_name(name).to_python())
"""
READ_RECORDS = f"""
from pathlib import Path
from lxml import etree
count = sum(len(etree.fromstring(p.read_bytes())) for p in Path({str(RECORDS)!r}).glob("*.xml"))
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def median(command: list[str]) -> float:
    return statistics.median(timed(command) for _ in range(3))


def main() -> None:
    if not EXPORT.exists() or not RECORDS.exists():
        sys.exit(f"the real files are not here ({REAL})")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("2022 HDR UK export", READ_EXPORT, [str(EXPORT)]),
            ("200 GtR project records", READ_RECORDS, [str(RECORDS)]),
        ]
        print(f"{'source':26} {'read':>8} {'import':>8} {'ratio':>6}")
        for name, reader, sources in cases:
            read = median([sys.executable, "-c", reader])
            out = Path(tmp) / "out.xlsx"
            imported = median([sys.executable, "-m", "reporting", "import", *sources, "-o", str(out), "--force"])
            print(f"{name:26} {read:7.2f}s {imported:7.2f}s {imported / read:5.1f}x")


if __name__ == "__main__":
    main()
