"""A reset after a few writes copies back only the tables written (github_http/write_marks.py,
table_copy.py); the result must still be a fresh start's, byte for byte, and ids handed out after
it the ones a fresh start hands out. The shared fixtures are reset_helpers.py's."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from reset_helpers import (
    FACTORIES,
    LATER,
    WallClock,
    change_everything,
    every_row,
    forbid_whole_copies,
    make,
    state,
    wall,
)

from github_http.storage import Database
from github_http.write_marks import EVERYTHING, written_by

__all__ = ["make", "wall"]  # fixtures, imported to be used here


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_reset_copies_the_written_tables_and_is_a_fresh_start(kind: str, wall: WallClock,
                                                                 make: Callable[..., Flask],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """As a fresh start of another app would serve it; and every row, derived ones too, as this app's
    own start left them (GHEC's row stamps are random per start, so not comparable across apps)."""
    used = make(kind, SCENARIO="demo")
    db, started = used.extensions["mock"].db, every_row(used)
    change_everything(kind, used)
    written = set(db.write_marks.tables)
    assert EVERYTHING not in written and {"mock_faults", "mock_kv"} <= written, written
    forbid_whole_copies(monkeypatch)
    assert used.test_client().post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert every_row(used) == started
    fresh = make(kind, SCENARIO="demo")
    assert state(used) == state(fresh)
    change_everything(kind, used)  # a second round starts from the copied state: still exact
    wall.now = LATER
    assert used.test_client().post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert state(used) == state(make(kind, SCENARIO="demo"))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_ids_after_a_table_copy_are_a_fresh_starts(kind: str, wall: WallClock, make: Callable[..., Flask],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """mock_faults is AUTOINCREMENT: its counter is copied back with its rows."""
    used, fresh = make(kind, SCENARIO="small").test_client(), make(kind, SCENARIO="small").test_client()
    rule = {"method": "GET", "path": "/nowhere", "status": 500}
    for _ in range(3):
        assert used.post("/_mock/faults", json=rule).status_code == 201
    forbid_whole_copies(monkeypatch)
    assert used.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert used.post("/_mock/faults", json=rule).get_json() == fresh.post("/_mock/faults", json=rule).get_json()


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_unknown_writes_copy_the_whole_database_back(kind: str, wall: WallClock, make: Callable[..., Flask]) -> None:
    used = make(kind, SCENARIO="small")
    db = used.extensions["mock"].db
    change_everything(kind, used)
    db.connection().executescript("UPDATE mock_kv SET value = value")  # a script: its writes are not known
    assert EVERYTHING in db.write_marks.tables
    assert used.test_client().post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert state(used) == state(make(kind, SCENARIO="small"))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_the_schemas_have_no_triggers(kind: str, make: Callable[..., Flask]) -> None:
    """write_marks.py assumes a statement writes only the table it names (foreign-key actions aside)."""
    db = make(kind, SCENARIO="small").extensions["mock"].db
    assert db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'") == []


def test_a_statement_that_changes_no_row_marks_nothing() -> None:
    db = Database()
    try:
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        db.write_marks.clear()
        db.execute("UPDATE t SET v = 'x' WHERE k = 1")  # no such row
        assert db.write_marks.tables == set()
        db.execute("INSERT INTO t(k, v) VALUES (1, 'x')")
        assert db.write_marks.tables == {"t"}
    finally:
        db.close()


@pytest.mark.parametrize(("sql", "table"), [
    ("SELECT * FROM ghes_users", None),
    ("  INSERT INTO mock_kv(key, value) VALUES (?, ?)", "mock_kv"),
    ("INSERT OR REPLACE INTO \"Ghes_Users\" (id) VALUES (1)", "ghes_users"),
    ("REPLACE INTO mock_kv VALUES (1, 2)", "mock_kv"),
    ("update or ignore ghes_users set name = 1", "ghes_users"),
    ("DELETE FROM main.mock_faults WHERE id = 1", "mock_faults"),
    ("DELETE FROM mock_faults", "mock_faults"),
    ("WITH x AS (SELECT 1) DELETE FROM mock_faults", EVERYTHING),
    ("CREATE TABLE t (x)", EVERYTHING),
    ("PRAGMA foreign_keys=ON", EVERYTHING),
    ("PRAGMA data_version", None),
    ("BEGIN IMMEDIATE", None),
], ids=["select", "insert", "insert-or-replace-quoted", "replace", "update-or", "delete-main", "delete-all",
        "with", "ddl", "pragma-set", "pragma-read", "begin"])
def test_what_a_statement_writes(sql: str, table: str | None) -> None:
    assert written_by(sql) == table
