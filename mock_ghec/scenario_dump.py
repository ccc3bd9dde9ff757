"""`mock-ghec scenario dump`: this server's world as a scenario file (docs/scenarios.md).

Written from the scenario the state was built from (its seed, preset or file), with the
enterprise renamed as --enterprise renamed it, and with what the organization endpoints
changed since read back from the organization store (orgs_dump.py: roles, invitations,
collaborators, SCIM, Visual Studio links), so loading the dump gives the same organization
state. GHES's side is in the file too, so the same file serves both mocks. Server usage
received since is not part of a world (it is what a sync brings).
"""
from __future__ import annotations

from typing import Any

from scenarios.file.dump import dump_document
from scenarios.file.use import world
from scenarios.model import Invitation, Repository, Scenario

from . import reads
from .orgs_dump import enterprise_fields, member_fields
from .store import Store


def current_world(store: Store) -> Scenario:
    """The loaded world with the organization store's current state laid over it."""
    spec = reads.scenario_spec(store.db) or store.default_spec()
    scenario = world(spec.get("seed", 1), spec.get("preset", "demo"), spec.get("params") or {}, spec.get("file"))
    for ent in scenario.enterprises:
        members = member_fields(store.db, ent.id)
        for member in ent.members:
            for name, value in members.get(member.id, {}).items():
                setattr(member, name, value)
        fields = enterprise_fields(store.db, ent.id)
        ent.managed_users, ent.saml_orgs = fields["managed_users"], fields["saml_orgs"]
        # The declared order where the repositories are the declared ones (their table order follows it).
        declared = {(r.org, r.name): n for n, r in enumerate(ent.repositories)}
        ent.repositories = sorted((Repository(**r) for r in fields["repositories"]),
                                  key=lambda r: (declared.get((r.org, r.name), len(declared)), r.org, r.name))
        ent.invitations = [Invitation(**i) for i in fields["invitations"]]
        ent.visual_studio_unlinked = [(int(n), str(email)) for n, email in fields["visual_studio_unlinked"]]
    return scenario


def dump_world(store: Store) -> dict[str, Any]:
    """The scenario file of this server's world, as it is now."""
    return dump_document(current_world(store))
