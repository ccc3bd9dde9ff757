"""SQLite state for a mock app: one database file per app, WAL, a connection per thread.

State lives here from the first request, so a restart with `--state PATH` serves what was
there, several gunicorn workers see one truth, and a crash mid-upload rolls back whole.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

# Tables every mock app has: the clock, the current scenario, the journal and the faults.
CONTROL_SCHEMA = """
CREATE TABLE IF NOT EXISTS mock_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mock_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL,
    status INTEGER NOT NULL, duration_ms REAL NOT NULL, remote_addr TEXT,
    request_headers TEXT NOT NULL, request_body BLOB, body_truncated INTEGER NOT NULL DEFAULT 0,
    response_body BLOB, fault_id INTEGER
);
CREATE INDEX IF NOT EXISTS mock_journal_path ON mock_journal(path);
CREATE TABLE IF NOT EXISTS mock_faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, spec TEXT NOT NULL,
    skip_remaining INTEGER NOT NULL DEFAULT 0, times_remaining INTEGER, hits INTEGER NOT NULL DEFAULT 0
);
"""


class Database:
    """An app's SQLite database: a file at `path`, or a private temporary one when path is None."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        """Open (creating if needed) the database; an ephemeral one is removed at exit."""
        self._tmpdir: str | None = None
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="license-mock-")
            path = Path(self._tmpdir) / "state.sqlite3"
            atexit.register(self.close)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: dict[threading.Thread, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        self.executescript(CONTROL_SCHEMA)

    @property
    def ephemeral(self) -> bool:
        """Whether this database disappears when the process ends."""
        return self._tmpdir is not None

    def connection(self) -> sqlite3.Connection:
        """This thread's connection; sqlite3 connections must not be shared across threads."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._close_orphans()
                self._all[threading.current_thread()] = conn
        return conn

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (caller holds the lock).

        A threaded server runs each request on a new thread; without this every request
        would leave an open connection (and its file descriptors) behind until exit.
        """
        for thread in [t for t in self._all if not t.is_alive()]:
            try:
                self._all.pop(thread).close()
            except sqlite3.Error:
                pass

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement outside an explicit transaction (autocommit)."""
        return self.connection().execute(sql, params)

    def executescript(self, sql: str) -> None:
        """Run DDL; used by each store to create its tables idempotently."""
        self.connection().executescript(sql)

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """All rows of a read."""
        return self.connection().execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        """The first row of a read, or None."""
        return self.connection().execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands or none of it does (BEGIN IMMEDIATE serialises writers)."""
        conn = self.connection()
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            # A refused COMMIT (a deferred foreign key) leaves the transaction open; every later
            # transaction on this thread would silently join it and never commit.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def get_kv(self, key: str, default: str | None = None) -> str | None:
        """A control value (clock offset, scenario spec) shared by every worker."""
        row = self.one("SELECT value FROM mock_kv WHERE key = ?", (key,))
        return row[0] if row else default

    def set_kv(self, key: str, value: str) -> None:
        """Store a control value; joins the caller's transaction if there is one."""
        self.execute("INSERT INTO mock_kv(key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def close(self) -> None:
        """Close every connection and remove an ephemeral database's folder."""
        with self._lock:
            for conn in self._all.values():
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
