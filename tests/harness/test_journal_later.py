"""Journal entries of big request bodies are written once the answer has gone (journal_later.py),
and every reader still sees them: in this process, in another process, over real HTTP."""
from __future__ import annotations

import fcntl
import multiprocessing
import os
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from github_http import journal as journal_module
from github_http.journal import Journal
from github_http.journal_later import LaterWrites
from github_http.live import LiveServer
from github_http.storage import Database
from github_http.tee_input import TeeInput

BIG = journal_module.BLOB_IO_AT + 5  # over wire.LATER_AT: written after the answer


def _entry(query: str, body: bytes = b"") -> dict[str, Any]:
    """A journal entry as wire.py makes one."""
    return {"at": "2026-12-02T00:00:00Z", "method": "POST", "path": "/x", "query": query, "status": 201,
            "duration_ms": 0.1, "request_headers": {}, "request_body": body, "response_body": b"{}"}


def _queries(client: FlaskClient) -> list[str]:
    """The queries of every journal entry, oldest first (GET /_mock/journal)."""
    return [e["query"] for e in client.get("/_mock/journal", query_string={"limit": 1000}).get_json()]


def test_an_unclosed_answer_s_entry_is_there_for_the_next_read(app: Flask, client: FlaskClient) -> None:
    """A WSGI caller that reads the answer but never closes it: the next request writes the entry."""
    body = os.urandom(BIG)
    environ = EnvironBuilder(path="/api/widgets", query_string="n=big", method="POST", data=body,
                             content_type="application/octet-stream").get_environ()
    b"".join(app.wsgi_app(environ, lambda status, headers, exc_info=None: None))  # not closed
    assert app.extensions["mock"].journal._later.pending == 1  # queued, not yet written
    (entry,) = [e for e in client.get("/_mock/journal?bodies=1").get_json() if e["query"] == "n=big"]
    assert entry["request_body_bytes"] == BIG and entry["request_body_base64"]


