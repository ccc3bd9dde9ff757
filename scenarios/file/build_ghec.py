"""A scenario file's `enterprises[]` as Enterprise objects (declared, or merged into generated ones)."""
from __future__ import annotations

import dataclasses
from typing import Any

from ..model import Enterprise, GhecMember, Invitation, Repository, SamlIdentity
from .build_tokens import declared_tokens
from .context import Context


@dataclasses.dataclass
class CloudNames:
    """GitHub.com is one site: logins, emails and account ids are unique across every enterprise."""

    logins: dict[str, str]
    addresses: dict[str, str]
    ids: set[int]
    next_id: int


def names_of(base: list[Enterprise], declared: list[dict[str, Any]]) -> CloudNames:
    """What the generated enterprises already use, and the next free account id."""
    members = [m for e in base for m in e.members]
    wanted = {a["id"] for e in declared for a in e["accounts"] if a.get("id") is not None}
    ids = {m.id for m in members}
    return CloudNames({m.login.lower(): f"generated account {m.login}" for m in members},
                      {a.lower(): m.login for m in members for a in (*m.verified_emails, *m.unverified_emails)},
                      ids, max(ids | wanted | {0}) + 1)


def build_enterprises(ctx: Context, declared: list[dict[str, Any]], base: list[Enterprise]) -> list[Enterprise]:
    """Every enterprise: generated ones first (declared entries at their position extend them)."""
    out = list(base)
    cloud = names_of(base, declared)
    enterprise_ids = {e.id for e in base} | {d["id"] for d in declared if d.get("id") is not None}
    for i, spec in enumerate(declared):
        path = f"$.enterprises[{i}]"
        ent = base[i] if i < len(base) else None
        if ent is None:
            slug = spec["slug"]
            if slug is None:
                ctx.problem(f"{path}.slug", "required (no generated enterprise at this position)")
                slug = f"enterprise-{i + 1}"
            eid = spec.get("id") or max(enterprise_ids | {0}) + 1
            enterprise_ids.add(eid)
            ent = Enterprise(eid, slug, spec["name"] or slug, 0, False, [], [], [], "", "")
            ent.seats_purchased = -1  # "not stated": the number of declared accounts, below
            out.append(ent)
        _settings(ent, spec)
        _organizations(ctx, ent, spec["organizations"], path)
        known = Declared.of(ent)
        ent.members += [_account(ctx, ent, known, acc, f"{path}.accounts[{n}]", cloud)
                        for n, acc in enumerate(spec["accounts"])]
        _invitations(ctx, ent, known, spec["invitations"], path)
        ent.visual_studio_unlinked += [(v["id"], v["email"]) for v in spec["visual_studio_unlinked"]]
        if ent.seats_purchased < 0:
            ent.seats_purchased = max(10, len(ent.members))
        _staff(ctx, ent, spec, path)
        ent.tokens += declared_tokens(ctx, spec["tokens"], {m.login.lower() for m in ent.members}, ent.owner_login,
                                      path)
    return out


def _settings(ent: Enterprise, spec: dict[str, Any]) -> None:
    """The enterprise's own values the file states (each replaces the default or generated one)."""
    for key, attr in (("slug", "slug"), ("name", "name"), ("id", "id"), ("seats_purchased", "seats_purchased"),
                      ("verified_domains", "verified_domains"), ("saml", "uses_saml"),
                      ("managed_users", "managed_users")):
        if spec.get(key) is not None:
            setattr(ent, attr, spec[key])


def _organizations(ctx: Context, ent: Enterprise, orgs: list[dict[str, Any]], path: str) -> None:
    """Add the declared organizations and their repositories; a name used twice is a problem."""
    known = {o.lower() for o in ent.organizations}
    for n, org in enumerate(orgs):
        name = org["name"]
        if name.lower() in known:
            ctx.problem(f"{path}.organizations[{n}].name", f"organization {name!r} is declared twice")
            continue
        known.add(name.lower())
        ent.organizations.append(name)
        if org["saml"]:
            ent.saml_orgs.append(name)
        repos: set[str] = set()
        for r, repo in enumerate(org["repositories"]):
            if repo["name"].lower() in repos:
                ctx.problem(f"{path}.organizations[{n}].repositories[{r}].name",
                            f"repository {name}/{repo['name']} is declared twice")
            repos.add(repo["name"].lower())
            ent.repositories.append(Repository(name, repo["name"], repo["visibility"], repo["fork"]))


@dataclasses.dataclass
class Declared:
    """An enterprise's organizations and "org/repo"s (lower case), once its organizations are read.
    WHY: every account's references are checked against them (made once, not per account)."""

    orgs: set[str]
    repos: set[str]

    @classmethod
    def of(cls, ent: Enterprise) -> Declared:
        """What `ent` declares now."""
        return cls({o.lower() for o in ent.organizations}, {f"{r.org}/{r.name}".lower() for r in ent.repositories})


def _check_refs(ctx: Context, ent: Enterprise, known: Declared, where: str, orgs: Any, repos: Any) -> None:
    """Every organization and "org/repo" named must be declared in this enterprise."""
    for org in orgs:
        if org.lower() not in known.orgs:
            names = ", ".join(ent.organizations) or "none"
            ctx.problem(where, f"unknown organization {org!r}; this enterprise's: {names}")
    for repo in repos:
        if repo.lower() not in known.repos:
            ctx.problem(where, f"unknown repository {repo!r}: not in any organizations[].repositories")


