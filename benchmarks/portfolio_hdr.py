"""Time the portfolio impact report on the 2022 HDR UK researchfish export.

    python benchmarks/portfolio_hdr.py [EXPORT.xlsx]

Imports the export into a workbook (timed apart: an office does it once), then runs
`funder-report portfolio` on it as a user would (a new process: start-up, reading and checking
the workbook, counting, writing Word and Excel), three times, and prints each time and the
median. Default export: ../shared/data/real/researchfish/hdruk-researchfish-2022.xlsx.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "real" / "researchfish" / "hdruk-researchfish-2022.xlsx"


def run(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reporting", *args], capture_output=True, text=True)
    if done.returncode not in (0,):
        sys.exit(f"funder-report {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def main() -> None:
    export = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not export.is_file():
        sys.exit(f"{export}: no such file (give the export as the argument)")
    work = Path(tempfile.mkdtemp())
    workbook = work / "inputs" / "portfolio.xlsx"
    print(f"import {export.name}: {run('import', str(export), '-o', str(workbook)):.1f} s")
    times = [run("portfolio", str(workbook.parent), "-o", str(work / "report"), "--force") for _ in range(3)]
    print("portfolio report: " + ", ".join(f"{t:.1f} s" for t in times) + f"; median {statistics.median(times):.1f} s")
    for path in sorted((work / "report").iterdir()):
        print(f"  {path.name}: {path.stat().st_size / 1024:,.0f} KB")


if __name__ == "__main__":
    main()
