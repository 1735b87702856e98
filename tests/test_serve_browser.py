"""The web page in a real browser: `funder-report serve` started as a user starts it, driven by
Playwright in the system's Chromium (skipped when there is none; .ci/run installs it) through
check -> annotated copy -> safe fixes -> build -> downloads -> delete, and import, at a desktop
width (1280 px) and a phone's (390 px), and in two tabs at once. Every file downloaded is
opened and checked, every page is scanned with axe-core for serious accessibility problems,
and at phone width nothing on a page runs off the screen sideways."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from serve_client import start_server, stop_server

from conftest import REAL, ROOT, SEED, docx_blocks, require

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
    process, url = start_server(here)
    yield url
    errors = stop_server(process)
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


WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(WIDTHS))
def context(browser, request):
    context = browser.new_context(accept_downloads=True, locale="en-GB", viewport=WIDTHS[request.param])
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def _fits(page) -> None:
    """Nothing on the page is wider than the window (no sideways scrolling of the page)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url}: {overflow} px wider than the window"


def _axe(page) -> None:
    """No serious or critical axe-core violation on the page as it stands, and nothing wider than
    the window."""
    _fits(page)
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


def _check(page, server: str, *paths: Path, award: str = "") -> str:
    """Check files from the start page; the check's address once its findings show."""
    page.goto(server)
    page.set_input_files("#workbooks", [str(p) for p in paths])
    if award:
        page.get_by_label(re.compile("Award reference")).fill(award)
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_selector("h1:text('Findings')", timeout=120_000)
    return page.url.split("#")[0].split("?")[0]


def _build(page) -> None:
    page.get_by_role("button", name="Build returns").click()
    page.wait_for_selector("h1:text('Your returns'), h1:text('Findings')", timeout=120_000)


def _counts(page) -> tuple[int, int]:
    numbers = [int(text.replace(",", "")) for text in page.locator(".counts .number").all_inner_texts()]
    return numbers[0], numbers[1]


