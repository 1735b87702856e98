"""The web page's safety, through Flask's test client against the real app and worker
processes: hostile uploads get the command line's refusals, file names never reach the file
system unchecked, visitors never see each other's files, folders go after the time limit,
and beyond this machine a token is needed."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
import serve_client as web
from badfiles import CASES

from reporting.web import Settings, create_app, is_loopback
from reporting.web.app import VISITOR_COOKIE, close
from reporting.web.workspaces import Workspaces, safe_name

from conftest import ROOT

SEED_INPUT = ROOT / "inputs" / "jam-and-justice.xlsx"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(Settings(max_upload_mb=2, keep_minutes=60, processes=1, root=tmp_path_factory.mktemp("serve")))
    app.config["TESTING"] = True
    yield app
    close(app)


def _status(client, url: str) -> int:
    """The status of a GET, the response closed (a file sent stays open until it is)."""
    with client.get(url) as response:
        return response.status_code


def _workspaces(app) -> Workspaces:
    return app.extensions["funder-report"].workspaces


@pytest.mark.parametrize(
    "given, stored",
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\Windows\\win.ini.xlsx", "win.ini.xlsx"),
        ("/absolute/outcomes.xlsx", "outcomes.xlsx"),
        ("Données 2024.xlsx", "Données 2024.xlsx"),
        ("a\x00b\u202e.xlsx", "ab.xlsx"),
        ("CON.xlsx", "_CON.xlsx"),
        ("...xlsx", "workbook.xlsx"),
        ("..", "workbook"),
        ('what?"<>|*:.xlsx', "what_______.xlsx"),
        ("x" * 300 + ".xlsx", "x" * 145 + ".xlsx"),
        ("é" * 100 + ".xlsx", "é" * 72 + ".xlsx"),  # cut in bytes (150), never inside a letter
        ("研" * 91 + ".xlsx", "研" * 48 + ".xlsx"),
    ],
)
def test_an_uploaded_file_name_is_made_safe_before_it_is_stored(given, stored):
    assert safe_name(given) == stored


def test_only_loopback_addresses_count_as_this_machine():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20") and not is_loopback("example.org")


def test_the_findings_are_those_of_validate_json(app):
    from reporting import loading

    client = app.test_client()
    url = web.check(client, ("jam-and-justice.xlsx", SEED_INPUT.read_bytes()))
    page = client.get(url).get_data(as_text=True)
    dataset, expected, _ = loading.load([SEED_INPUT])
    assert f"{len(dataset.entries)} entries for 1 award" in page  # as validate counts them
    found = web.findings(client, url)
    strip = lambda items: [{k: v for k, v in f.items() if k != "file"} for f in items]  # noqa: E731
    assert strip(found["findings"]) == strip(expected.to_dict()["findings"])
    assert {f["file"] for f in found["findings"]} == {"jam-and-justice.xlsx"}  # never the server's folder
    assert "funder-report-serve-" not in page


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in CASES
        if c.name
        in (
            "zip-bomb",
            "zip-claims-huge-size",
            "xml-entity-bomb-in-sheet",
            "xml-external-entity",
            "old-xls",
            "zip-but-not-workbook",
            "truncated-zip",
            "text-file-named-xlsx",
            "empty-file",
            "malformed-sheet-xml",
            "bad-values",
        )
    ],
    ids=lambda c: c.name,
)
def test_a_hostile_workbook_gets_the_command_lines_refusal(app, case, tmp_path):
    from click.testing import CliRunner

    from reporting.cli import cli

    path = case.make(tmp_path)
    expected = CliRunner().invoke(cli, ["validate", str(path)])
    client = app.test_client()
    url = web.check(client, (path.name, path.read_bytes()))
    page = client.get(url).get_data(as_text=True)
    words = expected.output.removeprefix("Error: ").replace(str(path), path.name).split("\n")[0]
    assert expected.exit_code in (1, 3), expected.output
    if expected.exit_code == 3:  # refused before reading: the same words, naming the file as sent
        assert _html_text(words) in _html_text(page), (words, page[:2000])
        assert not list(_workspaces(app).root.rglob(path.name)), "a refused file was kept"
        assert web.post(client, url + "/annotate").status_code == 409  # nothing left to annotate
        assert "Download annotated copy" not in page
    else:
        assert case.expect in json.dumps(web.findings(client, url))


def test_a_file_no_importer_reads_is_refused_by_name_and_not_kept(app):
    client = app.test_client()
    url = web.check(client, ("report.exe", b"MZ\x90\x00"), ("notes.csv", b"a,b\n1,2\n"))
    page = web.text(client.get(url).get_data(as_text=True))
    assert "Checked report.exe , notes.csv" in page  # named, though neither was checked
    assert "report.exe: is not readable text" in page
    assert "notes.csv: looks like a table (CSV) headed 'a,b'" in page and "publication lists" in page
    root = _workspaces(app).root
    assert not list(root.rglob("report.exe")) and not list(root.rglob("notes.csv"))


def test_an_oversized_upload_is_refused_with_the_limit(app):
    client = app.test_client()
    body = (
        b'--b\r\nContent-Disposition: form-data; name="workbooks"; filename="big.xlsx"\r\n\r\n'
        + b"PK"
        + b"\0" * (3 * 2**20)
        + b"\r\n--b--\r\n"
    )
    client.get("/")
    response = client.post("/check", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "larger than this page accepts (2 MB)" in response.get_data(as_text=True)


def test_a_path_traversal_name_stays_in_the_visitors_folder(app, tmp_path):
    client = app.test_client()
    url = web.check(client, ("../../../../escaped.xlsx", SEED_INPUT.read_bytes()))
    root = _workspaces(app).root
    [stored] = [p for p in root.rglob("escaped.xlsx")]
    assert root in stored.parents
    assert not (root.parent / "escaped.xlsx").exists() and not (Path("/") / "escaped.xlsx").exists()
    assert client.get(url + "/download/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get(url + "/download/../../etc/passwd").status_code == 404
    assert client.get("/checks/..%2F1/download/escaped.xlsx").status_code == 404


def test_two_visitors_never_see_each_others_files(app):
    alice, bob = app.test_client(), app.test_client()
    mine = web.check(alice, ("alice-outcomes.xlsx", SEED_INPUT.read_bytes()))
    with web.post(alice, mine + "/annotate") as response:  # downloads at once
        assert response.status_code == 200
        assert "alice-outcomes-checked.xlsx" in response.headers["Content-Disposition"]
    name = "alice-outcomes-checked.xlsx"
    assert _status(alice, f"{mine}/download/{name}") == 200
    assert _status(bob, f"{mine}/download/{name}") == 404  # bob has no workspace
    his = web.check(bob, ("bob-outcomes.xlsx", SEED_INPUT.read_bytes()))
    assert his == mine  # each numbers its own checks: the same address...
    assert _status(bob, f"{his}/download/{name}") == 404  # ...is his own files
    assert "alice" not in bob.get(his).get_data(as_text=True)
    assert "bob" not in alice.get(mine).get_data(as_text=True)
    a, b = (c.get_cookie(VISITOR_COOKIE).value for c in (alice, bob))
    assert a != b and len(a) == 32
    forged = app.test_client()
    forged.set_cookie(VISITOR_COOKIE, "../" + a[3:])
    assert forged.get(mine).status_code == 404  # not a visitor


def test_folders_are_deleted_after_the_time_limit_and_on_request(app):
    client = app.test_client()
    url = web.check(client, ("soon-gone.xlsx", SEED_INPUT.read_bytes()))
    workspaces = _workspaces(app)
    workspace = workspaces.get(client.get_cookie(VISITOR_COOKIE).value)
    assert workspace is not None and workspace.folder.is_dir()
    assert workspaces.sweep(now=time.monotonic() + 30 * 60) == 0 or workspace.folder.is_dir()
    workspaces.sweep(now=time.monotonic() + 61 * 60)
    assert not workspace.folder.exists()
    assert client.get(url).status_code == 404  # gone
    other = app.test_client()
    web.check(other, ("deleted-now.xlsx", SEED_INPUT.read_bytes()))
    folder = workspaces.get(other.get_cookie(VISITOR_COOKIE).value).folder
    assert web.post(other, "/forget").status_code == 303
    assert not folder.exists()


def test_a_token_is_needed_when_one_is_set(tmp_path):
    app = create_app(Settings(token="s3cret-token", processes=1, root=tmp_path))
    try:
        client = app.test_client()
        assert client.get("/").status_code == 403
        assert client.get("/?token=wrong").status_code == 403
        response = client.get("/?token=s3cret-token")
        assert response.status_code == 303 and "token" not in response.headers["Location"]
        assert client.get("/").status_code == 200  # the cookie carries it now
        assert _status(app.test_client(), "/blank.xlsx") == 403
    finally:
        close(app)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame, or a page opened from a file
        {"Referer": "https://evil.example/attack.html"},  # no Origin: the Referer says where
    ],
    ids=["foreign-origin", "null-origin", "foreign-referer"],
)
def test_a_form_sent_from_another_site_is_refused(app, headers):
    client = app.test_client()
    response = web.post(
        client, "/check", {"workbooks": [(io.BytesIO(SEED_INPUT.read_bytes()), "x.xlsx")]}, headers=headers
    )
    assert response.status_code == 403 and "another site" in response.get_data(as_text=True)
    assert not list(_workspaces(app).root.rglob("x.xlsx"))


def test_every_temporary_folder_goes_when_the_server_stops(tmp_path):
    app = create_app(Settings(processes=1, root=tmp_path))
    client = app.test_client()
    web.check(client, ("x.xlsx", SEED_INPUT.read_bytes()))
    root = _workspaces(app).root
    assert any(root.rglob("x.xlsx"))
    close(app)
    assert not root.exists()


def _html_text(text: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_the_guide_page_is_the_readmes_guide(app):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## For the people who fill in the workbooks" in readme
    page = _html_text(app.test_client().get("/guide").get_data(as_text=True))
    assert "Check it. On the page, choose or drop your workbook" in page
    assert "Delete my files" in page


def test_the_blank_workbook_is_inits(app, tmp_path):
    import openpyxl

    with app.test_client().get("/blank.xlsx") as response:
        assert response.status_code == 200
        assert "outcomes.xlsx" in response.headers["Content-Disposition"]
        (tmp_path / "blank.xlsx").write_bytes(response.data)
    from reporting.convert import init_workbook

    expected = openpyxl.load_workbook(init_workbook(tmp_path / "init.xlsx")).sheetnames
    assert openpyxl.load_workbook(tmp_path / "blank.xlsx").sheetnames == expected
    assert "Engagement Activities" in expected


@pytest.mark.slow
def test_the_sweeper_deletes_idle_folders_on_the_clock(tmp_path):
    import threading

    from reporting.web.app import _sweeper

    workspaces = Workspaces(keep_seconds=0.3, root=tmp_path)
    workspace = workspaces.create()
    stop = threading.Event()
    thread = threading.Thread(target=_sweeper, args=(workspaces, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while workspace.folder.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not workspace.folder.exists() and len(workspaces) == 0
    finally:
        stop.set()
        workspaces.close()


def _serve(*args: str):
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process


@pytest.mark.slow
def test_beyond_this_machine_the_link_carries_a_token_and_nothing_opens_without_it():
    import urllib.error
    import urllib.request

    process = _serve("--host", "0.0.0.0", "--port", "0")
    try:
        line = process.stdout.readline()
        url = line.split()[-1]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{20,}", url), line
        bare = url.split("?")[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bare, timeout=30)
        refused.value.close()
        assert refused.value.code == 403
        import http.cookiejar

        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(url, timeout=30) as response:  # the link sets the cookie, then redirects
            assert response.status == 200 and b"Check your outcomes workbook" in response.read()
    finally:
        errors = web.stop_server(process)
    assert process.returncode == 0 and "Traceback" not in errors, errors


@pytest.mark.slow
def test_a_port_in_use_is_exit_3_and_says_what_to_do():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve("--port", str(port))
        out, errors = process.communicate(timeout=60)
    assert process.returncode == 3, (out, errors)
    assert f"Cannot listen on 127.0.0.1:{port}" in errors and "--port" in errors and "Traceback" not in errors


def test_a_build_with_profiles_and_the_portfolio_report_offers_every_file(app):
    client = app.test_client()
    url = web.check(client, ("jam-and-justice.xlsx", SEED_INPUT.read_bytes()))
    built = web.build(client, url, public="1", profiles="1", portfolio="1")
    page = client.get(built).get_data(as_text=True)
    names = set(re.findall(r'href="/checks/\d+/download/([^"]+)"', page))
    assert {"portfolio-report-public.docx", "portfolio-report-public.xlsx"} <= names  # named as the CLI names them
    assert any(name.endswith("-public.docx") and name.startswith("jam-and-justice") for name in names)
    assert any(name.startswith("profile-") for name in names)
    assert "Wrote the portfolio report of 1 award from" in page and "funder-report-serve-" not in page
    with client.get(built + "/all.zip") as bundle:
        import zipfile

        assert sorted(zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()) == sorted(names)


def test_an_unexpected_failure_is_a_page_and_one_line_on_the_console(app, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("boom")

    client = app.test_client()
    monkeypatch.setattr("reporting.web.guide.page", broken)
    response = client.get("/guide")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "Traceback" not in page and "boom" not in page
    [record] = [r for r in caplog.records if "unexpected failure" in r.getMessage()]
    assert "/guide (RuntimeError: boom)" in record.getMessage() and record.exc_info is None


def test_a_step_that_cannot_be_done_says_why_on_the_findings_page(app):
    client = app.test_client()
    url = web.check(client, ("vanishing.xlsx", SEED_INPUT.read_bytes()))
    [stored] = _workspaces(app).root.rglob("vanishing.xlsx")
    stored.unlink()  # gone from under the step (as after a disk clean-up)
    for step in ("/annotate", "/fix"):
        response = web.post(client, url + step)
        assert response.status_code == 303 and response.headers["Location"].endswith("#step-error")
        page = web.text(client.get(url).get_data(as_text=True))
        assert "vanishing.xlsx: no such file." in page, page[:1500]
        assert "funder-report-serve-" not in page
        assert "no such file" not in web.text(client.get(url).get_data(as_text=True))  # said once
