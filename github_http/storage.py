"""SQLite state for a mock app: one database file per app, WAL, a connection per thread.

State lives here from the first request, so a restart with `--state PATH` serves what was
there, several gunicorn workers see one truth, and a crash mid-upload rolls back whole.

Three parts, each in its own module: the connections (pool.py), small reads kept until the
database changes (read_cache.py), the file itself and its tables' versions (state_file.py).
This module puts them together: reads, write transactions, what runs after a commit, and the
WAL checkpoint, which runs after the writing request's response (no thread does it).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from .after_fork import forget_in_child
from .pool import IDLE_CONNECTIONS, ConnectionPool
from .read_cache import MEMO_LIMIT, ReadCache
from .state_file import StateFile, require_shared_state, side_path, under_gunicorn
from .write_marks import EVERYTHING, WriteMarks

__all__ = ["CONTROL_SCHEMA", "IDLE_CONNECTIONS", "MEMO_LIMIT", "Database", "require_shared_state", "side_path",
           "under_gunicorn"]

# Tables every mock app has: the clock, the current scenario and the faults (the journal's is in journal.py).
CONTROL_SCHEMA = """
CREATE TABLE IF NOT EXISTS mock_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mock_faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, spec TEXT NOT NULL,
    skip_remaining INTEGER NOT NULL DEFAULT 0, times_remaining INTEGER, hits INTEGER NOT NULL DEFAULT 0
);
"""

T = TypeVar("T")


class Database:
    """An app's SQLite database: a file at `path`, or a private temporary one when path is None."""

    def __init__(self, path: str | os.PathLike[str] | None = None, schema: str = CONTROL_SCHEMA,
                 durable: bool | None = None) -> None:
        """Open (creating if needed) the database with `schema`'s tables; an ephemeral one is removed
        at exit, and is not `durable` (pool.NOT_DURABLE) unless asked."""
        self._file = StateFile(path)
        if self._file.ephemeral:
            # WHY a finalizer, not atexit.register(self.close): atexit held every ephemeral Database
            # (and its connections' descriptors) until the process ended, so an app a test never
            # closed kept 9 descriptors open for good; a long xdist worker passed fd 1023. The folder
            # goes when the Database is collected or at exit, whichever comes first.
            weakref.finalize(self, self._file.remove)
        self.path = self._file.path
        self.durable = not self._file.ephemeral if durable is None else durable
        self._pool = ConnectionPool(self.path, durable=self.durable)
        self._reads = ReadCache()
        self._born = os.getpid()
        self._commits = threading.local()  # this thread's after-commit callbacks while in transaction()
        self._wrote = False  # a commit since the last checkpoint (in this process)
        #: Commits that changed something, made through this object in this process (templates.py:
        #: a reset with nothing written since the last one has nothing to copy back).
        self.writes = 0
        self._sides: list[Database] = []
        self._on_close: list[Callable[[], None]] = []
        forget_in_child(self)
        self.executescript(schema)

    def after_fork_in_child(self) -> None:
        """A forked child: nothing of the parent's connections, kept reads or open transactions (after_fork.py)."""
        self._pool.forget_after_fork()
        self._reads.clear()
        self._commits = threading.local()

    def side(self, name: str, schema: str) -> Database:
        """A second database file beside this one (`<stem>.<name>.sqlite3`) holding only `schema`'s
        tables, closed with it.

        WHY: in WAL mode a reader cannot tell which pages another connection's commit changed,
        so it drops its whole page cache; a table written on every request (the request
        journal) would make every other worker re-read every page on every request (measured:
        +0.4 ms on a consumed-licenses page) and would wait behind a long upload's write lock.
        """
        side = Database(side_path(self.path, name), schema, durable=self.durable)
        self._sides.append(side)
        return side

    def on_close(self, callback: Callable[[], None]) -> None:
        """Run `callback` when this database closes, before its connections do (a file kept beside it)."""
        self._on_close.append(callback)

    @property
    def ephemeral(self) -> bool:
        """Whether this database disappears when the process ends."""
        return self._file.ephemeral

    def connection(self) -> sqlite3.Connection:
        """This thread's connection; sqlite3 connections must not be shared across threads (nor
        processes: a forked child starts afresh, `after_fork_in_child`)."""
        return self._pool.connection()

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement outside an explicit transaction (autocommit)."""
        conn = self.connection()
        changes = conn.total_changes
        cursor = conn.execute(sql, params)
        if conn.total_changes != changes and not conn.in_transaction:  # an autocommit write landed
            self._wrote = True
            self.writes += 1
        return cursor

    def executescript(self, sql: str) -> None:
        """Run DDL; used by each store to create its tables idempotently."""
        self.connection().executescript(sql)
        self.writes += 1

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """All rows of a read."""
        return self.connection().execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        """The first row of a read, or None."""
        row: sqlite3.Row | None = self.connection().execute(sql, params).fetchone()
        return row

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands or none of it does (BEGIN IMMEDIATE serialises writers)."""
        conn = self.connection()
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        changes = conn.total_changes
        self._commits.callbacks = []
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            self._commits.callbacks = None
            raise
        try:
            conn.execute("COMMIT")
            self._wrote = True
            if conn.total_changes != changes:
                self.writes += 1
        except BaseException:
            # A refused COMMIT (a deferred foreign key) leaves the transaction open; every later
            # transaction on this thread would silently join it and never commit.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._commits.callbacks = None
            raise
        callbacks, self._commits.callbacks = self._commits.callbacks, None
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this thread's `transaction()` has committed (never if it rolls back),
        or now outside one: work that must see the commit."""
        pending = self._commits.__dict__.get("callbacks")
        if pending is not None:
            pending.append(callback)
        else:
            callback()

    @property
    def write_marks(self) -> WriteMarks:
        """The tables written through this process's connections since the marks were cleared (write_marks.py)."""
        return self._pool.marks

    @property
    def private(self) -> bool:
        """Whether only this process can write the database (a temporary file it created)."""
        return self._file.ephemeral and os.getpid() == self._born

    def size_bytes(self) -> int:
        """The database file's size in pages (what a copy of it holds)."""
        conn = self.connection()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        return int(pages) * int(conn.execute("PRAGMA page_size").fetchone()[0])

    def copy_to(self, target: sqlite3.Connection) -> None:
        """Copy the whole database, as committed, into `target` (SQLite's backup API)."""
        self.connection().backup(target)

    def copy_from(self, source: sqlite3.Connection) -> None:
        """Replace the whole database with `source`'s pages, in one atomic write (SQLite's backup
        API takes the write lock and waits for it like any writer).

        WHY the read cache of this connection is dropped: SQLite moves `data_version` only for
        the other connections, and a backup does not count in `total_changes`.
        """
        conn = self.connection()
        source.backup(conn)
        self._pool.marks.tables.add(EVERYTHING)  # not through a statement: every table may differ
        self._wrote = True
        self.writes += 1
        self._reads.forget(conn)

    def checkpoint(self) -> None:
        """Copy the WAL back into the database file (and each side file's) if anything was committed
        since the last time (PASSIVE: it never waits for, nor blocks, readers or writers).

        WHY here and not in a thread: the request wrapper (wire.py) calls it once the response
        has been sent, so no response waits for it, and nothing runs in the background.
        """
        for side in self._sides:
            side.checkpoint()
        if not self._wrote:
            return
        self._wrote = False
        with contextlib.suppress(sqlite3.Error):  # busy or interrupted: simply done after the next write
            self.connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def cached_read(self, key: Hashable, load: Callable[[], T]) -> T:
        """`load()`'s answer, read again only once the database may have changed since (see read_cache.py)."""
        return self._reads.cached_read(self.connection(), key, load)

    def request_scope(self) -> AbstractContextManager[None]:
        """One request's lifetime on this thread (read_cache.py): `cached_read` asks whether another
        connection wrote only the first time; `after_request` work runs when it ends."""
        return self._reads.request_scope()

    def after_request(self, callback: Callable[[], None]) -> None:
        """Run `callback` when this thread's request scope ends, or now outside one."""
        self._reads.after_request(callback)

    def get_kv(self, key: str, default: str | None = None) -> str | None:
        """A control value (clock offset, scenario spec) shared by every worker (the clock's is
        asked on every request, hence `cached_read`)."""
        row = self.cached_read(("kv", key), lambda: self.one("SELECT value FROM mock_kv WHERE key = ?", (key,)))
        return row[0] if row else default

    def set_kv(self, key: str, value: str) -> None:
        """Store a control value; joins the caller's transaction if there is one."""
        self.execute("INSERT INTO mock_kv(key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def delete_kv(self, key: str) -> None:
        """Remove a control value (back to its default); joins the caller's transaction if there is one."""
        self.execute("DELETE FROM mock_kv WHERE key = ?", (key,))

    def open_connections(self) -> int:
        """How many connections this process holds to the file (tests: requests leave none behind)."""
        return self._pool.open_count()

    def close(self) -> None:
        """Close every connection (a kept file checkpointed first), its side files, remove an ephemeral folder.

        The explicit checkpoint leaves a kept state file whole even if another process still
        has it open; an ephemeral one is about to be deleted, so it skips that. A closed
        Database may be used again (it reopens connections).
        """
        for callback in self._on_close:
            callback()
        self._pool.close_all(checkpoint=not self.ephemeral)
        self._reads.clear()
        self._wrote = False
        for side in self._sides:
            side.close()
        self._file.remove()
