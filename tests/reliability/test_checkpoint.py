"""The WAL is checkpointed after the writing request's response, never by a COMMIT nor a thread.

Connections run with `wal_autocheckpoint=0`; `Database.checkpoint()` copies the WAL back when
something was committed since the last time, and the request wrapper (github_http/wire.py)
calls it once the server has closed the response. Nothing here times anything: each test checks
what a checkpoint leaves behind, the pages copied back into the database file.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from rel_helpers import export, server_id, synthetic_users
from rel_processes import poll

from github_http.storage import Database
from mock_ghec import create_app

ROW = "x" * 1000


def _write(db: Database, rows: int, tag: str) -> None:
    """One transaction of `rows` rows of about 1 KB."""
    with db.transaction() as conn:
        conn.executemany("INSERT INTO t (tag, body) VALUES (?, ?)", [(tag, ROW)] * rows)


def _checkpointed(db: Database) -> bool:
    """Whether every committed page is back in the database file (a reader's own check: the
    file holds as many pages as the database has)."""
    pages = db.one("PRAGMA page_count")[0] * db.one("PRAGMA page_size")[0]
    return db.path.stat().st_size >= pages


def _table(tmp_path: Path) -> Database:
    """A state file with one table."""
    db = Database(tmp_path / "state.sqlite3")
    db.executescript("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, tag TEXT, body TEXT)")
    return db


def test_a_commit_leaves_the_wal_until_checkpoint_is_asked(tmp_path: Path) -> None:
    db = _table(tmp_path)
    assert db.connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # no COMMIT pays for it
    _write(db, 3000, "a")
    assert not _checkpointed(db)
    db.checkpoint()
    assert _checkpointed(db)
    db.close()


def test_a_steady_write_load_does_not_grow_the_wal_without_bound(tmp_path: Path) -> None:
    db = _table(tmp_path)
    wal = Path(f"{db.path}-wal")
    for round_ in range(12):  # 12 MB written in all; each checkpoint lets the WAL start over
        _write(db, 1000, f"r{round_}")
        db.checkpoint()
        assert _checkpointed(db)
    assert wal.stat().st_size < 4 << 20
    assert db.one("SELECT count(*) FROM t")[0] == 12_000
    db.close()


def test_a_closed_database_used_again_is_still_checkpointed(tmp_path: Path) -> None:
    db = _table(tmp_path)
    _write(db, 500, "before")
    db.close()
    _write(db, 2000, "after")
    db.checkpoint()
    assert _checkpointed(db)
    db.close()
    with sqlite3.connect(db.path) as check:
        assert check.execute("SELECT count(*) FROM t").fetchone()[0] == 2500


def test_an_upload_is_checkpointed_once_its_response_is_closed(tmp_path: Path) -> None:
    """Through the app: the 201 is answered with the upload in the WAL; closing the response (what
    a WSGI server does once it has sent it) checkpoints. No thread is started for it."""
    app = create_app({"TESTING": True, "STATE_PATH": str(tmp_path / "ghec.sqlite3"), "JOURNAL": False})
    db = app.extensions["mock"].db
    db.checkpoint()  # the seeding's own commit
    threads = threading.active_count()
    spec = app.test_client().get("/_mock/scenario").get_json()
    slug, token = spec["enterprises"][0]["slug"], spec["enterprises"][0]["tokens"]["owner"]
    raw = export(server_id(1, "checkpoint"), "ckpt.example", synthetic_users(3000, "elsewhere.example"))
    response: Any = app.test_client().post(f"/enterprises/{slug}/server-usage", data=raw,
                                           headers={"Authorization": f"token {token}",
                                                    "Content-Type": "application/json"})
    assert response.status_code == 201
    assert not _checkpointed(db)
    response.close()
    assert _checkpointed(db)
    assert threading.active_count() == threads
    db.close()


def test_a_forked_child_writes_and_checkpoints_on_its_own_connections(tmp_path: Path) -> None:
    """gunicorn --preload forks after writes: the child opens its own connections and checkpoints them."""
    db = _table(tmp_path)
    _write(db, 3000, "parent")
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        try:
            _write(db, 1, "child")
            db.checkpoint()
            os._exit(0 if db.one("SELECT count(*) FROM t WHERE tag = 'child'")[0] == 1 and _checkpointed(db) else 1)
        except BaseException:
            os._exit(2)

    def reaped() -> tuple[int] | None:
        """(exit code,) once the child has ended."""
        done, status = os.waitpid(pid, os.WNOHANG)
        return (os.waitstatus_to_exitcode(status),) if done else None

    assert poll(reaped, "the forked child to exit")[0] == 0
    db.close()


def test_over_http_the_server_checkpoints_once_it_has_sent_the_201(tmp_path: Path) -> None:
    """A real WSGI server (Werkzeug's, as `mock-ghec serve`) closes each response after sending it,
    which is when the WAL is copied back."""
    import requests

    from github_http.live import LiveServer

    app = create_app({"STATE_PATH": str(tmp_path / "ghec.sqlite3"), "JOURNAL": False})
    db = app.extensions["mock"].db
    db.checkpoint()
    spec = app.test_client().get("/_mock/scenario").get_json()
    slug, token = spec["enterprises"][0]["slug"], spec["enterprises"][0]["tokens"]["owner"]
    raw = export(server_id(2, "checkpoint"), "ckpt-http.example", synthetic_users(3000, "elsewhere.example"))
    server = LiveServer(app).start()
    try:
        answer = requests.post(f"{server.url}/enterprises/{slug}/server-usage", data=raw, timeout=60,
                               headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
        assert answer.status_code == 201
        poll(lambda: _checkpointed(db), "the checkpoint after the 201")
    finally:
        server.stop()
        db.close()
