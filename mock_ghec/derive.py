"""Each account's derived cells (verdict, role, row fragments, order) from the organization tables.

Part of the store (inside the caller's transaction), and the ONE code path that computes them:
the loader calls it once its primary rows are in, `orgs_refresh.refresh` after a change through
GitHub's endpoints (for the touched accounts), a snapshot restore for every account. WHY one
path: the seeded rows and the rows after any refresh or restore must be the same rows (an
outside collaborator's `ORG/REPO:Collaborator` entries, DOMAIN §8, were once left out by the
loader and added by the refresh).

Set-based: each table is read once for the accounts asked (a restore of 76,000 accounts is a
handful of queries, not eight per account), then every account is judged in Python
(`scenarios.billing.evaluate`, memoised: a large world has few shapes of facts).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scenarios.billing import MEMBER_INVITATION_ROLES, AccountFacts, PendingInvitation, RepoAccess, Verdict, evaluate

from .orgs_seed import invitation_fields
from .rows import ENCODER, account_fields

#: SQLite's lower() and NOCASE fold ASCII letters only; so do the lookups here that stand for them.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(text: str) -> str:
    """`text` as SQLite's lower() / COLLATE NOCASE compares it."""
    return text.translate(_ASCII_LOWER)


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


class _Tables:
    """The organization tables' rows of some accounts of one enterprise, grouped by account (read once)."""

    def __init__(self, conn: Any, enterprise_id: int, account_ids: list[int] | None) -> None:
        self.conn, self.eid = conn, enterprise_id
        # All accounts: the enterprise's rows; some: those accounts' (json_each keeps it one statement).
        self.which = "" if account_ids is None else " AND account_id IN (SELECT value FROM json_each(?))"
        self.args: tuple = (enterprise_id,) if account_ids is None else (enterprise_id, json.dumps(account_ids))
        self.repos = {(_fold(org), _fold(name)): (visibility, bool(fork)) for org, name, visibility, fork in
                      conn.execute("SELECT org, name, visibility, fork FROM ghec_repos WHERE enterprise_id = ?",
                                   (enterprise_id,))}
        self.invites = self._grouped("SELECT account_id, org, role, failed_at, repos FROM ghec_invitations", "id")
        self.flags = {r[0]: r[1:] for r in self._rows(
            "SELECT account_id, two_factor, enterprise_billing_manager, suspended, guest, setup_user "
            "FROM ghec_account_facts", "account_id")}
        self.roles = self._grouped("SELECT account_id, org, role FROM ghec_org_roles", "position")
        self.collab = self._grouped("SELECT account_id, org, repo FROM ghec_collaborators", "org, repo")
        # Address order, as the table's key keeps them (and as the refresh always read them).
        self.emails = self._grouped("SELECT account_id, address, verified FROM ghec_account_emails", "address")
        self.identities = {r[0]: r[1] for r in self._rows("SELECT account_id, name_id FROM ghec_identities",
                                                           "account_id")}
        # Every subscription of the enterprise (few): linked by account, or unlinked and named by an address.
        self.linked: dict[int, list[str]] = defaultdict(list)
        self.unlinked: dict[str, str] = {}
        for email, account_id in conn.execute("SELECT email, account_id FROM ghec_vs_subscriptions WHERE "
                                              "enterprise_id = ? ORDER BY id", (enterprise_id,)):
            if account_id is None:
                self.unlinked.setdefault(_fold(email), email)
            else:
                self.linked[account_id].append(email)

    def _rows(self, select: str, order: str) -> Any:
        """`select` restricted to the enterprise (and the accounts asked), by account then `order`."""
        return self.conn.execute(f"{select} WHERE enterprise_id = ?{self.which} ORDER BY account_id, {order}",
                                 self.args)

    def _grouped(self, select: str, order: str) -> dict[int, list[tuple]]:
        """`_rows` as lists per account (the account id dropped)."""
        out: dict[int, list[tuple]] = defaultdict(list)
        for row in self._rows(select, order):
            out[row[0]].append(tuple(row[1:]))
        return out

    def repo(self, org: str, repo: str) -> RepoAccess:
        """A repository as billing sees it ('' : the unnamed private repository)."""
        if not repo:
            return RepoAccess("")
        known = self.repos.get((_fold(org), _fold(repo)))
        return RepoAccess(f"{org}/{repo}", *known) if known else RepoAccess(f"{org}/{repo}")


def _invitations(tables: _Tables, account_id: int) -> tuple[PendingInvitation, ...]:
    return tuple(PendingInvitation(org, role, failed is not None,
                                   tuple(tables.repo(*name.split("/", 1)) for name in json.loads(repos)))
                 for org, role, failed, repos in tables.invites.get(account_id, ()))


