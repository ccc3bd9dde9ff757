"""A Scenario as a scenario file's document: everything explicit, so loading it gives the same world.

Values equal to what loading would default to are left out (a `large` world stays a file of
tens, not hundreds, of megabytes); ids, times, canaries and server ids are always written,
because the loader's defaults for them are not the generator's.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import yaml

from ..model import DeclaredToken, Enterprise, GhecMember, GhesInstance, GhesUser, Scenario
from .build_ghec import derived_role
from .schemas import FORMAT_VERSION

_GUEST = "guest_collaborator" in {f.name for f in dataclasses.fields(GhecMember)}


def _time(moment: datetime | None) -> str | None:
    """RFC 3339, UTC as Z."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _flags(out: dict[str, Any], **flags: bool) -> dict[str, Any]:
    """Add the flags that are set (the file's default for each is false)."""
    out.update({k: True for k, v in flags.items() if v})
    return out


def dump_document(scenario: Scenario, name: str | None = None) -> dict[str, Any]:
    """The scenario file that states `scenario` (no `generate`: every person and account listed)."""
    return {"version": FORMAT_VERSION, "seed": scenario.seed, "name": name or scenario.preset,
            "people": [{"id": p.id, "name": p.name, "locale": p.locale,
                        **({"work_email": p.work_email} if p.work_email else {}),
                        **({"personal_email": p.personal_email} if p.personal_email else {})}
                       for p in scenario.people],
            "enterprises": [_enterprise(e) for e in scenario.enterprises],
            "ghes": [_instance(i) for i in scenario.ghes]}


def _enterprise(ent: Enterprise) -> dict[str, Any]:
    """One enterprise with its organizations, repositories, accounts and invitations."""
    orgs = [{"name": o, **({"saml": True} if o in ent.saml_orgs else {}),
             **({"repositories": [{"name": r.name, "visibility": r.visibility, **({"fork": True} if r.fork else {})}
                                  for r in ent.repositories if r.org == o]} if any(r.org == o for r in ent.repositories)
                else {})} for o in ent.organizations]
    return {"slug": ent.slug, "name": ent.name, "id": ent.id, "seats_purchased": ent.seats_purchased,
            "verified_domains": list(ent.verified_domains), "saml": ent.uses_saml,
            "managed_users": ent.managed_users, "organizations": orgs,
            "accounts": [_member(m) for m in ent.members],
            **({"invitations": [{"id": i.id, "org": i.org, "role": i.role, "failed": i.failed,
                                 **({"login": i.login} if i.login is not None else {}),
                                 **({"email": i.email} if i.email is not None else {}),
                                 **({"repositories": list(i.collaborator_repos)} if i.collaborator_repos else {})}
                                for i in ent.invitations]} if ent.invitations else {}),
            **({"visual_studio_unlinked": [{"id": sid, "email": email} for sid, email in ent.visual_studio_unlinked]}
               if ent.visual_studio_unlinked else {}),
            "owner": ent.owner_login, "member": ent.member_login, **_tokens(ent.tokens)}


def _member(m: GhecMember) -> dict[str, Any]:
    """One GitHub.com account; its role only when the rest does not imply it."""
    out: dict[str, Any] = {"login": m.login, "id": m.id}
    if m.name:
        out["name"] = m.name
    if m.person_id is not None:
        out["person"] = m.person_id
    out["emails"] = [{"address": a} for a in m.verified_emails] + [{"address": a, "verified": False}
                                                                   for a in m.unverified_emails]
    orgs = {role.rpartition(":")[0]: "owner" if role.endswith(":Owner") else "member" for role in m.org_roles}
    orgs.update({o: "billing_manager" for o in m.billing_manager_orgs})
    if orgs:
        out["orgs"] = orgs
    if m.pending_invite_orgs:
        out["pending_invitations"] = list(m.pending_invite_orgs)
    if m.collaborator_repos:
        out["collaborator_on"] = list(m.collaborator_repos)
    _flags(out, enterprise_owner=m.enterprise_owner, enterprise_billing_manager=m.enterprise_billing_manager,
           setup_enterprise=m.setup_enterprise, suspended=m.suspended,
           guest_collaborator=bool(getattr(m, "guest_collaborator", False)) if _GUEST else False)
    if not m.two_factor:
        out["two_factor"] = False
    if m.identity is not None:
        i = m.identity
        out["saml"] = {"provider": i.provider, "name_id": i.name_id, "username": i.username, "name": i.name_claim,
                       "emailaddress": i.emailaddress_claim, "emails": list(i.emails)}
    if m.scim_external_id is not None:
        out["scim_external_id"] = m.scim_external_id
    if m.visual_studio_subscriber:
        out["visual_studio"] = {"email": m.visual_studio_email, "linked": m.visual_studio_linked}
    if m.role != derived_role(m.enterprise_owner, m.org_roles, m.pending_invite_orgs, m.collaborator_repos):
        out["role"] = m.role
    return out


def _instance(inst: GhesInstance) -> dict[str, Any]:
    """One GHES instance: its license and every account."""
    out: dict[str, Any] = {"host_name": inst.host_name, "server_id": inst.server_id, "version": inst.version,
                           "seats": inst.seats, "license_kind": inst.license_kind,
                           "expire_at": _time(inst.expire_at), "license_enabled_at": _time(inst.license_enabled_at)}
    out.update({"accounts": [_user(u) for u in inst.users], "admin": inst.admin_login, "member": inst.member_login,
                **_tokens(inst.tokens)})
    return out


def _tokens(declared: list[DeclaredToken]) -> dict[str, Any]:
    """`tokens:` when any were declared (a file without them stays as it was)."""
    return {"tokens": [{"key": t.key, "kind": t.kind, "login": t.login,
                        **({"scopes": list(t.scopes)} if t.scopes is not None else {})} for t in declared]} \
        if declared else {}


def _user(u: GhesUser) -> dict[str, Any]:
    """One GHES account with its emails (the primary marked), status, times and canary."""
    out: dict[str, Any] = {"login": u.login, "id": u.id, "name": u.name}
    if u.person_id is not None:
        out["person"] = u.person_id
    if u.kind != "user":
        out["kind"] = u.kind
    out["emails"] = [{"address": e.address, **({"primary": True} if e.primary else {})} for e in u.emails]
    _flags(out, site_admin=u.site_admin, suspended=u.suspended, dormant=u.dormant)
    out.update({"created_at": _time(u.created_at), "last_active_at": _time(u.last_active_at), "canary": u.canary})
    return out


def dump_text(document: dict[str, Any], name: str = "") -> str:
    """The document as a file's text: JSON for a .json name, YAML otherwise."""
    if name.endswith(".json"):
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
