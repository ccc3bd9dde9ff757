"""A kept state's variants (github_http/templates.py `watch`/`variant`/`put_on`, row_diff.py): the rows a
few writes made, made again on the clean state and taken off by the reset, exactly; and no variant
whenever the rows cannot be known."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from github_http import row_diff
from github_http.storage import Database
from github_http.templates import StateTemplates

SCHEMA = """
CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS child (parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE, note TEXT);
CREATE TABLE IF NOT EXISTS counted (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);
CREATE TABLE IF NOT EXISTS keyed (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
"""


def rows(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, sqlite_sequence too, in rowid (or key) order."""
    return {name: [tuple(r) for r in db.query(f"SELECT * FROM {name}" + ("" if name == "keyed" else " ORDER BY rowid"))]
            for name in ("parent", "child", "counted", "keyed", "sqlite_sequence")}


@pytest.fixture()
def kept() -> Iterator[tuple[Database, StateTemplates]]:
    """A database with a few rows, kept as state "k" and clean on it."""
    db = Database()
    db.executescript(SCHEMA)
    db.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')")
    db.execute("INSERT INTO child VALUES (1, 'x')")
    db.execute("INSERT INTO counted (note) VALUES ('n')")
    templates = StateTemplates(db, 1 << 20)
    templates.keep("k")
    yield db, templates
    db.close()


def reset(templates: StateTemplates) -> None:
    """What the reset does with a kept state."""
    assert templates.restore("k")
    templates.mark_clean("k")


def test_a_variant_is_made_again_and_taken_off_exactly(kept: tuple[Database, StateTemplates]) -> None:
    db, templates = kept
    fresh = rows(db)
    watch = templates.watch("k")
    assert watch is not None
    with db.transaction() as conn:
        conn.execute("UPDATE parent SET name = 'a2' WHERE id = 1")
        conn.execute("INSERT INTO parent (id, name) VALUES (3, 'c')")
        conn.execute("DELETE FROM child")  # a child row gone
    made = rows(db)
    variant = templates.variant(watch)
    assert variant is not None and variant.tables == {"parent", "child"}
    reset(templates)
    assert rows(db) == fresh and not db.write_marks.touched()  # taken off: nothing left marked
    assert templates.put_on("k", variant)
    assert rows(db) == made
    reset(templates)
    assert rows(db) == fresh


def _new_parent_variant(db: Database, templates: StateTemplates) -> Any:
    """A variant of "k" with one parent row more, taken off again by a reset (the state is clean on "k")."""
    watch = templates.watch("k")
    assert watch is not None
    db.execute("INSERT INTO parent (id, name) VALUES (3, 'c')")
    variant = templates.variant(watch)
    assert variant is not None
    reset(templates)
    return variant


def test_a_variant_is_not_made_again_on_a_state_that_is_not_its_own(kept: tuple[Database, StateTemplates]) -> None:
    """Put on only where it was made: a state written since its reset, or another kept state, takes the requests."""
    db, templates = kept
    variant = _new_parent_variant(db, templates)
    db.execute("UPDATE parent SET name = 'z' WHERE id = 2")  # written since the reset: not clean
    assert not templates.fits("k", variant) and not templates.put_on("k", variant)
    reset(templates)
    db.execute("INSERT INTO counted (note) VALUES ('m')")  # another table: still not clean
    assert not templates.put_on("k", variant)
    reset(templates)
    templates.keep("k")  # kept again: another kept state, whatever its rows
    assert not templates.put_on("k", variant)


def test_a_write_to_a_table_marked_before_makes_no_variant(kept: tuple[Database, StateTemplates]) -> None:
    """Marks are per table: a table marked before the watch cannot show whether the writes changed it,
    so its rows are compared."""
    db, templates = kept
    db.execute("UPDATE parent SET name = 'q' WHERE id = 2")
    templates.mark_clean("k")  # as a reset that redid something (GHES's seeding time) leaves it
    watch = templates.watch("k")
    assert watch is not None and watch.marked == {"parent"}
    db.execute("UPDATE parent SET name = 'r' WHERE id = 2")
    assert templates.variant(watch) is None
    templates.mark_clean("k")
    watch = templates.watch("k")
    assert watch is not None
    db.execute("INSERT INTO child VALUES (2, 'y')")  # another table: a variant of it alone
    variant = templates.variant(watch)
    assert variant is not None and variant.tables == {"child"}


@pytest.mark.parametrize("write", [
    "INSERT INTO keyed VALUES ('k', 'v')",  # no rowid
    "INSERT INTO counted (note) VALUES ('m')",  # its AUTOINCREMENT counter moved
    "CREATE TABLE other (x)",  # writes not known
])
def test_rows_that_cannot_be_told_apart_make_no_variant(write: str, kept: tuple[Database, StateTemplates]) -> None:
    db, templates = kept
    watch = templates.watch("k")
    assert watch is not None
    db.execute(write)
    assert templates.variant(watch) is None


def test_a_large_table_makes_no_variant(kept: tuple[Database, StateTemplates]) -> None:
    db, templates = kept
    with db.transaction() as conn:
        conn.executemany("INSERT INTO child VALUES (1, ?)", [(str(n),) for n in range(row_diff.ROW_LIMIT)])
    templates.keep("k")
    watch = templates.watch("k")
    assert watch is not None
    db.execute("INSERT INTO child VALUES (2, 'y')")
    assert templates.variant(watch) is None


def test_rows_that_cannot_be_written_write_nothing(kept: tuple[Database, StateTemplates]) -> None:
    """A unique key the rows do not expect: the transaction is rolled back, the caller falls back."""
    db, templates = kept
    variant = _new_parent_variant(db, templates)
    before = rows(db)
    [change] = variant.changes  # parent's (its follower, child, has no rows that differ)
    assert change.keyed  # parent is referenced by child
    assert not row_diff.apply(db, (row_diff.RowChange(change.plan, change.columns, {}, {4: (4, "a")}),), forward=True)
    assert rows(db) == before
