"""Benchmark funder-report against the reference pipeline, stage by stage (issue 7).

Usage:  python benchmarks/run.py            # 1,000 and 10,000 entries, and 500 awards / 100,000
        python benchmarks/run.py --quick    # 1,000 and 10,000 entries only

Each measurement runs in a fresh process, so peak memory is its own. Workbooks are synthetic
copies of the real Jam and Justice records (see synthetic.py). Prints a table of seconds per
stage for funder-report (one core, stage by stage), the full `build` (read + validate + Word +
Excel on every core), and the reference pipeline (reference.py), then checks the targets.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

CASES = [
    ("one award, 1,000 entries", 1_000, 1),
    ("one award, 10,000 entries", 10_000, 1),
    ("500 awards, 100,000 entries", 100_000, 500),
]


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest worker, in MB.

    Linux keeps a process's ru_maxrss across exec, so a measuring process started by this
    script would report this script's own peak (it holds the synthetic workbook it made): the
    peak of this process's memory since exec (VmHWM) is read instead where there is one.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        status = Path("/proc/self/status").read_text()
        own = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure_stages(path: Path, out: Path) -> dict:
    """funder-report on one core, stage by stage."""
    from reporting.heads import award_head
    from reporting.loading import read_inputs
    from reporting.pipeline import output_stem
    from reporting.schema import load_schema
    from reporting.selection import Selection, select
    from reporting.templating import Renderer
    from reporting.validation import validate
    from reporting.xlsx_return import write_excel_return

    schema = load_schema()
    times = {}
    start = time.perf_counter()
    records, _ = read_inputs([path], schema)
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    dataset, findings = validate(records, schema)
    times["validate"] = time.perf_counter() - start
    assert findings.ok, [f.describe() for f in findings.errors][:3]
    renderer = Renderer()
    docx_time = xlsx_time = write_time = view_time = 0.0
    for award, entries in dataset.by_award():
        t = time.perf_counter()
        view = renderer.view(schema, award_head(schema, award), select(entries, Selection(), "return", award))
        view_time += time.perf_counter() - t
        t = time.perf_counter()
        docx = renderer.word.render(view)
        docx_time += time.perf_counter() - t
        t = time.perf_counter()
        xlsx = write_excel_return(view)
        xlsx_time += time.perf_counter() - t
        t = time.perf_counter()
        stem = out / output_stem(award)
        (stem.with_suffix(".docx")).write_bytes(docx)
        (stem.with_suffix(".xlsx")).write_bytes(xlsx)
        write_time += time.perf_counter() - t
    times.update({"view": view_time, "render docx": docx_time, "render xlsx": xlsx_time, "write": write_time})
    times["total"] = sum(times.values())
    return {"times": times, "peak": _peak_mb()}


def measure_build(path: Path, out: Path) -> dict:
    """The full `build`, as a user runs it (every core)."""
    from reporting.parallel import cores
    from reporting.pipeline import build

    start = time.perf_counter()
    result = build([path], out)
    elapsed = time.perf_counter() - start
    assert result.outputs
    return {"times": {"build": elapsed}, "peak": _peak_mb(), "cores": cores(), "files": len(result.outputs)}


def measure_reference(path: Path, out: Path) -> dict:
    import reference

    from reporting.templating import templates_dir

    styles = reference.styles_of(templates_dir() / "return.docx")
    times = {}
    start = time.perf_counter()
    titles, awards = reference.read(path)
    times["read"] = time.perf_counter() - start
    docx_time = xlsx_time = write_time = 0.0
    for number, (ref, sections) in enumerate(awards.items()):
        t = time.perf_counter()
        docx = reference.word(titles.get(ref, ref), sections, styles)
        docx_time += time.perf_counter() - t
        t = time.perf_counter()
        xlsx = reference.excel(sections)
        xlsx_time += time.perf_counter() - t
        t = time.perf_counter()
        (out / f"{number}.docx").write_bytes(docx)
        (out / f"{number}.xlsx").write_bytes(xlsx)
        write_time += time.perf_counter() - t
    times.update({"render docx": docx_time, "render xlsx": xlsx_time, "write": write_time})
    times["total"] = sum(times.values())
    return {"times": times, "peak": _peak_mb()}


MEASURES = {"stages": measure_stages, "build": measure_build, "reference": measure_reference}


def _in_process(kind: str, path: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", kind, str(path), out], capture_output=True, text=True
        )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(quick: bool) -> int:
    from synthetic import make_workbook

    cases = CASES[:2] if quick else CASES
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, entries, awards in cases:
            path = make_workbook(Path(folder) / f"{entries}-{awards}.xlsx", entries, awards)
            results[label] = {kind: _in_process(kind, path) for kind in MEASURES}
            print(f"measured {label}", file=sys.stderr)
    print(f"\n{'case / stage':<40}{'funder-report':>15}{'reference':>12}{'ratio':>8}")
    for label, result in results.items():
        ours, ref, build = result["stages"]["times"], result["reference"]["times"], result["build"]
        print(label)
        for stage in ("read", "validate", "view", "render docx", "render xlsx", "write", "total"):
            theirs = ref.get(stage)
            ratio = f"{ours[stage] / theirs:>7.2f}x" if theirs else ""
            name = "total, one core" if stage == "total" else stage
            print(f"  {name:<38}{ours.get(stage, 0):>14.2f}s" + (f"{theirs:>11.2f}s{ratio}" if theirs else ""))
        ratio = build["times"]["build"] / ref["total"]
        print(
            f"  {'build, ' + str(build['cores']) + ' cores (what users run)':<38}"
            f"{build['times']['build']:>14.2f}s{ref['total']:>11.2f}s{ratio:>7.2f}x"
        )
        own, children = build["peak"]
        print(
            f"  {'peak memory: build / its workers':<38}{own:>11.0f} MB / {children:.0f} MB"
            f"   (reference {result['reference']['peak'][0]:.0f} MB)"
        )
    print("\nTargets")
    failures = 0

    def check(ok: bool, text: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"  [{'met' if ok else 'MISSED'}] {text}")

    small, large = results[CASES[0][0]], results[CASES[1][0]]
    ratio = large["build"]["times"]["build"] / large["reference"]["times"]["total"]
    check(ratio <= 2.0, f"10,000-entry build within 2x the reference: {ratio:.2f}x")
    growth = large["build"]["times"]["build"] / small["build"]["times"]["build"]
    check(growth <= 11.0, f"10x the entries costs at most 11x the time (build): x{growth:.1f}")
    growth_serial = large["stages"]["times"]["total"] / small["stages"]["times"]["total"]
    check(growth_serial <= 11.0, f"... and on one core, stage by stage: x{growth_serial:.1f}")
    if not quick:
        portfolio = results[CASES[2][0]]
        ratio = portfolio["build"]["times"]["build"] / portfolio["reference"]["times"]["total"]
        check(ratio <= 2.5, f"500-award portfolio within 2.5x the reference: {ratio:.2f}x")
        peak = max(portfolio["build"]["peak"])
        check(peak <= 500, f"no process above 500 MB: largest {peak:.0f} MB")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(MEASURES[sys.argv[2]](Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        raise SystemExit(main("--quick" in sys.argv))
