"""The site-admin reports' cache: which report was asked for, and the file once it is built.

GitHub's rule (DOMAIN.md §8): with no cached report the first request answers 202 and the
instance builds the report "in the background"; a later request downloads it. The mock has
no background work, so the build happens on the next request (from the state of that moment)
and is then cached. A cached report is dropped by any change to the users (`forget_all`, called
by the user store in the same transaction), by a reset or snapshot restore (a derived table),
and once `REPORT_CACHE_SECONDS` of the app clock have passed since it was built.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from github_http import Database, isoformat, parse_time

REPORTS_TABLE = "ghes_reports"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {REPORTS_TABLE} (
    name TEXT PRIMARY KEY,
    requested_at TEXT NOT NULL,
    built_at TEXT,
    body BLOB
);
"""


def forget_all(conn: sqlite3.Connection) -> None:
    """Drop every cached report (the users changed): called inside the writing transaction."""
    conn.execute(f"DELETE FROM {REPORTS_TABLE}")


@dataclass(frozen=True, slots=True)
class CachedReport:
    """What the cache holds for one report: nothing, a request, or the built file."""

    requested: bool
    body: bytes | None


class ReportStore:
    """Reads and writes of the report cache, and the rows the reports are built from."""

    def __init__(self, db: Database, max_age: timedelta) -> None:
        """Create the table if needed."""
        self.db = db
        self.max_age = max_age
        db.executescript(SCHEMA)

    def lookup(self, name: str, now: datetime) -> CachedReport:
        """The cache's entry for `name`; a report older than `max_age` counts as none."""
        row = self.db.one(f"SELECT requested_at, built_at, body FROM {REPORTS_TABLE} WHERE name = ?", (name,))
        if row is None:
            return CachedReport(False, None)
        if row["built_at"] is not None and parse_time(row["built_at"]) + self.max_age <= now:
            return CachedReport(False, None)
        return CachedReport(True, None if row["body"] is None else bytes(row["body"]))

    def request(self, name: str, now: datetime) -> None:
        """Record that `name` was asked for (the 202); a stale built file is dropped."""
        self.db.execute(f"INSERT INTO {REPORTS_TABLE}(name, requested_at) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET requested_at = excluded.requested_at, "
                        "built_at = NULL, body = NULL", (name, isoformat(now)))

    def save(self, name: str, body: bytes, now: datetime) -> None:
        """Keep the built file, unless the users changed since it was asked for (then it was dropped)."""
        self.db.execute(f"UPDATE {REPORTS_TABLE} SET built_at = ?, body = ? WHERE name = ?",
                        (isoformat(now), body, name))

    def user_rows(self) -> list[dict[str, Any]]:
        """Every account but `ghost` (the appliance's placeholder), in id order, as the reports need them."""
        rows = self.db.query("SELECT id, login, emails_json, site_admin, suspended, dormant, created_at, "
                             "last_active_at, canary FROM ghes_users WHERE kind <> 'ghost' ORDER BY id")
        return [dict(r) for r in rows]
