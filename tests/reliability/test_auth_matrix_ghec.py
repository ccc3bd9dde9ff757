"""Who may call what on the mock GHEC: every route and page from `app.url_map`, every kind of caller.

Callers: no credentials, a token nobody has, a malformed header, a Connect token on a
person's route, the wrong role (a member who is not an owner), another enterprise's owner,
and for pages anonymous visitors, forged cookies and signed-in outsiders. Answers as
docs/ghec.md says GitHub gives them. No route may tell an outsider whether an enterprise
exists: a missing enterprise and an existing unrelated one get the same status and body.
"""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from rel_auth import BAD_TOKEN, bearer, call, json_error, page_client, same_answer, served_routes, to_login, url
from rel_auth_orgs import ORGS_ROUTES, org_callers_answer_as_github

E = "/enterprises/<enterprise>"
#: Every (method, rule) the app serves, and its kind of access. A new route fails until added here.
ROUTES = {
    ("GET", "/"): "public", ("GET", "/login"): "public", ("POST", "/login"): "public_form",
    ("POST", "/logout"): "public_form", ("GET", "/static/github/<path:filename>"): "asset",
    ("GET", "/user"): "token", ("GET", "/user/emails"): "token",
    ("GET", "/rate_limit"): "open_api", ("GET", "/meta"): "open_api",
    ("GET", f"{E}/consumed-licenses"): "owner", ("GET", f"{E}/license-sync-status"): "owner",
    ("POST", f"{E}/server-usage"): "owner", ("GET", f"{E}/license-report.csv"): "owner",
    ("PUT", f"{E}/connect/servers/<server_id>"): "connect", ("POST", f"{E}/connect/server-usage"): "connect",
    ("GET", f"{E}/settings/license"): "owner_page",
    ("GET", f"{E}/settings/license/consumed-licenses.csv"): "owner_page",
    ("GET", f"{E}/settings/license/users/<int:rownum>"): "owner_page",
    ("POST", f"{E}/settings/license/server-usage"): "owner_form",
    **ORGS_ROUTES,
}
MISSING = "no-such-enterprise"


@pytest.fixture(scope="module")
def who(ghec_app: Flask, tokens: dict[str, str], small_scenario: Any) -> dict[str, Any]:
    """Logins and ids of the callers."""
    main, other = small_scenario.enterprises[0], small_scenario.enterprises[1]
    return {"owner": main.owner_login, "member": main.member_login, "other_owner": other.owner_login,
            "main_id": main.id, "other_id": other.id}


def test_every_route_is_in_the_matrix(ghec_app: Flask) -> None:
    assert served_routes(ghec_app) == set(ROUTES)


def _routes(*kinds: str) -> list[tuple[str, str]]:
    """The matrix entries of some kinds, as test parameters."""
    return sorted(route for route, kind in ROUTES.items() if kind in kinds)


@pytest.mark.parametrize(("method", "rule"), _routes("token", "owner"))
def test_api_callers(ghec_app: Flask, tokens: dict[str, str], method: str, rule: str) -> None:
    client, path = ghec_app.test_client(), url(rule, enterprise=tokens["slug"])
    json_error(call(client, method, path), 401, "Requires authentication")
    json_error(call(client, method, path, bearer(BAD_TOKEN)), 401, "Bad credentials")
    json_error(call(client, method, path, {"Authorization": "token"}), 401, "Bad credentials")
    json_error(call(client, method, path, {"Authorization": "Digest abc"}), 401, "Bad credentials")
    json_error(call(client, method, path, bearer(tokens["connect"])), 401, "Bad credentials")  # not a person
    if ROUTES[(method, rule)] == "owner":
        json_error(call(client, method, path, bearer(tokens["member"])), 403)
        json_error(call(client, method, path, bearer(tokens["other_owner"])), 404, "Not Found")
    if method == "GET":
        assert call(client, method, path, bearer(tokens["owner"])).status_code == 200
        assert call(client, method, path, {"Authorization": f"Bearer {tokens['owner']}"}).status_code == 200


@pytest.mark.parametrize(("method", "rule"), _routes("connect"))
def test_connect_callers(ghec_app: Flask, tokens: dict[str, str], method: str, rule: str) -> None:
    client, path = ghec_app.test_client(), url(rule, enterprise=tokens["slug"])
    json_error(call(client, method, path), 401, "Requires authentication")
    json_error(call(client, method, path, bearer(BAD_TOKEN)), 401, "Bad credentials")
    json_error(call(client, method, path, bearer(tokens["owner"])), 404, "Not Found")  # a person is not a server
    json_error(call(client, method, path, bearer(tokens["other_connect"])), 404, "Not Found")


