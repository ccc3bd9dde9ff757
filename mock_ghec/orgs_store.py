"""Writes of the organization store: memberships, invitations and outside collaborators, as GitHub makes them.

Each method is one transaction that changes the organization tables and then (orgs_refresh)
judges the touched accounts again and recomputes the enterprise's rows, so the change is in
`total_seats_consumed` before the response is sent. Refusals raise `orgs_errors` before
anything is written.
"""
from __future__ import annotations

from typing import Any

from github_http.clock import isoformat

from . import orgs_reads
from .orgs_errors import Forbidden, Invalid, NotFound
from .orgs_reads import Org
from .orgs_refresh import refresh
from .orgs_seed import ACCOUNT_SQL, invitation_fields, pseudo_login
from .rows import ENCODER

INVITATION_ROLES = ("admin", "direct_member", "billing_manager", "reinstate")
MEMBERSHIP_ROLES = ("admin", "member")


class OrgsStore:
    """Changes to who belongs to the enterprise's organizations; bound to the app's Store."""

    def __init__(self, store: Any) -> None:
        """Share the app store's database and clock."""
        self.db, self.clock = store.db, store.clock

    def _now(self) -> str:
        return isoformat(self.clock.now())

    def _done(self, conn: Any, o: Org | int, touched: set[int], renumber: bool = False) -> None:
        """Judge `touched` again and recompute the rows (inside the transaction)."""
        refresh(self.db, conn, o if isinstance(o, int) else o.enterprise_id, touched, renumber)

    # -- accounts ---------------------------------------------------------------------------
    def account_in(self, conn: Any, enterprise_id: int, login: str | None = None,
                   account_id: int | None = None) -> tuple[int, bool]:
        """(the account's id in the enterprise, whether it was brought in now): an account of another
        enterprise (GitHub.com logins are global) is added to this one first; nobody → NotFound."""
        where, key = ("login = ?", login) if login is not None else ("id = ?", account_id)
        here = conn.execute(f"SELECT id FROM ghec_accounts WHERE enterprise_id = ? AND id > 0 AND {where}",
                            (enterprise_id, key)).fetchone()
        if here:
            return here[0], False
        there = conn.execute(f"SELECT enterprise_id, id, login, name FROM ghec_accounts WHERE id > 0 AND {where} "
                             "ORDER BY enterprise_id", (key,)).fetchone()
        if there is None:
            raise NotFound("Not Found", "invitee_id" if login is None else "username")
        source, aid = there[0], there[1]
        conn.execute(ACCOUNT_SQL, (enterprise_id, aid, 0, there[2], there[3], "member", 0,
                                   *ENCODER.template(invitation_fields(""))))
        conn.execute("INSERT OR IGNORE INTO ghec_account_emails SELECT ?, account_id, address, verified FROM "
                     "ghec_account_emails WHERE enterprise_id = ? AND account_id = ?", (enterprise_id, source, aid))
        return aid, True

    # -- memberships ------------------------------------------------------------------------
    def set_membership(self, o: Org, login: str, role: str, inviter: tuple[int, str]) -> dict[str, Any]:
        """PUT /orgs/{org}/memberships/{username}: change a member's role, or invite (EMU: add) them."""
        if role not in MEMBERSHIP_ROLES:
            raise Invalid(f"role must be one of {', '.join(MEMBERSHIP_ROLES)}", "role")
        with self.db.transaction() as conn:
            aid, imported = self.account_in(conn, o.enterprise_id, login=login)
            current = conn.execute("SELECT role FROM ghec_org_roles WHERE enterprise_id = ? AND account_id = ? AND "
                                   "org = ?", (o.enterprise_id, aid, o.login)).fetchone()
            if (current and current[0] in MEMBERSHIP_ROLES) or o.managed_users:
                if current and current[0] == "admin" and role != "admin":
                    self._keep_an_owner(conn, o, aid)
                self._put_role(conn, o, aid, role)
                state = "active"
            else:
                wanted = "admin" if role == "admin" else "direct_member"
                pending = orgs_reads.pending_invitation(self.db, o, aid)
                if pending:
                    conn.execute("UPDATE ghec_invitations SET role = ? WHERE id = ?", (wanted, pending["id"]))
                else:
                    self._invite(conn, o, aid, login, None, wanted, inviter)
                state = "pending"
            self._done(conn, o, {aid}, imported)
        return {"state": state, "role": role, "login": login}

    def remove_member(self, o: Org, login: str, *, strict: bool) -> None:
        """DELETE /orgs/{org}/members|memberships/{username}: membership, billing role and pending invitations go."""
        with self.db.transaction() as conn:
            acct = orgs_reads.account(self.db, o.enterprise_id, login)
            role = orgs_reads.org_role(self.db, o.enterprise_id, o.login, login) if acct else None
            pending = orgs_reads.pending_invitation(self.db, o, acct.id) if acct else None
            if acct is None or (role is None and pending is None):
                if strict:
                    raise NotFound("Not Found")
                return
            if role == "admin":
                self._keep_an_owner(conn, o, acct.id)
            conn.execute("DELETE FROM ghec_org_roles WHERE enterprise_id = ? AND account_id = ? AND org = ?",
                         (o.enterprise_id, acct.id, o.login))
            conn.execute("DELETE FROM ghec_invitations WHERE enterprise_id = ? AND account_id = ? AND org = ? AND "
                         "failed_at IS NULL", (o.enterprise_id, acct.id, o.login))
            self._done(conn, o, {acct.id})

    def _keep_an_owner(self, conn: Any, o: Org, aid: int) -> None:
        """Refuse to take the organization's last owner away."""
        owners = conn.execute("SELECT count(*) FROM ghec_org_roles WHERE enterprise_id = ? AND org = ? AND "
                              "role = 'admin' AND account_id != ?", (o.enterprise_id, o.login, aid)).fetchone()[0]
        if not owners:
            raise Forbidden("You cannot remove the last owner of an organization.")

    def _put_role(self, conn: Any, o: Org, aid: int, role: str) -> None:
        """Make `aid` an active admin/member (a billing role, invitations and collaborator access it had go)."""
        stored = "admin" if role == "admin" else "member"
        position = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM ghec_org_roles WHERE enterprise_id = ? "
                                "AND account_id = ?", (o.enterprise_id, aid)).fetchone()[0]
        conn.execute("INSERT INTO ghec_org_roles VALUES (?,?,?,?,?) ON CONFLICT (enterprise_id, account_id, org) "
                     "DO UPDATE SET role = excluded.role", (o.enterprise_id, aid, o.login, stored, position))
        conn.execute("DELETE FROM ghec_invitations WHERE enterprise_id = ? AND account_id = ? AND org = ? AND "
                     "failed_at IS NULL", (o.enterprise_id, aid, o.login))
        conn.execute("DELETE FROM ghec_collaborators WHERE enterprise_id = ? AND account_id = ? AND org = ?",
                     (o.enterprise_id, aid, o.login))

    # -- invitations ------------------------------------------------------------------------
    def _invite(self, conn: Any, o: Org, aid: int | None, login: str | None, email: str | None, role: str,
                inviter: tuple[int, str], source: str = "member") -> int:
        """Insert a pending invitation; by email with no account, its own account (id -invitation id)."""
        cur = conn.execute("INSERT INTO ghec_invitations (enterprise_id, org, role, account_id, login, email, "
                           "source, inviter_id, inviter_login, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (o.enterprise_id, o.login, role, aid, login, email, source, inviter[0], inviter[1],
                            self._now()))
        invitation_id = int(cur.lastrowid)
        if aid is None:
            conn.execute("UPDATE ghec_invitations SET account_id = ? WHERE id = ?", (-invitation_id, invitation_id))
            conn.execute(ACCOUNT_SQL, (o.enterprise_id, -invitation_id, 0, pseudo_login(invitation_id), "",
                                       "pending_invitation", 0, *ENCODER.template(invitation_fields(o.login))))
        return invitation_id

    def create_invitation(self, o: Org, invitee_id: Any, email: Any, role: str,
                          inviter: tuple[int, str], source: str = "member") -> dict[str, Any]:
        """POST /orgs/{org}/invitations: by GitHub user id or by email (an account's verified email
        invites that account)."""
        if o.managed_users:
            raise Invalid("This endpoint is not available for Enterprise Managed User organizations.")
        if role not in INVITATION_ROLES:
            raise Invalid(f"role must be one of {', '.join(INVITATION_ROLES)}", "role")
        if invitee_id is None and not email:
            raise Invalid("invitee_id or email is required", "invitee_id", "missing_field")
        if invitee_id is not None and (isinstance(invitee_id, bool) or not isinstance(invitee_id, int)):
            raise Invalid("invitee_id must be an integer", "invitee_id")
        if email is not None and (not isinstance(email, str) or "@" not in email.strip()):
            raise Invalid("email must be an email address", "email")
        with self.db.transaction() as conn:
            aid, imported, login = None, False, None
            if invitee_id is not None:
                try:
                    aid, imported = self.account_in(conn, o.enterprise_id, account_id=invitee_id)
                except NotFound as error:
                    raise Invalid("Invitee does not exist", "invitee_id") from error
            else:
                found = conn.execute("SELECT account_id FROM ghec_account_emails WHERE enterprise_id = ? AND "
                                     "verified = 1 AND lower(address) = lower(?) AND account_id > 0",
                                     (o.enterprise_id, str(email).strip())).fetchone()
                aid = found[0] if found else None
            if aid is not None:
                login = conn.execute("SELECT login FROM ghec_accounts WHERE enterprise_id = ? AND id = ?",
                                     (o.enterprise_id, aid)).fetchone()[0]
                if orgs_reads.org_role(self.db, o.enterprise_id, o.login, login) in MEMBERSHIP_ROLES:
                    raise Invalid("Invitee is already a part of this organization", "login", "already_exists")
                if orgs_reads.pending_invitation(self.db, o, aid):
                    raise Invalid("Invitee has already been invited", "login", "already_exists")
            invitation_id = self._invite(conn, o, aid, login, email.strip() if email else None, role, inviter,
                                         source)
            self._done(conn, o, {aid if aid is not None else -invitation_id}, imported or aid is None)
        found_invitation = orgs_reads.invitation(self.db, o, invitation_id)
        assert found_invitation is not None  # just written, in this thread's connection
        return found_invitation

    def cancel_invitation(self, o: Org, invitation_id: int) -> None:
        """DELETE /orgs/{org}/invitations/{invitation_id}: a pending one goes (a failed one: 422)."""
        with self.db.transaction() as conn:
            found = orgs_reads.invitation(self.db, o, invitation_id)
            if found is None:
                raise NotFound("Not Found")
            if found["failed_at"] is not None:
                raise Invalid("This invitation has failed and cannot be cancelled", "invitation_id")
            conn.execute("DELETE FROM ghec_invitations WHERE id = ?", (invitation_id,))
            aid = found["account_id"]
            if aid is not None and aid < 0:
                self.drop_account(conn, o.enterprise_id, aid)
            self._done(conn, o, {aid} if aid is not None and aid > 0 else set(), renumber=aid is not None and aid < 0)

    def drop_account(self, conn: Any, enterprise_id: int, aid: int) -> None:
        """Remove an account from the enterprise with everything that names it (a cancelled email
        invitation, a deleted managed user)."""
        for table in ("ghec_org_roles", "ghec_collaborators", "ghec_invitations", "ghec_account_facts"):
            conn.execute(f"DELETE FROM {table} WHERE enterprise_id = ? AND account_id = ?", (enterprise_id, aid))
        for table in ("ghec_account_emails", "ghec_identities"):
            conn.execute(f"DELETE FROM {table} WHERE enterprise_id = ? AND account_id = ?", (enterprise_id, aid))
        conn.execute("UPDATE ghec_vs_subscriptions SET account_id = NULL, manual = 0 WHERE enterprise_id = ? AND "
                     "account_id = ?", (enterprise_id, aid))
        conn.execute("DELETE FROM ghec_accounts WHERE enterprise_id = ? AND id = ?", (enterprise_id, aid))

    # -- outside collaborators --------------------------------------------------------------
    def convert_to_outside_collaborator(self, o: Org, login: str) -> None:
        """PUT /orgs/{org}/outside_collaborators/{username}: the member keeps access to the organization's
        non-public repositories as a collaborator (we model no teams: our documented choice)."""
        with self.db.transaction() as conn:
            acct = orgs_reads.account(self.db, o.enterprise_id, login)
            role = orgs_reads.org_role(self.db, o.enterprise_id, o.login, login) if acct else None
            if acct is None or role not in MEMBERSHIP_ROLES:
                raise NotFound("Not Found")
            if role == "admin":
                self._keep_an_owner(conn, o, acct.id)
            repos = [r[0] for r in conn.execute("SELECT name FROM ghec_repos WHERE enterprise_id = ? AND org = ? AND "
                                                "visibility != 'public' ORDER BY name", (o.enterprise_id, o.login))]
            conn.execute("DELETE FROM ghec_org_roles WHERE enterprise_id = ? AND account_id = ? AND org = ?",
                         (o.enterprise_id, acct.id, o.login))
            conn.executemany("INSERT OR IGNORE INTO ghec_collaborators VALUES (?,?,?,?)",
                             [(o.enterprise_id, acct.id, o.login, repo) for repo in repos or [""]])
            self._done(conn, o, {acct.id})

    def remove_outside_collaborator(self, o: Org, login: str) -> None:
        """DELETE /orgs/{org}/outside_collaborators/{username}: off every repository of the organization."""
        with self.db.transaction() as conn:
            acct = orgs_reads.account(self.db, o.enterprise_id, login)
            if acct is None:
                return
            if orgs_reads.org_role(self.db, o.enterprise_id, o.login, login) in MEMBERSHIP_ROLES:
                raise Invalid("You cannot specify an organization member to remove as an outside collaborator.")
            conn.execute("DELETE FROM ghec_collaborators WHERE enterprise_id = ? AND account_id = ? AND org = ?",
                         (o.enterprise_id, acct.id, o.login))
            conn.execute("DELETE FROM ghec_invitations WHERE enterprise_id = ? AND account_id = ? AND org = ? AND "
                         "repos != '[]'", (o.enterprise_id, acct.id, o.login))
            self._done(conn, o, {acct.id})
