"""A file of lines that many processes append to and one at a time drains.

WHY: the request journal writes an entry on every request. As a SQLite commit per request,
in a file every gunicorn worker writes, it was about a fifth of what serving a
consumed-licenses page cost: each commit also makes every other worker re-read the table's
pages. A line appended to a file is one write(2); the journal moves the lines into its table
only when someone reads it (or the file grows), in one transaction.

Locking: a writer holds a shared flock(2) while it appends, a drainer an exclusive one while it
reads and empties the file, so no line is half read or lost to the truncate; O_APPEND puts
each write at the end, whatever another process wrote meanwhile. A line torn by a crash
mid-write is skipped when drained (and at worst takes the next line with it).
"""
from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .after_fork import forget_in_child


class AppendLog:
    """Lines (bytes without a newline) appended by any process, drained in the order written."""

    def __init__(self, path: Path) -> None:
        """Nothing is opened until the first append."""
        self.path = path
        self._fd: int | None = None
        self._closer: weakref.finalize | None = None
        self._lock = threading.Lock()  # threads of one process share one descriptor (one flock)
        forget_in_child(self)

    def after_fork_in_child(self) -> None:
        """A forked child opens its own descriptor. WHY: one inherited from the parent shares its
        flock with every sibling, so one worker's unlock would release another's lock. The child's
        copy of it is closed (the parent's lock is not: a flock goes with the parent's copy too)."""
        if self._closer is not None:
            self._closer()
        self._fd, self._closer = None, None
        self._lock = threading.Lock()

    def append(self, line: bytes) -> None:
        """Add one line (it must not contain a newline)."""
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
                # WHY: a bare descriptor is not closed when its owner is collected (an app nobody
                # closed leaked one per instance); the finalizer closes it then, or on close().
                self._closer = weakref.finalize(self, os.close, self._fd)
            fcntl.flock(self._fd, fcntl.LOCK_SH)
            try:
                os.write(self._fd, line + b"\n")
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    @contextmanager
    def drained(self, newest: int | None = None) -> Iterator[list[bytes]]:
        """Every complete line appended so far (or only the `newest` ones), oldest first, with
        appends held off until the block ends; the file is emptied only if the block succeeds (so
        a failed ingest loses nothing).

        WHY `newest`: the journal keeps a bounded number of entries, so of a log of several
        thousand lines only the last ones can survive; the file is then read from its end, one
        chunk at a time, until they are in hand.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            yield _tail(fd, size, newest)
            if size:
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # releases the lock

    def close(self) -> None:
        """Close this process's descriptor (the file stays, with whatever was not drained)."""
        with self._lock:
            if self._closer is not None:
                self._closer()  # os.close, once
            self._fd, self._closer = None, None


_CHUNK = 256 * 1024


def _tail(fd: int, size: int, newest: int | None) -> list[bytes]:
    """The complete, non-empty lines of the file's first `size` bytes (only the `newest` ones, if
    given), read from the end until there are enough of them."""
    start = size if newest is not None else 0
    data = b"" if newest is not None else os.pread(fd, size, 0)
    while True:
        if newest is not None:
            start = max(start - _CHUNK, 0)
            data = os.pread(fd, size - start - len(data), start) + data
        lines = data.split(b"\n")[:-1]  # a tail without newline was torn
        if start > 0:
            lines = lines[1:]  # the first piece may be the end of an earlier line
        found = [line for line in lines if line]
        if newest is None or start == 0 or len(found) >= newest:
            return found if newest is None else found[-newest:] if newest > 0 else []
