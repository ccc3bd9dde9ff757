"""Small reads kept per connection until the database may have changed, and the request's scope.

WHY: every API request asks the same few small things (the token's owner, the clock, whether
any fault is set) that change only when something is written. SQLite tells a connection both
kinds of change: `PRAGMA data_version` moves when any other connection, in any process,
commits; `total_changes` moves when this one writes (a rolled-back write too, which only costs
a re-read). Asking data_version costs as much as a small read (it takes the WAL read lock), so
within one request (`request_scope`) it is asked once: the request sees the small values as of
its start, its own writes at once (as a request served a few microseconds earlier would).
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

#: Values kept per connection before it starts afresh (a bound, not a tuning knob).
MEMO_LIMIT = 256

T = TypeVar("T")


class ReadCache:
    """`cached_read` values per connection, and the thread's request scope with its after-request work."""

    def __init__(self) -> None:
        """Empty; nothing is kept until the first `cached_read`."""
        self._local = threading.local()
        # id(connection) -> ((connection, data_version, total_changes), {key: value}). Kept per
        # connection, not per thread: a threaded server runs each request on a new thread, which
        # takes over an idle connection and what it knew.
        self._memos: dict[int, tuple[tuple[Any, ...], dict[Hashable, Any]]] = {}

    def clear(self) -> None:
        """Forget every kept value (the connections closed, or this is a forked child)."""
        self._memos = {}
        self._local = threading.local()

    def cached_read(self, conn: sqlite3.Connection, key: Hashable, load: Callable[[], T]) -> T:
        """`load()`'s answer, read again only once the database may have changed since.

        Inside an open transaction nothing is kept: a rollback would not show. `load` must
        return a value nobody mutates.
        """
        if conn.in_transaction:
            return load()
        local = self._local
        memo = self._memos.get(id(conn))
        if not (local.__dict__.get("checked") and memo is not None and memo[0][0] is conn
                and memo[0][2] == conn.total_changes):
            version = (conn, conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
            if memo is None or memo[0] != version or len(memo[1]) >= MEMO_LIMIT:
                if len(self._memos) >= MEMO_LIMIT:  # connections come and go (orphans closed): start afresh
                    self._memos.clear()
                memo = self._memos[id(conn)] = (version, {})
            local.checked = local.__dict__.get("in_request", False)
        values = memo[1]
        try:
            return values[key]
        except KeyError:
            value = values[key] = load()
            return value

    def forget(self, conn: sqlite3.Connection) -> None:
        """Forget what `conn` keeps, and ask data_version again on this thread's next read (the
        database was replaced under it in a way SQLite does not report to `conn` itself)."""
        self._memos.pop(id(conn), None)
        self._local.checked = False

    def memo_sizes(self) -> list[int]:
        """How many values each connection keeps (tests hold them to MEMO_LIMIT)."""
        return [len(values) for _, values in self._memos.values()]

    def request_scope(self) -> AbstractContextManager[None]:
        """One request's span on this thread: within it, data_version is asked only the first
        time; when it ends, `after_request` work runs. Nested scopes are one."""
        return _RequestScope(self._local)

    def after_request(self, callback: Callable[[], None]) -> None:
        """Run `callback` when this thread's request scope ends, or now outside one: work started
        by a request that should not compete with the rest of it."""
        if self._local.__dict__.get("in_request"):
            self._local.after_request.append(callback)
        else:
            callback()


class _RequestScope:
    """`ReadCache.request_scope` (WHY a class: a generator-made context manager, entered on every
    request, cost several times as much)."""

    __slots__ = ("_local", "_outer")

    def __init__(self, local: threading.local) -> None:
        """A scope on the thread whose state `local` holds."""
        self._local, self._outer = local, False

    def __enter__(self) -> None:
        """Start the request (nothing when one is already open on this thread)."""
        local = self._local
        if local.__dict__.get("in_request"):
            return
        self._outer = True
        local.in_request, local.checked, local.after_request = True, False, []

    def __exit__(self, *exc: object) -> None:
        """End it: its after-request work runs."""
        if not self._outer:
            return
        local = self._local
        callbacks, local.after_request = local.after_request, []
        local.in_request = local.checked = False
        for callback in callbacks:
            callback()
