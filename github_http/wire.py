"""WSGI middleware between the socket and Flask: faults first, then the journal.

It works at the WSGI layer because a dropped connection, a truncated body or the exact raw
bytes a client sent cannot be seen or produced from inside a Flask view.
"""
from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .api_headers import rate_limit_headers
from .clock import Clock
from .errors import DOCS
from .faults import FaultBook, header_problems
from .host_guard import valid_host_header
from .journal import BLOB_IO_AT, DEFAULT_MAX_BODY_BYTES, Journal
from .storage import Database
from .tee_input import TeeInput

CONTROL_PREFIX = "/_mock"
_UNRECORDED = (CONTROL_PREFIX, "/static/", "/favicon.ico")
#: Response bytes kept per journal entry. WHY none for a successful GET/HEAD: a read's answer
#: can be asked again, and each journal row is written in its own commit on every request;
#: keeping even the first 4 KiB of each 66 KB consumed-licenses page doubled that commit's cost
#: (measured: ~230 against ~100 µs), the largest single cost of serving a page. Errors and
#: every other method keep up to 64 KiB.
RESPONSE_BYTES_KEPT = 64 * 1024
_READS = ("GET", "HEAD")
#: Kept request bodies from this size on are written to the journal once the answer has gone
#: (journal_later.py); smaller ones inline, where a commit costs microseconds.
LATER_AT = BLOB_IO_AT


#: `HTTP_USER_AGENT` -> `User-Agent`: the same few names come with every request.
_NAMES: dict[str, str] = {}


def _header_name(key: str) -> str:
    """The header name of an environ key, remembered (a bounded few)."""
    if len(_NAMES) >= 1024:
        _NAMES.clear()
    name = _NAMES[key] = key[5:].replace("_", "-").title()
    return name


class _Closing:
    """A response iterable that runs `done` once the server closes it, after the answer's own close.

    WHY not werkzeug's ClosingIterator: it is wrapped around every response, and its generality
    (a list of callbacks, a typing subscript on each call) cost more than the list it wraps.
    """

    __slots__ = ("_answer", "_done")

    def __init__(self, answer: Iterable[bytes], done: Callable[[], None]) -> None:
        """Wrap `answer`; `done` runs on close."""
        self._answer, self._done = answer, done

    def __iter__(self) -> Iterator[bytes]:
        """The answer's chunks."""
        return iter(self._answer)

    def close(self) -> None:
        """Close the answer (a generator's `finally` runs), then `done`."""
        try:
            close = getattr(self._answer, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


def _client_socket(environ: dict) -> socket.socket | None:
    """The connection's socket under Werkzeug's dev server or gunicorn."""
    return environ.get("werkzeug.socket") or environ.get("gunicorn.socket")


def _hang_up(environ: dict) -> None:
    """Close the client's connection abruptly (a "dropped connection" fault)."""
    sock = _client_socket(environ)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def early_refusal(environ: dict, max_request_bytes: int | None) -> tuple[int, str] | None:
    """(status, message) for a request refused before any route or body read, else None:
    a Host header that is not a host (it would be spliced into Links and URLs: host_guard.py),
    or a declared Content-Length over the limit (WHY here: a client declaring 600 MB and
    sending 10 bytes would otherwise hold a thread while the route waits for the rest)."""
    if not valid_host_header(environ.get("HTTP_HOST")):
        return 400, "Bad Request: the Host header is not a host name or address with an optional port"
    length = environ.get("CONTENT_LENGTH") or ""
    if max_request_bytes is not None and length.isdigit() and int(length) > max_request_bytes:
        return 413, f"the request declares {int(length):,} bytes, over the {max_request_bytes:,}-byte limit"
    return None


def _refuse(start_response: Callable, status: int, message: str, title: str) -> list[bytes]:
    """GitHub's error JSON, closing the connection (the unread body must not be taken as the next request).
    A 413 is `title` (the app's message for that path) with why in `problems`, the shape the upload
    routes document for their own 413."""
    body: dict[str, Any] = {"message": message}
    if status == 413:
        body = {"message": title, "problems": [{"path": "$", "message": message}]}
    data = json.dumps({**body, "documentation_url": DOCS, "status": str(status)}).encode()
    start_response(f"{status} {'Bad Request' if status == 400 else 'Request Entity Too Large'}",
                   [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data))),
                    ("Connection", "close")])
    return [data]


