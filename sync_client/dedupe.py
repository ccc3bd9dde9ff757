"""verify's own, independent implementation of who consumes a license and how GHEC merges people.

WHY a second implementation (and no import of mock_ghec): `verify` is a proof. If it reused
the mock's matcher, a bug there would be confirmed, not caught. This follows DOMAIN §3 (who
consumes on GHES) and §4 (how GHEC matches a GHES account to a person) from the written
rules, using ground truth only: GHES users from each GHES's `/_mock/users`, GHEC members and
identities from `scenarios.build` of GHEC's scenario.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scenarios.billing_world import billed_members, email_invitations, invitation_verdict

NEVER_CONSUMING = ("ghost", "scim-admin")


def norm_email(address: str) -> str:
    """The documented choice for matching: trim, then compare without case."""
    return address.strip().lower()


def primary_email(user: dict[str, Any]) -> str | None:
    """A ground-truth user's primary email, whichever way `/_mock/users` spells it."""
    if isinstance(user.get("primary_email"), str):
        return user["primary_email"]
    for email in user.get("emails") or []:
        if isinstance(email, dict) and email.get("primary"):
            return email.get("address")
    return None


def consumes_license(user: dict[str, Any], count_bots: bool = True,
                     count_never_signed_in: bool = False) -> bool:
    """DOMAIN §3: active, authenticated accounts consume; suspended, ghost and scim-admin never do.

    Bots and never-signed-in accounts are the two undocumented cases; the GHES under test
    states its choice in `/_mock/scenario`, and the caller passes it in.
    """
    kind = user.get("kind", "user")
    if user.get("suspended") or kind in NEVER_CONSUMING or user.get("login") in NEVER_CONSUMING:
        return False
    if kind == "bot" and not count_bots:
        return False
    return bool(user.get("last_active_at")) or count_never_signed_in


@dataclass(frozen=True)
class ServerAccount:
    """One GHES account that reached GHEC: which server, which id, and its primary email."""

    host: str
    server_id: str
    user_id: int
    email: str

    @property
    def key(self) -> str:
        """The `host:id` form GHEC lists in `enterprise_server_user_ids`."""
        return f"{self.host}:{self.user_id}"


@dataclass
class Dedupe:
    """The expected outcome: one row per person, and how each server account got there."""

    ghec_accounts: int = 0
    server_accounts: int = 0
    merged_by_identity: list[ServerAccount] = field(default_factory=list)
    merged_by_email: list[ServerAccount] = field(default_factory=list)
    server_only_rows: dict[str, list[ServerAccount]] = field(default_factory=dict)  # email -> accounts
    row_of: dict[str, str] = field(default_factory=dict)  # host:id -> row key ("ghec:<login>" / "email:<addr>")

    @property
    def total(self) -> int:
        """total_seats_consumed as GHEC should report it."""
        return self.ghec_accounts + len(self.server_only_rows)

    @property
    def merged_across_servers(self) -> int:
        """Server-only people whose accounts on several servers became one row."""
        return sum(1 for accounts in self.server_only_rows.values()
                   if len({a.server_id for a in accounts}) > 1)

    def as_json(self) -> dict[str, Any]:
        """The numbers, for reports."""
        return {"total_seats_consumed": self.total, "ghec_accounts": self.ghec_accounts,
                "server_accounts": self.server_accounts,
                "merged_by_saml_identity": len(self.merged_by_identity),
                "merged_by_verified_email": len(self.merged_by_email),
                "unmatched_accounts": sum(len(v) for v in self.server_only_rows.values()),
                "server_only_rows": len(self.server_only_rows),
                "server_only_people_merged_across_servers": self.merged_across_servers}


def _identity_values(identity: Any) -> Iterable[str]:
    """The linked identity's attributes GHEC compares first (DOMAIN §4.1)."""
    if identity is None:
        return []
    values = [identity.name_claim, identity.emailaddress_claim, identity.username, identity.name_id]
    return [v for v in (*values, *identity.emails) if v]


def expected_dedupe(enterprise: Any, accounts: list[ServerAccount]) -> Dedupe:
    """Apply DOMAIN §4 to one enterprise (a `scenarios.Enterprise`) and the synced accounts.

    Every GHEC account (member, outside collaborator, pending invitee) is one license. Each
    server account is matched by its primary email: first against linked SAML/SCIM identity
    attributes when the enterprise uses SAML, then against any verified email; a match merges
    it into that account's row, no match makes it a row of its own — shared with other
    unmatched server accounts that have the same primary email (our documented choice).
    """
    by_identity: dict[str, str] = {}
    by_verified: dict[str, str] = {}
    # DOMAIN §7: only billed accounts have a row (billing managers, unaffiliated users... do not);
    # a pending invitation by email is a row of its own with nothing to match.
    members = billed_members(enterprise)
    invited = sum(1 for i in email_invitations(enterprise) if invitation_verdict(enterprise, i).billed)
    for member in members:
        row = f"ghec:{member.login}"
        if enterprise.uses_saml:
            for value in _identity_values(member.identity):
                by_identity.setdefault(norm_email(value), row)
        for address in member.verified_emails:
            by_verified.setdefault(norm_email(address), row)
    result = Dedupe(ghec_accounts=len(members) + invited, server_accounts=len(accounts))
    server_only: dict[str, list[ServerAccount]] = defaultdict(list)
    for account in accounts:
        email = norm_email(account.email)
        if email in by_identity:
            result.merged_by_identity.append(account)
            result.row_of[account.key] = by_identity[email]
        elif email in by_verified:
            result.merged_by_email.append(account)
            result.row_of[account.key] = by_verified[email]
        else:
            server_only[email].append(account)
            result.row_of[account.key] = f"email:{email}"
    result.server_only_rows = dict(server_only)
    return result
