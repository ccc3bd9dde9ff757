"""The GHES domain state in SQLite: the instance (license) and its user accounts.

This module and `connect_store` are the only code that writes. Every admin change is ONE
transaction, so a crash or a concurrent worker never sees half a change; reads that must
agree with each other (an export's instance block and its users) share one read snapshot.
Emails live in `emails_json` in the export contract's own shape, so an export of 100,000
users is a single `json_group_array` in SQLite, never a Python loop.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from github_http import Database, parse_time
from github_http.state_file import bring_forward

from .domain import EMAIL, MAX_LOGIN_LENGTH, AlreadyExists, InvalidValue, NotAllowed, UnknownUser, normalise_login
from .licensing import LicenseRules, days_until, seats_available
from .report_store import SCHEMA as REPORTS_SCHEMA
from .report_store import forget_all as forget_reports
from .tables import (
    INSTANCE_COLUMNS,
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    TOKEN_COLUMNS,
    USER_COLUMNS,
)


def user_dict(row: sqlite3.Row) -> dict[str, Any]:
    """A user row as a plain dict, emails parsed and flags as booleans."""
    user = dict(row)
    user["emails"] = json.loads(user.pop("emails_json"))
    user["primary_email"] = next((e["address"] for e in user["emails"] if e["primary"]), None)
    for flag in ("site_admin", "suspended", "dormant", "consumes_license"):
        if flag in user:
            user[flag] = bool(user[flag])
    return user


class Store:
    """Reads and writes of the instance and its users; the counting rules come from settings."""

    def __init__(self, db: Database, rules: LicenseRules) -> None:
        """Create the tables if needed; no rows are written until `replace_all`."""
        self.db = db
        self.rules = rules
        bring_forward(db, SCHEMA_VERSION_KEY, SCHEMA_VERSION, MIGRATIONS, lambda found: (  # a newer one: refuse
            f"the state file {db.path} was written by another version of mock-ghes (tables "
            f"v{found}, this is v{SCHEMA_VERSION}); use a fresh --state path"))
        db.executescript(SCHEMA + REPORTS_SCHEMA)
        db.set_kv(SCHEMA_VERSION_KEY, SCHEMA_VERSION)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot, so values read together are from the same moment."""
        conn = self.db.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # -- the whole state ------------------------------------------------------------------
    def is_seeded(self) -> bool:
        """Whether a scenario has been loaded into this database (a kept --state has one)."""
        return self.db.one("SELECT 1 FROM ghes_instance WHERE id = 1") is not None

    def replace_all(self, instance: dict[str, Any], users: list[tuple], tokens: Iterable[tuple] = ()) -> None:
        """Swap in a new instance, users and extra tokens in one transaction (seeding, reset, scenario switch).

        `users` are tuples in USER_COLUMNS order, `tokens` in TOKEN_COLUMNS order; executemany keeps
        100k rows well under a second.
        """
        cols = ", ".join(INSTANCE_COLUMNS)
        marks = ", ".join("?" for _ in INSTANCE_COLUMNS)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM ghes_users")
            conn.execute("DELETE FROM ghes_tokens")
            forget_reports(conn)
            conn.execute("DELETE FROM ghes_instance")
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'ghes_users'")
            conn.execute(f"INSERT INTO ghes_instance(id, {cols}) VALUES (1, {marks})",
                         [instance[c] for c in INSTANCE_COLUMNS])
            conn.executemany(f"INSERT INTO ghes_users({', '.join(USER_COLUMNS)}) "
                             f"VALUES ({', '.join('?' for _ in USER_COLUMNS)})", users)
            conn.executemany(f"INSERT INTO ghes_tokens({', '.join(TOKEN_COLUMNS)}) VALUES (?, ?, ?, ?)", tokens)

    def retime_seed(self, now: str) -> None:
        """Move what seeding stamped with its own time (the instance's `seeded_at`, and the dates of
        accounts the scenario gave none) to `now`: a copied-back seed, as if seeded now."""
        row = self.db.one("SELECT seeded_at FROM ghes_instance WHERE id = 1")
        if row is None or row[0] == now:
            return
        with self.db.transaction() as conn:
            conn.execute("UPDATE ghes_instance SET seeded_at = ? WHERE id = 1", (now,))
            conn.execute("UPDATE ghes_users SET created_at = ? WHERE created_at = ?", (now, row[0]))
            conn.execute("UPDATE ghes_users SET suspended_at = ? WHERE suspended_at = ?", (now, row[0]))

    def version(self) -> str:
        """The instance's version ("" before seeding): one primary-key read, asked on every response."""
        row = self.db.one("SELECT version FROM ghes_instance WHERE id = 1")
        return row[0] if row else ""

    def instance(self) -> dict[str, Any]:
        """The instance row: identity, license and where it came from."""
        row = self.db.one("SELECT * FROM ghes_instance WHERE id = 1")
        if row is None:
            raise RuntimeError("the GHES state has no instance: it was never seeded")
        data = dict(row)
        data["seats"] = "unlimited" if data["seats"] is None else data["seats"]
        data["params"] = json.loads(data.pop("params_json"))
        return data

    def set_token(self, login: str, digest: str) -> None:
        """Give `login` the token with this digest (the --admin-token override), taking it from anyone else."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE ghes_users SET token_digest = NULL WHERE token_digest = ?", (digest,))
            if conn.execute("UPDATE ghes_users SET token_digest = ? WHERE login = ?",
                            (digest, login)).rowcount == 0:
                raise UnknownUser(login)

    def update_license(self, seats: int | None, kind: str, expire_at: str, license_hash: str,
                       reference_number: str) -> None:
        """Apply an uploaded license (Manage API) in one statement; seats None = unlimited."""
        self.db.execute("UPDATE ghes_instance SET seats = ?, license_kind = ?, expire_at = ?, "
                        "license_hash = ?, reference_number = ? WHERE id = 1",
                        (seats, kind, expire_at, license_hash, reference_number))

    # -- counting ---------------------------------------------------------------------------
    def license_info(self, now: datetime) -> dict[str, Any]:
        """GitHub's license-info: seats, seats used by the counting rules, expiry from `now`."""
        with self.reading():
            instance, used = self.instance(), self.seats_used()
        expire_at = parse_time(instance["expire_at"])
        return {"seats": instance["seats"], "seats_used": used,
                "seats_available": seats_available(instance["seats"], used),
                "kind": instance["license_kind"], "days_until_expiration": days_until(expire_at, now),
                "expire_at": expire_at.strftime("%Y/%m/%d %H:%M:%S %z")}

    def seats_used(self) -> int:
        """Accounts consuming a license under the app's rules."""
        return self.db.query(f"SELECT COUNT(*) FROM ghes_users WHERE {self.rules.sql()}")[0][0]

    def user_stats(self) -> dict[str, int]:
        """GitHub's enterprise-user-overview; `ghost` is a placeholder, not a user, so it is left out."""
        [row] = self.db.query("SELECT COUNT(*), COALESCE(SUM(site_admin), 0), COALESCE(SUM(suspended), 0) "
                              "FROM ghes_users WHERE kind <> 'ghost'")
        return {"total_users": row[0], "admin_users": row[1], "suspended_users": row[2]}

    def consuming_users_json(self, conn: sqlite3.Connection) -> tuple[int, bytes]:
        """(count, JSON array of {id, emails}) of license-consuming users, built inside SQLite."""
        row = conn.execute(
            "SELECT COUNT(*), json_group_array(json_object('id', id, 'emails', json(emails_json))) "
            f"FROM (SELECT id, emails_json FROM ghes_users WHERE {self.rules.sql()} ORDER BY id)").fetchone()
        return row[0], row[1].encode("utf-8")

    # -- users --------------------------------------------------------------------------------
    def _select(self) -> str:
        """Every user column plus the license flag, computed by the one counting rule."""
        return f"SELECT ghes_users.*, {self.rules.sql()} AS consumes_license FROM ghes_users"

    def user(self, login: str) -> dict[str, Any]:
        """One user by login (case-insensitive, as GitHub), or UnknownUser."""
        row = self.db.one(f"{self._select()} WHERE login = ?", (login,))
        if row is None:
            raise UnknownUser(login)
        return user_dict(row)

    def user_by_id(self, user_id: int) -> dict[str, Any]:
        """One user by id, or UnknownUser (an id past SQLite's 64-bit range cannot exist)."""
        if not 0 < user_id < 2**63:
            raise UnknownUser(str(user_id))
        row = self.db.one(f"{self._select()} WHERE id = ?", (user_id,))
        if row is None:
            raise UnknownUser(str(user_id))
        return user_dict(row)

    def user_by_token(self, digest: str) -> dict[str, Any] | None:
        """The user whose token (their own, or one of `ghes_tokens`) has this digest, or None."""
        row = self.db.one(f"{self._select()} WHERE token_digest = ? OR id = "
                          "(SELECT user_id FROM ghes_tokens WHERE digest = ?)", (digest, digest))
        return user_dict(row) if row else None

    def extra_token(self, digest: str) -> tuple[str, str | None] | None:
        """(scenario key, which names its kind; declared scopes or None) of one of `ghes_tokens`, or None."""
        row = self.db.one("SELECT label, scopes FROM ghes_tokens WHERE digest = ?", (digest,))
        return (row[0], row[1]) if row else None

    def all_users(self) -> list[dict[str, Any]]:
        """Every account with every attribute, in id order (the verifier's ground truth)."""
        return [user_dict(r) for r in self.db.query(f"{self._select()} ORDER BY id")]

    def search_users(self, q: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Users whose login, name or any email contains `q` (case-insensitive), and their total."""
        where, params = "1 = 1", []
        if q.strip():
            like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where = ("(login LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
                     "json_each(emails_json) e WHERE e.value ->> 'address' LIKE ? ESCAPE '\\'))")
            params = [like, like, like]
        with self.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM ghes_users WHERE {where}", params).fetchone()[0]
            rows = conn.execute(f"{self._select()} WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                                (*params, limit, offset)).fetchall()
        return [user_dict(r) for r in rows], total

    @staticmethod
    def _check_login(login: str) -> str:
        """Normalise a requested login and refuse what cannot be one."""
        normal = normalise_login(login)
        if not normal or len(normal) > MAX_LOGIN_LENGTH:
            raise InvalidValue("login", f"login must have 1 to {MAX_LOGIN_LENGTH} letters, digits or hyphens")
        return normal

    @staticmethod
    def _email_taken(conn: sqlite3.Connection, email: str) -> bool:
        """Whether any account already has this address (any of its emails, ignoring case)."""
        return conn.execute("SELECT 1 FROM ghes_users u, json_each(u.emails_json) e "
                            "WHERE lower(e.value ->> 'address') = lower(?) LIMIT 1", (email,)).fetchone() is not None

    def create_user(self, login: str, email: str, suspended: bool, now: str) -> dict[str, Any]:
        """Create an account as `POST /admin/users` does; it has never signed in and has no token."""
        normal = self._check_login(login)
        email = email.strip()
        if not EMAIL.search(email) or len(email) > 254:
            raise InvalidValue("email", "email is not a valid address")
        emails = json.dumps([{"address": email, "primary": True}], separators=(",", ":"))
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM ghes_users WHERE login = ?", (normal,)).fetchone():
                raise AlreadyExists("login")
            if self._email_taken(conn, email):
                raise AlreadyExists("email")
            conn.execute("INSERT INTO ghes_users(login, emails_json, suspended, suspended_at, "
                         "suspension_reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         (normal, emails, int(suspended), now if suspended else None,
                          "Suspended at creation" if suspended else None, now))
            forget_reports(conn)  # the cached reports would be stale
        return self.user(normal)

    def _target(self, conn: sqlite3.Connection, login: str) -> sqlite3.Row:
        """The account an admin action is about; `ghost` is the appliance's and cannot be changed."""
        row = conn.execute("SELECT id, login, kind FROM ghes_users WHERE login = ?", (login,)).fetchone()
        if row is None:
            raise UnknownUser(login)
        if row["kind"] == "ghost":
            raise NotAllowed("The ghost user cannot be changed.")
        return row

    def rename_user(self, login: str, new_login: str) -> dict[str, Any]:
        """Rename at once (GitHub queues a job; the mock's job finishes before the 202)."""
        normal = self._check_login(new_login)
        with self.db.transaction() as conn:
            row = self._target(conn, login)
            clash = conn.execute("SELECT id FROM ghes_users WHERE login = ?", (normal,)).fetchone()
            if clash is not None and clash["id"] != row["id"]:
                raise AlreadyExists("login")
            conn.execute("UPDATE ghes_users SET login = ? WHERE id = ?", (normal, row["id"]))
            forget_reports(conn)
        return self.user(normal)

    def delete_user(self, login: str, acting_login: str) -> None:
        """Delete an account; nobody can delete themselves."""
        with self.db.transaction() as conn:
            row = self._target(conn, login)
            if row["login"].lower() == acting_login.lower():
                raise NotAllowed("You cannot delete your own account.")
            conn.execute("DELETE FROM ghes_users WHERE id = ?", (row["id"],))
            forget_reports(conn)

    def set_suspended(self, login: str, suspended: bool, reason: str | None, acting_login: str,
                      now: str) -> None:
        """Suspend (releasing the seat) or unsuspend; nobody can suspend themselves."""
        with self.db.transaction() as conn:
            row = self._target(conn, login)
            if suspended and row["login"].lower() == acting_login.lower():
                raise NotAllowed("You cannot suspend yourself.")
            verb = "Suspended" if suspended else "Unsuspended"
            conn.execute("UPDATE ghes_users SET suspended = ?, suspended_at = ?, suspension_reason = ? "
                         "WHERE id = ?", (int(suspended), now if suspended else None,
                                          reason or f"{verb} via API by {acting_login}", row["id"]))
            forget_reports(conn)

    def mark_signed_in(self, login: str, now: str) -> None:
        """Record a sign-in: a never-signed-in account becomes active (and may start to count)."""
        with self.db.transaction() as conn:
            if conn.execute("UPDATE ghes_users SET last_active_at = ?, dormant = 0 WHERE login = ?",
                            (now, login)).rowcount == 0:
                raise UnknownUser(login)
            forget_reports(conn)
