"""Read-only queries of the organization store (the writes are orgs_store's and scim_store's)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from github_http.storage import Database

SCIM_ENTERPRISE = "enterprise"


@dataclass(frozen=True, slots=True)
class Org:
    """An organization of an enterprise."""

    enterprise_id: int
    login: str
    id: int
    managed_users: bool


@dataclass(frozen=True, slots=True)
class Account:
    """A GitHub.com account as the organization endpoints show it."""

    id: int
    login: str
    name: str
    two_factor: bool = True


def org(db: Database, login: str) -> Org | None:
    """The organization named `login` (organization logins are global), or None."""
    row = db.one("SELECT o.enterprise_id, o.login, o.id, coalesce(f.managed_users, 0) FROM ghec_orgs o "
                 "LEFT JOIN ghec_enterprise_flags f ON f.enterprise_id = o.enterprise_id WHERE o.login = ? "
                 "ORDER BY o.enterprise_id", (login,))
    return Org(row[0], row[1], row[2], bool(row[3])) if row else None


def org_role(db: Database, enterprise_id: int, org_login: str, login: str) -> str | None:
    """`admin`, `member`, `billing_manager` or None: `login`'s role in the organization."""
    row = db.one("SELECT r.role FROM ghec_org_roles r JOIN ghec_accounts a ON a.enterprise_id = r.enterprise_id "
                 "AND a.id = r.account_id WHERE r.enterprise_id = ? AND r.org = ? AND a.login = ?",
                 (enterprise_id, org_login, login))
    return row[0] if row else None


def account(db: Database, enterprise_id: int, login: str) -> Account | None:
    """An account of the enterprise by login (email invitations' accounts are not found by login)."""
    row = db.one("SELECT a.id, a.login, a.name, coalesce(f.two_factor, 1) FROM ghec_accounts a LEFT JOIN "
                 "ghec_account_facts f ON f.enterprise_id = a.enterprise_id AND f.account_id = a.id "
                 "WHERE a.enterprise_id = ? AND a.login = ? AND a.id > 0", (enterprise_id, login))
    return Account(row[0], row[1], row[2], bool(row[3])) if row else None


def members(db: Database, o: Org, role: str = "all", two_factor_disabled: bool = False) -> list[Account]:
    """Active members and owners of the organization, by login (`role`: all | admin | member)."""
    roles = ("admin", "member") if role == "all" else (role,)
    rows = db.query("SELECT a.id, a.login, a.name, coalesce(f.two_factor, 1) FROM ghec_org_roles r "
                    "JOIN ghec_accounts a ON a.enterprise_id = r.enterprise_id AND a.id = r.account_id "
                    "LEFT JOIN ghec_account_facts f ON f.enterprise_id = a.enterprise_id AND f.account_id = a.id "
                    f"WHERE r.enterprise_id = ? AND r.org = ? AND r.role IN ({','.join('?' * len(roles))}) "
                    "ORDER BY a.id",
                    (o.enterprise_id, o.login, *roles))
    out = [Account(r[0], r[1], r[2], bool(r[3])) for r in rows]
    return [a for a in out if not a.two_factor] if two_factor_disabled else out


def outside_collaborators(db: Database, o: Org, two_factor_disabled: bool = False) -> list[Account]:
    """Accounts that collaborate on a repository of the organization without being members, by id."""
    rows = db.query("SELECT DISTINCT a.id, a.login, a.name, coalesce(f.two_factor, 1) FROM ghec_collaborators c "
                    "JOIN ghec_accounts a ON a.enterprise_id = c.enterprise_id AND a.id = c.account_id LEFT JOIN "
                    "ghec_account_facts f ON f.enterprise_id = a.enterprise_id AND f.account_id = a.id "
                    "WHERE c.enterprise_id = ? AND c.org = ? ORDER BY a.id", (o.enterprise_id, o.login))
    out = [Account(r[0], r[1], r[2], bool(r[3])) for r in rows]
    return [a for a in out if not a.two_factor] if two_factor_disabled else out


def invitations(db: Database, o: Org, role: str = "all", source: str = "all") -> list[dict[str, Any]]:
    """Pending (not failed) invitations of the organization, oldest first."""
    rows = db.query("SELECT * FROM ghec_invitations WHERE enterprise_id = ? AND org = ? AND failed_at IS NULL "
                    "ORDER BY id", (o.enterprise_id, o.login))
    return [dict(r) for r in rows if role in ("all", r["role"]) and source in ("all", r["source"])]