@pytest.mark.parametrize(("method", "rule"), _routes("owner_page"))
def test_page_visitors(ghec_app: Flask, tokens: dict[str, str], who: dict[str, Any], method: str, rule: str) -> None:
    path = url(rule, enterprise=tokens["slug"])
    to_login(call(page_client(ghec_app, None), method, path))
    forged = ghec_app.test_client()
    forged.set_cookie(ghec_app.config["SESSION_COOKIE_NAME"], "eyJ3aG8iOiJjZWxpbmEifQ.forged.signature")
    to_login(call(forged, method, path))
    assert call(page_client(ghec_app, who["member"]), method, path).status_code == 404
    assert call(page_client(ghec_app, who["other_owner"]), method, path).status_code == 404
    assert call(page_client(ghec_app, who["owner"]), method, path).status_code == 200


@pytest.mark.parametrize(("method", "rule"), _routes("owner_form"))
def test_page_forms(ghec_app: Flask, tokens: dict[str, str], who: dict[str, Any], method: str, rule: str) -> None:
    path = url(rule, enterprise=tokens["slug"])
    assert call(page_client(ghec_app, who["owner"], csrf=False), method, path).status_code == 400  # no CSRF
    assert call(page_client(ghec_app, who["owner"]), method, path).status_code == 400  # a session but no form token
    to_login(call(page_client(ghec_app, None), method, path, form=True))
    assert call(page_client(ghec_app, who["member"]), method, path, form=True).status_code == 404
    assert call(page_client(ghec_app, who["other_owner"]), method, path, form=True).status_code == 404


@pytest.mark.parametrize(("method", "rule"), _routes("public", "public_form", "asset"))
def test_public_routes_need_no_sign_in(ghec_app: Flask, method: str, rule: str) -> None:
    client = page_client(ghec_app, None)
    kind = ROUTES[(method, rule)]
    if kind == "public_form":
        assert call(client, method, url(rule)).status_code == 400  # still no form post without the CSRF token
        assert call(client, method, url(rule), form=True).status_code in (200, 302, 401)
    else:
        assert call(client, method, url(rule)).status_code in ((200, 302) if kind == "public" else (200, 404))


def _enterprise_routes() -> list[tuple[str, str]]:
    """Every route that names an enterprise."""
    return sorted(route for route in ROUTES if "<enterprise>" in route[1])


@pytest.mark.parametrize(("method", "rule"), _enterprise_routes())
def test_no_route_says_whether_an_enterprise_exists(ghec_app: Flask, tokens: dict[str, str], who: dict[str, Any],
                                                     method: str, rule: str) -> None:
    """For each outsider: the answer about an existing unrelated enterprise equals the one about no enterprise."""
    kind = ROUTES[(method, rule)]
    pairs = [(tokens["slug"], MISSING), (str(who["main_id"]), "999999999")]
    if kind in ("owner", "token", "emu_owner"):
        callers = [(None, {}), (None, bearer(BAD_TOKEN)), (None, bearer(tokens["other_owner"])),
                   (None, bearer(tokens["connect"]))]
    elif kind == "connect":
        callers = [(None, {}), (None, bearer(BAD_TOKEN)), (None, bearer(tokens["other_connect"])),
                   (None, bearer(tokens["owner"]))]
    else:  # pages: anonymous, and a signed-in owner of another enterprise
        callers = [("", {}), (who["other_owner"], {})]
    for login, headers in callers:
        for existing, missing in pairs:
            client = page_client(ghec_app, login) if login is not None else ghec_app.test_client()
            form = kind == "owner_form"
            a = call(client, method, url(rule, enterprise=existing), headers, form=form)
            b = call(client, method, url(rule, enterprise=missing), headers, form=form)
            assert a.status_code in (302, 401, 404), (login, headers, a.status_code)
            assert same_answer(a, existing, b, missing), (login, headers, existing, a.status_code, b.status_code)
    # A member of the main enterprise is an outsider to the other one.
    client = ghec_app.test_client()
    if kind in ("owner", "token"):
        a = call(client, method, url(rule, enterprise=tokens["other_slug"]), bearer(tokens["member"]))
        b = call(client, method, url(rule, enterprise=MISSING), bearer(tokens["member"]))
        assert a.status_code == 404 and same_answer(a, tokens["other_slug"], b, MISSING)


@pytest.mark.parametrize(("method", "rule"), sorted(ORGS_ROUTES))
def test_org_scim_and_visual_studio_callers(ghec_app: Flask, tokens: dict[str, str], small_scenario: Any,
                                            method: str, rule: str) -> None:
    """Organization owner / member / outsider, enterprise owner (EMU SCIM), as GitHub answers them."""
    org_callers_answer_as_github(ghec_app, tokens, small_scenario, method, rule, ORGS_ROUTES[(method, rule)])


