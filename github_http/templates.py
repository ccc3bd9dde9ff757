"""Prepared states that `/_mock/reset` copies back: the database as a scenario's seeding left it,
kept in a file beside the process (one per scenario, SQLite's backup API).

WHY: rebuilding a scenario (generate its people, insert the rows, recompute GHEC's matching)
took 30-40 ms on the demo scenario, paid by every test of the pytest plugin. Copying the
state back from a kept copy gives the very rows the seeding wrote, so a reset is the fresh
start, not an imitation of it.

Three costs, cheapest first:
- nothing written since the last reset: nothing to copy (`is_clean`, from the database's own
  count of writes, `Database.writes`);
- some tables or rows written (write_marks.py says which), on a private database whose state was
  this very template's: those tables (or rows) alone are copied back from the template ATTACHed
  to the connection, in one transaction (table_copy.py). WHY not the whole database: its cost grows
  with the scenario (a 10,000-person GHEC: 38 ms) and a backup replaces the schema, which every
  connection then reads again;
- otherwise (unknown writes, a state file other processes may write, another scenario's state):
  the whole database is copied back with the backup API, in one atomic write.
Only a private database (one process, its own temporary file) can know what was written.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections import OrderedDict
from pathlib import Path

from .storage import Database
from .table_copy import TablePlan, copy_back, plan_tables

#: Prepared states kept per app (scenarios a test suite switches between), least recently used out first.
MAX_TEMPLATES = 4


class _Kept:
    """One kept state: its file, a connection holding it, and how each table is copied back."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        """Read the tables' plans from the copy just made."""
        self.path, self.conn = path, conn
        self.plans: dict[str, TablePlan] = plan_tables(conn)

    def drop(self) -> None:
        """Close and delete the copy."""
        self.conn.close()
        self.path.unlink(missing_ok=True)


class StateTemplates:
    """Copies of `db` per scenario key (the app says what identifies its seeded state)."""

    def __init__(self, db: Database, limit_bytes: int) -> None:
        """Keep copies of at most `limit_bytes` each (a larger state is rebuilt on reset); 0 keeps none."""
        self._db = db
        self.limit_bytes = max(0, limit_bytes)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()  # one copy in or out at a time (a threaded server)
        self._clean: tuple[str, int] | None = None  # (key, Database.writes) right after a copy
        self._base: str | None = None  # whose template the state was when the write marks were cleared
        self._folder: Path | None = None
        self._made = 0
        db.on_close(self.close)

    def _new_path(self) -> Path:
        """A fresh file for a copy, in this object's own temporary folder (removed with it)."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="license-mocks-templates-"))
            weakref.finalize(self, shutil.rmtree, self._folder, True)
        self._made += 1
        return self._folder / f"t{self._made}.sqlite3"

    def keep(self, key: str) -> None:
        """Copy the database as it is now (right after seeding, outside any transaction) under `key`."""
        if not self.limit_bytes or self._db.size_bytes() > self.limit_bytes:
            self.forget(key)
            return
        path = self._new_path()
        copy = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        copy.execute("PRAGMA synchronous=OFF")
        copy.execute("PRAGMA journal_mode=OFF")  # written once, here, and only read after
        self._db.copy_to(copy)
        kept = _Kept(path, copy)
        with self._lock:
            old = self._kept.pop(key, None)
            self._kept[key] = kept
            while len(self._kept) > MAX_TEMPLATES:
                self._kept.popitem(last=False)[1].drop()
            self._db.write_marks.clear()
            self._clean, self._base = (key, self._db.writes), key
        if old is not None:
            old.drop()

    def restore(self, key: str) -> bool:
        """Copy `key`'s prepared state back over the database (one atomic write); False if none is kept.

        Never inside a transaction of this thread (SQLite refuses a backup into a connection
        with one open); the caller rebuilds then.
        """
        if self._db.connection().in_transaction:
            return False
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return False
            self._kept.move_to_end(key)
            written = self._db.write_marks.taken()
            if not (self._db.private and self._base == key and copy_back(self._db, kept.path, kept.plans, written)):
                self._db.copy_from(kept.conn)
            self._db.write_marks.clear()  # the copy's own statements are not the state's writes
            self._base = key
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
            kept = self._kept.pop(key, None)
            if self._base == key:
                self._base = None
        if kept is not None:
            kept.drop()

    def keys(self) -> list[str]:
        """The scenario keys with a kept state, least recently used first (tests)."""
        with self._lock:
            return list(self._kept)

    def close(self) -> None:
        """Drop every copy and their folder (the database closes)."""
        with self._lock:
            kept, self._kept, self._base = list(self._kept.values()), OrderedDict(), None
        for one in kept:
            one.drop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
