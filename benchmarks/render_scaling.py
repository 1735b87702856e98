"""Time each stage of a build at 1,000 and 10,000 entries and report how it grows.

Usage: python benchmarks/render_scaling.py [SIZE ...]   (default 1000 10000)

Each size runs in its own process so its peak memory is its own. Linear growth means the
10,000-entry time is about 10x the 1,000-entry time.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def measure(size: int) -> dict:
    from reporting.docx_writer import WordTemplate
    from reporting.pipeline import read_inputs, templates_dir
    from reporting.returns import award_view
    from reporting.schema import load_schema
    from reporting.validation import validate
    from reporting.xlsx_writer import write_excel_return
    from reporting.outputs import write_atomic
    from synthetic import make_workbook

    schema = load_schema()
    with tempfile.TemporaryDirectory() as tmp:
        source = make_workbook(Path(tmp) / "in.xlsx", size)
        times = {}
        t = time.perf_counter()
        records, _ = read_inputs([source], schema)
        times["read"] = time.perf_counter() - t
        t = time.perf_counter()
        dataset, findings = validate(records, schema)
        times["validate"] = time.perf_counter() - t
        award, entries = dataset.by_award()[0]
        view = award_view(schema, award, entries)
        word = WordTemplate(templates_dir() / "return.docx")
        t = time.perf_counter()
        docx_bytes = word.render(schema, view)
        times["render docx"] = time.perf_counter() - t
        t = time.perf_counter()
        xlsx_bytes = write_excel_return(schema, view)
        times["render xlsx"] = time.perf_counter() - t
        t = time.perf_counter()
        write_atomic(Path(tmp) / "out.docx", docx_bytes)
        write_atomic(Path(tmp) / "out.xlsx", xlsx_bytes)
        times["write"] = time.perf_counter() - t
        times["total"] = sum(times.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"entries": len(entries), "errors": len(findings.errors), "times": times, "peak_mb": peak_mb}


def main(sizes: list[int]) -> None:
    results = []
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True,
                             text=True, check=True)
        results.append(json.loads(out.stdout))
    stages = list(results[0]["times"])
    print(f"{'stage':<12}" + "".join(f"{r['entries']:>12,}" for r in results) +
          ("   growth" if len(results) > 1 else ""))
    for stage in stages:
        row = [r["times"][stage] for r in results]
        growth = f"   x{row[-1] / row[0]:.1f}" if len(row) > 1 and row[0] else ""
        print(f"{stage:<12}" + "".join(f"{v:>11.2f}s" for v in row) + growth)
    print(f"{'peak memory':<12}" + "".join(f"{r['peak_mb']:>10.0f}MB" for r in results))
    if len(results) > 1:
        ratio = results[-1]["entries"] / results[0]["entries"]
        print(f"\nentries grew x{ratio:.0f}; a linear build grows about x{ratio:.0f} in time.")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 10000])
