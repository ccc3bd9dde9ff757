"""The GHEC side of the world: the enterprises, their GitHub.com members and SAML/SCIM identities."""
from __future__ import annotations

import random
from collections.abc import Callable

from . import names
from .model import Enterprise, GhecMember, GhecRole, SamlIdentity
from .truth import EDGE_KINDS
from .world import ORG_WORDS, World

# How a GitHub.com account looks, drawn per person. Each draw of `rng.random()` is one `r` of one
# step below, in this order (the scenario digests pin the order: a new draw goes last).
#: Email step (one draw, `r`): only the personal address is verified (nothing on a verified
#: domain: likely a second license) when r < P_PERSONAL_ONLY; else both when r < P_BOTH_VERIFIED.
P_PERSONAL_ONLY, P_BOTH_VERIFIED = 0.12, 0.56
#: Identity step (one draw shared by three choices): the alias is an unverified address, the
#: account is linked (SAML, seated), the SAML NameID (UPN) is the alias instead of the work mail.
P_ALIAS_UNVERIFIED, P_SAML_LINKED, P_UPN_IS_ALIAS = 0.3, 0.96, 0.1
#: A linked identity comes from SCIM rather than plain SAML (one draw, only when linked).
P_SCIM = 0.3
#: Organisation step: the fraction of a seated member's slice in which they own their org, then
#: (second draw) a second organisation below P_SECOND_ORG, a pending invitation above P_PENDING_AFTER.
P_ORG_OWNER_SLICE, P_SECOND_ORG, P_PENDING_AFTER = 0.05, 0.2, 0.98
#: Login step (one draw): "first-last" below the first bound, "firstlast", "flast", "firstlastN",
#: else "last-first"; N is the draw's place in its band times LOGIN_NUMBER_SCALE, plus 1 (1..999).
LOGIN_STYLE_BOUNDS, LOGIN_NUMBER_SCALE = (0.35, 0.55, 0.7, 0.85), 6660
#: Ids rise by 1 + up to this much from one account to the next (one draw), like GitHub.com's.
MAX_ID_GAP = 4000
#: Profile step (one draw): a Visual Studio subscriber below P_VS (with the work address below
#: P_VS_WORK_EMAIL), no display name above P_NO_NAME; then 2FA on with P_TWO_FACTOR (not for owners).
P_VS, P_VS_WORK_EMAIL, P_NO_NAME, P_TWO_FACTOR = 0.1, 0.07, 0.92, 0.85


def _emails(random_: Callable[[], float], kind: str | None, role: str, work: str, personal: str | None,
            alias: str | None, linkable: bool) -> tuple[list[str], list[str], bool, str]:
    """(verified, unverified, linked, SAML NameID) of one account: an edge case's are fixed."""
    r = random_()
    if kind is not None:
        # (the generator gives every secondary-email-only person a personal address)
        verified = [work] if kind == EDGE_KINDS[0] else [personal or work]
        return verified, [work] if kind == EDGE_KINDS[3] else [], kind == EDGE_KINDS[2], work
    if role == "outside_collaborator" or (personal is not None and r < P_PERSONAL_ONLY):
        verified = [personal or work]
    else:
        verified = [work, personal] if personal is not None and r < P_BOTH_VERIFIED else [work]
    r = random_()
    unverified = [alias] if alias is not None and r < P_ALIAS_UNVERIFIED else []
    name_id = alias if alias is not None and r < P_UPN_IS_ALIAS else work
    return verified, unverified, linkable and r < P_SAML_LINKED, name_id


def _org_roles(random_: Callable[[], float], role: str, seated: bool, orgs: list[str],
               as_owner: list[str], as_member: list[str]) -> tuple[list[str], list[str]]:
    """(organisation roles, pending invitations) of one account."""
    count = len(orgs)
    r = random_()
    if not seated:
        return [], [orgs[int(r * count)]] if role == "pending_invitation" else []
    at = int(r * count)
    org_roles = [as_owner[at] if role == "owner" or r * count - at < P_ORG_OWNER_SLICE else as_member[at]]
    r = random_()
    if count > 1 and r < P_SECOND_ORG:
        org_roles.append(as_member[(at + 1) % count])
    return org_roles, [orgs[(at + 2) % count]] if count > 2 and r > P_PENDING_AFTER else []


def _login(r: float, first: str, last: str) -> str:
    """The login a person would pick, by the style `r` falls in (before making it unique)."""
    dash, joined, initial, numbered = LOGIN_STYLE_BOUNDS
    if r < dash:
        return f"{first}-{last}"
    if r < joined:
        return f"{first}{last}"
    if r < initial:
        return f"{first[0]}{last}"
    if r < numbered:
        return f"{first}{last}{int((r - initial) * LOGIN_NUMBER_SCALE) + 1}"
    return f"{last}-{first}"


def _members(world: World, rng: random.Random, people_idx: list[int], orgs: list[str], saml: bool,
             roles: list[GhecRole], handles: names.LoginRegistry) -> list[GhecMember]:
    """GitHub.com accounts for these people, one step per part of an account (this runs 76,000
    times for `large`, so the steps share no more than the draws)."""
    random_, edge, people, aliases = rng.random, world.edge, world.people, world.alias
    claim, taken, add_login = handles.claim_clean, handles.taken, handles.taken.add
    as_member = [f"{o}:Member" for o in orgs]
    as_owner = [f"{o}:Owner" for o in orgs]
    uid = 1_000_000 + int(random_() * 5_000_000) + (0 if saml else 150_000_000)
    out = []
    for i, role in zip(people_idx, roles, strict=True):
        person, alias = people[i], aliases[i]
        work, personal = person.work_email, person.personal_email
        seated = role in ("member", "owner")
        verified, unverified, linked, name_id = _emails(random_, edge.get(i), role, work, personal, alias,
                                                        saml and seated)
        identity = SamlIdentity("scim" if random_() < P_SCIM else "saml", name_id, work.partition("@")[0],
                                name_id, work, [work]) if linked else None
        org_roles, pending = _org_roles(random_, role, seated, orgs, as_owner, as_member)
        login = _login(random_(), world.fa[i], world.la[i])
        if login in taken or len(login) > names.LOGIN_MAX:
            login = claim(login)
        else:
            add_login(login)
        uid += 1 + int(random_() * MAX_ID_GAP)
        r = random_()
        vs = r < P_VS
        out.append(GhecMember(uid, login, "" if r > P_NO_NAME else person.name, verified, unverified, role,
                              role == "owner", org_roles, pending, role == "owner" or random_() < P_TWO_FACTOR,
                              identity, vs, (work if r < P_VS_WORK_EMAIL else personal or work) if vs else "",
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
        forced: list[GhecRole] = (["outside_collaborator", "pending_invitation", "owner"]
                                  if world.params.edge_cases else [])
        roles: list[GhecRole] = []
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
