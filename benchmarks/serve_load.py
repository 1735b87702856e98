"""Load test of `funder-report serve`: N visitors (default 20) check a workbook at the same
moment while two others check 150,000-row workbooks, on loopback only.

    python benchmarks/serve_load.py [--visitors 20] [--rounds 3] [--heavy 2] [--heavy-rows 150000]

Each visitor sends their own copy of the example workbook, with one mistake only theirs (the
Geographic Reach of row 2 + i reads "Regionl-i"), so a mixed-up answer shows. Each answer must
be exactly what `validate --json` finds in that visitor's copy (computed here, in this
process, by the same library call) and name no other visitor's value. The time to findings
(sending the workbook until the findings page has arrived) is compared with
`funder-report validate --json` run on the command line (the median of 5 runs, a new process
each, as a person runs it). The heavy visitors send their workbooks first and the short
checks start once both are being checked, so the figure says whether a long check of one
visitor holds up another's short one. Bounded: every request times out after 600 s.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import http.cookiejar
import itertools
import json
import re
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
sys.path.insert(0, str(ROOT / "benchmarks"))


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


def multipart(path: Path, token: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="workbooks"; filename="{path.name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode()
    body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class _From(urllib.request.HTTPHandler):
    """Connections from one address of the loopback network (127.0.0.0/8): each visitor is a
    client of their own, as on an intranet, not one client holding every connection."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


_CLIENTS = itertools.count(2)


def send(url: str, path: Path) -> tuple[urllib.request.OpenerDirector, urllib.request.Request]:
    """A visitor's browser (on an address of its own) with the start page read, and the upload
    it will send."""
    address = f"127.0.{next(_CLIENTS) // 250}.{next(_CLIENTS) % 250 + 2}"
    opener = urllib.request.build_opener(_From(address), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=60) as response:
        token = re.search(r'name="form_token" value="([^"]+)"', response.read().decode()).group(1)
    body, kind = multipart(path, token)
    headers = {"Content-Type": kind, "Origin": url.rstrip("/")}
    return opener, urllib.request.Request(url + "check", data=body, headers=headers)


def finish(opener: urllib.request.OpenerDirector, check: str, out: dict, started: float) -> None:
    """Read the check's page as a browser does: the findings, or the progress page, whose script
    asks for the status (answered when the check ends, or after two seconds) until it is done."""
    with opener.open(check, timeout=600) as response:
        page = response.read().decode()
    while "<h1>Findings</h1>" not in page:
        with opener.open(check + "/status.json?wait=1", timeout=600) as response:
            if json.loads(response.read())["state"] == "running":
                continue
        with opener.open(check, timeout=600) as response:
            page = response.read().decode()
    out["seconds"] = time.perf_counter() - started
    out["page_ok"] = "<h1>Findings</h1>" in page
    with opener.open(check + "/findings.json", timeout=600) as response:
        out["json"] = json.loads(response.read())


def visit(url: str, path: Path, barrier: threading.Barrier | None, out: dict) -> None:
    opener, request = send(url, path)
    if barrier is not None:
        barrier.wait()
    started = time.perf_counter()
    with opener.open(request, timeout=600) as response:  # follows the 303 to the check's page
        check = response.url
    out["check"] = check
    finish(opener, check, out, started)


def heavy_workbook(folder: Path, rows: int) -> Path:
    from synthetic import make_workbook

    path = folder / f"heavy-{rows}.xlsx"
    started = time.perf_counter()
    make_workbook(path, rows, awards=50)
    print(
        f"made a {rows:,}-row workbook ({path.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - started:.0f} s"
    )
    return path


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
    parser.add_argument("--heavy", type=int, default=2, help="visitors checking a large workbook meanwhile")
    parser.add_argument("--heavy-rows", type=int, default=150_000)
    args = parser.parse_args()
    cli = cli_validate_seconds()
    print(f"funder-report validate --json on the command line: median {cli:.2f} s (5 runs)")
    work = Path(tempfile.mkdtemp())
    variants = [variant(work, i) for i in range(args.visitors)]
    expected = [expected_findings(path) for path, _ in variants]
    heavy = heavy_workbook(work, args.heavy_rows) if args.heavy else None
    server = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--port", "0", "--no-browser", "--max-upload-mb", "500"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=work,
    )
    failures = 0
    medians = []
    heavy_results: list[dict] = []
    try:
        url = (server.stdout.readline() if server.stdout else "").split()[-1]
        heavy_threads = []
        if heavy is not None:
            heavy_results = [{} for _ in range(args.heavy)]
            heavy_threads = [
                threading.Thread(target=visit, args=(url, heavy, None, heavy_results[i])) for i in range(args.heavy)
            ]
            for thread in heavy_threads:
                thread.start()
            while any("check" not in r for r in heavy_results):  # both sent, and being checked
                time.sleep(0.2)
            time.sleep(1)
            print(f"{args.heavy} visitors are checking {args.heavy_rows:,}-row workbooks; the short checks start now")
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
                thread.join(600)
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
        for thread in heavy_threads:
            thread.join(1200)
        for result in heavy_results:
            print(
                f"heavy visitor: findings after {result.get('seconds', float('nan')):.1f} s"
                f" ({len(result.get('json', {}).get('findings', []))} findings)"
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