class MockWire:
    """Applies fault rules and records the request journal around a WSGI app."""

    def __init__(self, app: Callable, faults: FaultBook, journal: Journal, clock: Clock, db: Database,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, record: bool = True,
                 max_request_bytes: int | None = None,
                 too_large_message: Callable[[str], str] | None = None) -> None:
        """`record=False` turns the journal off (benchmarks of the bare app); each request is one
        `db.request_scope()`, and once its response is closed the WAL is checkpointed; a declared body
        over `max_request_bytes` is refused before it is read."""
        self.app, self.faults, self.journal, self.clock, self.db = app, faults, journal, clock, db
        self.max_body_bytes, self.record, self.max_request_bytes = max_body_bytes, record, max_request_bytes
        self.too_large_message = too_large_message or (lambda path: "Request Entity Too Large")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Serve one request through faults and journal."""
        path = environ.get("PATH_INFO", "")
        # A commit (or a journal entry queued for later) whose response was never closed (a test
        # client that does not close) is done now; a WSGI server closes every response, so these
        # are a flag check and a list check.
        self.journal.flush()
        self.db.checkpoint()
        refusal = early_refusal(environ, self.max_request_bytes)
        if refusal is not None:
            return _refuse(start_response, *refusal, title=self.too_large_message(path))
        if path.startswith(_UNRECORDED):
            return _Closing(self.app(environ, start_response), self._after_answer)
        with self.db.request_scope():
            answer = self._serve(environ, start_response, path)
        # The WAL is copied back once the server has sent the response and closes it, so no
        # response waits for it (a 100,000-user upload's COMMIT used to pay 0.2 s for it); so is
        # the journal entry of a big request body (journal_later.py).
        return _Closing(answer, self._after_answer)

    def _after_answer(self) -> None:
        """What waits until the answer has been sent: journal entries queued for later, the checkpoint."""
        self.journal.flush()
        self.db.checkpoint()

    def _serve(self, environ: dict, start_response: Callable, path: str) -> Iterable[bytes]:
        """`__call__` for a request the faults and the journal see."""
        method = environ.get("REQUEST_METHOD", "GET")
        started = time.perf_counter()
        length = environ.get("CONTENT_LENGTH")
        tee = TeeInput(environ["wsgi.input"], self.max_body_bytes,
                        int(length) if length and length.isdigit() else None)
        environ["wsgi.input"] = tee
        fault = self.faults.take(method, path)
        captured: dict[str, Any] = {"status": 0, "fault_id": fault["id"] if fault else None}
        recorded = False

        def recording_start(status: str, headers: list, exc_info: Any = None) -> Callable:
            """Remember the status the app (or the fault) answered."""
            captured["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            if fault and fault["latency_ms"]:
                time.sleep(fault["latency_ms"] / 1000)
            if fault and fault["action"] == "drop":
                # WHY record before hanging up: the client sees the drop the moment the socket
                # closes and may read the journal at once; the entry must already be there.
                if self.record:
                    self._record(environ, method, path, tee, captured, started)  # drains the body too
                    recorded = True
                else:
                    tee.drain()
                _hang_up(environ)
                return []
            if fault and fault["action"] in ("status", "rate_limit"):
                return self._fault_response(fault, recording_start)
            body = b"".join(self.app(environ, recording_start))
            captured["response"] = body
            if fault and fault["action"] == "truncate":
                return self._half_then_hang_up(environ, body)
            return [body]
        finally:
            later = self.record and not recorded and self._record(environ, method, path, tee, captured, started,
                                                                  can_wait=True)
            if not later:
                tee.discard()  # else the journal does, once it has written the body

    @staticmethod
    def _half_then_hang_up(environ: dict, body: bytes) -> Iterable[bytes]:
        """Send half the body under the full Content-Length, then close: a truncated response."""
        yield body[: len(body) // 2]
        _hang_up(environ)

    def _fault_response(self, fault: dict, start_response: Callable) -> list[bytes]:
        """A configured error status, or GitHub's primary (403) / secondary (429) rate limit."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if fault["action"] == "rate_limit":
            headers.update(rate_limit_headers(5000, 0, int(fault["retry_after"])))
            if fault["rate_limit"] == "secondary":
                status, message = 429, ("You have exceeded a secondary rate limit. "
                                        "Please wait a few minutes before you try again.")
                headers["retry-after"] = str(int(fault["retry_after"]))
            else:
                status, message = 403, "API rate limit exceeded for user ID 1."
        else:
            status, message = fault["status"], fault["body"] or "Fault injected by /_mock/faults"
        # Checked when the rule was added; checked again, as a rule may also come from a snapshot.
        headers.update({str(k): str(v) for k, v in fault["headers"].items() if not header_problems({k: v})})
        if isinstance(message, str):
            payload = json.dumps({"message": message, "documentation_url": DOCS, "status": str(status)})
        else:
            payload = json.dumps(message)
        data = payload.encode("utf-8")
        headers["Content-Length"] = str(len(data))
        start_response(f"{status} FAULT", list(headers.items()))
        return [data]

    def _record(self, environ: dict, method: str, path: str, tee: TeeInput,
                captured: dict, started: float, can_wait: bool = False) -> bool:
        """Write the journal entry; True when it was queued for later instead (`can_wait` and a body of
        LATER_AT bytes or more: written once the answer has been sent, streamed from `tee`, which the
        journal then discards). A journal failure never breaks the response."""
        later = False
        try:
            tee.drain()
            later = can_wait and tee.kept >= LATER_AT
            entry = {
                "at": self.clock.stamp(), "method": method, "path": path,
                "query": environ.get("QUERY_STRING", ""), "status": captured["status"],
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "request_headers": {_NAMES.get(k) or _header_name(k): v for k, v in environ.items()
                                    if k.startswith("HTTP_")},
                "request_body": tee if later else tee.copy(), "body_truncated": tee.truncated,
                "response_body": None if method in _READS and captured["status"] < 400 else
                (captured.get("response") or b"")[:RESPONSE_BYTES_KEPT],
                "fault_id": captured["fault_id"],
            }
            if later:
                self.journal.later(entry, tee.discard)
            else:
                self.journal.record(entry)
        except Exception:
            later = False  # not queued: the caller discards the tee
        return later
