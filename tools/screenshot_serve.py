"""Screenshots of `funder-report serve`'s pages, to look at them and for the README.

    python tools/screenshot_serve.py OUT_DIR [--readme]

Starts the server on a free port, checks a copy of the example workbook with two typical
mistakes, and saves each page (start, findings, safe fixes, progress, results, findings at a phone's
width, guide) as a PNG in OUT_DIR; with --readme, the findings page also goes to docs/serve-findings.png. Needs
Playwright and a Chromium (the system's: chromium on PATH, or $FUNDER_REPORT_CHROMIUM).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def broken_copy(folder: Path) -> Path:
    book = openpyxl.load_workbook(ROOT / "inputs" / "jam-and-justice.xlsx")
    sheet = book["Engagement Activities"]
    headers = [cell.value for cell in sheet[1]]
    reach, imported = headers.index("Geographic Reach") + 1, headers.index("Imported From") + 1
    sheet.cell(2, reach).value, sheet.cell(3, reach).value = "regional", "Regionl"
    years = headers.index("Year(s) Of Engagement Activity") + 1
    sheet.cell(4, years).value = "2109"
    for row in (2, 3, 4):
        sheet.cell(row, imported).value = None
    path = folder / "outcomes 2019.xlsx"
    book.save(path)
    return path


def main(out: Path, readme: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    server = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=work,
    )
    try:
        url = (server.stdout.readline() if server.stdout else "").split()[-1]
        chromium = os.environ.get("FUNDER_REPORT_CHROMIUM") or shutil.which("chromium") or "chromium"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.goto(url)
            page.screenshot(path=out / "1-start.png", full_page=True)
            page.set_input_files("#workbooks", str(broken_copy(work)))
            page.get_by_role("button", name="Check", exact=True).click()
            page.wait_for_selector("h1:text('Findings')")
            page.screenshot(path=out / "2-findings.png", full_page=True)
            if readme:
                page.screenshot(path=ROOT / "docs" / "serve-findings.png", full_page=False)
            page.get_by_role("button", name="Apply safe fixes").click()
            page.wait_for_url("**/fixes")
            page.screenshot(path=out / "3-fixes.png", full_page=True)
            page.goto(url)
            page.set_input_files("#workbooks", str(ROOT / "inputs" / "jam-and-justice.xlsx"))
            page.get_by_role("button", name="Check", exact=True).click()
            page.wait_for_selector("h1:text('Findings')")
            page.screenshot(path=out / "4-findings-valid.png", full_page=True)
            page.get_by_label("Also a profile of each partner organisation").check()
            page.get_by_role("button", name="Build returns").click()
            if page.locator("progress").count():
                page.screenshot(path=out / "5-progress.png", full_page=True)
            page.wait_for_selector("h1:text('Your returns')", timeout=300_000)
            page.screenshot(path=out / "6-results.png", full_page=True)
            phone = page.context.new_page()  # the same visitor, on a phone's width
            phone.set_viewport_size({"width": 390, "height": 844})
            phone.goto(page.url.split("/builds/")[0])
            phone.screenshot(path=out / "7-findings-phone.png", full_page=False)
            page.goto(url + "guide")
            page.screenshot(path=out / "8-guide.png", full_page=True)
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), "--readme" in sys.argv[2:])
