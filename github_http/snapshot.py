"""Whole-state snapshots as JSON: every table of the app's database except the journal.

Generic over tables, so a table an app adds later is snapshotted without anyone remembering to.
"""
from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable
from typing import Any

from .snapshot_check import ColumnRules, check_snapshot
from .storage import Database

_SKIP = ("mock_journal", "sqlite_sequence")
FORMAT = "license-mock-snapshot/1"


def _tables(db: Database) -> list[str]:
    """User tables in creation order."""
    rows = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
    return [r[0] for r in rows if r[0] not in _SKIP]


def _encode(value: Any) -> Any:
    """JSON-safe cell: bytes become {"$b64": ...}."""
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    """Inverse of _encode."""
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    return value


def dump_state(db: Database, derived: tuple[str, ...] = ()) -> dict[str, Any]:
    """The state as {"format", "tables": {name: {"columns", "rows"}}}, read in one transaction;
    `derived` tables (redone from the others on restore) are left out."""
    tables: dict[str, Any] = {}
    with db.transaction() as conn:
        for name in _tables(db):
            if name in derived:
                continue
            cur = conn.execute(f'SELECT * FROM "{name}"')
            columns = [c[0] for c in cur.description]
            tables[name] = {"columns": columns, "rows": [[_encode(v) for v in row] for row in cur]}
    return {"format": FORMAT, "tables": tables}


def restore_state(db: Database, snapshot: dict[str, Any], derived: tuple[str, ...] = (),
                  redo: Callable[[sqlite3.Connection], None] | None = None,
                  rules: ColumnRules | None = None) -> None:
    """Replace every table's rows with the snapshot's, all or nothing: `derived` tables are
    emptied and `redo(conn)` fills them again from the restored rows, in the same transaction.
    Every value is checked first (snapshot_check.py, with the app's column `rules`)."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT \
            or not isinstance(snapshot.get("tables"), dict):
        raise ValueError(f"not a snapshot (format must be {FORMAT!r}, with an object of tables)")
    known = set(_tables(db))
    unknown = set(snapshot["tables"]) - (known - set(derived))
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
    taken, here = _versions(snapshot["tables"].get("mock_kv")), _versions(dump_kv(db))
    if taken != here:
        raise ValueError(f"it was taken with another version of this app's tables ({taken or 'none recorded'}; "
                         f"this app has {here})")
    columns_of = {name: [row[1] for row in db.query(f'PRAGMA table_info("{name}")')] for name in known}
    problems = check_snapshot(snapshot["tables"], columns_of, rules or {})
    if problems:
        raise ValueError("; ".join(problems))
    try:
        with db.transaction() as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            for name in known:
                conn.execute(f'DELETE FROM "{name}"')
            for name, table in snapshot["tables"].items():
                columns = table["columns"]
                marks = ", ".join("?" for _ in columns)
                cols = ", ".join(f'"{c}"' for c in columns)
                conn.executemany(f'INSERT INTO "{name}" ({cols}) VALUES ({marks})',
                                 ([_decode(v) for v in row] for row in table["rows"]))
            if redo is not None:
                redo(conn)
    except sqlite3.Error as error:  # unknown column, wrong arity, broken key: the caller's 422, nothing changed
        raise ValueError(f"the snapshot does not fit this app's tables: {error}") from error


def dump_kv(db: Database) -> dict[str, Any]:
    """The control values as a snapshot's table (columns, rows)."""
    return {"columns": ["key", "value"], "rows": [list(r) for r in db.query("SELECT key, value FROM mock_kv")]}


def _versions(table: Any) -> dict[str, str]:
    """The `*_schema_version` values of a snapshot's mock_kv table.

    WHY refuse another version: rows of an older table layout would load into the new one with
    its new columns at their defaults, and the restored version mark would make the next start
    migrate tables that are already new; neither fails loudly, both serve wrong data.
    """
    if not isinstance(table, dict):
        return {}
    columns = table.get("columns") or []
    if "key" not in columns or "value" not in columns:
        return {}
    key, value = columns.index("key"), columns.index("value")
    return {row[key]: row[value] for row in table.get("rows") or []
            if isinstance(row, list) and len(row) == len(columns) and str(row[key]).endswith("_schema_version")}
