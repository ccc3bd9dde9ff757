"""A reset after plain UPDATEs copies back only the rows they changed (github_http/row_marks.py,
write_marks.py, table_copy.py): the result must be a fresh start's, byte for byte, and anything
that is not plainly a row's change (an INSERT, a moved rowid, too many rows, an unknown shape)
must copy its table whole. The shared fixtures are reset_helpers.py's."""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from reset_helpers import LATER, WallClock, every_row, forbid_whole_copies, make, state, wall

import github_http.table_copy
from github_http.row_marks import row_shape
from github_http.storage import Database
from github_http.templates import StateTemplates
from github_http.write_marks import ROW_MARKS_LIMIT

__all__ = ["make", "wall"]  # fixtures, imported to be used here

Copies = list[tuple[list[str], dict[str, int]]]  # per copy: the tables copied whole, rows marks per table


@pytest.fixture()
def copies(monkeypatch: pytest.MonkeyPatch) -> Copies:
    """What each table copy copied: tables whole, and how many row marks of which tables."""
    seen: Copies = []
    real = github_http.table_copy.copy_tables

    def spy(db: Database, template: Any, plans: list[Any], rows: Any = None) -> None:
        seen.append(([p.name for p in plans], {p.name: len(m) for p, m in rows or ()}))
        real(db, template, plans, rows)
    monkeypatch.setattr(github_http.table_copy, "copy_tables", spy)
    return seen


def admin(app: Flask) -> dict[str, str]:
    """The site admin's token header."""
    return {"Authorization": f"token {app.extensions['ghes'].runtime.tokens()['admin']}"}


def logins(app: Flask) -> list[str]:
    """Every login, in id order."""
    return [u["login"] for u in app.test_client().get("/_mock/users").get_json()]


