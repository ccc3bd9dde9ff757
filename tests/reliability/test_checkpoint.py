"""The WAL is checkpointed by a background thread (github_http.checkpoint), never by a request.

Nothing here times anything: each test writes, then polls (with a generous deadline) for what a
checkpoint leaves behind, the pages copied back into the database file.
"""
from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

from rel_processes import poll

from github_http.storage import Database

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


def _exit_code(pid: int) -> int:
    """A forked child's exit code; one stuck (on a lock it inherited) is killed at the deadline."""
    def reaped() -> tuple[int] | None:
        """(exit code,) once the child has ended."""
        done, status = os.waitpid(pid, os.WNOHANG)
        return (os.waitstatus_to_exitcode(status),) if done else None

    try:
        return poll(reaped, "the forked child to exit")[0]
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise


def _table(tmp_path: Path) -> Database:
    """A state file with one table."""
    db = Database(tmp_path / "state.sqlite3")
    db.executescript("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, tag TEXT, body TEXT)")
    return db


def test_commits_leave_the_wal_to_the_background_checkpoint(tmp_path: Path) -> None:
    db = _table(tmp_path)
    conn = db.connection()
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # no COMMIT pays for it
    _write(db, 3000, "a")
    poll(lambda: _checkpointed(db), "the background checkpoint")
    db.close()


def test_a_steady_write_load_does_not_grow_the_wal_without_bound(tmp_path: Path) -> None:
    db = _table(tmp_path)
    wal = Path(f"{db.path}-wal")
    for round_ in range(12):  # 12 MB written in all; each checkpoint lets the WAL start over
        _write(db, 1000, f"r{round_}")
        poll(lambda: _checkpointed(db), "the background checkpoint")
    assert wal.stat().st_size < 4 << 20
    assert db.one("SELECT count(*) FROM t")[0] == 12_000
    db.close()


def test_a_closed_database_used_again_is_still_checkpointed(tmp_path: Path) -> None:
    db = _table(tmp_path)
    _write(db, 500, "before")
    db.close()
    _write(db, 2000, "after")
    poll(lambda: _checkpointed(db), "the checkpoint after close")
    db.close()
    with sqlite3.connect(db.path) as check:
        assert check.execute("SELECT count(*) FROM t").fetchone()[0] == 2500


def test_fork_while_the_checkpoint_runs_leaves_the_child_a_working_sqlite(tmp_path: Path) -> None:
    """gunicorn --preload forks after writes: the child must not inherit SQLite mid-call."""
    db = _table(tmp_path)
    for attempt in range(5):
        _write(db, 3000, f"big{attempt}")  # wakes the checkpointer; fork lands during its work or not
        pid = os.fork()
        if pid == 0:  # the child: report through the exit code only
            try:
                _write(db, 1, "child")
                os._exit(0 if db.one("SELECT count(*) FROM t WHERE tag = 'child'")[0] == attempt + 1 else 1)
            except BaseException:
                os._exit(2)
        assert _exit_code(pid) == 0
    _write(db, 10, "parent")  # the children's writes are theirs to checkpoint; this one is ours
    poll(lambda: _checkpointed(db), "the parent's checkpoint after the forks")
    db.close()
