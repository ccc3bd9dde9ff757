"""Which tables were written since a mark was cleared: what `/_mock/reset` must copy back (templates.py).

WHY: copying a whole database back (SQLite's backup API) costs in proportion to its size (a
10,000-person scenario: 10-40 ms), and it replaces the schema too, so every connection then
re-reads it. After a test that wrote one table, copying that one table back is enough.
SQLite does not say which tables a connection wrote (Python's sqlite3 has no update hook), so
each connection of a pool (`TrackedConnection`) looks at the statements it runs: the table an
INSERT, REPLACE, UPDATE or DELETE names is marked; anything else that may write (DDL, a script,
a statement it cannot read, a PRAGMA that sets a value) marks everything, and the reset then
copies the whole database as before. Marked on execution, not on commit: a rolled-back write
only costs a needless copy. The schemas of the apps have no triggers (tests/harness/test_reset_tables.py
holds that), so a statement writes only the table it names (foreign keys are off during the copy).
An UPDATE of a plain shape (`... SET c = ? WHERE k = ?`, row_marks.py) marks only the rows its
WHERE selects, so a reset after a sign-in copies one row back, not the users table; past
ROW_MARKS_LIMIT of them a table is marked whole.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .row_marks import RowMark, RowShape, row_shape

#: What a statement starting with each word writes: a named table (the pattern's group), or nothing.
_NAMED = re.compile(
    r"\s*(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"
    r"(?:main\.)?[\"`\[]?([A-Za-z_][A-Za-z0-9_]*)[\"`\]]?[\s(]", re.IGNORECASE)
_READS = ("SELECT", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "EXPLAIN", "VALUES")
_WRITE_VERBS = ("INSERT", "REPLACE", "UPDATE", "DELETE")
EVERYTHING = "*"  # the mark of a statement whose writes are not known
_KNOWN: dict[str, tuple[str | None, bool, RowShape | None]] = {}  # statement text -> _known's answer
_KNOWN_LIMIT = 4096
#: Row marks kept per table; past this many the table is marked whole (its copy is then the cheaper).
ROW_MARKS_LIMIT = 64


def written_by(sql: str) -> str | None:
    """The table `sql` writes, EVERYTHING when that is not known, None for a statement that writes nothing."""
    return _known(sql)[0]


def _known(sql: str) -> tuple[str | None, bool, RowShape | None]:
    """(what `sql` writes, whether to mark it even when it changed no row, its row shape if it has
    one): kept per statement text.

    WHY marked even unchanged: what may write without counting in `total_changes` (DDL, scripts,
    PRAGMAs), and a RETURNING statement, whose rows change as they are fetched (after `execute`)."""
    found = _KNOWN.get(sql)
    if found is not None:
        return found
    head = sql.lstrip()[:9].upper()
    word = head.split(None, 1)[0].rstrip(";") if head.strip() else ""
    what: str | None
    if word in _READS or not word:
        what = None
    elif word == "PRAGMA":
        what = EVERYTHING if "=" in sql and "data_version" not in sql and "checkpoint" not in sql else None
    elif word in _WRITE_VERBS:
        match = _NAMED.match(sql + " ")
        what = match.group(1).lower() if match else EVERYTHING
    else:  # CREATE, DROP, ALTER, WITH, ATTACH, VACUUM, REINDEX, ANALYZE...
        what = EVERYTHING
    shape = row_shape(sql) if word == "UPDATE" and what not in (None, EVERYTHING) else None
    found = (what, what == EVERYTHING or (what is not None and "RETURNING" in sql.upper()), shape)
    if len(_KNOWN) >= _KNOWN_LIMIT:
        _KNOWN.clear()
    _KNOWN[sql] = found
    return found


@dataclass(frozen=True)
class Written:
    """What was written since the marks were cleared: tables whole, and rows of other tables."""

    tables: set[str]  # EVERYTHING among them: not known
    rows: dict[str, list[RowMark]]  # table -> the rows its UPDATEs changed (tables marked whole aside)


class WriteMarks:
    """What was written through a pool's connections since `clear`: tables (EVERYTHING among them:
    unknown), and the rows of tables only ever written by row-shaped UPDATEs (row_marks.py)."""

    def __init__(self) -> None:
        """Everything is marked until the first `clear` (nothing is known before)."""
        self.tables: set[str] = {EVERYTHING}
        self.rows: dict[str, dict[RowMark, None]] = {}  # table -> its row marks, in order, once each

    def note(self, sql: str, changed: bool = True, parameters: Any = None) -> None:
        """Mark what `sql` wrote (`changed`: whether it changed any row; a named table's statement
        that changed none wrote nothing, and foreign-key actions follow only a changed row).
        `parameters`: the single run's (None for executemany: its rows are not marked)."""
        table, always, shape = _known(sql)
        if table is None or not (changed or always):
            return
        if shape is not None and parameters is not None and table not in self.tables:
            mark = shape.mark(parameters)
            if mark is not None:
                marks = self.rows.setdefault(table, {})
                marks[mark] = None
                if len(marks) <= ROW_MARKS_LIMIT:
                    return
        self.tables.add(table)
        self.rows.pop(table, None)  # the table is copied whole: its rows need no marks

    def clear(self) -> None:
        """Nothing written from now on (right after a copy of the whole state was kept or put back)."""
        self.tables, self.rows = set(), {}

    def touched(self) -> set[str]:
        """Every table with a mark, whole or of rows (EVERYTHING among them: not known), the marks
        kept (templates.py's variants: which tables a few writes touched)."""
        return set(self.tables) | set(self.rows)

    def forget(self, tables: Iterable[str]) -> None:
        """These tables are back to the kept state (templates.py took a variant's rows off them)."""
        self.tables.difference_update(tables)
        for name in tables:
            self.rows.pop(name, None)

    def taken(self) -> Written:
        """The marks so far, cleared (a reset that copies them back starts a new count)."""
        tables, rows, self.tables, self.rows = self.tables, self.rows, set(), {}
        return Written(tables, {name: list(marks) for name, marks in rows.items() if name not in tables})