def _account(ctx: Context, ent: Enterprise, known: Declared, acc: dict[str, Any], where: str,
             cloud: CloudNames) -> GhecMember:
    """One GitHub.com account, its references checked (each check in the order its problems are listed)."""
    login = acc["login"]
    lowered = login.lower()
    if lowered in cloud.logins:
        ctx.problem(f"{where}.login", f"login {login!r} is already {cloud.logins[lowered]} "
                                      "(GitHub.com logins are unique)")
    else:
        cloud.logins[lowered] = where
    uid = acc["id"]
    if uid is None:
        uid, cloud.next_id = cloud.next_id, cloud.next_id + 1
    elif uid in cloud.ids:
        ctx.problem(f"{where}.id", f"id {uid} is already another GitHub.com account's")
    cloud.ids.add(uid)
    verified: list[str] = []
    unverified: list[str] = []
    addresses = cloud.addresses
    for n, email in enumerate(acc["emails"]):
        address = email["address"]
        lowered = address.lower()
        owner = addresses.get(lowered)
        if owner is None:
            addresses[lowered] = login
        else:
            ctx.problem(f"{where}.emails[{n}].address", f"{address} is already an email of {owner} "
                                                        "(an address belongs to one GitHub.com account)")
        (verified if email["verified"] else unverified).append(address)
    orgs: dict[str, str] = acc["orgs"]
    pending, repos = list(acc["pending_invitations"]), list(acc["collaborator_on"])
    if orgs:
        _check_refs(ctx, ent, known, f"{where}.orgs", orgs, ())
    if pending:
        _check_refs(ctx, ent, known, f"{where}.pending_invitations", pending, ())
    if repos:
        _check_refs(ctx, ent, known, f"{where}.collaborator_on", (), repos)
    if acc["suspended"] and not ent.managed_users:
        ctx.problem(f"{where}.suspended", "only managed users (managed_users: true) can be suspended")
    org_roles = [f"{o}:{'Owner' if r == 'owner' else 'Member'}" for o, r in orgs.items() if r != "billing_manager"]
    owner_flag = acc["enterprise_owner"]
    role = acc["role"] or derived_role(owner_flag, org_roles, pending, repos)
    vs = acc["visual_studio"]
    person = acc["person"]
    return GhecMember(
        uid, login, acc["name"], verified, unverified, role, owner_flag, org_roles, pending, acc["two_factor"],
        identity(acc["saml"]), vs is not None, vs["email"] if vs else "",
        None if person is None else ctx.person(person, f"{where}.person"),
        [o for o, r in orgs.items() if r == "billing_manager"], acc["enterprise_billing_manager"], repos,
        acc["suspended"], vs["linked"] if vs else True, acc["setup_enterprise"], acc["scim_external_id"],
        acc["guest_collaborator"])


def derived_role(owner: bool, org_roles: list[str], pending: list[str], repos: list[str]) -> Any:
    """The enterprise role the rest of an account implies (what the generator writes for the same facts)."""
    if owner:
        return "owner"
    if org_roles:
        return "member"
    if pending and not repos:
        return "pending_invitation"
    return "outside_collaborator"


def identity(spec: dict[str, Any] | None) -> SamlIdentity | None:
    """The linked identity: the claims not stated are not sent (empty), the username is the NameID's local part."""
    if spec is None:
        return None
    name_id = spec["name_id"]
    username = spec["username"] if spec.get("username") is not None else name_id.partition("@")[0]
    return SamlIdentity(spec["provider"], name_id, username, spec.get("name") or "", spec.get("emailaddress") or "",
                        list(spec.get("emails") or []))


def _invitations(ctx: Context, ent: Enterprise, known: Declared, declared: list[dict[str, Any]], path: str) -> None:
    """Invitations by email, failed or for repositories; each names exactly one invitee."""
    ids = {inv.id for inv in ent.invitations} | {d["id"] for d in declared if d.get("id") is not None}
    next_id = max(ids | {0}) + 1
    for n, inv in enumerate(declared):
        where = f"{path}.invitations[{n}]"
        if (inv.get("login") is None) == (inv.get("email") is None):
            ctx.problem(where, "an invitation names exactly one of login and email")
        _check_refs(ctx, ent, known, f"{where}.org", [inv["org"]], ())
        _check_refs(ctx, ent, known, f"{where}.repositories", (), inv["repositories"])
        iid = inv.get("id")
        if iid is None:
            iid, next_id = next_id, next_id + 1
        ent.invitations.append(Invitation(iid, inv["org"], inv["role"], inv.get("login"), inv.get("email"),
                                          inv["failed"], list(inv["repositories"])))


def _staff(ctx: Context, ent: Enterprise, spec: dict[str, Any], path: str) -> None:
    """The enterprise owner and the plain member whose tokens the server prints."""
    by_login = {m.login.lower(): m for m in ent.members}
    owner, member = spec.get("owner"), spec.get("member")
    if owner is not None:
        found = by_login.get(owner.lower())
        if found is None or not found.enterprise_owner:
            ctx.problem(f"{path}.owner", f"{owner!r} is not an enterprise owner of this enterprise")
        ent.owner_login = owner
    elif not ent.owner_login:
        first = next((m for m in ent.members if m.enterprise_owner), None)
        if first is None:
            ctx.problem(f"{path}.accounts", "no enterprise owner: mark one account enterprise_owner: true "
                                            "(the server prints its token)")
        ent.owner_login = first.login if first else ""
    if member is not None:
        if member.lower() not in by_login:
            ctx.problem(f"{path}.member", f"{member!r} is not an account of this enterprise")
        ent.member_login = member
    elif not ent.member_login:
        first = next((m for m in ent.members if m.org_roles and not m.enterprise_owner), None)
        ent.member_login = first.login if first else ent.owner_login
