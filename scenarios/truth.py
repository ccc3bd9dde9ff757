"""Ground truth about a scenario, in plain JSON-able form: what was generated and what was planted.

GHEC never sees `person_id`; tests, the CLI and docs use these summaries to say what a correct
sync must reconstruct, and `digest` to prove two builds are the same world.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from datetime import datetime
from typing import Any

from .model import Scenario

EDGE_KINDS = ("email-case-only", "secondary-email-only", "identity-only",
              "unverified-email-only", "two-instances-same-email")

EXERCISES = {
    EDGE_KINDS[0]: "GHES primary differs from a GHEC verified email only in letter case: "
                   "trim + case-insensitive matching merges them",
    EDGE_KINDS[1]: "GHES secondary email equals a GHEC verified email but the primary does not: "
                   "only the primary is matched, so no merge",
    EDGE_KINDS[2]: "GHES primary equals the SAML/SCIM identity's NameID/emailaddress claims but no "
                   "verified email: matched through the identity (step 1)",
    EDGE_KINDS[3]: "GHES primary equals a GHEC *unverified* email only: unverified addresses never "
                   "match, so no merge",
    EDGE_KINDS[4]: "GHES-only person with accounts on instances 1 and 2 (different logins) sharing "
                   "one primary email: the two accounts merge into one row",
}


def _ghes_summary(scenario: Scenario) -> list[dict[str, Any]]:
    """Per-instance counts, so a reader can see what each mock should report."""
    out = []
    for inst in scenario.ghes:
        humans = [u for u in inst.users if u.kind == "user"]
        out.append({
            "index": inst.index, "host_name": inst.host_name, "server_id": inst.server_id,
            "version": inst.version, "seats": inst.seats, "users": len(inst.users),
            "by_kind": dict(sorted(Counter(u.kind for u in inst.users).items())),
            "user_accounts": {  # kind == "user" only: ghost, scim-admin and bots are listed above
                "total": len(humans),
                "suspended": sum(u.suspended for u in humans),
                "dormant": sum(u.dormant for u in humans),
                "never_signed_in": sum(u.last_active_at is None for u in humans),
                "site_admins": sum(u.site_admin for u in humans),
                "with_secondary_emails": sum(len(u.emails) > 1 for u in humans),
            },
            "admin_login": inst.admin_login, "member_login": inst.member_login,
        })
    return out


def _ghec_summary(scenario: Scenario) -> list[dict[str, Any]]:
    """Per-enterprise counts by role, identity, 2FA and Visual Studio subscription."""
    out = []
    for ent in scenario.enterprises:
        out.append({
            "slug": ent.slug, "name": ent.name, "uses_saml": ent.uses_saml,
            "seats_purchased": ent.seats_purchased, "organizations": list(ent.organizations),
            "verified_domains": list(ent.verified_domains), "members": len(ent.members),
            "by_role": dict(sorted(Counter(m.role for m in ent.members).items())),
            "enterprise_owners": sum(m.enterprise_owner for m in ent.members),
            "with_identity": sum(m.identity is not None for m in ent.members),
            "two_factor": sum(m.two_factor for m in ent.members),
            "visual_studio_subscribers": sum(m.visual_studio_subscriber for m in ent.members),
            "owner_login": ent.owner_login, "member_login": ent.member_login,
        })
    return out


def describe(scenario: Scenario) -> dict[str, Any]:
    """Summarise the ground truth (people, GHES users, GHEC members, planted edge cases) as JSON."""
    on_ghes = {u.person_id for inst in scenario.ghes for u in inst.users if u.person_id is not None}
    on_ghec = {m.person_id for e in scenario.enterprises for m in e.members if m.person_id is not None}
    params = dataclasses.asdict(scenario.params)
    params["locales"] = list(params["locales"])
    return {
        "seed": scenario.seed,
        "preset": scenario.preset,
        "params": params,
        "people": {
            "total": len(scenario.people),
            "both_sides": len(on_ghes & on_ghec),
            "ghes_only": len(on_ghes - on_ghec),
            "ghec_only": len(on_ghec - on_ghes),
            "by_locale": dict(sorted(Counter(p.locale for p in scenario.people).items())),
        },
        "ghes": _ghes_summary(scenario),
        "ghec": _ghec_summary(scenario),
        "edge_cases": [{
            "kind": c.kind, "person_id": c.person_id, "exercises": c.exercises,
            "expect_merge": c.expect_merge,
            "ghes_accounts": [{"instance": k, "login": login} for k, login in c.ghes_logins],
            "ghec_login": c.ghec_login,
        } for c in scenario.planted],
    }


def _plain(obj: Any) -> Any:
    """Turn dataclasses, tuples and datetimes into JSON values for a canonical dump."""
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj


def digest(scenario: Scenario) -> str:
    """sha256 of a canonical JSON dump: equal digests mean the same world, in any process."""
    text = json.dumps(_plain(scenario), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
