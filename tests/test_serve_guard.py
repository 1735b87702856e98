"""The page on an intranet, attacked: forms without this browser's token, foreign Host names
(DNS rebinding), one client opening too many workspaces or sending too many uploads, too many
files at once, names no file system takes, two files of one name, and no page ever showing the
server's folders or a visitor's identifier. Through Flask's test client against the real app."""

from __future__ import annotations

import io
import re
import urllib.request

import pytest
import serve_client as web

from reporting.web import Settings, create_app
from reporting.web.app import VISITOR_COOKIE, close, host_allowed

from conftest import ROOT

SEED_INPUT = ROOT / "inputs" / "jam-and-justice.xlsx"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = Settings(max_upload_mb=2, processes=1, root=tmp_path_factory.mktemp("guard"), max_files=5)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    close(app)


def _root(app):
    return app.extensions["funder-report"].workspaces.root


def _seed(name: str = "outcomes.xlsx") -> tuple[str, bytes]:
    return name, SEED_INPUT.read_bytes()


def test_a_form_without_this_browsers_token_is_refused(app):
    client = app.test_client()

    def files() -> dict:
        return {"workbooks": [(io.BytesIO(SEED_INPUT.read_bytes()), "x.xlsx")]}

    response = client.post("/check", data=files(), content_type="multipart/form-data")
    assert response.status_code == 403 and "Form out of date" in response.get_data(as_text=True)
    stolen = web.token(app.test_client())  # another browser's token does not fit this one's cookie
    client.get("/")
    response = client.post("/check", data={**files(), "form_token": stolen}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert web.post(client, "/forget").status_code == 303  # with its own token it is obeyed


@pytest.mark.parametrize(
    "host, bound, allowed",
    [
        ("127.0.0.1:8000", "127.0.0.1", True),
        ("localhost:8000", "127.0.0.1", True),
        ("[::1]:8000", "127.0.0.1", True),
        ("attacker.example:8000", "127.0.0.1", False),  # a DNS-rebinding page names its own domain
        ("192.168.1.20:8000", "127.0.0.1", False),
        ("192.168.1.20:8000", "0.0.0.0", True),
        ("attacker.example", "0.0.0.0", False),
        ("reports.uni.ac.uk", "0.0.0.0", True),  # named with --allow-host
        ("REPORTS.uni.ac.uk.", "127.0.0.1", True),
    ],
)
def test_the_host_must_be_one_the_server_serves(host, bound, allowed):
    assert host_allowed(host, Settings(bound=bound, hosts=("reports.uni.ac.uk",))) is allowed


def test_a_foreign_host_is_refused_before_anything_is_done(app):
    client = app.test_client()
    response = client.get("/", headers={"Host": "attacker.example"})
    assert response.status_code == 400 and "Unknown address" in response.get_data(as_text=True)
    response = web.post(client, "/forget", headers={"Host": "attacker.example"})
    assert response.status_code == 400


def test_one_client_cannot_fill_the_server_with_workspaces(tmp_path):
    app = create_app(Settings(processes=1, root=tmp_path, visitors_per_client=3, uploads_per_minute=100))
    try:
        for _ in range(3):
            assert web.upload(app.test_client(), _seed()).status_code == 303
        refused = web.upload(app.test_client(), _seed())
        assert refused.status_code == 429 and "Too many at once" in refused.get_data(as_text=True)
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.9"  # another visitor is served
        assert web.upload(other, _seed()).status_code == 303
    finally:
        close(app)


def test_one_client_cannot_send_uploads_without_end(tmp_path):
    app = create_app(Settings(processes=1, root=tmp_path, uploads_per_minute=4))
    try:
        client = app.test_client()
        codes = [web.upload(client, _seed()).status_code for _ in range(6)]
        assert codes == [303] * 4 + [429, 429]
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert web.upload(other, _seed()).status_code == 303
    finally:
        close(app)


def test_too_many_files_are_refused_by_their_count(app):
    client = app.test_client()
    response = web.upload(client, *[(f"w{n}.xlsx", b"PK") for n in range(6)])
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Send at most 5 files at once (you sent 6)" in page
    fifty = {"workbooks": [(io.BytesIO(b"PK"), f"w{n}.xlsx") for n in range(50)]}
    response = web.post(client, "/check", fifty, content_type="multipart/form-data")
    assert response.status_code == 400 and "Send at most 5 files" in response.get_data(as_text=True)


def test_a_name_too_long_in_bytes_is_cut_and_every_step_works(app):
    client = app.test_client()
    name = "研究成果" * 23 + ".xlsx"  # 92 characters, 281 bytes: more than any file system takes
    url = web.check(client, (name, SEED_INPUT.read_bytes()))
    page = client.get(url).get_data(as_text=True)
    assert "Something went wrong" not in page and "研究成果" in page
    with web.post(client, url + "/annotate") as response:
        assert response.status_code == 200
    accented = "Résumé des résultats de l'équipe " * 6 + ".xlsx"
    url = web.check(client, (accented, SEED_INPUT.read_bytes()))
    with web.post(client, url + "/annotate") as response:
        assert response.status_code == 200 and "-checked.xlsx" in response.headers["Content-Disposition"]
    assert all(len(p.name.encode()) <= 160 for p in _root(app).rglob("*"))


def test_two_files_of_one_name_are_kept_apart_to_the_last_copy(app):
    client = app.test_client()
    url = web.check(client, _seed(), _seed())
    assert web.text(client.get(url).get_data(as_text=True)).count("outcomes (2).xlsx") >= 1
    response = web.post(client, url + "/fix")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    names = set(re.findall(r'/download/([^"]+)"', page))
    assert names == {"outcomes-fixed.xlsx", "outcomes%20(2)-fixed.xlsx"}, names
    for name in names:
        with client.get(f"{url}/download/{name}") as download:
            assert download.status_code == 200 and download.data[:2] == b"PK"


def test_no_page_shows_the_servers_folders_or_the_visitors_identifier(app):
    client = app.test_client()
    url = web.check(client, _seed("with spaces.xlsx"), ("notes.csv", b"a,b\n1,2\n"), ("x.xlsx", b"not a zip"))
    built = web.build(client, url, year="1999")  # a period with nothing in it: a note, not a failure
    ident = client.get_cookie(VISITOR_COOKIE).value
    root = str(_root(app))
    for address in ("/", url, url + "/findings.json", built, built + "/status.json", "/nothing-here"):
        shown = client.get(address).get_data(as_text=True)
        assert root not in shown and ident not in shown and "funder-report-serve-" not in shown, address


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The command, as an office runs it, on a free port, uploads limited to 2 MB."""

    process, url = web.start_server(tmp_path_factory.mktemp("served"), "--max-upload-mb", "2")
    yield url.split("//")[1].rstrip("/").split(":")
    errors = web.stop_server(process)
    assert "Traceback" not in errors, errors


def _get(host: str, port: str, source: str = "127.0.0.1", timeout: float = 5) -> bytes:
    import socket

    with socket.create_connection((host, int(port)), timeout=timeout, source_address=(source, 0)) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        return data


@pytest.mark.slow
def test_one_client_holding_connections_open_locks_no_one_else_out(served):
    import socket

    from reporting.web.extension import Settings

    host, port = served
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(120)]  # half-open, silent
    try:
        answer = _get(host, port, source="127.0.0.2")  # another client on this network
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        closed = 0
        for conn in idle:
            conn.settimeout(0.05)
            try:
                closed += conn.recv(1) == b""
            except TimeoutError:
                pass
            except OSError:
                closed += 1
        assert closed >= 120 - Settings.connections_per_client  # beyond its share, closed at once
    finally:
        for conn in idle:
            conn.close()


@pytest.mark.slow
def test_a_client_that_never_finishes_its_headers_is_dropped(served):
    import socket
    import time

    from reporting.web.server import HEADER_SECONDS

    host, port = served
    with socket.create_connection((host, int(port)), timeout=HEADER_SECONDS + 15) as conn:
        started = time.monotonic()
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing, a byte at a time
        conn.settimeout(1)
        closed = False
        while time.monotonic() - started < HEADER_SECONDS + 10 and not closed:
            try:
                conn.sendall(b"X")
                closed = conn.recv(1) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
        assert closed and time.monotonic() - started < HEADER_SECONDS + 6


@pytest.mark.slow
@pytest.mark.parametrize("size_mb", [3, 60])
def test_an_upload_over_the_limit_gets_a_page_of_the_site(served, size_mb):
    import socket

    host, port = served
    head = (
        f"POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {size_mb * 2**20}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(head)
        try:
            for _ in range(size_mb * 16):
                conn.sendall(b"\0" * 65536)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before the body is all sent
        data = b""
        try:
            while chunk := conn.recv(65536):
                data += chunk
        except OSError:
            pass
    assert data.startswith(b"HTTP/1.1 413"), data[:300]
    assert b"text/html" in data and b"<h1>Too large</h1>" in data and b"generated by" not in data


def test_a_visitors_folder_is_bounded_the_oldest_checks_making_room(tmp_path):
    import functools
    import shutil

    from reporting.web.workspaces import Workspaces

    workspaces = Workspaces(3600, tmp_path, max_bytes=3 * SEED_INPUT.stat().st_size)
    try:
        workspace = workspaces.create("10.0.0.1")
        save = functools.partial(shutil.copyfile, SEED_INPUT)
        batches = [workspace.new_batch([(f"w{n}.xlsx", save)]) for n in range(6)]
        kept = list(workspace.batches.values())
        assert kept[-1] is batches[-1] and len(kept) == 3  # the newest stays; the oldest went
        assert not batches[0].folder.exists() and batches[-1].folder.exists()
    finally:
        workspaces.close()


def test_a_full_server_makes_room_by_the_visitor_idle_longest(tmp_path):
    import time

    from reporting.web import workspaces as module

    workspaces = module.Workspaces(3600, tmp_path, limit=3, per_client=10)
    try:
        made = [workspaces.create(f"10.0.0.{n}") for n in range(3)]
        assert workspaces.create("10.0.0.9") is None  # every one of them active just now
        made[1].last_used = time.monotonic() - module.IDLE_MAKES_ROOM - 1
        made[0].last_used = time.monotonic() - module.IDLE_MAKES_ROOM - 5
        newcomer = workspaces.create("10.0.0.9")
        assert newcomer is not None and len(workspaces) == 3
        assert not made[0].folder.exists() and made[1].folder.exists()
    finally:
        workspaces.close()


@pytest.mark.slow
def test_requests_forwarded_by_a_proxy_not_named_are_noted_on_the_console_once(tmp_path):
    """Behind a reverse proxy without --trusted-proxy every visitor is one client to the limits:
    whoever runs the page is told so, once, with the option that mends it."""
    process, url = web.start_server(tmp_path)
    try:
        urllib.request.urlopen(url, timeout=30).read()  # a visitor reaching it directly: nothing to say
        for visitor in ("10.1.2.3", "10.1.2.4"):
            request = urllib.request.Request(url, headers={"X-Forwarded-For": visitor})
            urllib.request.urlopen(request, timeout=30).read()
    finally:
        errors = web.stop_server(process)
    assert errors.count("X-Forwarded-For") == 1, errors
    assert "--trusted-proxy 127.0.0.1" in errors
