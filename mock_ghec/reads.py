"""Read-only queries of the mock GHEC's state (the store is the only code that writes).

Every query here is a key lookup or a key range. A row is rendered to JSON by SQLite from its
stored server-derived values and its account's fragments (ROW_JSON, see rows.py); the hot
path, a consumed-licenses page, has reads of its own in page_rows.py.
"""
from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, cast

from github_http.auth import token_digest
from github_http.storage import Database

from . import cloud_reads
from .rows import GHES_ONLY_TEMPLATE, CloudSide

GENERATION_KEY = "ghec_generation"
SCENARIO_KEY = "ghec_scenario"

_ID = re.compile(r"[0-9]{1,18}")  # an enterprise named by its numeric id
#: Enterprises whose GitHub.com side is kept (per process, least recently used dropped first).
#: WHY a bound: every app and state file a process opens adds entries (228 after tests/ghec).
CLOUD_CACHE_LIMIT = 8
_cloud_cache: OrderedDict[tuple[str, int], tuple[str, CloudSide]] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class EnterpriseAccess:
    """An enterprise and how the caller relates to it (role None: no relation)."""

    id: int
    slug: str
    name: str
    seats_purchased: int
    seats_consumed: int
    account_rows: int  # rows 1..account_rows are GitHub.com accounts' (see page_rows.py)
    uses_saml: bool
    role: str | None
    owner: bool
    rows_stamp: str | None = None  # the rows' current stamp: which kept pages are current (page_cache.py)


def login_for_token(db: Database, token: str) -> str | None:
    """The login a token belongs to (looked up by digest, never by the token text)."""
    row = db.one("SELECT login FROM ghec_tokens WHERE digest = ?", (token_digest(token),))
    return row[0] if row else None


_ACCESS_COLUMNS = ("e.id, e.slug, e.name, e.seats_purchased, e.seats_consumed, e.account_rows, e.uses_saml, "
                   "a.role, a.enterprise_owner, (SELECT stamp FROM ghec_row_stamps WHERE enterprise_id = e.id)")


def _access(row: Any) -> EnterpriseAccess:
    """An EnterpriseAccess from the `_ACCESS_COLUMNS` of a row."""
    return EnterpriseAccess(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], bool(row[8]), row[9])


def enterprise_access(db: Database, slug: str, login: str | None) -> EnterpriseAccess | None:
    """The enterprise named by slug (or numeric id) with the caller's role in it, or None."""
    sql = (f"SELECT {_ACCESS_COLUMNS} FROM ghec_enterprises e LEFT JOIN ghec_accounts a "
           "ON a.enterprise_id = e.id AND a.login = ? WHERE ")
    row = db.one(sql + "e.slug = ?", (login or "", slug))
    if row is None and _ID.fullmatch(slug):  # ASCII digits that fit SQLite's integer (no 500 on "²" or 10**30)
        row = db.one(sql + "e.id = ?", (login or "", int(slug)))
    return _access(row) if row is not None else None


def token_access(db: Database, token: str, slug: str) -> tuple[str | None, EnterpriseAccess | None]:
    """(the token's login, the enterprise `slug` with that login's role in it), read again only
    after a write (`Database.cached_read`): every API request asks it, and the read is a join."""
    return db.cached_read(("token_access", token, slug), lambda: _read_token_access(db, token, slug))


def _read_token_access(db: Database, token: str, slug: str) -> tuple[str | None, EnterpriseAccess | None]:
    """`token_access` from the database, in one read.

    WHY one statement: every API request asks both, and on the consumed-licenses page two
    round trips to SQLite were a tenth of the serving cost. A slug that names no enterprise
    may still be a numeric id: that rarer case takes `enterprise_access`'s second look.
    """
    row = db.one(f"SELECT t.login, {_ACCESS_COLUMNS} FROM ghec_tokens t "
                 "LEFT JOIN ghec_enterprises e ON e.slug = ? "
                 "LEFT JOIN ghec_accounts a ON a.enterprise_id = e.id AND a.login = t.login "
                 "WHERE t.digest = ?", (slug, token_digest(token)))
    if row is None:
        return None, None
    if row[1] is None:
        return row[0], enterprise_access(db, slug, row[0])
    return row[0], _access(row[1:])


