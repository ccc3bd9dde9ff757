"""Build a whole seeded world: people first, then GHES accounts and GHEC members derived from them.

Determinism: every part draws from its own `random.Random` seeded from sha256(seed:part), so
one part's size never shifts another's draws, and nothing depends on `hash()`, set order, the
clock or the global random state. Datetimes are offsets from a fixed BASE (2026-01-01Z).
Speed: the per-record loops are written flat (locals, few calls) because `large` must build
100,000 people in under two seconds; see docs/scenarios.md for the figures.
"""
from __future__ import annotations

import gc
import hashlib
import heapq
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from . import names, tokens
from .model import (Enterprise, GhecMember, GhesEmail, GhesInstance, GhesUser, Person, PlantedCase,
                    SamlIdentity, Scenario, ScenarioParams)
from .names import naive_build_people  # noqa: F401  (public here: the benchmark's baseline)
from .truth import EDGE_KINDS, EXERCISES

BASE = datetime(2026, 1, 1, tzinfo=UTC)
DAY = 86400
ORG_WORDS = ("platform", "data", "mobile", "infra", "web", "security", "research", "payments")
VERSIONS = ("3.13.9", "3.14.6", "3.15.2", "3.16.1")
BOTS = ("ci-bot", "deploy-bot", "release-bot", "backup-bot", "docs-bot")
CLOUD_EDGES = EDGE_KINDS[:4]  # planted on "both sides" people of the main enterprise
FREEZE_FROM = 10_000  # people: from this size the built world is moved out of the GC's sight


