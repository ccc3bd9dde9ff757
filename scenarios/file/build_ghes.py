"""A scenario file's `ghes[]` as GhesInstance objects (declared, or merged into generated ones)."""
from __future__ import annotations

import uuid
from typing import Any

from ..model import GhesEmail, GhesInstance, GhesUser
from .build_tokens import declared_tokens
from .context import (
    DEFAULT_CREATED,
    DEFAULT_DORMANT_SINCE,
    DEFAULT_ENABLED,
    DEFAULT_EXPIRE,
    DEFAULT_LAST_ACTIVE,
    DEFAULT_VERSION,
    Context,
)


def build_instances(ctx: Context, declared: list[dict[str, Any]], base: list[GhesInstance],
                    default_seats: int) -> list[GhesInstance]:
    """Every instance: generated ones first (declared entries at their position extend them)."""
    out = list(base)
    for j, spec in enumerate(declared):
        path = f"$.ghes[{j}]"
        inst = base[j] if j < len(base) else None
        if inst is None:
            host = spec["host_name"]
            if host is None:
                ctx.problem(f"{path}.host_name", "required (no generated instance at this position)")
                host = f"ghes-{j + 1}.invalid"
            inst = GhesInstance(j + 1, str(uuid.UUID(ctx.derived("ghes", host)[:32], version=4)), host,
                                DEFAULT_VERSION, default_seats, "standard", DEFAULT_EXPIRE, DEFAULT_ENABLED,
                                [], "", "")
            out.append(inst)
        _settings(inst, spec)
        _accounts(ctx, inst, spec["accounts"], path)
        _staff(ctx, inst, spec, path)
        inst.tokens += declared_tokens(ctx, spec["tokens"], {u.login.lower() for u in inst.users}, inst.admin_login,
                                       path)
    return out


def _settings(inst: GhesInstance, spec: dict[str, Any]) -> None:
    """The instance's own values the file states (each replaces the default or generated one).

    `connect` / `license_sync` are not part of the Scenario: GHES reads them from the file itself
    (mock_ghes.runtime.stated_connect) and `make serve` wires Connect by them."""
    for key, attr in (("host_name", "host_name"), ("version", "version"), ("seats", "seats"),
                      ("license_kind", "license_kind"), ("expire_at", "expire_at"),
                      ("license_enabled_at", "license_enabled_at")):
        if spec.get(key) is not None:
            setattr(inst, attr, spec[key])
    if spec.get("server_id") is not None:
        inst.server_id = str(spec["server_id"])


def _accounts(ctx: Context, inst: GhesInstance, accounts: list[dict[str, Any]], path: str) -> None:
    """Append the declared accounts, checking logins, ids and emails are unique on this instance."""
    logins = {u.login.lower(): f"generated account {u.login}" for u in inst.users}
    addresses = {e.address.lower(): u.login for u in inst.users for e in u.emails}
    ids = {u.id for u in inst.users}
    wanted = {a["id"] for a in accounts if a.get("id") is not None}
    next_id = max(ids | wanted | {0}) + 1
    for n, acc in enumerate(accounts):
        where = f"{path}.accounts[{n}]"
        login = acc["login"]
        if login.lower() in logins:
            ctx.problem(f"{where}.login", f"login {login!r} is already {logins[login.lower()]} on this instance")
        logins.setdefault(login.lower(), where)
        uid = acc.get("id")
        if uid is None:
            uid, next_id = next_id, next_id + 1
        elif uid in ids:
            ctx.problem(f"{where}.id", f"id {uid} is already another account's on this instance")
        ids.add(uid)
        emails = _emails(ctx, acc["emails"], where, login, addresses)
        person = acc["person"]
        if person is not None:
            person = ctx.person(person, f"{where}.person")
        if person is not None and acc["kind"] != "user":
            ctx.problem(f"{where}.person", f"a {acc['kind']} account belongs to no person")
        dormant = acc["dormant"]
        last = acc.get("last_active_at", DEFAULT_DORMANT_SINCE if dormant else DEFAULT_LAST_ACTIVE)
        if dormant and last is None:
            ctx.problem(f"{where}.dormant", "a never-signed-in account (last_active_at: null) is not dormant")
        canary = acc.get("canary")
        if canary is None:
            canary = "canary-" + ctx.derived("ghes", inst.index, login)[:20]
        name = acc.get("name") or (ctx.person_names.get(person, login) if person is not None else login)
        inst.users.append(GhesUser(
            uid, login, name, emails, acc["kind"], acc["site_admin"], acc["suspended"], dormant,
            acc.get("created_at") or DEFAULT_CREATED, last, person, canary))


def _emails(ctx: Context, declared: list[dict[str, Any]], where: str, login: str,
            addresses: dict[str, str]) -> list[GhesEmail]:
    """The account's emails, the primary first; two primaries or an address in use is a problem."""
    primaries = [n for n, e in enumerate(declared) if e["primary"]]
    if len(primaries) > 1:
        ctx.problem(f"{where}.emails", f"{len(primaries)} primary emails (emails[{primaries[0]}] and "
                                       f"emails[{primaries[1]}]); an account has exactly one")
    first = primaries[0] if primaries else 0
    out: list[GhesEmail] = []
    for n, e in enumerate(declared):
        address = e["address"]
        owner = addresses.get(address.lower())
        if owner is not None:
            ctx.problem(f"{where}.emails[{n}].address", f"{address} is already an email of {owner} on this "
                                                        "instance (GHES keeps each address on one account)")
        addresses.setdefault(address.lower(), login)
        out.append(GhesEmail(address, n == first))
    if first:
        out.sort(key=lambda email: not email.primary)  # the primary first, as the generator writes them
    return out


def _staff(ctx: Context, inst: GhesInstance, spec: dict[str, Any], path: str) -> None:
    """The site admin and the normal user whose tokens the server prints (stated, or the first fitting)."""
    by_login = {u.login.lower(): u for u in inst.users}
    admin, member = spec.get("admin"), spec.get("member")
    if admin is not None:
        user = by_login.get(admin.lower())
        if user is None or not user.site_admin:
            ctx.problem(f"{path}.admin", f"{admin!r} is not a site admin account of this instance")
        inst.admin_login = admin
    elif not inst.admin_login:
        found = next((u for u in inst.users if u.site_admin and u.kind == "user"), None) or next(
            (u for u in inst.users if u.site_admin), None)
        if found is None:
            ctx.problem(f"{path}.accounts", "no site admin: mark one account site_admin: true "
                                            "(the server prints its token)")
        inst.admin_login = found.login if found else ""
    if member is not None:
        if member.lower() not in by_login:
            ctx.problem(f"{path}.member", f"{member!r} is not an account of this instance")
        inst.member_login = member
    elif not inst.member_login:
        found = next((u for u in inst.users if u.kind == "user" and not u.site_admin and not u.suspended), None)
        inst.member_login = found.login if found else inst.admin_login
