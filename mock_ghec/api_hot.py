"""The consumed-licenses route's plain case, answered without Flask (see github_http/hot_paths.py).

The plain case: `GET /enterprises/<slug>/consumed-licenses` with a `token`/`Bearer` token of
one of the enterprise's owners whose kind and scopes
may read licenses (github_http/token_kinds.py), a supported (or no) `X-GitHub-Api-Version`, and a query of at
most `per_page` and `page`, each once, as digits. Everything else goes to the Flask route in
api.py, which answers it (or refuses it) as it always has. Both build the page, the `Link`
header and GitHub's headers with the same functions (tests/ghec/test_ghec_hot_paths.py holds
them to the same answers).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from werkzeug.wsgi import get_current_url

from github_http.api_headers import HeaderPolicy, chosen_version, github_headers
from github_http.api_wire import CALLER_KEY
from github_http.auth import token_in
from github_http.hot_paths import HotAnswer, HotPath, own_user_request
from github_http.pagination import MAX_PAGE, Page, own_url, page_from
from github_http.storage import Database
from github_http.token_kinds import refusal

from . import reads
from .api import JSON, private_user_body
from .identity import LICENSE_SCOPE
from .page_rows import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .store import Store

#: The Flask routes these hot paths answer for (HotPaths.start_answering watches their views).
HOT_ENDPOINTS = ("ghec_api.consumed_licenses", "ghec_api.user")
_PATH = re.compile(r"/enterprises/([^/]+)/consumed-licenses")
_PARAM = re.compile(r"(per_page|page)=([0-9]{1,9})")


def _plain_query(query: str) -> dict[str, str] | None:
    """`per_page`/`page` from a query that holds nothing else, each at most once; else None."""
    found: dict[str, str] = {}
    for part in query.split("&") if query else ():
        match = _PARAM.fullmatch(part)
        if match is None or match.group(1) in found:
            return None
        found[match.group(1)] = match.group(2)
    return found


@lru_cache(maxsize=1024)
def _page_of(query: str) -> Page | None:
    """The page a plain query asks for; None for a query that is not plain, or a page past
    MAX_PAGE (Flask answers both). Remembered: a client asks the same few queries again and again."""
    found = _plain_query(query)
    if found is None:
        return None
    page = page_from(found.get("per_page"), found.get("page"), DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return None if page.number > MAX_PAGE else page


def consumed_licenses_hot(store: Store, policy: HeaderPolicy) -> HotPath:
    """The hot path of `api.consumed_licenses`, asking `store` and adding `policy`'s headers."""
    db = store.db

    def serve(environ: dict[str, Any]) -> HotAnswer | None:
        """The page's 200 answer, or None to let Flask answer."""
        path = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if path is None:
            return None
        page = _page_of(environ.get("QUERY_STRING", ""))
        version = chosen_version(environ.get("HTTP_X_GITHUB_API_VERSION"))
        token = token_in(environ.get("HTTP_AUTHORIZATION", ""))
        if page is None or version is None or token is None:
            return None  # Flask answers (a page past MAX_PAGE: its 422)
        _, access = reads.token_access(db, token, path.group(1))
        if access is None or not access.owner or refusal(environ.get(CALLER_KEY), LICENSE_SCOPE) is not None:
            return None
        prefix = f"{own_url(environ)}?per_page={page.size}&page="
        body, link, etag = store.consumed_page(access, page, prefix)
        headers = [("Content-Type", JSON), ("Content-Length", str(len(body)))]
        if link:
            headers.append(("Link", link))
        headers.append(("ETag", etag))
        return headers + github_headers(policy, version), body

    return serve


def user_hot(db: Database, policy: HeaderPolicy) -> HotPath:
    """The hot path of `api.user` (`GET /user`): a known token's own private-user, no query."""

    def serve(environ: dict[str, Any]) -> HotAnswer | None:
        """The 200 answer, or None to let Flask answer."""
        plain = own_user_request(environ, "/user")
        if plain is None:
            return None
        version, token = plain
        login = reads.login_for_token(db, token)
        if login is None:
            return None
        body = private_user_body(db, login, get_current_url(environ, root_only=True))
        return [("Content-Type", JSON), ("Content-Length", str(len(body))), *github_headers(policy, version)], body

    return serve