def stream(seed: int, part: str) -> random.Random:
    """Give each part of the world an independent, process-stable random stream."""
    digest = hashlib.sha256(f"{seed}:{part}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


@dataclass(slots=True)
class World:
    """Working state shared by the builders; only the resulting Scenario leaves this module."""

    seed: int
    params: ScenarioParams
    companies: list[tuple[str, str, str]]  # (slug, display name, mail domain): main, subsidiary, partner
    side: list[str] = field(default_factory=list)  # per person index: "B"oth, "S"erver only, "C"loud only
    partner: set[int] = field(default_factory=set)  # person indexes in the second enterprise
    edge: dict[int, str] = field(default_factory=dict)  # person index -> edge kind
    fa: list[str] = field(default_factory=list)  # ascii first name per person
    la: list[str] = field(default_factory=list)  # ascii last name per person
    alias: list[str | None] = field(default_factory=list)  # an extra work address, or None
    people: list[Person] = field(default_factory=list)
    homes: list[list[int]] = field(default_factory=list)  # per instance: person indexes, id order
    staff: list[tuple[int, int]] = field(default_factory=list)  # per instance: (admin, member) person


def _assign(world: World, rng: random.Random) -> None:
    """Split people into both/server-only/cloud-only (exact counts), pick partner and edge people."""
    p, n = world.params, world.params.people
    keys = [rng.random() for _ in range(n)]
    nb = round(p.overlap * n)
    ns = round((n - nb) * 0.6)
    ranked = sorted(keys)
    t1 = ranked[nb - 1] if nb else -1.0
    t2 = ranked[nb + ns - 1] if nb + ns else -1.0
    world.side = side = ["B" if k <= t1 else "S" if k <= t2 else "C" for k in keys]
    first = keys.__getitem__  # "first" = lowest key: a random but reproducible pick
    both = [i for i in range(n) if side[i] == "B"]
    server = heapq.nsmallest(8, (i for i in range(n) if side[i] == "S"), key=first)
    cloud = heapq.nsmallest(max(2, round(0.03 * n)), (i for i in range(n) if side[i] == "C"), key=first)
    n2 = max(2, round(0.03 * n))
    world.partner = set(cloud + heapq.nlargest(n2 - len(cloud), both, key=first))
    if p.edge_cases:
        need = [(heapq.nsmallest(4, (i for i in both if i not in world.partner), key=first), CLOUD_EDGES,
                 "people on both sides")]
        if p.ghes_instances >= 2:
            need.append((server, EDGE_KINDS[4:], "GHES-only people"))
        for pool, kinds, who in need:
            if len(pool) < len(kinds):
                raise ValueError(f"edge cases need {len(kinds)} {who} but people={n}, overlap={p.overlap} "
                                 f"give {len(pool)}; change people/overlap or set edge_cases=False")
            world.edge.update(zip(pool, kinds))
    main_cloud = n - ns - len(world.partner) - len(CLOUD_EDGES if p.edge_cases else ())
    ghes_side = nb + ns - len(world.edge)
    if len(world.partner) < 2 or main_cloud < 2 or ghes_side < 2 * p.ghes_instances:
        raise ValueError(f"people={n} is too small for ghes_instances={p.ghes_instances}, "
                         f"overlap={p.overlap}: each instance and enterprise needs an admin and a member")


def _homes(world: World, rng: random.Random) -> None:
    """Place GHES-side people on instances; the first 2K are spread so each has admin + member."""
    k, random_, edge = world.params.ghes_instances, rng.random, world.edge
    homes: list[list[int]] = [[] for _ in range(k)]
    first, forced = homes[0].append, 0
    for i, side in enumerate(world.side):
        if side == "C":
            continue
        kind = edge.get(i)
        if kind is not None:
            for w in ([0, 1] if kind == EDGE_KINDS[4] else [0]):
                homes[w].append(i)
        elif forced < 2 * k:
            homes[forced % k].append(i)
            forced += 1
        elif k == 1:
            first(i)
        else:
            r = random_()
            w = 0 if r < 0.6 else 1 + min(k - 2, int((r - 0.6) / 0.4 * (k - 1)))
            homes[w].append(i)
            if random_() < 0.06:
                homes[(w + 1 + int(random_() * (k - 1))) % k].append(i)
    world.homes = homes  # each list is in person-index order already
    world.staff = [tuple(x for x in homes[j][:len(edge) + 2] if x not in edge)[:2] for j in range(k)]


def _case_variant(address: str) -> str:
    """Same address, different case ("Anna.Schmidt@ACME-CORP.example"): must still merge."""
    local, domain = address.split("@")
    head, _, tld = domain.rpartition(".")
    return f"{local.title()}@{head.upper()}.{tld}"


def _specials(world: World, j: int, rng: random.Random, host: str) -> list[tuple[str, str, str, str]]:
    """Ghost, scim-admin and 2-4 bots: (kind, login, name, email), never linked to a person."""
    bots = sorted(rng.sample(BOTS, rng.randint(2, 4)))
    domain = world.companies[0][2]
    return ([("ghost", "ghost", "Deleted user", f"ghost@{host}"),
             ("scim-admin", "scim-admin", "SCIM setup user", f"scim-admin@{host}")]
            + [("bot", b, f"{b} (automation)", f"{b}@{domain}") for b in bots])


def _instance(world: World, j: int, seats: int) -> GhesInstance:
    """Build GHES instance j+1: its license, site admin, ghost, scim-admin, bots and people."""
    rng = stream(world.seed, f"ghes:{j + 1}")
    random_, getrandbits = rng.random, rng.getrandbits
    host = f"ghes-{j + 1}.{world.companies[0][2]}"
    server_id = str(uuid.UUID(int=getrandbits(128), version=4))
    version = VERSIONS[int(random_() * len(VERSIONS))]
    registry = names.LoginRegistry(("ghost", "scim-admin", *BOTS))
    claim, taken, add_login = registry.claim_clean, registry.taken, registry.taken.add
    admin, member = world.staff[j]
    # ids follow creation order: the installing admin first, then ghost, then everyone else
    # (a rotation of person order) with scim-admin and bots created at random points.
    others = [i for i in world.homes[j] if i != admin]
    cut = int(random_() * len(others))
    entries: list[int | tuple] = [admin] + others[cut:] + others[:cut]
    specials = _specials(world, j, rng, host)
    for s in specials[1:]:
        entries.insert(1 + int(random_() * len(entries)), s)
    entries.insert(1, specials[0])
    start = -rng.randint(2 * 365, 6 * 365) * DAY
    span, cutoff, td = -DAY - start, -90 * DAY, timedelta
    times = sorted([int(start + random_() * span) for _ in entries])  # seconds relative to BASE
    edge, fa, la, people, aliases = world.edge, world.fa, world.la, world.people, world.alias
    users: list[GhesUser] = []
    append = users.append
    # 80 random bits per canary: a repeat among a million users has odds below 1e-12.
    blob = getrandbits(80 * len(entries)).to_bytes(10 * len(entries), "big").hex()
    for uid, ref, created in zip(range(1, len(entries) + 1), entries, times):
        canary = "canary-" + blob[20 * uid - 20:20 * uid]
        if ref.__class__ is tuple:
            kind, login, label, mail = ref
            low = created if created > -5 * DAY else -5 * DAY  # bots and scim-admin are busy
            recent = None if kind == "ghost" else BASE + td(0, low + int(random_() * -low))
            append(GhesUser(uid, login, label, [GhesEmail(mail, True)], kind, kind == "scim-admin",
                            False, False, BASE + td(0, created), recent, None, canary))
            continue
        f, l, person, edge_kind = fa[ref], la[ref], people[ref], edge.get(ref)
        work, personal, alias = person.work_email, person.personal_email, aliases[ref]
        r = random_()
        if edge_kind is not None or ref == admin or ref == member:  # fixed, unremarkable shape
            if edge_kind == EDGE_KINDS[4]:
                r = 0.0 if j == 0 else 0.8  # different logins on the two instances
            emails = [GhesEmail(_case_variant(work) if edge_kind == EDGE_KINDS[0] else work, True)]
            if edge_kind == EDGE_KINDS[1]:
                emails.append(GhesEmail(personal, False))
            status, v = 1.0, 1.0
        else:
            e = random_()
            if personal is None or e >= 0.4:
                emails = [GhesEmail(work, True)]
            elif e < 0.08:
                emails = [GhesEmail(personal, True), GhesEmail(work, False)]
            else:
                emails = [GhesEmail(work, True), GhesEmail(personal, False)]
            if alias is not None and random_() < 0.5:
                emails.append(GhesEmail(alias, False))
            status, v = random_(), random_()
        base = f"{f}-{l}" if r < 0.55 else f"{f}{l}" if r < 0.75 else f"{f[0]}{l}" if r < 0.9 else f"{l}-{f}"
        if base in taken or len(base) > names.LOGIN_MAX:
            login = claim(base)
        else:
            login = base
            add_login(base)
        if v < 0.03:
            last, dormant = None, False
        elif v < 0.11 and created < cutoff - DAY:
            last, dormant = BASE + td(0, created + int(random_() * (cutoff - DAY - created))), True
        else:
            low = created if created > cutoff + DAY else cutoff + DAY
            last, dormant = BASE + td(0, low + int(random_() * -low)), False
        append(GhesUser(uid, login, person.name, emails, "user", ref == admin or 0.03 <= status < 0.04,
                        status < 0.03, dormant, BASE + td(0, created), last, ref + 1, canary))
    if world.params.edge_cases:
        _ensure_ghes_variety(users, {admin + 1, member + 1} | {i + 1 for i in edge})
    login_of = {users[0].person_id: users[0].login}
    login_of.update((u.person_id, u.login) for u in users if u.person_id == member + 1)
    unlimited = world.params.unlimited_seats and j == world.params.ghes_instances - 1
    return GhesInstance(
        j + 1, server_id, host, version, "unlimited" if unlimited else seats, "standard",
        BASE + timedelta(days=rng.randint(730, 1460)),  # licenses outlive the fixed base date by years
        BASE - timedelta(days=rng.randint(7, 400), seconds=rng.randint(0, DAY)),
        users, login_of[admin + 1], login_of[member + 1])


def _ensure_ghes_variety(users: list[GhesUser], special: set[int]) -> None:
    """With edge cases on, make each account status appear at least once, however small the instance.

    Distinct accounts where there are enough; otherwise compatible statuses share one account.
    """
    plain = [u for u in reversed(users) if u.kind == "user" and u.person_id not in special]
    cutoff = BASE - timedelta(days=91)
    checks = {
        "never": (lambda u: u.last_active_at is None, lambda u: not u.dormant),
        "dormant": (lambda u: u.dormant, lambda u: u.created_at < cutoff and u.last_active_at is not None),
        "suspended": (lambda u: u.suspended, lambda u: True),
        "site_admin": (lambda u: u.site_admin, lambda u: True),
    }
    used: list[GhesUser] = []
    for feature, (has, fits) in checks.items():
        if any(has(u) for u in plain):
            continue
        candidates = [u for u in plain if fits(u)]
        fresh = [u for u in candidates if all(u is not x for x in used)]
        u = (fresh or candidates or [None])[0]
        if u is None:
            continue
        used.append(u)
        if feature == "never":
            u.last_active_at = None
        elif feature == "dormant":
            u.dormant, u.last_active_at = True, u.created_at + (cutoff - u.created_at) / 2
        else:
            setattr(u, feature, True)


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
    for i, role in zip(people_idx, roles):
        person, kind, alias = people[i], edge.get(i), aliases[i]
        work, personal = person.work_email, person.personal_email
        seated = role == "member" or role == "owner"
        r = random_()
        if kind is not None:
            verified = [work] if kind == EDGE_KINDS[0] else [personal]
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
        out.append(GhecMember(uid, base, "" if r > 0.92 else person.name, verified, unverified, role,
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
    login_of = {m.person_id: m.login for m in enterprises[0].members if m.person_id - 1 in edge}
    return enterprises, {i: login_of[i + 1] for i in edge if i + 1 in login_of}


def generate(seed: int, preset: str, params: ScenarioParams) -> Scenario:
    """Assemble the scenario from independent streams; validated params come from `build`.

    The cyclic GC is paused while building: the world holds no reference cycles, and GC passes
    over hundreds of thousands of fresh objects would add a third to the time. Big worlds are
    then frozen (moved to the permanent generation) so later passes skip them too; refcounting
    still frees them when the scenario is dropped.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        world = World(seed, params, names.companies(stream(seed, "companies")))
        _assign(world, stream(seed, "sides"))
        needs_personal = {i for i, kind in world.edge.items() if kind in CLOUD_EDGES[1:]}
        world.people, world.fa, world.la, world.alias = names.draw_people(
            stream(seed, "people"), params.locales, params.people, world.companies, world.partner,
            needs_personal, set(world.edge))
        _homes(world, stream(seed, "homes"))
        enterprises, ghec_login = build_enterprises(world, stream(seed, "ghec"))
        ghes = [_instance(world, j, enterprises[0].seats_purchased) for j in range(params.ghes_instances)]
        logins_of: dict[int, list[tuple[int, str]]] = {i + 1: [] for i in world.edge}
        for inst in ghes:
            for u in inst.users:
                if u.person_id in logins_of:
                    logins_of[u.person_id].append((inst.index, u.login))
        planted = [PlantedCase(kind, i + 1, EXERCISES[kind], kind not in (EDGE_KINDS[1], EDGE_KINDS[3]),
                               logins_of[i + 1], ghec_login.get(i))
                   for i, kind in sorted(world.edge.items(), key=lambda item: EDGE_KINDS.index(item[1]))]
        scenario = Scenario(seed, preset, params, world.people, ghes, enterprises,
                            tokens.issue(seed, params.ghes_instances, [e.slug for e in enterprises]), planted)
        del world
        if params.people >= FREEZE_FROM:
            gc.freeze()
        return scenario
    finally:
        if collecting:
            gc.enable()
