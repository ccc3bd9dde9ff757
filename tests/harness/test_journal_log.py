"""The journal's append log: reads are appended as lines, moved into the table before any read of it."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from github_http import journal as journal_module
from github_http.append_log import AppendLog
from github_http.journal import Journal
from github_http.storage import Database


def _journal(client: FlaskClient, **query: object) -> list[dict]:
    """The journal entries matching `query` (GET /_mock/journal)."""
    response = client.get("/_mock/journal", query_string={"limit": 10_000, **query})
    assert response.status_code == 200
    return response.get_json()


def _log_path(app: Flask) -> Path:
    """Where the app's journal log lives: beside the journal's side file."""
    db = app.extensions["mock"].db
    return db.path.with_name(f"{db.path.stem}.requests.log")


def test_reads_and_bodies_come_back_in_the_order_they_were_served(app: Flask, client: FlaskClient) -> None:
    """A read goes to the log, a body straight to the table: a reader still sees arrival order."""
    client.get("/api/widgets?n=1")
    assert _log_path(app).read_bytes().count(b"\n") == 1  # the read is a line of the log
    client.post("/api/widgets", json={"name": "two"})
    client.get("/api/widgets?n=3")
    entries = _journal(client, bodies=1)
    assert [(e["method"], e["query"]) for e in entries] == [("GET", "n=1"), ("POST", ""), ("GET", "n=3")]
    assert entries[1]["request_body"] == '{"name": "two"}'
    assert entries[0]["request_body"] == "" and entries[0]["request_body_bytes"] == 0
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert _log_path(app).read_bytes() == b""  # reading moved every line into the table


def test_a_busy_process_drains_its_own_log(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody reading the journal during a long load does not let the log file grow without bound."""
    monkeypatch.setattr(journal_module, "DRAIN_EVERY", 10)
    for i in range(25):
        client.get(f"/api/widgets?n={i}")
    assert _log_path(app).read_bytes().count(b"\n") == 5
    assert [e["query"] for e in _journal(client)] == [f"n={i}" for i in range(25)]


def test_a_line_torn_by_a_crash_costs_at_most_the_next_entry(app: Flask, client: FlaskClient) -> None:
    """A worker killed mid-write leaves a line without its end; the entries after it are kept."""
    client.get("/api/widgets?n=1")
    with _log_path(app).open("ab") as log:
        log.write(b'["2026-11-28T00:00:00Z", "GET", "/api/wid')
    client.get("/api/widgets?n=2")  # appended to the torn line: the two are one unreadable line
    client.get("/api/widgets?n=3")
    assert [e["query"] for e in _journal(client)] == ["n=1", "n=3"]


def test_clear_forgets_what_is_still_in_the_log(client: FlaskClient) -> None:
    """DELETE /_mock/journal empties the table and the log."""
    client.get("/api/widgets")
    assert client.delete("/_mock/journal").status_code in (200, 204)
    assert _journal(client) == []


def test_a_failed_move_keeps_the_lines(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The log is emptied only once its lines are in the table: an error there loses nothing."""
    journal = app.extensions["mock"].journal
    client.get("/api/widgets?n=1")
    real_ingest = journal._ingest

    def failing_ingest(conn: object, lines: list[bytes]) -> None:
        """Stand in for a full disk."""
        raise OSError("disk full")

    monkeypatch.setattr(journal, "_ingest", failing_ingest)
    with pytest.raises(OSError):
        journal.query()
    monkeypatch.setattr(journal, "_ingest", real_ingest)
    assert [e["query"] for e in journal.query()] == ["n=1"]


def _append_lines(path: str, writer: int, count: int) -> None:
    """A child process: `count` numbered lines into the shared log."""
    log = AppendLog(Path(path))
    for i in range(count):
        log.append(b"%d:%d" % (writer, i))
    log.close()


def test_processes_appending_while_another_drains_lose_no_line(tmp_path: Path) -> None:
    """Four writer processes and a drainer at once: every line arrives once, each writer's in order."""
    path = tmp_path / "x.requests.log"
    log = AppendLog(path)
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_append_lines, args=(str(path), w, 400)) for w in range(4)]
    for writer in writers:
        writer.start()
    seen: list[bytes] = []
    while any(w.is_alive() for w in writers):
        with log.drained() as lines:
            seen.extend(lines)
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    with log.drained() as lines:
        seen.extend(lines)
    assert len(seen) == len(set(seen)) == 1600
    for w in range(4):
        assert [int(s.split(b":")[1]) for s in seen if s.startswith(b"%d:" % w)] == list(range(400))


def test_the_log_is_kept_with_a_state_file(tmp_path: Path) -> None:
    """Entries not yet moved when the server stops are read after a restart on the same state."""
    entry = {"at": "2026-11-28T00:00:00Z", "method": "GET", "path": "/x", "query": "n=1", "status": 200,
             "duration_ms": 0.1, "request_headers": {}, "request_body": bytearray(), "response_body": None}
    first = Database(tmp_path / "state.sqlite3")
    Journal(first).record(entry)
    first.close()
    assert (tmp_path / "state.requests.log").read_bytes().count(b"\n") == 1
    second = Database(tmp_path / "state.sqlite3")
    try:
        assert [e["query"] for e in Journal(second).query()] == ["n=1"]
    finally:
        second.close()


@pytest.mark.parametrize("size", [0, 5, journal_module.BLOB_IO_AT - 1, journal_module.BLOB_IO_AT,
                                  2 * journal_module.BLOB_CHUNK + 7],
                         ids=["empty", "small", "just-below-blob-io", "blob-io", "several-chunks"])
def test_a_request_body_comes_back_byte_for_byte_whatever_its_size(app: Flask, client: FlaskClient,
                                                                  size: int) -> None:
    """Big bodies go in through blob I/O (no copy kept by SQLite): the same bytes, the same entry."""
    body = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    client.post("/api/widgets?n=big", data=body, headers={"Content-Type": "application/octet-stream"})
    (entry,) = [e for e in _journal(client, bodies=1) if e["query"] == "n=big"]
    assert entry["request_body_bytes"] == size and not entry["body_truncated"]
    db = app.extensions["mock"].db.side("requests", journal_module.SCHEMA)
    assert db.one("SELECT request_body, typeof(request_body) FROM mock_journal WHERE query = 'n=big'")[:] == (
        body, "blob")
