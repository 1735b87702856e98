"""Load test of `funder-report serve`: N visitors (default 20) check a workbook at the same
moment, on loopback only.

    python benchmarks/serve_load.py [--visitors 20] [--rounds 3]

Each visitor sends their own copy of the example workbook, with one mistake only theirs (the
Geographic Reach of row 2 + i reads "Regionl-i"), so a mixed-up answer shows. Each answer must
be exactly what `validate --json` finds in that visitor's copy (computed here, in this
process, by the same library call) and name no other visitor's value. The time to findings
(sending the workbook until the findings page has arrived) is compared with
`funder-report validate --json` run on the command line (the median of 5 runs, a new process
each, as a person runs it). Bounded: every request times out after 120 s.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "inputs" / "jam-and-justice.xlsx"


def variant(folder: Path, number: int) -> tuple[Path, str]:
    book = openpyxl.load_workbook(SEED)
    sheet = book["Engagement Activities"]
    headers = [cell.value for cell in sheet[1]]
    row = 2 + number
    value = f"Regionl-{number}"
    sheet.cell(row, headers.index("Geographic Reach") + 1).value = value
    sheet.cell(row, headers.index("Imported From") + 1).value = None  # a person's entry: an error
    path = folder / f"visitor-{number:02d}.xlsx"
    book.save(path)
    return path, value


def expected_findings(path: Path) -> list[dict]:
    from reporting import loading

    _, findings, _ = loading.load([path])
    return [{k: v for k, v in f.to_dict().items() if k != "file"} for f in findings]


def multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="workbooks"; filename="{path.name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode()
    body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def visit(url: str, path: Path, barrier: threading.Barrier, out: dict) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    body, kind = multipart(path)
    request = urllib.request.Request(url + "check", data=body, headers={"Content-Type": kind})
    barrier.wait()
    started = time.perf_counter()
    with opener.open(request, timeout=120) as response:  # follows the 303 to /findings
        page = response.read().decode()
    out["seconds"] = time.perf_counter() - started
    out["page_ok"] = response.url.endswith("/findings") and "<h1>Findings</h1>" in page
    with opener.open(url + "findings.json", timeout=120) as response:
        out["json"] = json.loads(response.read())


def cli_validate_seconds(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "reporting", "validate", str(SEED), "--json"], capture_output=True, check=False
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cli = cli_validate_seconds()
    print(f"funder-report validate --json on the command line: median {cli:.2f} s (5 runs)")
    work = Path(tempfile.mkdtemp())
    variants = [variant(work, i) for i in range(args.visitors)]
    expected = [expected_findings(path) for path, _ in variants]
    server = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--host", "127.0.0.1", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=work,
    )
    failures = 0
    medians = []
    try:
        url = (server.stdout.readline() if server.stdout else "").split()[-1]
        for round_number in range(1, args.rounds + 1):
            barrier = threading.Barrier(args.visitors)
            results: list[dict] = [{} for _ in variants]
            threads = [
                threading.Thread(target=visit, args=(url, path, barrier, results[i]))
                for i, (path, _) in enumerate(variants)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(150)
            for i, ((path, value), result) in enumerate(zip(variants, results)):
                found = result.get("json", {}).get("findings", [])
                got = [{k: v for k, v in f.items() if k != "file"} for f in found]
                others = [v for j, (_, v) in enumerate(variants) if j != i]
                text = json.dumps(found)
                wrong = (
                    not result.get("page_ok")
                    or got != expected[i]
                    or value not in text
                    or any(f'"{other}"' in text for other in others)
                    or {f["file"] for f in found} != {path.name}
                )
                if wrong:
                    failures += 1
                    print(f"  visitor {i}: WRONG ANSWER ({len(got)} findings, expected {len(expected[i])})")
            seconds = sorted(r["seconds"] for r in results if "seconds" in r)
            median = statistics.median(seconds)
            medians.append(median)
            print(
                f"round {round_number}: {len(seconds)} visitors answered; time to findings median {median:.2f} s, "
                f"90th percentile {seconds[int(0.9 * (len(seconds) - 1))]:.2f} s, slowest {seconds[-1]:.2f} s"
            )
    finally:
        server.terminate()
        server.wait(30)
    median = statistics.median(medians)
    print(
        f"\n{args.visitors} visitors at once: median time to findings {median:.2f} s = {median / cli:.2f} x "
        f"the command line's validate ({cli:.2f} s); {failures} wrong or mixed-up answers"
    )
    ok = failures == 0 and median <= 2 * cli
    print("PASS" if ok else "FAIL", "(every answer correct, median within 2x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
