"""Read-only queries of the mock GHEC's state (the store is the only code that writes).

Every query here is a key lookup or a key range: the hot path (a consumed-licenses page) is
one indexed auth lookup and one `rownum BETWEEN` range of pre-serialised rows.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from github_http.auth import token_digest
from github_http.storage import Database

from .matching import CloudAccount
from .rows import CloudRows, identity_attributes, make_cloud
from .schemas import TEMPLATE_SEPARATOR

GENERATION_KEY = "ghec_generation"
SCENARIO_KEY = "ghec_scenario"

_cloud_cache: dict[tuple[str, int], tuple[str, CloudRows]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class EnterpriseAccess:
    """An enterprise and how the caller relates to it (role None: no relation)."""

    id: int
    slug: str
    name: str
    seats_purchased: int
    seats_consumed: int
    uses_saml: bool
    role: str | None
    owner: bool


def login_for_token(db: Database, token: str) -> str | None:
    """The login a token belongs to (looked up by digest, never by the token text)."""
    row = db.one("SELECT login FROM ghec_tokens WHERE digest = ?", (token_digest(token),))
    return row[0] if row else None


def enterprise_access(db: Database, slug: str, login: str | None) -> EnterpriseAccess | None:
    """The enterprise named by slug (or numeric id) with the caller's role in it, or None."""
    sql = ("SELECT e.id, e.slug, e.name, e.seats_purchased, e.seats_consumed, e.uses_saml, "
           "a.role, a.enterprise_owner FROM ghec_enterprises e LEFT JOIN ghec_accounts a "
           "ON a.enterprise_id = e.id AND a.login = ? WHERE ")
    row = db.one(sql + "e.slug = ?", (login or "", slug))
    if row is None and slug.isdigit():
        row = db.one(sql + "e.id = ?", (login or "", int(slug)))
    if row is None:
        return None
    return EnterpriseAccess(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], bool(row[7]))


def enterprise_for_connect_token(db: Database, token: str) -> int | None:
    """The id of the enterprise whose GitHub Connect token this is (digest lookup)."""
    row = db.one("SELECT id FROM ghec_enterprises WHERE connect_token_digest = ?", (token_digest(token),))
    return row[0] if row else None


def page_rows(db: Database, enterprise_id: int, first: int, last: int) -> list[str]:
    """Pre-serialised rows `first..last` (1-based, inclusive): one key-range read."""
    cur = db.connection().execute(
        "SELECT row_json FROM license_rows WHERE enterprise_id = ? AND rownum BETWEEN ? AND ? "
        "ORDER BY rownum", (enterprise_id, first, last))
    return [r[0] for r in cur.fetchall()]


#: Row fields the License page's `?q=` looks through (values only, never key names).
SEARCHED = ("github_com_login", "github_com_name", "github_com_verified_domain_emails",
            "enterprise_server_user_ids", "enterprise_server_emails")


def search_rows(db: Database, enterprise_id: int, query: str, offset: int,
                limit: int) -> tuple[int, list[tuple[int, dict]]]:
    """(matching count, [(rownum, row)]) for the License page's `?q=` (substring, case-insensitive).

    WHY over row_json (no search column): keeping the upload's writes small matters more
    than the speed of a page search; `row_json LIKE` narrows, `json_extract` confirms the hit
    is in a value and not in a key name.
    """
    where, params = "enterprise_id = ?", [enterprise_id]
    if query.strip():
        escaped = query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        values = " OR ".join(f"lower(json_extract(row_json, '$.{f}')) LIKE ? ESCAPE '\\'" for f in SEARCHED)
        where += f" AND row_json LIKE ? ESCAPE '\\' AND ({values})"
        params += [pattern] * (1 + len(SEARCHED))
    total = db.one(f"SELECT COUNT(*) FROM license_rows WHERE {where}", params)[0]
    rows = db.query(f"SELECT rownum, row_json FROM license_rows WHERE {where} ORDER BY rownum "
                    "LIMIT ? OFFSET ?", (*params, limit, offset))
    return total, [(r[0], json.loads(r[1])) for r in rows]


def row_with_sources(db: Database, enterprise_id: int, rownum: int) -> tuple[dict, list] | None:
    """One row and its provenance `[[server_id, user_id, rule], ...]`, or None."""
    row = db.one("SELECT row_json, sources FROM license_rows WHERE enterprise_id = ? AND rownum = ?",
                 (enterprise_id, rownum))
    return (json.loads(row[0]), json.loads(row[1])) if row else None


def all_rows(db: Database, enterprise_id: int) -> list[tuple[int, str, str]]:
    """Every (rownum, row JSON, sources JSON) of an enterprise, in order (CSV, explain)."""
    return [tuple(r) for r in db.query(
        "SELECT rownum, row_json, sources FROM license_rows WHERE enterprise_id = ? ORDER BY rownum",
        (enterprise_id,))]


