"""The `edge-cases` preset's GHEC license cases: every rule of DOMAIN §7 planted at least once.

Only added to `edge-cases` (other presets' worlds are unchanged): accounts with no person
behind them (`person_id` None, no GHES account, so no sync can merge them) in the main
enterprise for the rules without managed users, plus a small third enterprise with managed
users (EMU) for the rules that need one. Fixed names, no random draws: the other streams of
the world stay as they were. `LICENSE_CASES` says which account plants which rule.
"""
from __future__ import annotations

from typing import cast

from . import billing as b
from .model import Enterprise, GhecMember, GhecRole, Invitation, Repository, SamlIdentity

FIRST_ID = 2_000_000_000  # far above the generated GitHub.com ids
FIRST_INVITATION = 900_000
EMU_ENTERPRISE_ID = 100_001  # above the generated enterprise ids (1000..99999)
#: login -> the §7 rule its account plants (email invitations are keyed "invitation:ID").
LICENSE_CASES: dict[str, str] = {}


def _member(n: int, login: str, domain: str, rule: str, **fields: object) -> GhecMember:
    """A planted account: verified email on the enterprise's domain, no identity, 2FA on."""
    LICENSE_CASES[login] = rule
    role = cast(GhecRole, fields.pop("role", "member"))
    member = GhecMember(FIRST_ID + n, login, login.replace("-", " ").title(), [f"{login}@{domain}"], [],
                        role, role == "owner", [], [], True, None, False, "", None)
    for name, value in fields.items():
        setattr(member, name, value)
    return member


def plant_main(ent: Enterprise) -> None:
    """The rules that need no managed users, in the main enterprise."""
    org, domain = ent.organizations[0], ent.verified_domains[0]
    ent.repositories += [Repository(org, "handbook", "public"), Repository(org, "platform", "private"),
                         Repository(org, "infra", "internal"), Repository(org, "tools-fork", "private", fork=True)]
    m = [
        _member(1, "billing-manager-only", domain, b.BILLING_MANAGER_ONLY, billing_manager_orgs=[org]),
        _member(2, "enterprise-billing-manager", domain, b.BILLING_MANAGER_ONLY, enterprise_billing_manager=True),
        _member(3, "owner-in-no-org", domain, b.ENTERPRISE_OWNER_NO_ORG, role="owner"),
        _member(4, "enterprise-setup-user", domain, b.SETUP_USER, setup_enterprise=True),
        _member(5, "collaborator-public-repo", domain, b.OUTSIDE_COLLABORATOR_PUBLIC, role="outside_collaborator",
                collaborator_repos=[f"{org}/handbook"]),
        _member(6, "collaborator-on-fork", domain, b.OUTSIDE_COLLABORATOR_PUBLIC, role="outside_collaborator",
                collaborator_repos=[f"{org}/tools-fork"]),
        _member(7, "collaborator-internal-repo", domain, b.OUTSIDE_COLLABORATOR_PRIVATE, role="outside_collaborator",
                collaborator_repos=[f"{org}/infra"]),
        _member(8, "invited-billing-manager", domain, b.PENDING_BILLING_MANAGER_INVITATION),
        _member(9, "invited-collaborator-private", domain, b.PENDING_COLLABORATOR_INVITATION),
        _member(10, "invited-collaborator-public", domain, b.PENDING_COLLABORATOR_INVITATION_PUBLIC),
        _member(11, "invitation-failed", domain, b.FAILED_INVITATION),
        _member(12, "unaffiliated-member", domain, b.UNAFFILIATED),
        _member(13, "visual-studio-unaffiliated", domain, b.VISUAL_STUDIO_UNAFFILIATED,
                visual_studio_subscriber=True, visual_studio_email=f"visual-studio-unaffiliated@{domain}"),
        _member(14, "visual-studio-not-linked", domain, b.VISUAL_STUDIO_UNLINKED, visual_studio_subscriber=True,
                visual_studio_email=f"visual-studio-not-linked@{domain}", visual_studio_linked=False),
    ]
    ent.members += m
    i = FIRST_INVITATION
    ent.invitations += [
        Invitation(i + 1, org, "billing_manager", login="invited-billing-manager"),
        Invitation(i + 2, org, login="invited-collaborator-private", collaborator_repos=[f"{org}/platform"]),
        Invitation(i + 3, org, login="invited-collaborator-public", collaborator_repos=[f"{org}/handbook"]),
        Invitation(i + 4, org, login="invitation-failed", failed=True),
        Invitation(i + 5, org, email=f"invited-by-email@{domain}"),
        Invitation(i + 6, org, email=f"failed-email-invitation@{domain}", failed=True),
    ]
    LICENSE_CASES[f"invitation:{i + 5}"] = b.PENDING_INVITATION
    LICENSE_CASES[f"invitation:{i + 6}"] = b.FAILED_INVITATION
    ent.visual_studio_unlinked.append((1, f"visual-studio-only@{domain}"))


def managed_enterprise(main: Enterprise) -> Enterprise:
    """A small enterprise with managed users: the rules that differ with EMU."""
    slug, domain = f"{main.slug}-emu", main.verified_domains[0]
    org = f"{slug}-core"
    short = main.slug.split("-")[0][:8]
    ident = SamlIdentity("scim", f"emu-owner@{domain}", "emu-owner", "EMU Owner", f"emu-owner@{domain}",
                         [f"emu-owner@{domain}"])
    members = [
        _member(101, f"emu-owner-{short}", domain, b.ORG_OWNER, role="owner", org_roles=[f"{org}:Owner"],
                identity=ident),
        _member(102, f"emu-member-{short}", domain, b.ORG_MEMBER, org_roles=[f"{org}:Member"]),
        _member(103, f"emu-suspended-{short}", domain, b.SUSPENDED_MANAGED_USER, org_roles=[f"{org}:Member"],
                suspended=True),
        _member(104, f"emu-invited-{short}", domain, b.PENDING_INVITATION_EMU, role="pending_invitation",
                pending_invite_orgs=[org]),
        _member(105, f"emu-guest-{short}", domain, b.GUEST_COLLABORATOR, guest_collaborator=True),
        _member(106, f"{short}-admin", domain, b.SETUP_USER, setup_enterprise=True),
    ]
    return Enterprise(EMU_ENTERPRISE_ID, slug, f"{main.name} (managed users)", 10, True, [org], [domain], members,
                      members[0].login, members[1].login, managed_users=True)


def plant_license_cases(enterprises: list[Enterprise]) -> None:
    """Add every §7 case to an `edge-cases` world (main enterprise, plus the EMU one at the end)."""
    plant_main(enterprises[0])
    enterprises.append(managed_enterprise(enterprises[0]))
