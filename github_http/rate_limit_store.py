"""The primary rate limit's counters: one row per token (or unauthenticated IP) and window.

WHY SQLite, in a side file of its own: under gunicorn every worker must count against the one
budget a client has, so a per-process counter would hand each worker its own 5,000; and a
table written on every request must not live in the main file, where each commit would make
every other worker drop its page cache (see Database.side). Each counted request is one
UPSERT that both moves the window and counts (no read before it).
"""
from __future__ import annotations

from dataclasses import dataclass

from .storage import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS mock_rate_limits (
    key TEXT PRIMARY KEY, lim INTEGER NOT NULL, used INTEGER NOT NULL, reset INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Window:
    """A budget as the `x-ratelimit-*` headers tell it; `used` may be `limit + 1`: refused."""

    limit: int
    used: int
    reset: int  # epoch second the window ends

    @property
    def allowed(self) -> bool:
        """Whether the request that counted this window was within the budget."""
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        """Requests left in this window."""
        return max(self.limit - self.used, 0)


class RateLimitStore:
    """Counts requests per key in windows of `window` seconds of the app clock."""

    def __init__(self, db: Database, window: int = 3600) -> None:
        """Keep the counters in a side file of `db`."""
        self.db, self.window = db.side("ratelimit", SCHEMA), window

    def take(self, key: str, limit: int, now: int) -> Window:
        """Count one request for `key` (a new window when the last one ended); a refused one is
        not counted beyond `limit + 1`, so the budget is exactly full again at the reset."""
        row = self.db.execute(
            "INSERT INTO mock_rate_limits(key, lim, used, reset) VALUES (?1, ?2, 1, ?3 + ?4) "
            "ON CONFLICT(key) DO UPDATE SET "
            "used = CASE WHEN reset <= ?3 THEN 1 ELSE MIN(used + 1, lim + 1) END, "
            "lim = CASE WHEN reset <= ?3 THEN excluded.lim ELSE lim END, "
            "reset = CASE WHEN reset <= ?3 THEN excluded.reset ELSE reset END "
            "RETURNING lim, used, reset", (key, limit, now, self.window)).fetchall()[0]  # all rows: the statement ends
        return Window(row[0], row[1], row[2])

    def give_back(self, key: str) -> None:
        """Un-count one request (a 304, which GitHub does not count)."""
        self.db.execute("UPDATE mock_rate_limits SET used = MAX(used - 1, 0) WHERE key = ?", (key,))

    def peek(self, key: str, limit: int, now: int) -> Window:
        """The window as it stands, without counting (`GET /rate_limit`)."""
        row = self.db.one("SELECT lim, used, reset FROM mock_rate_limits WHERE key = ? AND reset > ?", (key, now))
        return Window(row[0], row[1], row[2]) if row else Window(limit, 0, now + self.window)

    def set_remaining(self, key: str, limit: int, remaining: int, now: int, reset_in: int | None) -> Window:
        """Set a key's budget (the control plane): `remaining` left of `limit`, the window ending
        `reset_in` seconds from now (default: the current window's end, or a new full one)."""
        current = self.peek(key, limit, now)
        reset = now + reset_in if reset_in is not None else current.reset
        used = max(limit - remaining, 0)
        self.db.execute("INSERT INTO mock_rate_limits(key, lim, used, reset) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET lim = excluded.lim, used = excluded.used, "
                        "reset = excluded.reset", (key, limit, used, reset))
        return Window(limit, used, reset)

    def clear(self) -> None:
        """Every budget full again (`/_mock/reset`)."""
        self.db.execute("DELETE FROM mock_rate_limits")