def _judge(tables: _Tables, emu: bool, account: tuple, verdicts: dict[AccountFacts, Verdict]) -> tuple[Verdict, Any]:
    """(verdict, view) of a real account; `account` = (id, login, name, role, enterprise_owner)."""
    account_id, login, name, stored_role, enterprise_owner = account
    invites = _invitations(tables, account_id)
    flags = tables.flags.get(account_id) or (1, 0, 0, 0, 0)
    roles = tables.roles.get(account_id, ())
    collab = tables.collab.get(account_id, ())
    emails = tables.emails.get(account_id, ())
    linked = tables.linked.get(account_id, [])
    unlinked = tables.unlinked and [tables.unlinked[k] for k in dict.fromkeys(_fold(a) for a, _ in emails)
                                    if k in tables.unlinked]
    owner_of = tuple(o for o, r in roles if r == "admin")
    member_of = tuple(o for o, r in roles if r == "member")
    facts = AccountFacts(
        managed_users=emu, owner_of=owner_of, member_of=member_of,
        billing_manager_of=tuple(o for o, r in roles if r == "billing_manager"),
        enterprise_owner=bool(enterprise_owner),
        enterprise_billing_manager=bool(flags[1]), collaborator_on=tuple(tables.repo(o, r) for o, r in collab),
        invitations=invites, suspended=bool(flags[2]), guest_collaborator=bool(flags[3]),
        setup_user=bool(flags[4]), visual_studio=bool(linked or unlinked), visual_studio_linked=bool(linked))
    verdict = verdicts.get(facts)
    if verdict is None:
        verdict = verdicts[facts] = evaluate(facts)
    member_roles = [f"{o}:{'Owner' if r == 'admin' else 'Member'}" for o, r in roles if r != "billing_manager"]
    member_roles += [f"{o}/{r}:Collaborator" for o, r in collab if r]
    role = ("owner" if enterprise_owner else "member" if owner_of or member_of else
            "outside_collaborator" if collab else "pending_invitation" if any(not i.failed for i in invites)
            else stored_role)
    identity = tables.identities.get(account_id)
    view = AccountView(login, name, role, bool(enterprise_owner), bool(flags[0]), [a for a, v in emails if v],
                       member_roles, [i.org for i in invites if not i.failed and not i.repos
                                      and i.role in MEMBER_INVITATION_ROLES],
                       _Identity(identity) if identity is not None else None, bool(linked), linked[0] if linked else "")
    return verdict, view


def derive(conn: Any, enterprise_id: int, account_ids: Iterable[int] | None = None, renumber: bool = False,
           new: Sequence[tuple[int, str, str, str, int]] = ()) -> None:
    """Judge the accounts (None: every account of the enterprise) and write their verdicts, roles and row
    fragments; `renumber`: give every account its ordinal again (row order: by login, case ignored, then id).

    `new`: the loader's accounts, (id, login, name, role, enterprise_owner), not in `ghec_accounts` yet:
    judged like the others and inserted whole, numbered with every account (renumber implied). WHY:
    inserting a row once with its fragments costs a third of inserting it empty and growing it.
    The rows themselves are `recompute.recompute`'s, which the caller runs next.
    """
    asked = None if account_ids is None else sorted(set(account_ids))
    tables = _Tables(conn, enterprise_id, asked)
    emu = managed_users(conn, enterprise_id)
    domains = json.loads(conn.execute("SELECT verified_domains FROM ghec_enterprises WHERE id = ?",
                                      (enterprise_id,)).fetchone()[0])
    where = "" if asked is None else " AND id IN (SELECT value FROM json_each(?))"
    known = conn.execute(f"SELECT id, login, name, role, enterprise_owner FROM ghec_accounts WHERE enterprise_id = ?"
                         f"{where} ORDER BY id", tables.args).fetchall()
    verdicts: dict[AccountFacts, Verdict] = {}
    facts, cells = [], []
    for account in [*known, *new]:
        account_id = account[0]
        if account_id < 0:  # an invitation by email: its invitations alone, the row of its first one
            invites = _invitations(tables, account_id)
            verdict = evaluate(AccountFacts(managed_users=emu, invitations=invites))
            parts, role = ENCODER.template(invitation_fields(invites[0].org if invites else "")), "pending_invitation"
        else:
            verdict, view = _judge(tables, emu, tuple(account), verdicts)
            parts, role = ENCODER.template(account_fields(view, domains)), view.role
        facts.append((enterprise_id, account_id, int(verdict.billed), verdict.rule, verdict.why, int(verdict.bundled)))
        cells.append((role, *parts, enterprise_id, account_id))
    conn.executemany("INSERT INTO ghec_account_facts (enterprise_id, account_id, billed, rule, why, bundled) "
                     "VALUES (?,?,?,?,?,?) ON CONFLICT (enterprise_id, account_id) DO UPDATE SET billed = "
                     "excluded.billed, rule = excluded.rule, why = excluded.why, bundled = excluded.bundled", facts)
    conn.executemany("UPDATE ghec_accounts SET role = ?, row_t0 = ?, row_t1 = ?, row_t2 = ?, row_t3 = ?, row_t4 = ? "
                     "WHERE enterprise_id = ? AND id = ?", cells[:len(known)])
    if not (renumber or new):
        return
    stored = conn.execute("SELECT id, login, ordinal FROM ghec_accounts WHERE enterprise_id = ?",
                          (enterprise_id,)).fetchall()
    order = sorted([*((aid, login) for aid, login, _ in stored), *((a[0], a[1]) for a in new)],
                   key=lambda r: (r[1].lower(), r[0]))
    ordinal = {aid: n for n, (aid, _) in enumerate(order, start=1)}
    conn.executemany("UPDATE ghec_accounts SET ordinal = ? WHERE enterprise_id = ? AND id = ?",
                     [(ordinal[aid], enterprise_id, aid) for aid, _, was in stored if was != ordinal[aid]])
    conn.executemany("INSERT INTO ghec_accounts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     [(enterprise_id, a[0], ordinal[a[0]], a[1], a[2], role, a[4], *parts)
                      for a, (role, *parts, _, _) in zip(new, cells[len(known):], strict=True)])
