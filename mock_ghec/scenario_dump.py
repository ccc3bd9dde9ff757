"""`mock-ghec scenario dump`: the world this server was loaded with, as a scenario file (docs/scenarios.md).

Written from the scenario the state was built from (its seed, preset or file), with the
enterprise renamed as --enterprise renamed it; GHES's side is in the file too, so the same file
serves both mocks. Server usage received since is not part of a world (it is what a sync brings).
"""
from __future__ import annotations

from typing import Any

from scenarios.file.dump import dump_document
from scenarios.file.use import world

from . import reads
from .store import Store


def dump_world(store: Store) -> dict[str, Any]:
    """The scenario file of this server's world."""
    spec = reads.scenario_spec(store.db) or store.default_spec()
    scenario = world(spec.get("seed", 1), spec.get("preset", "demo"), spec.get("params") or {}, spec.get("file"))
    return dump_document(scenario)
