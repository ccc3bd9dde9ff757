"""The tables of the GHEC organization store: who belongs where, and why each account is billed.

New tables only (CREATE IF NOT EXISTS), so state files and snapshots of the consumed-license
tables keep their version. Accounts stay in `ghec_accounts` (every GitHub.com account the
enterprise knows, billed or not); these tables say what §7 looks at, and
`ghec_account_facts` holds each account's verdict: only billed accounts get a row
(`reads.cloud_side_of` leaves the others out of matching and row order).

An invitation by email to someone with no account is an account too, so it can have a row:
id `-invitation_id`, login `~invitation-ID` (no GitHub.com login has "~"), no emails.
"""
from __future__ import annotations

#: Shared with the v6 -> v7 migration (tables.py), which adds the index to a kept state file.
INVITATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS ghec_invitations (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL,
    org TEXT NOT NULL COLLATE NOCASE,
    role TEXT NOT NULL,                       -- direct_member | admin | billing_manager | reinstate
    account_id INTEGER,                       -- the invitee's account (for an email invitation: -id)
    login TEXT,                               -- NULL: invited by email
    email TEXT,
    failed_at TEXT,                           -- NULL: pending
    repos TEXT NOT NULL DEFAULT '[]',         -- JSON ["org/repo"]: an outside-collaborator invitation
    source TEXT NOT NULL DEFAULT 'member',    -- member | scim
    inviter_id INTEGER NOT NULL DEFAULT 0,
    inviter_login TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
)"""
#: An account's invitations by key, not by a scan of every invitation: the derived cells of a refreshed or
#: restored account are read by (enterprise, account) (derive.py; tables v7).
INVITATIONS_INDEX = ("CREATE INDEX IF NOT EXISTS ghec_invitations_account "
                     "ON ghec_invitations (enterprise_id, account_id)")

ORGS_SCHEMA = """
CREATE TABLE IF NOT EXISTS ghec_orgs (
    enterprise_id INTEGER NOT NULL,
    login TEXT NOT NULL COLLATE NOCASE,
    id INTEGER NOT NULL,
    saml INTEGER NOT NULL DEFAULT 0,          -- SAML on this organization (the enterprise's own is separate)
    PRIMARY KEY (enterprise_id, login)
);
CREATE TABLE IF NOT EXISTS ghec_repos (
    enterprise_id INTEGER NOT NULL,
    org TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    visibility TEXT NOT NULL,                 -- public | private | internal
    fork INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (enterprise_id, org, name)
);
CREATE TABLE IF NOT EXISTS ghec_org_roles (
    enterprise_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    org TEXT NOT NULL COLLATE NOCASE,
    role TEXT NOT NULL,                       -- admin | member | billing_manager (GitHub's membership roles)
    position INTEGER NOT NULL,                -- order of github_com_member_roles
    PRIMARY KEY (enterprise_id, account_id, org)
);
CREATE TABLE IF NOT EXISTS ghec_collaborators (
    enterprise_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    org TEXT NOT NULL COLLATE NOCASE,
    repo TEXT NOT NULL COLLATE NOCASE,        -- '' : a private repository the scenario does not name
    PRIMARY KEY (enterprise_id, account_id, org, repo)
);
""" + INVITATIONS_TABLE + ";\n" + INVITATIONS_INDEX + """;
CREATE TABLE IF NOT EXISTS ghec_account_facts (
    enterprise_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    two_factor INTEGER NOT NULL DEFAULT 1,
    enterprise_billing_manager INTEGER NOT NULL DEFAULT 0,
    suspended INTEGER NOT NULL DEFAULT 0,
    guest INTEGER NOT NULL DEFAULT 0,
    setup_user INTEGER NOT NULL DEFAULT 0,
    billed INTEGER NOT NULL,                  -- DOMAIN §7's verdict, recomputed with every change
    rule TEXT NOT NULL,
    why TEXT NOT NULL,
    bundled INTEGER NOT NULL DEFAULT 0,       -- the license is bundled with a Visual Studio subscription
    PRIMARY KEY (enterprise_id, account_id)
);
CREATE TABLE IF NOT EXISTS ghec_scim_users (
    id TEXT PRIMARY KEY,                      -- GUID
    enterprise_id INTEGER NOT NULL,
    scope TEXT NOT NULL COLLATE NOCASE,       -- 'org:LOGIN' or 'enterprise' (managed users)
    account_id INTEGER,                       -- linked account, NULL until one is
    external_id TEXT,
    user_name TEXT NOT NULL,
    given_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    display_name TEXT,
    emails TEXT NOT NULL,                     -- JSON [{value, primary, type}]
    roles TEXT NOT NULL DEFAULT '[]',         -- JSON [{value, primary}]
    active INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    modified TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ghec_vs_subscriptions (
    enterprise_id INTEGER NOT NULL,
    id TEXT NOT NULL,                         -- GUID from the Visual Studio portal
    email TEXT NOT NULL,
    account_id INTEGER,                       -- the linked account, NULL: not linked
    manual INTEGER NOT NULL DEFAULT 0,        -- matched by an owner (PUT), not by email
    PRIMARY KEY (enterprise_id, id)
);
CREATE TABLE IF NOT EXISTS ghec_enterprise_flags (
    enterprise_id INTEGER PRIMARY KEY,
    managed_users INTEGER NOT NULL DEFAULT 0  -- Enterprise Managed Users
);
"""

#: Emptied with the other domain tables when a scenario is loaded (children first).
ORGS_TABLES = ("ghec_vs_subscriptions", "ghec_scim_users", "ghec_account_facts", "ghec_invitations",
               "ghec_collaborators", "ghec_org_roles", "ghec_repos", "ghec_orgs", "ghec_enterprise_flags")

#: Accounts with no license row: what `reads.cloud_side_of` leaves out (an account with no facts is billed).
NOT_BILLED_FILTER = ("NOT EXISTS (SELECT 1 FROM ghec_account_facts f WHERE "
                     "f.enterprise_id = ghec_accounts.enterprise_id AND f.account_id = ghec_accounts.id "
                     "AND f.billed = 0)")
