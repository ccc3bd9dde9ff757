"""Consumed-license rows: from GitHub.com accounts and a `matching.Match` to what the store writes.

Pure functions (no database). A row is stored as its four server-derived values (the
"slots": server user ids, server emails, total accounts, plus the provenance), never as
its whole JSON: a GitHub.com account's own fields are compiled once, at scenario load, into
five fragments (see `schemas.RowEncoder`, kept in `ghec_accounts`), a GHES-only row's
into the constant GHES_ONLY_TEMPLATE, and SQLite puts fragments and slots together when a
page is read (`reads.ROW_JSON`). WHY: an upload then writes about 100 bytes per row
instead of about 700, which is most of what a 1,000,000-user upload used to cost, in time
and in memory.

`render` is the same assembly in Python (tests and `build_rows` use it); both follow
`RowEncoder.fill` byte for byte.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

from license_rules.accounts import on_verified_domain
from license_rules.matching import (
    RULE_GHES_ONLY,
    CloudAccount,
    CloudIndex,
    Match,
    ServerAccount,
    Source,
    build_index,
    source_order,
)

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

#: What the store writes per row: (enterprise id, rownum, account id or None for a GHES-only row,
#: server user ids JSON, server emails JSON, total user accounts, sources JSON).
SlotRow = tuple[int, int, "int | None", str, str, int, str]
NO_SERVER = "[]"


@dataclass(slots=True)
class CloudSide:
    """What an upload needs of an enterprise's GitHub.com side: the match index and the row order."""

    index: CloudIndex
    account_ids: list[int]  # GitHub.com accounts in row order (by login)


@dataclass(slots=True)
class CloudRows:
    """An enterprise's GitHub.com side with each account's row template (tests, `build_rows`)."""

    index: CloudIndex
    accounts: list[tuple[int, tuple[str, ...], str]]  # (account id, row template, row alone), row order


def cloud_side(accounts: list[CloudAccount], uses_saml: bool) -> CloudSide:
    """Index the accounts (given in row order) for matching."""
    index = build_index(accounts, uses_saml)
    return CloudSide(index, index.account_ids)


def make_cloud(accounts: list[CloudAccount], templates: list[tuple[str, ...]], uses_saml: bool) -> CloudRows:
    """Index the accounts and pre-fill each one's row for when no server account merges into it."""
    return CloudRows(build_index(accounts, uses_saml),
                     [(a.id, parts, render(parts, NO_SERVER, NO_SERVER, 1))
                      for a, parts in zip(accounts, templates, strict=True)])


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


def render(parts: Sequence[str], ids_json: str, emails_json: str, accounts: int) -> str:
    """A row's JSON from its template and slots: `RowEncoder.fill` with the lists already encoded."""
    p0, p1, p2, p3, p4 = parts
    return f'{p0}{ids_json}{p1}{"false" if ids_json == NO_SERVER else "true"}{p2}{emails_json}{p3}{accounts}{p4}'


def json_strings(values: Iterable[str]) -> str:
    """A JSON array of strings, encoded exactly as `RowEncoder.fill` encodes a slot."""
    return f'[{",".join(map(encode_basestring, values))}]'


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


def build_slots(enterprise_id: int, account_ids: Iterable[int], result: Match) -> Iterator[SlotRow]:
    """Every row of the enterprise as the store writes it, lazily (a million rows never sit in memory).

    Order (our choice, independent of upload order): GitHub.com accounts by login, then
    GHES-only people by normalised primary email; inside a row, server accounts by host,
    server id and user id. Row numbers are dense from 1, so a page is a key range.
    `account_ids` are the ones `result` was matched against (`result.by_row` follows them).
    The store writes the two parts on their own (`linked_slots`, then the GHES-only rows).
    """
    counted: list[int] = []
    yield from linked_slots(enterprise_id, account_ids, result, counted)
    yield from alone_slots(enterprise_id, result.alone, counted[0] + 1, result.alone_rows == len(result.alone))


