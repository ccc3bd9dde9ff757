"""Filling the organization store from a scenario enterprise (inside the loader's transaction).

Part of the store: `Store._insert_enterprise` calls `seed_enterprise` once its accounts are
in. Seeded worlds keep today's meaning (every seeded account is billed: an outside
collaborator with no named repository collaborates on an unnamed private one); what a
scenario file or the `edge-cases` preset declares beyond that (billing managers, public
repositories, failed or email invitations, EMU, Visual Studio links) is stored as declared.
Only primary values are written here: each account's verdict, role and row fragments are
`derive.derive`'s, which the loader runs next (the refresh's and the restore's code path).
"""
from __future__ import annotations

import json
from typing import Any

from scenarios.billing_world import email_invitations, org_roles

from .rows import GHES_ONLY_FIELDS

FACTS_SQL = "INSERT OR REPLACE INTO ghec_account_facts VALUES (?,?,?,?,?,?,?,?,?,?,?)"
ACCOUNT_SQL = "INSERT INTO ghec_accounts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
#: What a derived cell holds until `derive.derive` writes it (row fragments; a verdict's billed, rule, why, bundled).
NO_TEMPLATE = ("",) * 5
NO_VERDICT = (0, "", "", 0)


def guid(kind: int, enterprise_id: int, number: int) -> str:
    """A stable GUID-shaped id for (kind, enterprise, number), without hashing (a large world has tens
    of thousands): kind 1 SCIM user, 2 external id, 3 subscription, 4 unlinked subscription."""
    return f"{enterprise_id & 0xFFFFFFFF:08x}-{kind:04x}-4000-8000-{number & 0xFFFFFFFFFFFF:012x}"


def pseudo_login(invitation_id: int) -> str:
    """The internal login of an email invitation's account (never a GitHub.com login: it has "~")."""
    return f"~invitation-{invitation_id}"


def invitation_fields(org: str) -> dict[str, Any]:
    """The row of an invitation by email: no GitHub.com account yet, one organization pending."""
    return {**GHES_ONLY_FIELDS, "github_com_orgs_with_pending_invites": [org]}


def _split(name: str) -> tuple[str, str]:
    """"org/repo" -> (org, repo)."""
    org, _, repo = name.partition("/")
    return org, repo


def seed_enterprise(conn: Any, ent: Any, members: list[Any], now: str, first_ordinal: int) -> None:
    """Store organizations, repositories, roles, invitations, identities, subscriptions and each
    account's own facts (two-factor, suspended, ...); verdicts and rows are derived afterwards."""
    eid = ent.id
    conn.execute("INSERT OR REPLACE INTO ghec_enterprise_flags VALUES (?, ?)", (eid, int(ent.managed_users)))
    conn.executemany("INSERT OR IGNORE INTO ghec_orgs VALUES (?,?,?,?)",
                     [(eid, org, eid * 1000 + n, int(org in ent.saml_orgs))
                      for n, org in enumerate(ent.organizations, start=1)])
    conn.executemany("INSERT OR REPLACE INTO ghec_repos VALUES (?,?,?,?,?)",
                     [(eid, r.org, r.name, r.visibility, int(r.fork)) for r in ent.repositories])
    roles: list[tuple] = []
    collaborators: list[tuple] = []
    invites: list[tuple[Any, ...]] = []
    facts: list[tuple] = []
    for m in members:
        owner, plain = org_roles(m)
        entries = [(o, "admin") for o in owner] + [(o, "member") for o in plain]
        entries += [(o, "billing_manager") for o in m.billing_manager_orgs if o not in owner + plain]
        roles += [(eid, m.id, org, role, n) for n, (org, role) in enumerate(entries)]
        repos = [_split(r) for r in m.collaborator_repos]
        if not repos and m.role == "outside_collaborator" and ent.organizations:
            repos = [(ent.organizations[0], "")]
        collaborators += [(eid, m.id, org, repo) for org, repo in repos]
        invites += [(None, eid, org, "direct_member", m.id, m.login, None, None, "[]", "member", 0, "", now)
                    for org in m.pending_invite_orgs]
        facts.append((eid, m.id, int(m.two_factor), int(m.enterprise_billing_manager), int(m.suspended),
                      int(m.guest_collaborator), int(m.setup_enterprise), *NO_VERDICT))
    by_login = {m.login.lower(): m for m in members}
    for inv in sorted(ent.invitations, key=lambda i: i.id):
        who = by_login.get((inv.login or "").lower())
        account_id = who.id if who else -inv.id
        invites.insert(0, (inv.id, eid, inv.org, inv.role, account_id, who.login if who else None, inv.email,
                           now if inv.failed else None, json.dumps(inv.collaborator_repos), "member", 0, "", now))
    conn.executemany("INSERT OR IGNORE INTO ghec_org_roles VALUES (?,?,?,?,?)", roles)
    conn.executemany("INSERT OR IGNORE INTO ghec_collaborators VALUES (?,?,?,?)", collaborators)
    conn.executemany("INSERT INTO ghec_invitations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", invites)
    conn.executemany(FACTS_SQL, facts)
    _seed_identities(conn, ent, members, now)
    _seed_subscriptions(conn, ent, members)
    _seed_email_invitations(conn, ent, first_ordinal)


def _seed_email_invitations(conn: Any, ent: Any, first_ordinal: int) -> None:
    """An account per invitation by email (so it can have a row, if billed)."""
    for n, inv in enumerate(email_invitations(ent), start=first_ordinal):
        conn.execute(ACCOUNT_SQL, (ent.id, -inv.id, n, pseudo_login(inv.id), "", "pending_invitation", 0,
                                   *NO_TEMPLATE))
        conn.execute(FACTS_SQL, (ent.id, -inv.id, 0, 0, 0, 0, 0, *NO_VERDICT))


def _seed_identities(conn: Any, ent: Any, members: list[Any], now: str) -> None:
    """SCIM users: per organization for SCIM-provisioned identities, per enterprise for every managed user."""
    rows = []
    for m in members:
        ident = m.identity
        if ent.managed_users:
            if m.setup_enterprise:
                continue
            scope = "enterprise"
        elif ident is None or ident.provider != "scim":
            continue
        else:
            owner, plain = org_roles(m)
            scope = "org:" + ((owner + plain)[:1] or ent.organizations[:1] or [""])[0]
        user_name = ident.username if ident else m.login
        addresses = list(ident.emails) if ident else list(m.verified_emails)
        emails = [{"value": a, "primary": n == 0, "type": "work"} for n, a in enumerate(addresses)]
        given, _, family = (m.name or m.login).partition(" ")
        rows.append((guid(1, ent.id, m.id), ent.id, scope, m.id, m.scim_external_id or guid(2, ent.id, m.id),
                     user_name, given, family, m.name or None, json.dumps(emails), "[]", int(not m.suspended),
                     now, now))
    conn.executemany("INSERT INTO ghec_scim_users VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def _seed_subscriptions(conn: Any, ent: Any, members: list[Any]) -> None:
    """Visual Studio subscriptions: one per subscriber (linked unless declared otherwise), and the unlinked ones."""
    rows = [(ent.id, guid(3, ent.id, m.id), m.visual_studio_email or (m.verified_emails or [m.login])[0],
             m.id if m.visual_studio_linked else None, 0) for m in members if m.visual_studio_subscriber]
    rows += [(ent.id, guid(4, ent.id, sid), email, None, 0) for sid, email in ent.visual_studio_unlinked]
    conn.executemany("INSERT OR IGNORE INTO ghec_vs_subscriptions VALUES (?,?,?,?,?)", rows)
