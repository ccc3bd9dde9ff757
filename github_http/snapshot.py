"""Whole-state snapshots as JSON: every table of the app's database except the journal.

Generic over tables, so a table an app adds later is snapshotted without anyone remembering to.
What an app computes from its other rows (`Derived`: whole tables, columns, control values) is
left out of snapshots and recomputed on restore by the app's `redo`, so a restore can never
bring in a derived value that disagrees with the rows it is derived from; a snapshot that
still carries them (taken before they were left out) restores, and its derived cells are
ignored.
"""
from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .snapshot_check import Column, ColumnRules, check_snapshot
from .storage import Database

_SKIP = ("mock_journal", "sqlite_sequence")
FORMAT = "license-mock-snapshot/1"
KV_TABLE = "mock_kv"


@dataclass(frozen=True)
class Derived:
    """What an app recomputes from its other rows: not in snapshots, redone on restore."""

    tables: tuple[str, ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # table -> its derived columns
    kv: tuple[str, ...] = ()  # keys of mock_kv (cache marks such as a generation)


NOTHING_DERIVED = Derived()


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


def _columns(db: Database, name: str) -> dict[str, Column]:
    """A table's columns as declared, in order."""
    return {r[1]: Column(r[1], r[2] or "", bool(r[3])) for r in db.query(f'PRAGMA table_info("{name}")')}


def dump_state(db: Database, derived: Derived = NOTHING_DERIVED) -> dict[str, Any]:
    """The state as {"format", "tables": {name: {"columns", "rows"}}}, read in one transaction;
    what is `derived` (redone from the rest on restore) is left out."""
    tables: dict[str, Any] = {}
    with db.transaction() as conn:
        for name in _tables(db):
            if name in derived.tables:
                continue
            left_out = derived.columns.get(name, ())
            columns = [c for c in _columns(db, name) if c not in left_out]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'SELECT {listed} FROM "{name}"').fetchall()
            if name == KV_TABLE and derived.kv:
                rows = [r for r in rows if r[columns.index("key")] not in derived.kv]
            tables[name] = {"columns": columns, "rows": [[_encode(v) for v in row] for row in rows]}
    return {"format": FORMAT, "tables": tables}


def _without_derived(name: str, table: Any, derived: Derived) -> Any:
    """A snapshot's table without the derived cells an older snapshot may carry (ignored: the
    restore recomputes them). Anything not shaped like a table is left for the check to name."""
    left_out = derived.columns.get(name, ())
    kv = derived.kv if name == KV_TABLE else ()
    if not (left_out or kv) or not isinstance(table, dict) or not isinstance(table.get("columns"), list) \
            or not isinstance(table.get("rows"), list):
        return table
    columns = table["columns"]
    width = len(columns)
    if any(not isinstance(row, list) or len(row) != width for row in table["rows"]):
        return table
    keep = [n for n, c in enumerate(columns) if c not in left_out]
    rows = table["rows"]
    if kv and "key" in columns:
        key = columns.index("key")
        rows = [row for row in rows if not (isinstance(row[key], str) and row[key] in kv)]
    return {"columns": [columns[n] for n in keep], "rows": [[row[n] for n in keep] for row in rows]}


#: What a derived column holds between the restore's insert and `redo` (a NOT NULL column needs a value).
_PLACEHOLDER = {"INTEGER": 0, "REAL": 0, "TEXT": "", "BLOB": b""}


def restore_state(db: Database, snapshot: dict[str, Any], derived: Derived = NOTHING_DERIVED,
                  redo: Callable[[sqlite3.Connection], None] | None = None,
                  rules: ColumnRules | None = None) -> None:
    """Replace every table's rows with the snapshot's, all or nothing: what is `derived` is
    emptied (tables) or given a placeholder (columns), and `redo(conn)` computes it again from
    the restored rows, in the same transaction. Every value is checked first (snapshot_check.py,
    declared types and the app's column `rules`)."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT \
            or not isinstance(snapshot.get("tables"), dict):
        raise ValueError(f"not a snapshot (format must be {FORMAT!r}, with an object of tables)")
    known = _tables(db)
    unknown = set(snapshot["tables"]) - set(known)
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
    taken, here = _versions(snapshot["tables"].get(KV_TABLE)), _versions(dump_kv(db))
    if taken != here:
        raise ValueError(f"it was taken with another version of this app's tables ({taken or 'none recorded'}; "
                         f"this app has {here})")
    tables = {name: _without_derived(name, table, derived) for name, table in snapshot["tables"].items()
              if name not in derived.tables}
    columns_of = {name: _columns(db, name) for name in known}
    problems = check_snapshot(tables, columns_of, rules or {})
    if problems:
        raise ValueError("; ".join(problems))
    try:
        with db.transaction() as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            for name in known:
                conn.execute(f'DELETE FROM "{name}"')
            for name, table in tables.items():
                filler = [columns_of[name][c] for c in derived.columns.get(name, ()) if c in columns_of[name]]
                columns = [*table["columns"], *(c.name for c in filler)]
                placeholders = [_PLACEHOLDER.get(c.type.upper(), 0) for c in filler]
                marks = ", ".join("?" for _ in columns)
                cols = ", ".join(f'"{c}"' for c in columns)
                conn.executemany(f'INSERT INTO "{name}" ({cols}) VALUES ({marks})',
                                 ([*(_decode(v) for v in row), *placeholders] for row in table["rows"]))
            if redo is not None:
                redo(conn)
    except sqlite3.Error as error:  # a missing column, a broken key: the caller's 422, nothing changed
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
