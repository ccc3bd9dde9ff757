"""`GET /api/v3/user`'s plain case, answered without Flask (see github_http/hot_paths.py).

The plain case: no query, a `token`/`Bearer` token of a user who is not suspended, presented
as anything but a GitHub App installation token, and a supported (or no) `X-GitHub-Api-Version`.
Everything else goes to the Flask route in api.py, which answers it (or refuses it) as it always
has. What the route's hooks do for it is done here too, with the same functions: the weekly
Connect sync when it is due (app.py's `_weekly_sync`), GitHub's headers with the live version
(`_api_headers`, `_live_version`); tests/ghes/test_ghes_user_hot_path.py holds both to the same
answers. WHY a hot path for this route: every GitHub client asks it first, and the pytest
plugin's tests pay Flask's machinery on it once per test.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.wsgi import get_current_url

from github_http.api_headers import HeaderPolicy, github_headers
from github_http.api_wire import JSON
from github_http.auth import token_digest
from github_http.hot_paths import HotAnswer, HotPath, own_user_request

from .api import private_user_body
from .runtime import Runtime
from .syncer import ConnectSyncer

#: The Flask routes these hot paths answer for (HotPaths.start_answering watches their views).
HOT_ENDPOINTS = ("ghes_api.me",)
_VERSION = "X-GitHub-Enterprise-Version"


def user_hot(runtime: Runtime, policy: HeaderPolicy, syncer: ConnectSyncer, live_version: Callable[[], str]) -> HotPath:
    """The hot path of `api.me`: `syncer` runs the weekly sync's per-request check, `live_version`
    says the version every answer names."""

    def serve(environ: dict[str, Any]) -> HotAnswer | None:
        """The 200 answer, or None to let Flask answer."""
        plain = own_user_request(environ, "/api/v3/user")
        if plain is None:
            return None
        version, token = plain
        syncer.run_if_due()
        user = runtime.store.user_by_token(token_digest(token))
        if user is None or user["suspended"]:
            return None
        body = private_user_body(runtime.db, user, get_current_url(environ, host_only=True))
        live = live_version()
        headers = [(name, live if name == _VERSION else value) for name, value in github_headers(policy, version)]
        return [("Content-Type", JSON), ("Content-Length", str(len(body))), *headers], body

    return serve
