"""Serve a Flask app over real HTTP on a loopback port, in a background thread.

Used by the demo, `make serve` and the pytest plugin: one implementation of "start a
server, wait until it answers, stop it", with readiness polled, never slept for.

Two engines: Werkzeug's threaded server (what `serve` runs), or with `keep_alive=True` cheroot's
(CherryPy's HTTP/1.1 server), for the pytest plugin. WHY: Werkzeug answers every request with
`Connection: close` and then waits up to 10 ms for leftover input, so each API call of a test paid
a new connection and a new thread; cheroot keeps the connection and serves it from a thread pool.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Any

import requests
from cheroot import wsgi as cheroot_wsgi
from werkzeug import serving
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

#: Seconds a connection may stay silent (a stalled body, an idle keep-alive) before the server
#: drops it; documented in docs/security.md. gunicorn has its own (`--timeout`, `--keep-alive`).
SOCKET_TIMEOUT_SECONDS = 30


class TimedRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with a socket timeout (socketserver's `timeout` attribute, applied to
    the connection in `setup`): a client that declares a body and stops sending holds its
    thread for at most SOCKET_TIMEOUT_SECONDS, not forever."""

    timeout = SOCKET_TIMEOUT_SECONDS


def make_timed_server(host: str, port: int, app: Any, timeout: float = SOCKET_TIMEOUT_SECONDS) -> BaseWSGIServer:
    """A threaded Werkzeug server whose connections time out after `timeout` seconds of silence
    (what `serve` and LiveServer run)."""
    handler = TimedRequestHandler if timeout == SOCKET_TIMEOUT_SECONDS else \
        type("TimedRequestHandler", (TimedRequestHandler,), {"timeout": timeout})
    # Looked up on the module at call time, so a test that replaces werkzeug's make_server sees this call.
    return serving.make_server(host, port, app, threaded=True, request_handler=handler)

#: How often the serving thread looks whether `stop` was asked. WHY not socketserver's 0.5 s: `stop`
#: waited for it, up to half a second per server at the end of every pytest session.
POLL_SECONDS = 0.05


#: Worker threads of a keep-alive server: requests served at once (idle connections hold none).
KEEP_ALIVE_THREADS = 16


class LiveServer:
    """A threaded server for one app: Werkzeug's, or cheroot's with `keep_alive`."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0,
                 timeout: float = SOCKET_TIMEOUT_SECONDS, keep_alive: bool = False) -> None:
        """Bind now (port 0 picks a free one) so the URL is known before start; connections
        silent for `timeout` seconds are dropped; `keep_alive`: HTTP/1.1 persistent connections."""
        self.app = app
        self._server: BaseWSGIServer | cheroot_wsgi.Server
        if keep_alive:
            self._server = cheroot_wsgi.Server((host, port), app, numthreads=KEEP_ALIVE_THREADS,
                                               timeout=math.ceil(timeout), shutdown_timeout=1)
            self._server.prepare()  # binds, so the port is known now
            self.port = self._server.bind_addr[1]
        else:
            self._server = make_timed_server(host, port, app, timeout)
            self.port = self._server.server_port
        self.host = host
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The server's root URL, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self, ready_path: str = "/_mock/clock", timeout: float = 10.0) -> LiveServer:
        """Serve in a daemon thread and return once the server answers `ready_path`."""
        server = self._server
        if isinstance(server, cheroot_wsgi.Server):
            self._thread = threading.Thread(target=server.serve, name=f"live-{self.port}", daemon=True)
        else:
            self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                                            name=f"live-{self.port}", daemon=True)
        self._thread.start()
        wait_until_ready(self.url + ready_path, timeout)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if isinstance(self._server, cheroot_wsgi.Server):
            self._server.stop()
        else:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until_ready(url: str, timeout: float = 10.0) -> None:
    """Poll `url` until it answers at all (any status), or raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError as error:
            last_error = error
            time.sleep(delay)  # polling back-off between readiness probes, not a wait for work
            delay = min(delay * 2, 0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last_error}")
