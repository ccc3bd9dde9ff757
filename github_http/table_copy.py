"""Copy some tables of a kept state back into an app's database, as SQL (templates.py's cheap reset).

Each written table is emptied and refilled from the template ATTACHed to this thread's
connection, in one transaction, foreign keys off (the template's rows are consistent as a whole;
with them on, emptying a parent table would cascade into tables that were not written). Rows
keep their rowids and AUTOINCREMENT counters their values, so what the app writes after the
reset gets the ids a fresh start would give.

A table whose only writes were row-shaped UPDATEs (row_marks.py says why that is exact) has just
those rows copied back: the rows with the rowids the marks select in the template are deleted,
then the template's inserted, in two statements (all deleted before any is inserted, so a swapped
unique value never meets itself). Its AUTOINCREMENT counter is left alone: no rowid moved.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .row_marks import RowMark, values_of
from .storage import Database
from .write_marks import EVERYTHING, Written

#: The name the template is attached under while a copy runs.
SCHEMA = "mock_template"


@dataclass(frozen=True)
class TablePlan:
    """How one table is copied: its name and the column list of the copy (rowid first where hidden)."""

    name: str
    columns: str  # "*" where every row's identity is a declared column (INTEGER PRIMARY KEY, WITHOUT ROWID)
    sequenced: bool  # AUTOINCREMENT: its sqlite_sequence row is copied too
    followers: frozenset[str] = frozenset()  # tables a write here may change by a foreign-key action
    identity: frozenset[str] = frozenset()  # names of the rowid; empty: its rows cannot be copied alone


#: What SQLite names a rowid table's rowid by (a declared column of one of these names hides it).
_ROWID = frozenset({"rowid", "oid", "_rowid_"})


def _quote(name: str) -> str:
    """An SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def plan_tables(conn: sqlite3.Connection) -> dict[str, TablePlan]:
    """The plans of every table of the database open on `conn` (a kept copy), by lower-cased name."""
    listed = conn.execute("SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                          "AND name NOT LIKE 'sqlite_%'").fetchall()
    sequenced = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                            "sql LIKE '%AUTOINCREMENT%'").fetchall()}
    acting: dict[str, set[str]] = {}  # parent -> children an ON DELETE/UPDATE action writes
    for name, _ in listed:
        for key in conn.execute(f"PRAGMA foreign_key_list({_quote(name)})").fetchall():
            if {str(key[5]).upper(), str(key[6]).upper()} - {"NO ACTION", "RESTRICT"}:
                acting.setdefault(str(key[2]).lower(), set()).add(name.lower())
    plans = {}
    for name, without_rowid in listed:
        info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
        keys = [r for r in info if r[5]]
        aliased = len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER"
        columns = "*" if without_rowid or aliased else ", ".join(["rowid", *(_quote(r[1]) for r in info)])
        names = {str(r[1]).lower() for r in info}
        identity = frozenset() if without_rowid or names & _ROWID else _ROWID | (
            {str(keys[0][1]).lower()} if aliased else set())
        plans[name.lower()] = TablePlan(name, columns, name in sequenced, frozenset(_reach(acting, name.lower())),
                                        identity)
    return plans


def _reach(acting: dict[str, set[str]], table: str) -> set[str]:
    """Every table a foreign-key action starting at `table` may write (transitively), `table` aside."""
    seen: set[str] = set()
    todo = [table]
    while todo:
        for child in acting.get(todo.pop(), ()):
            if child not in seen and child != table:
                seen.add(child)
                todo.append(child)
    return seen


def copy_back(db: Database, template: Path, plans: dict[str, TablePlan], written: Written) -> bool:
    """Copy back from `template` what `written` says was written (tables whole, or rows), in one
    transaction of `db`; False, with nothing done, when a mark names what no plan copies (not known)."""
    whole = set(written.tables)
    if EVERYTHING in whole or not whole | set(written.rows) <= set(plans):
        return False
    for name, marks in written.rows.items():  # a row whose rowid may have moved cannot be found again
        if not plans[name].identity or any(mark.sets & plans[name].identity for mark in marks):
            whole.add(name)
    whole |= {t for name in whole | set(written.rows) for t in plans[name].followers}
    rows = [(plans[name], marks) for name, marks in sorted(written.rows.items()) if name not in whole]
    copy_tables(db, template, [plans[t] for t in sorted(whole)], rows)
    return True


def copy_tables(db: Database, template: Path, plans: list[TablePlan],
                rows: list[tuple[TablePlan, list[RowMark]]] | None = None) -> None:
    """Replace the rows of each planned table with the template's, and the `rows` marked of other
    tables, in one transaction of `db`. If it fails, the next reset copies the whole database."""
    if not plans and not rows:
        return
    conn = db.connection()
    conn.execute("PRAGMA foreign_keys=OFF")  # not inside a transaction: SQLite ignores it there
    conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(template),))
    try:
        with db.transaction():
            for plan in plans:
                _copy_table(conn, plan)
            for plan, marks in rows or ():
                _copy_rows(conn, plan, marks)
    except BaseException:
        db.write_marks.tables.add(EVERYTHING)  # what it left is not known
        raise
    finally:
        conn.execute(f"DETACH DATABASE {SCHEMA}")
        conn.execute("PRAGMA foreign_keys=ON")


def _copy_table(conn: sqlite3.Connection, plan: TablePlan) -> None:
    """Every row of `plan`'s table, and its AUTOINCREMENT counter, the template's."""
    table, columns = _quote(plan.name), plan.columns
    conn.execute(f"DELETE FROM main.{table}")
    target = "" if columns == "*" else f"({columns})"
    conn.execute(f"INSERT INTO main.{table}{target} SELECT {columns} FROM {SCHEMA}.{table}")
    if plan.sequenced:
        conn.execute("DELETE FROM main.sqlite_sequence WHERE name = ?", (plan.name,))
        conn.execute(f"INSERT INTO main.sqlite_sequence SELECT * FROM {SCHEMA}.sqlite_sequence "
                     "WHERE name = ?", (plan.name,))


def _copy_rows(conn: sqlite3.Connection, plan: TablePlan, marks: list[RowMark]) -> None:
    """The rows `marks` select in the template, the template's (row_marks.py: why that is all)."""
    table, columns = _quote(plan.name), plan.columns
    where, values = " OR ".join(f"({mark.where})" for mark in marks), values_of(marks)
    conn.execute(f"DELETE FROM main.{table} WHERE rowid IN (SELECT rowid FROM {SCHEMA}.{table} WHERE {where})",
                 values)
    target = "" if columns == "*" else f"({columns})"
    conn.execute(f"INSERT INTO main.{table}{target} SELECT {columns} FROM {SCHEMA}.{table} WHERE {where}", values)