#: The token-kind axis (DOMAIN §10) on the routes a person's token reaches: what each kind of the
#: owner's tokens gets, as `(status, message)`; None: the route's usual success.
LICENSE_ENDPOINTS = {("GET", f"{E}/consumed-licenses"), ("GET", f"{E}/license-sync-status")}
#: GitHub's descriptions mark these not enabled for GitHub Apps (besides the license endpoints).
CLOSED_TO_APPS = {("GET", "/user"), ("GET", "/user/emails")}
KIND_ANSWERS = {
    "owner": None, "owner:oauth_app": None, "owner:fine_grained": None,
    "owner:no_scopes": (403, None), "owner:installation": (403, "Resource not accessible by integration"),
}


@pytest.mark.parametrize(("method", "rule"), _routes("token", "owner", "open_api"))
@pytest.mark.parametrize("kind", sorted(KIND_ANSWERS))
def test_token_kinds(ghec_app: Flask, tokens: dict[str, str], method: str, rule: str, kind: str) -> None:
    """GitHub's license endpoints refuse App installation tokens and classic tokens without
    read:enterprise, `/user` and `/user/emails` refuse installation tokens; every other route
    answers each kind of the owner's token as the classic one."""
    client, path = ghec_app.test_client(), url(rule, enterprise=tokens["slug"])
    answer = call(client, method, path, bearer(tokens[kind]))
    refused = KIND_ANSWERS[kind] if (method, rule) in LICENSE_ENDPOINTS else None
    if kind == "owner:installation" and (method, rule) in CLOSED_TO_APPS:
        refused = KIND_ANSWERS[kind]
    if refused is not None:
        json_error(answer, refused[0], refused[1])
    elif method == "GET":
        assert answer.status_code == 200, (kind, answer.get_data(as_text=True)[:200])


@pytest.mark.parametrize(("method", "rule"), _routes("open_api"))
def test_open_api_routes(ghec_app: Flask, tokens: dict[str, str], method: str, rule: str) -> None:
    """`/rate_limit` and `/meta` answer anyone, but a token nobody has is still a 401."""
    client = ghec_app.test_client()
    assert call(client, method, rule).status_code == 200
    assert call(client, method, rule, bearer(tokens["owner"])).status_code == 200
    json_error(call(client, method, rule, bearer(BAD_TOKEN)), 401, "Bad credentials")


#: The organization SCIM routes, and what each kind of the organization owner's tokens gets there:
#: SCIM is enabled for GitHub Apps and fine-grained tokens, and a classic or OAuth-app token needs
#: `admin:org` (the owner's `no_scopes` token lacks it). Enterprise SCIM's `scim:enterprise`:
#: tests/wire/test_wire_token_kinds.py (it needs an enterprise with managed users).
ORG_SCIM = sorted(route for route in ORGS_ROUTES if route[1].startswith("/scim/v2/organizations/"))
SCIM_REFUSED = {"owner:no_scopes"}


def _scim_cases() -> list[tuple[str, str, str]]:
    """(kind, method, rule): every organization SCIM route for the refused kind, the reads for the others."""
    return [(kind, method, rule) for kind in sorted(KIND_ANSWERS) for method, rule in ORG_SCIM
            if kind in SCIM_REFUSED or method == "GET"]


@pytest.mark.parametrize(("kind", "method", "rule"), _scim_cases())
def test_org_scim_token_kinds(ghec_app: Flask, tokens: dict[str, str], small_scenario: Any, kind: str,
                              method: str, rule: str) -> None:
    """The organization owner's tokens of each kind on organization SCIM: a classic token without
    `admin:org` gets a SCIM 403 naming the scope; every other kind is answered on the owner's role."""
    main = small_scenario.enterprises[0]
    owner = next(m for m in main.members if m.login == main.owner_login)
    org = next(r.rsplit(":", 1)[0] for r in owner.org_roles if r.endswith(":Owner"))
    answer = call(ghec_app.test_client(), method, url(rule, org=org), bearer(tokens[kind]))
    body = answer.get_json()
    if kind in SCIM_REFUSED:
        assert answer.status_code == 403 and body["status"] == 403, body
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], body
        assert "'admin:org'" in body["detail"], body
        return
    assert answer.status_code == (404 if "<scim_user_id>" in rule else 200), (kind, body)  # "x": no such user
    assert answer.headers["X-Accepted-OAuth-Scopes"] == "admin:org"
