"""What the reset tests share (test_reset_template.py, test_reset_tables.py, test_reset_rows.py): a
wall clock standing still, fresh apps closed after the test, the writes a test might make, the
state as served and every row as stored, and a way to refuse the whole-database copy.

The wall clock stands still (github_http.clock.utc_now patched) so that a fresh start and a
reset at the same moment can be compared.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

import github_http.clock
from github_http.storage import Database
from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes

PRESETS = ("small", "demo", "edge-cases")  # `large` left out: too slow to seed twice per test
SEEDED = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
LATER = SEEDED + timedelta(days=3, seconds=17)
FACTORIES = {"ghes": create_ghes, "ghec": create_ghec}


class WallClock:
    """The wall clock the apps read, standing still at `now` until moved."""

    def __init__(self, now: datetime) -> None:
        """Start at `now`."""
        self.now = now

    def __call__(self) -> datetime:
        """The current (fixed) time."""
        return self.now


@pytest.fixture()
def wall(monkeypatch: pytest.MonkeyPatch) -> WallClock:
    """Stand the apps' wall clock still at SEEDED."""
    clock = WallClock(SEEDED)
    monkeypatch.setattr(github_http.clock, "utc_now", clock)
    return clock


@pytest.fixture()
def make() -> Iterator[Callable[..., Flask]]:
    """`make(kind, **config)`: a fresh app of either kind (its own database), closed after the test."""
    made: list[Flask] = []

    def build(kind: str, **config: Any) -> Flask:
        """A new app of `kind` with `config`."""
        made.append(FACTORIES[kind](config))
        return made[-1]

    yield build
    for app in made:
        app.extensions["mock"].db.close()


def change_everything(kind: str, app: Flask) -> None:
    """Write what a test might: domain state, a fault, the clock, the journal."""
    client = app.test_client()
    info = client.get("/_mock/scenario").get_json()
    if kind == "ghes":
        login = client.get("/_mock/users").get_json()[3]["login"]
        assert client.post(f"/_mock/users/{login}/sign-in").status_code == 200
        assert client.get("/api/v3/user", headers={"Authorization": "token nope"}).status_code == 401
    else:
        main = info["enterprises"][0]
        answer = client.put(f"/enterprises/{main['slug']}/connect/servers/5f1d5f1d-0000-4000-8000-000000000001",
                            json={"host_name": "ghes.example.test", "version": "3.15.2"},
                            headers={"Authorization": f"Bearer {main['tokens']['connect']}"})
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    assert client.post("/_mock/faults", json={"method": "GET", "path": "/nowhere", "status": 500}).status_code == 201
    assert client.post("/_mock/clock/advance", json={"days": 2}).status_code == 200


def state(app: Flask) -> tuple[bytes, bytes, bytes, bytes]:
    """What a test can see of the whole state: snapshot, faults, clock and journal, as served."""
    client = app.test_client()
    return tuple(client.get(f"/_mock/{route}").data  # type: ignore[return-value]
                 for route in ("snapshot", "faults", "clock", "journal"))


def every_row(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, derived ones (not in snapshots) and sqlite_sequence included, in
    rowid (or key) order: what the next reads and inserts see."""
    db = app.extensions["mock"].db
    names = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    rows = {}
    for name in names:
        without_rowid = db.one("SELECT wr FROM pragma_table_list WHERE name = ?", (name,))[0]
        order = "" if without_rowid else " ORDER BY rowid"
        rows[name] = [tuple(r) for r in db.query(f'SELECT * FROM "{name}"{order}')]
    return rows


def forbid_whole_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the whole-database copy (the backup API) fail, so a passing reset copied tables."""
    def refuse(self: Database, source: object) -> None:
        raise AssertionError("the whole database was copied back")
    monkeypatch.setattr(Database, "copy_from", refuse)
