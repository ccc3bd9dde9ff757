"""A loaded scenario file as the same `Scenario` the generator builds, or every problem at once.

With `generate`, the generated world comes first and the file's people, accounts and settings
are added to it (declared enterprises and instances extend the generated ones at the same
position); without it the file is the whole world.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .. import tokens
from ..model import Person, Scenario, ScenarioParams
from .build_ghec import build_enterprises
from .build_ghes import build_instances
from .context import Context
from .parse import ScenarioFileError

FILE_PRESET = "file"


def build(doc: dict[str, Any]) -> Scenario:
    """The world a schema-valid document states; raises ScenarioFileError listing every problem."""
    ctx = Context(doc["seed"], doc["version"])
    base = _generated(ctx, doc.get("generate"))
    people = list(base.people) if base else []
    _people(ctx, doc["people"], people)
    enterprises = build_enterprises(ctx, doc["enterprises"], base.enterprises if base else [])
    default_seats = enterprises[0].seats_purchased if enterprises else 0
    ghes = build_instances(ctx, doc["ghes"], base.ghes if base else [], default_seats)
    if ctx.problems:
        raise ScenarioFileError(ctx.problems)
    _default_work_emails(people, ghes, enterprises)
    params = base.params if base else ScenarioParams(people=len(people), ghes_instances=len(ghes), overlap=0.0,
                                                     edge_cases=False)
    issued = tokens.issue(doc["seed"], len(ghes), [e.slug for e in enterprises])
    for prefix, declared in [*((f"ghec:{e.slug}", e.tokens) for e in enterprises),
                             *((f"ghes:{i.index}", i.tokens) for i in ghes)]:
        issued.update({key: tokens.token_for(doc["seed"], key)
                       for key in (tokens.declared_key(prefix, t.key, t.kind) for t in declared)})
    return Scenario(doc["seed"], doc.get("name") or FILE_PRESET, params, people, ghes, enterprises, issued,
                    list(base.planted) if base else [])


def _generated(ctx: Context, spec: dict[str, Any] | None) -> Scenario | None:
    """The generated world a `generate` block asks for (its problems recorded, not raised)."""
    if spec is None:
        return None
    from .. import build as build_generated

    overrides = {k: v for k, v in spec.items() if k != "preset" and v is not None}
    try:
        return build_generated(ctx.seed, spec["preset"], **overrides)
    except ValueError as error:
        ctx.problem("$.generate", str(error))
        return None


def _people(ctx: Context, declared: list[dict[str, Any]], people: list[Person]) -> None:
    """Declared people after the generated ones: integer ids kept, named ones numbered after the largest."""
    taken = {p.id for p in people}
    for n, spec in enumerate(declared):
        key = spec["id"]
        if key in ctx.person_ids or (isinstance(key, int) and key in taken):
            ctx.problem(f"$.people[{n}].id", f"person {key!r} is declared twice")
        elif isinstance(key, int):
            taken.add(key)
            ctx.person_ids[key] = key
    next_id = max(taken | {0}) + 1
    present = {p.id for p in people}
    for spec in declared:
        key = spec["id"]
        if isinstance(key, str) and key not in ctx.person_ids:
            ctx.person_ids[key], next_id = next_id, next_id + 1
        pid = ctx.person_ids.get(key)
        if pid is None or pid in present:
            continue
        present.add(pid)
        ctx.person_names[pid] = spec["name"]
        people.append(Person(pid, spec["name"], spec.get("locale") or "en_US", spec.get("work_email") or "",
                             spec.get("personal_email")))
    for p in people:
        ctx.person_names.setdefault(p.id, p.name)


def _default_work_emails(people: list[Person], ghes: list[Any], enterprises: list[Any]) -> None:
    """A declared person with no work email gets their first account's primary (or verified) address."""
    missing = {p.id: p for p in people if not p.work_email}
    if not missing:
        return
    for inst in ghes:
        for u in inst.users:
            if u.person_id in missing and not missing[u.person_id].work_email:
                missing[u.person_id].work_email = u.primary_email
    for ent in enterprises:
        for m in ent.members:
            if m.person_id in missing and not missing[m.person_id].work_email and m.verified_emails:
                missing[m.person_id].work_email = m.verified_emails[0]


def params_of(scenario: Scenario) -> dict[str, Any]:
    """The scenario's parameters as JSON values (tuples as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(scenario.params).items()}
