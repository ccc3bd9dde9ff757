"""The WAL checkpoint, in a background thread: off every request's path.

WHY a module of its own: storage.py opens connections and runs transactions; this is the one
piece of it that runs on a thread of its own, with its own life cycle (lazy start, idle exit,
stop on close, a fresh one after fork, and a pause around every fork of the process).
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from .fork_guard import ForkGuard

#: The background checkpointer runs at most this often (s) and stops after this long idle (s).
CHECKPOINT_INTERVAL, CHECKPOINT_IDLE_EXIT = 0.2, 5.0


class Checkpointer:
    """Copies the WAL back into the database file in a daemon thread, off every request's path.

    WHY: with SQLite's automatic checkpoint, the COMMIT that pushes the WAL over 1,000 pages
    does the checkpoint itself, so a big upload's COMMIT paid for copying its whole
    transaction (0.2 s of a 100,000-user upload). Connections run with wal_autocheckpoint=0
    and `wrote()`, called after each write, wakes this thread, which runs a PASSIVE
    checkpoint on its own connection (it never blocks readers or writers) at most every
    CHECKPOINT_INTERVAL; so the WAL stays about as small as the automatic checkpoint kept it.
    The thread starts on the first write and ends after CHECKPOINT_IDLE_EXIT seconds without
    one, so an idle Database (a test suite holds hundreds) has no thread and no extra file.

    Fork: every SQLite call of the thread holds its ForkGuard (fork_guard.py), which a fork
    takes first, interrupting a checkpoint in progress.
    """

    def __init__(self, path: Path) -> None:
        """Nothing starts until the first write."""
        self.path = path
        self._lock = threading.Lock()
        self._guard = ForkGuard(interrupt=self._interrupt)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None

    def wrote(self) -> None:
        """A write committed: checkpoint soon (cheap: sets an event, starts the thread if none)."""
        self._wake.set()
        if self._thread is None and not self._stop.is_set():
            with self._lock:
                if self._thread is None and not self._stop.is_set():
                    self._thread = threading.Thread(target=self._run, name=f"checkpoint {self.path.name}",
                                                    daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        """Wait for writes, checkpoint, rest; exit when idle or stopped (closing its connection)."""
        try:
            while not self._stop.is_set():
                if not self._wake.wait(CHECKPOINT_IDLE_EXIT):
                    with self._lock:  # a write racing the exit would see _thread set and not restart it
                        if not self._wake.is_set():
                            self._thread = None
                            return
                    continue
                self._wake.clear()
                if self._stop.is_set():
                    return
                with self._guard:
                    self._checkpoint()
                self._stop.wait(CHECKPOINT_INTERVAL)  # coalesce a burst of writes into one checkpoint
        finally:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None
                conn, self._conn = self._conn, None
            if conn is not None:
                with self._guard:
                    conn.close()

    def _checkpoint(self) -> None:
        """One PASSIVE checkpoint; WHY ignore errors: a busy or interrupted one is simply retried
        after the next write, and a checkpoint is never needed for correctness."""
        try:
            if self._conn is None:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA wal_autocheckpoint=0")
                with self._lock:
                    self._conn = conn
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            pass

    def _interrupt(self) -> None:
        """Make a checkpoint in progress return at once (SQLITE_INTERRUPT; it is simply retried)."""
        with self._lock:
            conn = self._conn
        if conn is not None:
            try:
                conn.interrupt()
            except sqlite3.Error:  # closed meanwhile: nothing to interrupt
                pass

    def stop(self) -> None:
        """End the thread now, interrupting a checkpoint in progress (close() checkpoints anyway)."""
        self._stop.set()
        self._wake.set()
        self._interrupt()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
