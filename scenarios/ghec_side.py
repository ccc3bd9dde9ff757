"""The GHEC side of the world: the enterprises, their GitHub.com members and SAML/SCIM identities."""
from __future__ import annotations

import random
from typing import cast

from . import names
from .model import Enterprise, GhecMember, GhecRole, SamlIdentity
from .truth import EDGE_KINDS
from .world import ORG_WORDS, World


def _members(world: World, rng: random.Random, people_idx: list[int], orgs: list[str], saml: bool,
             roles: list[str], handles: names.LoginRegistry) -> list[GhecMember]:
    """GitHub.com accounts for these people (one flat loop: this runs 76,000 times for `large`)."""
    random_, edge, people, aliases = rng.random, world.edge, world.people, world.alias
    fa, la = world.fa, world.la
    claim, taken, add_login = handles.claim_clean, handles.taken, handles.taken.add
    count = len(orgs)
    as_member = [f"{o}:Member" for o in orgs]
    as_owner = [f"{o}:Owner" for o in orgs]
    uid = 1_000_000 + int(random_() * 5_000_000) + (0 if saml else 150_000_000)
    out = []
    for i, role in zip(people_idx, roles, strict=True):
        person, kind, alias = people[i], edge.get(i), aliases[i]
        work, personal = person.work_email, person.personal_email
        seated = role == "member" or role == "owner"
        r = random_()
        if kind is not None:
            # the planted people all have a personal address (truth.py plants them so)
            verified = [work] if kind == EDGE_KINDS[0] else [cast(str, personal)]
            unverified = [work] if kind == EDGE_KINDS[3] else []
            linked, name_id = kind == EDGE_KINDS[2], work
        else:
            if role == "outside_collaborator" or (personal is not None and r < 0.12):
                verified = [personal or work]  # nothing on a verified domain: likely a 2nd license
            else:
                verified = [work, personal] if personal is not None and r < 0.56 else [work]
            r = random_()
            unverified = [alias] if alias is not None and r < 0.3 else []
            linked = saml and seated and r < 0.96
            name_id = alias if alias is not None and r < 0.1 else work  # the UPN may differ from mail
        identity = None
        if linked:
            identity = SamlIdentity("scim" if random_() < 0.3 else "saml", name_id, work.partition("@")[0],
                                    name_id, work, [work])
        pending: list[str] = []
        r = random_()
        if seated:
            at = int(r * count)
            org_roles = [as_owner[at] if role == "owner" or r * count - at < 0.05 else as_member[at]]
            r = random_()
            if count > 1 and r < 0.2:
                org_roles.append(as_member[(at + 1) % count])
            if count > 2 and r > 0.98:
                pending = [orgs[(at + 2) % count]]
        else:
            org_roles = []
            if role == "pending_invitation":
                pending = [orgs[int(r * count)]]
        r = random_()
        base = (f"{fa[i]}-{la[i]}" if r < 0.35 else f"{fa[i]}{la[i]}" if r < 0.55 else
                f"{fa[i][0]}{la[i]}" if r < 0.7 else
                f"{fa[i]}{la[i]}{int((r - 0.7) * 6660) + 1}" if r < 0.85 else f"{la[i]}-{fa[i]}")
        if base in taken or len(base) > names.LOGIN_MAX:
            base = claim(base)
        else:
            add_login(base)
        uid += 1 + int(random_() * 4000)  # sparse, rising ids like GitHub.com's
        r = random_()
        vs = r < 0.1
        out.append(GhecMember(uid, base, "" if r > 0.92 else person.name, verified, unverified, cast(GhecRole, role),
                              role == "owner", org_roles, pending, role == "owner" or random_() < 0.85,
                              identity, vs, (work if r < 0.07 else personal or work) if vs else "",
                              person.id))
    return out


def _ensure_ghec_variety(members: list[GhecMember], special: set[int]) -> None:
    """With edge cases on, make sure a VS subscriber, a no-2FA member and an unlinked member exist."""
    plain = [m for m in members if m.role == "member" and m.person_id not in special]
    if plain and not any(m.visual_studio_subscriber for m in plain):
        m = plain.pop()
        m.visual_studio_subscriber, m.visual_studio_email = True, m.verified_emails[0]
    if plain and not any(not m.two_factor for m in plain):
        plain.pop().two_factor = False
    if plain and not any(m.identity is None for m in plain):
        plain.pop().identity = None


def build_enterprises(world: World, rng: random.Random) -> tuple[list[Enterprise], dict[int, str]]:
    """Main enterprise (SAML, verified main + subsidiary domains) and a small partner one (no SAML)."""
    n, edge = world.params.people, world.edge
    handles = names.LoginRegistry(("ghost",))  # GitHub.com logins are global, across enterprises
    cloud = [i for i, s in enumerate(world.side) if s != "S"]
    groups = [[i for i in cloud if i not in world.partner], [i for i in cloud if i in world.partner]]
    enterprises = []
    for e, members_of in enumerate(groups):
        slug, display, domain = world.companies[2 if e else 0]
        orgs = [slug] if e else [f"{slug}-{w}" for w in
                                 rng.sample(ORG_WORDS, 2 if n < 50 else 3 if n < 1000 else 5)]
        staff = [i for i in members_of[:len(edge) + 2] if i not in edge][:2]
        forced = ["outside_collaborator", "pending_invitation", "owner"] if world.params.edge_cases else []
        roles = []
        for i in members_of:
            r = rng.random()
            if i == staff[0]:
                roles.append("owner")
            elif i == staff[1] or i in edge:
                roles.append("member")
            elif forced:
                roles.append(forced.pop(0))
            else:
                roles.append("owner" if r < 0.02 else "outside_collaborator" if r < 0.07 else
                             "pending_invitation" if r < 0.11 else "member")
        members = _members(world, rng, members_of, orgs, e == 0, roles, handles)
        if world.params.edge_cases:
            _ensure_ghec_variety(members, {staff[0] + 1, staff[1] + 1} | {i + 1 for i in edge})
        seats = len(members_of) * 1.5 if e else (n - len(world.partner)) * 1.15
        verified = [domain] if e else [domain, world.companies[1][2]]
        enterprises.append(Enterprise(
            rng.randint(1000, 99999), slug, display, int(-(-seats // 10) * 10), e == 0, orgs, verified,
            members, members[members_of.index(staff[0])].login, members[members_of.index(staff[1])].login))
    login_of = {m.person_id: m.login for m in enterprises[0].members
                if m.person_id is not None and m.person_id - 1 in edge}
    return enterprises, {i: login_of[i + 1] for i in edge if i + 1 in login_of}
