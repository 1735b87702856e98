"""The page served with waitress (the only module that imports it), guarded at the connection:
at most `Settings.connections_per_client` open connections from one address, idle connections
closed after `IDLE_SECONDS`, a request's headers due within `HEADER_SECONDS` and its body at
`MIN_BYTES_PER_SECOND` on average (so slow or half-open clients cannot hold the server), and
the errors waitress answers itself (a body over its limit, a malformed request) given as pages
of the site, not bare text."""

from __future__ import annotations

import html
import logging
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

__all__ = ["IDLE_SECONDS", "make_server"]

IDLE_SECONDS = 20
HEADER_SECONDS = 10
#: A request's body, on average once it has taken `GRACE_SECONDS`, arrives at least this fast.
MIN_BYTES_PER_SECOND = 1024
GRACE_SECONDS = 30

_WORDS = {
    413: ("Too large", "The upload is larger than this page accepts.", "Send fewer or smaller files at once."),
    431: ("Too large", "The request's headers are larger than this page accepts.", "Open the page again."),
}
_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – funder-report</title><link rel="stylesheet" href="/static/style.css"></head>
<body><main id="main"><h1>{title}</h1><p>{message}</p><p>{hint}</p>
<p><a href="/">Back to the start</a></p></main></body></html>
"""


class _ProxyNote:
    """Without a trusted proxy: the first request forwarded by a proxy (it carries
    X-Forwarded-For, which waitress then drops) is noted on the console, since every visitor
    behind that proxy is one client to the per-client limits."""

    def __init__(self) -> None:
        self.noted = False

    def around(self, application: Any) -> Any:
        def noting(environ: dict[str, Any], start_response: Any) -> Any:
            if not self.noted and "HTTP_X_FORWARDED_FOR" in environ:
                self.noted = True
                peer = environ.get("REMOTE_ADDR", "")
                logging.getLogger("funder-report.serve").warning(
                    "funder-report serve: requests arrive forwarded (X-Forwarded-For) from %s, but no "
                    "proxy is trusted, so every visitor behind it counts as one client for the limits. "
                    "If it is this office's reverse proxy, start the server with --trusted-proxy %s.",
                    peer,
                    peer,
                )
            return application(environ, start_response)

        return noting


class _ErrorPage(ErrorTask):
    """What waitress answers itself, as a page of the site."""

    def execute(self) -> None:
        error = self.request.error
        title, message, hint = _WORDS.get(
            error.code, ("Not understood", "The server could not read this request.", "Open the page again.")
        )
        body = _PAGE.format(title=title, message=html.escape(message), hint=html.escape(hint)).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):  # type: ignore[misc]
    error_task_class = _ErrorPage
    started = 0.0
    got = 0

    def received(self, data: bytes) -> bool:
        if self.request is None:
            self.started, self.got = time.time(), 0
        self.got += len(data)
        return bool(super().received(data))


def _slow(channel: Any, now: float) -> bool:
    """True for a request still arriving too slowly: headers late, or a body trickling in."""
    request = channel.request
    if request is None or channel.requests:
        return False
    elapsed = now - channel.started
    if not request.headers_finished:
        return elapsed > HEADER_SECONDS
    return elapsed > GRACE_SECONDS and channel.got / elapsed < MIN_BYTES_PER_SECOND


class _Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _Channel
    per_client = 20
    trusted: frozenset[str] = frozenset()

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is None:
            return
        conn, addr = accepted
        client = addr[0] if isinstance(addr, tuple) else ""
        if client not in self.trusted:
            open_now = sum(1 for ch in self.active_channels.values() if ch.addr and ch.addr[0] == client)
            if open_now >= self.per_client:
                conn.close()  # this client holds enough connections: the others keep theirs
                return
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        for channel in list(self.active_channels.values()):
            if _slow(channel, now):
                channel.will_close = True


def make_server(
    app: Any, host: str, port: int, threads: int, max_body: int, per_client: int, trusted_proxy: str | None
) -> Any:
    """A waitress server for `app` on host:port (every address a name stands for), guarded as
    this module says. Raises OSError when the address cannot be used."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "funder-report",
        "max_request_body_size": max_body,
        "clear_untrusted_proxy_headers": True,
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": 2,
        "connection_limit": 1000,
    }
    if trusted_proxy:
        options.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
        )
    adj = Adjustments(**options)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict[int, Any] = {}
    servers = []
    note = _ProxyNote()
    for info in adj.listen:
        server = _Server(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=info)
        if not trusted_proxy:
            server.application = note.around(server.application)  # outside waitress's header clearing
        server.per_client = per_client
        server.trusted = frozenset({trusted_proxy} if trusted_proxy else set())
        servers.append(server)
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(socket_map, adj, [(s.effective_host, s.effective_port) for s in servers], dispatcher)
