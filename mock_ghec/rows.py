"""Consumed-license rows: from GitHub.com accounts and a `matching.Match` to serialised JSON rows.

Pure functions (no database): the store calls them inside its upload transaction and writes
what they return. A GitHub.com account's own fields are compiled once into a template (see
`schemas.RowEncoder`); each upload only fills in the server-derived slots.
"""
from __future__ import annotations

from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, Iterable

from .matching import (RULE_GHES_ONLY, CloudAccount, CloudIndex, Match, ServerAccount, Source, build_index,
                       source_order)
from .schemas import RowEncoder

ENCODER = RowEncoder()
PROFILE_BASE = "https://github.com/"

#: A row of someone with no GitHub.com account. Strings that do not apply are "" as in GitHub's
#: example; the one boolean that does not apply (two-factor) is null, as the schema allows.
GHES_ONLY_FIELDS: dict[str, Any] = {
    "github_com_login": "", "github_com_name": "", "github_com_user": False,
    "visual_studio_subscription_user": False, "license_type": "enterprise", "github_com_profile": "",
    "github_com_member_roles": [], "github_com_enterprise_role": "", "github_com_enterprise_roles": [],
    "github_com_verified_domain_emails": [], "github_com_saml_name_id": "",
    "github_com_orgs_with_pending_invites": [], "github_com_two_factor_auth": None,
    "visual_studio_license_status": "", "visual_studio_subscription_email": "",
}
GHES_ONLY_TEMPLATE = ENCODER.template(GHES_ONLY_FIELDS)

#: Our enterprise-role names for each scenario role (GitHub documents Owner / Member / Outside
#: collaborator; a pending invitee holds no role yet but consumes a license).
ENTERPRISE_ROLES = {"owner": ["owner"], "member": ["member"],
                    "outside_collaborator": ["outside_collaborator"], "pending_invitation": []}


@dataclass(slots=True)
class CloudRows:
    """An enterprise's GitHub.com side, ready for matching and row building."""

    index: CloudIndex
    accounts: list[tuple[int, tuple[str, ...], str]]  # (account id, row template, row alone), row order


def make_cloud(accounts: list[CloudAccount], templates: list[tuple[str, ...]], uses_saml: bool) -> CloudRows:
    """Index the accounts and pre-fill each one's row for when no server account merges into it."""
    fill = RowEncoder.fill
    return CloudRows(build_index(accounts, uses_saml),
                     [(a.id, parts, fill(parts, [], [], 1)) for a, parts in zip(accounts, templates)])


def identity_attributes(name_claim: str, emailaddress_claim: str, username: str, name_id: str,
                        emails: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """A linked identity as matching compares it: attribute -> values."""
    return {"name_claim": (name_claim,), "emailaddress_claim": (emailaddress_claim,), "username": (username,),
            "name_id": (name_id,), "emails": tuple(emails)}


def on_verified_domain(address: str, domains: Iterable[str]) -> bool:
    """Whether an address is on one of the enterprise's verified domains (or a subdomain of one)."""
    host = address.rsplit("@", 1)[-1].strip().lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


def account_fields(member: Any, verified_domains: Iterable[str]) -> dict[str, Any]:
    """The GitHub.com part of a person's row, derived from a scenario `GhecMember`."""
    roles = ["owner"] if member.enterprise_owner else list(ENTERPRISE_ROLES.get(member.role, []))
    vs = bool(member.visual_studio_subscriber)
    return {
        "github_com_login": member.login,
        "github_com_name": member.name or "",
        "github_com_user": True,
        "visual_studio_subscription_user": vs,
        "license_type": "visual_studio_subscription" if vs else "enterprise",
        "github_com_profile": PROFILE_BASE + member.login,
        "github_com_member_roles": list(member.org_roles),
        "github_com_enterprise_role": roles[0] if roles else "",
        "github_com_enterprise_roles": roles,
        "github_com_verified_domain_emails": [a for a in member.verified_emails
                                              if on_verified_domain(a, verified_domains)],
        "github_com_saml_name_id": member.identity.name_id if member.identity else "",
        "github_com_orgs_with_pending_invites": list(member.pending_invite_orgs),
        "github_com_two_factor_auth": bool(member.two_factor),
        "visual_studio_license_status": "matched" if vs else "",
        "visual_studio_subscription_email": member.visual_studio_email if vs else "",
    }


def _distinct(addresses: list[str]) -> list[str]:
    """Addresses without case-only repeats, first spelling kept (rows are sorted, so stable)."""
    seen: set[str] = set()
    out = []
    for address in addresses:
        key = address.strip().lower()
        if key not in seen:
            seen.add(key)
            out.append(address)
    return out


def _sources_json(sources: list[Source]) -> str:
    """The row's provenance, `[[server_id, user_id, rule], …]`, for explain and the row page.

    Built as text: server ids are validated UUIDs, user ids integers and rules our own
    constants, so nothing needs escaping (and json.dumps per row would cost more than the row).
    """
    return "[" + ",".join(f'["{a[0]}",{a[2]},"{rule}"]' for a, rule in sources) + "]"


def build_rows(cloud: CloudRows, result: Match) -> list[tuple[int, str, str]]:
    """Every row of the enterprise as (rownum, row JSON, sources JSON).

    Order (our choice, independent of upload order): GitHub.com accounts by login, then
    GHES-only people by normalised primary email; inside a row, server accounts by host,
    server id and user id. Row numbers are dense from 1, so a page is a key range.
    """
    fill = RowEncoder.fill
    out: list[tuple[int, str, str]] = []
    append = out.append
    rownum = 0
    for account_id, parts, alone in cloud.accounts:
        rownum += 1
        sources = result.merged.get(account_id)
        if not sources:
            append((rownum, alone, "[]"))
            continue
        if len(sources) == 1:
            (server_id, host, user_id, primary), rule = sources[0]
            append((rownum, fill(parts, [f"{host}:{user_id}"], [primary], 2),
                    f'[["{server_id}",{user_id},"{rule}"]]'))
            continue
        sources.sort(key=lambda s: source_order(s[0]))
        ids = [f"{a[1]}:{a[2]}" for a, _ in sources]
        emails = _distinct([a[3] for a, _ in sources])
        append((rownum, fill(parts, ids, emails, 1 + len(sources)), _sources_json(sources)))
    p0, p1, p2, p3, p4 = GHES_ONLY_TEMPLATE
    single_tail = p1 + "true" + p2
    groups = result.ghes_only
    for key in sorted(groups):
        rownum += 1
        group = groups[key]
        if len(group) == 1:
            server_id, host, user_id, primary = group[0]
            append((rownum, f'{p0}[{encode_basestring(f"{host}:{user_id}")}]{single_tail}'
                            f'[{encode_basestring(primary)}]{p3}1{p4}',
                    f'[["{server_id}",{user_id},"{RULE_GHES_ONLY}"]]'))
            continue
        group.sort(key=source_order)
        ids = [f"{a[1]}:{a[2]}" for a in group]
        emails = _distinct([a[3] for a in group])
        append((rownum, fill(GHES_ONLY_TEMPLATE, ids, emails, len(group)),
                _sources_json([(a, RULE_GHES_ONLY) for a in group])))
    return out


def server_accounts(kept: list[list], server_id: str, host_name: str) -> list[ServerAccount]:
    """Matching input from kept users: (server_id, host, user id, primary email)."""
    return [(server_id, host_name, k[0], k[1]) for k in kept]
