"""The mock GHEC's SQLite tables, and what each may hold.

Rows are stored as their server-derived values and rendered by SQLite on reading
(`reads.ROW_JSON`), so an upload writes about 100 bytes per row (see rows.py).

Privacy by construction: of a GHES user, GHEC keeps ONLY the user id and email addresses
(`ghes_usage`, one compact JSON array per server, written in one statement so an upload of
100,000 users stays one cheap insert); no table has a column for anything else about a
server user, and the array holds nothing but ids and addresses. Server
instances keep what the export's instance block names (id, host, version) plus sync status.
"""
from __future__ import annotations

from .orgs_tables import INVITATIONS_INDEX, INVITATIONS_TABLE, ORGS_SCHEMA, ORGS_TABLES

#: Bumped whenever a table's layout changes; a state file of another version is brought forward
#: (MIGRATIONS) or refused clearly. (`ghec_cloud_index` needs no version: it is made empty in an older
#: file, and a row in it counts only under the generation its loader wrote, cloud_reads.KEPT_KEY.)
SCHEMA_VERSION = "7"
SCHEMA_VERSION_KEY = "ghec_schema_version"
#: Older versions of these tables that can be brought forward in place (state files kept with
#: --state), each with the statements that do it. v2 -> v3: `account_rows`; every account has a
#: row, numbered first, so it is the enterprise's number of accounts. v3 -> v4: `ghec_row_stamps`,
#: a fresh stamp per enterprise (page_cache.py keeps pages under it). v4 -> v5:
#: `ghes_servers.generated_at`, the accepted file's own time (an older file is refused with 409).
#: v5 -> v6: `ghec_tokens.scopes`, a declared token's classic scopes (NULL: its role's, as before).
#: v6 -> v7: the index of `ghec_invitations` by (enterprise, account) (the table first: a kept file from
#: before the organization tables has none yet).
ROW_STAMPS_TABLE = """
CREATE TABLE IF NOT EXISTS ghec_row_stamps (  -- a new random stamp each time an enterprise's rows are
    enterprise_id INTEGER PRIMARY KEY,       -- written: which kept pages are current (page_cache.py)
    stamp TEXT NOT NULL
)"""
_V3_TO_V4 = (ROW_STAMPS_TABLE,
             "INSERT OR REPLACE INTO ghec_row_stamps SELECT id, lower(hex(randomblob(12))) FROM ghec_enterprises")
