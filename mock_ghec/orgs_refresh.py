"""After a change through GitHub's endpoints: judge the touched accounts again and rebuild the rows.

Part of the store (inside the caller's transaction): each touched account's §7 facts are read
back from the organization tables, judged (`scenarios.billing.evaluate`), its row template is
rendered again from what it now is (roles, pending invitations, Visual Studio link), and the
enterprise's rows are recomputed in the same transaction, so the answer to the request that
changed something already counts it. Accounts are few; the server-only rows' path is the
loader's and the upload's, untouched.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from scenarios.billing import MEMBER_INVITATION_ROLES, AccountFacts, PendingInvitation, RepoAccess, Verdict, evaluate

from . import reads
from .orgs_seed import invitation_fields
from .recompute import recompute
from .rows import ENCODER, account_fields


@dataclass(slots=True)
class _Identity:
    name_id: str


@dataclass(slots=True)
class AccountView:
    """What `rows.account_fields` reads of an account, rebuilt from the tables."""

    login: str
    name: str
    role: str
    enterprise_owner: bool
    two_factor: bool
    verified_emails: list[str] = field(default_factory=list)
    org_roles: list[str] = field(default_factory=list)
    pending_invite_orgs: list[str] = field(default_factory=list)
    identity: _Identity | None = None
    visual_studio_subscriber: bool = False
    visual_studio_email: str = ""


def managed_users(conn: Any, enterprise_id: int) -> bool:
    """Whether the enterprise uses Enterprise Managed Users."""
    row = conn.execute("SELECT managed_users FROM ghec_enterprise_flags WHERE enterprise_id = ?",
                       (enterprise_id,)).fetchone()
    return bool(row and row[0])


def _repo(conn: Any, enterprise_id: int, org: str, repo: str) -> RepoAccess:
    """A repository as billing sees it ('' : the unnamed private repository)."""
    if not repo:
        return RepoAccess("")
    row = conn.execute("SELECT visibility, fork FROM ghec_repos WHERE enterprise_id = ? AND org = ? AND name = ?",
                       (enterprise_id, org, repo)).fetchone()
    return RepoAccess(f"{org}/{repo}", row[0], bool(row[1])) if row else RepoAccess(f"{org}/{repo}")


def judge(conn: Any, enterprise_id: int, account_id: int) -> tuple[Verdict, AccountView | None]:
    """The account's verdict and, for a real account (not an email invitation), its row's view."""
    eid = enterprise_id
    emu = managed_users(conn, eid)
    invites = [PendingInvitation(org, role, failed is not None,
                                 tuple(_repo(conn, eid, *name.split("/", 1)) for name in json.loads(repos)))
               for org, role, failed, repos in conn.execute(
                   "SELECT org, role, failed_at, repos FROM ghec_invitations WHERE enterprise_id = ? "
                   "AND account_id = ? ORDER BY id", (eid, account_id))]
    if account_id < 0:
        return evaluate(AccountFacts(managed_users=emu, invitations=tuple(invites))), None
    acct = conn.execute("SELECT login, name, role, enterprise_owner FROM ghec_accounts WHERE enterprise_id = ? "
                        "AND id = ?", (eid, account_id)).fetchone()
    flags = conn.execute("SELECT two_factor, enterprise_billing_manager, suspended, guest, setup_user "
                         "FROM ghec_account_facts WHERE enterprise_id = ? AND account_id = ?",
                         (eid, account_id)).fetchone() or (1, 0, 0, 0, 0)
    roles = conn.execute("SELECT org, role FROM ghec_org_roles WHERE enterprise_id = ? AND account_id = ? "
                         "ORDER BY position", (eid, account_id)).fetchall()
    collab = [(org, repo) for org, repo in conn.execute(
        "SELECT org, repo FROM ghec_collaborators WHERE enterprise_id = ? AND account_id = ? ORDER BY org, repo",
        (eid, account_id))]
    emails = conn.execute("SELECT address, verified FROM ghec_account_emails WHERE enterprise_id = ? AND "
                          "account_id = ?", (eid, account_id)).fetchall()
    own = {a.lower() for a, _ in emails}
    subs = conn.execute("SELECT email, account_id FROM ghec_vs_subscriptions WHERE enterprise_id = ? AND "
                        "(account_id = ? OR (account_id IS NULL AND lower(email) IN (SELECT lower(address) FROM "
                        "ghec_account_emails WHERE enterprise_id = ? AND account_id = ?))) "
                        "ORDER BY account_id IS NULL, id",
                        (eid, account_id, eid, account_id)).fetchall()
    linked = [email for email, aid in subs if aid == account_id]
    facts = AccountFacts(
        managed_users=emu, owner_of=tuple(o for o, r in roles if r == "admin"),
        member_of=tuple(o for o, r in roles if r == "member"),
        billing_manager_of=tuple(o for o, r in roles if r == "billing_manager"), enterprise_owner=bool(acct[3]),
        enterprise_billing_manager=bool(flags[1]), collaborator_on=tuple(_repo(conn, eid, o, r) for o, r in collab),
        invitations=tuple(invites), suspended=bool(flags[2]), guest_collaborator=bool(flags[3]),
        setup_user=bool(flags[4]), visual_studio=bool(subs) and (bool(linked) or subs[0][0].lower() in own),
        visual_studio_linked=bool(linked))
    verdict = evaluate(facts)
    identity = conn.execute("SELECT name_id FROM ghec_identities WHERE enterprise_id = ? AND account_id = ?",
                            (eid, account_id)).fetchone()
    member_roles = [f"{o}:{'Owner' if r == 'admin' else 'Member'}" for o, r in roles if r != "billing_manager"]
    member_roles += [f"{o}/{r}:Collaborator" for o, r in collab if r]
    role = ("owner" if acct[3] else "member" if facts.owner_of or facts.member_of else
            "outside_collaborator" if collab else "pending_invitation" if any(not i.failed for i in invites)
            else acct[2])
    view = AccountView(acct[0], acct[1], role, bool(acct[3]), bool(flags[0]), [a for a, v in emails if v],
                       member_roles, [i.org for i in invites if not i.failed and not i.repos
                                      and i.role in MEMBER_INVITATION_ROLES],
                       _Identity(identity[0]) if identity else None, bool(linked), linked[0] if linked else "")
    return verdict, view


def refresh(db: Any, conn: Any, enterprise_id: int, account_ids: set[int], renumber: bool = False) -> None:
    """Judge `account_ids` again, render their rows, and recompute the enterprise's rows (one transaction);
    recompute's new row stamp is what keeps a cached page of the old rows from being served."""
    domains = json.loads(conn.execute("SELECT verified_domains FROM ghec_enterprises WHERE id = ?",
                                      (enterprise_id,)).fetchone()[0])
    for account_id in sorted(account_ids):
        exists = conn.execute("SELECT 1 FROM ghec_accounts WHERE enterprise_id = ? AND id = ?",
                              (enterprise_id, account_id)).fetchone()
        if not exists:
            continue
        verdict, view = judge(conn, enterprise_id, account_id)
        conn.execute("INSERT INTO ghec_account_facts (enterprise_id, account_id, billed, rule, why, bundled) "
                     "VALUES (?,?,?,?,?,?) ON CONFLICT (enterprise_id, account_id) DO UPDATE SET billed = "
                     "excluded.billed, rule = excluded.rule, why = excluded.why, bundled = excluded.bundled",
                     (enterprise_id, account_id, int(verdict.billed), verdict.rule, verdict.why, int(verdict.bundled)))
        if view is None:
            org = conn.execute("SELECT org FROM ghec_invitations WHERE enterprise_id = ? AND account_id = ?",
                               (enterprise_id, account_id)).fetchone()
            parts = ENCODER.template(invitation_fields(org[0] if org else ""))
            role = "pending_invitation"
        else:
            parts, role = ENCODER.template(account_fields(view, domains)), view.role
        conn.execute("UPDATE ghec_accounts SET role = ?, row_t0 = ?, row_t1 = ?, row_t2 = ?, row_t3 = ?, row_t4 = ? "
                     "WHERE enterprise_id = ? AND id = ?", (role, *parts, enterprise_id, account_id))
    if renumber:
        order = sorted(conn.execute("SELECT id, login FROM ghec_accounts WHERE enterprise_id = ?",
                                    (enterprise_id,)).fetchall(), key=lambda r: (r[1].lower(), r[0]))
        conn.executemany("UPDATE ghec_accounts SET ordinal = ? WHERE enterprise_id = ? AND id = ?",
                         [(n, enterprise_id, aid) for n, (aid, _) in enumerate(order, start=1)])
    db.set_kv(reads.GENERATION_KEY, uuid.uuid4().hex)  # the cached match index is stale now
    recompute(db, conn, enterprise_id)
