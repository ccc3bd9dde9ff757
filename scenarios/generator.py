"""Build a whole seeded world: people first, then GHES accounts and GHEC members derived from them.

Determinism: every part draws from its own `random.Random` seeded from sha256(seed:part), so
one part's size never shifts another's draws, and nothing depends on `hash()`, set order, the
clock or the global random state. Datetimes are offsets from a fixed BASE (2026-01-01Z).
Speed: the per-record loops are written flat (locals, few calls) because `large` must build
100,000 people in under two seconds; see docs/scenarios.md for the figures.

This module places people (sides, instances) and assembles the Scenario; the builders live in
world.py (shared state), ghes_side.py (GHES instances and users) and ghec_side.py (GHEC
enterprises and members). Every name that used to be defined here is still importable from here.
"""
from __future__ import annotations

import gc
import heapq
import random

from . import names, tokens
from .ghec_side import build_enterprises
from .ghes_side import _instance
from .license_edges import plant_license_cases
from .model import PlantedCase, Scenario, ScenarioParams
from .truth import EDGE_KINDS, EXERCISES
from .world import CLOUD_EDGES, FREEZE_FROM, World, stream


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
        need: list[tuple[list[int], tuple[str, ...], str]] = [
            (heapq.nsmallest(4, (i for i in both if i not in world.partner), key=first), CLOUD_EDGES,
             "people on both sides")]
        if p.ghes_instances >= 2:
            need.append((server, EDGE_KINDS[4:], "GHES-only people"))
        for pool, kinds, who in need:
            if len(pool) < len(kinds):
                raise ValueError(f"edge cases need {len(kinds)} {who} but people={n}, overlap={p.overlap} "
                                 f"give {len(pool)}; change people/overlap or set edge_cases=False")
            world.edge.update(zip(pool, kinds, strict=False))  # the pool may hold more people than kinds
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
        if preset == "edge-cases":  # DOMAIN §7: every GHEC license rule, planted (only in this preset)
            plant_license_cases(enterprises)
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
