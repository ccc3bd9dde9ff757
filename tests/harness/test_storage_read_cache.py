"""`Database.cached_read`: small values kept until the database may have changed, and `request_scope`."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from github_http.read_cache import MEMO_LIMIT
from github_http.storage import Database


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Database, Database]:
    """Two Database objects on one file: two connections, as two gunicorn workers have."""
    first = Database(tmp_path / "state.sqlite3")
    second = Database(tmp_path / "state.sqlite3")
    yield first, second
    second.close()
    first.close()


class Loads:
    """A `load` that counts its calls and reads the clock value from the database."""

    def __init__(self, db: Database) -> None:
        """Count reads of `db`'s "k" value."""
        self.db, self.calls = db, 0

    def __call__(self) -> str | None:
        """The stored value, counted."""
        self.calls += 1
        row = self.db.one("SELECT value FROM mock_kv WHERE key = 'k'")
        return row[0] if row else None


def test_a_value_is_read_once_until_something_is_written(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    load = Loads(db)
    assert [db.cached_read("k", load) for _ in range(5)] == [None] * 5
    assert load.calls == 1


def test_another_connections_commit_is_seen_at_once(pair: tuple[Database, Database]) -> None:
    db, other = pair
    load = Loads(db)
    assert db.cached_read("k", load) is None
    other.set_kv("k", "written elsewhere")  # another connection: PRAGMA data_version moves
    assert db.cached_read("k", load) == "written elsewhere"
    assert load.calls == 2


def test_this_connections_own_write_is_seen_at_once(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    load = Loads(db)
    assert db.cached_read("k", load) is None
    db.set_kv("k", "mine")  # the same connection: data_version does not move, total_changes does
    assert db.cached_read("k", load) == "mine"


def test_nothing_is_kept_inside_a_transaction_so_a_rollback_cannot_linger(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    load = Loads(db)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO mock_kv(key, value) VALUES ('k', 'rolled back')")
        assert db.cached_read("k", load) == "rolled back"
        raise RuntimeError("abort")
    assert db.cached_read("k", load) is None
    assert load.calls == 2


def test_get_kv_answers_from_the_memo_and_sees_every_write(pair: tuple[Database, Database]) -> None:
    db, other = pair
    assert db.get_kv("k", "default") == "default"
    other.set_kv("k", "1")
    assert db.get_kv("k") == "1"
    db.set_kv("k", "2")
    assert db.get_kv("k") == "2" and other.get_kv("k") == "2"


def test_within_a_moment_another_connections_commit_waits_for_the_next(pair: tuple[Database, Database]) -> None:
    """One request sees the small values as of its start; the next request sees the commit."""
    db, other = pair
    load = Loads(db)
    with db.request_scope():
        assert db.cached_read("k", load) is None
        other.set_kv("k", "during the request")
        assert db.cached_read("k", load) is None  # not asked again within the moment
        db.set_kv("own", "x")  # ...but this connection's own write is
        assert db.cached_read("k", load) == "during the request"
    with db.request_scope():
        assert db.cached_read("k", load) == "during the request"
    other.set_kv("k", "after")
    with db.request_scope(), db.request_scope():  # nested: one moment
        assert db.cached_read("k", load) == "after"


def test_the_memo_is_bounded(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    for n in range(MEMO_LIMIT * 3):
        assert db.cached_read(("key", n), lambda n=n: n) == n
    assert all(size <= MEMO_LIMIT for size in db._reads.memo_sizes())


def test_after_commit_runs_once_the_outermost_transaction_committed(pair: tuple[Database, Database]) -> None:
    db, other = pair
    seen: list[str | None] = []
    with db.transaction():
        db.set_kv("k", "v")
        with db.transaction():  # nested: joins the outer one
            db.after_commit(lambda: seen.append(other.get_kv("k")))
        assert seen == []
    assert seen == ["v"]  # another connection already sees the commit


def test_after_commit_never_runs_for_a_rolled_back_transaction(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    seen: list[int] = []
    with pytest.raises(RuntimeError), db.transaction():
        db.after_commit(lambda: seen.append(1))
        raise RuntimeError("abort")
    with db.transaction():
        pass
    assert seen == []
    db.after_commit(lambda: seen.append(2))  # outside a transaction: at once
    assert seen == [2]


def test_a_new_thread_on_an_idle_connection_keeps_what_it_knew(tmp_path: Path) -> None:
    """A threaded server runs each request on a new thread, which takes over an idle connection."""
    db = Database(tmp_path / "state.sqlite3")
    load = Loads(db)

    def request() -> None:
        with db.request_scope():
            assert db.cached_read("k", load) is None

    for _ in range(3):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    assert load.calls == 1
    db.close()


def test_after_request_waits_for_the_end_of_the_request(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    seen: list[str] = []
    with db.request_scope():
        with db.request_scope():  # nested: one request
            db.after_request(lambda: seen.append("after"))
        seen.append("still in the request")
    assert seen == ["still in the request", "after"]
    db.after_request(lambda: seen.append("now"))  # outside a request: at once
    assert seen[-1] == "now"