def enterprise_for_connect_token(db: Database, token: str) -> int | None:
    """The id of the enterprise whose GitHub Connect token this is (digest lookup)."""
    row = db.one("SELECT id FROM ghec_enterprises WHERE connect_token_digest = ?", (token_digest(token),))
    return row[0] if row else None


def sql_text(text: str) -> str:
    """A constant as an SQL string literal (for SQL that embeds a row template)."""
    return "'" + text.replace("'", "''") + "'"


_G = GHES_ONLY_TEMPLATE
#: One row's JSON, put together by SQLite: `rows.render` (= RowEncoder.fill) written in SQL. A
#: GHES-only row always has server accounts, so its `enterprise_server_user` is constant true.
ROW_JSON = (
    f"CASE WHEN r.account_id IS NULL THEN {sql_text(_G[0])} || r.server_user_ids || "
    f"{sql_text(_G[1] + 'true' + _G[2])} || r.server_emails || {sql_text(_G[3])} || r.user_accounts || "
    f"{sql_text(_G[4])} ELSE a.row_t0 || r.server_user_ids || a.row_t1 || "
    "CASE WHEN r.server_user_ids = '[]' THEN 'false' ELSE 'true' END || a.row_t2 || r.server_emails || "
    "a.row_t3 || r.user_accounts || a.row_t4 END")
#: The rows with their account's fragments (a GHES-only row joins nothing).
ROWS_FROM = "license_rows r LEFT JOIN ghec_accounts a ON a.enterprise_id = r.enterprise_id AND a.id = r.account_id"


def _tuples(db: Database, sql: str, params: Any = ()) -> list[tuple]:
    """All rows of a read as plain tuples (no sqlite3.Row per row: bulk and hot-path reads)."""
    cur = db.connection().cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


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
    rendered = f"(SELECT r.rownum AS rownum, {ROW_JSON} AS row_json FROM {ROWS_FROM} WHERE r.enterprise_id = ?)"
    where = "1"
    params: list[int | str] = [enterprise_id]
    if query.strip():
        escaped = query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        values = " OR ".join(f"lower(json_extract(row_json, '$.{f}')) LIKE ? ESCAPE '\\'" for f in SEARCHED)
        where = f"row_json LIKE ? ESCAPE '\\' AND ({values})"
        params += [pattern] * (1 + len(SEARCHED))
        total = db.query(f"SELECT COUNT(*) FROM {rendered} WHERE {where}", params)[0][0]
    else:
        total = db.query("SELECT COUNT(*) FROM license_rows WHERE enterprise_id = ?", (enterprise_id,))[0][0]
    rows = db.query(f"SELECT rownum, row_json FROM {rendered} WHERE {where} ORDER BY rownum "
                    "LIMIT ? OFFSET ?", (*params, limit, offset))
    return total, [(r[0], json.loads(r[1])) for r in rows]


def row_with_sources(db: Database, enterprise_id: int, rownum: int) -> tuple[dict, list] | None:
    """One row and its provenance `[[server_id, user_id, rule], ...]`, or None."""
    if not 0 < rownum < 2**63:  # past SQLite's integer range no row exists (and binding it would raise)
        return None
    row = db.one(f"SELECT {ROW_JSON}, r.sources FROM {ROWS_FROM} WHERE r.enterprise_id = ? AND r.rownum = ?",
                 (enterprise_id, rownum))
    return (json.loads(row[0]), json.loads(row[1])) if row else None


def all_rows(db: Database, enterprise_id: int) -> list[tuple[int, str, str]]:
    """Every (rownum, row JSON, sources JSON) of an enterprise, in order (CSV, explain)."""
    return _tuples(db, f"SELECT r.rownum, {ROW_JSON}, r.sources FROM {ROWS_FROM} WHERE r.enterprise_id = ? "
                       "ORDER BY r.rownum", (enterprise_id,))