def servers(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    """The enterprise's GHES instances with their last event and sync, oldest first."""
    rows = db.query("SELECT * FROM ghes_servers WHERE enterprise_id = ? ORDER BY id", (enterprise_id,))
    return [dict(r) for r in rows]


def server(db: Database, enterprise_id: int, server_id: str) -> dict[str, Any] | None:
    """One instance of the enterprise, or None."""
    row = db.one("SELECT * FROM ghes_servers WHERE enterprise_id = ? AND server_id = ?",
                 (enterprise_id, server_id))
    return dict(row) if row else None


def kept_users(db: Database, enterprise_id: int, only: set[str] | None = None,
               skip: str | None = None) -> dict[str, tuple[str, list[list]]]:
    """What GHEC keeps per server: server_id -> (host name, [[user id, primary, *secondaries]]).

    `only` limits it to some servers (a row page needs just the servers of its row); `skip`
    leaves one out (the upload being taken, which the store already holds in memory).
    """
    rows = db.query(
        "SELECT s.server_id, s.host_name, u.users FROM ghes_usage u JOIN ghes_servers s ON s.id = u.server_ref "
        "WHERE s.enterprise_id = ? ORDER BY s.id", (enterprise_id,))
    return {sid: (host, json.loads(users)) for sid, host, users in rows
            if (only is None or sid in only) and sid != skip}


def account(db: Database, login: str) -> dict[str, Any] | None:
    """A GitHub.com account by login (its first enterprise association), for `GET /user`."""
    row = db.one("SELECT id, login, name FROM ghec_accounts WHERE login = ? ORDER BY enterprise_id", (login,))
    return dict(row) if row else None


def owned_enterprises(db: Database, login: str) -> list[dict[str, Any]]:
    """Enterprises where `login` is an owner (the pages' home)."""
    return [dict(r) for r in db.query(
        "SELECT e.slug, e.name FROM ghec_enterprises e JOIN ghec_accounts a ON a.enterprise_id = e.id "
        "WHERE a.login = ? AND a.enterprise_owner = 1 ORDER BY e.position", (login,))]


def enterprises(db: Database) -> list[dict[str, Any]]:
    """Every enterprise, main one first."""
    return [dict(r) for r in db.query("SELECT * FROM ghec_enterprises ORDER BY position")]


def ledger(db: Database, enterprise: str | None = None) -> list[dict[str, Any]]:
    """Privacy ledger entries, oldest first (optionally one enterprise's)."""
    sql, params = "SELECT * FROM privacy_ledger", ()
    if enterprise:
        sql, params = sql + " WHERE enterprise = ? COLLATE NOCASE", (enterprise,)
    return [{**dict(r), "encrypted": bool(r["encrypted"]), "paths": json.loads(r["paths"])}
            for r in db.query(sql + " ORDER BY id", params)]


def cloud_rows(db: Database, enterprise_id: int) -> CloudRows:
    """The enterprise's GitHub.com side (index + row templates), cached per scenario generation.

    WHY cached: it only changes when a scenario is loaded, and rebuilding it for a large
    enterprise on every upload would eat the upload's time budget. The generation is a random
    token written at each load, so a snapshot restore or another worker's load invalidates it.
    """
    generation = db.get_kv(GENERATION_KEY, "") or ""
    cached = _cloud_cache.get((str(db.path), enterprise_id))
    if cached and cached[0] == generation:
        return cached[1]
    uses_saml = bool(db.one("SELECT uses_saml FROM ghec_enterprises WHERE id = ?", (enterprise_id,))[0])
    emails: dict[int, tuple[list[str], list[str]]] = {}
    for aid, address, verified in db.query(
            "SELECT account_id, address, verified FROM ghec_account_emails WHERE enterprise_id = ?",
            (enterprise_id,)):
        emails.setdefault(aid, ([], []))[0 if verified else 1].append(address)
    identities = {r["account_id"]: identity_attributes(r["name_claim"], r["emailaddress_claim"], r["username"],
                                                       r["name_id"], json.loads(r["emails"]))
                  for r in db.query("SELECT * FROM ghec_identities WHERE enterprise_id = ?", (enterprise_id,))}
    accounts, templates = [], []
    for aid, login, template in db.query(
            "SELECT id, login, row_template FROM ghec_accounts WHERE enterprise_id = ? ORDER BY ordinal",
            (enterprise_id,)):
        verified, unverified = emails.get(aid, ([], []))
        accounts.append(CloudAccount(aid, login, tuple(verified), tuple(unverified), identities.get(aid)))
        templates.append(tuple(template.split(TEMPLATE_SEPARATOR)))
    cloud = make_cloud(accounts, templates, uses_saml)
    prime_cloud(db, enterprise_id, generation, cloud)
    return cloud


def prime_cloud(db: Database, enterprise_id: int, generation: str, cloud: CloudRows) -> None:
    """Remember an enterprise's GitHub.com side for `generation` (the loader primes it from memory)."""
    with _cache_lock:
        _cloud_cache[(str(db.path), enterprise_id)] = (generation, cloud)


def scenario_spec(db: Database) -> dict[str, Any] | None:
    """The scenario the state was built from, or None for an empty database."""
    raw = db.get_kv(SCENARIO_KEY)
    return json.loads(raw) if raw else None
