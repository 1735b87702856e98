"""The web page in a real browser: `funder-report serve` started as a user starts it, driven by
Playwright in the system's Chromium (skipped when there is none; .ci/run installs it) through
check -> annotated copy -> safe fixes -> build -> downloads, on the seed workbook and on a
broken copy of it. Every file downloaded is opened and checked, and every page is scanned
with axe-core for serious accessibility problems."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from conftest import ROOT, docx_blocks

SEED_INPUT = ROOT / "inputs" / "jam-and-justice.xlsx"


def _chromium() -> str | None:
    for name in (os.environ.get("FUNDER_REPORT_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (.ci/run installs it)"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The command, as a user runs it, on a free port."""
    here = tmp_path_factory.mktemp("serve-cwd")
    env = dict(os.environ, TMPDIR=str(here), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=here,
        env=env,
    )
    line = process.stdout.readline()
    assert line.startswith("Serving funder-report on http://127.0.0.1:"), line + process.stderr.read()
    yield line.split()[-1]
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    assert "Traceback" not in errors, errors
    assert not list(here.glob("funder-report-serve-*")), "the visitors' folders outlived the server"


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def _axe(page) -> None:
    """No serious or critical axe-core violation on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def _download(page, link, folder: Path) -> Path:
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def _validate_json(path: Path) -> dict:
    from click.testing import CliRunner

    from reporting.cli import cli

    return json.loads(CliRunner().invoke(cli, ["validate", str(path), "--json"]).stdout)


def _check(page, server: str, path: Path) -> None:
    page.goto(server)
    page.set_input_files("#workbooks", str(path))
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_url("**/findings")


def _counts(page) -> tuple[int, int]:
    numbers = [int(text.replace(",", "")) for text in page.locator(".counts .number").all_inner_texts()]
    return numbers[0], numbers[1]


def test_the_seed_workbook_checked_annotated_and_built_in_a_browser(server, page, tmp_path):
    page.goto(server)
    assert page.title() == "Check a workbook – funder-report"
    _axe(page)
    page.keyboard.press("Tab")  # keyboard users can skip the navigation first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    _check(page, server, SEED_INPUT)
    expected = _validate_json(SEED_INPUT)
    assert _counts(page) == (expected["errors"], expected["warnings"])
    assert page.locator("table.findings tbody tr").count() == len(expected["findings"])
    first = expected["findings"][0]
    row = page.locator("table.findings tbody tr").first.locator("td").all_inner_texts()
    assert row[1:3] == [first["cell"], first["field"]] and row[4] == first["message"]
    _axe(page)

    page.get_by_role("button", name="Download annotated copy").click()
    page.wait_for_url("**/findings#notice")
    annotated = _download(page, page.get_by_role("link", name="Download jam-and-justice-checked.xlsx"), tmp_path)
    book = openpyxl.load_workbook(annotated)
    sheet = book[first["sheet"]]
    assert sheet[first["cell"]].comment is not None and first["code"] in sheet[first["cell"]].comment.text
    assert "Findings" in book.sheetnames

    page.get_by_label("Public version: leave out entries marked Internal").check()
    page.get_by_role("button", name="Build returns").click()
    if "/progress" in page.url:  # a build of more than a moment shows its progress
        assert page.locator("progress").count() == 1
        _axe(page)
    page.wait_for_url("**/results", timeout=120_000)
    _axe(page)
    text = page.locator("main").inner_text()
    assert "Built 1 award return from" in text
    assert "funder-report-serve-" not in text and "/tmp" not in text  # the server's folders are never shown
    word = _download(page, page.get_by_role("link", name=re.compile(r"\.docx$")), tmp_path)
    headings, entries = docx_blocks(word)
    document = docx.Document(str(word))
    assert document.core_properties.title.startswith("Jam and Justice: Co-producing Urban Governance")
    assert "Publications" in " ".join(headings) and len(entries) > 200
    excel = _download(page, page.get_by_role("link", name=re.compile(r"\.xlsx$")), tmp_path)
    assert "Publications" in openpyxl.load_workbook(excel).sheetnames
    bundle = _download(page, page.get_by_role("link", name=re.compile("Download all")), tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        assert sorted(archive.namelist()) == sorted([word.name, excel.name])
        assert archive.read(word.name) == word.read_bytes()


def _broken_copy(folder: Path) -> Path:
    """The seed workbook with two mistakes a person makes: a list value in lower case (a safe
    fix) and one misspelt (an error only a person can fix)."""
    book = openpyxl.load_workbook(SEED_INPUT)
    sheet = book["Engagement Activities"]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("Geographic Reach") + 1
    sheet.cell(row=2, column=column, value="regional")
    sheet.cell(row=3, column=column, value="Regionl")
    imported = headers.index("Imported From") + 1  # typed by a person, not accepted by the funder
    for row in (2, 3):
        sheet.cell(row=row, column=imported).value = None
    path = folder / "broken outcomes.xlsx"
    book.save(path)
    return path


def test_a_broken_copy_checked_filtered_and_fixed_in_a_browser(server, page, tmp_path):
    broken = _broken_copy(tmp_path)
    before = hashlib.sha256(broken.read_bytes()).hexdigest()
    _check(page, server, broken)
    expected = _validate_json(broken)
    assert expected["errors"] == 1
    assert _counts(page) == (1, expected["warnings"])
    error_row = page.locator("tr.error").first.inner_text()
    assert "Regionl" in error_row and 'Did you mean "Regional"?' in error_row
    assert "Fix the 1 error first" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Build returns").count() == 0

    page.get_by_label("Show").select_option("error")
    page.get_by_label("Sheet").select_option("Engagement Activities")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table.findings tbody tr").count() == 1
    _axe(page)

    page.get_by_role("button", name="Apply safe fixes").click()
    page.wait_for_url("**/fixes")
    _axe(page)
    changes = page.locator("table tbody tr").all_inner_texts()
    assert any("regional" in row and "Regional" in row for row in changes), changes
    fixed = _download(page, page.get_by_role("link", name="Download broken outcomes-fixed.xlsx"), tmp_path)
    sheet = openpyxl.load_workbook(fixed)["Engagement Activities"]
    column = [cell.value for cell in sheet[1]].index("Geographic Reach") + 1
    assert (sheet.cell(2, column).value, sheet.cell(3, column).value) == ("Regional", "Regionl")
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == before  # the original is never changed

    page.get_by_role("button", name=re.compile("Go on with the fixed copy")).click()
    page.wait_for_url("**/findings")
    assert _counts(page)[0] == 1  # the misspelling is left for a person
    assert "broken outcomes-fixed.xlsx" in page.locator("main").inner_text()


def test_the_guide_and_the_blank_workbook(server, page, tmp_path):
    page.goto(server)
    page.get_by_role("link", name="Guide", exact=True).click()
    page.wait_for_url("**/guide")
    assert page.locator("h1").inner_text() == "For the people who fill in the workbooks"
    _axe(page)
    blank = _download(page, page.get_by_role("link", name="Download a blank workbook").first, tmp_path)
    assert blank.name == "outcomes.xlsx"
    assert "Engagement Activities" in openpyxl.load_workbook(blank).sheetnames
