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

A variant is a kept state plus a few rows some writes made on it (row_diff.py): `watch` before the
writes and `variant` after them record it, `put_on` makes the same rows again on the kept state
made clean by a later reset, and the reset after either takes those rows off again (one
statement, not a table copy). The pytest plugin keeps `license_sync_pair`'s Connect setup that way
(license_mocks_pytest/prepared.py).
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .row_diff import WATCH_LIMIT, RowChange, TableRows, Variant, apply, change_of, read_table, sequence_of
from .storage import Database
from .table_copy import TablePlan, copy_back, plan_tables
from .write_marks import EVERYTHING

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


@dataclass(frozen=True)
class Watch:
    """What `watch` saw before some writes: the state clean on `key`, the tables marked then and their rows."""

    key: str
    writes: int  # Database.writes then
    marked: frozenset[str]
    rows: dict[str, TableRows]


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
        self._variant: tuple[str, Variant, int] | None = None  # (key, variant, Database.writes) the state is on
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
            self._clean, self._base, self._variant = (key, self._db.writes), key, None
        if old is not None:
            old.drop()

    def restore(self, key: str) -> bool:
        """Copy `key`'s prepared state back over the database (one atomic write); False if none is kept.
        A variant of it untouched since (`variant`, `put_on`) has its rows taken off instead: the
        state is then the clean one the variant was made on (what the last reset left).

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
            if self._take_off(key):
                return True
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

    def watch(self, key: str) -> Watch | None:
        """Before writes that may make a variant of `key` (`variant`): the state must be clean on it,
        its marked tables known (their rows are read, to see afterwards that the writes left them alone)."""
        if not self.is_clean(key):
            return None
        with self._lock:
            kept = self._kept.get(key)
            marked = self._db.write_marks.touched()
            if kept is None or self._base != key or not marked <= set(kept.plans):
                return None
            conn, rows = self._db.connection(), {}
            for name in marked:
                seen = read_table(conn, kept.plans[name], WATCH_LIMIT)
                if seen is None:
                    return None
                rows[name] = seen
            return Watch(key, self._db.writes, frozenset(marked), rows)

    def variant(self, watch: Watch) -> Variant | None:
        """After the writes `watch` was taken before: the state as the kept state plus the rows they
        wrote, which the state is then on (a reset takes them off). None when that cannot be known
        (a table marked before was written, a statement of unknown writes, a large table)."""
        with self._lock:
            kept = self._kept.get(watch.key)
            marked = self._db.write_marks.touched()
            if kept is None or self._clean != (watch.key, watch.writes) or self._base != watch.key \
                    or not marked <= set(kept.plans):
                return None
            conn = self._db.connection()
            if any(read_table(conn, kept.plans[name], WATCH_LIMIT) != seen for name, seen in watch.rows.items()):
                return None
            written = marked - watch.marked
            written |= {t for name in written for t in kept.plans[name].followers}
            changes = [self._change(kept, conn, name) for name in sorted(written)]
            if not written or written & watch.marked or None in changes:
                return None
            kept_rows = tuple(c for c in changes if c is not None and (c.before or c.after))
            found = Variant(kept, frozenset(written), kept_rows)
            self._variant = (watch.key, found, self._db.writes)
            return found

    @staticmethod
    def _change(kept: _Kept, conn: sqlite3.Connection, name: str) -> RowChange | None:
        """How table `name` differs from its kept rows (None: too large, no rowid, its counter moved)."""
        plan = kept.plans[name]
        then, now = read_table(kept.conn, plan), read_table(conn, plan)
        if then is None or now is None or sequence_of(kept.conn, plan) != sequence_of(conn, plan):
            return None
        return change_of(kept.conn, plan, then, now)

    def fits(self, key: str, variant: Variant) -> bool:
        """Whether `put_on` can make `variant` now: the state clean on `key`, the variant's tables as
        kept (none marked since they were copied back)."""
        marked = self._db.write_marks.touched()
        return (self.is_clean(key) and variant.origin is self._kept.get(key) and self._base == key
                and EVERYTHING not in marked and not marked & variant.tables)

    def put_on(self, key: str, variant: Variant) -> bool:
        """Make `variant`'s rows on `key`'s clean state, in one transaction; False (nothing written)
        unless it `fits`, or if a row cannot be written."""
        with self._lock:
            if not self.fits(key, variant) or not apply(self._db, variant.changes, forward=True):
                return False
            self._variant = (key, variant, self._db.writes)
        return True

    def _take_off(self, key: str) -> bool:
        """(Lock held.) If the state is a variant of `key` with nothing written since, put the kept
        rows back and unmark their tables (they are as kept again)."""
        on, self._variant = self._variant, None
        if on is None or on[0] != key or on[2] != self._db.writes or self._base != key or not self._db.private:
            return False
        if not apply(self._db, on[1].changes, forward=False):
            return False
        self._db.write_marks.forget(on[1].tables)
        return True

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
