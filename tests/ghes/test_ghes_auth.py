"""The auth matrix: no / bad / normal-user / site-admin credentials on every route, as GitHub answers."""
from __future__ import annotations

from typing import Any

import pytest
from ghes_helpers import basic_auth, make_app, token_auth

# (method, path, body, status for a normal user, status for the site admin)
# GitHub hides the enterprise routes from non-admins (404); the user-admin routes say 403.
ROUTES = [
    ("GET", "/api/v3/enterprise/settings/license", None, 404, 200),
    ("GET", "/api/v3/enterprise/stats/users", None, 404, 200),
    ("GET", "/api/v3/enterprise/license-usage/export", None, 404, 200),
    ("GET", "/api/v3/enterprise/connect", None, 404, 200),
    ("PUT", "/api/v3/enterprise/connect", {"license_sync": False}, 404, 200),
    ("POST", "/api/v3/enterprise/connect/license-sync", None, 404, 422),  # 422: license sync is off
    ("POST", "/api/v3/admin/users", {"login": "new-person", "email": "new.person@example.com"}, 403, 201),
    ("PATCH", "/api/v3/admin/users/{target}", {"login": "renamed-person"}, 403, 202),
    ("DELETE", "/api/v3/admin/users/{target}", None, 403, 204),
    ("PUT", "/api/v3/users/{target}/suspended", None, 403, 204),
    ("DELETE", "/api/v3/users/{target}/suspended", None, 403, 204),
    ("GET", "/api/v3/users/{target}", None, 200, 200),
    ("GET", "/api/v3/user", None, 200, 200),
]
IDS = [f"{m} {p}" for m, p, *_ in ROUTES]


@pytest.fixture(scope="module")
def untouched() -> Any:
    """One app for the requests that must change nothing (refused credentials): (client, runtime)."""
    app = make_app()
    yield app.test_client(), app.extensions["ghes"].runtime
    app.extensions["mock"].db.close()


def _call(client: Any, runtime: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    """Send one matrix request; {target} is a normal consuming user (not the caller)."""
    target = next(u["login"] for u in runtime.store.all_users()
                  if u["kind"] == "user" and not u["site_admin"]
                  and u["login"] != runtime.store.instance()["member_login"])
    return client.open(path.format(target=target), method=method, json=body, headers=headers)


@pytest.mark.parametrize("method, path, body, member_status, admin_status", ROUTES, ids=IDS)
def test_no_credentials_is_401_requires_authentication(untouched, method, path, body, member_status,
                                                       admin_status):
    response = _call(*untouched, method, path, body, {})
    assert response.status_code == 401
    assert response.json == {"message": "Requires authentication",
                             "documentation_url": "https://docs.github.com/rest", "status": "401"}


@pytest.mark.parametrize("method, path, body, member_status, admin_status", ROUTES, ids=IDS)
@pytest.mark.parametrize("header", ["token ghp_doesnotexist000000000000000000000000", "Bearer nope",
                                    "token", "Digest abc"])
def test_bad_credentials_is_401(untouched, method, path, body, member_status, admin_status, header):
    response = _call(*untouched, method, path, body, {"Authorization": header})
    assert response.status_code == 401
    assert response.json["message"] == "Bad credentials"


@pytest.mark.parametrize("method, path, body, member_status, admin_status", ROUTES, ids=IDS)
def test_a_normal_user(client, runtime, member, method, path, body, member_status, admin_status):
    response = _call(client, runtime, method, path, body, member)
    assert response.status_code == member_status
    if member_status >= 400:
        assert response.json["status"] == str(member_status)


@pytest.mark.parametrize("method, path, body, member_status, admin_status", ROUTES, ids=IDS)
def test_the_site_admin(client, runtime, admin, method, path, body, member_status, admin_status):
    response = _call(client, runtime, method, path, body, admin)
    assert response.status_code == admin_status


def test_a_suspended_users_token_is_refused(client, runtime, admin, member):
    member_login = runtime.store.instance()["member_login"]
    assert client.put(f"/api/v3/users/{member_login}/suspended", headers=admin).status_code == 204
    response = client.get("/api/v3/user", headers=member)
    assert response.status_code == 403
    assert "suspended" in response.json["message"]


def test_a_non_admin_cannot_change_users(client, runtime, member):
    victim = runtime.store.instance()["admin_login"]
    assert client.put(f"/api/v3/users/{victim}/suspended", headers=member).status_code == 403
    assert runtime.store.user(victim)["suspended"] is False


MANAGE = [("GET", "/manage/v1/config/license"), ("GET", "/manage/v1/config/license/check"),
          ("PUT", "/manage/v1/config/license")]


@pytest.mark.parametrize("method, path", MANAGE)
def test_manage_api_needs_its_basic_credentials(client, tokens, method, path):
    cases = {
        "none": {},
        "wrong password": basic_auth("api_key", "nope"),
        "wrong user": basic_auth("admin", tokens["manage"]),
        "a site admin token": token_auth(tokens["admin"]),
        "garbled": {"Authorization": "Basic !!!"},
    }
    for name, headers in cases.items():
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 401, name
        assert response.headers["WWW-Authenticate"].startswith("Basic realm="), name
        assert response.json["status"] == "401", name


def test_manage_api_with_its_credentials(client, manage):
    assert client.get("/manage/v1/config/license", headers=manage).status_code == 200
    assert client.get("/manage/v1/config/license/check", headers=manage).status_code == 200
