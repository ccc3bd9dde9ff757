"""Journal writes done once the answer has gone: the entries of requests with a big body.

WHY: the journal keeps up to 64 MiB of a request's body (JOURNAL_MAX_BODY_BYTES), and writing
it (read back from the tee's spool, into the journal's SQLite file, committed) took about 0.15 s
of a 104 MB upload's answer while the client waited for its 201. Now the answer goes first and
the entry is written when the WSGI server closes the response (wire.py), or sooner by anyone
who needs it.

What a reader is promised stays the same: once a client has its answer, every read of the
journal, in any process, shows that request. In this process a read first writes what is
pending (`flush`). Across processes (gunicorn workers share one journal) a pending entry holds
a shared flock(2) on `<journal>.busy` from before its answer is sent until it is written, and a
reader takes the exclusive lock once (`settle`): that waits for every process's pending entries,
and its own it has written first, so it never waits for itself.
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .after_fork import forget_in_child

#: Longest a reader waits for other processes' pending entries before it reads what is there.
#: WHY a bound at all: a pending entry of a response nobody ever closes (a test client in another
#: thread) must not hang every later read of the journal.
SETTLE_TIMEOUT_S = 30.0
_SETTLE_POLL_S = 0.001


class LaterWrites:
    """Writes queued in order, done by `flush`; each holds the shared lock of `path` until done."""

    def __init__(self, path: Path) -> None:
        """Nothing is opened until the first write is queued."""
        self.path = path
        self._pending: list[tuple[Callable[[], None], Callable[[], None], int]] = []
        self._lock = threading.Lock()     # guards _pending
        self._writing = threading.Lock()  # one flush at a time, so writes keep their order
        forget_in_child(self)

    def after_fork_in_child(self) -> None:
        """A forked child has none of the parent's pending writes (they are the parent's to do)."""
        self._pending = []
        self._lock, self._writing = threading.Lock(), threading.Lock()

    def _locked(self, operation: int) -> int:
        """A new descriptor of the lock file holding `operation` (a new open file description:
        WHY, a flock belongs to one, so each pending write holds its own)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, operation)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def add(self, write: Callable[[], None], done: Callable[[], None]) -> None:
        """Queue `write` (then `done`, whatever happened); from now until it is done, `settle`
        in any process waits for it. Call it BEFORE the answer is sent."""
        fd = self._locked(fcntl.LOCK_SH)
        with self._lock:
            self._pending.append((write, done, fd))

    @property
    def pending(self) -> int:
        """How many writes this process has queued and not yet done."""
        return len(self._pending)

    def flush(self) -> None:
        """Do every queued write, oldest first. A failed write is dropped (a journal failure never
        breaks a response); `done` runs and the lock is released either way."""
        if not self._pending and not self._writing.locked():  # nearly every call: two attribute reads
            return
        # WHY wait for a flush in flight even with nothing queued: its entries were answered before
        # ours, and an entry recorded meanwhile would get a lower id than theirs.
        with self._writing:
            with self._lock:
                pending, self._pending = self._pending, []
            for write, done, fd in pending:
                try:
                    write()
                except Exception:
                    pass
                finally:
                    try:
                        done()
                    finally:
                        os.close(fd)  # releases this write's shared lock

    def settle(self) -> None:
        """Return once no process has a pending write (this one's are written first), or after
        SETTLE_TIMEOUT_S. WHY polling, not a blocking lock: a write this process queues meanwhile
        (another thread's answer just sent) must be flushed by us rather than waited for."""
        self.flush()
        if not self.path.exists():  # no process has ever queued one: no lock to wait for
            return
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            self.flush()
            try:
                os.close(self._locked(fcntl.LOCK_EX | fcntl.LOCK_NB))
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(_SETTLE_POLL_S)
