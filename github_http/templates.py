"""Prepared states that `/_mock/reset` copies back: the database as a scenario's seeding left it,
kept in memory with SQLite's backup API.

WHY: rebuilding a scenario (generate its people, insert the rows, recompute GHEC's matching)
took 30-40 ms on the demo scenario, paid by every test of the pytest plugin. Copying the
database's pages back from an in-memory copy takes a fraction of a millisecond and gives the
very bytes the seeding wrote, so a reset is the fresh start, not an imitation of it.

And when nothing was written since the last reset, there is nothing to copy: `is_clean` says
so from the database's own count of writes (`Database.writes`). That is only known for a
private database (one process, its own temporary file); a state file other processes may write
is always copied back.
"""
from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

from .storage import Database

#: Prepared states kept per app (scenarios a test suite switches between), least recently used out first.
MAX_TEMPLATES = 4


class StateTemplates:
    """In-memory copies of `db` per scenario key (the app says what identifies its seeded state)."""

    def __init__(self, db: Database, limit_bytes: int) -> None:
        """Keep copies of at most `limit_bytes` each (a larger state is rebuilt on reset); 0 keeps none."""
        self._db = db
        self.limit_bytes = max(0, limit_bytes)
        self._kept: OrderedDict[str, sqlite3.Connection] = OrderedDict()
        self._lock = threading.Lock()  # one copy in or out at a time (a threaded server)
        self._clean: tuple[str, int] | None = None  # (key, Database.writes) right after a copy

    def keep(self, key: str) -> None:
        """Copy the database as it is now (right after seeding, outside any transaction) under `key`."""
        if not self.limit_bytes or self._db.size_bytes() > self.limit_bytes:
            self.forget(key)
            return
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.copy_to(copy)
        with self._lock:
            old = self._kept.pop(key, None)
            self._kept[key] = copy
            while len(self._kept) > MAX_TEMPLATES:
                self._kept.popitem(last=False)[1].close()
            self._clean = (key, self._db.writes)
        if old is not None:
            old.close()

    def restore(self, key: str) -> bool:
        """Copy `key`'s prepared state back over the database (one atomic write); False if none is kept.

        Never inside a transaction of this thread (SQLite refuses a backup into a connection
        with one open); the caller rebuilds then.
        """
        if self._db.connection().in_transaction:
            return False
        with self._lock:
            copy = self._kept.get(key)
            if copy is None:
                return False
            self._kept.move_to_end(key)
            self._db.copy_from(copy)
        return True

    def mark_clean(self, key: str) -> None:
        """The database now holds `key`'s prepared state (after `restore` and whatever the app redid)."""
        self._clean = (key, self._db.writes)

    def is_clean(self, key: str) -> bool:
        """Whether the database still holds `key`'s prepared state: nothing written since it was
        kept or restored. Only a private database can know (nobody else writes it)."""
        return self._db.private and self._clean == (key, self._db.writes)

    def forget(self, key: str) -> None:
        """Drop `key`'s copy (its state is too large to keep)."""
        with self._lock:
            copy = self._kept.pop(key, None)
        if copy is not None:
            copy.close()

    def keys(self) -> list[str]:
        """The scenario keys with a kept state, least recently used first (tests)."""
        with self._lock:
            return list(self._kept)
