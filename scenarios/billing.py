"""Who consumes a GHEC license (DOMAIN.md §7, GitHub's "license users"), as one pure function.

Shared ground truth: the mock GHEC evaluates it per GitHub.com account after every change, and
`verify` (through `scenarios`) evaluates it on the declared world, so both count the same
people. It looks only at one account's facts (`AccountFacts`), never at GHES: an account is
billed by the first rule that bills it, else not billed for the most specific reason that
applies. Each verdict carries a rule id and a sentence that says why, e.g.
"billing manager only: not billed" or "pending invitation to acme, no EMU: billed".
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Visibility of repositories a collaborator may be billed for (forks never are).
PRIVATE_VISIBILITIES = ("private", "internal")
#: Invitation roles that make someone an organization member or owner once accepted.
MEMBER_INVITATION_ROLES = ("direct_member", "admin", "reinstate")

# Rule ids: billed ...
ORG_OWNER = "organization-owner"
ORG_MEMBER = "organization-member"
OUTSIDE_COLLABORATOR_PRIVATE = "outside-collaborator-private-repository"
PENDING_INVITATION = "pending-invitation"
PENDING_COLLABORATOR_INVITATION = "pending-collaborator-invitation-private-repository"
VISUAL_STUDIO_UNAFFILIATED = "visual-studio-subscription-unaffiliated"
# ... and not billed.
SETUP_USER = "enterprise-setup-user"
SUSPENDED_MANAGED_USER = "suspended-managed-user"
ENTERPRISE_OWNER_NO_ORG = "enterprise-owner-in-no-organization"
BILLING_MANAGER_ONLY = "billing-manager-only"
PENDING_BILLING_MANAGER_INVITATION = "pending-billing-manager-invitation"
OUTSIDE_COLLABORATOR_PUBLIC = "outside-collaborator-public-repository"
PENDING_COLLABORATOR_INVITATION_PUBLIC = "pending-collaborator-invitation-public-repository"
PENDING_INVITATION_EMU = "pending-invitation-managed-users"
FAILED_INVITATION = "failed-invitation"
GUEST_COLLABORATOR = "guest-collaborator"
VISUAL_STUDIO_UNLINKED = "visual-studio-subscription-not-linked"
UNAFFILIATED = "unaffiliated"

BILLED_RULES = (ORG_OWNER, ORG_MEMBER, OUTSIDE_COLLABORATOR_PRIVATE, PENDING_INVITATION,
                PENDING_COLLABORATOR_INVITATION, VISUAL_STUDIO_UNAFFILIATED)
NOT_BILLED_RULES = (SETUP_USER, SUSPENDED_MANAGED_USER, ENTERPRISE_OWNER_NO_ORG, BILLING_MANAGER_ONLY,
                    PENDING_BILLING_MANAGER_INVITATION, OUTSIDE_COLLABORATOR_PUBLIC,
                    PENDING_COLLABORATOR_INVITATION_PUBLIC, PENDING_INVITATION_EMU, FAILED_INVITATION,
                    GUEST_COLLABORATOR, VISUAL_STUDIO_UNLINKED, UNAFFILIATED)
RULES = BILLED_RULES + NOT_BILLED_RULES


@dataclass(frozen=True, slots=True)
class RepoAccess:
    """A repository someone collaborates on (or is invited to), with what billing looks at."""

    name: str  # "org/repo"; "" names the unnamed private repository of a seeded collaborator
    visibility: str = "private"
    fork: bool = False

    @property
    def billable(self) -> bool:
        """Private or internal, and not a fork (DOMAIN §7)."""
        return self.visibility in PRIVATE_VISIBILITIES and not self.fork

    @property
    def label(self) -> str:
        """How a sentence names it."""
        return self.name or "a private repository"


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    """An invitation to an organization (by account or by email), pending or failed."""

    org: str
    role: str = "direct_member"  # direct_member | admin | billing_manager (GitHub's invitation roles)
    failed: bool = False
    repos: tuple[RepoAccess, ...] = ()  # non-empty: an outside-collaborator invitation to these


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """Everything §7 looks at for one GitHub.com account (or one email invitation) of an enterprise."""

    managed_users: bool = False  # the enterprise uses Enterprise Managed Users
    owner_of: tuple[str, ...] = ()  # organizations where it is an owner
    member_of: tuple[str, ...] = ()  # organizations where it is a (non-owner) member
    billing_manager_of: tuple[str, ...] = ()
    enterprise_owner: bool = False
    enterprise_billing_manager: bool = False
    collaborator_on: tuple[RepoAccess, ...] = ()
    invitations: tuple[PendingInvitation, ...] = ()
    suspended: bool = False  # only a managed user can be suspended on GHEC
    guest_collaborator: bool = False  # EMU guest role
    setup_user: bool = False
    visual_studio: bool = False  # a Visual Studio subscription names it
    visual_studio_linked: bool = False  # ... and it is linked to this account


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an account consumes a license, by which rule, and the sentence that says why."""

    billed: bool
    rule: str
    why: str
    bundled: bool = False  # the license is bundled with a linked Visual Studio subscription

    def as_json(self) -> dict[str, object]:
        """The verdict as `/_mock/explain` and the pages show it."""
        return {"billed": self.billed, "rule": self.rule, "why": self.why, "visual_studio_bundled": self.bundled}


