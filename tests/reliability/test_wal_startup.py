"""Several processes opening one NEW state file at once all get a WAL database (gunicorn -w N on a fresh --state).

WHY a test of its own: `PRAGMA journal_mode=WAL` needs the file to itself, and SQLite answers
SQLITE_BUSY ("database is locked") at once, without its busy handler, when two connections both
try the switch; `make test` hit it 1 run in 4 with two gunicorn workers. Each round forks
`WORKERS` processes that wait at a barrier, then each opens `Database(path)` on the same new
file and writes a row. Processes, not threads: the race is between connections of different
processes, as between gunicorn workers. Bounded: `ROUNDS` rounds, each child joined with a timeout.
"""
from __future__ import annotations

import multiprocessing
import sqlite3
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

from github_http.storage import Database

ROUNDS = 50
WORKERS = 4
#: Seconds one round may take (a healthy round takes well under one).
ROUND_LIMIT = 60


def _open_and_write(path: str, n: int, barrier: Barrier) -> None:
    """One worker's start-up: open the state file (the WAL switch included) and write to it."""
    barrier.wait()
    db = Database(path)
    db.set_kv(f"worker-{n}", "started")
    db.close()


def test_workers_opening_a_new_state_file_together_all_start(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    started = time.monotonic()
    for round_no in range(ROUNDS):
        path = tmp_path / f"round-{round_no}.sqlite3"
        barrier = ctx.Barrier(WORKERS, timeout=ROUND_LIMIT)
        children = [ctx.Process(target=_open_and_write, args=(str(path), n, barrier)) for n in range(WORKERS)]
        for child in children:
            child.start()
        for child in children:
            child.join(timeout=ROUND_LIMIT)
        for child in children:
            if child.is_alive():
                child.kill()
        assert [c.exitcode for c in children] == [0] * WORKERS, f"round {round_no}: a worker failed to start"
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert check.execute("SELECT count(*) FROM mock_kv").fetchone()[0] == WORKERS
    assert time.monotonic() - started < ROUNDS * ROUND_LIMIT
