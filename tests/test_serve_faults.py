"""The server as an office runs it, stopped every way a server stops: `kill -9` (as the
out-of-memory killer does), SIGTERM with a check running, SIGHUP. Its worker processes never
outlive it, a server started later in the same place deletes the visitors' folders a killed one
left, and a polite stop is prompt and leaves nothing. Real processes, a real socket."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from serve_client import descendants, parent, start_server, stop_server

from conftest import REAL, ROOT, require

pytestmark = pytest.mark.slow

SEED_INPUT = ROOT / "inputs" / "jam-and-justice.xlsx"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _all_gone(pids: set[int], within: float = 5) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _start(cwd: Path) -> tuple[subprocess.Popen, str]:
    return start_server(cwd, "-j", "2")


def _browser():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _send(browser, url: str, path: Path) -> str:
    """Upload `path` as the page's form does; the check's address."""
    page = browser.open(url, timeout=30).read().decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    boundary = "xyzzy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="workbooks"; filename="{path.name}"\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url + "check",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": url.rstrip("/")},
    )
    with browser.open(request, timeout=60) as response:
        return response.url


def _workers(process: subprocess.Popen, at_least: int = 2) -> set[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = descendants(process.pid)
        if len(found) >= at_least:
            return found
        time.sleep(0.1)
    raise AssertionError("the server started no workers")


def test_after_kill_9_the_workers_end_and_the_next_server_sweeps_the_folders(tmp_path):
    require(REAL)
    process, url = _start(tmp_path)
    browser = _browser()
    _send(browser, url, SEED_INPUT)
    _send(browser, url, REAL / "researchfish" / "hdruk-researchfish-2022.xlsx")  # a worker busy for seconds
    workers = _workers(process)
    [root] = tmp_path.glob("funder-report-serve-*")
    assert list(root.rglob("jam-and-justice.xlsx"))
    time.sleep(1)
    process.kill()  # SIGKILL: nothing of the server runs again
    process.wait(timeout=10)  # reaped at once, as an init system would (its pipes may stay open a moment)
    process.stdout.close()
    process.stderr.close()
    assert _all_gone(workers, within=2.5), "worker processes outlived a killed server"
    assert root.exists()  # nothing could clean up...
    again, _ = _start(tmp_path)  # ...until a server starts in the same place
    try:
        assert not root.exists()
        assert len(list(tmp_path.glob("funder-report-serve-*"))) == 1
    finally:
        stop_server(again)


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_polite_stop_is_prompt_with_work_running_and_leaves_nothing(tmp_path, stop):
    require(REAL)
    process, url = _start(tmp_path)
    browser = _browser()
    check = _send(browser, url, REAL / "researchfish" / "hdruk-researchfish-2022.xlsx")  # seconds of work
    assert "/checks/" in check
    workers = _workers(process)
    time.sleep(1)  # the import is under way
    started = time.monotonic()
    errors = stop_server(process, getattr(signal, stop))
    assert time.monotonic() - started < 8, "the stop waited for the work"
    assert process.returncode == 0 and "Traceback" not in errors, errors
    assert "every visitor's files were deleted" in errors
    assert _all_gone(workers)
    assert not list(tmp_path.glob("funder-report-serve-*"))


@pytest.mark.parametrize("moment", ["listening", "as it listens"])
def test_a_stop_at_any_moment_of_starting_ends_the_workers_and_deletes_the_folders(tmp_path, monkeypatch, moment):
    """A stop signal is raised as KeyboardInterrupt wherever the server is: here as it starts
    listening, and as it announces its address (where a SIGTERM sent the moment the address
    is printed lands). Either way the workers end and the folders go, so the interpreter does
    not wait for them at exit."""
    import os
    import tempfile

    from reporting import web
    from reporting.web import app as served

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: set[int] = set()

    def interrupted(*args, **kwargs):
        # the workers: started by the forkserver (this process's child, which lives on)
        seen.update(pid for pid in descendants(os.getpid()) if parent(pid) != os.getpid())
        raise KeyboardInterrupt

    if moment == "listening":
        monkeypatch.setattr(served, "_listen", interrupted)
    with pytest.raises(KeyboardInterrupt):
        web.serve("127.0.0.1", 0, web.Settings(processes=2), ready=interrupted)
    assert len(seen) >= 3, seen  # -j 2 starts three workers
    assert _all_gone(seen, within=5), "workers outlived the server's stop"
    assert not list(tmp_path.glob("funder-report-serve-*"))
