"""`mock-ghes scenario dump`: the current world as a scenario file (docs/scenarios.md).

The served instance is written as its state is now (its accounts as the API left them, its
license); the rest of the world (people, the other instances, GHEC's side) as the scenario it
was seeded from, so the file loads on this server and on its GHEC alike.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from github_http.clock import parse_time
from scenarios.file.dump import dump_document
from scenarios.model import GhesEmail, GhesUser

from .runtime import Runtime
from .seeding import build_scenario


def _user(row: dict[str, Any]) -> GhesUser:
    """A store row as the scenario's GhesUser."""
    return GhesUser(row["id"], row["login"], row["name"],
                    [GhesEmail(e["address"], bool(e["primary"])) for e in row["emails"]], row["kind"],
                    bool(row["site_admin"]), bool(row["suspended"]), bool(row["dormant"]),
                    parse_time(row["created_at"]) if row["created_at"] else None,
                    parse_time(row["last_active_at"]) if row["last_active_at"] else None,
                    row["person_id"], row["canary"])


def dump_world(runtime: Runtime) -> dict[str, Any]:
    """The scenario file of this server's world, with its own instance as it is now."""
    spec = runtime.spec()
    scenario = build_scenario(spec["seed"], spec["preset"], spec["params"], runtime.document())
    inst, k = runtime.store.instance(), spec["instance"]
    scenario.ghes[k - 1] = dataclasses.replace(
        scenario.ghes[k - 1], server_id=inst["server_id"], host_name=inst["host_name"], version=inst["version"],
        seats=inst["seats"], license_kind=inst["license_kind"], expire_at=parse_time(inst["expire_at"]),
        users=[_user(u) for u in runtime.store.all_users()], admin_login=inst["admin_login"],
        member_login=inst["member_login"])
    return dump_document(scenario)