def test_a_closed_answer_s_entry_is_written_when_it_closes(app: Flask, client: FlaskClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The WSGI server's close() writes the entry, then discards the tee's temporary file (once)."""
    discarded: list[int] = []
    real_discard = TeeInput.discard

    def counted(tee: TeeInput) -> None:
        discarded.append(tee.kept)
        real_discard(tee)

    monkeypatch.setattr(TeeInput, "discard", counted)
    response = client.post("/api/widgets?n=big", data=b"x" * BIG, headers={"Content-Type": "text/plain"})
    response.close()
    assert app.extensions["mock"].journal._later.pending == 0 and discarded == [BIG]
    assert "n=big" in _queries(client)


def test_entries_keep_the_order_requests_were_answered_in(client: FlaskClient) -> None:
    """A big body queued for later, then small requests: the journal still lists them in that order."""
    client.get("/api/widgets?n=1")
    client.post("/api/widgets?n=2", data=b"x" * BIG, headers={"Content-Type": "text/plain"})
    client.post("/api/widgets?n=3", data=b"small", headers={"Content-Type": "text/plain"})
    client.get("/api/widgets?n=4")
    assert [q for q in _queries(client) if q.startswith("n=")] == ["n=1", "n=2", "n=3", "n=4"]


def test_record_writes_what_is_queued_first(tmp_path: Path) -> None:
    """Journal.record after Journal.later: the queued entry gets the lower id."""
    db = Database(tmp_path / "state.sqlite3")
    try:
        journal = Journal(db)
        done: list[str] = []
        journal.later(_entry("first", b"y" * BIG), lambda: done.append("first"))
        journal.record(_entry("second", b"z"))
        assert done == ["first"] and [e["query"] for e in journal.query()] == ["first", "second"]
    finally:
        db.close()


def test_a_failed_write_is_dropped_its_lock_released_and_done_still_runs(tmp_path: Path) -> None:
    """A journal failure never breaks anything: the flush returns, the lock file is free again."""
    writes = LaterWrites(tmp_path / "j.busy")
    done: list[int] = []

    def broken() -> None:
        raise OSError("disk full")

    writes.add(broken, lambda: done.append(1))
    writes.flush()
    assert done == [1] and writes.pending == 0
    fd = os.open(writes.path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if any shared lock were left
    finally:
        os.close(fd)


def _other_process(path: str, pipe: Connection) -> None:
    """Another worker on the same state: finds the journal busy, then (once told) reads the entry."""
    busy = Path(path).with_name("state.requests.busy")
    fd = os.open(busy, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        pipe.send("free")
    except BlockingIOError:
        pipe.send("held")
    finally:
        os.close(fd)
    pipe.recv()
    db = Database(Path(path))
    try:
        pipe.send([(e["query"], e["request_body_bytes"]) for e in Journal(db).query()])
    finally:
        db.close()


def test_another_process_waits_for_a_pending_entry(tmp_path: Path) -> None:
    """gunicorn workers share the journal: a pending entry holds the lock every reader waits for."""
    db = Database(tmp_path / "state.sqlite3")
    try:
        journal = Journal(db)
        journal.later(_entry("big", b"b" * BIG), lambda: None)
        ours, theirs = multiprocessing.get_context("spawn").Pipe()
        child = multiprocessing.get_context("spawn").Process(target=_other_process, args=(str(db.path), theirs))
        child.start()
        assert ours.recv() == "held"
        journal.flush()
        ours.send("go")
        assert ours.recv() == [("big", BIG)]
        child.join()
        assert child.exitcode == 0
    finally:
        db.close()


@pytest.fixture
def served(make_app: Any) -> Any:
    """A tiny app of its own over real HTTP (threaded Werkzeug server, as `serve` runs)."""
    app = make_app()
    with LiveServer(app) as server:
        yield server


def test_over_http_a_new_connection_sees_the_entry_at_once(served: LiveServer) -> None:
    """The answer came first, the entry after it; a client reading right away still finds it."""
    body = os.urandom(2 * journal_module.BLOB_CHUNK + 3)
    answer = requests.post(f"{served.url}/api/widgets?n=http", data=body, timeout=30,
                           headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code < 500
    entries = requests.get(f"{served.url}/_mock/journal?bodies=1", timeout=30).json()
    (entry,) = [e for e in entries if e["query"] == "n=http"]
    assert entry["request_body_bytes"] == len(body)
    db = served.app.extensions["mock"].db.side("requests", journal_module.SCHEMA)
    assert db.one("SELECT request_body FROM mock_journal WHERE query = 'n=http'")[0] == body


def test_the_total_bound_drops_the_oldest_bodies_and_keeps_the_entries(tmp_path: Path) -> None:
    """JOURNAL_MAX_TOTAL_BODY_BYTES: past it the oldest bodies go (entries stay, marked), newest first kept."""
    db = Database(tmp_path / "state.sqlite3")
    try:
        journal = Journal(db, max_total_body_bytes=2 * BIG + 10)
        for n in range(4):
            journal.record(_entry(f"n={n}", bytes([n]) * BIG))
        entries = journal.query(bodies=True)
        assert [(e["query"], e["request_body_bytes"], e["body_dropped"], e["body_truncated"]) for e in entries] == [
            ("n=0", 0, True, True), ("n=1", 0, True, True), ("n=2", BIG, False, False), ("n=3", BIG, False, False)]
        assert entries[3]["request_body"] == "\x03" * BIG and entries[0]["request_body"] == ""
    finally:
        db.close()


def test_a_body_over_the_total_bound_alone_is_dropped_too(tmp_path: Path) -> None:
    """No exception for the newest entry when its body alone is over the bound."""
    db = Database(tmp_path / "state.sqlite3")
    try:
        journal = Journal(db, max_total_body_bytes=BIG - 1)
        journal.record(_entry("n=big", b"x" * BIG))
        journal.record(_entry("n=small", b"tiny"))
        assert [(e["query"], e["request_body_bytes"], e["body_dropped"]) for e in journal.query()] == [
            ("n=big", 0, True), ("n=small", 4, False)]
    finally:
        db.close()


def test_the_total_bound_is_a_setting_of_both_apps() -> None:
    """The same name and default on GHES and GHEC (MOCK_GHES_/MOCK_GHEC_JOURNAL_MAX_TOTAL_BODY_BYTES)."""
    from mock_ghec.settings import DEFAULTS as GHEC
    from mock_ghes.settings import DEFAULTS as GHES

    assert GHEC["JOURNAL_MAX_TOTAL_BODY_BYTES"] == GHES["JOURNAL_MAX_TOTAL_BODY_BYTES"] == 256 << 20