def test_the_seed_workbook_checked_annotated_built_and_deleted(server, page, tmp_path):
    page.goto(server)
    assert page.title() == "Check a workbook – funder-report"
    _axe(page)
    page.keyboard.press("Tab")  # keyboard users can skip the navigation first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    url = _check(page, server, SEED_INPUT)
    expected = _validate_json(SEED_INPUT)
    assert _counts(page) == (expected["errors"], expected["warnings"])
    assert page.locator("table.findings tbody tr").count() == len(expected["findings"])
    first = expected["findings"][0]
    row = page.locator("table.findings tbody tr").first.locator("td").all_inner_texts()
    assert row[1].endswith(first["cell"]) and row[2].endswith(first["field"]) and first["message"] in row[4]
    main = page.locator("main").inner_text()
    entries = re.search(r"(\d+) entries for 1 award", main)
    assert entries and int(entries.group(1)) == 299 - 0 * len(expected["findings"])  # as validate counts them
    # Every step is at the top: the build form comes before the first finding.
    build_at = page.get_by_role("button", name="Build returns").bounding_box()["y"]
    assert build_at < page.locator("table.findings").first.bounding_box()["y"]
    assert page.get_by_role("link", name=re.compile("Engagement Activities")).count() >= 1  # each sheet's problems
    _axe(page)

    annotated = _download(page, page.get_by_role("button", name="Download annotated copy"), tmp_path)
    assert annotated.name == "jam-and-justice-checked.xlsx"  # downloads at once
    book = openpyxl.load_workbook(annotated)
    sheet = book[first["sheet"]]
    assert sheet[first["cell"]].comment is not None and first["code"] in sheet[first["cell"]].comment.text

    page.get_by_label("Public version: leave out entries marked Internal").check()
    _build(page)
    _axe(page)
    text = page.locator("main").inner_text()
    assert "Built 1 award return from" in text
    assert "funder-report-serve-" not in text and "/tmp" not in text  # the server's folders are never shown
    word = _download(page, page.get_by_role("link", name=re.compile(r"\.docx$")), tmp_path)
    headings, entries_found = docx_blocks(word)
    assert docx.Document(str(word)).core_properties.title.startswith("Jam and Justice: Co-producing Urban Governance")
    assert "Publications" in " ".join(headings) and len(entries_found) > 200
    excel = _download(page, page.get_by_role("link", name=re.compile(r"\.xlsx$")), tmp_path)
    assert "Publications" in openpyxl.load_workbook(excel).sheetnames
    bundle = _download(page, page.get_by_role("link", name=re.compile("Download all")), tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        assert sorted(archive.namelist()) == sorted([word.name, excel.name])
        assert archive.read(word.name) == word.read_bytes()

    page.get_by_role("button", name="Delete my files").click()
    page.wait_for_url("**/?deleted=1")
    assert "Your files have been deleted." in page.locator("main").inner_text()
    _axe(page)
    page.goto(url)
    assert page.locator("h1").inner_text() == "Not Found"
    _axe(page)


def test_a_final_return_refused_leaves_the_check_and_the_form_as_they_were(server, page):
    _check(page, server, SEED_INPUT)
    before = _counts(page)
    page.get_by_label(re.compile("^Final return")).check()
    _build(page)
    assert page.locator("h1").inner_text() == "Findings"
    notice = page.locator("#build + .notice, .summary .notice").first.inner_text()
    assert "Nothing written" in notice and "What the build refused" in notice
    assert _counts(page) == before  # the check is not turned into the final build's
    _axe(page)
    page.reload()  # and a reload keeps the draft choice open
    page.get_by_label(re.compile("^Draft")).check()
    _build(page)
    assert page.locator("h1").inner_text() == "Your returns"


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


def test_a_broken_copy_checked_filtered_and_fixed(server, page, tmp_path):
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

    page.get_by_label("Show", exact=True).select_option("error")
    page.get_by_label("Sheet", exact=True).select_option("Engagement Activities")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**severity=error**")
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
    page.wait_for_selector("h1:text('Findings')")
    assert _counts(page)[0] == 1  # the misspelling is left for a person
    assert "broken outcomes-fixed.xlsx" in page.locator("main").inner_text()


def test_two_tabs_keep_their_own_checks_and_returns(server, context, tmp_path):
    first, second = context.new_page(), context.new_page()
    _check(first, server, SEED_INPUT)
    _build(first)
    assert first.locator("h1").inner_text() == "Your returns"
    _check(second, server, _broken_copy(tmp_path))  # another workbook, in the other tab
    assert _counts(second)[0] == 1
    word = _download(first, first.get_by_role("link", name=re.compile(r"\.docx$")), tmp_path)
    assert word.stat().st_size > 10_000  # the first tab's returns are still there
    first.reload()
    assert first.locator("h1").inner_text() == "Your returns"
    second.goto(server)
    assert second.get_by_role("link", name="jam-and-justice.xlsx").count() == 1  # both checks listed
    assert second.get_by_role("link", name="broken outcomes.xlsx").count() == 1


def test_files_offices_hold_are_imported_then_checked(server, page, tmp_path):
    require(SEED, REAL / "publications")
    _check(page, server, SEED)
    main = page.locator("main").inner_text()
    assert "was read as a GtR project page" in main and "made into the workbook" in main
    _axe(page)
    made = _download(page, page.get_by_role("link", name=re.compile(r"^Download .*\.xlsx$")).first, tmp_path)
    assert "Publications" in openpyxl.load_workbook(made).sheetnames
    _build(page)
    assert page.locator("h1").inner_text() == "Your returns"

    listed = REAL / "publications" / "ris-scopus_asreview-baseline.ris"
    _check(page, server, listed, award="ES/X000001/1")
    made = _download(page, page.get_by_role("link", name=re.compile(r"^Download .*\.xlsx$")).first, tmp_path)
    book = openpyxl.load_workbook(made)
    assert "ES/X000001/1" in [cell.value for row in book["Award"].iter_rows() for cell in row]
    titles = [row[0] for row in book["Publications"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(titles) == 10


def test_the_guide_and_the_blank_workbook(server, page, tmp_path):
    page.goto(server)
    page.get_by_role("link", name="Guide", exact=True).click()
    page.wait_for_url("**/guide")
    assert page.locator("h1").inner_text() == "For the people who fill in the workbooks"
    _axe(page)
    blank = _download(page, page.get_by_role("link", name="Download a blank workbook").first, tmp_path)
    assert blank.name == "outcomes.xlsx"
    assert "Engagement Activities" in openpyxl.load_workbook(blank).sheetnames
