"""The rate-limit counters' file (github_http/rate_limit_store.py): shared by processes, per state file."""
from __future__ import annotations

import os
from pathlib import Path

from github_http.rate_limit_store import PROBE, SLOTS, RateLimitStore, Window
from github_http.storage import Database


def test_a_forked_worker_counts_against_the_same_budget(tmp_path: Path) -> None:
    """Two processes (gunicorn's workers) spend one budget: the child's requests show in the parent's."""
    db = Database(tmp_path / "state.sqlite3")
    store = RateLimitStore(db)
    assert store.take("token:a", 5000, 100) == Window(5000, 1, 3700)
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's exit status is the assertion
        os._exit(0 if [store.take("token:a", 5000, 101).used for _ in range(3)] == [2, 3, 4] else 1)
    assert os.waitpid(child, 0)[1] == 0
    assert store.take("token:a", 5000, 102) == Window(5000, 5, 3700)
    db.close()


def test_counts_are_per_state_file_and_survive_a_reopen(tmp_path: Path) -> None:
    """Another state file has its own counters; the same one reopened keeps them."""
    first, second = Database(tmp_path / "one.sqlite3"), Database(tmp_path / "two.sqlite3")
    RateLimitStore(first).take("ip:1.2.3.4", 60, 0)
    assert RateLimitStore(second).peek("ip:1.2.3.4", 60, 0) == Window(60, 0, 3600)
    assert RateLimitStore(first).peek("ip:1.2.3.4", 60, 0) == Window(60, 1, 3600)
    first.close()
    second.close()


def test_windows_end_and_clear_fills_every_budget(tmp_path: Path) -> None:
    """A refused count stops at limit + 1; the window's end starts a new one; `clear` empties all."""
    db = Database(tmp_path / "state.sqlite3")
    store = RateLimitStore(db, window=10)
    assert [store.take("k", 2, 0).used for _ in range(4)] == [1, 2, 3, 3]
    assert store.take("k", 2, 10) == Window(2, 1, 20)
    store.give_back("k")
    assert store.peek("k", 2, 11) == Window(2, 0, 20)
    store.set_remaining("k", 9, 4, 11, None)
    store.clear()
    assert store.peek("k", 2, 11) == Window(2, 0, 21) and store.take("k", 2, 11).used == 1
    db.close()


def test_more_callers_than_slots_keep_their_own_counts(tmp_path: Path) -> None:
    """Callers beyond what one probe run holds still count apart (ended windows give their slots up)."""
    db = Database(tmp_path / "state.sqlite3")
    store = RateLimitStore(db, window=10)
    keys = [f"ip:10.0.{n // 256}.{n % 256}" for n in range(2 * PROBE)]
    for key in keys:
        store.take(key, 60, 0)
        store.take(key, 60, 0)
    assert {store.peek(key, 60, 0).used for key in keys} == {2}
    for n in range(SLOTS // 8):  # a later hour: every window above has ended
        store.take(f"token:{n}", 5000, 50)
    assert store.peek("token:7", 5000, 50).used == 1 and store.peek(keys[0], 60, 50).used == 0
    db.close()