def test_a_sign_in_copies_back_its_row_alone_and_is_a_fresh_start(wall: WallClock, make: Callable[..., Flask],
                                                                    copies: Copies,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    used = make("ghes", SCENARIO="demo")
    db, started, client = used.extensions["mock"].db, every_row(used), used.test_client()
    names = logins(used)
    for login in (names[3], names[5], names[3]):
        assert client.post(f"/_mock/users/{login}/sign-in").status_code == 200
    assert "ghes_users" not in db.write_marks.tables and len(db.write_marks.rows["ghes_users"]) == 2
    forbid_whole_copies(monkeypatch)
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert copies == [([], {"ghes_users": 2})]
    assert every_row(used) == started
    assert state(used) == state(make("ghes", SCENARIO="demo"))
    wall.now = LATER  # the reset now retimes the seed too (ghes_instance's row, users' dates)
    assert client.post(f"/_mock/users/{names[7]}/sign-in").status_code == 200
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert state(used) == state(make("ghes", SCENARIO="demo"))
    assert client.post(f"/_mock/users/{names[7]}/sign-in").status_code == 200
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"  # copies the retimed rows back
    assert "ghes_users" not in copies[-1][0]
    assert state(used) == state(make("ghes", SCENARIO="demo"))


def test_swapped_logins_suspensions_and_sign_ins_copy_rows_back_exactly(wall: WallClock, make: Callable[..., Flask],
                                                                        copies: Copies) -> None:
    """Renames by id that swap two unique logins: every changed row is deleted before any is put back."""
    used = make("ghes", SCENARIO="demo")
    client, started, head = used.test_client(), every_row(used), admin(used)
    first, second, third = logins(used)[3:6]
    for old, new in ((first, "swap-tmp"), (second, first), ("swap-tmp", second)):
        answer = client.patch(f"/api/v3/admin/users/{old}", json={"login": new}, headers=head)
        assert answer.status_code == 202, answer.get_data(as_text=True)
    assert client.put(f"/api/v3/users/{third}/suspended", json={"reason": "x"}, headers=head).status_code == 204
    assert client.post(f"/_mock/users/{first}/sign-in").status_code == 200
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert "ghes_users" not in copies[-1][0] and copies[-1][1]["ghes_users"] >= 3
    assert every_row(used) == started
    assert state(used) == state(make("ghes", SCENARIO="demo"))


def test_a_new_user_with_a_sign_in_copies_the_users_table(wall: WallClock, make: Callable[..., Flask],
                                                          copies: Copies) -> None:
    """An INSERT's rowid is not in the template: the table it named is copied whole."""
    used = make("ghes", SCENARIO="demo")
    client = used.test_client()
    assert client.post(f"/_mock/users/{logins(used)[3]}/sign-in").status_code == 200
    answer = client.post("/api/v3/admin/users", json={"login": "newcomer", "email": "n@example.test"},
                         headers=admin(used))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert "ghes_users" in copies[-1][0] and "ghes_users" not in copies[-1][1]
    assert state(used) == state(make("ghes", SCENARIO="demo"))


@pytest.fixture()
def kept() -> Iterator[tuple[Database, StateTemplates]]:
    """A private database with a few tables, kept as template "k" (a template's whole life, in small)."""
    db = Database()
    db.executescript("""
        CREATE TABLE people (id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL UNIQUE COLLATE NOCASE,
                             team INTEGER, seen TEXT, n INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE plain (name TEXT UNIQUE, v INTEGER);
        CREATE TABLE keyed (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;
        CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, v INTEGER);
        CREATE TABLE child (id INTEGER PRIMARY KEY, code TEXT REFERENCES parent(code) ON UPDATE CASCADE);
    """)
    db.connection().executemany("INSERT INTO people(login, team, seen) VALUES (?, ?, ?)",
                   [(f"user{i}", i % 5, None) for i in range(200)])
    db.connection().executemany("INSERT INTO plain VALUES (?, ?)", [(f"p{i}", i) for i in range(50)])
    db.connection().executemany("INSERT INTO keyed VALUES (?, ?)", [(f"k{i}", i) for i in range(50)])
    db.connection().executemany("INSERT INTO parent VALUES (?, ?, ?)", [(i, f"c{i}", i) for i in range(20)])
    db.connection().executemany("INSERT INTO child VALUES (?, ?)", [(i, f"c{i % 20}") for i in range(40)])
    templates = StateTemplates(db, 1 << 26)
    templates.keep("k")
    yield db, templates
    db.close()


def value(db: Database, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the one row `sql` reads."""
    row = db.one(sql, params)
    assert row is not None
    return row[0]


def rows_of(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, sqlite_sequence included, in rowid (or key) order."""
    names = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    order = {name: "" if name == "keyed" else " ORDER BY rowid" for name in names}
    return {name: [tuple(r) for r in db.query(f'SELECT * FROM "{name}"{order[name]}')] for name in names}


def test_random_row_updates_are_copied_back_exactly(kept: tuple[Database, StateTemplates], copies: Copies,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Many rounds of plain UPDATEs by unique key, by rowid, by a shared value and by a changed value
    (logins swapped, teams moved, counters bumped): each reset copies rows only, and exactly."""
    db, templates = kept
    started = rows_of(db)
    forbid_whole_copies(monkeypatch)
    chance = random.Random(21)
    for _ in range(40):
        for _ in range(chance.randint(1, 12)):
            a, b = chance.sample(range(1, 201), 2)
            step = chance.randrange(5)
            if step == 0:
                login_a, login_b = (value(db, "SELECT login FROM people WHERE id = ?", (i,)) for i in (a, b))
                db.execute("UPDATE people SET login = ? WHERE id = ?", ("tmp", a))
                db.execute("UPDATE people SET login = ? WHERE id = ?", (login_a.upper(), b))
                db.execute("UPDATE people SET login = ? WHERE login = ?", (login_b, "TMP"))
            elif step == 1:
                db.execute("UPDATE people SET seen = ?, n = n + 1 WHERE login = ?", (str(b), f"USER{a}"))
            elif step == 2:
                db.execute("UPDATE people SET team = ? WHERE team = ?", (chance.randrange(8), chance.randrange(8)))
            elif step == 3:
                db.execute("UPDATE plain SET v = ? WHERE name = ?", (b, f"p{a % 50}"))
            else:
                db.execute("UPDATE people SET n = 7 WHERE team = ? AND seen = ?", (a % 5, str(b)))
        assert db.write_marks.tables == set()
        assert templates.restore("k")
        assert copies[-1][0] == []
        assert rows_of(db) == started


@pytest.mark.parametrize(("statement", "params", "whole"), [
    ("UPDATE people SET id = ? WHERE id = ?", (500, 3), "people"),  # the rowid moves
    ('UPDATE people SET "ROWID" = ? WHERE login = ?', (500, "user3"), "people"),
    ("UPDATE keyed SET v = ? WHERE k = ?", (1, "k3"), "keyed"),  # no rowid to find it by
    ("UPDATE people SET seen = 'x?' WHERE id = ?", (3,), "people"),  # a string literal that may hide a ?
    ("UPDATE people SET seen = :s WHERE id = :id", {"s": "x", "id": 3}, "people"),  # named parameters
    ("UPDATE people SET seen = ? WHERE id = ? RETURNING id", ("x", 3), "people"),
    ("UPDATE OR REPLACE people SET login = ? WHERE id = ?", ("user4", 3), "people"),  # deletes user4's row
    ("UPDATE people SET seen = ? WHERE id IN (?, ?)", ("x", 3, 4), "people"),
    ("UPDATE people SET seen = current_timestamp WHERE id > ?", (3,), "people"),
    ("UPDATE people SET seen = ? WHERE current_date = ?", ("x", "today"), "people"),  # not the row's alone
    ("UPDATE people SET seen = ? WHERE current_date = ?", ("x", "2026-01-01"), None),  # changed nothing
    ("INSERT INTO people(login) VALUES (?)", ("newcomer",), "people"),
    ("DELETE FROM people WHERE id = ?", (3,), "people"),
], ids=["rowid-alias", "rowid", "without-rowid", "literal", "named", "returning", "or-replace", "in", "range",
        "clock", "clock-unchanged", "insert", "delete"])
def test_what_is_not_a_rows_change_copies_its_table(kept: tuple[Database, StateTemplates], copies: Copies,
                                                    statement: str, params: Any, whole: str | None) -> None:
    db, templates = kept
    started = rows_of(db)
    db.execute("UPDATE people SET seen = ? WHERE id = ?", ("before", 5))  # a row mark, then this statement
    if "today" in params:
        params = ("x", value(db, "SELECT current_date"))
    db.execute(statement, params)
    assert templates.restore("k")
    tables, rows = copies[-1]
    assert (whole in tables) if whole else rows == {"people": 1}
    assert rows_of(db) == started


def test_many_rows_executemany_and_cascades_copy_whole_tables(kept: tuple[Database, StateTemplates],
                                                              copies: Copies) -> None:
    db, templates = kept
    started = rows_of(db)
    for i in range(ROW_MARKS_LIMIT + 1):
        db.execute("UPDATE people SET n = ? WHERE id = ?", (1, i + 1))
    assert "people" in db.write_marks.tables and "people" not in db.write_marks.rows
    db.connection().executemany("UPDATE plain SET v = ? WHERE name = ?", [(0, "p1"), (0, "p2")])  # rows not marked
    db.execute("UPDATE parent SET v = ? WHERE id = ?", (0, 3))  # ON UPDATE CASCADE: child may change
    assert templates.restore("k")
    assert copies[-1] == (["child", "people", "plain"], {"parent": 1})
    assert rows_of(db) == started
    db.execute("UPDATE parent SET code = ? WHERE id = ?", ("moved", 3))  # cascades into child
    assert value(db, "SELECT count(*) FROM child WHERE code = 'moved'") == 2
    assert templates.restore("k")
    assert rows_of(db) == started


def test_a_failed_copy_leaves_the_next_reset_a_whole_copy(kept: tuple[Database, StateTemplates],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db, templates = kept
    started = rows_of(db)
    db.execute("UPDATE people SET seen = ? WHERE id = ?", ("x", 5))

    def broken(*args: Any) -> None:
        raise OSError("disk gone")
    monkeypatch.setattr(github_http.table_copy, "values_of", broken)
    with pytest.raises(OSError):
        templates.restore("k")
    monkeypatch.undo()
    assert "*" in db.write_marks.tables
    assert templates.restore("k") and rows_of(db) == started


@pytest.mark.parametrize(("sql", "where", "picks", "sets"), [
    ("UPDATE ghes_users SET last_active_at = ?, dormant = 0 WHERE login = ?", '"login" = ?', (1,),
     {"last_active_at", "dormant"}),
    ('update "T" set "A" = ?, b = b + 1 where "Id" = ? and k = 3;', '"id" = ? AND "k" = 3', (1,), {"a", "b"}),
    ("UPDATE mock_faults SET skip_remaining = skip_remaining - 1 WHERE id = ?", '"id" = ?', (0,),
     {"skip_remaining"}),
])
def test_the_row_shapes_read(sql: str, where: str, picks: tuple[int, ...], sets: set[str]) -> None:
    shape = row_shape(sql)
    assert shape is not None and (shape.where, shape.picks, shape.sets) == (where, picks, sets)


@pytest.mark.parametrize("sql", [
    "UPDATE t SET a = (SELECT b FROM u WHERE c = ?) WHERE id = ?",
    "UPDATE t SET a = ? WHERE id = ? OR 1",
    "UPDATE t SET a = ?1 WHERE id = ?",
    "UPDATE t SET a = 'it''s' WHERE id = ?",
    "UPDATE t SET a = ? WHERE id = ? -- c",
    "UPDATE t SET a = ? FROM u WHERE id = ?",
    "UPDATE t SET a = ? WHERE current_timestamp = ?",
    "UPDATE t SET a = ? WHERE id = ? ORDER BY id LIMIT 1",
    "UPDATE t SET a = ?",
])
def test_other_shapes_are_not_rows(sql: str) -> None:
    assert row_shape(sql) is None


def test_a_ghec_scim_change_copies_rows_back_and_is_a_fresh_start(wall: WallClock, make: Callable[..., Flask],
                                                                   copies: Copies) -> None:
    """GHEC's SCIM replace updates its SCIM user and enterprise rows by key (row marks), and rewrites
    accounts, emails and matching (whole tables): together exact."""
    used = make("ghec", SCENARIO="edge-cases")
    client, started = used.test_client(), every_row(used)
    emu = client.get("/_mock/scenario").get_json()["enterprises"][-1]
    auth, base = {"Authorization": f"token {emu['tokens']['owner']}"}, f"/scim/v2/enterprises/{emu['slug']}/Users"
    listed = client.get(base, headers=auth)
    assert listed.status_code == 200, listed.get_data(as_text=True)
    first = listed.get_json()["Resources"][0]["id"]
    patch = {"Operations": [{"op": "replace", "value": {"displayName": "Changed Name", "active": False}}]}
    answer = client.patch(f"{base}/{first}", json=patch, headers=auth)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert {"ghec_scim_users", "ghec_enterprises"} <= set(copies[-1][1]), copies
    assert every_row(used) == started
    assert state(used) == state(make("ghec", SCENARIO="edge-cases"))