def invitation(db: Database, o: Org, invitation_id: int) -> dict[str, Any] | None:
    """One invitation of the organization (pending or failed), or None."""
    if not 0 < invitation_id < 2**63:
        return None
    row = db.one("SELECT * FROM ghec_invitations WHERE enterprise_id = ? AND org = ? AND id = ?",
                 (o.enterprise_id, o.login, invitation_id))
    return dict(row) if row else None


def pending_invitation(db: Database, o: Org, account_id: int) -> dict[str, Any] | None:
    """The account's pending membership invitation to the organization, or None."""
    row = db.one("SELECT * FROM ghec_invitations WHERE enterprise_id = ? AND org = ? AND account_id = ? AND "
                 "failed_at IS NULL AND repos = '[]' ORDER BY id DESC", (o.enterprise_id, o.login, account_id))
    return dict(row) if row else None


def scim_users(db: Database, enterprise_id: int, scope: str) -> list[dict[str, Any]]:
    """SCIM users of a scope ('org:LOGIN' or 'enterprise'), oldest first."""
    rows = db.query("SELECT * FROM ghec_scim_users WHERE enterprise_id = ? AND scope = ? ORDER BY created, id",
                    (enterprise_id, scope))
    return [_scim(r) for r in rows]


def scim_user(db: Database, enterprise_id: int, scope: str, scim_id: str) -> dict[str, Any] | None:
    """One SCIM user of a scope, or None."""
    row = db.one("SELECT * FROM ghec_scim_users WHERE enterprise_id = ? AND scope = ? AND id = ?",
                 (enterprise_id, scope, scim_id))
    return _scim(row) if row else None


def _scim(row: Any) -> dict[str, Any]:
    """A stored SCIM user with its JSON columns parsed."""
    out = dict(row)
    out["emails"], out["roles"] = json.loads(out["emails"]), json.loads(out["roles"])
    out["active"] = bool(out["active"])
    return out


def subscriptions(db: Database, enterprise_id: int, unmatched_only: bool = False) -> list[dict[str, Any]]:
    """Visual Studio subscriptions with the login they are linked to (None: not linked), by email."""
    rows = db.query("SELECT s.id, s.email, s.manual, a.login FROM ghec_vs_subscriptions s LEFT JOIN ghec_accounts a "
                    "ON a.enterprise_id = s.enterprise_id AND a.id = s.account_id WHERE s.enterprise_id = ? "
                    "ORDER BY lower(s.email), s.id", (enterprise_id,))
    out = [{"subscription_id": r[0], "visual_studio_subscription_email": r[1], "manual_match": bool(r[2]),
            "username": r[3]} for r in rows]
    return [s for s in out if s["username"] is None] if unmatched_only else out


def subscription(db: Database, enterprise_id: int, sub_id: str) -> dict[str, Any] | None:
    """One Visual Studio subscription, or None."""
    return next((s for s in subscriptions(db, enterprise_id) if s["subscription_id"] == sub_id), None)


def verdicts(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    """Every account of the enterprise with its §7 verdict, by login (explain, pages)."""
    rows = db.query("SELECT a.id, a.login, f.billed, f.rule, f.why, f.bundled FROM ghec_accounts a JOIN "
                    "ghec_account_facts f ON f.enterprise_id = a.enterprise_id AND f.account_id = a.id "
                    "WHERE a.enterprise_id = ? ORDER BY a.ordinal", (enterprise_id,))
    return [{"account_id": r[0], "github_com_login": r[1] if r[0] > 0 else "",
             "invitation_id": -r[0] if r[0] < 0 else None, "billed": bool(r[2]), "rule": r[3], "why": r[4],
             "visual_studio_bundled": bool(r[5])} for r in rows]


def verdict_of_row(db: Database, enterprise_id: int, rownum: int) -> dict[str, Any] | None:
    """The §7 verdict behind a consumed-license row (None: a GHES-only row or no such row)."""
    if not 0 < rownum < 2**63:
        return None
    row = db.one("SELECT f.billed, f.rule, f.why, f.bundled FROM license_rows r JOIN ghec_account_facts f ON "
                 "f.enterprise_id = r.enterprise_id AND f.account_id = r.account_id WHERE r.enterprise_id = ? AND "
                 "r.rownum = ?", (enterprise_id, rownum))
    if row is None:
        return None
    return {"billed": bool(row[0]), "rule": row[1], "why": row[2], "visual_studio_bundled": bool(row[3])}


def managed_users(db: Database, enterprise_id: int) -> bool:
    """Whether the enterprise uses Enterprise Managed Users."""
    row = db.one("SELECT managed_users FROM ghec_enterprise_flags WHERE enterprise_id = ?", (enterprise_id,))
    return bool(row and row[0])
