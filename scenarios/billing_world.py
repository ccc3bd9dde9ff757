"""DOMAIN §7 applied to a declared world: the `billing.AccountFacts` of each scenario account.

The mock GHEC seeds its organization store from these same facts, and `verify` counts the
same accounts, so both sides agree on who is billed before anything changes through the API.
"""
from __future__ import annotations

from .billing import AccountFacts, PendingInvitation, RepoAccess, Verdict, evaluate
from .model import Enterprise, GhecMember, Invitation

OWNER_SUFFIX, MEMBER_SUFFIX = ":owner", ":member"


def repo_access(ent: Enterprise, name: str) -> RepoAccess:
    """A repository named "org/repo" with its declared visibility (undeclared: private, as GitHub's default)."""
    for repo in ent.repositories:
        if f"{repo.org}/{repo.name}".lower() == name.lower():
            return RepoAccess(name, repo.visibility, repo.fork)
    return RepoAccess(name)


def org_roles(member: GhecMember) -> tuple[list[str], list[str]]:
    """(orgs it owns, orgs it is a member of) from its `org_roles` ("org:Owner" / "org:Member")."""
    owner: list[str] = []
    plain: list[str] = []
    for entry in member.org_roles:
        org, _, role = entry.rpartition(":")
        (owner if ":" + role.lower() == OWNER_SUFFIX else plain).append(org)
    return owner, [o for o in plain if o not in owner]


def invitation(ent: Enterprise, inv: Invitation) -> PendingInvitation:
    """An `Invitation` as billing sees it."""
    return PendingInvitation(inv.org, inv.role, inv.failed, tuple(repo_access(ent, r) for r in inv.collaborator_repos))


def member_facts(ent: Enterprise, member: GhecMember) -> AccountFacts:
    """The §7 facts of one account, from its scenario fields (seeded accounts keep today's meaning:
    an outside collaborator with no named repository collaborates on an unnamed private one)."""
    owner, plain = org_roles(member)
    repos = tuple(repo_access(ent, r) for r in member.collaborator_repos)
    if not repos and member.role == "outside_collaborator":
        repos = (RepoAccess(""),)
    invites = [PendingInvitation(org) for org in member.pending_invite_orgs]
    invites += [invitation(ent, i) for i in ent.invitations if i.login and i.login.lower() == member.login.lower()]
    return AccountFacts(
        managed_users=ent.managed_users, owner_of=tuple(owner), member_of=tuple(plain),
        billing_manager_of=tuple(member.billing_manager_orgs), enterprise_owner=member.enterprise_owner,
        enterprise_billing_manager=member.enterprise_billing_manager, collaborator_on=repos,
        invitations=tuple(invites), suspended=member.suspended, guest_collaborator=member.guest_collaborator,
        setup_user=member.setup_enterprise, visual_studio=member.visual_studio_subscriber,
        visual_studio_linked=member.visual_studio_subscriber and member.visual_studio_linked)


def email_invitations(ent: Enterprise) -> list[Invitation]:
    """Invitations by email to someone with no account in the enterprise, in id order."""
    return sorted((i for i in ent.invitations if i.login is None and i.email), key=lambda i: i.id)


def invitation_verdict(ent: Enterprise, inv: Invitation) -> Verdict:
    """§7 for an invitation by email (no GitHub.com account behind it yet)."""
    return evaluate(AccountFacts(managed_users=ent.managed_users, invitations=(invitation(ent, inv),)))


def billed_members(ent: Enterprise) -> list[GhecMember]:
    """The accounts of the enterprise that consume a license (§7), in declaration order."""
    return [m for m in ent.members if evaluate(member_facts(ent, m)).billed]
