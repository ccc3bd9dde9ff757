"""SQLite state for a mock app: one database file per app, WAL, a connection per thread.

State lives here from the first request, so a restart with `--state PATH` serves what was
there, several gunicorn workers see one truth, and a crash mid-upload rolls back whole.
"""
from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from .checkpoint import Checkpointer

# Tables every mock app has: the clock, the current scenario and the faults (the journal's is in journal.py).
CONTROL_SCHEMA = """
CREATE TABLE IF NOT EXISTS mock_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mock_faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, spec TEXT NOT NULL,
    skip_remaining INTEGER NOT NULL DEFAULT 0, times_remaining INTEGER, hits INTEGER NOT NULL DEFAULT 0
);
"""


def under_gunicorn() -> bool:
    """Whether this process is a gunicorn master or worker (gunicorn's arbiter sets SERVER_SOFTWARE)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")


def require_shared_state(state_path: str | None, env_var: str) -> None:
    """Refuse the private ephemeral database under gunicorn.

    WHY: gunicorn builds the app once per worker; with no state file each worker would get its
    own temporary database, so an upload through one worker would be invisible to the others
    and requests would see different data at random. One state file shared by every worker
    (WAL, BEGIN IMMEDIATE writers) is what makes several workers one consistent server.
    """
    if not state_path and under_gunicorn():
        raise RuntimeError(
            f"under gunicorn every worker must share one state file: set {env_var}=/path/to/state.sqlite3 "
            "(without it each worker would keep its own private, ephemeral state)")


def side_path(path: Path, name: str) -> Path:
    """Where `Database.side(name)` of a database at `path` lives: `<stem>.<name>.sqlite3` beside it."""
    return path.with_name(f"{path.stem}.{name}.sqlite3")


def switch_to_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Put the database at `path` (open on `conn`) in WAL mode, one process at a time.

    WHY the file lock: the switch needs the file to itself, and when two connections attempt it
    at once SQLite answers "database is locked" at once instead of waiting (each holds the
    shared lock the other must lose: a deadlock its busy handler does not wait out). Several
    gunicorn workers opening a new state file did exactly that. Under an exclusive lock on a file
    beside the database (never the database itself: closing any descriptor of it would drop this
    process's SQLite locks) only one connection switches; the others find WAL already set.
    """
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return  # WAL is persistent: every open after the first one switch ends here
    with open(path.with_name(f"{path.name}.wal-switch.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        conn.execute("PRAGMA journal_mode=WAL")


#: Connections of ended threads kept for reuse (per Database, per process).
IDLE_CONNECTIONS = 8
#: Values `Database.unchanged` keeps per thread before it starts afresh (a bound, not a tuning knob).
MEMO_LIMIT = 256

T = TypeVar("T")


class Database:
    """An app's SQLite database: a file at `path`, or a private temporary one when path is None."""

    def __init__(self, path: str | os.PathLike[str] | None = None, schema: str = CONTROL_SCHEMA) -> None:
        """Open (creating if needed) the database with `schema`'s tables; an ephemeral one is removed at exit."""
        self._tmpdir: str | None = None
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="license-mock-")
            path = Path(self._tmpdir) / "state.sqlite3"
            atexit.register(self.close)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: dict[threading.Thread, sqlite3.Connection] = {}
        self._idle: list[sqlite3.Connection] = []  # connections of ended threads, for the next new thread
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._checkpointer = Checkpointer(self.path)
        self._sides: list[Database] = []
        self._on_close: list[Callable[[], None]] = []
        self._memos: dict[int, tuple[tuple, dict]] = {}  # id(connection) -> its `unchanged` values
        self.executescript(schema)

    def side(self, name: str, schema: str) -> Database:
        """A second database file beside this one (`<stem>.<name>.sqlite3`) holding only `schema`'s
        tables, closed with it.

        WHY: in WAL mode a reader cannot tell which pages another connection's commit changed,
        so it drops its whole page cache; a table written on every request (the request
        journal) would make every other worker re-read every page on every request (measured:
        +0.4 ms on a consumed-licenses page) and would wait behind a long upload's write lock.
        """
        side = Database(side_path(self.path, name), schema)
        self._sides.append(side)
        return side

    def on_close(self, callback: Callable[[], None]) -> None:
        """Run `callback` when this database closes, before its connections do (a file kept beside
        it, such as the journal's log; a thread that reads it, which must stop first)."""
        self._on_close.append(callback)

    @property
    def ephemeral(self) -> bool:
        """Whether this database disappears when the process ends."""
        return self._tmpdir is not None

    def connection(self) -> sqlite3.Connection:
        """This thread's connection; sqlite3 connections must not be shared across threads."""
        if os.getpid() != self._pid:
            self._forget_parent_connections()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                self._close_orphans()
                conn = self._idle.pop() if self._idle else None
                if conn is not None:
                    self._all[threading.current_thread()] = conn
            if conn is None:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                switch_to_wal(conn, self.path)
                conn.execute("PRAGMA wal_autocheckpoint=0")  # the Checkpointer does it, off the request
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA busy_timeout=30000")
                with self._lock:
                    self._all[threading.current_thread()] = conn
            self._local.conn = conn
        return conn

    def _forget_parent_connections(self) -> None:
        """In a forked child (gunicorn --preload), drop the parent's connections without closing them.

        WHY: SQLite forbids using a connection across fork(), and closing the inherited copy
        could checkpoint or delete the WAL under the parent's feet; the child opens its own.
        """
        self._pid = os.getpid()
        self._local = threading.local()
        self._all = {}
        self._idle = []
        self._memos = {}
        self._lock = threading.Lock()
        self._checkpointer = Checkpointer(self.path)  # the parent's thread did not survive fork()

    def _close_orphans(self) -> None:
        """Recycle the connections of threads that have ended (caller holds the lock).

        A threaded server runs each request on a new thread (Werkzeug's closes every
        connection, so every request is a new thread); without this every request would
        leave an open connection (and its file descriptors) behind until exit. A few are
        kept for the next threads: opening one (connect, schema, four PRAGMAs) cost about
        0.5 ms, half of what a small request costs. One left inside a transaction (its
        thread died mid-write) is closed, which rolls it back.
        """
        for thread in [t for t in self._all if not t.is_alive()]:
            conn = self._all.pop(thread)
            if not conn.in_transaction and len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(conn)
                continue
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement outside an explicit transaction (autocommit)."""
        conn = self.connection()
        changes = conn.total_changes
        cursor = conn.execute(sql, params)
        if conn.total_changes != changes and not conn.in_transaction:  # an autocommit write landed
            self._checkpointer.wrote()
        return cursor

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
        self._local.after_commit = []
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            self._local.after_commit = None
            raise
        try:
            conn.execute("COMMIT")
            self._checkpointer.wrote()
        except BaseException:
            # A refused COMMIT (a deferred foreign key) leaves the transaction open; every later
            # transaction on this thread would silently join it and never commit.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._local.after_commit = None
            raise
        callbacks, self._local.after_commit = self._local.after_commit, None
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this thread's `transaction()` has committed (never if it rolls back),
        or now outside one: work that must see the commit, such as starting a thread that reads it."""
        if self._local.__dict__.get("after_commit") is not None:
            self._local.after_commit.append(callback)
        else:
            callback()

    def unchanged(self, key: Hashable, load: Callable[[], T]) -> T:
        """`load()`'s answer, read again only once the database may have changed since.

        WHY: every API request asks the same few small things (the token's owner, the clock,
        whether any fault is set) that change only when something is written. SQLite tells a
        connection both kinds of change: `PRAGMA data_version` moves when any other connection,
        in any process, commits; `total_changes` moves when this one writes (a rolled-back write
        too, which only costs a re-read). Asking data_version costs as much as a small read (it
        takes the WAL read lock), so within one `moment` it is asked once. Inside an open
        transaction nothing is kept: a rollback would not show. `load` must return a value
        nobody mutates. Kept per connection, not per thread: a threaded server (`serve`) runs each
        request on a new thread, which takes over an idle connection and what it knew.
        """
        conn = self.connection()
        if conn.in_transaction:
            return load()
        local = self._local
        memo = self._memos.get(id(conn))
        if not (local.__dict__.get("checked") and memo is not None and memo[0][0] is conn
                and memo[0][2] == conn.total_changes):
            version = (conn, conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
            if memo is None or memo[0] != version or len(memo[1]) >= MEMO_LIMIT:
                if len(self._memos) >= MEMO_LIMIT:  # connections come and go (orphans closed): start afresh
                    self._memos.clear()
                memo = self._memos[id(conn)] = (version, {})
            local.checked = local.__dict__.get("in_moment", False)
        values = memo[1]
        try:
            return values[key]
        except KeyError:
            value = values[key] = load()
            return value

    @contextmanager
    def moment(self) -> Iterator[None]:
        """One request's span, within which `unchanged` asks whether another connection wrote
        only the first time: the request sees the small values as of its start, its own writes
        at once (as a request served a few microseconds earlier would)."""
        local = self._local
        if local.__dict__.get("in_moment"):
            yield
            return
        local.in_moment, local.checked, local.after_moment = True, False, []
        try:
            yield
        finally:
            callbacks, local.after_moment = local.after_moment, []
            local.in_moment = local.checked = False
            for callback in callbacks:
                callback()

    def after_moment(self, callback: Callable[[], None]) -> None:
        """Run `callback` when this thread's request (`moment`) is over, or now outside one: work
        started by a request that should not compete with the rest of it (such as the journal's
        write of a large upload's body)."""
        if self._local.__dict__.get("in_moment"):
            self._local.after_moment.append(callback)
        else:
            callback()

    def get_kv(self, key: str, default: str | None = None) -> str | None:
        """A control value (clock offset, scenario spec) shared by every worker (the clock's is
        asked on every request, hence `unchanged`)."""
        row = self.unchanged(("kv", key), lambda: self.one("SELECT value FROM mock_kv WHERE key = ?", (key,)))
        return row[0] if row else default

    def set_kv(self, key: str, value: str) -> None:
        """Store a control value; joins the caller's transaction if there is one."""
        self.execute("INSERT INTO mock_kv(key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def hold_before_commit(self, marker: str | None, limit: float = 120.0) -> None:
        """Test hook, called inside a write transaction just before its COMMIT (never in production).

        With `marker` set, create that file and wait until it is deleted (or `limit` seconds
        pass), so a crash test can `kill -9` the server at exactly the moment a large write
        is complete but not committed, and check that a restart serves the previous state.
        """
        if not marker:
            return
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + limit
        while Path(marker).exists() and time.monotonic() < deadline:
            time.sleep(0.02)  # held on purpose: the test kills the process here

    def close(self) -> None:
        """Stop the checkpointer, checkpoint, close every connection, remove an ephemeral folder.

        The explicit checkpoint leaves a kept state file whole even if another process still
        has it open (the last connection to close would checkpoint anyway); an ephemeral one
        is about to be deleted, so it skips that.
        """
        if os.getpid() != self._pid:
            self._forget_parent_connections()
        for callback in self._on_close:
            callback()
        self._checkpointer.stop()
        self._checkpointer = Checkpointer(self.path)  # a closed Database may be used again
        with self._lock:
            conns = [*self._all.values(), *self._idle]
            if conns and not self.ephemeral:
                try:
                    conns[0].execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    pass
            for conn in conns:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
            self._idle.clear()
            self._memos.clear()
        self._local = threading.local()
        for side in self._sides:
            side.close()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
