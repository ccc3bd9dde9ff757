"""Who a token is, as GitHub tells from it: the kind by its prefix, the owner, a classic token's scopes.

DOMAIN §10: `ghp_` classic personal token (scopes, echoed in `X-OAuth-Scopes`), `github_pat_`
fine-grained token, `gho_` OAuth app token, `ghs_` GitHub App installation token. Each app
says who a presented token belongs to (its `identify`); what follows from the kind is here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import GitHubError

CLASSIC, FINE_GRAINED, OAUTH_APP, INSTALLATION = "classic", "fine_grained", "oauth_app", "installation"
#: Longest prefix first: `github_pat_` before anything shorter could match.
PREFIXES = (("github_pat_", FINE_GRAINED), ("ghp_", CLASSIC), ("gho_", OAUTH_APP), ("ghs_", INSTALLATION))


def kind_of(token: str) -> str:
    """The kind of a token by its prefix; an unprefixed one (an old-style 40-hex token) is classic."""
    for prefix, kind in PREFIXES:
        if token.startswith(prefix):
            return kind
    return CLASSIC


@dataclass(frozen=True, slots=True)
class Caller:
    """The owner of a known token, with what GitHub reads from the token itself."""

    digest: str  # the token's SHA-256, the rate limit's key
    user_id: int | None
    login: str
    kind: str = CLASSIC
    scopes: tuple[str, ...] | None = None  # a classic or OAuth app token's scopes; None: not scoped

    @property
    def scoped(self) -> bool:
        """Whether GitHub reports scopes for this token (`X-OAuth-Scopes`)."""
        return self.kind in (CLASSIC, OAUTH_APP) and self.scopes is not None


#: Classic scopes that include others (GitHub's scope hierarchy, for the scopes the mocks check).
IMPLIED_BY = {"read:enterprise": ("admin:enterprise",), "read:org": ("admin:org", "write:org"),
              "user": (), "site_admin": (), "admin:org": (), "scim:enterprise": ()}
NOT_FOR_APPS = "Resource not accessible by integration"
#: GitHub's 403 to a fine-grained token on a route only classic tokens reach (GHES's site-admin routes).
NOT_FOR_FINE_GRAINED = "Resource not accessible by personal access token"


def has_scope(scopes: tuple[str, ...], needed: str) -> bool:
    """Whether a token's scopes grant `needed` (itself or a scope that includes it)."""
    return needed in scopes or any(parent in scopes for parent in IMPLIED_BY.get(needed, ()))


def accepted(needed: str) -> str:
    """`X-Accepted-OAuth-Scopes` for a route that needs `needed`: it and what includes it."""
    return ", ".join(sorted((needed, *IMPLIED_BY.get(needed, ()))))


def refusal(caller: Caller | None, needed: str) -> str | None:
    """Why GitHub refuses this token on a route that needs `needed` and is closed to GitHub Apps
    (its message), or None when the token kind and scopes let it through (the role is the
    route's business). An installation token is refused; a classic or OAuth-app token needs the scope."""
    if caller is None:
        return None
    if caller.kind == INSTALLATION:
        return NOT_FOR_APPS
    return missing_scope(caller, needed)


def missing_scope(caller: Caller | None, needed: str) -> str | None:
    """GitHub's 403 message when a classic or OAuth-app token lacks `needed`, else None (other kinds
    carry no scopes: what they may do is the route's business)."""
    if caller is not None and caller.scoped and not has_scope(caller.scopes or (), needed):
        return (f"Your token has not been granted the required scopes to use this endpoint. It needs the "
                f"'{needed}' scope; your token has: [{', '.join(caller.scopes or ())}].")
    return None


def classic_refusal(caller: Caller | None, needed: str) -> str | None:
    """`refusal` on a route only a personal access token (classic) with `needed` reaches, as GitHub's
    GHES site-admin routes: a fine-grained token is refused too."""
    if caller is not None and caller.kind == FINE_GRAINED:
        return NOT_FOR_FINE_GRAINED
    return refusal(caller, needed)


def refuse_apps(caller: Caller | None) -> None:
    """GitHub's 403 on a route its description marks not enabled for GitHub Apps
    (`enabledForGitHubApps: false`: `/user`, `/user/emails`, the license and site-admin routes)."""
    if caller is not None and caller.kind == INSTALLATION:
        raise GitHubError(403, NOT_FOR_APPS)