class TrackedCursor(sqlite3.Cursor):
    """A cursor that marks what it writes on its connection's `WriteMarks`."""

    def execute(self, sql: str, parameters: Any = (), /) -> TrackedCursor:
        """sqlite3.Cursor.execute, marked."""
        _marked(self.connection, _marks(self.connection), super().execute, sql, parameters, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> TrackedCursor:
        """sqlite3.Cursor.executemany, marked."""
        _marked(self.connection, _marks(self.connection), super().executemany, sql, seq_of_parameters, None)
        return self

    def executescript(self, sql_script: str, /) -> TrackedCursor:
        """sqlite3.Cursor.executescript: may write anything."""
        _marks(self.connection).tables.add(EVERYTHING)
        super().executescript(sql_script)
        return self


class TrackedConnection(sqlite3.Connection):
    """A connection whose statements mark what they write on `marks` (shared by a pool's connections).

    WHY every entry point is overridden: sqlite3.Connection.execute does not go through `cursor()`.
    """

    marks: WriteMarks = WriteMarks()  # replaced by the pool's own as soon as it opens the connection

    def cursor(self, factory: Any = TrackedCursor) -> Any:
        """A TrackedCursor unless another factory is asked for (then its writes are not known)."""
        if factory is not TrackedCursor:
            self.marks.tables.add(EVERYTHING)
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """sqlite3.Connection.execute, marked once it ran."""
        return _marked(self, self.marks, super().execute, sql, parameters, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        """sqlite3.Connection.executemany, marked once it ran."""
        return _marked(self, self.marks, super().executemany, sql, parameters, None)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        """sqlite3.Connection.executescript: may write anything."""
        self.marks.tables.add(EVERYTHING)
        return super().executescript(sql_script)


def _marked(conn: sqlite3.Connection, marks: WriteMarks, run: Callable[[str, Any], Any], sql: str,
            parameters: Any, one_run: Any) -> Any:
    """`run(sql, parameters)`, then mark what it wrote (whether it changed a row, even if it failed;
    `one_run`: the parameters of a single run, whose rows may be marked, else None)."""
    before = conn.total_changes
    try:
        return run(sql, parameters)
    finally:
        marks.note(sql, conn.total_changes != before, one_run)


def _marks(conn: sqlite3.Connection) -> WriteMarks:
    """The marks of a cursor's connection (a plain connection's writes are not known)."""
    marks = getattr(conn, "marks", None)
    if marks is None:
        raise TypeError("a TrackedCursor needs a TrackedConnection")
    return marks