def _names(values: Iterable[str]) -> str:
    """Names for a sentence: "a", "a and b", "a, b and c"."""
    items = list(values)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _billed(rule: str, why: str, facts: AccountFacts) -> Verdict:
    """A billing verdict, bundled with Visual Studio when a linked subscription names the account."""
    bundled = facts.visual_studio and facts.visual_studio_linked
    suffix = " (bundled with its Visual Studio subscription)" if bundled and rule != VISUAL_STUDIO_UNAFFILIATED else ""
    return Verdict(True, rule, f"{why}: billed{suffix}", bundled)


def evaluate(facts: AccountFacts) -> Verdict:
    """DOMAIN §7 for one account: the first rule that bills it, else the reason it is not billed."""
    if facts.setup_user:
        return Verdict(False, SETUP_USER, "the user who set up the enterprise: not billed")
    if facts.suspended and facts.managed_users:
        return Verdict(False, SUSPENDED_MANAGED_USER, "suspended managed user: not billed")
    owner = "enterprise owner, " if facts.enterprise_owner else ""
    if facts.owner_of:
        return _billed(ORG_OWNER, f"{owner}owner of {_names(facts.owner_of)}", facts)
    if facts.member_of:
        return _billed(ORG_MEMBER, f"{owner}member of {_names(facts.member_of)}", facts)
    private = [r.label for r in facts.collaborator_on if r.billable]
    if private:
        return _billed(OUTSIDE_COLLABORATOR_PRIVATE, f"outside collaborator on {_names(private)}", facts)
    live = [i for i in facts.invitations if not i.failed]
    to_member = [i.org for i in live if i.role in MEMBER_INVITATION_ROLES and not i.repos]
    to_private = [r.label for i in live for r in i.repos if r.billable]
    if not facts.managed_users:
        if to_member:
            return _billed(PENDING_INVITATION, f"pending invitation to {_names(to_member)}, no EMU", facts)
        if to_private:
            return _billed(PENDING_COLLABORATOR_INVITATION,
                           f"pending invitation to collaborate on {_names(to_private)}, no EMU", facts)
    if facts.visual_studio and facts.visual_studio_linked:
        return Verdict(True, VISUAL_STUDIO_UNAFFILIATED,
                       "in no organization, linked to a Visual Studio subscription that bundles its license: billed",
                       True)
    return _not_billed(facts, live, to_member or to_private)


def _not_billed(facts: AccountFacts, live: list[PendingInvitation], pending: list[str]) -> Verdict:
    """The most specific reason an account that no rule bills is not billed."""
    if facts.enterprise_owner:
        return Verdict(False, ENTERPRISE_OWNER_NO_ORG, "enterprise owner in no organization: not billed")
    if facts.billing_manager_of or facts.enterprise_billing_manager:
        return Verdict(False, BILLING_MANAGER_ONLY, "billing manager only: not billed")
    if pending and facts.managed_users:
        return Verdict(False, PENDING_INVITATION_EMU, "pending invitation, with managed users (EMU): not billed")
    if any(i.role == "billing_manager" for i in live):
        return Verdict(False, PENDING_BILLING_MANAGER_INVITATION, "pending billing-manager invitation only: not billed")
    if facts.collaborator_on:
        return Verdict(False, OUTSIDE_COLLABORATOR_PUBLIC,
                       "outside collaborator on public repositories or forks only: not billed")
    if any(i.repos for i in live):
        return Verdict(False, PENDING_COLLABORATOR_INVITATION_PUBLIC,
                       "pending invitation to collaborate on a public repository only: not billed")
    if facts.invitations:
        return Verdict(False, FAILED_INVITATION, "failed invitation only: not billed")
    if facts.guest_collaborator:
        return Verdict(False, GUEST_COLLABORATOR,
                       "guest collaborator, neither member nor collaborator: not billed")
    if facts.visual_studio:
        return Verdict(False, VISUAL_STUDIO_UNLINKED,
                       "Visual Studio subscriber whose account is not linked, meeting no other rule: not billed")
    return Verdict(False, UNAFFILIATED, "added to the enterprise but in no organization (unaffiliated): not billed")


@dataclass(slots=True)
class Tally:
    """Verdicts counted per rule (explain's summary)."""

    billed: int = 0
    not_billed: int = 0
    by_rule: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))

    def add(self, verdict: Verdict) -> None:
        """Count one verdict."""
        self.by_rule[verdict.rule] = self.by_rule.get(verdict.rule, 0) + 1
        if verdict.billed:
            self.billed += 1
        else:
            self.not_billed += 1
