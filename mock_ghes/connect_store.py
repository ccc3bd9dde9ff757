"""GitHub Connect state in SQLite: the GHEC link, the license-sync schedule and every sync attempt.

With `store`, the only code that writes. The schedule is claimed atomically (a compare-and-
set on `next_due_at`), so several workers seeing the same due time run the sync once; an
attempt is recorded in one transaction after the network call, so a failure or a crash
never leaves half a record. The Connect token is kept in clear because GHES must present
it to GHEC (an outbound credential, unlike the users' tokens, which are digests).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from github_http import Database, isoformat, parse_time

SCHEMA = """
CREATE TABLE IF NOT EXISTS ghes_connect (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    ghec_url TEXT NOT NULL DEFAULT '', enterprise TEXT NOT NULL DEFAULT '',
    token TEXT NOT NULL DEFAULT '', license_sync INTEGER NOT NULL DEFAULT 0,
    enabled_at TEXT, next_due_at TEXT, registered_at TEXT, registration_error TEXT
);
CREATE TABLE IF NOT EXISTS ghes_sync_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
    result TEXT NOT NULL CHECK (result IN ('success', 'failure')),
    http_status INTEGER, error TEXT, users_sent INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True, slots=True)
class ConnectConfig:
    """What a Connect configuration consists of (PUT body, page form or CLI flags)."""

    ghec_url: str
    enterprise: str
    token: str
    license_sync: bool

    @property
    def complete(self) -> bool:
        """Whether there is enough to reach GHEC."""
        return bool(self.ghec_url and self.enterprise and self.token)


class ConnectStore:
    """The Connect row and the attempts table."""

    def __init__(self, db: Database, period: timedelta) -> None:
        """Create the tables; `period` is the automatic sync's interval (7 days)."""
        self.db = db
        self.period = period
        db.executescript(SCHEMA)

    def state(self) -> dict[str, Any]:
        """The Connect row as a dict (an empty, disabled one before anything was configured)."""
        row = self.db.one("SELECT * FROM ghes_connect WHERE id = 1")
        state = dict(row) if row else {"ghec_url": "", "enterprise": "", "token": "", "license_sync": 0,
                                       "enabled_at": None, "next_due_at": None, "registered_at": None,
                                       "registration_error": None}
        state["license_sync"] = bool(state["license_sync"])
        state.pop("id", None)
        return state

    def config(self) -> ConnectConfig:
        """The current configuration alone."""
        s = self.state()
        return ConnectConfig(s["ghec_url"], s["enterprise"], s["token"], s["license_sync"])

    def reset(self, preset: ConnectConfig | None, now: datetime,
              enabled_at: datetime | None = None) -> None:
        """Forget Connect and its attempts; then apply `preset` (settings) if it is complete."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM ghes_connect")
            conn.execute("DELETE FROM ghes_sync_attempts")
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'ghes_sync_attempts'")
        if preset is not None and preset.complete:
            self.configure(preset, now, enabled_at)

    def configure(self, new: ConnectConfig, now: datetime,
                  enabled_at: datetime | None = None) -> dict[str, Any]:
        """Save a configuration in one transaction; returns the new state.

        Turning license sync on starts the weekly schedule at `enabled_at` (default `now`;
        a preconfigured server uses its scenario's date, so the schedule follows the seed);
        pointing at another GHEC or enterprise forgets the registration, which the next
        call to GHEC redoes.
        """
        with self.db.transaction() as conn:
            old = self.state()
            since, next_due = old["enabled_at"], old["next_due_at"]
            if new.license_sync and not old["license_sync"]:
                start = enabled_at or now
                since, next_due = isoformat(start), isoformat(self._next_after(start, now))
            elif not new.license_sync:
                since, next_due = None, None
            same_target = (old["ghec_url"], old["enterprise"]) == (new.ghec_url, new.enterprise)
            registered_at = old["registered_at"] if same_target else None
            conn.execute("INSERT OR REPLACE INTO ghes_connect(id, ghec_url, enterprise, token, "
                         "license_sync, enabled_at, next_due_at, registered_at, registration_error) "
                         "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (new.ghec_url, new.enterprise, new.token, int(new.license_sync), since,
                          next_due, registered_at, old["registration_error"] if same_target else None))
        return self.state()

    def _next_after(self, enabled_at: datetime, now: datetime) -> datetime:
        """The first weekly due time, counted from `enabled_at`, strictly after `now`."""
        periods = max(int((now - enabled_at) / self.period) + 1, 1)
        return enabled_at + self.period * periods

    def next_due(self) -> datetime | None:
        """When the automatic sync is next due, or None when license sync is off."""
        row = self.db.one("SELECT next_due_at FROM ghes_connect WHERE id = 1 AND license_sync = 1")
        return parse_time(row[0]) if row and row[0] else None

    def claim_due(self, now: datetime) -> bool:
        """Take the due run, once among all workers: moves next_due_at past `now` if it was due.

        A run that was missed for several periods (the clock jumped) runs once, not once per
        period, as an appliance that was switched off would.
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT enabled_at, next_due_at FROM ghes_connect "
                               "WHERE id = 1 AND license_sync = 1").fetchone()
            if row is None or not row["next_due_at"] or parse_time(row["next_due_at"]) > now:
                return False
            upcoming = self._next_after(parse_time(row["enabled_at"]), now)
            conn.execute("UPDATE ghes_connect SET next_due_at = ? WHERE id = 1", (isoformat(upcoming),))
        return True

    def record_registration(self, ok: bool, at: datetime, error: str | None) -> None:
        """Remember whether GHEC accepted the server's registration."""
        self.db.execute("UPDATE ghes_connect SET registered_at = ?, registration_error = ? WHERE id = 1",
                        (isoformat(at) if ok else None, None if ok else error))

    def record_attempt(self, at: datetime, trigger: str, ok: bool, http_status: int | None,
                       error: str | None, users_sent: int, *, forget_registration: bool = False) -> dict[str, Any]:
        """Record one sync attempt and its consequence for the registration, in one transaction."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO ghes_sync_attempts(at, trigger, result, http_status, error, users_sent) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (isoformat(at), trigger, "success" if ok else "failure", http_status, error, users_sent))
            if forget_registration:
                conn.execute("UPDATE ghes_connect SET registered_at = NULL, registration_error = ? WHERE id = 1",
                             (error,))
            return dict(conn.execute("SELECT * FROM ghes_sync_attempts WHERE id = ?", (cur.lastrowid,)).fetchone())

    def attempts(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest attempts, newest first."""
        return [dict(r) for r in self.db.query(
            "SELECT * FROM ghes_sync_attempts ORDER BY id DESC LIMIT ?", (limit,))]
