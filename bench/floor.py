"""The floor of an upload: what the hardware needs to read a file's users and store one row each.

WHY measured and not a constant: the 1,000,000-user upload is judged against it in the same
run (issue #21: ≤ 2.5× the floor), so a busy shared machine slows both alike and the ratio
holds. The floor is msgspec decoding the same bytes (untyped, to Python objects, the cyclic
collector paused as the upload pauses it) plus an `executemany` of one row per user
(id, primary address, the other addresses as JSON) into a fresh SQLite table, with the
page size and pragmas the mock GHEC's connections use (github_http/pool.py) and its write cache, in one
transaction, committed. Nothing the upload must also do (validation, matching, the rows'
order, the HTTP body) is in it.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import msgspec

from export_format.gcpause import gc_paused

from .timing import Stats

ROUNDS = 2


def _connect(path: Path) -> sqlite3.Connection:
    """A fresh database file with the app's connection pragmas (WAL included)."""
    from github_http.pool import PAGE_SIZE, PRAGMAS
    from mock_ghec.settings import DEFAULTS  # the upload's page cache for its write (WRITE_CACHE_MIB)

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode=WAL")
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute(f"PRAGMA cache_size = {-1024 * int(DEFAULTS['WRITE_CACHE_MIB'])}")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, address TEXT NOT NULL, others TEXT NOT NULL)")
    return conn


def once(raw: bytes, path: Path) -> float:
    """Seconds to decode `raw` and insert its users (the table created beforehand, not timed)."""
    conn = _connect(path)
    encode = msgspec.json.encode
    try:
        with gc_paused():
            started = time.perf_counter()
            users = msgspec.json.decode(raw)["users"]
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO users VALUES (?,?,?)", (
                (u["id"], u["emails"][0]["address"], encode([e["address"] for e in u["emails"][1:]])) for u in users))
            conn.execute("COMMIT")
            seconds = time.perf_counter() - started
            del users
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return seconds


def measure_floor(raw: bytes, workdir: Path, rounds: int = ROUNDS) -> Stats:
    """The floor, `rounds` times (best is the floor; the rounds bracket the upload in the caller)."""
    return Stats(tuple(once(raw, workdir / "floor.sqlite3") for _ in range(rounds)))
