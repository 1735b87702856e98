"""Driving the page through Flask's test client as a browser would: the form token read from
the page, uploads, waiting for a check or a build to finish."""

from __future__ import annotations

import io
import json
import re
import time

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def token(client) -> str:
    return TOKEN.search(client.get("/").get_data(as_text=True)).group(1)


def post(client, url: str, data: dict | None = None, **options):
    """A form sent from the page: with the browser's form token."""
    return client.post(url, data={**(data or {}), "form_token": token(client)}, **options)


def upload(client, *files: tuple[str, bytes], award: str = ""):
    data = {"workbooks": [(io.BytesIO(content), name) for name, content in files], "award": award}
    return post(client, "/check", data, content_type="multipart/form-data")


def wait(client, url: str, limit: float = 180) -> dict:
    """The status of a check or build at `url` once it has finished."""
    deadline = time.monotonic() + limit
    while True:
        status = json.loads(client.get(url + "/status.json").data)
        if status["state"] != "running" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def check(client, *files: tuple[str, bytes], award: str = "") -> str:
    """Send files, wait for their check; the check's address."""
    response = upload(client, *files, award=award)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    assert wait(client, url)["state"] == "done"
    return url


def build(client, url: str, **form: str) -> str:
    """Build from the check at `url`; the build's address once it has finished."""
    response = post(client, url + "/build", form)
    assert response.status_code == 303
    built = response.headers["Location"]
    assert "/builds/" in built, built
    wait(client, built)
    return built


def findings(client, url: str) -> dict:
    return json.loads(client.get(url + "/findings.json").data)


def text(html_page: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_page)).split())


def start_server(cwd, *options: str):
    """`funder-report serve` as an office starts it, on a free port, its temporary folders in
    `cwd`: (the process, the address it prints)."""
    import os
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--port", "0", "--no-browser", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=dict(os.environ, TMPDIR=str(cwd), PYTHONUNBUFFERED="1"),
    )
    line = process.stdout.readline()
    assert line.startswith("Serving funder-report on http://127.0.0.1:"), line + process.stderr.read()
    return process, line.split()[-1]


def stop_server(process, sig: int | None = None, timeout: float = 30) -> str:
    """Stop a server started by `start_server` with `sig` (SIGTERM unless said) and wait for
    it; what it wrote on stderr. A server that does not stop in `timeout` seconds is killed,
    with its workers, and the test fails, leaving no process behind for the next test."""
    import os
    import signal
    import subprocess

    process.send_signal(signal.SIGTERM if sig is None else sig)
    try:
        return process.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        for pid in descendants(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.kill()
        errors = process.communicate(timeout=30)[1]
        raise AssertionError(f"the server did not stop within {timeout} s; stderr:\n{errors}") from None


def parent(pid: int) -> int:
    """The process that started `pid`, from /proc (0 when it has ended or there is no /proc)."""
    from pathlib import Path

    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def descendants(pid: int) -> set[int]:
    """Every process started by `pid`, and by those, from /proc (empty where there is none)."""
    from pathlib import Path

    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        tree.setdefault(parent(int(entry.name)), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found
