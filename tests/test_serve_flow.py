"""The page used as people use it: a refused final build leaves the check as it was, checks and
builds in two tabs keep their own files, deleting during a build leaves nothing, and files an
office already holds (a GtR page, a researchfish export, a publication list) are imported on the
page, offered as workbooks and checked in the same flow. Flask's test client, real workers."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import quote

import openpyxl
import pytest
import serve_client as web

from reporting import loading
from reporting.web import Settings, create_app
from reporting.web.app import VISITOR_COOKIE, close

from conftest import REAL, ROOT, SEED, require

SEED_INPUT = ROOT / "inputs" / "jam-and-justice.xlsx"
pytestmark = pytest.mark.slow  # whole flows, builds included (the quick loop has test_serve's)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(Settings(processes=2, root=tmp_path_factory.mktemp("flow")))
    app.config["TESTING"] = True
    yield app
    close(app)


def _seed(name: str = "jam-and-justice.xlsx") -> tuple[str, bytes]:
    return name, SEED_INPUT.read_bytes()


def test_a_refused_final_build_leaves_the_check_and_the_form_as_they_were(app):
    client = app.test_client()
    url = web.check(client, _seed())
    before = web.findings(client, url)
    built = web.build(client, url, final="1")
    response = client.get(built)
    assert response.status_code == 303 and response.headers["Location"].endswith(url + "#build")
    page = web.text(client.get(url).get_data(as_text=True))
    assert "Nothing written" in page and "What the build refused" in page
    assert web.findings(client, url) == before  # the check is not the final build's
    assert 'name="final" value=""' in client.get(url).get_data(as_text=True)  # a draft is still offered
    assert "Build returns" in page
    again = web.build(client, url, final="")
    assert "Your returns" in client.get(again).get_data(as_text=True)


def test_two_tabs_keep_their_own_checks_and_returns(app):
    client = app.test_client()  # one browser, two tabs: one cookie
    first = web.check(client, _seed())
    built = web.build(client, first)
    second = web.check(client, _seed("other.xlsx"))
    assert second != first
    page = client.get(built).get_data(as_text=True)
    [word] = re.findall(r'href="(/checks/\d+/download/[^"]+\.docx)"', page)
    with client.get(word) as response:
        assert response.status_code == 200 and response.data[:2] == b"PK"
    start = client.get("/").get_data(as_text=True)
    assert "jam-and-justice.xlsx" in start and "other.xlsx" in start and "built 1 time" in start


def test_deleting_during_a_build_stops_it_and_leaves_nothing(app):
    client = app.test_client()
    url = web.check(client, _seed())
    workspace = app.extensions["funder-report"].workspaces.get(client.get_cookie(VISITOR_COOKIE).value)
    response = web.post(client, url + "/build", {"portfolio": "1", "profiles": "1"})
    assert "/builds/1" in response.headers["Location"]
    assert web.post(client, "/forget").status_code == 303
    deadline = time.monotonic() + 10
    while workspace.folder.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # whatever the stopped work could still have written
    assert not workspace.folder.exists()
    assert client.get(response.headers["Location"]).status_code == 404


def test_a_gtr_page_is_imported_checked_and_built_on_the_page(app, tmp_path):
    require(SEED)
    client = app.test_client()
    url = web.check(client, (SEED.name, SEED.read_bytes()))
    page = web.text(client.get(url).get_data(as_text=True))
    made = re.search(r"made into the workbook (\S+\.xlsx)", page)
    assert made and "was read as a GtR project page" in page
    with client.get(f"{url}/download/{made.group(1)}") as response:
        (tmp_path / "made.xlsx").write_bytes(response.data)
    dataset, expected, _ = loading.load([tmp_path / "made.xlsx"])
    assert f"{len(dataset.entries)} entries for 1 award" in page  # the page checked that very workbook
    assert len(web.findings(client, url)["findings"]) == len(expected)
    assert "Your returns" in client.get(web.build(client, url)).get_data(as_text=True)


def test_a_researchfish_export_is_imported_not_checked_as_a_workbook(app):
    require(REAL)
    path = REAL / "researchfish" / "hdruk-researchfish-baseline-2018.xlsx"
    client = app.test_client()
    url = web.check(client, (path.name, path.read_bytes()))
    page = web.text(client.get(url).get_data(as_text=True))
    assert "was read as a researchfish" in page and "made into the workbook" in page
    assert web.findings(client, url)["errors"] == 0


@pytest.mark.parametrize("award", ["ES/X000001/1", ""])
def test_a_publication_list_is_imported_under_the_award_given(app, tmp_path, award):
    require(REAL)
    path = REAL / "publications" / "ris-scopus_asreview-baseline.ris"
    client = app.test_client()
    url = web.check(client, (path.name, path.read_bytes()), award=award)
    page = web.text(client.get(url).get_data(as_text=True))
    made = re.search(r"made into the workbook (\S+\.xlsx)", page).group(1)
    with client.get(f"{url}/download/{made}") as response:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
    titles = [row[0] for row in book["Publications"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(titles) == 10
    awards = [cell.value for row in book["Award"].iter_rows() for cell in row]
    assert (award in awards) if award else ("ES/X000001/1" not in awards)


def test_one_build_of_a_check_runs_at_a_time_and_the_latest_five_keep_their_files(app):
    from reporting.web.builds import KEPT_BUILDS

    client = app.test_client()
    url = web.check(client, _seed())
    first = web.post(client, url + "/build", {"portfolio": "1"}).headers["Location"]
    again = web.post(client, url + "/build", {}).headers["Location"]
    assert again == first  # the one under way is shown, no second is queued
    web.wait(client, first)
    built = [first] + [web.build(client, url) for _ in range(KEPT_BUILDS)]
    oldest = client.get(built[0]).get_data(as_text=True)
    assert "files were deleted when later builds" in oldest and "/download/" not in oldest
    newest = client.get(built[-1]).get_data(as_text=True)
    [word] = re.findall(r'href="(/checks/\d+/download/[^"]+\.docx)"', newest)
    with client.get(word) as response:
        assert response.status_code == 200


def test_a_check_that_is_gone_says_why(app):
    client = app.test_client()
    response = client.get("/checks/7")
    page = web.text(response.get_data(as_text=True))
    assert response.status_code == 404 and "allow cookies for this site" in page and "Send the files again" in page


def test_two_imports_that_name_their_workbook_alike_stay_apart(app, tmp_path):
    require(REAL)
    lists = REAL / "publications"
    first, second = lists / "ris-scopus_asreview-baseline.ris", lists / "csljson-zotero_keller.json"
    client = app.test_client()
    url = web.check(client, (first.name, first.read_bytes()), (second.name, second.read_bytes()), award="ES/X1/1")
    page = web.text(client.get(url).get_data(as_text=True))
    made = re.findall(r"made into the workbook (.+?\.xlsx) \(", page)
    assert len(made) == 2 and len(set(made)) == 2, made
    counts = []
    for name in made:
        with client.get(f"{url}/download/{quote(name)}") as response:
            book = openpyxl.load_workbook(io.BytesIO(response.data))
        counts.append(sum(1 for row in book["Publications"].iter_rows(min_row=2, values_only=True) if row[0]))
    assert sorted(counts) == [10, 13]
