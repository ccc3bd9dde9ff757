"""SQLite connections of one database file: one per thread, idle ones reused, a fresh set after fork.

WHY a pool at all: sqlite3 connections must not be shared across threads, and a threaded
server (Werkzeug's) runs every request on a new thread; opening a connection (connect and
four PRAGMAs) cost about 0.5 ms, half of what a small request costs.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from pathlib import Path

from .after_fork import forget_in_child
from .write_marks import TrackedConnection, WriteMarks

#: Connections of ended threads kept for reuse (per pool, per process).
IDLE_CONNECTIONS = 8

#: Set on every new connection. WHY wal_autocheckpoint=0: with SQLite's automatic checkpoint the
#: COMMIT that pushes the WAL over 1,000 pages copies the whole WAL back itself (0.2 s of a
#: 100,000-user upload's response); `Database.checkpoint` does it after the response instead.
PRAGMAS = ("PRAGMA wal_autocheckpoint=0", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
           "PRAGMA busy_timeout=30000")

#: Bytes per page of a database file this package creates (an existing file keeps its own: in WAL
#: mode SQLite cannot change it). WHY not SQLite's 4,096: a 1,000,000-user upload writes about
#: 170 MB of rows in key order, and with 16 KiB pages the B-tree has a quarter of the pages to
#: split, link and log (measured: 1.13 -> 0.94 s for 900,000 rows; the whole upload 0.2 s less).
PAGE_SIZE = 16384


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
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only a new, empty file takes it (see PAGE_SIZE)
        conn.execute("PRAGMA journal_mode=WAL")


#: Added for a private temporary database. WHY: it is deleted when its process ends, so what a
#: power cut would keep does not matter, and the checkpoint after a reset (a whole database's
#: pages) spent milliseconds in fsync(2) for nothing.
NOT_DURABLE = "PRAGMA synchronous=OFF"


def open_connection(path: Path, durable: bool = True, marks: WriteMarks | None = None) -> sqlite3.Connection:
    """A new autocommit connection to `path` in WAL mode with PRAGMAS set (and NOT_DURABLE unless
    `durable`), usable from any thread; what it writes is marked on `marks` (write_marks.py)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False,
                           factory=TrackedConnection)
    conn.row_factory = sqlite3.Row
    switch_to_wal(conn, path)
    for pragma in PRAGMAS if durable else (*PRAGMAS, NOT_DURABLE):
        conn.execute(pragma)
    conn.marks = marks if marks is not None else WriteMarks()  # after the PRAGMAS: they set, not write
    return conn


class ConnectionPool:
    """This thread's connection to `path`; the connections of ended threads kept for the next ones."""

    def __init__(self, path: Path, durable: bool = True) -> None:
        """Nothing is opened until a thread asks; `durable=False` for a private temporary file."""
        self.path = path
        self.durable = durable
        self.marks = WriteMarks()  # what this pool's connections wrote (write_marks.py)
        self._reset()
        forget_in_child(self)

    def after_fork_in_child(self) -> None:
        """A forked child: none of the parent's connections (after_fork.py)."""
        self.forget_after_fork()

    def _reset(self) -> None:
        """No connections (at start, and in a forked child)."""
        self._pid = os.getpid()
        self._local = threading.local()
        self._all: dict[threading.Thread, sqlite3.Connection] = {}
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened, or taken over from an ended thread, on first use; a
        forked child's are its own: after_fork.py)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                self._recycle_orphans()
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = open_connection(self.path, self.durable, self.marks)
            with self._lock:
                self._all[threading.current_thread()] = conn
            self._local.conn = conn
        return conn

    def open_count(self) -> int:
        """How many connections this process holds (tests check that requests leave none behind)."""
        with self._lock:
            return len(self._all) + len(self._idle)

    def forget_after_fork(self) -> None:
        """In a forked child (gunicorn --preload), drop the parent's connections without closing them.

        WHY: SQLite forbids using a connection across fork(), and closing the inherited copy
        could checkpoint or delete the WAL under the parent's feet; the child opens its own.
        """
        if os.getpid() != self._pid:
            self._reset()

    def _recycle_orphans(self) -> None:
        """Keep the connections of ended threads for the next ones (caller holds the lock).

        Without this every request of a threaded server would leave an open connection (and its
        file descriptors) behind until exit. One left inside a transaction (its thread died
        mid-write) is closed, which rolls it back.
        """
        for thread in [t for t in self._all if not t.is_alive()]:
            conn = self._all.pop(thread)
            if not conn.in_transaction and len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(conn)
                continue
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def close_all(self, checkpoint: bool) -> None:
        """Close every connection; with `checkpoint`, copy the WAL back first (a kept state file
        stays whole even if another process still has it open)."""
        self.forget_after_fork()
        with self._lock:
            conns = [*self._all.values(), *self._idle]
            if conns and checkpoint:
                with contextlib.suppress(sqlite3.Error):
                    conns[0].execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            for conn in conns:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
            self._idle.clear()
        self._local = threading.local()
