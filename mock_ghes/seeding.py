"""Turn a scenario's GHES instance into the rows the store loads (pure: it writes nothing).

The scenario generator is shared with GHEC and the sync client, so the people here are the
same people GHEC knows. Tokens are derived from the seed (scenarios.tokens) and stored only
as digests; the license's hash and public key are derived too, so two servers started with
the same seed export identical instance blocks.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import scenarios
from github_http import isoformat
from github_http.auth import token_digest
from scenarios.file.use import world
from scenarios.model import GhesInstance, Scenario
from scenarios.tokens import ADMIN_TOKEN_KINDS, declared_key, token_for


@dataclass(frozen=True, slots=True)
class Seeded:
    """Rows for the store and the facts the CLI prints."""

    instance: dict[str, Any]
    users: list[tuple]
    tokens: list[tuple]  # the site admin's tokens of every kind (ghes_tokens rows)
    admin_login: str
    member_login: str
    scenario_sync_enabled_at: datetime


def build_scenario(seed: int, preset: str, params: dict[str, Any], document: dict[str, Any] | None = None) -> Scenario:
    """The shared generator's world, or a scenario file's; bad values raise ValueError naming the valid choices."""
    return world(seed, preset, params, document)


def scenario_token(scenario: Scenario | None, seed: int, key: str) -> str:
    """A scenario token ("ghes:1:admin", ...), derived the same way when only the seed is known."""
    if scenario is not None and key in scenario.tokens:
        return scenario.tokens[key]
    return token_for(seed, key)


def license_document(inst: GhesInstance, company: str) -> dict[str, Any]:
    """The mock's license, as the fields a .ghl carries; its hash is the export's `license`."""
    return {"server_id": inst.server_id, "company": company, "seats": inst.seats,
            "kind": inst.license_kind, "expire_at": isoformat(inst.expire_at)}


def license_hash(document: dict[str, Any]) -> str:
    """`sha256:<hex>` of the license document in canonical JSON."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def license_public_key(seed: int, server_id: str) -> str:
    """A real Ed25519 public key in PEM, derived from the seed (fast, and stable across runs)."""
    private = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"{seed}:{server_id}:license-key".encode()).digest())
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


_QUOTE = json.encoder.encode_basestring  # C-speed JSON string quoting (UTF-8 kept, as ensure_ascii=False)


def _emails_json(user: scenarios.GhesUser) -> str:
    """The account's emails in the export contract's shape, compact; written by hand for 100k-user seeds."""
    return "[" + ",".join(f'{{"address":{_QUOTE(e.address)},"primary":{"true" if e.primary else "false"}}}'
                          for e in user.emails) + "]"


def _stamp(moment: datetime | None) -> str | None:
    """RFC 3339 UTC with Z; a fast path for the generator's whole-second UTC datetimes."""
    if moment is None:
        return None
    if moment.tzinfo is UTC and not moment.microsecond:
        return moment.isoformat()[:19] + "Z"
    return isoformat(moment)


def seed_rows(scenario: Scenario, index: int, *, admin_token: str, now: datetime,
              host_name: str = "") -> Seeded:
    """Rows for instance `index` of `scenario`; the admin and member get tokens, nobody else (the
    admin one of each kind besides its classic one)."""
    if not 1 <= index <= len(scenario.ghes):
        raise ValueError(f"instance {index} is not in this scenario (1..{len(scenario.ghes)})")
    inst = scenario.ghes[index - 1]
    company = scenario.enterprises[0].name if scenario.enterprises else "Mock Company"
    document = license_document(inst, company)
    digest = license_hash(document)
    # The member first: when a scenario file has no plain user, its admin is both and keeps the admin token.
    tokens = {inst.member_login: scenario_token(scenario, scenario.seed, f"ghes:{index}:member"),
              inst.admin_login: admin_token or scenario_token(scenario, scenario.seed, f"ghes:{index}:admin")}
    instance = {
        "instance_index": index, "server_id": inst.server_id, "host_name": host_name or inst.host_name,
        "version": inst.version, "seats": None if inst.seats == "unlimited" else int(inst.seats),
        "license_kind": inst.license_kind, "expire_at": isoformat(inst.expire_at), "company": company,
        "license_hash": digest, "public_key": license_public_key(scenario.seed, inst.server_id),
        "reference_number": digest[7:13],
        "manage_token_digest": token_digest(scenario_token(scenario, scenario.seed, f"ghes:{index}:manage")),
        "seed": scenario.seed, "preset": scenario.preset,
        "params_json": json.dumps(_plain_params(scenario)),
        "admin_login": inst.admin_login, "member_login": inst.member_login,
        "scenario_sync_enabled_at": isoformat(inst.license_enabled_at), "seeded_at": isoformat(now),
    }
    users = []
    now_stamp = isoformat(now)
    for u in inst.users:
        token = tokens.get(u.login)
        created = _stamp(u.created_at) or now_stamp
        last = _stamp(u.last_active_at)
        users.append((
            u.id, u.login, u.name, _emails_json(u), u.kind, int(u.site_admin), int(u.suspended),
            (last or created) if u.suspended else None, "Suspended in the scenario" if u.suspended else None,
            int(u.dormant), created, last, u.person_id, u.canary, token_digest(token) if token else None))
    ids = {u.login.lower(): u.id for u in inst.users}
    admin_id = ids[inst.admin_login.lower()]
    kinds: list[tuple[str, int, str, str | None]] = [
        (token_digest(scenario_token(scenario, scenario.seed, key)), admin_id, key, None)
        for key in (f"ghes:{index}:admin:{kind}" for kind in ADMIN_TOKEN_KINDS)]
    for t in inst.tokens:  # declared by a scenario file: their scopes, or (NULL) their holder's
        key = declared_key(f"ghes:{index}", t.key, t.kind)
        kinds.append((token_digest(scenario_token(scenario, scenario.seed, key)), ids[t.login.lower()], key,
                      " ".join(t.scopes) if t.scopes is not None else None))
    return Seeded(instance, users, kinds, inst.admin_login, inst.member_login, inst.license_enabled_at)


def _plain_params(scenario: Scenario) -> dict[str, Any]:
    """The scenario's parameters as JSON (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(scenario.params).items()}