def linked_slots(enterprise_id: int, account_ids: Iterable[int], result: Match,
                 counted: list[int] | None = None) -> Iterator[SlotRow]:
    """The GitHub.com accounts' rows, numbered from 1; how many is appended to `counted` at the end.

    The one-account rows (nearly all of them) are written with one f-string each: a host is
    JSON-quoted once per host, a user id is an integer and needs no quoting.
    """
    quote = encode_basestring
    hosts: dict[str, str] = {}
    rownum = 0
    # strict=False: as before, a caller may pass fewer account_ids than result.by_row has (the tests do)
    for rownum, (account_id, sources) in enumerate(zip(account_ids, result.by_row, strict=False), start=1):
        if sources is None:
            yield (enterprise_id, rownum, account_id, NO_SERVER, NO_SERVER, 1, NO_SERVER)
        elif len(sources) == 1:
            (server_id, host, user_id, primary), rule = sources[0]
            prefix = hosts.get(host) or hosts.setdefault(host, quote(host + ":")[:-1])  # `"host:`
            yield (enterprise_id, rownum, account_id, f'[{prefix}{user_id}"]',
                   f"[{quote(primary)}]", 2, f'[["{server_id}",{user_id},"{rule}"]]')
        else:
            sources.sort(key=lambda s: source_order(s[0]))
            yield (enterprise_id, rownum, account_id, json_strings([f"{a[1]}:{a[2]}" for a, _ in sources]),
                   json_strings(_distinct([a[3] for a, _ in sources])), 1 + len(sources), _sources_json(sources))
    if counted is not None:
        counted.append(rownum)


def alone_slots(enterprise_id: int, alone: Sequence[tuple[str, ServerAccount]], first: int,
                single: bool) -> Iterator[SlotRow]:
    """The GHES-only rows of `alone` (a slice of `Match.alone` that no run of one key crosses),
    numbered from `first`; `single`: no two of them share a key (the usual), one row each."""
    quote = encode_basestring
    hosts: dict[str, str] = {}
    runs = ((account,) for _, account in alone) if single else (
        [account for _, account in run] for _, run in groupby(alone, key=itemgetter(0)))
    for rownum, group in enumerate(runs, start=first):
        if len(group) == 1:
            server_id, host, user_id, primary = group[0]
            prefix = hosts.get(host) or hosts.setdefault(host, quote(host + ":")[:-1])
            yield (enterprise_id, rownum, None, f'[{prefix}{user_id}"]',
                   f"[{quote(primary)}]", 1, f'[["{server_id}",{user_id},"{RULE_GHES_ONLY}"]]')
            continue
        group = sorted(group, key=source_order)  # a run of several: a list of its own, sorted once
        yield (enterprise_id, rownum, None, json_strings([f"{a[1]}:{a[2]}" for a in group]),
               json_strings(_distinct([a[3] for a in group])), len(group),
               _sources_json([(a, RULE_GHES_ONLY) for a in group]))


def server_prefixes(server_id: str, host: str) -> tuple[str, str]:
    """How a one-account row of this server's starts its server user ids and its sources, up to the
    user id: `["host:` and `[["server_id",`, exactly as `alone_slots` writes them."""
    return "[" + encode_basestring(host + ":")[:-1], f'[["{server_id}",'


def plain_text(texts: Iterable[str]) -> bool:
    """Whether every text is printable ASCII without `"` or `\\`: JSON-quoted, it is itself in quotes
    (what lets SQLite put a row's JSON together from the values, recompute.insert_alone)."""
    joined = "".join(texts)
    return joined.isascii() and joined.isprintable() and '"' not in joined and "\\" not in joined


def build_rows(cloud: CloudRows, result: Match) -> list[tuple[int, str, str]]:
    """Every row of the enterprise as (rownum, row JSON, sources JSON): `build_slots`, rendered.

    The store never needs whole rows (SQLite renders them on reading); this is the same
    result in one piece, for tests and tools, and cannot drift from what the store writes.
    """
    templates = {account_id: parts for account_id, parts, _ in cloud.accounts}
    return [(rownum, render(templates[account_id] if account_id is not None else GHES_ONLY_TEMPLATE, ids, emails,
                            total), sources)
            for _, rownum, account_id, ids, emails, total, sources in
            build_slots(0, [account_id for account_id, _, _ in cloud.accounts], result)]


def server_accounts(kept: list[list], server_id: str, host_name: str) -> list[ServerAccount]:
    """Matching input from kept users: (server_id, host, user id, primary email)."""
    return [(server_id, host_name, k[0], k[1]) for k in kept]