def servers(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    """The enterprise's GHES instances with their last event and sync, oldest first."""
    rows = db.query("SELECT * FROM ghes_servers WHERE enterprise_id = ? ORDER BY id", (enterprise_id,))
    return [dict(r) for r in rows]


def server(db: Database, enterprise_id: int, server_id: str) -> dict[str, Any] | None:
    """One instance of the enterprise, or None."""
    row = db.one("SELECT * FROM ghes_servers WHERE enterprise_id = ? AND server_id = ?",
                 (enterprise_id, server_id))
    return dict(row) if row else None


def connect_enterprises(db: Database, server_id: str, other_than: int) -> list[str]:
    """Slugs of the other enterprises this server is registered with through GitHub Connect."""
    rows = db.query("SELECT e.slug FROM ghes_servers s JOIN ghec_enterprises e ON e.id = s.enterprise_id "
                    "WHERE s.server_id = ? AND s.connect = 1 AND s.enterprise_id != ? ORDER BY e.slug",
                    (server_id, other_than))
    return [row[0] for row in rows]


def kept_users(db: Database, enterprise_id: int, only: set[str] | None = None,
               skip: str | None = None) -> dict[str, tuple[str, list[list]]]:
    """What GHEC keeps per server: server_id -> (host name, [[user id, primary, *secondaries]]).

    `only` limits it to some servers (a row page needs just the servers of its row); `skip`
    leaves one out (the upload being taken, which the store already holds in memory).
    """
    # WHY `skip` in the SQL: the users of the file being taken (60 MB of JSON for 1,000,000 users)
    # must not be read back just to be dropped; for an upload that read was its peak of memory.
    rows = db.query(
        "SELECT s.server_id, s.host_name, u.users FROM ghes_usage u JOIN ghes_servers s ON s.id = u.server_ref "
        "WHERE s.enterprise_id = ? AND s.server_id IS NOT ? ORDER BY s.id", (enterprise_id, skip))
    return {sid: (host, json.loads(users)) for sid, host, users in rows if only is None or sid in only}


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
    sql, params = "SELECT * FROM privacy_ledger", cast(tuple[str, ...], ())
    if enterprise:
        sql, params = sql + " WHERE enterprise = ? COLLATE NOCASE", (enterprise,)
    return [{**dict(r), "encrypted": bool(r["encrypted"]), "paths": json.loads(r["paths"])}
            for r in db.query(sql + " ORDER BY id", params)]


def cloud_side_of(db: Database, enterprise_id: int) -> CloudSide:
    """The enterprise's GitHub.com side (match index + row order), cached per scenario generation.

    WHY cached: it only changes when a scenario is loaded, and rebuilding it for a large
    enterprise on every upload would eat the upload's time budget. The generation is a random
    token written at each load, so a snapshot restore or another worker's load invalidates it.
    Not cached yet: the loader's kept index, else built from the tables (cloud_reads.py).
    """
    generation = db.get_kv(GENERATION_KEY, "") or ""
    key = (str(db.path), enterprise_id)
    cached = _cloud_cache.get(key)
    if cached and cached[0] == generation:
        with _cache_lock:
            if key in _cloud_cache:
                _cloud_cache.move_to_end(key)
        return cached[1]
    cloud = cloud_reads.kept(db, enterprise_id, generation) or cloud_reads.from_tables(db, enterprise_id)
    prime_cloud(db, enterprise_id, generation, cloud)
    return cloud


def uses_saml(db: Database, enterprise_id: int) -> bool:
    """Whether the enterprise links SAML identities (the matching's fourth rule applies)."""
    row = db.one("SELECT uses_saml FROM ghec_enterprises WHERE id = ?", (enterprise_id,))
    return bool(row and row[0])


def prime_cloud(db: Database, enterprise_id: int, generation: str, cloud: CloudSide) -> None:
    """Remember an enterprise's GitHub.com side for `generation` (the loader primes it from memory)."""
    with _cache_lock:
        key = (str(db.path), enterprise_id)
        _cloud_cache[key] = (generation, cloud)
        _cloud_cache.move_to_end(key)
        while len(_cloud_cache) > CLOUD_CACHE_LIMIT:
            _cloud_cache.popitem(last=False)


def scenario_spec(db: Database) -> dict[str, Any] | None:
    """The scenario the state was built from, or None for an empty database."""
    raw = db.get_kv(SCENARIO_KEY)
    return json.loads(raw) if raw else None