_V4_TO_V5 = ("ALTER TABLE ghes_servers ADD COLUMN generated_at TEXT",)
_V5_TO_V6 = ("ALTER TABLE ghec_tokens ADD COLUMN scopes TEXT",)
_V6_TO_V7 = (INVITATIONS_TABLE, INVITATIONS_INDEX)
MIGRATIONS = {
    "2": ("ALTER TABLE ghec_enterprises ADD COLUMN account_rows INTEGER NOT NULL DEFAULT 0",
          "UPDATE ghec_enterprises SET account_rows = "
          "(SELECT count(*) FROM ghec_accounts a WHERE a.enterprise_id = ghec_enterprises.id)", *_V3_TO_V4,
          *_V4_TO_V5, *_V5_TO_V6, *_V6_TO_V7),
    "3": (*_V3_TO_V4, *_V4_TO_V5, *_V5_TO_V6, *_V6_TO_V7),
    "4": (*_V4_TO_V5, *_V5_TO_V6, *_V6_TO_V7),
    "5": (*_V5_TO_V6, *_V6_TO_V7),
    "6": _V6_TO_V7,
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS ghec_enterprises (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,               -- 0 is the scenario's main enterprise
    slug TEXT NOT NULL UNIQUE COLLATE NOCASE,
    scenario_slug TEXT NOT NULL,             -- the slug the seed's token keys were made with
    name TEXT NOT NULL,
    seats_purchased INTEGER NOT NULL,
    seats_consumed INTEGER NOT NULL DEFAULT 0,  -- = number of license_rows, kept in step
    account_rows INTEGER NOT NULL DEFAULT 0,    -- rows 1..account_rows are GitHub.com accounts', the rest server-only
    uses_saml INTEGER NOT NULL,
    organizations TEXT NOT NULL,             -- JSON array
    verified_domains TEXT NOT NULL,          -- JSON array
    connect_token_digest TEXT NOT NULL UNIQUE
);
""" + ROW_STAMPS_TABLE + """;
CREATE TABLE IF NOT EXISTS ghec_accounts (   -- GitHub.com accounts that consume a license
    enterprise_id INTEGER NOT NULL REFERENCES ghec_enterprises(id),
    id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,                -- row order: by login, case-insensitively
    login TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,                      -- owner | member | outside_collaborator | pending_invitation
    enterprise_owner INTEGER NOT NULL,
    row_t0 TEXT NOT NULL,                    -- the account's row with its four server slots cut out
    row_t1 TEXT NOT NULL,                    -- (RowEncoder.template): row = t0 ids t1 has-server t2
    row_t2 TEXT NOT NULL,                    --   emails t3 total t4, put together by SQLite on reading
    row_t3 TEXT NOT NULL,
    row_t4 TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, id),
    UNIQUE (enterprise_id, login)
);
CREATE TABLE IF NOT EXISTS ghec_account_emails (
    enterprise_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    address TEXT NOT NULL,
    verified INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, account_id, address)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ghec_identities (  -- linked SAML/SCIM identities
    enterprise_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    provider TEXT NOT NULL,
    name_id TEXT NOT NULL,
    username TEXT NOT NULL,
    name_claim TEXT NOT NULL,
    emailaddress_claim TEXT NOT NULL,
    emails TEXT NOT NULL,                    -- JSON array
    PRIMARY KEY (enterprise_id, account_id)
);
CREATE TABLE IF NOT EXISTS ghec_tokens (
    digest TEXT PRIMARY KEY,                 -- sha256 of the token; the token itself is never stored
    login TEXT NOT NULL COLLATE NOCASE,
    label TEXT NOT NULL,                     -- its scenario key (scenarios/tokens.py)
    scopes TEXT                              -- a declared token's scopes, space-separated; NULL: its role's
);
CREATE TABLE IF NOT EXISTS ghes_servers (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES ghec_enterprises(id),
    server_id TEXT NOT NULL,
    host_name TEXT NOT NULL,
    version TEXT NOT NULL,
    connect INTEGER NOT NULL DEFAULT 0,      -- registered through GitHub Connect
    has_usage INTEGER NOT NULL DEFAULT 0,    -- a file was accepted from it
    users INTEGER NOT NULL DEFAULT 0,
    event TEXT NOT NULL,                     -- the License page's "last event"
    event_at TEXT NOT NULL,
    sync_at TEXT,                            -- last sync attempt (uploads count), NULL: never
    sync_status TEXT,                        -- success | error
    sync_error TEXT NOT NULL DEFAULT '',
    generated_at TEXT,                       -- generated_at of the accepted file, NULL: none yet
    UNIQUE (enterprise_id, server_id)
);
CREATE TABLE IF NOT EXISTS ghes_usage (        -- ALL that GHEC keeps of a server's GHES users
    server_ref INTEGER PRIMARY KEY REFERENCES ghes_servers(id),
    users TEXT NOT NULL                       -- JSON [[user_id, primary_email, secondary_email, ...], ...]
);
CREATE TABLE IF NOT EXISTS license_rows (     -- consumed-license rows: their server-derived values only
    enterprise_id INTEGER NOT NULL,
    rownum INTEGER NOT NULL,                  -- dense from 1: a page is a key range
    account_id INTEGER,                       -- the GitHub.com account's row (fragments in ghec_accounts);
                                              -- NULL: GHES-only
    server_user_ids TEXT NOT NULL,            -- JSON array: enterprise_server_user_ids
    server_emails TEXT NOT NULL,              -- JSON array: enterprise_server_emails
    user_accounts INTEGER NOT NULL,           -- total_user_accounts
    sources TEXT NOT NULL,                    -- JSON [[server_id, user_id, rule], ...]
    PRIMARY KEY (enterprise_id, rownum)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ghec_cloud_index (  -- the loader's match index of a big enterprise, as its keys
    enterprise_id INTEGER PRIMARY KEY,         -- (cloud_reads.py), good while the generation is the loader's
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS privacy_ledger (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    source TEXT NOT NULL,                     -- upload | connect
    enterprise TEXT NOT NULL,
    server_id TEXT NOT NULL,
    encrypted INTEGER NOT NULL,
    users INTEGER NOT NULL,
    paths TEXT NOT NULL                       -- JSON array of field paths, arrays as []
);
""" + ORGS_SCHEMA

#: Domain tables in an order that respects references (children first, for deletes).
DOMAIN_TABLES = (*ORGS_TABLES,
                 "ghec_cloud_index", "ghec_row_stamps", "license_rows", "ghes_usage", "ghes_servers", "privacy_ledger",
                 "ghec_tokens",
                 "ghec_identities", "ghec_account_emails", "ghec_accounts", "ghec_enterprises")
