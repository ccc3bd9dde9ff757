"""Who a token is, and what the account it names holds: the reads behind `/user`, `/user/emails`,
the token kinds (identity.py) and the control plane's token list.

A store module (reads only) apart from reads.py, whose subject is the enterprises' license rows.
"""
from __future__ import annotations

from github_http.auth import token_digest
from github_http.storage import Database


def token_logins(db: Database, scenario_slug: str) -> dict[str, str]:
    """{"owner": login, "member": login} of the scenario's tokens for an enterprise (by its scenario slug)."""
    rows = db.query("SELECT label, login FROM ghec_tokens WHERE label LIKE ?", (f"ghec:{scenario_slug}:%",))
    return {r["label"].rsplit(":", 1)[-1]: r["login"] for r in rows}


def token_caller(db: Database, token: str) -> tuple[str, str, int | None, str | None] | None:
    """(login, label (its scenario key), account id, stated scopes or None) of a token (identity.py keeps
    the answer until a write)."""
    row = db.one("SELECT t.login, t.label, (SELECT a.id FROM ghec_accounts a WHERE a.login = t.login "
                 "ORDER BY a.enterprise_id LIMIT 1), t.scopes FROM ghec_tokens t WHERE t.digest = ?",
                 (token_digest(token),))
    return (row[0], row[1], row[2], row[3]) if row else None


def account_emails(db: Database, account_id: int) -> list[tuple[str, bool]]:
    """(address, verified) of an account in its first enterprise, for `GET /user/emails`."""
    rows = db.query("SELECT address, verified FROM ghec_account_emails WHERE account_id = ? AND enterprise_id = "
                    "(SELECT min(enterprise_id) FROM ghec_accounts WHERE id = ?) ORDER BY address",
                    (account_id, account_id))
    return [(row[0], bool(row[1])) for row in rows]
