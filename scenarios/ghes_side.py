"""The GHES side of the world: each instance's license, site admin, specials and user accounts."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import cast

from . import names
from .model import GhesEmail, GhesInstance, GhesUser
from .truth import EDGE_KINDS
from .world import BASE, BOTS, DAY, VERSIONS, World, stream


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
    entries: list[int | tuple] = [admin, *others[cut:], *others[:cut]]
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
    for uid, ref, created in zip(range(1, len(entries) + 1), entries, times, strict=True):
        canary = "canary-" + blob[20 * uid - 20:20 * uid]
        if isinstance(ref, tuple):
            kind, login, label, mail = ref
            low = created if created > -5 * DAY else -5 * DAY  # bots and scim-admin are busy
            recent = None if kind == "ghost" else BASE + td(0, low + int(random_() * -low))
            append(GhesUser(uid, login, label, [GhesEmail(mail, True)], kind, kind == "scim-admin",
                            False, False, BASE + td(0, created), recent, None, canary))
            continue
        f, surname, person, edge_kind = fa[ref], la[ref], people[ref], edge.get(ref)
        work, personal, alias = person.work_email, person.personal_email, aliases[ref]
        r = random_()
        if edge_kind is not None or ref in (admin, member):  # fixed, unremarkable shape
            if edge_kind == EDGE_KINDS[4]:
                r = 0.0 if j == 0 else 0.8  # different logins on the two instances
            emails = [GhesEmail(_case_variant(work) if edge_kind == EDGE_KINDS[0] else work, True)]
            if edge_kind == EDGE_KINDS[1]:
                emails.append(GhesEmail(cast(str, personal), False))  # planted on people who have one
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
        base = (f"{f}-{surname}" if r < 0.55 else f"{f}{surname}" if r < 0.75 else
                f"{f[0]}{surname}" if r < 0.9 else f"{surname}-{f}")
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
        if not (fresh or candidates):
            continue
        u = (fresh or candidates)[0]
        used.append(u)
        if feature == "never":
            u.last_active_at = None
        elif feature == "dormant":
            created = cast(datetime, u.created_at)  # `fits` compared it with the cutoff: it is set
            u.dormant, u.last_active_at = True, created + (cutoff - created) / 2
        else:
            setattr(u, feature, True)
