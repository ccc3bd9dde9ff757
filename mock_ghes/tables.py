"""The GHES state's tables: their SQL layout and version, and the column order rows are written in.

Kept apart from store.py (which reads and writes them) as GHEC's tables.py is, so a layout
change is one file: the DDL, SCHEMA_VERSION (an older state file is brought forward by
MIGRATIONS, any other refused), and the column tuples `seeding` builds rows in.
"""
from __future__ import annotations

#: Bumped whenever a table's layout changes (a file without it is v1, the first layout).
SCHEMA_VERSION = "2"
SCHEMA_VERSION_KEY = "ghes_schema_version"
#: The site admin's tokens of every kind (DOMAIN §10) besides its own classic one in `ghes_users`
#: (scenarios/tokens.py `ghes:{k}:admin:{kind}`), and those a scenario file declares
#: (`ghes:{k}:token:{key}:{kind}`), by the account's id so a rename keeps them.
TOKENS_TABLE = """
CREATE TABLE IF NOT EXISTS ghes_tokens (
    digest TEXT PRIMARY KEY,                 -- sha256 of the token; the token itself is never stored
    user_id INTEGER NOT NULL,
    label TEXT NOT NULL,                     -- its scenario key, which names its kind
    scopes TEXT                              -- a declared token's scopes, space-separated; NULL: its holder's
)"""
#: v1 -> v2: `ghes_tokens` (empty: a kept v1 state gains the admin's kind tokens at its next reset).
MIGRATIONS = {"1": (TOKENS_TABLE,)}
TOKEN_COLUMNS = ("digest", "user_id", "label", "scopes")
SCHEMA = TOKENS_TABLE + ";" + """
CREATE TABLE IF NOT EXISTS ghes_instance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    instance_index INTEGER NOT NULL, server_id TEXT NOT NULL, host_name TEXT NOT NULL,
    version TEXT NOT NULL, seats INTEGER, license_kind TEXT NOT NULL, expire_at TEXT NOT NULL,
    company TEXT NOT NULL, license_hash TEXT NOT NULL, public_key TEXT NOT NULL,
    reference_number TEXT NOT NULL, manage_token_digest TEXT NOT NULL,
    seed INTEGER NOT NULL, preset TEXT NOT NULL, params_json TEXT NOT NULL,
    admin_login TEXT NOT NULL, member_login TEXT NOT NULL,
    scenario_sync_enabled_at TEXT NOT NULL, seeded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ghes_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT,
    emails_json TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'user',
    site_admin INTEGER NOT NULL DEFAULT 0,
    suspended INTEGER NOT NULL DEFAULT 0,
    suspended_at TEXT, suspension_reason TEXT,
    dormant INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, last_active_at TEXT,
    person_id INTEGER, canary TEXT NOT NULL DEFAULT '',
    token_digest TEXT UNIQUE
);
"""
USER_COLUMNS = ("id", "login", "name", "emails_json", "kind", "site_admin", "suspended",
                "suspended_at", "suspension_reason", "dormant", "created_at", "last_active_at",
                "person_id", "canary", "token_digest")
INSTANCE_COLUMNS = ("instance_index", "server_id", "host_name", "version", "seats", "license_kind",
                    "expire_at", "company", "license_hash", "public_key", "reference_number",
                    "manage_token_digest", "seed", "preset", "params_json", "admin_login",
                    "member_login", "scenario_sync_enabled_at", "seeded_at")
