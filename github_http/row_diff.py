"""The rows some writes changed in a kept state, to put on again or take off, as SQL (templates.py's variants).

A variant is a kept state plus a few known rows: the pytest plugin's `license_sync_pair` keeps
GitHub Connect's setup that way (one row on each app). WHY rows, not table_copy.py's copy: the
copy ATTACHes the template and refills the table (about 0.35 ms per app on the `small`
scenario), while putting one row back is one statement.

Rows are told apart by rowid, so a table must have one (not WITHOUT ROWID) and be small enough to
compare whole (`ROW_LIMIT`); a table whose AUTOINCREMENT counter moved is not a variant's (its
counter is SQLite's own row, which this module does not write). Rows are written with foreign
keys off, as table_copy.py does: the rows are consistent as a whole, and an action on one of them
would write rows the variant did not record.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from .storage import Database
from .table_copy import TablePlan

#: Rows read per table to compare it; a larger table is never a variant's (its copy is the cheaper then).
ROW_LIMIT = 2000
#: Rows read per table to see that writes left it alone (templates.py `watch`: once per variant made).
WATCH_LIMIT = 20000

Rows = dict[int, tuple[Any, ...]]


def _quote(name: str) -> str:
    """An SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableRows:
    """One table's rows by rowid, as read with `read_table` (`columns`: what `SELECT *` lists)."""

    name: str
    columns: tuple[str, ...]
    rows: Rows


@dataclass(frozen=True)
class RowChange:
    """One table's rows that differ: as the kept state has them (`before`; absent: no such row)
    and as the variant has them (`after`)."""

    plan: TablePlan
    columns: tuple[str, ...]
    before: Rows
    after: Rows
    keyed: bool = True  # the table has a foreign key or is referenced by one: written with them off


@dataclass(frozen=True, eq=False)
class Variant:
    """A kept state (`origin`: which one, as its keeper knows it) plus these rows (tables by lower-cased name)."""

    origin: object
    tables: frozenset[str]
    changes: tuple[RowChange, ...]


def read_table(conn: sqlite3.Connection, plan: TablePlan, limit: int = ROW_LIMIT) -> TableRows | None:
    """Every row of `plan`'s table by rowid; None when it has no rowid or more than `limit` rows."""
    try:
        cursor = conn.execute(f"SELECT rowid, * FROM main.{_quote(plan.name)} LIMIT ?", (limit + 1,))
    except sqlite3.OperationalError:  # WITHOUT ROWID
        return None
    found = cursor.fetchall()
    columns = tuple(d[0] for d in cursor.description[1:])
    if len(found) > limit or "rowid" in (c.lower() for c in columns):
        return None
    return TableRows(plan.name, columns, {int(r[0]): tuple(r[1:]) for r in found})


def sequence_of(conn: sqlite3.Connection, plan: TablePlan) -> int | None:
    """An AUTOINCREMENT table's counter (None: none yet, or not such a table)."""
    if not plan.sequenced:
        return None
    row = conn.execute("SELECT seq FROM main.sqlite_sequence WHERE name = ?", (plan.name,)).fetchone()
    return None if row is None else int(row[0])


def change_of(conn: sqlite3.Connection, plan: TablePlan, kept: TableRows, now: TableRows) -> RowChange | None:
    """What differs between the kept rows and the current ones (None if their columns differ);
    `conn`: the kept state's, for its foreign keys."""
    if kept.columns != now.columns:
        return None
    before = {k: v for k, v in kept.rows.items() if now.rows.get(k) != v}
    after = {k: v for k, v in now.rows.items() if kept.rows.get(k) != v}
    keyed = conn.execute("SELECT 1 FROM pragma_foreign_key_list(?) UNION ALL SELECT 1 FROM sqlite_master AS m, "
                         "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND f.\"table\" = ? "
                         "COLLATE NOCASE LIMIT 1", (plan.name, plan.name)).fetchone() is not None
    return RowChange(plan, now.columns, before, after, keyed)


def apply(db: Database, changes: tuple[RowChange, ...], *, forward: bool) -> bool:
    """Write the variant's rows (`forward`) or the kept state's back, in one transaction of `db`.

    False (and nothing written) if a row cannot be written, e.g. a unique key the rows do not
    expect: the caller then takes its slower, general way.
    """
    conn = db.connection()
    if conn.in_transaction:
        return False
    keyed = any(change.keyed for change in changes)  # WHY not always: two statements of the four
    # WHY past the write marks (the base class's execute): a connection setting is not a table's
    # write, and a marked PRAGMA would mark every table (write_marks.py).
    if keyed:
        sqlite3.Connection.execute(conn, "PRAGMA foreign_keys=OFF")  # not inside a transaction: ignored there
    try:
        with db.transaction():
            for change in changes:
                old, new = (change.before, change.after) if forward else (change.after, change.before)
                _write(conn, change, old, new)
        return True
    except sqlite3.IntegrityError:
        return False
    finally:
        if keyed:
            sqlite3.Connection.execute(conn, "PRAGMA foreign_keys=ON")


def _write(conn: sqlite3.Connection, change: RowChange, old: Rows, new: Rows) -> None:
    """Turn `old` rows into `new` ones: gone rows deleted, changed ones updated, new ones inserted."""
    table = _quote(change.plan.name)
    hidden = change.plan.columns != "*"  # the rowid is no declared column: it is written as itself
    names = [_quote(c) for c in change.columns]
    for rowid in sorted(set(old) - set(new)):
        conn.execute(f"DELETE FROM main.{table} WHERE rowid = ?", (rowid,))
    assignments = ", ".join(f"{n} = ?" for n in names)
    for rowid in sorted(set(new) & set(old)):
        conn.execute(f"UPDATE main.{table} SET {assignments} WHERE rowid = ?", (*new[rowid], rowid))
    targets = ", ".join((["rowid"] if hidden else []) + names)
    marks = ", ".join("?" * (len(names) + hidden))
    for rowid in sorted(set(new) - set(old)):
        values = (rowid, *new[rowid]) if hidden else new[rowid]
        conn.execute(f"INSERT INTO main.{table} ({targets}) VALUES ({marks})", values)
