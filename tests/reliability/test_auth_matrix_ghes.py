"""Who may call what on the mock GHES: every route and page from `app.url_map`, every kind of caller.

Callers: no credentials, a token nobody has, a malformed header, a suspended user's token,
the wrong role (a normal user), HTTP Basic where a token is expected and the reverse; for
pages anonymous visitors, forged cookies and signed-in normal users. Answers as GitHub gives
them (docs/ghes.md): 401, 403, or 404 where GitHub hides an enterprise route from non-admins.
A GHES appliance is one enterprise, so "another enterprise" has no meaning here.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from rel_auth import BAD_TOKEN, basic, bearer, call, json_error, page_client, served_routes, to_login, url

from github_http.auth import token_digest
from github_http.token_kinds import CLASSIC, FINE_GRAINED, INSTALLATION, OAUTH_APP, kind_of
from mock_ghes import create_app
from scenarios.tokens import ADMIN_TOKEN_KINDS, token_for

A, U = "/api/v3", "/api/v3/users/<username>"
ROUTES = {
    ("GET", "/"): "public", ("GET", "/login"): "public", ("POST", "/login"): "public_form",
    ("POST", "/logout"): "public_form", ("GET", "/static/<path:filename>"): "asset",
    ("GET", "/static/github/<path:filename>"): "asset",
    ("GET", f"{A}/user"): "token", ("GET", f"{A}/user/<int:user_id>"): "token", ("GET", U): "token",
    ("GET", f"{A}/user/emails"): "token", ("GET", f"{A}/rate_limit"): "open_api", ("GET", f"{A}/meta"): "open_api",
    ("GET", f"{A}/enterprise/settings/license"): "admin_hidden", ("GET", f"{A}/enterprise/stats/users"): "admin_hidden",
    ("GET", f"{A}/enterprise/license-usage/export"): "admin_hidden",
    ("GET", f"{A}/enterprise/connect"): "admin_hidden", ("PUT", f"{A}/enterprise/connect"): "admin_hidden",
    ("POST", f"{A}/enterprise/connect/license-sync"): "admin_hidden",
    ("POST", f"{A}/admin/users"): "admin", ("PATCH", f"{A}/admin/users/<username>"): "admin",
    ("DELETE", f"{A}/admin/users/<username>"): "admin", ("PUT", f"{U}/suspended"): "admin",
    ("DELETE", f"{U}/suspended"): "admin",
    ("GET", "/manage/v1/config/license"): "manage", ("PUT", "/manage/v1/config/license"): "manage",
    ("GET", "/manage/v1/config/license/check"): "manage",
    ("GET", "/enterprise/settings/license"): "admin_page", ("GET", "/enterprise/settings/license/export"): "admin_page",
    ("GET", "/enterprise/users"): "admin_page", ("GET", "/stafftools/reports"): "admin_page",
    ("GET", "/stafftools/reports/<name>.csv"): "report",
    ("POST", "/enterprise/settings/license/connect"): "admin_form",
    ("POST", "/enterprise/settings/license/sync"): "admin_form",
}


@pytest.fixture(scope="module")
def ghes() -> Iterator[tuple[Flask, dict[str, Any]]]:
    """A small GHES, its tokens and logins, plus a suspended user holding a token."""
    app = create_app({"TESTING": True, "SCENARIO": "small"})
    runtime = app.extensions["ghes"].runtime
    tokens = runtime.tokens()
    instance = runtime.store.instance()
    suspended = "suspended-token-holder"  # API-created users get no token; give this one a token by digest
    runtime.store.create_user(suspended, "suspended.holder@corp.example", True, "2026-01-01T00:00:00Z")
    runtime.store.set_token(suspended, token_digest("ghp_suspended"))
    listed = app.test_client().get("/_mock/scenario").get_json()["tokens"]
    facts = {**tokens, "admin_login": instance["admin_login"], "member_login": instance["member_login"],
             "suspended": "ghp_suspended", "target": instance["member_login"], "tokens": listed}
    yield app, facts
    app.extensions["mock"].db.close()


def test_every_route_is_in_the_matrix(ghes: tuple[Flask, dict[str, Any]]) -> None:
    assert served_routes(ghes[0]) == set(ROUTES)


def _routes(*kinds: str) -> list[tuple[str, str]]:
    """The matrix entries of some kinds, as test parameters."""
    return sorted(route for route, kind in ROUTES.items() if kind in kinds)


@pytest.mark.parametrize(("method", "rule"), _routes("token", "admin_hidden", "admin"))
def test_api_callers(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    app, f = ghes
    client, path = app.test_client(), url(rule, username=f["target"], user_id=1)
    json_error(call(client, method, path), 401, "Requires authentication")
    json_error(call(client, method, path, bearer(BAD_TOKEN)), 401, "Bad credentials")
    json_error(call(client, method, path, {"Authorization": "token "}), 401)
    json_error(call(client, method, path, basic("api_key", f["manage"])), 401, "Bad credentials")
    json_error(call(client, method, path, bearer(f["suspended"])), 403)
    kind = ROUTES[(method, rule)]
    if kind == "admin_hidden":
        json_error(call(client, method, path, bearer(f["member"])), 404, "Not Found")
    elif kind == "admin":
        json_error(call(client, method, path, bearer(f["member"])), 403)
    if method == "GET":
        assert call(client, method, path, bearer(f["admin"])).status_code == 200
        if kind == "token":
            assert call(client, method, path, bearer(f["member"])).status_code == 200


@pytest.mark.parametrize(("method", "rule"), _routes("manage"))
def test_manage_api_callers(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    app, f = ghes
    client = app.test_client()
    for headers in ({}, basic("api_key", "wrong"), basic("admin", f["manage"]), bearer(f["admin"]),
                    basic("api_key", f["admin"]), {"Authorization": "Basic !!!"}):
        answer = call(client, method, rule, headers)
        json_error(answer, 401)
        assert answer.headers["WWW-Authenticate"].startswith("Basic ")
    if method == "GET":
        assert call(client, method, rule, basic("api_key", f["manage"])).status_code == 200


@pytest.mark.parametrize(("method", "rule"), _routes("admin_page"))
def test_page_visitors(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    app, f = ghes
    to_login(call(page_client(app, None), method, rule))
    forged = app.test_client()
    forged.set_cookie(app.config["SESSION_COOKIE_NAME"], "eyJ3aG8iOiJhZG1pbiJ9.forged.signature")
    to_login(call(forged, method, rule))
    to_login(call(page_client(app, "suspended-token-holder"), method, rule))
    assert call(page_client(app, f["member_login"]), method, rule).status_code == 403
    assert call(page_client(app, f["admin_login"]), method, rule).status_code == 200


@pytest.mark.parametrize(("method", "rule"), _routes("admin_form"))
def test_page_forms(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    app, f = ghes
    assert call(page_client(app, f["admin_login"], csrf=False), method, rule).status_code == 400
    assert call(page_client(app, f["admin_login"]), method, rule).status_code == 400  # no form token
    to_login(call(page_client(app, None), method, rule, form=True))
    assert call(page_client(app, f["member_login"]), method, rule, form=True).status_code == 403


@pytest.mark.parametrize(("method", "rule"), _routes("public", "public_form", "asset"))
def test_public_routes_need_no_sign_in(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    client, kind = page_client(ghes[0], None), ROUTES[(method, rule)]
    if kind == "public_form":
        assert call(client, method, url(rule)).status_code == 400
        assert call(client, method, url(rule), form=True).status_code in (200, 302, 401)
    else:
        assert call(client, method, url(rule)).status_code in ((200, 302) if kind == "public" else (200, 404))


@pytest.mark.parametrize(("method", "rule"), _routes("report"))
def test_report_callers(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    """A site admin's token (header or Basic password) or page session; GitHub's 401/403 for the rest."""
    app, f = ghes
    client, path = app.test_client(), url(rule, name="all_users")
    json_error(call(client, method, path), 401, "Requires authentication")
    json_error(call(client, method, path, bearer(BAD_TOKEN)), 401, "Bad credentials")
    json_error(call(client, method, path, basic(f["admin_login"], BAD_TOKEN)), 401, "Bad credentials")
    json_error(call(client, method, path, bearer(f["suspended"])), 403)
    json_error(call(client, method, path, bearer(f["member"])), 403)
    json_error(call(page_client(app, f["member_login"]), method, path), 403)
    assert call(client, method, path, bearer(f["admin"])).status_code in (200, 202)
    assert call(client, method, path, basic(f["admin_login"], f["admin"])).status_code in (200, 202)
    assert call(page_client(app, f["admin_login"]), method, path).status_code in (200, 202)


@pytest.mark.parametrize(("method", "rule"), _routes("open_api"))
def test_open_api_routes(ghes: tuple[Flask, dict[str, Any]], method: str, rule: str) -> None:
    """`/meta` answers anyone and `/rate_limit` says rate limits are off (GHES's default) to anyone;
    a token nobody has is still a 401."""
    app, f = ghes
    client = app.test_client()
    expected = 404 if rule.endswith("/rate_limit") else 200
    assert call(client, method, rule).status_code == expected
    assert call(client, method, rule, bearer(f["admin"])).status_code == expected
    json_error(call(client, method, rule, bearer(BAD_TOKEN)), 401, "Bad credentials")


#: The token-kind axis (DOMAIN §10): the site admin's token of each kind, as the scenario issues them
#: (`GET /_mock/scenario`'s `tokens`), and what GitHub's site-admin routes answer each: `(status,
#: message)`, a message ending in `'` only its start; None: the route's usual success.
SCOPE_MISSING = "Your token has not been granted the required scopes to use this endpoint. It needs the 'site_admin'"
KIND_ANSWERS = {
    "admin": None, "admin:oauth_app": None,
    "admin:fine_grained": (403, "Resource not accessible by personal access token"),
    "admin:installation": (403, "Resource not accessible by integration"),
    "admin:no_scopes": (403, SCOPE_MISSING),
}
#: Besides the site-admin routes, GitHub's descriptions close these to GitHub Apps.
CLOSED_TO_APPS = {f"{A}/user", f"{A}/user/emails"}


def _kind_cases() -> list[tuple[str, str, str]]:
    """(kind, method, rule): every API route and the reports for a refused kind (nothing changes),
    the reads for the others."""
    return [(kind, method, rule) for kind, answer in sorted(KIND_ANSWERS.items())
            for method, rule in _routes("token", "admin_hidden", "admin", "report")
            if answer is not None or method == "GET"]


def _expected(kind: str, method: str, rule: str) -> tuple[int, str] | None:
    """What GitHub answers the site admin's `kind` token on a route; None: the usual success."""
    if ROUTES[(method, rule)] != "token" or (kind == "admin:installation" and rule in CLOSED_TO_APPS):
        return KIND_ANSWERS[kind]
    return None


@pytest.mark.parametrize(("kind", "method", "rule"), _kind_cases())
def test_token_kinds(ghes: tuple[Flask, dict[str, Any]], kind: str, method: str, rule: str) -> None:
    """Only a personal access token (classic) with `site_admin` reaches the site-admin routes and the
    reports: a fine-grained token, an App installation token and a classic token without the scope
    get GitHub's 403s there (and change nothing); `/user` and `/user/emails` refuse the installation
    token only; an OAuth-app token with the admin's scopes is answered as the classic one."""
    app, f = ghes
    path = url(rule, username=f["target"], user_id=1, name="all_users")
    before = app.test_client().get("/_mock/users").get_json()
    answer = call(app.test_client(), method, path, bearer(f["tokens"][kind]))
    refused = _expected(kind, method, rule)
    if refused is None:
        assert answer.status_code in (200, 202), (kind, rule, answer.get_data(as_text=True)[:200])
        return
    body = answer.get_json()
    assert answer.status_code == refused[0], (kind, rule, body)
    assert body["message"].startswith(refused[1]) if refused[1].endswith("'") else body["message"] == refused[1]
    assert app.test_client().get("/_mock/users").get_json() == before


def test_the_scenario_lists_the_admin_token_of_every_kind(ghes: tuple[Flask, dict[str, Any]]) -> None:
    """`GET /_mock/scenario` lists the site admin's tokens as GHEC lists an owner's: `admin:<kind>`,
    each with its kind's prefix, derived from the seed (`ghes:1:admin:<kind>`)."""
    tokens = ghes[1]["tokens"]
    assert {k for k in tokens if k.startswith("admin:")} == {f"admin:{kind}" for kind in ADMIN_TOKEN_KINDS}
    assert all(tokens[f"admin:{kind}"] == token_for(1, f"ghes:1:admin:{kind}") for kind in ADMIN_TOKEN_KINDS)
    prefixes = {kind_of(tokens[k]) for k in KIND_ANSWERS}
    assert prefixes == {CLASSIC, FINE_GRAINED, OAUTH_APP, INSTALLATION}
