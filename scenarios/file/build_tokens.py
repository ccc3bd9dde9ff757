"""A scenario file's `tokens:` (per enterprise and per GHES instance) as DeclaredToken objects.

Shared by build_ghec and build_ghes, so both sides check a declared token the same way: its key
unique where it is declared, its holder an account there, scopes only on the kinds that have
them (classic, OAuth app), and the format version that introduced `tokens` (1.0.1).
"""
from __future__ import annotations

from typing import Any

from ..model import DeclaredToken
from .context import Context

SCOPED_KINDS = ("classic", "oauth_app")
SINCE = "1.0.1"


def _parts(version: str) -> tuple[int, ...]:
    """A format version as numbers, for ordering ("1.0.10" after "1.0.9")."""
    return tuple(int(part) for part in version.split("."))


def declared_tokens(ctx: Context, specs: list[dict[str, Any]], logins: set[str], holder: str,
                    path: str) -> list[DeclaredToken]:
    """The tokens declared at `path`; `logins` are the accounts there (lowercase), `holder` the default one."""
    out: list[DeclaredToken] = []
    seen: set[str] = set()
    if specs and _parts(ctx.version) < _parts(SINCE):
        ctx.problem(f"{path}.tokens", f"tokens need version {SINCE} or later (this file says {ctx.version})")
    for n, spec in enumerate(specs):
        where = f"{path}.tokens[{n}]"
        key, kind, scopes = spec["key"], spec["kind"], spec.get("scopes")
        if key.lower() in seen:
            ctx.problem(f"{where}.key", f"token {key!r} is declared twice here")
        seen.add(key.lower())
        login = spec.get("login") or holder
        if login.lower() not in logins:
            ctx.problem(f"{where}.login", f"{login!r} is not an account here")
        if scopes is not None and kind not in SCOPED_KINDS:
            ctx.problem(f"{where}.scopes", f"only classic and oauth_app tokens have scopes, not {kind}")
        out.append(DeclaredToken(key, kind, login, tuple(scopes) if scopes is not None else None))
    return out
